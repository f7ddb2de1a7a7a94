"""Helpers shared by the command line's commands: exit codes, live printing, output files."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from linreg_tui.cli.parser import FIELD_NAMES, UsageError
from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.records import exported_fields
from linreg_tui.store.config_files import ConfigFileError, save_config
from linreg_tui.store.files import CsvFile, WriteFailed
from linreg_tui.store.paths import reason, shown

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class OutputError(Exception):
    """An output file could not be written; `usage` when the path itself was bad."""

    def __init__(self, message: str, usage: bool, closed_pipe: bool = False) -> None:
        super().__init__(message)
        self.usage = usage
        self.closed_pipe = closed_pipe
        """stdout was closed early (`| head`) or fails (`> /dev/full`): nothing more can be
        printed there."""


def emit(line: str) -> None:
    """Print one line now, so a pipe sees each epoch as it happens; OutputError if stdout
    fails (`> /dev/full`). A closed pipe stays a BrokenPipeError: it ends quietly."""
    try:
        print(line, flush=True)
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(
            f"cannot write to stdout: {reason(error)}", usage=False, closed_pipe=True
        ) from None


# --- shared by run and sweep ----------------------------------------------------------


def save_config_if_asked(args: argparse.Namespace, cfg: RunConfig) -> None:
    """Write the effective config for --save-config (atomically) before any work."""
    if not getattr(args, "save_config", None):
        return
    try:
        save_config(cfg, args.save_config)
    except ConfigFileError as error:
        raise UsageError(args.prog, f"--save-config {error}") from None
    except OSError as error:
        raise OutputError(_cannot("--save-config", args.save_config, error), usage=True) from None


def _cannot(flag: str, path: str, error: OSError) -> str:
    return f"{flag}: cannot write {shown(path)}: {reason(error)}"


@contextlib.contextmanager
def csv_output(
    args: argparse.Namespace, columns: Sequence[str] | None = None
) -> Iterator[CsvFile | None]:
    """The --csv file, created empty beside its target now and moved into place only when
    the command completes; None without --csv. The header is `columns`, or the first
    row's keys."""
    path = getattr(args, "csv", None)
    if not path:
        yield None
        return
    try:
        out = CsvFile(path, columns)
    except OSError as error:
        raise OutputError(_cannot("--csv", path, error), usage=True) from None
    try:
        yield out
    except BrokenPipeError:  # `| head`: the run stops early, so its CSV is incomplete
        out.discard()
        raise OutputError(
            f"--csv: {shown(path)} not written: the output pipe closed before the end",
            usage=False,
            closed_pipe=True,
        ) from None
    except WriteFailed as error:  # a full disk, a FIFO whose reader left
        out.discard()
        raise OutputError(_cannot("--csv", path, error), usage=False) from None
    except BaseException:
        out.discard()
        raise
    try:
        out.commit()
    except OSError as error:
        raise OutputError(_cannot("--csv", path, error), usage=False) from None


def any_config_flag(args: argparse.Namespace) -> bool:
    """True if a settings flag or --config was given."""
    given = (getattr(args, name, None) is not None for name in FIELD_NAMES)
    return any(given) or bool(getattr(args, "config", None))


def describe_config(cfg: RunConfig, swept: Mapping[str, str] | None = None) -> str:
    """A one-line summary of the settings, printed above a table; `swept` replaces the
    values a sweep varies (e.g. {"lr": "swept"})."""
    parts = {
        "w": ",".join(f"{v:g}" for v in cfg.w),
        "b": f"{cfg.b:g}",
        "noise": f"{cfg.noise:g}",
        "n": f"{cfg.num_train}/{cfg.num_val}",
        "batch": str(cfg.batch_size),
        "steps" if cfg.steps else "epochs": str(cfg.steps or cfg.epochs),
        "lr": f"{cfg.lr:g}",
        "loss": cfg.loss,
        "init": cfg.init,
        "seed": str(cfg.seed),
    }
    if cfg.loss in ("huber", "smooth-l1"):
        parts["delta"] = f"{cfg.delta:g}"
    if cfg.outliers:
        parts["outliers"] = f"{cfg.outliers:g}x{cfg.outlier_scale:g}"
    if cfg.average:
        parts["average"] = "on"
    if cfg.scales != (1.0,):
        parts["scales"] = ",".join(f"{v:g}" for v in cfg.scales)
    if cfg.correlation:
        parts["correlation"] = f"{cfg.correlation:g}"
    parts.update(swept or {})
    return "# " + " ".join(f"{k}={v}" for k, v in parts.items())


def record_fields(record: Any) -> dict[str, Any]:
    """A dataclass record's fields, in order (properties and live-only fields left out)."""
    return exported_fields(record)
