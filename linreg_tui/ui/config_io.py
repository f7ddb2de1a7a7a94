"""Save and load the form's configuration from the app (ctrl+s, ctrl+o), TOML or JSON.

The file work is `linreg_tui.store.config_files`'s, shared with `--config` on the command line:
the format follows the suffix, writes are atomic, and every refusal names the file and
the key. The app keeps three one-line actions; everything else lives here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from linreg_tui.engine.config import FIELD_NAMES, ConfigError, RunConfig
from linreg_tui.store.config_files import ConfigFileError, load_config, save_config
from linreg_tui.store.paths import PathProblem, clipped, kind, reason, user_path
from linreg_tui.ui import served_files
from linreg_tui.ui.widgets.fields import to_text
from linreg_tui.ui.widgets.path_prompt import PathPrompt

if TYPE_CHECKING:
    from textual.app import App

    from linreg_tui.ui.widgets.config_pane import ConfigPane
    from linreg_tui.ui.widgets.status_bar import StatusBar

DEFAULT_PATH = "linreg-config.toml"


class ConfigFiles:
    """The save/load dialogs of one app, remembering the last path used."""

    def __init__(self, app: App[None], form: ConfigPane, status: StatusBar) -> None:
        self.app, self.form, self.status = app, form, status
        self.path = DEFAULT_PATH

    def ask_save(self) -> None:
        """Check the form (a bad field is marked and named, as for ctrl+r), then ask where."""
        if self.covered():
            return
        config = self.form.read_config()
        if isinstance(config, ConfigError):
            self.status.say(f"not saved: {config}", "error")
            return
        if self.app.is_web:  # a browser tab: a download, never a file on the server
            served_files.ask_download(self, config)
            return
        prompt = PathPrompt("save configuration", self.path, lambda p: self.save(config, p), "save")
        self.app.push_screen(prompt)

    def ask_load(self) -> None:
        """Ask which file to load into the form."""
        if self.covered():
            return
        if self.app.is_web:  # a browser tab: pasted text, or a file of `serve --files`
            served_files.ask_load(self)
            return
        self.app.push_screen(PathPrompt("load configuration", self.path, self.load, "load"))

    def covered(self) -> bool:
        """True while a dialog, the help or the palette is open: no second dialog on top
        (a palette under a dialog would be pushed again by ctrl+p: duplicate ids)."""
        return len(self.app.screen_stack) > 1

    def save(self, config: RunConfig, text: str) -> str | None:
        """Write `config` to the path `text`; the error message, or None once written."""
        if not text.strip():
            return "type the name of a .toml or .json file"
        try:
            path = user_path(text)
            existed = kind(path) == "file"
            save_config(config, path)
        except (ConfigFileError, PathProblem) as error:
            return str(error)
        except OSError as error:
            return f"{clipped(path)}: cannot write it: {reason(error)}"
        self.path = text
        replaced = " (replaced)" if existed else ""
        self.done(f"saved the configuration to {clipped(path)}{replaced}")
        return None

    def load(self, text: str) -> str | None:
        """Fill the form from the file at `text`; on any problem the form is untouched.

        Keys the file leaves out keep the form's values (or the defaults if the form
        does not hold a valid configuration right now).
        """
        if not text.strip():
            return "type the name of a .toml or .json file"
        try:
            path = user_path(text)
            config = load_config(path, base=self.current())
        except (ConfigFileError, PathProblem) as error:
            return str(error)
        except ConfigError as error:
            return f"{clipped(path)}: {error}"
        self.path = text
        self.show(config, f"loaded {clipped(path)} into the form · ctrl+r runs it")
        return None

    def show(self, config: RunConfig, said: str) -> None:
        """Put a loaded configuration in the form and say so."""
        self.form.show({name: getattr(config, name) for name in FIELD_NAMES})
        self.done(said)

    def apply(self, values: Mapping[str, object], source: str) -> None:
        """Fill the form with a view's suggested settings (checked first), every other
        setting back to its default: a lesson's numbers must not depend on what an
        earlier suggestion or edit left (robust loss after mean vs sum kept n 1024)."""
        try:
            config = RunConfig.from_mapping(values, base=RunConfig())
        except ConfigError as error:  # a view's own suggestion: a bug, but say it
            self.status.say(f"suggestion refused: {error}", "error")
            return
        self.form.show({name: getattr(config, name) for name in FIELD_NAMES})
        shown = ", ".join(f"{k} {to_text(k, getattr(config, k))}" for k in values)
        self.done(f"{source}: set {shown}; the rest at its defaults")

    def current(self) -> RunConfig | None:
        """The form's configuration if every field is valid, else None; marks nothing."""
        try:
            return RunConfig(**self.form.values())  # type: ignore[arg-type]
        except ConfigError:
            return None

    def done(self, text: str) -> None:
        self.status.say(text)
        self.app.notify(text, timeout=4, markup=False)  # paths may hold [/x]
