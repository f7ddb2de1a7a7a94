"""Shared fixtures: small, seeded configurations that train in milliseconds."""

from __future__ import annotations

import pytest

from linreg_tui.engine.config import RunConfig


@pytest.fixture
def tiny_config() -> RunConfig:
    """A run that finishes in a few milliseconds."""
    return RunConfig(num_train=64, num_val=64, batch_size=16, epochs=3)


@pytest.fixture(autouse=True)
def private_history(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs recorded by tests go to a throwaway database, never the user's."""
    db = tmp_path_factory.mktemp("history") / "history.sqlite3"
    monkeypatch.setenv("LINREG_TUI_DB", str(db))
