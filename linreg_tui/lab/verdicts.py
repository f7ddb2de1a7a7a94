"""Verdicts: what a result means, as the app's views and the command line word it.

Each rule and its threshold lives here once: the dataset-size regimes (the CLI's summary
column and the app's table and "what to see" panel), and the lr grid's findings. Text may
carry the app's [b]bold[/] markup; the command line prints only the plain words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from linreg_tui.engine.config import NEAR_FLOOR
from linreg_tui.lab.text import fmt_ratio, fmt_short, fmt_slope

if TYPE_CHECKING:
    from linreg_tui.engine.records import EpochRecord
    from linreg_tui.engine.results import GridCell, SizeSlopes, SizeSummary
    from linreg_tui.engine.theory_records import Stability

ROSE = "rose"
"""The word for a run that ended above where it started without being flagged diverged
(a non-finite value or a millionfold rise): it blew up all the same (d2l 3.5 ex. 1, the
sum at the mean's lr: 33 -> 1.7e4 in 3 epochs, once shown as "done")."""


def outcome(status: str, first: EpochRecord | None, last: EpochRecord | None) -> str:
    """How a run ended, in the one vocabulary of every table, export and the command line:
    done, diverged, "rose ×N" (its validation MSE ended N times above its start),
    cancelled, failed."""
    if status != "done" or first is None or last is None:
        return status
    if last.diverged:
        return "diverged"
    from linreg_tui.engine.results import SeedOutcome  # numpy: at a run's end, not at import

    if SeedOutcome(0, first, last).blew_up:  # the engine's rule, as mean vs sum counts it
        return rose(first.val_mse, last.val_mse)
    return status


def rose(start: float, end: float) -> str:
    """'rose ×N': a loss that ended N times above where it started."""
    return f"{ROSE} ×{fmt_ratio(end / start if start else math.inf)}"


def diverged_at(epoch: int | None) -> str:
    """'diverged at epoch N' (or just 'diverged'): the status word and where it happened."""
    return "diverged" if epoch is None else f"diverged at epoch {epoch}"


def curve_ending(curve: Sequence[float], diverged: int | None) -> str:
    """How a loss curve from epoch 0 ended, in outcome()'s words: 'diverged at epoch N'
    (`diverged`: the epoch it was flagged in), 'rose ×N' (above its start, by the same
    rule as GridCell.worse_than_start and SeedOutcome.blew_up), else ''."""
    if diverged is not None:
        return diverged_at(diverged)
    if curve and not curve[-1] <= curve[0]:
        return rose(curve[0], curve[-1])
    return ""


AT_FLOOR = 1.5
"""SGD within this factor of the floor counts as having reached it."""
REGIMES = ("too few steps", "lr plateau", "at floor")
"""The dataset-size regimes, from far above the floor to on it (d2l 3.5 ex. 5), named by
the largest term of the predicted error: what is left of the start (too few steps), the
noise ball of constant-lr SGD (lr plateau), the floor. Without a prediction, by the
measurement: SGD more than NEAR_FLOOR x the floor has optimization error left; within
AT_FLOOR x it is on the floor; between, constant-lr SGD's noise holds it above."""
STABILITY_WORDS: dict[Stability, str] = {
    "stable": "stable",
    "edge": "edge",
    "diverges": "diverges",
    "bounces": "bounces",
}
"""The one word per predicted stability verdict (engine.theory_records.Stability), in every
table, meter and export."""


def predicted_regime(terms: Sequence[float]) -> str:
    """The regime the prediction names: its largest term, of (what is left of the start,
    the noise ball, the floor) (issue 13); '' when there is no prediction."""
    if len(terms) != len(REGIMES) or any(math.isnan(t) for t in terms):
        return ""
    if any(math.isinf(t) for t in terms):
        return STABILITY_WORDS["diverges"]
    return REGIMES[max(range(len(terms)), key=lambda i: terms[i])]


def size_regime(summary: SizeSummary) -> str:
    """Which error dominates at this size: the prediction's largest term; without a
    prediction (too costly to compute), SGD's mean error over the floor's."""
    if summary.diverged:
        return f"{summary.diverged} diverged"
    predicted = predicted_regime(summary.predicted_terms_w)
    if predicted:
        return predicted
    ratio = summary.w_error_norm.mean / summary.lstsq_w_error_norm.mean
    if not summary.converged:
        return "too few steps"
    return "at floor" if ratio <= AT_FLOOR else "lr plateau"


def size_findings(summaries: Sequence[SizeSummary], slopes: SizeSlopes) -> list[str]:
    """The claims, measured on the rows on screen."""
    lines = [
        f"floor slope: w {fmt_slope(slopes.floor_w)}, b {fmt_slope(slopes.floor_b)} "
        "(−0.5 is the n^(−1/2) rate)"
    ]
    good = slopes.sgd_sizes
    if good:
        lines.append(
            f"SGD slope: w {fmt_slope(slopes.sgd_w)}, b {fmt_slope(slopes.sgd_b)}, fitted "
            f"on n = {good[0]}–{good[-1]} (within {NEAR_FLOOR:g}× of the floor)"
        )
    by_regime: dict[str, list[int]] = {}
    for s in summaries:
        by_regime.setdefault(size_regime(s), []).append(s.size)
    for name, sizes in by_regime.items():
        lines.append(f"{name}: n = {', '.join(map(str, sizes))}")
    if summaries:
        last = summaries[-1]
        sgd, floor = last.w_error_norm.mean, last.lstsq_w_error_norm.mean
        lines.append(
            f"at n = {last.size}: SGD ‖w−ŵ‖ {fmt_short(sgd)}, floor {fmt_short(floor)}: "
            f"{sgd / floor:.1f}× the floor ({size_regime(last)})"
        )
    return lines


def grid_findings(lrs: Sequence[float], cells: dict[tuple[float, int], GridCell]) -> list[str]:
    """One line per lr, in words, from the cells on screen."""
    lines = []
    for lr in lrs:
        row = sorted((c for (r, _), c in cells.items() if r == lr), key=lambda c: c.epochs)
        if not row:
            continue
        if any(c.diverged for c in row):
            at = next(c.diverged_at for c in row if c.diverged)
            lines.append(f"lr {lr:g}: [b]{diverged_at(at)}[/]")
            continue
        first, last = row[0], row[-1]
        text = (
            f"lr {lr:g}: {fmt_short(first.val_mse)} after {first.epochs} → "
            f"{fmt_short(last.val_mse)} after {last.epochs}"
        )
        if last.worse_than_start:
            text += ", [b]above its start[/]"
        elif len(row) > 1 and last.val_mse < 0.5 * row[-2].val_mse:
            text += ", still falling"
        else:
            flat = next(c for c in row if c.val_mse <= 1.5 * last.val_mse)
            text += f", flat from {flat.epochs} epoch{'s' if flat.epochs != 1 else ''} on"
        lines.append(text)
    return lines
