"""Trace benchmark (issue 14): tracing every SGD step against the run without tracing.

    python bench/bench_trace.py            # about a minute

Prints the time of `train(cfg)` (what `run` trains) and of `trace_sgd(cfg)` (the same
run, every step's w, b and minibatch loss written into one preallocated tensor, handed
out as plain numbers once per epoch) for 10,000 SGD steps at the book's settings, best of
interleaved repeats, and their ratio (target <= 1.5); the trace's own loop with no row
written, so the cost of writing is plain too; and, for scale, the SGD path view's whole
job (SGD and full-batch GD traced, and the plane with its theory).
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import interleaved, machine

from linreg_tui.engine import trace as trace_module
from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.trace import trace_sgd
from linreg_tui.engine.training import train
from linreg_tui.lab.plans import run_trace

STEPS = 10_000


class Untraced(trace_module._Tracer):
    """The trace's own loop with no row written: what the writing itself costs."""

    def step(self, k: int, X: torch.Tensor, y: torch.Tensor) -> None:
        model, lr = self.model, self.cfg.lr
        loss = self.loss_fn(model(X), y)
        model.weight.grad = model.bias.grad = None
        loss.backward()
        with torch.no_grad():
            model.weight.add_(model.weight.grad, alpha=-lr)
            model.bias.add_(model.bias.grad, alpha=-lr)


def untraced(cfg: RunConfig) -> None:
    real = trace_module._Tracer
    trace_module._Tracer = Untraced  # type: ignore[misc]
    try:
        list(trace_sgd(cfg))
    finally:
        trace_module._Tracer = real  # type: ignore[misc]


def main() -> None:
    torch.set_num_threads(1)
    print(machine())
    cfg = RunConfig(steps=STEPS)
    contenders = {
        "run": lambda: list(train(cfg)),
        "trace": lambda: list(trace_sgd(cfg)),
        "untraced": lambda: untraced(cfg),
        "view job": lambda: list(run_trace(cfg, ("sgd", "gd"), True, lambda: False)),
    }
    for fn in contenders.values():
        fn()  # warm up (the first torch.optim.SGD imports torch._dynamo)
    t = interleaved(contenders, 7)
    us = {name: seconds / STEPS * 1e6 for name, seconds in t.items()}
    print(
        f"[14] {STEPS:,} SGD steps (book settings, batch 32): run {t['run']:.2f} s "
        f"({us['run']:.0f} us/step); trace {t['trace']:.2f} s ({us['trace']:.0f} us/step); "
        f"ratio {t['trace'] / t['run']:.2f} (target <= 1.5)"
    )
    print(
        f"     the trace's loop with no row written: {t['untraced']:.2f} s; writing the rows "
        f"costs x{t['trace'] / t['untraced']:.2f} (the run's torch.optim.SGD step is slower "
        "than the trace's plain p.add_(grad, alpha=-lr), which is bit for bit the same)"
    )
    print(
        f"     the SGD path view's job (SGD + GD traced, plane and theory): "
        f"{t['view job']:.2f} s, {t['view job'] / t['run']:.2f} x the run"
    )


if __name__ == "__main__":
    main()
