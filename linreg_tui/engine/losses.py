"""One registry of training objectives; the UI and the CLI read their names from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

from torch import nn

from linreg_tui.engine.config import LOSS_HELP, LossName, RunConfig

Reduction = Literal["mean", "sum", "none"]


@dataclass(frozen=True)
class LossSpec:
    """How to build one objective, with any reduction."""

    make: Callable[[RunConfig, Reduction], nn.Module]
    reduction: Literal["mean", "sum"]
    """How the objective reduces a minibatch."""
    help: str

    def build(self, cfg: RunConfig) -> nn.Module:
        """The module SGD trains with."""
        return self.make(cfg, self.reduction)

    def per_example(self, cfg: RunConfig) -> nn.Module:
        """The same loss, unreduced: one value per example."""
        return self.make(cfg, "none")


LOSSES: Final[dict[LossName, LossSpec]] = {
    "mse-mean": LossSpec(lambda cfg, red: nn.MSELoss(reduction=red), "mean", LOSS_HELP["mse-mean"]),
    # summing multiplies the gradient by the batch size (d2l 3.5 ex. 1)
    "mse-sum": LossSpec(lambda cfg, red: nn.MSELoss(reduction=red), "sum", LOSS_HELP["mse-sum"]),
    "huber": LossSpec(
        lambda cfg, red: nn.HuberLoss(reduction=red, delta=cfg.delta), "mean", LOSS_HELP["huber"]
    ),
    # the book's smooth form: |r| - beta/2 beyond beta and r^2/(2 beta) inside
    "smooth-l1": LossSpec(
        lambda cfg, red: nn.SmoothL1Loss(reduction=red, beta=cfg.delta),
        "mean",
        LOSS_HELP["smooth-l1"],
    ),
}
