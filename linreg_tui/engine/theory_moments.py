"""The second-moment algebra of minibatch SGD on a quadratic (THEORY.md), in numpy float64.

Everything here works in the eigenbasis of G = X̃ᵀX̃/n, where the mean curvature of every
kind of step is diagonal. A step on a minibatch of m rows moves the error e = θ − θ̂ by
e ← (I − ηH_B) e − η ξ_B, with H_B the batch mean of the per-example curvatures s·x̃ᵢx̃ᵢᵀ and
ξ_B the batch mean of the per-example gradients at the fit. Once the mean error has died
out, its second moment S = E[eeᵀ] follows S ↦ E[(I − ηH_B) S (I − ηH_B)] + η²C, in vec form
M(η) vec S + η² vec C; while a transient is left, `_step` adds what it contributes.
Batches are modelled as independent draws of m rows without replacement (the finite-population
factor c); within a real epoch they are disjoint, which this model ignores.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np

KRONECKER_MAX: Final = 10
"""Up to this many parameters (d + 1) the (d+1)²-sized maps are dense matrices (100 x 100 at
most, stepped k times by repeated squaring); beyond it η_MS and the noise ball come from
matrix-free iterations, and the spread at step k is taken as the stationary ball."""

_ITERATIONS: Final = 2000
PREDICTION_BUDGET: Final = 1e8
"""Rough arithmetic one theory may cost where it is computed unasked (a sweep's rows, the
app's meter): about 0.3 s here. `linreg-tui theory` computes whatever it is asked."""


def prediction_cost(rows: int, features: int) -> float:
    """The arithmetic of one theory, roughly: the dense maps' fourth moments (n·p⁴), or
    the matrix-free iterations' (~250·n·p², measured: d = 10, n = 10240 took 0.84 s)."""
    p = features + 1
    return rows * (p**4 if p <= KRONECKER_MAX else 250 * p * p) + 100 * rows


def predictable(rows: int, features: int) -> bool:
    """A theory of n rows and d features is cheap enough to compute unasked."""
    return prediction_cost(rows, features) <= PREDICTION_BUDGET


_GRID: Final = np.linspace(-40.0, 40.0, 801)
"""log u for the expected-norm integral; the integrand is below e^-20 at both ends."""


@dataclass(frozen=True)
class StepKind:
    """One kind of SGD step: a minibatch of m of the n rows, per-example curvature s·x̃x̃ᵀ."""

    lam: np.ndarray
    """Eigenvalues of its mean curvature H = s·G, descending (the order of G's)."""
    s: float
    c: float
    """Finite-population factor (n − m) / (m (n − 1)): 0 when the batch is every row."""

    @classmethod
    def of(cls, g: np.ndarray, s: float, m: int, n: int) -> StepKind:
        c = (n - m) / (m * (n - 1)) if n > 1 else 0.0
        return cls(lam=s * g, s=s, c=c)


class Moments:
    """The data's moments in G's eigenbasis, shared by every step kind and learning rate."""

    def __init__(self, U: np.ndarray, r: np.ndarray, in_range: np.ndarray) -> None:
        """U: rows uᵢ = Vᵀx̃ᵢ (n, p); r: residuals at the fit (n,); in_range: G's eigenvalues
        that are not zero (p,), bool."""
        n, p = U.shape
        self.n, self.p, self.U = n, p, U
        self.R2 = (U * (r * r)[:, None]).T @ U / n
        """mean rᵢ² uᵢuᵢᵀ: the gradient covariance at the fit, up to c·s²."""
        self.pair_range = (in_range[:, None] | in_range[None, :]).reshape(-1)
        """Entries (i, j) of a p x p matrix that the maps can reach (not both null)."""
        self.dense = p <= KRONECKER_MAX
        self.F4 = self.R3 = np.empty((0, 0))
        if self.dense:
            W = (U[:, :, None] * U[:, None, :]).reshape(n, p * p)
            self.F4 = W.T @ W / n
            """mean (uᵢ⊗uᵢ)(uᵢ⊗uᵢ)ᵀ: the per-example curvatures' fourth moment, up to s²."""
            self.R3 = (W * r[:, None]).T @ U / n
            """mean rᵢ (uᵢ⊗uᵢ) uᵢᵀ (p², p): how a batch's curvature and its gradient at the
            fit vary together, up to c·s²."""

    def Q(self, kind: StepKind) -> np.ndarray:
        """E[H_B⊗H_B] = (1 − c) H⊗H + c · mean hᵢ⊗hᵢ, dense (p², p²)."""
        return (1 - kind.c) * np.diag(np.outer(kind.lam, kind.lam).reshape(-1)) + (
            kind.c * kind.s**2
        ) * self.F4

    def Q_apply(self, kind: StepKind, S: np.ndarray) -> np.ndarray:
        """E[H_B S H_B] for a p x p matrix S, without the (p², p²) matrix."""
        q = np.einsum("ij,ij->i", self.U @ S, self.U)  # uᵢᵀ S uᵢ
        mixed = (self.U * q[:, None]).T @ self.U / self.n
        return (1 - kind.c) * np.outer(kind.lam, kind.lam) * S + kind.c * kind.s**2 * mixed

    def C(self, kind: StepKind) -> np.ndarray:
        """The minibatch gradient covariance at the fit, c · mean gᵢgᵢᵀ (p, p)."""
        return kind.c * kind.s**2 * self.R2


def _sums(kind: StepKind) -> np.ndarray:
    """λᵢ + λⱼ: the map S ↦ HS + SH, diagonal in the eigenbasis (p, p)."""
    return kind.lam[:, None] + kind.lam[None, :]


def ms_bound(mom: Moments, kind: StepKind) -> float:
    """η_MS = sup{η : ρ(M(η)) < 1}, in closed form.

    M(η) is symmetric, and E[H_B⊗H_B] ⪰ H⊗H, so for every η < 2/λ₁ its eigenvalues stay
    above −1 (1 + (1 − ηλᵢ)(1 − ηλⱼ) > 0 at c = 0, and the c-term only adds). The bound is
    where the top eigenvalue reaches 1: η E[H_B⊗H_B] ≺ H⊗I + I⊗H, i.e. η < 1/ν with ν the
    top eigenvalue of D^-½ Q D^-½. (The tests check it against a bisection on ρ(M(η)).)
    """
    D = _sums(kind).reshape(-1)
    live = mom.pair_range
    scale = 1 / np.sqrt(D[live])
    if mom.dense:
        K = mom.Q(kind)[np.ix_(live, live)] * np.outer(scale, scale)
        nu = float(np.linalg.eigvalsh(K)[-1])
    else:
        nu = _power_top(mom, kind, live, scale)
    return 1 / nu if nu > 0 else math.inf


def _power_top(mom: Moments, kind: StepKind, live: np.ndarray, scale: np.ndarray) -> float:
    """Top eigenvalue of X ↦ D^-½ Q(D^-½ X) by power iteration from I (the map keeps the
    positive semidefinite cone, so its top eigenvector lies in it) with Rayleigh quotients."""
    p = mom.p
    half = np.zeros(p * p)
    half[live] = scale
    half = half.reshape(p, p)
    X = np.eye(p)
    nu = 0.0
    for _ in range(_ITERATIONS):
        Y = half * mom.Q_apply(kind, half * X)
        new = float(np.sum(X * Y) / np.sum(X * X))
        X = Y / np.linalg.norm(Y)
        if abs(new - nu) <= 1e-12 * abs(new):
            return new
        nu = new
    return nu


def noise_ball(mom: Moments, kind: StepKind, lr: float, lr_ms: float) -> np.ndarray:
    """The stationary Σ (eigenbasis, p x p) solving HΣ + ΣH − η E[H_B Σ H_B] = η C.

    Zeros when c = 0 (the whole data every step: no noise); inf when η ≥ η_MS (no
    stationary second moment exists).
    """
    p = mom.p
    if kind.c == 0:
        return np.zeros((p, p))
    if not lr < lr_ms:
        return np.full((p, p), math.inf)
    rhs = lr * mom.C(kind)
    if not mom.dense:
        return _cg(lambda S: _sums(kind) * S - lr * mom.Q_apply(kind, S), rhs)
    live = mom.pair_range
    A = np.diag(_sums(kind).reshape(-1)) - lr * mom.Q(kind)
    out = np.zeros(p * p)
    out[live] = np.linalg.solve(A[np.ix_(live, live)], rhs.reshape(-1)[live])
    out = out.reshape(p, p)
    return (out + out.T) / 2


def _cg(apply: Callable[[np.ndarray], np.ndarray], rhs: np.ndarray) -> np.ndarray:
    """Conjugate gradients for a symmetric positive definite map on p x p matrices."""
    X = np.zeros_like(rhs)
    R = rhs.copy()
    P = R.copy()
    rr = float(np.sum(R * R))
    stop = 1e-28 * rr
    for _ in range(_ITERATIONS):
        if rr <= stop:
            break
        AP = apply(P)
        alpha = rr / float(np.sum(P * AP))
        X += alpha * P
        R -= alpha * AP
        new = float(np.sum(R * R))
        P = R + (new / rr) * P
        rr = new
    return (X + X.T) / 2


def _step(mom: Moments, kind: StepKind, lr: float) -> np.ndarray:
    """One step as a linear map on (vec Cov, vec μμᵀ, μ, 1), size 2p² + p + 1.

    With e = μ + noise: μ ← (I − ηH)μ, and the covariance
    Cov ← E[A_B Cov A_B] + η² (Var of H_Bμ) + η² (Cov(H_Bμ, ξ_B) + its transpose) + η² C,
    A_B = I − ηH_B: the minibatch spreads the transient as well as the fit's gradient noise.
    """
    p2, p = mom.p * mom.p, mom.p
    f = 1 - lr * kind.lam
    lam2 = np.outer(kind.lam, kind.lam).reshape(-1)
    A = np.zeros((2 * p2 + p + 1, 2 * p2 + p + 1))
    cov, mm, mu, one = slice(0, p2), slice(p2, 2 * p2), slice(2 * p2, 2 * p2 + p), 2 * p2 + p
    A[cov, cov] = np.eye(p2) - lr * np.diag(_sums(kind).reshape(-1)) + lr**2 * mom.Q(kind)
    A[cov, mm] = lr**2 * kind.c * (kind.s**2 * mom.F4 - np.diag(lam2))
    A[cov, mu] = 2 * lr**2 * kind.c * kind.s**2 * mom.R3
    A[cov, one] = lr**2 * mom.C(kind).reshape(-1)
    A[mm, mm] = np.diag(np.outer(f, f).reshape(-1))
    A[mu, mu] = np.diag(f)
    A[one, one] = 1.0
    return A


def spread(
    mom: Moments,
    full: StepKind,
    short: StepKind | None,
    per_epoch: int,
    steps: int,
    lr: float,
    e0: np.ndarray,
) -> np.ndarray:
    """Cov(e_k) after `steps` steps from the certain e0 (eigenbasis, p x p); dense only.

    Each epoch is `per_epoch` steps: full batches, then one `short` batch when there is one.
    Finite for every finite k, also past η_MS (then it grows with k); inf or nan on overflow.
    """
    p2 = mom.p * mom.p
    z = np.concatenate([np.zeros(p2), np.outer(e0, e0).reshape(-1), e0, [1.0]])
    A = _step(mom, full, lr)
    with np.errstate(over="ignore", invalid="ignore"):
        if short is None:
            z = np.linalg.matrix_power(A, steps) @ z
        else:
            epoch = _step(mom, short, lr) @ np.linalg.matrix_power(A, per_epoch - 1)
            z = np.linalg.matrix_power(epoch, steps // per_epoch) @ z
            z = np.linalg.matrix_power(A, steps % per_epoch) @ z
    S = z[:p2].reshape(mom.p, mom.p)
    return (S + S.T) / 2


def epoch_factor(lam: np.ndarray, lr: float, per_epoch: int, short_scale: float) -> np.ndarray:
    """|factor| of the mean error over one epoch, per direction: per_epoch − 1 full steps
    (1 − ηλ each) and a last step of curvature short_scale·λ (1: a full one)."""
    with np.errstate(over="ignore", under="ignore"):
        return np.abs(1 - lr * lam) ** (per_epoch - 1) * np.abs(1 - lr * short_scale * lam)


def mean_factor(
    f: np.ndarray, fs: np.ndarray, per_epoch: int, steps: int, average: bool
) -> np.ndarray:
    """The mean error's factor after `steps` steps, per direction, from the factor of a full
    step f and of each epoch's last step fs; with `average`, the mean of the factors after
    each step of the last epoch (the iterates `train(average=True)` averages)."""
    epochs, done = divmod(steps, per_epoch)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        period = f ** (per_epoch - 1) * fs
        if not average:
            return period**epochs * f**done
        epochs, done = (epochs - 1, per_epoch) if done == 0 else (epochs, done)
        total = _geometric(f, min(done, per_epoch - 1))
        if done == per_epoch:
            total = total + period
        return period**epochs * total / done


def _geometric(f: np.ndarray, m: int) -> np.ndarray:
    """Σ_{j=1..m} f^j, elementwise, exact also at f = 1."""
    near_one = np.abs(1 - f) < 1e-12
    safe = np.where(near_one, 0.5, f)
    return np.where(near_one, float(m), safe * (1 - safe**m) / (1 - safe))


def mean_norm(mu: np.ndarray, S: np.ndarray) -> float:
    """E‖v‖ for v ~ N(mu, S), by √x = (1/2√π) ∫₀^∞ (1 − e^{−ux}) u^{−3/2} du taken under E.

    With q = E‖v‖² and S/q = Σ σⱼ² wⱼwⱼᵀ: E e^{−u‖v‖²/q} = Πⱼ (1 + 2uσⱼ²)^{−½}
    exp(−u mⱼ² / (1 + 2uσⱼ²)), mⱼ = wⱼᵀmu/√q; integrated over log u on a fixed grid.
    """
    q = float(mu @ mu + np.trace(S))
    if not math.isfinite(q):
        return math.inf
    if q <= 0:
        return 0.0
    var, vecs = np.linalg.eigh(S / q)
    var = np.clip(var, 0.0, None)
    m2 = (vecs.T @ mu) ** 2 / q
    u = np.exp(_GRID)[:, None]
    spread = 1 + 2 * u * var
    log_phi = -0.5 * np.log(spread).sum(axis=1) - (u * m2 / spread).sum(axis=1)
    integrand = -np.expm1(log_phi) * np.exp(-_GRID / 2)
    return math.sqrt(q) * float(np.trapezoid(integrand, _GRID)) / (2 * math.sqrt(math.pi))
