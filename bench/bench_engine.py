"""Engine benchmarks (issue 5, targets 2, 3 and 7; issue 15's scale table): ratios
measured side by side.

    python bench/bench_engine.py            # about two minutes
    python bench/bench_engine.py --scale    # the scale table only
    python bench/bench_engine.py --jobs     # each view's default job only

Prints: the engine's time per epoch against a minimal hand-written torch loop, the
12-size sweep with 20 seeds against one seed, resident memory over 20 sweeps, each app
view's default job against one default run (CPU time, no front end: bench_ui.py [3] has
them in the app), and the scale table: one epoch of `train()` against the same epoch
written by hand, as n and d grow.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import interleaved, machine, rss_mib

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.data import SyntheticData, make_data
from linreg_tui.engine.sweep import DEFAULT_SIZES, sweep_sizes
from linreg_tui.engine.training import train

EPOCHS = 30
SCALE_SHAPES = [(10**3, 2), (10**4, 2), (10**5, 2), (10**6, 2), (10**5, 20), (10**5, 200)]
"""(n, d) of the scale table: n grows at d = 2, then d grows at n = 1e5 (issue 15)."""


def hand_loop(cfg: RunConfig) -> None:
    """The minimal loop doing the same work: nn.Linear, MSELoss, SGD, randperm slices."""
    gen = torch.Generator().manual_seed(cfg.seed)
    data = make_data(cfg, gen)
    X, y = data.train_X, data.train_y
    model = nn.Linear(cfg.features, 1)
    loss_fn = nn.MSELoss()
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    for _ in range(cfg.epochs):
        perm = torch.randperm(cfg.num_train, generator=gen)
        for lo in range(0, cfg.num_train, cfg.batch_size):
            idx = perm[lo : lo + cfg.batch_size]
            loss = loss_fn(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()


def engine_loop(cfg: RunConfig) -> None:
    for _ in train(cfg):
        pass


def minimal_loop(cfg: RunConfig, data: SyntheticData) -> None:
    """The engine's epochs written by hand on the same data and minibatches: nn.Linear,
    MSELoss, autograd, the step by hand, and the training and validation MSE after each
    epoch (what a user checks; the engine records more, see `scale_table`).

    The fastest variant tried, so the strictest baseline: one gather per epoch then slices,
    and `p.add_(grad, alpha=-lr)`. Indexing each minibatch (`X[perm[lo:hi]]`) or d2l's
    `p -= lr * grad` cost 7-32% more per step, torch.optim.SGD 47-73% more.
    """
    gen = torch.Generator().manual_seed(cfg.seed)
    X, y = data.train_X, data.train_y
    model = nn.Linear(cfg.features, 1)
    loss_fn = nn.MSELoss()
    params = list(model.parameters())
    bs = cfg.batch_size
    for _ in range(cfg.epochs):
        perm = torch.randperm(cfg.num_train, generator=gen)
        Xs, ys = X[perm], y[perm]
        for lo in range(0, cfg.num_train, bs):
            loss_fn(model(Xs[lo : lo + bs]), ys[lo : lo + bs]).backward()
            with torch.no_grad():
                for p in params:
                    p.add_(p.grad, alpha=-cfg.lr)
                    p.grad = None
        with torch.no_grad():
            loss_fn(model(X), y).item(), loss_fn(model(data.val_X), data.val_y).item()


def engine_on(cfg: RunConfig, data: SyntheticData) -> None:
    for _ in train(cfg, data=data):
        pass


SCALE_HEADER = """\
[scale] one epoch, batch 32, 1000 validation rows; both get the same data, drawn beforehand.
  engine  train(cfg, data=...) whole: the epoch-0 record (train and validation MSE, the
          starting objective), the epoch's SGD steps, and its record (train/val MSE in
          float64, w, b, gradients, the objective).
  hand    the same epoch written by hand (nn.Linear, MSELoss, autograd, p.add_(grad,
          alpha=-lr), one gather per epoch), then one train/val MSE.
  So the engine makes two more passes over the training data (epoch 0's MSE and
  objective) and materializes a LazyLinear (~0.1 ms): a cost per run, not per step, that
  shows most at n = 1e3 (the fixed part) and d = 200 (a pass costs n * d).
  Times: CPU time of this process, best of interleaved repeats (on a shared machine wall
  time counts the waits). Per step = time / steps: flat in n while the per-step overhead
  of autograd and Python dominates, rising with d with the arithmetic."""


def scale_table() -> None:
    """Issue 15: one epoch of the engine vs the hand-written epoch as n and d grow."""
    print(SCALE_HEADER)
    print(f"  {'n':>9} {'d':>4} {'steps':>6}  {'engine':>9} {'hand':>9}  {'engine/step':>11}"
          f" {'hand/step':>9}  {'ratio':>5}")  # fmt: skip
    for n, d in SCALE_SHAPES:
        cfg = replace(RunConfig(epochs=1, num_val=1000), num_train=n, w=(2.0, -3.4) * (d // 2))
        data = make_data(cfg, torch.Generator().manual_seed(cfg.seed))
        engine_on(cfg, data), minimal_loop(cfg, data)  # warm both
        repeat = 21 if n <= 10**4 else 7 if n <= 10**5 else 3  # at most ~40 s a row
        contenders = {
            "engine": partial(engine_on, cfg, data),
            "hand": partial(minimal_loop, cfg, data),
        }
        t = interleaved(contenders, repeat, clock=time.process_time)
        steps = cfg.total_steps
        print(
            f"  {n:>9.0e} {d:>4} {steps:>6}  {t['engine'] * 1e3:>7.1f}ms {t['hand'] * 1e3:>7.1f}ms"
            f"  {t['engine'] / steps * 1e6:>9.1f}us {t['hand'] / steps * 1e6:>7.1f}us"
            f"  {t['engine'] / t['hand']:>5.2f}"
        )
    print("  (target: ratio <= 1.2 in every row)")


def view_jobs() -> None:
    """Each app view's default job (`lab.run.run_job`, no front end) against one default
    run, in CPU time: runs of one shape train side by side (`lab.grouped`)."""
    from linreg_tui.engine.config import DEFAULT_EPOCHS_LIST, DEFAULT_LRS, DEFAULT_SEEDS
    from linreg_tui.lab.plans import loss_plan, lr_plan, robust_plan, single_run, sizes_plan
    from linreg_tui.lab.run import run_job

    base = RunConfig()
    plans = {
        "one default run": single_run(base),
        "mean vs sum (43 runs)": loss_plan(base, seeds=20),
        "mean vs sum one at a time": replace(loss_plan(base, seeds=20), batched=False),
        "robust loss (3 runs)": robust_plan(base),
        "lr x epochs": lr_plan(base, DEFAULT_LRS, DEFAULT_EPOCHS_LIST),
        "sizes": sizes_plan(base, DEFAULT_SIZES, DEFAULT_SEEDS, b=4.0),
    }
    jobs = {
        name: partial(run_job, plan, 1, lambda e: None, lambda: False)
        for name, plan in plans.items()
    }
    for job in jobs.values():
        job()
    t = interleaved(jobs, 5, clock=time.process_time)
    one = t["one default run"]
    for name, seconds in t.items():
        print(
            f"[15] {name}: {seconds * 1e3:.1f} ms CPU, {seconds / one:.2f} x one default run"
            + ("" if name.startswith(("one ", "mean vs sum one")) else " (target <= 3)")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true", help="print the scale table only")
    parser.add_argument("--jobs", action="store_true", help="print the views' jobs only")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"{machine()}, {torch.get_num_threads()} torch thread")
    if args.scale or args.jobs:
        (scale_table if args.scale else view_jobs)()
        return
    cfg = RunConfig(epochs=EPOCHS)
    engine_loop(cfg)
    hand_loop(cfg)  # warm both (the first SGD imports torch._dynamo)
    t = interleaved({"engine": lambda: engine_loop(cfg), "hand": lambda: hand_loop(cfg)}, 9)
    ratio = t["engine"] / t["hand"]
    print(
        f"[2] engine per epoch (default run, {EPOCHS} epochs): {t['engine'] / EPOCHS * 1e3:.2f} ms;"
        f" hand-written loop {t['hand'] / EPOCHS * 1e3:.2f} ms; ratio {ratio:.2f} (target <= 1.2)"
    )

    base = RunConfig(b=4.0)
    one = lambda: list(sweep_sizes(base, DEFAULT_SIZES, seeds=1))  # noqa: E731
    many = lambda: list(sweep_sizes(base, DEFAULT_SIZES, seeds=20))  # noqa: E731
    one(), many()
    t = interleaved({"one": one, "many": many}, 7)
    print(
        f"[3] 12-size sweep: 1 seed {t['one'] * 1e3:.0f} ms, 20 seeds {t['many'] * 1e3:.0f} ms;"
        f" ratio {t['many'] / t['one']:.2f} (target <= 2)"
    )

    gc.collect()
    sweeps = [rss_mib()]
    for _ in range(20):
        list(sweep_sizes(base, DEFAULT_SIZES, seeds=20))  # 240 runs
        gc.collect()
        sweeps.append(rss_mib())
    print(
        f"[7] resident memory: {sweeps[0]:.0f} MiB before, {sweeps[1]:.0f} MiB after the first "
        f"240-run sweep, {sweeps[-1]:.0f} MiB after 20; ratio {sweeps[-1] / sweeps[1]:.3f}"
        " (target <= 1.2)"
    )
    view_jobs()
    scale_table()


if __name__ == "__main__":
    main()
