"""The Textual front end: `linreg_tui.ui.app.LinregApp`."""
