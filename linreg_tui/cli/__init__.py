"""The `linreg-tui` entry point: the app, or a headless command over the same engine.

Plain `linreg-tui` starts the app without building the command-line parsers (they import
the output, history and serving modules: tens of milliseconds before the first frame);
anything else goes through `cli_commands`. `run` and `sweep` never import Textual, and
`--help` does not even import torch.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from typing import Any


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status (0, 1 on I/O failure, 2 on bad
    input, 130 on Ctrl-C, 128 + the signal on SIGTERM or SIGHUP)."""
    tokens = list(sys.argv[1:] if argv is None else argv)
    if not tokens:
        return start_app()
    from linreg_tui.cli.commands import main as run_command_line

    return run_command_line(tokens)


def start_app(**settings: Any) -> int:
    """Run the Textual app with these settings; the one place the command line imports the
    UI (`run`, `sweep` and `history` never load Textual)."""
    gc.disable()  # until the app has started (ui/startup.py: ~70 ms of CPU before its first frame)
    try:
        from linreg_tui.ui.app import LinregApp
    except ImportError as error:  # a broken install (e.g. Textual missing): one line
        print(f"linreg-tui: error: cannot start the terminal app: {error}", file=sys.stderr)
        return 1
    app = LinregApp(**settings)
    app.run()
    return getattr(app, "return_code", None) or 0  # 143 after SIGTERM, 129 after SIGHUP
