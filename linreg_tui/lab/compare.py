"""Prediction beside measurement: the "what to see" lines that quote both and say when
they disagree (issue 13), for the exercise views and anyone else who has both.

A prediction is a Theory (or what a sweep row carries of one); a measurement is what the
runs did. Text may carry the app's [b]bold[/] markup, like `verdicts`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from linreg_tui.lab.predict import predicted_word, verdict_text
from linreg_tui.lab.text import fmt_lr, fmt_short
from linreg_tui.lab.verdicts import REGIMES, STABILITY_WORDS, predicted_regime

if TYPE_CHECKING:
    from linreg_tui.engine.results import GridCell, SizeSummary
    from linreg_tui.engine.theory_records import Theory

AGREE: Final = 2.0
"""A measured error within this factor of the predicted one agrees with it (the size
sweep's tests hold 0.5-2x at n >= 640; a mean over seeds reads ~0.8-0.9x the RMS)."""


def agrees(predicted: str, blew_up: bool) -> bool | None:
    """Whether a run that did (not) blow up is what the verdict said; None for 'edge' and
    'bounces', which allow either."""
    if predicted == STABILITY_WORDS["stable"]:
        return not blew_up
    if predicted == STABILITY_WORDS["diverges"]:
        return blew_up
    return None


def _tick(agreement: bool | None) -> str:
    return {True: "[$success]✓ agrees[/]", False: "[$error]✗ disagrees[/]", None: "either way"}[
        agreement
    ]


# --- mean vs sum (d2l 3.5 ex. 1) ------------------------------------------------------------


def mean_sum_lines(lr: float, batch: int, mean: Theory, summed: Theory) -> list[str]:
    """The two losses' edges on this data, with and without ÷B, and what lr and lr/B do
    to the summed loss."""
    return [
        f"predicted on this data (B = {batch}): mean loss η_MS {fmt_lr(mean.lr_ms_max)} · "
        f"η_GD {fmt_lr(mean.lr_gd_max)}",
        f"summed loss: the same ÷B: η_MS {fmt_lr(summed.lr_ms_max)} · η_GD "
        f"{fmt_lr(summed.lr_gd_max)}",
        f"sum at lr {fmt_lr(lr)} (a mean's {fmt_lr(lr * batch)}): {verdict_text(lr, summed)}",
        f"sum at lr/B {fmt_lr(lr / batch)} (a mean's {fmt_lr(lr)}): "
        f"{verdict_text(lr / batch, summed)}",
    ]


def mean_sum_check(lr: float, summed: Theory, blew_up: bool | None) -> str:
    """The seed-0 run of the sum at lr against its prediction ('' until it ended)."""
    if blew_up is None:
        return ""
    word = predicted_word(lr, summed)
    did = "blew up" if blew_up else "did not blow up"
    return f"sum at lr, this seed: predicted {word}, {did}: {_tick(agrees(word, blew_up))}"


# --- lr x epochs (d2l 3.5 ex. 4) -------------------------------------------------------------


def grid_edges(cells: Sequence[GridCell]) -> str:
    """'predicted: stable < η_MS 0.838 ≤ edge < η_GD 0.908 ≤ diverges' ('' without)."""
    cell = next((c for c in cells if c.predicted), None)
    if cell is None:
        return ""
    return (
        f"predicted: {STABILITY_WORDS['stable']} < η_MS {fmt_lr(cell.lr_ms_max)} ≤ "
        f"{STABILITY_WORDS['edge']} < η_GD {fmt_lr(cell.lr_gd_max)} ≤ "
        f"{STABILITY_WORDS['diverges']}"
    )


def grid_checks(cells: Sequence[GridCell]) -> list[str]:
    """Per verdict, how many lrs did what it said by their longest column; each lr that
    disagreed by name, with what it did."""
    longest: dict[float, GridCell] = {}
    for c in cells:
        if c.predicted and (c.lr not in longest or c.epochs > longest[c.lr].epochs):
            longest[c.lr] = c
    lines = []
    for word in STABILITY_WORDS.values():
        group = [c for c in longest.values() if c.predicted == word]
        if not group:
            continue
        bad = [c for c in group if c.worse_than_start]
        lrs = [c.lr for c in group]
        span = (
            f"lr {fmt_lr(min(lrs))}–{fmt_lr(max(lrs))}" if len(lrs) > 1 else f"lr {fmt_lr(lrs[0])}"
        )
        verdicts = {agrees(word, c.worse_than_start) for c in group}
        agreement = None if None in verdicts else False not in verdicts
        lines.append(
            f"predicted {word} ({span}): {len(bad)} of {len(group)} ended above their start, "
            + _tick(agreement)
        )
        for c in group:
            if agrees(word, c.worse_than_start) is False:
                did = "blew up" if c.worse_than_start else f"val MSE {fmt_short(c.val_mse)}"
                lines.append(f"  [b]lr {fmt_lr(c.lr)} disagrees[/]: {did} after {c.epochs} epochs")
    return lines


# --- dataset size (d2l 3.5 ex. 5) ------------------------------------------------------------


def size_checks(summaries: Sequence[SizeSummary]) -> list[str]:
    """The predicted error (the dashed line) against the measured means, size by size,
    and the regimes by the prediction's largest term."""
    pairs = [
        (s.size, s.w_error_norm.mean, s.predicted_w_error)
        for s in summaries
        if math.isfinite(s.predicted_w_error) and s.predicted_w_error > 0
    ]
    if not pairs:
        return []
    near = [n for n, m, p in pairs if 1 / AGREE <= m / p <= AGREE]
    lines = [
        f"predicted ‖w−ŵ‖ (dashed) vs measured mean: within {AGREE:g}× at {len(near)} of "
        f"{len(pairs)} sizes"
    ]
    for n, m, p in pairs:
        if n not in near:
            lines.append(
                f"  [b]n = {n} disagrees[/]: predicted {fmt_short(p)}, measured "
                f"{fmt_short(m)} ({m / p:.2g}×)"
            )
    by_regime: dict[str, list[int]] = {}
    for s in summaries:
        regime = predicted_regime(s.predicted_terms_w)
        if regime:
            by_regime.setdefault(regime, []).append(s.size)
    terms = dict(zip(REGIMES, ("start left", "noise ball", "floor"), strict=True))
    for regime, sizes in by_regime.items():
        largest = f"largest term: {terms[regime]}" if regime in terms else "predicted inf"
        lines.append(f"{regime} ({largest}): n = {', '.join(map(str, sizes))}")
    return lines
