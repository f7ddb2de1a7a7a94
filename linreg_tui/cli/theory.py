"""`linreg-tui theory [the run flags]`: what the run will do, predicted before it trains.

The same settings as `run`; instead of training, the lab's theory of the run's own data
(THEORY.md): the curvature, the two stability edges, the verdict at --lr, and the error
after the configured steps split into what is left of the start, the noise ball and the
floor. `--json` prints every number of the Theory as one object.
"""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

from linreg_tui.cli.common import EXIT_OK, describe_config, emit, save_config_if_asked
from linreg_tui.cli.parser import add_command, file_name
from linreg_tui.cli.settings import config_from_args
from linreg_tui.lab.predict import lr_scale, predict, steps_to_blow_up, verdict_text
from linreg_tui.lab.text import fmt_factor, fmt_lr, fmt_sci
from linreg_tui.store.files import to_json

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.engine.theory_records import Theory

CURVATURE = {
    "mse-mean": "(2/n)·X̃ᵀX̃",
    "mse-sum": "B·(2/n)·X̃ᵀX̃",
    "huber": "(1/n)·X̃ᵀX̃ inside δ",
    "smooth-l1": "(1/(nβ))·X̃ᵀX̃ inside β",
}
"""The Hessian each loss gives SGD (THEORY.md's table), as the summary names it."""


def add_theory_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `theory`: every run flag, --config, --save-config and --json."""
    parser = add_command(
        commands,
        "theory",
        "predict a run from its own data: stability edges, noise ball, error",
        "Draw the run's training data exactly as `run` would, and predict without training: "
        "the curvature H of the loss and its eigenvalues, the full-batch edge η_GD = 2/λ₁, "
        "the minibatch edge η_MS (lower: SGD's noise grows with the step too), what --lr "
        "does between them, and the error against the true w, b after the run's steps: "
        "what is left of the start, SGD's noise ball, and the least-squares floor.",
    )
    group = parser.add_argument_group("files and output")
    group.add_argument(
        "--config", metavar="FILE", type=file_name, help="read settings from a .toml or .json file"
    )
    group.add_argument(
        "--save-config",
        metavar="FILE",
        type=file_name,
        help="write the effective settings to a .toml or .json file (then carry on)",
    )
    group.add_argument(
        "--json", action="store_true", help="print every predicted number as one JSON object"
    )


def theory_command(args: argparse.Namespace) -> int:
    """Predict the run the flags describe; print the summary or the JSON object."""
    cfg = config_from_args(args)
    save_config_if_asked(args, cfg)
    th = predict(cfg)
    if args.json:
        emit(to_json(th))
    else:
        for line in summary(cfg, th):
            emit(line)
    return EXIT_OK


def summary(cfg: RunConfig, th: Theory) -> list[str]:
    """The prediction in words and numbers, one line each."""
    scale, name = lr_scale(th)
    unit = " (the mean loss's: compare lr·B)" if scale != 1 else ""
    lines = [
        describe_config(cfg),
        f"curvature H = {CURVATURE[th.loss]}, from the {cfg.num_train} training rows",
        "  eigenvalues  "
        + "  ".join(fmt_lr(v) for v in th.eigenvalues[:8])
        + (" …" if len(th.eigenvalues) > 8 else "")
        + f"   κ = λ₁/λ_min {fmt_lr(th.condition_number)}",
        f"edges{unit}",
        f"  η_GD {fmt_lr(th.lr_gd_max * scale):>8}  = 2/λ₁: full-batch gradient descent "
        "diverges above it",
        f"  η_MS {fmt_lr(th.lr_ms_max * scale):>8}  minibatch SGD (B = {th.batch}): its "
        "noise grows without bound above it",
        f"  best {fmt_lr(th.lr_gd_best * scale):>8}  = 2/(λ₁ + λ_min): full-batch GD's fastest lr",
        f"at {name} {fmt_lr(cfg.lr * scale)}: {verdict_text(cfg.lr, th)}",
        f"  top direction {fmt_factor(th.growth_per_step)} per step, "
        f"{fmt_factor(th.growth_per_epoch)} per epoch (under 1 shrinks)",
    ]
    blow_up = steps_to_blow_up(cfg.lr, th)
    if th.diverges and math.isfinite(blow_up):
        lines.append(
            f"  ×1000 in about {math.ceil(blow_up)} steps; this run takes {th.steps}: "
            + ("expect it flagged diverged" if blow_up <= th.steps else "it may end first")
        )
    lines += [
        _row(f"error against the true w, b after {th.steps} steps", "‖w − w*‖", "|b − b*|", ""),
        _row("left of the start (transient)", th.transient_w, th.transient_b),
        _row("SGD's spread (noise ball)", th.ball_w, th.ball_b),
        _row("floor σ²·tr((XᵀX)⁻¹), X with a column of 1s", th.floor_w_error, th.floor_b_error),
        _row(
            "predicted (RMS: root of the sum of squares)",
            th.predicted_w_error,
            th.predicted_b_error,
        ),
        _row("a mean over seeds would read", th.predicted_w_error_mean, th.predicted_b_error_mean),
        _row("least squares on this data", th.lstsq_w_error, th.lstsq_b_error),
        _row("stationary noise ball", th.noise_ball_w, th.noise_ball_b),
    ]
    lines += [f"note: {note}" for note in th.notes]
    return lines


def _row(label: str, w: float | str, b: float | str, indent: str = "  ") -> str:
    w, b = (v if isinstance(v, str) else fmt_sci(v) for v in (w, b))
    return f"{indent}{label:<{54 - len(indent)}}{w:>10}   {b:>10}"
