"""Focal family: Keras parity, torchvision's formula, properties, extremes."""

import itertools

import keras
import numpy as np
import pytest

import keras_losses
from tests import reference
from tests.autodiff import finite_difference
from tests.autodiff import value_and_grad
from tests.helpers import numpy
from tests.helpers import one_hot
from tests.helpers import sample_weight
from tests.helpers import softmax
from tests.tolerance import assert_close
from tests.tolerance import record


def _ordinary(shape, from_logits, rng, axis=None):
    """Moderate logits, or probabilities away from 0 and 1."""
    if from_logits:
        return np.clip(rng.normal(0.0, 2.0, size=shape), -4, 4).astype(
            "float32"
        )
    if axis is None:
        return rng.uniform(0.05, 0.95, size=shape).astype("float32")
    logits = rng.normal(0.0, 1.0, size=shape)
    return softmax(logits, axis).astype("float32")


# --- Parity with Keras on ordinary inputs ----------------------------------

BINARY_GRID = list(
    itertools.product(
        [(6, 1), (4, 5), (3, 4, 5)],  # shape
        [False, True],  # apply_class_balancing
        [0.25, 0.7],  # alpha
        [0.0, 0.5, 2.0],  # gamma
        [False, True],  # from_logits
        [0.0, 0.2],  # label_smoothing
        [-1, 0],  # axis
    )
)


@pytest.mark.parametrize(
    "shape, balancing, alpha, gamma, from_logits, smoothing, axis",
    BINARY_GRID,
)
def test_binary_matches_keras(
    shape, balancing, alpha, gamma, from_logits, smoothing, axis
):
    rng = np.random.default_rng(10 * len(shape) + axis % len(shape))
    y_true = rng.integers(0, 2, size=shape).astype("float32")
    y_pred = _ordinary(shape, from_logits, rng)
    kwargs = dict(
        apply_class_balancing=balancing,
        alpha=alpha,
        gamma=gamma,
        from_logits=from_logits,
        label_smoothing=smoothing,
        axis=axis,
    )
    # Two reductions and weightings per case keep the grid fast; the
    # cross-entropy grid covers every reduction x weighting.
    loss_shape = tuple(np.delete(shape, axis % len(shape)))
    weights = sample_weight(
        "per_element" if balancing else None, loss_shape, rng
    )
    for reduction in ("sum_over_batch_size", None):
        ours = keras_losses.BinaryFocalCrossentropy(
            **kwargs, reduction=reduction
        )
        theirs = keras.losses.BinaryFocalCrossentropy(
            **kwargs, reduction=reduction
        )
        assert_close(
            numpy(ours(y_true, y_pred, sample_weight=weights)),
            numpy(theirs(y_true, y_pred, sample_weight=weights)),
            rtol=1e-5,
            atol=1e-7,
            reference="keras.losses.BinaryFocalCrossentropy (ordinary inputs)",
            case=f"{shape} {kwargs} {reduction}",
        )


CATEGORICAL_GRID = list(
    itertools.product(
        [(6, 3), (4, 5), (3, 4, 5)],  # shape
        [0.25, "per_class"],  # alpha
        [0.0, 0.5, 2.0],  # gamma
        [False, True],  # from_logits
        [0.0, 0.2],  # label_smoothing
        [-1, 1],  # axis
    )
)


