"""Predict before training: the stability verdict and the meter's line, from a Theory.

A `Theory` (engine.theory_records: plain numbers, unpickled without torch) comes from the
run's own data, which torch draws; so it is computed where training runs. `theory_plan` is
a SweepPlan whose rows are Theories: the app runs it through the job path every sweep
takes (the warm training process, or its worker thread when it trains in a thread), the
command line calls `predict` in its own process. Given one Theory, any other lr on the
same data is judged here with numpy alone (`stability`, `growth_at`): the meter follows
the lr field as the learner types without asking the training process again.

Learning rates of mse-sum are shown as lr·B against the mean loss's edges: summing B rows
makes every step B times larger, so lr·B is the step that counts (d2l 3.5 ex. 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Final

from linreg_tui.engine.theory_moments import predictable
from linreg_tui.engine.theory_records import Stability, Theory, growth_at, stability
from linreg_tui.lab.plans import SweepPlan
from linreg_tui.lab.text import fmt_factor, fmt_lr
from linreg_tui.lab.verdicts import STABILITY_WORDS

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig

__all__ = [
    "Stability",
    "Theory",
    "edge_key",
    "edges_text",
    "form_configs",
    "meter_lines",
    "meter_text",
    "predict",
    "predicted_word",
    "run_theories",
    "stability",
    "steps_to_blow_up",
    "theory_plan",
    "unpredictable",
    "verdict_text",
]

FINE_LRS: Final[tuple[float, ...]] = tuple(
    float(f"{0.003 * 1000 ** (k / 19):.2g}") for k in range(20)
)
"""The app's lr grid: 20 lrs log-spaced from 0.003 to 3 (0.13 s for 30 epochs with the
batched engine), fine enough to see where the predicted edges fall (issue 13)."""
BLOW_UP: Final = 1e3
"""A run is flagged diverged when its MSE grows a millionfold (DIVERGENCE_FACTOR): its
error, a thousandfold."""


def lr_scale(theory: Theory) -> tuple[float, str]:
    """(factor, name) of the lr the meter shows: (B, "lr·B") for mse-sum, else (1, "lr")."""
    return (float(theory.batch), "lr·B") if theory.loss == "mse-sum" else (1.0, "lr")


def edges_text(theory: Theory) -> str:
    """'η_MS 0.838 · η_GD 0.908', in the meter's units (the mean loss's for mse-sum)."""
    scale, _ = lr_scale(theory)
    return f"η_MS {fmt_lr(theory.lr_ms_max * scale)} · η_GD {fmt_lr(theory.lr_gd_max * scale)}"


def verdict_text(lr: float, theory: Theory) -> str:
    """What `lr` does on this data, in a few words: 'stable', 'edge: some seeds grow',
    '×1.12/step past η_GD: expect divergence', ...

    Past η_GD the top direction grows by a factor per step; near the edge that factor is
    close to 1 and a short run may end before it shows, hence "expect", not "will".
    """
    verdict = stability(lr, theory)
    step, _ = growth_at(lr, theory)
    past = f"{fmt_factor(step)}/step past η_GD"
    if verdict == "diverges":
        return f"{past}: expect divergence"
    if verdict == "bounces":
        return f"{past}: {STABILITY_WORDS['bounces']} (clipped beyond δ)"
    if verdict == "edge" and step > 1:  # mse-sum: the short last batch steps less
        return f"{past}, short batch pulls back: {STABILITY_WORDS['edge']}"
    if verdict == "edge":
        return f"{STABILITY_WORDS['edge']}: some seeds grow"
    return STABILITY_WORDS["stable"]


def meter_text(lr: float, theory: Theory) -> str:
    """The stability meter: 'lr 0.03 · η_MS 0.838 · η_GD 0.908 · stable'."""
    scale, name = lr_scale(theory)
    return f"{name} {fmt_lr(lr * scale)} · {edges_text(theory)} · {verdict_text(lr, theory)}"


def meter_lines(lr: float, theory: Theory) -> tuple[str, str]:
    """The meter in two lines for a narrow pane: the edges, then the lr and its verdict."""
    scale, name = lr_scale(theory)
    return edges_text(theory), f"{name} {fmt_lr(lr * scale)}: {verdict_text(lr, theory)}"


def predicted_word(lr: float, theory: Theory) -> str:
    """'stable', 'edge', 'diverges' or 'bounces': the verdict beside a measured cell."""
    return STABILITY_WORDS[stability(lr, theory)]


def steps_to_blow_up(lr: float, theory: Theory) -> float:
    """Full steps for the top direction to grow a thousandfold (a run's MSE a millionfold,
    when it is flagged diverged); inf when it does not grow."""
    step, _ = growth_at(lr, theory)
    return math.log(BLOW_UP) / math.log(step) if step > 1 else math.inf


# --- getting a Theory -----------------------------------------------------------------

PREDICTED_LOSSES: Final = ("mse-mean", "mse-sum")
"""Besides the form's own loss, the app always asks for these: the mean vs sum view sets
their edges side by side."""


def edge_key(config: RunConfig) -> RunConfig:
    """What a theory's edges depend on: the config without lr and training length. Two
    configs with the same key share edges; only the verdict moves with the lr."""
    return replace(config, lr=1.0, epochs=1, steps=0, average=False)


def form_configs(config: RunConfig) -> tuple[RunConfig, ...]:
    """The configs the app asks theories of for the form: the form's loss, then the mean
    and summed losses on the same data (each once)."""
    key = edge_key(config)
    losses = dict.fromkeys((config.loss, *PREDICTED_LOSSES))
    return tuple(replace(key, loss=loss) for loss in losses)  # type: ignore[arg-type]


def unpredictable(config: RunConfig) -> str:
    """Why no theory is computed unasked for this config ('' when one is)."""
    if predictable(config.num_train, config.features):
        return ""
    return (
        f"no prediction as you type at {config.features} weights x {config.num_train} rows "
        "(too slow): `linreg-tui theory` computes it"
    )


def predict(config: RunConfig) -> Theory:
    """The theory of the run `config` describes, computed here (loads torch)."""
    from linreg_tui.engine.theory import theory

    return theory(config)


def run_theories(configs: Sequence[RunConfig], should_stop: Callable[[], bool]) -> Iterator[Theory]:
    """Each config's theory, where training runs (imports the engine there)."""
    from linreg_tui.engine.theory import theory

    for cfg in configs:
        if should_stop():
            return
        yield theory(cfg)


def theory_plan(*configs: RunConfig) -> SweepPlan:
    """A job whose rows are the configs' Theories, in order (recorded nowhere)."""
    return SweepPlan(
        config=configs[0],
        run=partial(run_theories, tuple(configs)),
        total_rows=len(configs),
        total_steps=len(configs),
        unit="predictions",
    )
