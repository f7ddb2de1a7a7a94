"""linreg-tui: a terminal lab for linear regression with minibatch SGD (d2l section 3.5)."""

from __future__ import annotations

__version__ = "0.1.0"