@pytest.mark.parametrize(
    "shape, alpha, gamma, from_logits, smoothing, axis", CATEGORICAL_GRID
)
def test_categorical_matches_keras(
    shape, alpha, gamma, from_logits, smoothing, axis
):
    rng = np.random.default_rng(10 * len(shape) + axis % len(shape))
    classes = shape[axis]
    if alpha == "per_class":
        alpha = list(np.linspace(0.2, 2.0, classes))
    labels = rng.integers(0, classes, size=np.delete(shape, axis))
    y_true = one_hot(labels, classes, axis)
    y_pred = _ordinary(shape, from_logits, rng, axis=axis)
    kwargs = dict(
        alpha=alpha,
        gamma=gamma,
        from_logits=from_logits,
        label_smoothing=smoothing,
        axis=axis,
    )
    weights = rng.uniform(0.0, 2.0, size=labels.shape).astype("float32")
    ours = keras_losses.CategoricalFocalCrossentropy(**kwargs, reduction=None)
    actual = numpy(ours(y_true, y_pred, sample_weight=weights))
    axis_is_last = axis % len(shape) == len(shape) - 1
    if (smoothing and not axis_is_last) or (
        isinstance(alpha, list) and not axis_is_last
    ):
        # Keras smooths with the size of the last axis and lines per-class
        # alpha up with the last axis, whatever `axis` is: the formula.
        expected = weights * reference.categorical_focal_crossentropy(
            y_true, y_pred, **kwargs
        )
        name = "reference.categorical_focal_crossentropy (ordinary inputs)"
    else:
        theirs = keras.losses.CategoricalFocalCrossentropy(
            **kwargs, reduction=None
        )
        expected = numpy(theirs(y_true, y_pred, sample_weight=weights))
        name = "keras.losses.CategoricalFocalCrossentropy (ordinary inputs)"
    assert_close(
        actual, expected, rtol=1e-5, atol=1e-7, reference=name, case=f"{kwargs}"
    )


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [0.25, 0.5, 1.0])
@pytest.mark.parametrize("shape", [(32, 1), (8, 16, 4)])
def test_binary_balanced_matches_torchvision_formula(gamma, alpha, shape):
    rng = np.random.default_rng(29)
    targets = rng.integers(0, 2, size=shape).astype("float32")
    logits = rng.normal(0.0, 5.0, size=shape).astype("float32")
    loss = keras_losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, alpha=alpha, gamma=gamma, from_logits=True
    )
    expected = reference.sigmoid_focal_loss(logits, targets, alpha, gamma)
    assert_close(
        numpy(loss(targets, logits)),
        np.mean(expected),  # torchvision's reduction="mean"
        rtol=1e-5,
        atol=0.0,
        reference="torchvision sigmoid_focal_loss formula (float64)",
        case=f"{shape} alpha={alpha} gamma={gamma}",
    )


SPARSE_GRID = list(
    itertools.product(
        [(16, 4), (2, 4, 3, 5)],  # shape, class axis 1
        [0.25, [0.5, 1.0, 2.0, 0.0]],  # alpha
        [0.0, 0.5, 2.0, [2.0, 0.0, 1.0, 0.5]],  # gamma
        [False, True],  # from_logits
        [0.0, 0.3],  # label_smoothing
    )
)


