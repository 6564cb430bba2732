"""Smooth-L1 family: PyTorch, Keras Huber, formulas, continuity, boxes."""

import itertools
import math

import keras
import numpy as np
import pytest

import keras_losses
from tests import reference
from tests.autodiff import finite_difference
from tests.autodiff import value_and_grad
from tests.helpers import REDUCTIONS
from tests.helpers import WEIGHTINGS
from tests.helpers import numpy
from tests.helpers import sample_weight
from tests.tolerance import assert_close

BETAS = [0.0, 0.1, 1.0, 2.5]


def _errors(shape, rng, scale=2.0):
    y_true = rng.normal(0.0, 1.0, size=shape).astype("float32")
    y_pred = (y_true + rng.normal(0.0, scale, size=shape)).astype("float32")
    return y_true, y_pred


def test_seed_value():
    # d = 0.6 on both rows, inside the quadratic zone: 0.5 * 0.36 = 0.18.
    y_true, y_pred = [[0.0], [1.0]], [[0.6], [0.4]]
    for loss in (
        keras_losses.SmoothL1(beta=1.0),
        keras_losses.Huber(delta=1.0),
        keras.losses.Huber(delta=1.0),
    ):
        np.testing.assert_allclose(numpy(loss(y_true, y_pred)), 0.18, atol=1e-6)


# --- Against PyTorch -------------------------------------------------------


@pytest.mark.parametrize("beta", BETAS)
@pytest.mark.parametrize("shape", [(16, 4), (8, 9, 4)])
def test_smooth_l1_matches_torch(beta, shape):
    torch = pytest.importorskip("torch")
    y_true, y_pred = _errors(shape, np.random.default_rng(1))
    functional = torch.nn.functional
    if beta == 0:
        expected = functional.l1_loss(
            torch.tensor(y_pred, dtype=torch.float64),
            torch.tensor(y_true, dtype=torch.float64),
            reduction="none",
        )
    else:
        expected = functional.smooth_l1_loss(
            torch.tensor(y_pred, dtype=torch.float64),
            torch.tensor(y_true, dtype=torch.float64),
            beta=beta,
            reduction="none",
        )
    assert_close(
        numpy(keras_losses.smooth_l1(y_true, y_pred, beta=beta)),
        expected.mean(dim=-1).numpy(),
        rtol=1e-6,
        atol=1e-7,
        reference="torch smooth_l1_loss / l1_loss",
        case=f"{shape} beta={beta}",
    )


@pytest.mark.parametrize("delta", [0.1, 1.0, 2.5])
def test_huber_matches_torch(delta):
    torch = pytest.importorskip("torch")
    y_true, y_pred = _errors((16, 4), np.random.default_rng(2))
    expected = torch.nn.functional.huber_loss(
        torch.tensor(y_pred, dtype=torch.float64),
        torch.tensor(y_true, dtype=torch.float64),
        delta=delta,
        reduction="none",
    ).mean(dim=-1)
    assert_close(
        numpy(keras_losses.huber(y_true, y_pred, delta=delta)),
        expected.numpy(),
        rtol=1e-6,
        atol=1e-7,
        reference="torch huber_loss",
        case=f"delta={delta}",
    )


# --- Against Keras's Huber ------------------------------------------------

HUBER_GRID = list(
    itertools.product(
        [(6, 1), (5, 4), (3, 4, 4), (2, 3, 4, 4)],
        [0.1, 1.0, 2.5],
        REDUCTIONS,
        WEIGHTINGS,
    )
)


@pytest.mark.parametrize("shape, delta, reduction, weighting", HUBER_GRID)
def test_huber_matches_keras(shape, delta, reduction, weighting):
    rng = np.random.default_rng(len(shape))
    y_true, y_pred = _errors(shape, rng)
    weights = sample_weight(weighting, shape[:-1], rng)
    ours = keras_losses.Huber(delta=delta, reduction=reduction)
    theirs = keras.losses.Huber(delta=delta, reduction=reduction)
    assert_close(
        numpy(ours(y_true, y_pred, sample_weight=weights)),
        numpy(theirs(y_true, y_pred, sample_weight=weights)),
        rtol=1e-6,
        atol=1e-7,
        reference="keras.losses.Huber",
        case=f"{shape} delta={delta} {reduction} {weighting}",
    )
    # Smooth L1 is Huber scaled by 1 / beta.
    smooth = keras_losses.SmoothL1(beta=delta, reduction=reduction)
    assert_close(
        delta * numpy(smooth(y_true, y_pred, sample_weight=weights)),
        numpy(ours(y_true, y_pred, sample_weight=weights)),
        rtol=1e-5,
        atol=1e-7,
        reference="Huber(delta=b) = b * SmoothL1(beta=b)",
        case=f"{shape} delta={delta} {reduction} {weighting}",
    )


