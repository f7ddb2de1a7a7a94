"""The engine's own SGD step is torch.optim.SGD, bit for bit, without importing dynamo."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from dataclasses import replace

import pytest
import torch

import linreg_tui
from linreg_tui.engine import training
from linreg_tui.engine.config import INIT_NAMES, LOSS_NAMES, RunConfig
from linreg_tui.engine.training import EpochRecord, train


def exact(record: EpochRecord) -> str:
    """Every number of a record but the wall-clock time, as text: repr round-trips a float
    exactly, tells -0.0 from 0.0 and makes nan equal to nan (a diverged run compares too)."""
    return repr(replace(record, elapsed=0.0))


class OracleSGD(torch.optim.SGD):
    """torch's own optimizer, counting its steps so a test sees that it really ran."""

    steps = 0

    def __init__(self, params: Iterable[torch.Tensor], lr: float) -> None:
        super().__init__(params, lr=lr)

    def step(self, closure: None = None) -> None:  # type: ignore[override]
        OracleSGD.steps += 1
        super().step()


# 250 % 32 == 26: every epoch ends in a short batch; the mse-sum lr keeps sum stable
CASES = [
    RunConfig(
        num_train=250,
        num_val=50,
        epochs=4,
        loss=loss,
        init=init,
        average=average,
        lr=0.03 / 32 if loss == "mse-sum" else 0.03,
        delta=0.5,
        outliers=0.1,
        seed=3,
    )
    for loss in LOSS_NAMES
    for init in INIT_NAMES
    for average in (False, True)
]


@pytest.mark.parametrize(
    "cfg", CASES, ids=[f"{c.loss}-{c.init}-{'avg' if c.average else 'last'}" for c in CASES]
)
def test_the_hand_written_step_equals_torch_optim_sgd_over_whole_runs(
    cfg: RunConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = [exact(r) for r in train(cfg)]
    monkeypatch.setattr(training, "PlainSGD", OracleSGD)
    OracleSGD.steps = 0
    theirs = [exact(r) for r in train(cfg)]
    assert OracleSGD.steps == cfg.total_steps  # the oracle trained the second run
    assert len(ours) == cfg.epochs + 1
    assert ours == theirs


@pytest.mark.parametrize(
    "cfg",
    [
        RunConfig(lr=1.0),  # train MSE 33 -> 5e10 in 3 epochs: any difference would grow
        RunConfig(num_train=100, batch_size=32, steps=7, init="torch-default"),
    ],
    ids=["diverging", "steps"],
)
def test_the_step_equals_torch_in_a_diverging_run_and_a_step_budget(
    cfg: RunConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = list(train(cfg))
    monkeypatch.setattr(training, "PlainSGD", OracleSGD)
    assert [exact(r) for r in ours] == [exact(r) for r in train(cfg)]
    assert ours[-1].diverged == (cfg.lr == 1.0)


def test_zero_grad_sets_gradients_to_none_as_torch_does() -> None:
    """torch's default `zero_grad(set_to_none=True)`: the next backward writes a new .grad."""
    w = torch.ones(3, requires_grad=True)
    ours = training.PlainSGD([w], lr=0.1)
    (w * 2).sum().backward()
    ours.zero_grad()
    assert w.grad is None
    ours.step()  # a parameter without a gradient is left alone, as torch leaves it
    assert torch.equal(w, torch.ones(3))


def loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after `code`, from this very checkout."""
    script = f"import linreg_tui, sys\n{code}\nprint(linreg_tui.__file__)\nprint(*sys.modules)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    where, modules = done.stdout.splitlines()
    assert where == linreg_tui.__file__
    return set(modules.split())


def test_training_and_warm_up_do_not_import_dynamo() -> None:
    """The first torch.optim.SGD in a process imports torch._dynamo: 1-1.6 s (issue 15)."""
    modules = loaded_after(
        "from linreg_tui.engine.config import RunConfig\n"
        "from linreg_tui.engine.training import train, warm_up\n"
        "warm_up()\n"
        "records = list(train(RunConfig()))\n"
        "assert len(records) == 4 and records[-1].weight_grad is not None"
    )
    assert "torch" in modules
    assert "torch._dynamo" not in modules