@pytest.mark.parametrize(
    "shape, alpha, gamma, from_logits, smoothing", SPARSE_GRID
)
def test_sparse_equals_categorical_on_one_hot(
    shape, alpha, gamma, from_logits, smoothing
):
    rng = np.random.default_rng(31)
    labels = rng.integers(0, shape[1], size=shape[:1] + shape[2:])
    y_pred = rng.normal(0.0, 4.0, size=shape).astype("float32")
    if not from_logits:
        y_pred = softmax(y_pred, 1).astype("float32")
    kwargs = dict(
        alpha=alpha,
        gamma=gamma,
        from_logits=from_logits,
        label_smoothing=smoothing,
        axis=1,
    )
    sparse = keras_losses.sparse_categorical_focal_crossentropy(
        labels, y_pred, **kwargs
    )
    dense = keras_losses.categorical_focal_crossentropy(
        one_hot(labels, shape[1], 1), y_pred, **kwargs
    )
    assert_close(
        numpy(sparse),
        numpy(dense),
        rtol=1e-5,
        atol=1e-7,
        reference="categorical focal on one-hot labels",
        case=f"{shape} {kwargs}",
    )
    expected = reference.sparse_categorical_focal_crossentropy(
        labels, y_pred, **kwargs
    )
    assert_close(
        numpy(sparse),
        expected,
        rtol=1e-5,
        atol=1e-7,
        reference="reference.sparse_categorical_focal_crossentropy",
        case=f"{shape} {kwargs}",
    )


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
def test_sparse_ignore_class_and_bad_labels_as_sparse_crossentropy(reduction):
    rng = np.random.default_rng(37)
    labels = rng.integers(0, 3, size=(4, 6))
    labels[0, :2] = 255
    logits = rng.normal(size=(4, 6, 3)).astype("float32")
    common = dict(from_logits=True, ignore_class=255, reduction=reduction)
    focal = keras_losses.SparseCategoricalFocalCrossentropy(
        alpha=1.0, gamma=0.0, **common
    )
    ce = keras_losses.SparseCategoricalCrossentropy(**common)
    # gamma=0, alpha=1: the same loss, masks and reduction included.
    np.testing.assert_array_equal(
        numpy(focal(labels, logits)), numpy(ce(labels, logits))
    )
    focal = keras_losses.SparseCategoricalFocalCrossentropy(**common)
    expected = reference.sparse_categorical_focal_crossentropy(
        labels, logits, from_logits=True, ignore_class=255
    )
    kept = labels != 255
    if reduction == "sum_over_batch_size":
        expected = expected.sum() / kept.sum()
    elif reduction == "sum":
        expected = expected.sum()
    np.testing.assert_allclose(
        numpy(focal(labels, logits)), expected, rtol=1e-5, atol=1e-7
    )
    labels[1, 1] = 3  # out of range: NaN, never a silent number
    values = numpy(
        keras_losses.sparse_categorical_focal_crossentropy(
            labels, logits, from_logits=True, ignore_class=255
        )
    )
    assert np.isnan(values[1, 1]) and np.sum(np.isnan(values)) == 1


# --- Properties, in the style of torchvision's focal tests -----------------

REGIMES = {
    # name: (logit of the labelled class, logits of the others)
    "confidently_right": (12.0, 0.0),
    "confidently_wrong": (-12.0, 0.0),
    "uncertain": (0.3, 0.0),
}
PROPERTY_GRID = list(
    itertools.product(
        sorted(REGIMES),
        [0.25, 1.0],  # alpha
        [0.5, 1.0, 2.0],  # gamma
        ["float32", "float64"],
        [0, 1],  # seed
    )
)


def _regime_inputs(regime, dtype, seed, classes=4, samples=16):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, size=samples)
    target, other = REGIMES[regime]
    logits = other + rng.normal(0.0, 0.5, size=(samples, classes))
    logits[np.arange(samples), labels] = target + rng.normal(0.0, 0.5, samples)
    return labels, logits.astype(dtype)


def _skip_float64_on_plain_jax(dtype):
    if dtype == "float64" and keras.backend.backend() == "jax":
        import jax

        if not jax.config.jax_enable_x64:
            pytest.skip("JAX computes in float32 unless jax_enable_x64 is set")


