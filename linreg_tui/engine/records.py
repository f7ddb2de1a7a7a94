"""What training reports, as plain numbers: importable without torch.

The app's process only reads records (the training itself may run in another process,
`linreg_tui.lab.process`), so unpickling one must not load torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Final, Literal, get_args

FinalStatus = Literal["done", "cancelled", "diverged", "failed"]
"""How a run or a job ended, in the app, the command line and the history alike: done (to its
last step), cancelled (stopped by the user), diverged (blew up: a result, not an error),
failed (an exception, or the training process died)."""
FINAL_STATUSES: Final[tuple[FinalStatus, ...]] = get_args(FinalStatus)
CHUNKS_PER_EPOCH: Final = 16
"""At most this many points of the training objective per epoch (`EpochRecord.loss_chunks`);
d2l's ProgressBoard draws it twice an epoch (plot_train_per_epoch=2)."""
LIVE_ONLY: Final = {"live_only": True}
"""Field metadata of what only the live chart reads: left out where a record is written
out (the history, the command line's JSON and CSV: `exported_fields`)."""


def chunk_ends(steps: int, chunks: int) -> list[int]:
    """The step (1-based, within the epoch) that ends each of `chunks` near-equal chunks
    of an epoch of `steps` steps: the last chunk ends with the epoch."""
    return [steps * (k + 1) // chunks for k in range(chunks)]


def chunk_count(steps: int) -> int:
    """How many chunks an epoch of `steps` steps is cut into: one per step up to
    CHUNKS_PER_EPOCH."""
    return min(CHUNKS_PER_EPOCH, steps)


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
    loss_chunks: tuple[float, ...] = field(default=(), metadata=LIVE_ONLY)
    """The epoch's minibatch losses (the configured objective, as in `train_loss`) averaged
    over `chunk_count(steps in the epoch)` consecutive chunks of its steps, chunk k ending at
    step `chunk_ends(...)[k]`; () at epoch 0 and from engines that do not record them.
    Live only: the history and the exports leave it out (a default, so records stored
    before it existed read back)."""

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


def exported_fields(record: object) -> dict[str, object]:
    """A record's fields in order, without the live-only ones (properties left out)."""
    return {
        f.name: getattr(record, f.name) for f in fields(record) if not f.metadata.get("live_only")
    }