# --- Against the float64 formulas -----------------------------------------

FORMULAS = {
    "smooth_l1": (keras_losses.smooth_l1, reference.smooth_l1),
    "huber": (keras_losses.huber, reference.huber),
    "balanced_l1": (keras_losses.balanced_l1, reference.balanced_l1),
    "pinball": (keras_losses.pinball, reference.pinball),
}
FORMULA_CASES = [("smooth_l1", {"beta": beta}) for beta in BETAS] + [
    ("huber", {"delta": 0.5}),
    ("balanced_l1", {}),
    ("balanced_l1", {"alpha": 0.2, "gamma": 1.0, "beta": 0.5}),
    ("balanced_l1", {"alpha": 1.0, "gamma": 3.0, "beta": 2.0}),
    ("balanced_l1", {"beta": 0.0}),
    ("pinball", {"tau": 0.1}),
    ("pinball", {"tau": 0.9}),
    ("pinball", {"tau": [0.05, 0.5, 0.95, 1.0]}),
]


@pytest.mark.parametrize("name, kwargs", FORMULA_CASES)
@pytest.mark.parametrize("shape", [(32, 4), (4, 8, 4)])
def test_matches_float64_formula_and_its_gradient(name, kwargs, shape):
    ours, formula = FORMULAS[name]
    y_true, y_pred = _errors(shape, np.random.default_rng(3))
    assert_close(
        numpy(ours(y_true, y_pred, **kwargs)),
        formula(y_true, y_pred, **kwargs),
        rtol=1e-5,
        atol=1e-7,
        reference=f"reference.{name}",
        case=f"{shape} {kwargs}",
    )
    # Gradient in float64 against central differences of the formula.
    y_pred = y_pred.astype("float64")
    _, grad = value_and_grad(
        lambda x: keras.ops.sum(ours(y_true.astype("float64"), x, **kwargs)),
        y_pred,
    )
    expected = finite_difference(
        lambda x: formula(y_true, x, **kwargs), y_pred, step=1e-6
    )
    tolerance = 1e-5 if keras.backend.backend() != "jax" else 1e-3
    assert_close(
        grad,
        expected,
        rtol=tolerance,
        atol=1e-6,
        reference="finite differences (float64), regression",
        case=f"{name} {kwargs}",
    )


def test_balanced_l1_hand_values():
    # alpha = 0.5, gamma = 1.5, beta = 1: b = e^3 - 1 = 19.0855369.
    b = math.e**3 - 1
    # x = 0.5 < 1: 0.5/b * (0.5 b + 1) * ln(0.5 b + 1) - 0.25
    #   = 0.02619785 * 10.5427685 * 2.35544017 - 0.25 = 0.4005675.
    # x = 3 >= 1: 1.5 * 3 + 1.5 / b - 0.5 = 4.5 + 0.0785935 - 0.5 = 4.0785935.
    inlier = 0.5 / b * (0.5 * b + 1) * math.log(0.5 * b + 1) - 0.25
    np.testing.assert_allclose(inlier, 0.4005675, atol=1e-7)
    loss = keras_losses.balanced_l1([[0.0], [0.0]], [[0.5], [-3.0]])
    np.testing.assert_allclose(numpy(loss), [0.4005675, 4.0785935], rtol=1e-6)
    # The Libra R-CNN constant C = gamma / b - alpha = -0.4214065.
    np.testing.assert_allclose(1.5 / b - 0.5, -0.4214065, atol=1e-7)