@pytest.mark.parametrize("regime, alpha, gamma, dtype, seed", PROPERTY_GRID)
def test_focal_is_alpha_t_times_modulated_crossentropy(
    regime, alpha, gamma, dtype, seed
):
    _skip_float64_on_plain_jax(dtype)
    labels, logits = _regime_inputs(regime, dtype, seed)
    focal = numpy(
        keras_losses.sparse_categorical_focal_crossentropy(
            labels, logits, alpha=alpha, gamma=gamma, from_logits=True
        )
    )
    ce = numpy(
        keras_losses.sparse_categorical_crossentropy(
            labels, logits, from_logits=True
        )
    )
    # 1 - p_t in float64, summed over the other classes.
    p = np.exp(reference.log_softmax(logits.astype("float64"), -1))
    others = p.sum(axis=-1) - p[np.arange(len(labels)), labels]
    factor = alpha * others**gamma
    rtol = 1e-5 if dtype == "float32" else 1e-10
    if dtype == "float64" and keras.backend.backend() == "torch":
        rtol = 1e-8  # Keras's torch `ops.mean` sums float64 in float32
    assert np.all(focal >= 0) and np.all(focal <= alpha * ce * (1 + rtol))
    if alpha == 1.0:
        assert np.all(focal <= ce * (1 + rtol))  # focal <= cross-entropy
    if regime == "confidently_right" and dtype == "float32":
        # Here the float32 cross-entropy itself (Keras's kernel: 1e-5 as a
        # difference of logits near 12) is off by up to 5%, so the ratio
        # would test it; the focal loss is held to the float64 formula.
        expected = reference.sparse_categorical_focal_crossentropy(
            labels, logits, alpha=alpha, gamma=gamma, from_logits=True
        )
        np.testing.assert_allclose(focal, expected, rtol=1e-4)
    else:
        np.testing.assert_allclose(focal / ce, factor, rtol=100 * rtol)
    binary_labels = (labels == 0).astype(dtype)
    binary = numpy(
        keras_losses.binary_focal_crossentropy(
            binary_labels[:, None],
            logits[:, :1],
            gamma=gamma,
            alpha=alpha,
            apply_class_balancing=True,
            from_logits=True,
        )
    )
    bce = numpy(
        keras_losses.binary_crossentropy(
            binary_labels[:, None], logits[:, :1], from_logits=True
        )
    )
    x = logits[:, 0].astype("float64")
    p_t = np.where(
        binary_labels == 1, 1 / (1 + np.exp(-x)), 1 / (1 + np.exp(x))
    )
    alpha_t = np.where(binary_labels == 1, alpha, 1 - alpha)
    usable = bce > 1e-30
    np.testing.assert_allclose(
        binary[usable] / bce[usable],
        (alpha_t * (1 - p_t) ** gamma)[usable],
        rtol=100 * rtol,
    )


_GAMMA_ZERO = [
    (
        keras_losses.binary_focal_crossentropy,
        keras_losses.binary_crossentropy,
        "binary",
    ),
    (
        keras_losses.categorical_focal_crossentropy,
        keras_losses.categorical_crossentropy,
        "categorical",
    ),
    (
        keras_losses.sparse_categorical_focal_crossentropy,
        keras_losses.sparse_categorical_crossentropy,
        "sparse",
    ),
]


@pytest.mark.parametrize("focal, ce, kind", _GAMMA_ZERO)
@pytest.mark.parametrize("regime", sorted(REGIMES))
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_gamma_zero_is_crossentropy_in_value_and_gradient(
    focal, ce, kind, regime, smoothing
):
    labels, logits = _regime_inputs(regime, "float32", 3)
    y_true = labels
    if kind == "categorical":
        y_true = one_hot(labels, logits.shape[-1], -1)
    elif kind == "binary":
        y_true = one_hot(labels, logits.shape[-1], -1)
    extra = {"alpha": 1.0} if kind != "binary" else {}
    common = dict(from_logits=True, label_smoothing=smoothing)
    focal_value, focal_grad = value_and_grad(
        lambda x: keras.ops.sum(focal(y_true, x, gamma=0.0, **extra, **common)),
        logits,
    )
    ce_value, ce_grad = value_and_grad(
        lambda x: keras.ops.sum(ce(y_true, x, **common)), logits
    )
    np.testing.assert_array_equal(focal_value, ce_value)
    np.testing.assert_array_equal(focal_grad, ce_grad)


# --- Extreme logits: ours against the float64 reference, and Keras's -----

SCALES = [20.0, 100.0, 1e4]
EXTREME_GAMMAS = [0.5, 2.0]


