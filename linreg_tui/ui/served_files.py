"""ctrl+s and ctrl+o in a browser tab (`linreg-tui serve`): nothing on the server is written,
and nothing is read but what the server shares.

The app runs on the server, as the server's user; a tab's user is whoever reached the page.
So a save is a browser download (`App.deliver_text`, through textual-serve), and a load is
the text of a file pasted into the tab, or a file in the one folder the server was started
with (`serve --files DIR`, handed to each tab as $LINREG_TUI_FILES; none by default). Before
this, a tab's ctrl+s overwrote the server user's .toml files and its ctrl+o reported the
key names and parse positions of any file the server could read (issue 16).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from linreg_tui.engine.config import ConfigError, RunConfig
from linreg_tui.store.config_files import (
    FILES_ENV,
    ConfigFileError,
    dumps_config,
    load_config,
    parse_mapping,
    suffix_of,
)
from linreg_tui.store.paths import PathProblem, clipped, inside
from linreg_tui.ui.widgets.paste_prompt import PastePrompt
from linreg_tui.ui.widgets.path_prompt import PathPrompt

if TYPE_CHECKING:
    from linreg_tui.ui.config_io import ConfigFiles

MIME = {".toml": "application/toml", ".json": "application/json"}


def served_folder() -> Path | None:
    """The folder `serve --files` shares with the tabs, if any."""
    folder = os.environ.get(FILES_ENV)
    return Path(folder) if folder else None


def ask_download(files: ConfigFiles, config: RunConfig) -> None:
    """Ask for the download's name (the suffix picks TOML or JSON), then deliver it."""
    name = Path(files.path).name or "linreg-config.toml"
    prompt = PathPrompt(
        "download configuration",
        name,
        lambda text: download(files, config, text),
        "download",
        label="file name for your browser's download (.toml or .json):",
        note="The file is downloaded by your browser; nothing is written on the server.",
    )
    files.app.push_screen(prompt)


def download(files: ConfigFiles, config: RunConfig, text: str) -> str | None:
    """Deliver `config` as a download named `text` (folders in it are dropped)."""
    name = Path(text.strip()).name
    if not name:
        return "type a file name ending in .toml or .json"
    try:
        suffix = suffix_of(name)
    except ConfigFileError as error:
        return str(error)
    files.app.deliver_text(
        io.StringIO(dumps_config(config, suffix)), save_filename=name, mime_type=MIME[suffix]
    )
    files.done(f"downloading {clipped(name)} in your browser")
    return None


def ask_load(files: ConfigFiles) -> None:
    """A file of the served folder if there is one, else a pasted file."""
    folder = served_folder()
    if folder is None:
        files.app.push_screen(PastePrompt(lambda text: load_text(files, text)))
        return
    prompt = PathPrompt(
        "load configuration",
        "",
        lambda text: load_shared(files, folder, text),
        "load",
        label=f"a .toml or .json file in the served folder {clipped(folder)}:",
    )
    files.app.push_screen(prompt)


def load_text(files: ConfigFiles, text: str) -> str | None:
    """Fill the form from pasted TOML or JSON (JSON if it starts with '{')."""
    if not text.strip():
        return "paste the text of a .toml or .json file first"
    suffix = ".json" if text.lstrip().startswith("{") else ".toml"
    where = f"the pasted {suffix[1:].upper()}"
    try:
        values = parse_mapping(text, suffix, where)
        config = RunConfig.from_mapping(values, base=files.current())
    except ConfigFileError as error:
        return str(error)
    except ConfigError as error:
        return f"{where}: {error}"
    files.show(config, f"loaded {where} into the form · ctrl+r runs it")
    return None


def load_shared(files: ConfigFiles, folder: Path, text: str) -> str | None:
    """Fill the form from a file of the served folder; nothing outside it is looked at."""
    try:
        path = inside(folder, text.strip())
        config = load_config(path, base=files.current())
    except (ConfigFileError, PathProblem) as error:
        return str(error)
    except ConfigError as error:
        return f"{clipped(text.strip())}: {error}"
    files.show(config, f"loaded {clipped(text.strip())} into the form · ctrl+r runs it")
    return None