@pytest.mark.parametrize(
    "alpha, gamma", [(0.5, 1.5), (0.2, 1.0), (1.0, 3.0), (0.3, 0.1)]
)
def test_balanced_l1_b_solves_the_paper_constraint(alpha, gamma):
    # b is defined by alpha * ln(b + 1) = gamma (eq. 9): the gradient just
    # below beta, alpha * ln(b x / beta + 1), must then equal gamma there.
    beta = 1.3
    x = np.array([[beta - 1e-6]], "float64")
    _, grad = value_and_grad(
        lambda v: keras.ops.sum(
            keras_losses.balanced_l1(
                np.zeros_like(x), v, alpha=alpha, gamma=gamma, beta=beta
            )
        ),
        x,
    )
    tolerance = 1e-5 if keras.backend.backend() != "jax" else 1e-3
    np.testing.assert_allclose(grad, gamma, rtol=tolerance)


# --- Continuity at |d| = beta ---------------------------------------------


@pytest.mark.parametrize(
    "name, kwargs, knot",
    [
        ("smooth_l1", {"beta": 0.1}, 0.1),
        ("smooth_l1", {"beta": 1.0}, 1.0),
        ("smooth_l1", {"beta": 2.5}, 2.5),
        ("balanced_l1", {}, 1.0),
        ("balanced_l1", {"alpha": 0.2, "gamma": 1.0, "beta": 0.5}, 0.5),
        ("balanced_l1", {"alpha": 1.0, "gamma": 3.0, "beta": 2.0}, 2.0),
        ("huber", {"delta": 2.5}, 2.5),
    ],
)
@pytest.mark.parametrize("side", [1.0, -1.0])  # positive and negative error
def test_value_and_slope_continuous_at_the_knot(name, kwargs, knot, side):
    ours, _ = FORMULAS[name]
    eps = 1e-6
    x = side * np.array([[knot - eps], [knot + eps]], "float64")
    values, grad = [], []
    zeros = np.zeros((1, 1))
    for point in x:
        value, g = value_and_grad(
            lambda v: keras.ops.sum(ours(zeros, v, **kwargs)), point[None]
        )
        values.append(float(value))
        grad.append(float(g.ravel()[0]))
    slope_scale = max(1.0, abs(grad[1]))
    tolerance = 1e-4 if keras.backend.backend() != "jax" else 1e-3
    # Value: the two points are 2 eps apart, so they differ by ~2 eps slope.
    assert abs(values[1] - values[0]) < 3 * eps * slope_scale
    assert abs(grad[1] - grad[0]) < tolerance * slope_scale


def test_beta_zero_is_l1_in_value_and_gradient():
    y_true, y_pred = _errors((16, 4), np.random.default_rng(5))
    y_pred[0, 0] = y_true[0, 0]  # a zero error too
    l1 = keras_losses.smooth_l1(y_true, y_pred, beta=0.0)
    np.testing.assert_array_equal(
        numpy(l1), numpy(keras.losses.mean_absolute_error(y_true, y_pred))
    )
    _, grad = value_and_grad(
        lambda x: keras.ops.sum(keras_losses.smooth_l1(y_true, x, beta=0.0)),
        y_pred,
    )
    nonzero = y_pred != y_true
    np.testing.assert_array_equal(
        grad[nonzero], np.sign(y_pred - y_true)[nonzero] / 4.0
    )
    # At a zero error any subgradient in [-1, 1] / 4 is right; backends
    # differ (TensorFlow and PyTorch take 0, JAX 1).
    assert abs(grad[0, 0]) <= 0.25


# --- Box tensors ----------------------------------------------------------


@pytest.mark.parametrize("name", ["SmoothL1", "Huber", "BalancedL1", "Pinball"])
def test_boxes_with_per_anchor_weights(name):
    rng = np.random.default_rng(7)
    y_true, y_pred = _errors((3, 5, 4), rng)
    positive = (rng.random((3, 5)) < 0.4).astype("float32")
    loss = getattr(keras_losses, name)(reduction="sum")
    per_box = numpy(getattr(keras_losses, name)(reduction=None)(y_true, y_pred))
    assert per_box.shape == (3, 5)
    np.testing.assert_allclose(
        numpy(loss(y_true, y_pred, sample_weight=positive)),
        np.sum(per_box * positive),
        rtol=1e-6,
    )
    flat = getattr(keras_losses, name)(reduction=None)(
        y_true.reshape(15, 4), y_pred.reshape(15, 4)
    )
    np.testing.assert_allclose(numpy(flat), per_box.ravel(), rtol=1e-6)


