"""Paths a user typed: expanded without surprises, and looked at before anything is written.

`Path.expanduser` raises RuntimeError for `~nouser/x`, and `Path.exists` raises OSError for a
name component over 255 bytes (ENAMETOOLONG): both ended the app and gave tracebacks on the
command line (issue 16). Here both are a `PathProblem`, a ValueError with a plain reason
that the front ends show in one line. No torch, no UI library.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path
from typing import Literal

Kind = Literal["missing", "file", "folder", "stream", "other"]
"""What a path names: nothing yet, a regular file, a folder, something written straight
through (a character device such as /dev/null, a FIFO), or anything else (a socket, a
block device: never written)."""

MAX_SHOWN = 200
"""Characters of a path or value quoted in a message; longer ones are cut in the middle."""
_OWN_STREAM = re.compile(r"/dev/(stdout|stderr|fd/(\d+))|/proc/self/fd/(\d+)")
_STD_FDS = {"stdout": 1, "stderr": 2}


class PathProblem(ValueError):
    """A path that cannot be used: `str(error)` is the path (cut if long) and the reason in
    plain words; `reason` is the reason alone."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(f"{shown(path)}: {reason}")
        self.path, self.reason = os.fspath(path), reason


def clipped(text: str | os.PathLike[str], limit: int = MAX_SHOWN) -> str:
    """`text` as it is if short, else cut in the middle with its length: a 5,000-character
    name or a 100 KB value must not fill the screen or the error line."""
    text = str(text)
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}…{text[-half:]} ({len(text):,} characters)"


def shown(text: str | os.PathLike[str]) -> str:
    """`text` quoted for a message (its repr), cut in the middle if long."""
    text = str(text)
    if len(text) <= MAX_SHOWN:
        return repr(text)
    half = MAX_SHOWN // 2
    return f"{text[:half] + '…' + text[-half:]!r} ({len(text):,} characters)"


def user_path(text: str | os.PathLike[str]) -> Path:
    """A typed path with `~` and `~user` expanded; PathProblem if it names nothing (empty)
    or a user this machine does not know."""
    raw = os.fspath(text)
    if not str(raw).strip():
        raise PathProblem(raw, "needs a file name, not an empty string")
    path = Path(raw)
    try:
        return path.expanduser()
    except RuntimeError:  # ~nouser, or no $HOME and no passwd entry
        user = str(raw)[1:].split(os.sep, 1)[0]
        who = f"no user {user!r} on this machine" if user else "no home folder is known"
        raise PathProblem(raw, f"cannot expand '~': {who}") from None


def kind(path: str | os.PathLike[str]) -> Kind:
    """What `path` names (following symlinks); PathProblem if it cannot even be looked at
    (a name over 255 bytes, a component that is a file, no permission to look)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except OSError as error:
        raise PathProblem(path, reason(error)) from None
    except ValueError:  # an embedded NUL
        raise PathProblem(path, "a file name cannot hold a NUL character") from None
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "stream"
    return "other"


def own_stream(path: str | os.PathLike[str]) -> int | None:
    """The file descriptor `path` names if it is this process's own stdout or stderr
    (/dev/stdout, /dev/fd/1, /proc/self/fd/2...), else None. Written through a duplicate
    of that descriptor, so that its output interleaves with what the process prints
    instead of truncating or replacing the file stdout was redirected to."""
    match = _OWN_STREAM.fullmatch(os.fspath(path))
    if match is None:
        return None
    name, fd, proc_fd = match.groups()
    return _STD_FDS.get(name or "", int(fd or proc_fd or -1))


def reason(error: OSError) -> str:
    """An OSError in a few words: 'the file name is too long' rather than errno 36."""
    if error.errno == errno.ENAMETOOLONG:
        return "a name in it is too long (at most 255 bytes per folder or file name)"
    return str(error.strerror or error)


def inside(folder: str | os.PathLike[str], text: str) -> Path:
    """The file `text` names in `folder` (relative to it), symlinks resolved; PathProblem if
    it lies outside (`..`, an absolute path, a link out): a served browser tab may read the
    folder `serve --files` shares, and only that one. The message never says what lies
    outside, not even whether it exists."""
    if not text.strip():
        raise PathProblem(text, "needs a file name, not an empty string")
    root = Path(os.path.realpath(folder))
    try:
        found = Path(os.path.realpath(root / text))
    except (OSError, ValueError):
        found = root.parent  # a NUL or a loop: outside, as far as the tab is told
    if root not in found.parents:
        raise PathProblem(
            text, "a browser tab can only load files in the folder served with --files"
        )
    return found
