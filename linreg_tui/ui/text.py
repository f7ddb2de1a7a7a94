"""Text from outside the app (typed values, file contents, paths, errors) shown safely.

Textual parses a plain `str` given to `Static.update` or `notify` as markup: a value
typed as `[/b]`, or a path through a folder named `a[`, raised MarkupError and ended
the app. And a key in a hostile config file can carry terminal escape sequences. Show
such text through `plain()` (never markup, control characters escaped).
"""

from __future__ import annotations

from textual.content import Content


def printable(text: str) -> str:
    """`text` with control characters (ESC, NUL...) escaped as in a repr; newlines kept."""
    return "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in text)


def plain(text: str) -> Content:
    """Content showing `text` as it is: no markup, control characters escaped."""
    return Content(printable(text))
