"""Number formats: how a loss, a parameter, a vector or a slope reads in a table cell or a
sentence, in the command line's tables and the app's alike."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

Formatter = Callable[[Any], str]

MAX_SHOWN = 4
"""Vector components a table cell shows before it elides the rest (JSON and CSV keep all)."""


def fmt_non_finite(x: float) -> str:
    """The one word for a value that is not a finite number, in every table, chart title and
    export: 'inf' (it overflowed), '-inf', 'nan' (undefined). The history keeps which of
    them a value was (store.schema.NON_FINITE), so a diverged run reads the same there."""
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def fmt_sci(x: float | None) -> str:
    """A loss or an error: 3 significant digits in scientific notation."""
    if x is None:
        return "-"
    return f"{x:.3e}" if math.isfinite(x) else fmt_non_finite(x)


def fmt_fixed(x: float | None) -> str:
    """A parameter: 4 decimals, scientific once it is too large to read that way."""
    if x is None:
        return "-"
    if not math.isfinite(x):
        return fmt_non_finite(x)
    return f"{x:.4f}" if abs(x) < 1e5 else f"{x:.3e}"


def fmt_vector(fmt: Formatter, width: int = 10) -> Formatter:
    """Format each component right-aligned in `width`, eliding after MAX_SHOWN."""

    def render(values: Sequence[float] | None) -> str:
        if values is None:
            return "-"
        shown = " ".join(fmt(v).rjust(width) for v in values[:MAX_SHOWN])
        return shown + (f" ...(+{len(values) - MAX_SHOWN})" if len(values) > MAX_SHOWN else "")

    return render


def fmt_g(value: float | None, spec: str = ".5g") -> str:
    """A number for a narrow column; "·" when absent, 'inf'/'nan' as such."""
    if value is None:
        return "·"
    if not math.isfinite(value):
        return fmt_non_finite(value)
    return format(value, spec)


def fmt_short(value: float | None) -> str:
    """A positive quantity in 6 characters or so: 1.2e-4, 3.4e+1 -> 3.4e1; '·' if absent."""
    if value is None:
        return "·"
    if not math.isfinite(value):
        return fmt_non_finite(value)
    mantissa, _, exponent = f"{value:.1e}".partition("e")
    return f"{mantissa}e{int(exponent)}"


def fmt_ratio(ratio: float) -> str:
    """A positive ratio in at most 6 characters: 3.2, 265.3, 2344, 1.2e5; '·' if undefined."""
    if not math.isfinite(ratio):
        return "·"
    if ratio < 1000:
        return f"{ratio:.1f}"
    return f"{ratio:.0f}" if ratio < 1e6 else fmt_short(ratio)


def fmt_slope(slope: float | None) -> str:
    """'−0.57' (a true minus sign), or 'n/a' when too few sizes could be fitted."""
    return "n/a" if slope is None else f"{slope:+.2f}".replace("-", "−")


def diverged_marker(diverged: object) -> str:
    """The word a table row of a diverged run ends with."""
    return "diverged" if diverged else ""


def fmt_lr(x: float) -> str:
    """A learning rate or a stability edge: 3 significant digits (0.0302, 0.908, 1.5)."""
    return fmt_g(x, ".3g")


def fmt_factor(x: float) -> str:
    """A growth factor per step or epoch: '×1.12'."""
    return "×" + fmt_g(x, ".3g")
