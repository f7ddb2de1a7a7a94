"""The engine is UI-free, and its configuration does not even need torch."""

from __future__ import annotations

import subprocess
import sys


def loaded_after(code: str) -> set[str]:
    script = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_engine_config_loads_without_torch() -> None:
    modules = loaded_after(
        "from linreg_tui.engine.config import RunConfig, LOSS_NAMES; RunConfig()"
    )
    assert "torch" not in modules


def test_engine_never_loads_a_ui_library() -> None:
    modules = loaded_after(
        "from linreg_tui.engine.training import train\n"
        "from linreg_tui.engine.config import RunConfig\n"
        "import linreg_tui.engine.sweep, linreg_tui.engine.batched\n"
        "list(train(RunConfig(num_train=8, num_val=8, epochs=1)))"
    )
    assert "torch" in modules
    assert not modules & {"textual", "rich", "plotext", "textual_plotext"}


def test_what_the_app_reads_of_a_run_or_sweep_loads_no_torch() -> None:
    """Records and sweep rows come back from the training process; the app unpickles and
    summarizes them on its own thread, where importing torch would freeze it for ~1 s."""
    modules = loaded_after(
        "import pickle\n"
        "from linreg_tui.engine.records import EpochRecord\n"
        "from linreg_tui.engine.results import GridCell, SizePoint, loss_variants,"
        " size_slopes, summarize_sizes\n"
        "from linreg_tui.engine.config import RunConfig\n"
        "p = SizePoint(5, 0, 1, 1.0, 1.0, (0.1, 0.2), 4.0, (0.1, 0.2), 0.2, (0.05, 0.1), 0.1,"
        " False)\n"
        "size_slopes(summarize_sizes(pickle.loads(pickle.dumps([p]))))\n"
        "loss_variants(RunConfig())\n"
    )
    assert "linreg_tui.engine.results" in modules
    assert "torch" not in modules
