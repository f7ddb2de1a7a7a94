"""The layers, as docs/ARCHITECTURE.md draws them, held by reading every module's imports.

engine <- lab <- {cli, ui}; store <- lab (engine <- store: the history stores RunConfigs
and EpochRecords). cli and ui never import each other, but for `cli.start_app`, the one
place the command line starts the app. engine, lab and store import no UI library and no
argparse; lab and store load no torch when imported; no module is over 300 lines.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "linreg_tui"
LAYERS = ("engine", "lab", "store", "cli", "ui")
MAY_IMPORT = {
    "engine": {"engine"},
    "store": {"store", "engine"},
    "lab": {"lab", "store", "engine"},
    "cli": {"cli", "lab", "store", "engine"},
    "ui": {"ui", "lab", "store", "engine"},
}
UI_LIBRARIES = {"textual", "rich", "plotext", "textual_plotext", "textual_serve", "argparse"}
MAX_LINES = 300
ENTRY_POINT = PACKAGE / "cli" / "__init__.py"
"""`linreg-tui`: main() and start_app(), the one import of the app by the command line."""


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def layer(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 and parts[0] in LAYERS else None


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top, inside functions or for type checkers."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_every_module_belongs_to_a_layer() -> None:
    loose = [p.name for p in modules() if layer(p) is None]
    assert sorted(loose) == ["__init__.py", "__main__.py"]


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_one_way(path: Path) -> None:
    own = layer(path)
    if own is None:
        return
    wrong = set()
    for name in imports(path):
        parts = name.split(".")
        if parts[0] != "linreg_tui" or len(parts) < 2 or parts[1] not in LAYERS:
            continue
        if parts[1:3] == ["ui", "app"] and path == ENTRY_POINT:
            continue  # cli.start_app: where the command line starts the app
        if parts[1] not in MAY_IMPORT[own]:
            wrong.add(name)
    assert not wrong, f"{own} may import only {sorted(MAY_IMPORT[own])}"


@pytest.mark.parametrize(
    "path",
    [p for p in modules() if layer(p) in ("engine", "lab", "store")],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_engine_lab_and_store_import_no_ui_library_nor_argparse(path: Path) -> None:
    assert not {name.split(".")[0] for name in imports(path)} & UI_LIBRARIES


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_300_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


@pytest.mark.parametrize(
    "path",
    [p for p in PACKAGE.rglob("__init__.py") if p != ENTRY_POINT],  # main() lives there
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_init_files_are_thin(path: Path) -> None:
    """A docstring and imports, or a version: no code of their own, no lazy attributes."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    code = [node for node in tree.body if not isinstance(node, (ast.Expr, ast.ImportFrom))]
    names = [t.id for n in code if isinstance(n, ast.Assign) for t in n.targets]  # type: ignore[attr-defined]
    kinds = {type(n).__name__ for n in code}
    assert kinds <= {"Assign"} and set(names) <= {"__version__", "__all__"}, kinds


def loaded_after(code: str) -> set[str]:
    script = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_lab_and_store_load_no_torch_and_no_ui_library() -> None:
    names = [
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        for p in modules()
        if layer(p) in ("lab", "store") and p.name != "__init__.py"
    ]
    loaded = loaded_after("\n".join(f"import {name}" for name in names))
    assert "linreg_tui.lab.process" in loaded
    assert not loaded & {"torch", "textual", "rich", "plotext", "argparse"}


def test_engine_config_loads_without_torch() -> None:
    modules_ = loaded_after("from linreg_tui.engine.config import RunConfig; RunConfig()")
    assert "torch" not in modules_


def test_engine_never_loads_a_ui_library() -> None:
    loaded = loaded_after(
        "from linreg_tui.engine.training import train\n"
        "from linreg_tui.engine.config import RunConfig\n"
        "import linreg_tui.engine.sweep, linreg_tui.engine.batched\n"
        "list(train(RunConfig(num_train=8, num_val=8, epochs=1)))"
    )
    assert "torch" in loaded
    assert not loaded & {"textual", "rich", "plotext", "textual_plotext"}


def test_what_the_app_reads_of_a_run_or_sweep_loads_no_torch() -> None:
    """Records and sweep rows come back from the training process; the app unpickles and
    summarizes them on its own thread, where importing torch would freeze it for ~1 s."""
    loaded = loaded_after(
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
    assert "linreg_tui.engine.results" in loaded
    assert "torch" not in loaded
