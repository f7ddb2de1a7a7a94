"""The training objective within an epoch: the mean minibatch loss of each of a few chunks
of the epoch's steps (`EpochRecord.loss_chunks`), for the live chart.

Cheap by design, and outside the arithmetic of the run: a step hands over the detached
loss tensor it already has; no `.item()` per step (a sync and ~1 us each) and no tensor
op per step (an in-place add cost ~1.1 us, an indexed write ~2.4 us, a list append with
a stack per FLUSH steps ~0.45 us: measured here). Every FLUSH steps and at the epoch's
end one `torch.stack(...).tolist()` turns them into numbers, which are summed into their
chunks in float64 (the losses themselves are float32).
"""

from __future__ import annotations

import torch

from linreg_tui.engine.records import chunk_count, chunk_ends

FLUSH = 1024
"""Loss tensors held before they are turned into numbers: bounds the memory of a long
epoch (a 0-d tensor is a few hundred bytes)."""


class ChunkLosses:
    """Collects one epoch's minibatch losses and averages them per chunk."""

    def __init__(self, steps: int) -> None:
        """An epoch of `steps` SGD steps (known beforehand: a full pass, or what is left
        of the run's step budget)."""
        self.ends = chunk_ends(steps, chunk_count(steps)) if steps > 0 else []
        self.sums = [0.0] * len(self.ends)
        self.pending: list[torch.Tensor] = []
        self.seen = 0
        """Steps already summed into their chunks."""
        self.chunk = 0
        """The chunk the next summed step belongs to."""

    def add(self, loss: torch.Tensor) -> None:
        """One step's loss (detached, 0-d)."""
        self.pending.append(loss)
        if len(self.pending) >= FLUSH:
            self.flush()

    def flush(self) -> None:
        """Turn the held losses into numbers and add them to their chunks' sums."""
        if not self.pending:
            return
        values = torch.stack(self.pending).tolist()
        self.pending.clear()
        start, i = self.seen, 0
        while i < len(values) and self.chunk < len(self.ends):
            stop = min(self.ends[self.chunk] - start, len(values))
            self.sums[self.chunk] += sum(values[i:stop])
            i = stop
            if start + i == self.ends[self.chunk]:
                self.chunk += 1
        self.seen = start + len(values)

    def means(self) -> tuple[float, ...]:
        """Each chunk's mean loss, for the steps the epoch took (a chunk it never reached
        is left out)."""
        self.flush()
        out = []
        begin = 0
        for end, total in zip(self.ends, self.sums, strict=True):
            if end > self.seen:
                break
            out.append(total / (end - begin))
            begin = end
        return tuple(out)
