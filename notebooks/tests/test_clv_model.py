"""clv_model.py against published values and against its own integral forms."""
import math

import numpy as np
import pytest

import clv_model as cm

# Fader, Hardie and Lee (2005), the CDNOW sample fit.
CDNOW = cm.BgNbd(r=0.243, alpha=4.414, a=0.793, b=2.426)


def test_expected_purchases_matches_the_papers_worked_example():
    # The paper's customer with x = 2, t_x = 30.43, T = 38.86: 1.226 purchases expected in the next 39 weeks.
    assert cm.expected_purchases(CDNOW, 2, 30.43, 38.86, 39) == pytest.approx(1.226, abs=5e-4)


def _by_integration(params, x, tx, T, t, points=4001):
    """E[Y(t) | x, t_x, T] from the model itself, numerically: P(alive) times the expected purchases of a customer
    alive at T, whose rate lambda has the Gamma(r + x, alpha + T) posterior and who drops out with probability p
    after each purchase, p ~ Beta(a, b + x) given alive; for fixed lambda and p that is (1 - exp(-lambda p t)) / p.
    Integrated in w = lambda^shape and u = p^a, where both densities are smooth (no singularity at 0)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    shape, rate = r + x, alpha + T
    lam_max = (shape + 15 * math.sqrt(shape) + 15) / rate
    norm = math.exp(shape * math.log(rate) - math.lgamma(shape))
    if shape < 1:  # the Gamma density is infinite at 0: integrate in w = lambda^shape
        w = np.linspace(0, lam_max ** shape, points)
        lam = w ** (1 / shape)
        lam_weight = np.exp(-rate * lam) / shape * norm
    else:
        w = lam = np.linspace(0, lam_max, points)
        lam_weight = lam ** (shape - 1) * np.exp(-rate * lam) * norm
    u = np.linspace(0, 1, points)
    ps = np.clip(u ** (1 / a), 1e-300, 1.0)
    p_weight = (1 - ps) ** (b + x - 1) / a * math.exp(math.lgamma(a + b + x) - math.lgamma(a) - math.lgamma(b + x))
    per_p = np.where(ps > 1e-12, -np.expm1(-np.outer(lam, ps) * t) / ps, (lam * t)[:, None])
    inner = np.trapezoid(p_weight[None, :] * per_p, u, axis=1)
    return float(cm.probability_alive(params, x, tx, T) * np.trapezoid(lam_weight * inner, w))


@pytest.mark.parametrize("x, tx, T, t", [(0, 0.0, 30.0, 39.0), (2, 30.43, 38.86, 39.0), (7, 20.0, 35.0, 4.3)])
def test_expected_purchases_equals_its_integral_form(x, tx, T, t):
    assert cm.expected_purchases(CDNOW, x, tx, T, t) == pytest.approx(_by_integration(CDNOW, x, tx, T, t), rel=2e-3)


def test_probability_alive_is_one_without_repeat_purchases_and_falls_with_a_long_silence():
    assert cm.probability_alive(CDNOW, 0, 0, 30) == 1.0
    recent, silent = cm.probability_alive(CDNOW, [3, 3], [30.0, 5.0], [31.0, 31.0])
    assert 0 < silent < recent < 1
    # A huge x does not overflow.
    assert 0 <= cm.probability_alive(CDNOW, 500, 1.0, 300.0) < 1e-12


def test_probability_of_purchase_is_below_probability_alive_and_grows_with_the_horizon():
    short, long = cm.probability_of_purchase(CDNOW, 2, 30.43, 38.86, [4.0, 39.0])
    assert 0 < short < long < cm.probability_alive(CDNOW, 2, 30.43, 38.86)


def test_expected_order_value_shrinks_the_customers_mean_towards_the_population_mean():
    gg = cm.GammaGamma(p=6.25, q=3.74, v=15.44)
    population = gg.v * gg.p / (gg.q - 1)
    assert cm.expected_order_value(gg, 0, 0.0) == pytest.approx(population)
    one, many = cm.expected_order_value(gg, [1, 50], [100.0, 100.0])
    assert population < one < many < 100.0


def test_hyp2f1_matches_a_closed_form():
    # 2F1(1, 1; 2; z) = -ln(1 - z) / z
    z = np.array([0.1, 0.5, 0.9])
    assert np.allclose(cm.hyp2f1(1, 1, 2, z), -np.log1p(-z) / z, rtol=1e-12)


def test_bad_arguments_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="positive"):
        cm.BgNbd(r=0, alpha=1, a=1, b=1)
    with pytest.raises(ValueError, match="t_x must be within"):
        cm.expected_purchases(CDNOW, 1, 5.0, 4.0, 1.0)
    with pytest.raises(ValueError, match="q must be above 1"):
        cm.GammaGamma(p=1, q=1, v=1)
