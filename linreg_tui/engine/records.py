"""What training reports, as plain numbers: importable without torch.

The app's process only reads records (the training itself may run in another process,
`linreg_tui.lab.process`), so unpickling one must not load torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal, get_args

FinalStatus = Literal["done", "cancelled", "diverged", "failed"]
"""How a run or a job ended, in the app, the command line and the history alike: done (to its
last step), cancelled (stopped by the user), diverged (blew up: a result, not an error),
failed (an exception, or the training process died)."""
FINAL_STATUSES: Final[tuple[FinalStatus, ...]] = get_args(FinalStatus)


@dataclass(frozen=True)
class EpochRecord:
    """The state after one epoch; epoch 0 is the starting point. No tensors inside."""

    epoch: int
    steps: int
    """SGD steps taken so far."""
    train_loss: float
    """The configured objective averaged over the epoch's minibatches."""
    train_mse: float
    """Per-example MSE on the whole training set (comparable across losses)."""
    val_mse: float
    w_hat: tuple[float, ...]
    b_hat: float
    w_error: tuple[float, ...]
    """|w - w_hat| per component."""
    b_error: float
    weight_grad: tuple[float, ...] | None
    """`weight.grad` after the epoch's last step (None at epoch 0)."""
    bias_grad: float | None
    diverged: bool
    elapsed: float
    """Seconds since the run started."""

    @property
    def w_error_norm(self) -> float:
        """Euclidean norm of w - w_hat."""
        return math.sqrt(sum(e * e for e in self.w_error))

    @property
    def grad_norm(self) -> float | None:
        """Norm of the full gradient (weights and bias) of the epoch's last step."""
        if self.weight_grad is None or self.bias_grad is None:
            return None
        return math.sqrt(sum(g * g for g in self.weight_grad) + self.bias_grad**2)
