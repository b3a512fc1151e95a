"""The BG/NBD and Gamma-Gamma formulas the calibration notebook needs, in numpy (the venv has no scipy).

The same closed forms as the Java `models` module (BgNbd.java, GammaGamma.java), so the notebook can predict the
holdout of any calibration date from the parameters the pipeline published, and check itself against the
pipeline's own per-customer predictions (gold.customer_predictions.expected_orders_30d). Conventions as everywhere
in the project: time in weeks, purchases on the same day count as one, x = repeat purchase days, t_x = weeks from the
first to the last purchase day, T = weeks from the first purchase day to the end of the calibration period.

    expected_purchases(params, x, t_x, T, t)  E[Y(t) | x, t_x, T]  (Fader, Hardie and Lee 2005, eq. 10)
    probability_alive(params, x, t_x, T)      P(alive | x, t_x, T)
    probability_of_purchase(params, x, t_x, T, t)  P(at least one purchase in the next t weeks | x, t_x, T)
    expected_order_value(params, x, m_x)      Gamma-Gamma E[Z | x, m_x]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float

    def __post_init__(self):
        for name in ("r", "alpha", "a", "b"):
            value = getattr(self, name)
            if not (value > 0 and np.isfinite(value)):
                raise ValueError(f"BG/NBD {name} must be positive and finite, not {value!r}")


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    v: float

    def __post_init__(self):
        for name in ("p", "q", "v"):
            value = getattr(self, name)
            if not (value > 0 and np.isfinite(value)):
                raise ValueError(f"Gamma-Gamma {name} must be positive and finite, not {value!r}")
        if self.q <= 1:
            raise ValueError(f"Gamma-Gamma q must be above 1 for a finite expected value, not {self.q!r}")


def _arrays(*values):
    arrays = np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in values])
    return [np.array(a, dtype=float) for a in arrays]


def _check_triples(x, tx, T):
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("x (repeat purchase days) must be whole numbers >= 0")
    if np.any(tx < 0) or np.any(tx > T + 1e-9):
        raise ValueError("t_x must be within 0..T")
    if np.any((x == 0) & (tx != 0)):
        raise ValueError("t_x must be 0 when x is 0")


def hyp2f1(a, b, c, z, tolerance=1e-15, max_terms=200_000):
    """The Gaussian hypergeometric 2F1(a, b; c; z) for 0 <= z < 1 by its power series, element-wise. Every term is
    positive here (a, b, c > 0), so the sum converges monotonically; it stops when the next term is below
    `tolerance` of the sum."""
    a, b, c, z = _arrays(a, b, c, z)
    if np.any(z < 0) or np.any(z >= 1):
        raise ValueError("hyp2f1 needs 0 <= z < 1")
    term = np.ones_like(z)
    total = np.ones_like(z)
    active = np.ones(z.shape, dtype=bool)
    for k in range(max_terms):
        term = np.where(active, term * (a + k) * (b + k) / ((c + k) * (k + 1)) * z, 0.0)
        total = total + term
        active = term > tolerance * total
        if not active.any():
            return total
    raise ArithmeticError("hyp2f1 did not converge")


def probability_alive(params: BgNbd, x, tx, T):
    """P(alive | x, t_x, T) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)), in logs so a
    large x cannot overflow."""
    x, tx, T = _arrays(x, tx, T)
    _check_triples(x, tx, T)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = (np.log(params.a) - np.log(params.b + x - 1)
                     + (params.r + x) * (np.log(params.alpha + T) - np.log(params.alpha + tx)))
    return np.where(x > 0, 1.0 / (1.0 + np.exp(np.minimum(log_ratio, 700.0))), 1.0)


def expected_purchases(params: BgNbd, x, tx, T, t):
    """E[Y(t) | x, t_x, T]: expected purchase days in the next t weeks (Fader, Hardie and Lee 2005, eq. 10):

        (a + b + x - 1) / (a - 1) * [1 - ((alpha + T) / (alpha + T + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1; z)]
        * P(alive | x, t_x, T),   z = t / (alpha + T + t)
    """
    x, tx, T, t = _arrays(x, tx, T, t)
    _check_triples(x, tx, T)
    if np.any(t < 0):
        raise ValueError("the horizon t must be >= 0")
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    c = a + b + x - 1
    if abs(a - 1) < 1e-3 or np.any(c <= 0):
        raise ValueError("a too close to 1 (or a + b + x - 1 <= 0): the closed form is ill-conditioned; the Java "
                         "BgNbd integrates there")
    z = t / (alpha + T + t)
    log_product = (r + x) * np.log1p(-z) + np.log(hyp2f1(r + x, b + x, c, z))
    bracket = -np.expm1(log_product)
    return np.where(t > 0, c / (a - 1) * bracket * probability_alive(params, x, tx, T), 0.0)


def probability_of_purchase(params: BgNbd, x, tx, T, t):
    """P(at least one purchase in the next t weeks | x, t_x, T). A BG/NBD customer can only drop out right after a
    purchase, so one alive at T who buys nothing in (T, T + t] is still alive: P(none | alive) is the Gamma-Poisson
    zero term ((alpha + T) / (alpha + T + t))^(r + x), and P(some) = P(alive) (1 - that)."""
    x, tx, T, t = _arrays(x, tx, T, t)
    none_if_alive = np.exp((params.r + x) * (np.log(params.alpha + T) - np.log(params.alpha + T + t)))
    return probability_alive(params, x, tx, T) * (1.0 - none_if_alive)


def expected_order_value(params: GammaGamma, x, mx):
    """Gamma-Gamma E[Z | x, m_x] = (q - 1) / (p x + q - 1) * v p / (q - 1) + p x / (p x + q - 1) * m_x: the
    population mean weighted against the customer's own mean repeat value by how many repeat purchases back it."""
    x, mx = _arrays(x, mx)
    p, q, v = params.p, params.q, params.v
    weight = p * x / (p * x + q - 1)
    return (1 - weight) * v * p / (q - 1) + weight * mx