def _extreme_inputs(kind, scale, seed=41, samples=48, classes=3):
    """Confidently right, confidently wrong and tied logits at +-scale."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, size=samples)
    logits = rng.choice([-1.0, 0.0, 1.0], size=(samples, classes)) * scale
    if kind == "binary":
        return rng.integers(0, 2, size=(samples, classes)).astype(
            "float32"
        ), logits.astype("float32")
    if kind == "categorical":
        return one_hot(labels, classes, -1), logits.astype("float32")
    return labels, logits.astype("float32")


_FOCAL = {
    "binary": (
        keras_losses.binary_focal_crossentropy,
        reference.binary_focal_crossentropy,
        {"apply_class_balancing": True, "alpha": 0.25},
        "BinaryFocalCrossentropy",
    ),
    "categorical": (
        keras_losses.categorical_focal_crossentropy,
        reference.categorical_focal_crossentropy,
        {"alpha": 0.25},
        "CategoricalFocalCrossentropy",
    ),
    "sparse": (
        keras_losses.sparse_categorical_focal_crossentropy,
        reference.sparse_categorical_focal_crossentropy,
        {"alpha": 0.25},
        None,
    ),
}


def _reference_value_and_grad(formula, y_true, logits, kwargs):
    def losses(x):
        return formula(y_true, x, **kwargs)

    # Rounding error ~ 1e-16 * |loss| / step stays near 1e-7 at logits of
    # 1e4; truncation error ~ step**2 is negligible.
    value = np.sum(losses(logits))
    return value, finite_difference(losses, logits, step=1e-5)


@pytest.mark.parametrize("kind", sorted(_FOCAL))
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("gamma", EXTREME_GAMMAS)
def test_extreme_logits_exact_and_finite(kind, scale, gamma):
    ours, formula, kwargs, _ = _FOCAL[kind]
    y_true, logits = _extreme_inputs(kind, scale)
    kwargs = dict(kwargs, gamma=gamma, from_logits=True)
    value, grad = value_and_grad(
        lambda x: keras.ops.sum(ours(y_true, x, **kwargs)), logits
    )
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    ref_value, ref_grad = _reference_value_and_grad(
        formula, y_true, logits, kwargs
    )
    case = f"{kind} scale={scale} gamma={gamma}"
    assert_close(
        value,
        ref_value,
        rtol=1e-5,
        atol=0.0,
        reference=f"float64 reference, extreme logits: {kind} focal loss",
        case=case,
    )
    assert_close(
        grad,
        ref_grad,
        rtol=1e-4,
        atol=1e-6,
        reference=f"float64 reference, extreme logits: {kind} focal gradient",
        case=case,
    )
    # A gradient that is not zero in exact arithmetic is not zero here.
    assert np.all((np.abs(ref_grad) > 1e-6) <= (grad != 0))


@pytest.mark.parametrize("kind", ["binary", "categorical"])
@pytest.mark.parametrize("scale", SCALES)
def test_keras_builtin_fails_the_same_check(kind, scale, backend):
    """Documents, not assumes, where Keras's focal losses lose the gradient.

    The errors are recorded for the closing summary next to ours.
    """
    _, formula, kwargs, name = _FOCAL[kind]
    y_true, logits = _extreme_inputs(kind, scale)
    kwargs = dict(kwargs, gamma=2.0, from_logits=True)
    keras_loss = getattr(keras.losses, name)(**kwargs, reduction="sum")
    value, grad = value_and_grad(lambda x: keras_loss(y_true, x), logits)
    ref_value, ref_grad = _reference_value_and_grad(
        formula, y_true, logits, kwargs
    )
    value_error = abs(float(value) - ref_value) / abs(ref_value)
    wrong = np.abs(ref_grad) > 1e-6
    lost = np.mean(grad[wrong] == 0) if np.any(wrong) else 0.0
    record(
        f"keras.losses.{name}, extreme logits: loss",
        value_error,
        f"scale={scale}, {lost:.0%} of non-zero gradients lost",
    )
    if kind == "categorical" or backend != "tensorflow":
        # Softmax/sigmoid, clip, log: the confidently wrong elements sit at
        # -log(1e-7) with a zero gradient.
        assert value_error > 0.1 and lost > 0.2
    else:
        # On TensorFlow Keras recovers the logits of a sigmoid output
        # (`_keras_logits`), so its binary focal loss holds up here.
        assert value_error < 1e-3


@pytest.mark.parametrize("kind", sorted(_FOCAL))
@pytest.mark.parametrize("gamma", [0.1, 0.5, 0.9])
def test_gamma_below_one_keeps_gradients_finite(kind, gamma):
    ours, formula, kwargs, _ = _FOCAL[kind]
    y_true, logits = _extreme_inputs(kind, 30.0)
    # Probabilities exactly 0 and 1 (clipped, as Keras does).
    probabilities = (logits > 0).astype("float32")
    if kind != "binary":
        probabilities = one_hot(np.argmax(logits, -1), logits.shape[-1], -1)
    for from_logits, y_pred in ((True, logits), (False, probabilities)):
        args = dict(kwargs, gamma=gamma, from_logits=from_logits)
        value, grad = value_and_grad(
            lambda x, args=args: keras.ops.sum(ours(y_true, x, **args)), y_pred
        )
        assert np.isfinite(value) and np.all(np.isfinite(grad)), args


# --- Bad hyperparameters -------------------------------------------------

BAD = {
    "BinaryFocalCrossentropy": [
        ("gamma", -1.0),
        ("gamma", float("inf")),
        ("gamma", [1.0, 2.0]),
        ("alpha", 1.5),
        ("alpha", -0.1),
        ("alpha", float("nan")),
        ("alpha", [0.25]),
        ("apply_class_balancing", "yes"),
        ("label_smoothing", 2.0),
        ("from_logits", None),
        ("axis", 1.5),
    ],
    "CategoricalFocalCrossentropy": [
        ("gamma", -1.0),
        ("gamma", [1.0, -2.0]),
        ("gamma", float("nan")),
        ("gamma", None),
        ("alpha", -0.5),
        ("alpha", [1.0, float("inf")]),
        ("alpha", []),
        ("alpha", None),
        ("label_smoothing", -1.0),
        ("axis", True),
    ],
    "SparseCategoricalFocalCrossentropy": [
        ("gamma", -0.5),
        ("gamma", [[1.0, 2.0]]),
        ("alpha", [1.0, -1.0]),
        ("alpha", "0.25"),
        ("ignore_class", 2.5),
        ("label_smoothing", float("nan")),
    ],
}
_FUNCTIONS = {
    "BinaryFocalCrossentropy": keras_losses.binary_focal_crossentropy,
    "CategoricalFocalCrossentropy": keras_losses.categorical_focal_crossentropy,
    "SparseCategoricalFocalCrossentropy": (
        keras_losses.sparse_categorical_focal_crossentropy
    ),
}


@pytest.mark.parametrize(
    "name, argument, value",
    [(name, a, v) for name, cases in BAD.items() for a, v in cases],
)
def test_bad_hyperparameter_raises_naming_it(name, argument, value):
    with pytest.raises(ValueError, match=f"`{argument}` must be") as error:
        getattr(keras_losses, name)(**{argument: value})
    assert f"Received: {argument}=" in str(error.value)
    y_true = [1] if name.startswith("Sparse") else [[0.0, 1.0]]
    with pytest.raises(ValueError, match=f"`{argument}` must be"):
        _FUNCTIONS[name](y_true, [[0.5, 0.5]], **{argument: value})


@pytest.mark.parametrize("argument", ["alpha", "gamma"])
@pytest.mark.parametrize(
    "name",
    ["CategoricalFocalCrossentropy", "SparseCategoricalFocalCrossentropy"],
)
def test_wrong_length_per_class_vector_raises_at_call(argument, name):
    loss = getattr(keras_losses, name)(**{argument: [1.0, 2.0]})
    y_true = [1] if name.startswith("Sparse") else [[0.0, 1.0, 0.0]]
    with pytest.raises(ValueError, match=f"`{argument}` must have one entry"):
        loss(y_true, [[0.2, 0.3, 0.5]])


@pytest.mark.parametrize(
    "name",
    ["CategoricalFocalCrossentropy", "SparseCategoricalFocalCrossentropy"],
)
def test_one_class_raises(name):
    y_true = [0] if name.startswith("Sparse") else [[1.0]]
    with pytest.raises(ValueError, match="at least 2 classes"):
        getattr(keras_losses, name)()(y_true, [[1.0]])


# --- Bad tensors and dtypes ------------------------------------------------


@pytest.mark.parametrize(
    "function",
    [
        keras_losses.binary_focal_crossentropy,
        keras_losses.categorical_focal_crossentropy,
    ],
)
def test_shape_mismatch_names_both_shapes(function):
    with pytest.raises(ValueError, match=r"same shape.*\(3, 1\).*\(3, 2\)"):
        function(np.zeros((3, 1)), np.full((3, 2), 0.5))


@pytest.mark.parametrize("kind", sorted(_FOCAL))
@pytest.mark.parametrize("from_logits", [False, True])
def test_nan_prediction_propagates(kind, from_logits, backend):
    ours, _, kwargs, _ = _FOCAL[kind]
    y_true, logits = _extreme_inputs(kind, 1.0, samples=4)
    y_pred = logits if from_logits else softmax(logits, -1).astype("float32")
    y_pred[1, 0] = np.nan
    if kind == "binary" and not from_logits and backend == "torch":
        # Keras's torch kernel for probabilities refuses NaN: loud too.
        with pytest.raises(RuntimeError, match="between 0 and 1"):
            ours(y_true, y_pred, from_logits=from_logits, **kwargs)
        return
    loss = numpy(ours(y_true, y_pred, from_logits=from_logits, **kwargs))
    assert np.isnan(loss[1]) and np.all(np.isfinite(np.delete(loss, 1)))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64"])
@pytest.mark.parametrize("kind", sorted(_FOCAL))
def test_input_dtypes(dtype, kind, backend):
    _skip_float64_on_plain_jax(dtype)
    if backend == "torch" and kind == "binary" and dtype == "bfloat16":
        pytest.skip(
            "Keras's torch binary_crossentropy lacks bfloat16 (Keras too)"
        )
    ours, formula, kwargs, _ = _FOCAL[kind]
    y_true, logits = _extreme_inputs(kind, 2.0, samples=8)
    y_pred = keras.ops.cast(logits, dtype)
    actual = ours(y_true, y_pred, from_logits=True, **kwargs)
    assert keras.backend.standardize_dtype(actual.dtype) == dtype
    expected = formula(y_true, logits, from_logits=True, **kwargs)
    tolerance = {"float16": 1e-2, "bfloat16": 5e-2, "float64": 1e-6}[dtype]
    np.testing.assert_allclose(
        numpy(actual), expected, rtol=tolerance, atol=1e-3
    )


# The logits kernels write their gradients out by hand (`_focal_logits`),
# also with respect to the labels, which autodiff no longer checks for them.
_LABEL_GRADIENT_CASES = {
    "binary": (
        keras_losses.binary_focal_crossentropy,
        reference.binary_focal_crossentropy,
        {"gamma": 0.5, "label_smoothing": 0.1},
    ),
    "categorical": (
        keras_losses.categorical_focal_crossentropy,
        reference.categorical_focal_crossentropy,
        {"gamma": [0.5, 2.0, 1.0, 3.0], "alpha": [0.2, 1.0, 0.5, 2.0]},
    ),
}


@pytest.mark.parametrize("kind", sorted(_LABEL_GRADIENT_CASES))
def test_gradient_with_respect_to_soft_labels(kind):
    ours, formula, kwargs = _LABEL_GRADIENT_CASES[kind]
    rng = np.random.default_rng(7)
    logits = rng.normal(0.0, 2.0, size=(3, 4)).astype("float32")
    logits[0, 1] = 12.0  # one confidently right top class
    labels = rng.uniform(0.0, 1.0, size=(3, 4)).astype("float32")
    if kind == "categorical":
        labels /= labels.sum(axis=-1, keepdims=True)

    def loss_of_labels(y):
        return keras.ops.sum(ours(y, logits, from_logits=True, **kwargs))

    _, grad = value_and_grad(loss_of_labels, labels)
    expected = finite_difference(
        lambda y: formula(y, logits, from_logits=True, **kwargs),
        labels,
    )
    assert_close(
        grad,
        expected,
        rtol=1e-4,
        atol=1e-5,
        reference="float64 finite differences: focal, d/d labels",
        case=kind,
    )


def _second_derivative_row(function, y_true, logits, backend):
    """d/dx of (dL/dx_0), by each backend's autodiff."""

    def loss(x):
        return keras.ops.sum(function(y_true, x, from_logits=True))

    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.constant(logits)
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                value = loss(x)
            first = inner.gradient(value, x)[0, 0]
        return outer.gradient(first, x).numpy()
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(lambda x: jax.grad(loss)(x)[0, 0])(logits))
    import torch

    x = torch.tensor(logits, requires_grad=True)
    (first,) = torch.autograd.grad(loss(x), x, create_graph=True)
    (second,) = torch.autograd.grad(first[0, 0], x)
    return second.numpy()


