"""Engine benchmarks (issue 5, targets 2, 3 and 7): ratios measured side by side.

    python bench/bench_engine.py            # about half a minute

Prints: the engine's time per epoch against a minimal hand-written torch loop, the
12-size sweep with 20 seeds against one seed, and resident memory over 20 sweeps.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import interleaved, machine, rss_mib

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.data import make_data
from linreg_tui.engine.sweep import DEFAULT_SIZES, sweep_sizes
from linreg_tui.engine.training import train

EPOCHS = 30


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


def main() -> None:
    torch.set_num_threads(1)
    print(machine())
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


if __name__ == "__main__":
    main()