def test_pinball_per_quantile_tau_fits_quantiles():
    # Three outputs with tau 0.1, 0.5 and 0.9: each column's loss is the
    # scalar-tau loss of that column.
    rng = np.random.default_rng(9)
    y_true, y_pred = _errors((64, 3), rng)
    taus = [0.1, 0.5, 0.9]
    together = numpy(keras_losses.pinball(y_true, y_pred, tau=taus))
    apart = np.mean(
        [
            numpy(
                keras_losses.pinball(
                    y_true[:, i : i + 1], y_pred[:, i : i + 1], tau=tau
                )
            )
            for i, tau in enumerate(taus)
        ],
        axis=0,
    )
    np.testing.assert_allclose(together, apart, rtol=1e-6)
    with pytest.raises(ValueError, match="`tau` must have one entry"):
        keras_losses.pinball(y_true, y_pred, tau=[0.1, 0.9])


# --- Bad hyperparameters ---------------------------------------------------

BAD = [
    ("SmoothL1", "beta", -0.1),
    ("SmoothL1", "beta", float("inf")),
    ("SmoothL1", "beta", float("nan")),
    ("SmoothL1", "beta", "1"),
    ("Huber", "delta", 0.0),
    ("Huber", "delta", -1.0),
    ("Huber", "delta", float("nan")),
    ("BalancedL1", "alpha", 0.0),
    ("BalancedL1", "alpha", -0.5),
    ("BalancedL1", "gamma", 0.0),
    ("BalancedL1", "gamma", float("inf")),
    ("BalancedL1", "beta", -1.0),
    ("Pinball", "tau", 1.5),
    ("Pinball", "tau", -0.1),
    ("Pinball", "tau", float("nan")),
    ("Pinball", "tau", [0.1, 1.2]),
    ("Pinball", "tau", []),
    ("SmoothL1", "axis", 0.5),
]
_FUNCTIONS = {
    "SmoothL1": keras_losses.smooth_l1,
    "Huber": keras_losses.huber,
    "BalancedL1": keras_losses.balanced_l1,
    "Pinball": keras_losses.pinball,
}


@pytest.mark.parametrize("name, argument, value", BAD)
def test_bad_hyperparameter_raises_naming_it(name, argument, value):
    with pytest.raises(ValueError, match=f"`{argument}` must be") as error:
        getattr(keras_losses, name)(**{argument: value})
    assert f"Received: {argument}=" in str(error.value)
    with pytest.raises(ValueError, match=f"`{argument}` must be"):
        _FUNCTIONS[name]([[0.0]], [[1.0]], **{argument: value})


def test_balanced_l1_ratio_bound():
    with pytest.raises(ValueError, match=r"`gamma / alpha` must be <= 50"):
        keras_losses.BalancedL1(alpha=0.01, gamma=1.0)


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"same shape.*\(2, 4\).*\(2, 3\)"):
        keras_losses.SmoothL1()(np.zeros((2, 4)), np.zeros((2, 3)))


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_nan_prediction_propagates(name):
    y_true, y_pred = _errors((3, 4), np.random.default_rng(11))
    y_pred[1, 2] = np.nan
    loss = numpy(FORMULAS[name][0](y_true, y_pred))
    assert np.isnan(loss[1]) and np.all(np.isfinite(loss[[0, 2]]))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64"])
@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_input_dtypes(dtype, name, backend):
    if dtype == "float64" and backend == "jax":
        import jax

        if not jax.config.jax_enable_x64:
            pytest.skip("JAX computes in float32 unless jax_enable_x64 is set")
    ours, formula = FORMULAS[name]
    y_true, y_pred = _errors((8, 4), np.random.default_rng(13))
    actual = ours(y_true, keras.ops.cast(y_pred, dtype))
    assert keras.backend.standardize_dtype(actual.dtype) == dtype
    tolerance = {"float16": 1e-2, "bfloat16": 5e-2, "float64": 1e-6}[dtype]
    np.testing.assert_allclose(
        numpy(actual), formula(y_true, y_pred), rtol=tolerance, atol=1e-2
    )