@pytest.mark.parametrize("kind", sorted(_LABEL_GRADIENT_CASES))
def test_second_derivatives_through_the_written_out_gradient(kind, backend):
    # The closed-form gradient is itself differentiable on TensorFlow and
    # JAX. Keras's torch custom_gradient runs the forward pass without
    # autograd, so a second derivative raises there (never a wrong number).
    ours, _, _ = _LABEL_GRADIENT_CASES[kind]
    logits = np.array([[0.3, -1.2, 2.0, 0.5]], dtype="float32")
    y_true = np.array([[0.0, 1.0, 0.0, 0.0]], dtype="float32")
    if backend == "torch":
        with pytest.raises(RuntimeError, match="does not require grad"):
            _second_derivative_row(ours, y_true, logits, backend)
        return
    second = _second_derivative_row(ours, y_true, logits, backend)

    def first_derivative(x):
        _, grad = value_and_grad(
            lambda x: keras.ops.sum(ours(y_true, x, from_logits=True)), x
        )
        return grad[0, 0]

    step = 1e-2
    expected = np.zeros_like(logits)
    for j in range(logits.shape[1]):
        up, down = logits.copy(), logits.copy()
        up[0, j] += step
        down[0, j] -= step
        expected[0, j] = (first_derivative(up) - first_derivative(down)) / (
            2 * step
        )
    np.testing.assert_allclose(second, expected, rtol=2e-3, atol=2e-4)


