"""The concise model of d2l 3.5: one `nn.LazyLinear(1)` layer."""

from __future__ import annotations

import math

import torch
from torch import nn

from linreg_tui.engine.config import InitName


def initial_parameters(
    features: int, gen: torch.Generator, init: InitName
) -> tuple[torch.Tensor, torch.Tensor]:
    """Weight (1, d) and bias (1,) drawn from `gen` exactly as `build_model` draws them."""
    weight, bias = torch.empty(1, features), torch.empty(1)
    if init == "book":
        weight.normal_(0.0, 0.01, generator=gen)
        bias.zero_()
    else:  # kaiming_uniform_(a=sqrt(5)) is uniform within 1/sqrt(fan_in), as is the bias
        bound = 1 / math.sqrt(features)
        weight.uniform_(-bound, bound, generator=gen)
        bias.uniform_(-bound, bound, generator=gen)
    return weight, bias


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
        weight, bias = initial_parameters(model.weight.shape[1], gen, init)
        model.weight.copy_(weight)
        model.bias.copy_(bias)
    return model  # a plain nn.Linear now: build the optimizer after this
