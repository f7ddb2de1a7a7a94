"""Compare the engine with d2l 1.0.3's own Trainer on the same seeded data (d2l 3.5).

d2l pins old numpy/matplotlib releases, so install it beside the lab without its
dependencies; the plotting and dataset modules it imports are stubbed here:

    pip install --no-deps --target /tmp/d2l d2l==1.0.3
    D2L_PATH=/tmp/d2l python bench/check_against_d2l.py --seeds 50

Prints the mean and std over seeds of w_hat and b_hat from both, and checks per seed that
the data tensors are identical (the engine's Generator(seed) vs d2l's torch.manual_seed).
"""

from __future__ import annotations

import argparse
import importlib.machinery
import os
import sys
import types
from unittest import mock

import numpy as np
import torch

STUBBED = (
    "torchvision", "torchvision.transforms", "PIL", "PIL.Image", "pandas", "requests",
    "IPython", "IPython.display", "matplotlib", "matplotlib.pyplot", "matplotlib_inline",
    "matplotlib_inline.backend_inline", "scipy", "scipy.spatial",
)  # fmt: skip


def load_d2l() -> types.ModuleType:
    """Import d2l.torch with its plotting and dataset dependencies stubbed out."""
    sys.path.insert(0, os.environ.get("D2L_PATH", "/tmp/d2l"))
    import torch._dynamo  # noqa: F401  (before the stubs: it probes optional modules)

    for name in STUBBED:
        module = types.ModuleType(name)
        module.__spec__ = importlib.machinery.ModuleSpec(name, None)
        module.__getattr__ = lambda attr: mock.MagicMock()  # type: ignore[method-assign]
        sys.modules.setdefault(name, module)
    from d2l import torch as d2l

    d2l.Module.plot = lambda self, *args, **kwargs: None  # no progress board
    return d2l


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    args = parser.parse_args()
    torch.set_num_threads(1)
    d2l = load_d2l()
    from linreg_tui.engine.batched import train_batched
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.engine.data import make_data

    theirs, same_data = [], 0
    for seed in range(args.seeds):
        torch.manual_seed(seed)
        data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)
        ours_data = make_data(RunConfig(seed=seed), torch.Generator().manual_seed(seed))
        same_data += torch.equal(data.X, ours_data.X) and torch.equal(data.y, ours_data.y)
        model = d2l.LinearRegression(lr=0.03)
        d2l.Trainer(max_epochs=3).fit(model, data)
        w, b = model.get_w_b()
        theirs.append([*w.reshape(-1).tolist(), b.item()])
    print(f"identical data on {same_data} of {args.seeds} seeds")
    rows = {"d2l Trainer (its real init: torch default)": np.array(theirs)}
    for init in ("torch-default", "book"):
        runs = train_batched([RunConfig(seed=s, init=init) for s in range(args.seeds)])
        assert runs is not None
        rows[f"linreg-tui init={init}"] = np.array([[*r[-1].w_hat, r[-1].b_hat] for r in runs])
    print(f"{'':46} {'w1':>16} {'w2':>17} {'b':>16}")
    for name, arr in rows.items():
        cells = [f"{m:8.4f} ± {s:.4f}" for m, s in zip(arr.mean(0), arr.std(0))]
        print(f"{name:46} " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
