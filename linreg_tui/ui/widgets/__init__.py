"""Widgets of the lab: each owns its data and redraws itself (import from the modules)."""
