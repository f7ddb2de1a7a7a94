"""Panel titles are readable in every built-in theme: contrast >= 4.5:1 (WCAG AA) against
the background (issue 12, point 9: #005f87 on near black was 2.6:1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.app import App
from textual.color import Color

PACKAGE = Path(__file__).resolve().parents[2] / "linreg_tui"
TITLE_COLOUR = re.compile(r"border-(?:sub)?title-color:\s*\$([\w-]+)")


def luminance(c: Color) -> float:
    def channel(v: int) -> float:
        x = v / 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)


def contrast(a: Color, b: Color) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def title_variables() -> set[str]:
    """Every theme variable a panel title or subtitle is drawn in, in the app's styles."""
    sources = [*PACKAGE.rglob("*.tcss"), *PACKAGE.rglob("*.py")]
    return {m for p in sources for m in TITLE_COLOUR.findall(p.read_text(encoding="utf-8"))}


THEMES = sorted(
    n for n in App().available_themes if not n.startswith("ansi")
)  # ansi: the terminal's


@pytest.mark.parametrize("theme", THEMES)
def test_panel_titles_are_readable(theme: str) -> None:
    variables = App().available_themes[theme].to_color_system().generate()
    background = Color.parse(variables["background"])
    names = title_variables()
    assert "text-secondary" in names  # the scan found the styles
    low = {}
    for name in names:
        value = variables.get(name, "")
        if name in ("text", "text-muted"):
            continue  # "auto 87%": Textual picks black or white against the background
        colour = background + Color.parse(value)
        if contrast(colour, background) < 4.5:
            low[name] = round(contrast(colour, background), 1)
    assert not low
