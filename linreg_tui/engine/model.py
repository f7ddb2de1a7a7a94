"""The concise model of d2l 3.5: one `nn.LazyLinear(1)` layer."""

from __future__ import annotations

import math

import torch
from torch import nn

from linreg_tui.engine.config import InitName


def build_model(sample: torch.Tensor, gen: torch.Generator, init: InitName) -> nn.Linear:
    """Materialize a LazyLinear on `sample`, then initialize it from `gen`.

    d2l writes `net.weight.data.normal_(0, 0.01)` before the first forward pass; the lazy
    layer has no weights yet, and materializing runs `reset_parameters()`, so the book's
    runs really start from torch's default init. `init="book"` gives the intended
    N(0, 0.01) weights and zero bias; `init="torch-default"` redraws torch's default
    (kaiming-uniform weights, uniform bias, both within +-1/sqrt(d)) from `gen`, so that a
    seeded run is reproducible even though torch itself draws from the global generator.
    """
    model = nn.LazyLinear(1)
    with torch.no_grad():
        model(sample[:1])  # infers in_features; LazyLinear resets its parameters here
        if init == "book":
            model.weight.normal_(0.0, 0.01, generator=gen)
            model.bias.zero_()
        else:
            nn.init.kaiming_uniform_(model.weight, a=math.sqrt(5), generator=gen)
            bound = 1 / math.sqrt(model.weight.shape[1])
            model.bias.uniform_(-bound, bound, generator=gen)
    return model  # a plain nn.Linear now: build the optimizer after this