@pytest.mark.parametrize("kind", sorted(_FOCAL))
def test_forward_traced_without_a_tape_keeps_the_written_out_gradient(
    kind, backend
):
    """On TensorFlow a forward pass outside a gradient tape skips the
    gradient (`_focal_logits._recording`); a tape meeting that trace later
    must still get the closed-form gradient, finite at extreme logits with
    gamma < 1, where autodiff of the formula gives 0 * inf."""
    if backend != "tensorflow":
        pytest.skip("gradient tapes and traces are TensorFlow's")
    import tensorflow as tf

    ours, _, kwargs, _ = _FOCAL[kind]
    y_true, logits = _extreme_inputs(kind, 1e4)
    kwargs = dict(kwargs, gamma=0.5, from_logits=True)
    y_true, logits = tf.constant(y_true), tf.constant(logits)
    traced = tf.function(lambda y, x: tf.reduce_sum(ours(y, x, **kwargs)))
    traced(y_true, logits)  # traced here, without a tape
    with tf.GradientTape() as tape:
        tape.watch(logits)
        value = traced(y_true, logits)  # the same trace
    grad = tape.gradient(value, logits).numpy()
    expected_value, expected_grad = value_and_grad(
        lambda x: keras.ops.sum(ours(y_true, x, **kwargs)), logits
    )
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(value.numpy(), expected_value, rtol=1e-6)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-6, atol=1e-12)
