"""`python -m linreg_tui`."""

from linreg_tui.cli import main

raise SystemExit(main())
