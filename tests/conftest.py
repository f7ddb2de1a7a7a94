"""Shared fixtures: small, seeded configurations that train in milliseconds."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from linreg_tui.engine.config import RunConfig

# A test process builds and drops an app a few seconds, hundreds of thousands of objects
# each: at Python's default thresholds (700, 10, 10) it ran 18,000 collections over three
# UI test files, 15% of their CPU time. Collecting the young generation every 50,000
# allocations instead: 160 collections, 6% (the app's own start-up tuning, ui/startup.py,
# is for one long-lived process and is left as it is).
gc.set_threshold(50_000, 20, 10)


@pytest.fixture
def tiny_config() -> RunConfig:
    """A run that finishes in a few milliseconds."""
    return RunConfig(num_train=64, num_val=64, batch_size=16, epochs=3)


@pytest.fixture(autouse=True)
def db(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Runs recorded by tests go to a throwaway database, never the user's: its path
    ($LINREG_TUI_DB), in a folder of its own."""
    path = tmp_path_factory.mktemp("history") / "history.sqlite3"
    monkeypatch.setenv("LINREG_TUI_DB", str(path))
    return path
