"""Each experiment as a plan: what one ctrl+r or one command trains, checked up front.

A plan is built from the form's (or the flags') RunConfig plus the experiment's own
settings, checked against every rule and limit before anything is loaded: a refusal is a
ConfigError naming the setting to change, by RunConfig's name or the sweep's own (`sizes`,
`seeds`, `lrs`, `epochs_list`, `b`, `steps`). The app marks and focuses that field; the
command line names its flag. A plan is either runs trained one after another
(`RunsPlan`) or one batched sweep (`SweepPlan`); both pickle, so the training process can
run them, and nothing here imports torch (the sweeps import the engine when they run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from linreg_tui.engine.config import ConfigError, RunConfig
from linreg_tui.lab.limits import check_grid, check_runs, check_sizes
from linreg_tui.lab.lists import checked

if TYPE_CHECKING:
    from linreg_tui.engine.plane import PathName, TracePart
    from linreg_tui.engine.results import GridCell, SizePoint
    from linreg_tui.engine.training import StopCheck

PlanKind = Literal["run", "sweep-loss", "sweep-lr", "sweep-sizes"]
"""What the history records a plan as (store.history.KINDS)."""


@dataclass(frozen=True)
class RunsPlan:
    """Runs trained one after another, each with a label of its own."""

    config: RunConfig
    """The settings the plan was built from (the history's row holds them)."""
    runs: tuple[RunConfig, ...]
    labels: tuple[str, ...]
    """One unique name per run: the history's variant names and the tables' row labels."""
    kind: PlanKind = "run"
    batched: bool = True
    """Several runs: those of one shape train side by side as one tensor program, each
    run's events sent when its group ends (`lab.grouped`). False: one by one, streamed."""

    @property
    def total_steps(self) -> int:
        return sum(cfg.total_steps for cfg in self.runs)

    @classmethod
    def of(cls, *configs: RunConfig) -> RunsPlan:
        """Runs of these configs, labelled by position (one config: a single run)."""
        if len(configs) == 1:
            return single_run(configs[0])
        labels = tuple(f"run {i}" for i in range(len(configs)))
        return cls(configs[0], configs, labels, "sweep-loss")


@dataclass(frozen=True)
class SweepPlan:
    """A sweep job: `run(should_stop)` yields result rows; the runner emits them batched.

    `run` is called where training happens (it may import torch) and must pickle: a
    module-level function of this module, bound with `functools.partial`.
    """

    config: RunConfig
    """The base configuration (RunStarted carries it)."""
    run: Callable[[Callable[[], bool]], Iterator[Any]]
    """Yields rows; must ask `should_stop` between SGD steps and end when it says True."""
    total_rows: int
    """Rows a complete sweep yields, for the status line."""
    total_steps: int
    """`should_stop` calls a complete sweep makes (one per batched SGD step)."""
    unit: str = "rows"
    """What a row is, for the status line ('cells', 'points')."""
    kind: PlanKind | Literal[""] = ""
    """What the run history records it as; '' records nothing."""
    params: dict[str, Any] = field(default_factory=dict)
    """The sweep's own settings for the history, e.g. {"lrs": [...], "epochs_list": [...]}."""
    diverged: Callable[[Any], bool] | None = None
    """For a job that is one run (a trace): whether a row shows it diverged, so the job
    ends "diverged" as a run does. A sweep's diverged cells are results: None."""


Plan = RunsPlan | SweepPlan


# --- runs one after another ---------------------------------------------------------------


def single_run(config: RunConfig) -> RunsPlan:
    """One run of the form's settings."""
    return RunsPlan(config, (config,), ("",), "run")


def loss_plan(config: RunConfig, seeds: int = 1) -> RunsPlan:
    """d2l 3.5 ex. 1: mse-mean at lr, mse-sum at lr, mse-sum at lr / B, Huber, smooth-L1,
    on identical data from identical initial weights; then the two sums again on seeds
    seed + 1 … seed + seeds - 1 (whether the sum at lr blows up depends on the data)."""
    from linreg_tui.engine.results import loss_variants  # numpy: not at import

    variants = loss_variants(config)
    pairs = [(label, cfg) for label, cfg in variants]
    for k in range(1, seeds):
        for i in (SUM, SCALED):
            label, cfg = variants[i]
            pairs.append((f"{label} seed={cfg.seed + k}", replace(cfg, seed=cfg.seed + k)))
    plan = RunsPlan(config, tuple(c for _, c in pairs), tuple(lb for lb, _ in pairs), "sweep-loss")
    check_runs(plan.runs)
    return plan


SUM, SCALED = 1, 2
"""Indices in `loss_plan`'s variants of the sum at lr and the sum at lr / B."""

ROBUST_LOSSES = ("mse-mean", "huber", "smooth-l1")
"""d2l 3.5 ex. 2: the squared loss against the robust ones."""


def robust_plan(config: RunConfig) -> RunsPlan:
    """Each robust-loss candidate on clean labels, then (if the form asks for outliers) on
    the same data with that fraction of its labels corrupted."""
    pairs = [(f"{loss} clean", replace(config, loss=loss, outliers=0.0)) for loss in ROBUST_LOSSES]
    if config.outliers > 0:
        pairs += [(f"{loss} outliers", replace(config, loss=loss)) for loss in ROBUST_LOSSES]
    plan = RunsPlan(config, tuple(c for _, c in pairs), tuple(lb for lb, _ in pairs), "sweep-loss")
    check_runs(plan.runs)
    return plan


# --- batched sweeps -----------------------------------------------------------------------


def sizes_plan(
    config: RunConfig,
    sizes: Sequence[int],
    seeds: int,
    *,
    b: float | None = None,
    steps: int | None = None,
    average: bool | None = None,
) -> SweepPlan:
    """d2l 3.5 ex. 5: every size n (num_train = num_val = n) with `seeds` seeds side by
    side; `b`, `steps` and `average` override the config's when given."""
    changes: dict[str, Any] = {}
    if b is not None:
        changes["b"] = b
    if average is not None:
        changes["average"] = average
    base = checked(config, "b", b if b is not None else config.b, 1, **changes)
    if steps is not None:
        base = checked(base, "steps", steps, 1, steps=steps)
    checked(base, "seeds", seeds, 1, seed=base.seed + seeds - 1)  # seeds seed, seed+1, ...
    total = sum(checked(base, "sizes", n, seeds, num_train=n, num_val=n).total_steps for n in sizes)
    check_sizes(base, sizes, seeds)  # the whole sweep within the limits of one run
    return SweepPlan(
        config=base,
        run=partial(run_sizes, base, tuple(sizes), seeds),
        total_rows=len(sizes) * seeds,
        total_steps=total,
        unit="points",
        kind="sweep-sizes",
        params={"sizes": list(sizes), "seeds": seeds},
    )


def lr_plan(config: RunConfig, lrs: Sequence[float], epochs_list: Sequence[int]) -> SweepPlan:
    """d2l 3.5 ex. 4: every lr trained side by side for the longest length; the shorter
    columns read each run's earlier epochs."""
    longest = max(epochs_list)
    base = checked(config, "epochs_list", longest, 1, epochs=longest, steps=0, average=False)
    for lr in lrs:
        checked(base, "lrs", f"{lr:g}", len(lrs), lr=lr)
    check_grid(base, lrs)  # every lr side by side, within the limits of one run
    return SweepPlan(
        config=base,
        run=partial(run_lr, base, tuple(lrs), tuple(epochs_list)),
        total_rows=len(lrs) * len(epochs_list),
        total_steps=base.total_steps,
        unit="cells",
        kind="sweep-lr",
        params={"lrs": list(lrs), "epochs_list": list(epochs_list)},
    )


def run_sizes(
    base: RunConfig, sizes: Sequence[int], seeds: int, should_stop: StopCheck
) -> Iterator[SizePoint]:
    """The engine's sweep_sizes (imported here: it loads torch, where training runs)."""
    from linreg_tui.engine.sweep import sweep_sizes

    return sweep_sizes(base, sizes, seeds, should_stop)


def run_lr(
    base: RunConfig, lrs: Sequence[float], epochs_list: Sequence[int], should_stop: StopCheck
) -> Iterator[GridCell]:
    """The engine's sweep_lr (imported here: it loads torch, where training runs)."""
    from linreg_tui.engine.sweep import sweep_lr

    return sweep_lr(base, lrs, epochs_list, should_stop)


# --- traces: every step of one run (issue 14) ---------------------------------------------

MAX_TRACE_VALUES = 50_000_000
"""Numbers a trace may hold: (steps + 1) x (features + 2), 200 MB of float32."""


def trace_plan(
    config: RunConfig,
    paths: tuple[PathName, ...] = ("sgd", "gd"),
    plane: bool = True,
    max_values: int = MAX_TRACE_VALUES,
) -> SweepPlan:
    """The run `config` describes, step by step: its SGD iterates and/or full-batch gradient
    descent from the same start (`paths`), one row (`TracePart`) per epoch, the first with
    the parameter plane if `plane`. A trace shows the iterates, so averaging is refused."""
    if config.average:
        raise ConfigError("average", "must be off: a trace shows the iterates, not their mean")
    values = (config.total_steps + 1) * (config.features + 2) * len(paths)
    if values > max_values:
        raise ConfigError(
            "steps" if config.steps else "epochs",
            f"is too large: a trace of {config.total_steps:,} steps x {config.features + 2} "
            f"numbers per path would hold {values:,}; the limit here is {max_values:,}",
        )
    return SweepPlan(
        config=config,
        run=partial(run_trace, config, paths, plane),
        total_rows=config.total_epochs,
        total_steps=config.total_steps * len(paths),
        unit="epochs",
        params={"paths": list(paths)},
        diverged=trace_diverged,
    )


def trace_diverged(part: TracePart) -> bool:
    """A traced path blew up in this block (the trace ends after it, as `train` does)."""
    return any(rows is not None and rows.diverged for rows in (part.sgd, part.gd))


def run_trace(
    config: RunConfig, paths: tuple[PathName, ...], plane: bool, should_stop: StopCheck
) -> Iterator[TracePart]:
    """The engine's traces, a block of each path per epoch (imported here: torch)."""
    from itertools import zip_longest

    from linreg_tui.engine.plane import TracePart
    from linreg_tui.engine.trace import plane_of, trace_gd, trace_sgd

    summary = plane_of(config) if plane else None
    sgd = trace_sgd(config, should_stop) if "sgd" in paths else iter(())
    gd = trace_gd(config, should_stop=should_stop) if "gd" in paths else iter(())
    for epoch, (s, g) in enumerate(zip_longest(sgd, gd), start=1):
        yield TracePart(epoch, s, g, summary if epoch == 1 else None)
