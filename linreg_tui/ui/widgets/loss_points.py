"""What the single run's loss chart draws, as plain numbers and words: the training
objective's points within each epoch, the x ranges its zoom key cycles through, and its
legend at the widest that fits. No Textual, no plotext: tested on their own."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from itertools import accumulate
from typing import TYPE_CHECKING

from linreg_tui.engine.records import chunk_ends
from linreg_tui.lab.text import fmt_g

if TYPE_CHECKING:
    from linreg_tui.engine.records import EpochRecord

ZOOMS = (1.0, 0.1, 0.01)
"""The x ranges the zoom key cycles through: all epochs, the first 10%, the first 1%."""


def decimate(n: int, limit: int) -> list[int]:
    """Indices of at most `limit` points spread evenly over `n`, always first and last."""
    if n <= limit:
        return list(range(n))
    if limit < 2:
        return [n - 1]
    return sorted({round(i * (n - 1) / (limit - 1)) for i in range(limit)})


def zoom_spans(x_max: int) -> list[int]:
    """The epochs each zoom level shows, from 0: never under one epoch, none twice
    (a 3-epoch run has two levels: all 3, then the first)."""
    spans: list[int] = []
    for fraction in ZOOMS:
        span = max(1, math.ceil(x_max * fraction))
        if span not in spans:
            spans.append(span)
    return spans


def point_count(record: EpochRecord) -> int:
    """How many of `chunk_points`' points a record gives: epoch 0 its objective, any other
    epoch its chunks, or its mean when it has none."""
    return len(record.loss_chunks) or 1 if record.epoch else 1


def point_offsets(records: Sequence[EpochRecord]) -> list[int]:
    """Where each record's points start among `chunk_points`', then their total."""
    return [0, *accumulate(point_count(r) for r in records)]


def chunk_points(
    records: Sequence[EpochRecord],
    limit: int,
    count: int | None = None,
    offsets: Sequence[int] | None = None,
) -> list[tuple[float, float]]:
    """At most `limit` points (x, objective) spread evenly over the chunk means of the
    first `count` records (all by default), each at the end of its chunk: epoch e's chunk
    k of K ends at x = e - 1 + end_k / steps. Epoch 0's objective starts the line; a
    record without chunks gives its epoch's mean at the epoch's end. `offsets` (kept by
    the caller, `point_offsets`) spare a pass over a long run's records at each redraw:
    the work is `limit` points whatever the run's length."""
    count = len(records) if count is None else count
    if not count:
        return []
    if offsets is None:
        offsets = point_offsets(records[:count])
    points = []
    for i in decimate(offsets[count], limit):
        j = bisect.bisect_right(offsets, i, hi=count) - 1
        points.append(_point(records, j, i - offsets[j]))
    return points


def _point(records: Sequence[EpochRecord], j: int, k: int) -> tuple[float, float]:
    record = records[j]
    if record.epoch == 0 or not record.loss_chunks:
        return float(record.epoch), record.train_loss
    steps = record.steps - records[j - 1].steps
    chunks = len(record.loss_chunks)
    end = chunk_ends(steps, chunks)[k] if steps >= chunks else k + 1
    return record.epoch - 1 + end / max(steps, chunks), record.loss_chunks[k]


def legends(
    loss: str, chunks: int, values: Sequence[float | None], colours: Sequence[str]
) -> list[tuple[str, str]]:
    """The loss chart's legend as (markup, plain text), from the most words to the fewest:
    the objective's line ━ (its mean over each 1/`chunks` of an epoch, drawn at the chunk's
    end), then the dots • of the train and val MSE; `values` are the latest of the three."""
    each = "epoch" if chunks == 1 else f"1/{chunks} epoch"
    per = f" /{chunks}" if chunks > 1 else ""
    full, short, most, bare = (".2e",) * 3, (".1e",) * 3, ("", ".1e", ".1e"), ("", "", "")
    ways = [  # (labels, value formats, gap)
        (
            (f"{loss}: minibatch loss, mean of each {each} at its end", "train MSE", "val MSE"),
            full,
            2,
        ),
        ((f"{loss}, mean per {each} at its end", "train", "val"), full, 2),
        ((f"{loss} per {each}", "train", "val"), short, 2),
        ((f"{loss}{per}", "train", "val"), short, 1),
        ((f"{loss}{per}", "train", "val"), most, 1),
        ((f"loss{per}", "train", "val"), most, 1),  # 80x24: 40 cells
        ((f"{loss}{per}", "train", "val"), bare, 1),
    ]
    out = []
    for labels, specs, gap in ways:
        texts = [
            f"{symbol} {label}" + (f" {fmt_g(value, spec)}" if spec and value is not None else "")
            for symbol, label, value, spec in zip("━••", labels, values, specs, strict=True)
        ]
        markup = (" " * gap).join(f"[{c}]{t}[/]" for c, t in zip(colours, texts, strict=True))
        out.append((markup, (" " * gap).join(texts)))
    return out


def widest_fitting(candidates: Sequence[tuple[str, str]], room: int) -> str:
    """The first (markup, plain text) whose plain text fits `room` cells, else the last."""
    for markup, plain in candidates:
        if len(plain) <= room:
            return markup
    return candidates[-1][0]
