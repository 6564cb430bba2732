"""Property-based tests: every loss on generated shapes, dtypes, arguments.

Hypothesis draws, for each public loss, a shape (rank 1 to 4, batch 0 to
64, classes 1 to 50), a dtype, hyperparameters over their valid range,
`axis`, a reduction and `sample_weight`, and inputs from ordinary to extreme
(logits up to +-1e4, probabilities exactly 0 and 1). The loss must match the
float64 reference of tests/reference.py (tolerance set by the dtype), its
gradient must be finite, and on ordinary float64 inputs it must match
central differences of the reference.

The number of examples comes from the hypothesis profile, chosen with the
KERAS_LOSSES_PROFILE environment variable: "ci" (default, fast) or "large"
(see tests/conftest.py).
"""

import inspect
from typing import Any
from typing import NamedTuple

import keras
import numpy as np
import pytest
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import keras_losses
from tests import reference
from tests.autodiff import finite_difference
from tests.autodiff import value_and_grad
from tests.helpers import numpy
from tests.tolerance import count

# float64: Keras's TensorFlow sparse kernel renormalises probabilities after
# clipping them, which moves a clipped loss by up to C * epsilon (5e-6).
RTOL = {"float64": 1e-5, "float32": 2e-4, "float16": 3e-2, "bfloat16": 1.5e-1}
EXTREME_LOGITS = [-1e4, -100.0, -20.0, 0.0, 20.0, 100.0, 1e4]


class Spec(NamedTuple):
    kind: str  # "binary", "quality" (soft targets), "categorical", "sparse"
    # or "regression"
    reference: Any
    hyperparameters: Any  # a function: draw -> kwargs
    min_classes: int = 1


def _unit(draw):
    return draw(st.floats(0.0, 1.0))


def _weights(draw, classes, scalar_ok, optional):
    choices = ["vector"] if classes else []
    choices += ["scalar"] if scalar_ok else []
    choices += ["none"] if optional else []
    choice = draw(st.sampled_from(choices))
    if choice == "none":
        return None
    if choice == "scalar":
        return draw(st.floats(0.0, 5.0))
    return draw(
        st.lists(st.floats(0.0, 5.0), min_size=classes, max_size=classes)
    )


def _binary_ce(draw, classes):
    return dict(
        label_smoothing=_unit(draw),
        pos_weight=_weights(draw, classes, scalar_ok=True, optional=True),
    )


def _categorical_ce(draw, classes):
    return dict(
        label_smoothing=_unit(draw),
        class_weight=_weights(draw, classes, scalar_ok=False, optional=True),
    )


def _binary_focal(draw, classes):
    return dict(
        apply_class_balancing=draw(st.booleans()),
        alpha=_unit(draw),
        gamma=draw(st.floats(0.0, 5.0)),
        label_smoothing=_unit(draw),
    )


def _categorical_focal(draw, classes):
    return dict(
        alpha=_weights(draw, classes, scalar_ok=True, optional=False),
        gamma=_weights(draw, classes, scalar_ok=True, optional=False),
        label_smoothing=_unit(draw),
    )


def _asymmetric(draw, classes):
    return dict(
        gamma_pos=draw(st.sampled_from([0.0, 0.5, 1.0, 2.0])),
        gamma_neg=draw(st.sampled_from([0.0, 0.5, 2.0, 4.0])),
        clip=draw(st.sampled_from([0.0, 0.05, 0.2])),
        label_smoothing=_unit(draw),
    )


def _poly1(draw, classes):
    return dict(epsilon=draw(st.floats(-1.0, 3.0)), label_smoothing=_unit(draw))


def _quality_focal(draw, classes):
    return dict(beta=draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])))


def _varifocal(draw, classes):
    return dict(
        alpha=draw(st.floats(0.0, 2.0)),
        gamma=draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])),
    )


def _smooth_l1(draw, classes):
    return dict(beta=draw(st.sampled_from([0.0, 0.1, 1.0, 2.5])))


def _huber(draw, classes):
    return dict(delta=draw(st.floats(0.01, 5.0)))


def _balanced_l1(draw, classes):
    alpha = draw(st.floats(0.05, 2.0))
    gamma = draw(st.floats(0.05, min(5.0, 50 * alpha)))
    return dict(alpha=alpha, gamma=gamma, beta=draw(st.floats(0.0, 3.0)))


def _pinball(draw, classes):
    if not classes or draw(st.booleans()):
        return dict(tau=_unit(draw))
    return dict(
        tau=draw(
            st.lists(st.floats(0.0, 1.0), min_size=classes, max_size=classes)
        )
    )


SPECS = {
    "binary_crossentropy": Spec(
        "binary", reference.binary_crossentropy, _binary_ce
    ),
    "categorical_crossentropy": Spec(
        "categorical", reference.categorical_crossentropy, _categorical_ce
    ),
    "sparse_categorical_crossentropy": Spec(
        "sparse", reference.sparse_categorical_crossentropy, _categorical_ce
    ),
    "binary_focal_crossentropy": Spec(
        "binary", reference.binary_focal_crossentropy, _binary_focal
    ),
    "categorical_focal_crossentropy": Spec(
        "categorical",
        reference.categorical_focal_crossentropy,
        _categorical_focal,
        min_classes=2,
    ),
    "sparse_categorical_focal_crossentropy": Spec(
        "sparse",
        reference.sparse_categorical_focal_crossentropy,
        _categorical_focal,
        min_classes=2,
    ),
    "asymmetric_loss": Spec("binary", reference.asymmetric_loss, _asymmetric),
    "binary_poly1_crossentropy": Spec(
        "binary", reference.binary_poly1_crossentropy, _poly1
    ),
    "categorical_poly1_crossentropy": Spec(
        "categorical", reference.categorical_poly1_crossentropy, _poly1
    ),
    "sparse_categorical_poly1_crossentropy": Spec(
        "sparse", reference.sparse_categorical_poly1_crossentropy, _poly1
    ),
    "quality_focal_loss": Spec(
        "quality", reference.quality_focal_loss, _quality_focal
    ),
    "varifocal_loss": Spec("quality", reference.varifocal_loss, _varifocal),
    "smooth_l1": Spec("regression", reference.smooth_l1, _smooth_l1),
    "huber": Spec("regression", reference.huber, _huber),
    "balanced_l1": Spec("regression", reference.balanced_l1, _balanced_l1),
    "pinball": Spec("regression", reference.pinball, _pinball),
}


def test_every_public_function_has_a_spec():
    functions = {
        name
        for name in keras_losses.__all__
        if inspect.isfunction(getattr(keras_losses, name))
    }
    # class_balanced_weights makes weights, not a loss (tested in
    # tests/test_imbalance.py).
    functions.discard("class_balanced_weights")
    assert functions == (
        set(SPECS) | set(SET_SPECS) | set(BOX_SPECS) | set(METRIC_SPECS)
    )


def _dtypes(spec):
    dtypes = ["float32", "float16", "bfloat16", "float64"]
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        if not jax.config.jax_enable_x64:
            dtypes.remove("float64")  # JAX computes in float32 then
    if backend == "torch" and spec.kind == "binary":
        dtypes.remove("bfloat16")  # Keras's torch binary kernel lacks it
    return dtypes


class Case(NamedTuple):
    y_true: Any
    y_pred: Any  # float64 values, exactly representable in `dtype`
    dtype: str
    kwargs: dict
    ordinary: bool
    sample_weight: Any
    reduction: Any


def _round_to(values, dtype):
    return numpy(keras.ops.cast(keras.ops.cast(values, "float32"), dtype))


@st.composite
def cases(draw, spec, dtypes=None):
    dtype = draw(st.sampled_from(dtypes or _dtypes(spec)))
    rank = draw(st.integers(1, 4))
    classes = draw(st.integers(max(spec.min_classes, 1), 50))
    if spec.kind == "regression":
        classes = draw(st.integers(1, 8))
    batch = draw(st.integers(0, 64))
    middle = draw(
        st.lists(
            st.integers(1, 3),
            min_size=max(rank - 2, 0),
            max_size=max(rank - 2, 0),
        )
    )
    shape = ([batch] + middle + [classes])[-rank:] if rank > 1 else [classes]
    if spec.kind in ("binary", "quality", "regression") and rank == 1:
        shape = [batch]
    assume(np.prod(shape) <= 4096)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    axis = draw(st.integers(-rank, rank - 1)) if rank > 1 else -1
    if spec.kind in ("categorical", "sparse"):
        axis = -1  # the class axis; moved below when rank > 1
    kwargs = spec.hyperparameters(draw, shape[-1])
    ordinary = draw(st.booleans())
    from_logits = draw(st.booleans()) if spec.kind != "regression" else None

    if spec.kind == "regression":
        scale = 2.0 if ordinary else 100.0
        y_true = rng.normal(0.0, 1.0, size=shape)
        y_pred = y_true + rng.normal(0.0, scale, size=shape)
    elif from_logits:
        if ordinary:
            y_pred = rng.normal(0.0, 3.0, size=shape)
        else:
            y_pred = rng.choice(EXTREME_LOGITS, size=shape)
    elif spec.kind in ("binary", "quality"):
        if ordinary:
            y_pred = rng.uniform(0.02, 0.98, size=shape)
        else:
            y_pred = rng.choice([0.0, 1.0, 0.5], size=shape)
    else:
        if ordinary:
            logits = rng.normal(0.0, 1.0, size=shape)
            y_pred = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
        else:  # one-hot probabilities: exact zeros and ones
            y_pred = np.eye(shape[-1])[
                rng.integers(0, shape[-1], size=shape[:-1])
            ]
    if from_logits is not None:
        kwargs["from_logits"] = from_logits

    if spec.kind == "binary":
        y_true = rng.integers(0, 2, size=shape).astype("float64")
    elif spec.kind == "quality":  # 0, or a score in (0, 1]
        scores = rng.choice([0.3, 0.75, 1.0, rng.uniform()], size=shape)
        y_true = np.where(rng.random(shape) < 0.5, 0.0, scores)
    elif spec.kind in ("categorical", "sparse"):
        labels = rng.integers(0, shape[-1], size=shape[:-1])
        if spec.kind == "sparse" and draw(st.booleans()):
            kwargs["ignore_class"] = -1
            labels = np.where(rng.random(labels.shape) < 0.2, -1, labels)
        y_true = labels if spec.kind == "sparse" else np.eye(shape[-1])[labels]
        if rank > 1 and draw(st.booleans()):  # class axis elsewhere
            axis = draw(st.integers(0, rank - 2))
            y_pred = np.moveaxis(y_pred, -1, axis)
            if spec.kind == "categorical":
                y_true = np.moveaxis(y_true, -1, axis)
    if "pos_weight" in kwargs and isinstance(kwargs["pos_weight"], list):
        axis = draw(st.integers(-rank, rank - 1))  # pos_weight: last axis
    kwargs["axis"] = axis

    loss_shape = tuple(np.delete(np.shape(y_pred), axis % rank))
    weighting = draw(
        st.sampled_from([None, "scalar", "per_sample", "per_element"])
    )
    sample_weight = None
    if weighting == "scalar":
        sample_weight = 2.5
    elif weighting and loss_shape:
        shape_w = loss_shape
        if weighting == "per_sample":
            shape_w = loss_shape[:1] + (1,) * (len(loss_shape) - 1)
        sample_weight = rng.uniform(0.0, 2.0, size=shape_w)
    reduction = draw(
        st.sampled_from(
            ["sum_over_batch_size", "sum", "mean_with_sample_weight", None]
        )
    )
    y_pred = _round_to(y_pred, dtype)
    if spec.kind != "sparse":
        y_true = _round_to(y_true, dtype)
    return Case(
        y_true, y_pred, dtype, kwargs, ordinary, sample_weight, reduction
    )


def _reference(spec, case):
    kwargs = dict(case.kwargs)
    if "dtype" in inspect.signature(spec.reference).parameters:
        # Half-precision inputs are computed (and clipped) in float32.
        kwargs["dtype"] = "float64" if case.dtype == "float64" else "float32"
    return spec.reference(case.y_true, case.y_pred, **kwargs)


# Largest finite numbers: a true loss beyond it is inf in that dtype.
_LARGEST = {"float16": 65504.0, "bfloat16": 3.38e38}


def _close(actual, expected, dtype, what, computed_in=None):
    """Close to within `dtype`'s tolerance; `computed_in` sets the range."""
    rtol = RTOL[dtype]
    actual, expected = np.broadcast_arrays(
        np.asarray(actual, "float64"), np.asarray(expected, "float64")
    )
    largest = _LARGEST.get(computed_in or dtype, np.inf)
    size = np.abs(expected)
    too_big = size > largest * (1 + rtol)  # out of the dtype's range: inf
    assert np.all(np.isinf(actual[too_big])), what
    # At the edge of the range, rounding may give inf or the largest number.
    kept = size <= largest * (1 - rtol)
    kept |= ~np.isfinite(expected)
    actual, expected = actual[kept], expected[kept]
    finite = np.isfinite(expected)
    scale = max(1.0, float(np.max(np.abs(expected[finite]), initial=0.0)))
    np.testing.assert_allclose(
        actual, expected, rtol=rtol, atol=rtol * scale, err_msg=what
    )


def _torch_sparse_probability_gradient_bug(spec, case):
    """Keras's torch sparse kernel cannot differentiate rank > 2 probabilities.

    It moves the class axis for nll_loss, whose backward pass then fails
    ("grad_input must be contiguous"), for Keras's own built-in too.
    """
    return (
        keras.backend.backend() == "torch"
        and spec.kind == "sparse"
        and not case.kwargs.get("from_logits")
        and case.y_pred.ndim > 2
    )


def _gradient(function, case):
    """The gradient of the summed loss at `case.y_pred`, cast to its dtype."""
    _, grad = value_and_grad(
        lambda x: keras.ops.cast(
            keras.ops.sum(
                function(
                    case.y_true, keras.ops.cast(x, case.dtype), **case.kwargs
                )
            ),
            "float32",
        ),
        case.y_pred.astype("float64" if case.dtype == "float64" else "float32"),
    )
    return grad


def _assert_partial_derivative(grad, where, reference_at, y_pred, case):
    """`grad[where]` against central differences of the reference there."""

    def along(t):
        moved = y_pred.copy()
        moved[where] = t[0]
        return reference_at(moved)

    expected = finite_difference(along, np.array([y_pred[where]]), 1e-6)
    np.testing.assert_allclose(
        grad[where], expected[0], rtol=1e-4, atol=1e-6, err_msg=str(case)
    )


def _skip_float64_on_plain_jax():
    if keras.backend.backend() == "jax":
        import jax

        if not jax.config.jax_enable_x64:
            pytest.skip("JAX computes in float32 unless jax_enable_x64 is set")


# The property tests, as the summary of generated cases names them: each
# case is counted under the loss's class, for the class and its function.
_REFERENCE_TEST = "test_generated_inputs_match_the_reference"
_GRADIENT_TEST = "test_gradient_matches_finite_differences"


def _check(name, case):
    spec = SPECS[name]
    function = getattr(keras_losses, name)
    y_pred = keras.ops.cast(case.y_pred, case.dtype)
    expected = _reference(spec, case)
    actual = function(case.y_true, y_pred, **case.kwargs)
    assert keras.backend.standardize_dtype(actual.dtype) == case.dtype
    assert tuple(actual.shape) == np.shape(expected), f"{name} {case}"
    _close(numpy(actual), expected, case.dtype, f"{name} {case}")
    assert not np.any(np.isnan(numpy(actual)) & np.isfinite(expected))

    # The class, with Keras's reduction of its per-sample losses, computing
    # in float32 as under a mixed-precision policy (a float16 sum of many
    # large losses would overflow, in Keras's reduction as in any other).
    class_name = _CLASSES[name]
    if keras.backend.backend() == "torch" and "ignore_class" in case.kwargs:
        # Keras's own torch reduction fails when a sample_weight must
        # broadcast against a loss mask (in-place multiply in apply_mask).
        case = case._replace(sample_weight=None)
    loss = getattr(keras_losses, class_name)(
        **case.kwargs, reduction=case.reduction
    )
    reduced = numpy(loss(case.y_true, y_pred, sample_weight=case.sample_weight))
    mask = None
    if case.kwargs.get("ignore_class") is not None:
        labels = np.asarray(case.y_true)
        if labels.ndim == case.y_pred.ndim:
            labels = np.squeeze(labels, case.kwargs["axis"])
        mask = labels != case.kwargs["ignore_class"]
    if case.reduction != "mean_with_sample_weight" and expected.shape != (0,):
        in_float32 = _reference(spec, case._replace(dtype="float32"))
        want = reference.reduce(
            in_float32, case.reduction, case.sample_weight, mask
        )
        tolerance = "float32" if case.dtype == "float64" else case.dtype
        _close(reduced, want, tolerance, f"{class_name} {case}", "float32")
    assert not np.any(np.isnan(reduced))

    # The gradient is finite wherever the loss is.
    if _torch_sparse_probability_gradient_bug(spec, case):
        count(class_name, "generated", test=_REFERENCE_TEST)
        return
    if case.y_pred.size:
        assert np.all(np.isfinite(_gradient(function, case))), f"{name} {case}"
    count(class_name, "generated", test=_REFERENCE_TEST)


_CLASSES = {
    "binary_crossentropy": "BinaryCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "binary_focal_crossentropy": "BinaryFocalCrossentropy",
    "categorical_focal_crossentropy": "CategoricalFocalCrossentropy",
    "sparse_categorical_focal_crossentropy": (
        "SparseCategoricalFocalCrossentropy"
    ),
    "asymmetric_loss": "AsymmetricLoss",
    "binary_poly1_crossentropy": "BinaryPoly1Crossentropy",
    "categorical_poly1_crossentropy": "CategoricalPoly1Crossentropy",
    "sparse_categorical_poly1_crossentropy": (
        "SparseCategoricalPoly1Crossentropy"
    ),
    "quality_focal_loss": "QualityFocalLoss",
    "varifocal_loss": "VarifocalLoss",
    "smooth_l1": "SmoothL1",
    "huber": "Huber",
    "balanced_l1": "BalancedL1",
    "pinball": "Pinball",
}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_generated_inputs_match_the_reference(name):
    @given(case=cases(SPECS[name]))
    def run(case):
        _check(name, case)

    run()


@st.composite
def ordinary_float64_cases(draw, spec):
    case = draw(cases(spec, dtypes=["float64"]))
    assume(case.ordinary and case.y_pred.size)
    return case


def _near_a_kink(name, case, where):
    """Whether the loss has a kink within 1e-3 of the probability at `where`:
    ASL's margin (p = clip) and QFL's |y - p| at y = p (beta <= 1)."""
    x = case.y_pred[where]
    p = 1.0 / (1.0 + np.exp(-x)) if case.kwargs.get("from_logits") else x
    if name == "asymmetric_loss":
        return abs(p - case.kwargs["clip"]) < 1e-3
    if name == "quality_focal_loss":
        return abs(p - np.asarray(case.y_true)[where]) < 1e-3
    return False


@pytest.mark.parametrize("name", sorted(SPECS))
def test_gradient_matches_finite_differences(name):
    _skip_float64_on_plain_jax()
    spec = SPECS[name]
    function = getattr(keras_losses, name)

    @given(case=ordinary_float64_cases(spec), data=st.data())
    def run(case, data):
        assume(not _torch_sparse_probability_gradient_bug(spec, case))
        y_pred = case.y_pred
        _, grad = value_and_grad(
            lambda x: keras.ops.sum(function(case.y_true, x, **case.kwargs)),
            y_pred,
        )
        # A few coordinates: central differences cost two evaluations each.
        picked = data.draw(
            st.lists(st.integers(0, y_pred.size - 1), min_size=1, max_size=6)
        )
        for index in picked:
            where = np.unravel_index(index, y_pred.shape)
            if spec.kind == "regression":  # off the kinks of |d| and beta
                error = abs(y_pred[where] - np.asarray(case.y_true)[where])
                knots = [0.0] + [
                    v for k, v in case.kwargs.items() if k in ("beta", "delta")
                ]
                if min(abs(error - knot) for knot in knots) < 1e-3:
                    continue
            if _near_a_kink(name, case, where):
                continue

            _assert_partial_derivative(
                grad,
                where,
                lambda moved: _reference(spec, case._replace(y_pred=moved)),
                y_pred,
                case,
            )
        count(_CLASSES[name], "generated", test=_GRADIENT_TEST)

    run()


# --- Losses over sets (segmentation) ----------------------------------------
#
# Shapes (batch 0 to 4, rank 2 to 4, 2 to 5 classes, channels last or
# first), sets per image and class, per image, per class over the batch or
# the whole batch; dense or sparse labels with classes absent from images,
# `ignore_class` pixels and images wholly ignored; ordinary or extreme
# inputs; every dtype.


class SetSpec(NamedTuple):
    labels: str  # "dense" (classes or channels), "sparse" or "binary"
    reference: Any
    hyperparameters: Any  # draw, classes, class axis kept -> kwargs
    class_axis: bool = True  # whether the loss has a class axis


def _smoothing(draw):
    # An empty set's loss is 1 - smooth_nr / smooth_dr: smooth_dr > 0 (0 / 0
    # otherwise, by the user's choice) and smooth_nr 0 or smooth_dr (MONAI's
    # and Keras's choices; a larger one makes the loss hugely negative).
    smooth_dr = draw(st.sampled_from([1e-7, 1e-5, 1.0]))
    return dict(
        smooth_nr=draw(st.sampled_from([0.0, smooth_dr])), smooth_dr=smooth_dr
    )


def _class_options(draw, classes, kept):
    options = {}
    if draw(st.booleans()):
        options["exclude_classes"] = [0]
    if kept and draw(st.booleans()):
        options["class_weight"] = draw(
            st.lists(st.floats(0.0, 3.0), min_size=classes, max_size=classes)
        )
    return options


def _dice_like(draw, classes, kept):
    return dict(
        squared_pred=draw(st.booleans()),
        **_smoothing(draw),
        **_class_options(draw, classes, kept),
    )


def _tversky_like(draw, classes, kept, focal=False):
    # alpha = beta = 0 leaves (tp + s_nr) / (tp + s_dr): not a loss anyone
    # trains with, and a cliff of height 1 within s_dr of tp = 0.
    options = dict(
        alpha=draw(st.floats(0.05, 1.0)),
        beta=draw(st.floats(0.05, 1.0)),
        **_smoothing(draw),
        **_class_options(draw, classes, kept),
    )
    if focal:
        options["gamma"] = draw(st.floats(0.25, 3.0))
    return options


def _focal_tversky_like(draw, classes, kept):
    return _tversky_like(draw, classes, kept, focal=True)


def _generalized(draw, classes, kept):
    options = dict(
        weighting=draw(st.sampled_from(["square", "simple", "uniform"])),
        **_smoothing(draw),
    )
    if draw(st.booleans()):
        options["exclude_classes"] = [0]
    return options


def _lovasz(draw, classes, kept):
    options = dict(classes=draw(st.sampled_from(["present", "all"])))
    if draw(st.booleans()):
        options["exclude_classes"] = [0]
    return options


SET_SPECS = {
    "dice": SetSpec("dense", reference.dice, _dice_like),
    "sparse_dice": SetSpec("sparse", reference.sparse_dice, _dice_like),
    "jaccard": SetSpec("dense", reference.jaccard, _dice_like),
    "sparse_jaccard": SetSpec("sparse", reference.sparse_jaccard, _dice_like),
    "tversky": SetSpec("dense", reference.tversky, _tversky_like),
    "sparse_tversky": SetSpec(
        "sparse", reference.sparse_tversky, _tversky_like
    ),
    "focal_tversky": SetSpec(
        "dense", reference.focal_tversky, _focal_tversky_like
    ),
    "sparse_focal_tversky": SetSpec(
        "sparse", reference.sparse_focal_tversky, _focal_tversky_like
    ),
    "generalized_dice": SetSpec(
        "dense", reference.generalized_dice, _generalized
    ),
    "sparse_generalized_dice": SetSpec(
        "sparse", reference.sparse_generalized_dice, _generalized
    ),
    "lovasz_softmax": SetSpec("sparse", reference.lovasz_softmax, _lovasz),
    "lovasz_hinge": SetSpec(
        "binary", reference.lovasz_hinge, lambda *_: {}, class_axis=False
    ),
}
_SET_CLASSES = {
    name: "".join(part.capitalize() for part in name.split("_"))
    for name in SET_SPECS
}
# Losses that combine the classes themselves: the class axis is never kept.
_COMBINE_CLASSES = {
    "generalized_dice",
    "sparse_generalized_dice",
    "lovasz_softmax",
}


class SetCase(NamedTuple):
    y_true: Any
    y_pred: Any
    dtype: str
    kwargs: dict
    ordinary: bool
    sample_weight: Any
    reduction: Any


@st.composite
def set_cases(draw, name, dtypes=None):
    spec = SET_SPECS[name]
    dtype = draw(st.sampled_from(dtypes or _dtypes(Spec("set", None, None))))
    rank = draw(st.integers(2, 4))
    classes = draw(st.integers(2, 5))
    batch = draw(st.integers(0, 4))
    middle = draw(
        st.lists(st.integers(1, 4), min_size=rank - 2, max_size=rank - 2)
    )
    shape = [batch] + middle + [classes]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    class_axis = rank - 1
    if rank > 2 and draw(st.booleans()):  # channels first
        class_axis = 1
        shape.insert(1, shape.pop())
    spatial = tuple(a for a in range(1, rank) if a != class_axis)
    sets = draw(st.sampled_from(["batch", "image", "image_class", "class"]))
    axis = {
        "batch": None,
        "image": spatial + (class_axis,),
        "image_class": spatial or (class_axis,),
        "class": (0,) + spatial,
    }[sets]
    if spec.labels == "binary" or (
        spec.labels == "dense"
        and name not in _COMBINE_CLASSES
        and draw(st.booleans())
    ):
        used_class_axis = None  # independent channels
    else:
        used_class_axis = class_axis
    kept = (
        used_class_axis is not None
        and axis is not None
        and class_axis not in axis
        and name not in _COMBINE_CLASSES
    )
    kwargs = dict(spec.hyperparameters(draw, classes, kept), axis=axis)
    if used_class_axis is None and "exclude_classes" in kwargs:
        del kwargs["exclude_classes"]
    if spec.class_axis:
        kwargs["class_axis"] = used_class_axis
    ordinary = draw(st.booleans())
    from_logits = spec.labels != "binary" and draw(st.booleans())
    if spec.labels != "binary":
        kwargs["from_logits"] = from_logits
    if from_logits or spec.labels == "binary":
        y_pred = rng.normal(0.0, 3.0, size=shape)
        if not ordinary:
            y_pred = rng.choice(EXTREME_LOGITS, size=shape)
    elif used_class_axis is None:
        y_pred = rng.uniform(0.02, 0.98, size=shape)
        if not ordinary:
            y_pred = rng.choice([0.0, 1.0, 0.5], size=shape)
    else:
        logits = rng.normal(0.0, 1.0, size=shape)
        if not ordinary:
            logits = rng.choice([-50.0, 0.0, 50.0], size=shape)
        y_pred = np.exp(logits - logits.max(class_axis, keepdims=True))
        y_pred /= y_pred.sum(class_axis, keepdims=True)

    label_shape = list(shape)
    label_shape.pop(class_axis)
    # Classes absent from some images: labels drawn from a few classes.
    present = draw(st.integers(1, classes))
    if spec.labels == "binary":  # one label per element of y_pred
        label_shape = shape
    labels = rng.integers(0, present, size=label_shape)
    if spec.labels in ("sparse", "binary") and draw(st.booleans()):
        kwargs["ignore_class"] = 255
        labels = np.where(rng.random(labels.shape) < 0.2, 255, labels)
        if batch and draw(st.booleans()):
            labels[0] = 255  # an image with nothing that counts
    if spec.labels == "sparse":
        y_true = labels
    elif spec.labels == "binary":
        y_true = np.where(labels == 255, 255, labels % 2)
    elif used_class_axis is None:
        y_true = rng.random(shape) < draw(st.sampled_from([0.0, 0.3]))
        y_true = y_true.astype("float64")
    else:
        y_true = np.moveaxis(np.eye(classes)[labels], -1, class_axis)

    reference_loss = _set_reference(name, y_true, y_pred, kwargs)[0]
    weighting = draw(st.sampled_from([None, "scalar", "per_sample"]))
    sample_weight = None
    if weighting == "scalar":
        sample_weight = 2.5
    elif weighting and axis is not None and 0 not in axis:
        loss_rank = np.ndim(reference_loss)
        sample_weight = rng.uniform(
            0.0, 2.0, size=(batch,) + (1,) * (loss_rank - 1)
        )
    reduction = draw(
        st.sampled_from(
            ["sum_over_batch_size", "sum", "mean_with_sample_weight", None]
        )
    )
    y_pred = _round_to(y_pred, dtype)
    if spec.labels == "dense":
        y_true = _round_to(y_true, dtype)
    return SetCase(
        y_true, y_pred, dtype, kwargs, ordinary, sample_weight, reduction
    )


def _set_reference(name, y_true, y_pred, kwargs):
    """The float64 reference's loss of each set, and its mask (or None)."""
    spec = SET_SPECS[name]
    if spec.labels == "dense":
        return spec.reference(y_true, y_pred, **kwargs), None
    return spec.reference(y_true, y_pred, return_mask=True, **kwargs)


def _check_set(name, case):
    function = getattr(keras_losses, name)
    y_pred = keras.ops.cast(case.y_pred, case.dtype)
    expected, mask = _set_reference(name, case.y_true, case.y_pred, case.kwargs)
    actual = function(case.y_true, y_pred, **case.kwargs)
    what = f"{name} {case}"
    assert keras.backend.standardize_dtype(actual.dtype) == case.dtype
    assert tuple(actual.shape) == np.shape(expected), what
    _close(numpy(actual), expected, case.dtype, what)
    assert np.all(np.isfinite(numpy(actual))), what  # empty sets: never NaN

    class_name = _SET_CLASSES[name]
    sample_weight = case.sample_weight
    if keras.backend.backend() == "torch" and mask is not None:
        # Keras's own torch reduction fails when a sample_weight must
        # broadcast against a loss mask (in-place multiply in apply_mask).
        sample_weight = None
    loss = getattr(keras_losses, class_name)(
        **case.kwargs, reduction=case.reduction
    )
    reduced = numpy(loss(case.y_true, y_pred, sample_weight=sample_weight))
    if case.reduction != "mean_with_sample_weight" and np.shape(expected) != (
        0,
    ):
        in_float32 = _set_reference(
            name, case.y_true, _round_to(case.y_pred, "float32"), case.kwargs
        )[0]
        if mask is not None and np.ndim(in_float32) == 0:
            mask = None  # one set for the batch: nothing to leave out
        want = reference.reduce(in_float32, case.reduction, sample_weight, mask)
        tolerance = "float32" if case.dtype == "float64" else case.dtype
        _close(reduced, want, tolerance, f"{class_name} {case}", "float32")
    assert not np.any(np.isnan(reduced))

    # The gradient is finite. With probabilities, a set with nothing true
    # and next to nothing predicted has a gradient near smooth_nr /
    # smooth_dr ** 2 (1e7 with the defaults, finite in float32), past
    # float16's largest number: half precision is checked with logits.
    half = case.dtype in ("float16", "bfloat16")
    probabilities = not case.kwargs.get("from_logits", True)
    if case.y_pred.size and not (half and probabilities):
        assert np.all(np.isfinite(_gradient(function, case))), what
    count(class_name, "generated", test=_REFERENCE_TEST)


# A set case costs several times an element case (a loop-based reference,
# more ops per loss): half the profile's examples keep the run's time.
_SET_EXAMPLES = settings(
    max_examples=max(1, settings.default.max_examples // 2)
)


@pytest.mark.parametrize("name", sorted(SET_SPECS))
def test_generated_sets_match_the_reference(name):
    @_SET_EXAMPLES
    @given(case=set_cases(name))
    def run(case):
        _check_set(name, case)

    run()


def _check_some_partial_derivatives(
    function, case, reference_at, data, skip=None
):
    """The gradient at up to 4 drawn entries of `case.y_pred` against
    central differences of `reference_at` (a function of the predictions),
    but those where `skip(where)` is true."""
    _, grad = value_and_grad(
        lambda x: keras.ops.sum(function(case.y_true, x, **case.kwargs)),
        case.y_pred,
    )
    picked = data.draw(
        st.lists(st.integers(0, case.y_pred.size - 1), min_size=1, max_size=4)
    )
    for index in picked:
        where = np.unravel_index(index, case.y_pred.shape)
        if skip is not None and skip(where):
            continue
        _assert_partial_derivative(grad, where, reference_at, case.y_pred, case)


@pytest.mark.parametrize("name", sorted(SET_SPECS))
def test_set_gradient_matches_finite_differences(name):
    _skip_float64_on_plain_jax()

    @_SET_EXAMPLES
    @given(case=set_cases(name, dtypes=["float64"]), data=st.data())
    def run(case, data):
        assume(case.ordinary and case.y_pred.size)

        def reference_at(moved):
            return _set_reference(name, case.y_true, moved, case.kwargs)[0]

        _check_some_partial_derivatives(
            getattr(keras_losses, name), case, reference_at, data
        )
        count(_SET_CLASSES[name], "generated", test=_GRADIENT_TEST)

    run()


# --- Box losses ---------------------------------------------------------------
#
# Boxes `(..., 4)` (0 to 3 leading axes, batch 0 to 16) in every format: the
# target non-square, the prediction overlapping it, inside or around it,
# disjoint from it, or (extreme cases) identical, a line, a point, inverted
# (x2 < x1), with coordinates up to 1e4. The distribution focal loss: 1 to 4
# sides, 2 to 17 bins, targets anywhere in [0, reg_max] including both ends.

BOX_SPECS = {
    "iou_loss": reference.iou_loss,
    "giou_loss": reference.giou_loss,
    "diou_loss": reference.diou_loss,
    "ciou_loss": reference.ciou_loss,
    "distribution_focal_loss": reference.distribution_focal_loss,
}
_BOX_CLASSES = {
    "iou_loss": "IoULoss",
    "giou_loss": "GIoULoss",
    "diou_loss": "DIoULoss",
    "ciou_loss": "CIoULoss",
    "distribution_focal_loss": "DistributionFocalLoss",
}


class BoxCase(NamedTuple):
    y_true: Any
    y_pred: Any
    dtype: str
    kwargs: dict
    ordinary: bool
    sample_weight: Any
    reduction: Any


def _predicted_corners(rng, target, ordinary, scale):
    """Predictions against `target` corners: each row one kind of box."""
    x1, y1, x2, y2 = np.moveaxis(target, -1, 0)
    w, h = x2 - x1, y2 - y1
    kinds = ["overlap", "inside", "around", "disjoint"]
    if not ordinary:
        kinds += ["identical", "line", "point", "inverted", "shared_point"]
    kind = rng.choice(kinds, size=x1.shape)
    shift = rng.uniform(-0.4, 0.4, size=(2,) + x1.shape)
    grow = rng.uniform(0.6, 1.6, size=(2,) + x1.shape)
    cx, cy = (x1 + x2) / 2 + shift[0] * w, (y1 + y2) / 2 + shift[1] * h
    pw, ph = w * grow[0], h * grow[1]
    far = rng.uniform(1.5, 3.0) * (w + h) + scale * 0.1
    cx = np.where(kind == "disjoint", cx + far, cx)
    pw = np.where(kind == "inside", w * 0.5, pw)
    ph = np.where(kind == "inside", h * 0.3, ph)
    pw = np.where(kind == "around", w * 1.5, pw)
    ph = np.where(kind == "around", h * 2.0, ph)
    pw = np.where(np.isin(kind, ["line", "point", "shared_point"]), 0.0, pw)
    ph = np.where(np.isin(kind, ["point", "shared_point"]), 0.0, ph)
    pw = np.where(kind == "inverted", -pw, pw)
    if kind.size:
        cx = np.where(kind == "around", (x1 + x2) / 2, cx)
        cy = np.where(kind == "around", (y1 + y2) / 2, cy)
    pred = np.stack(
        [cx - pw / 2, cy - ph / 2, cx + pw / 2, cy + ph / 2], axis=-1
    )
    pred = np.where((kind == "identical")[..., None], target, pred)
    return pred, kind


@st.composite
def box_cases(draw, name, dtypes=None):
    dtype = draw(st.sampled_from(dtypes or _dtypes(Spec("box", None, None))))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    leading = draw(st.integers(0, 3))
    lead = [draw(st.integers(0, 16))] if leading else []
    lead += draw(
        st.lists(
            st.integers(1, 3),
            min_size=max(leading - 1, 0),
            max_size=max(leading - 1, 0),
        )
    )
    ordinary = draw(st.booleans())
    kwargs = {}
    if name == "distribution_focal_loss":
        sides, bins = draw(st.integers(1, 4)), draw(st.integers(2, 17))
        y_true = rng.uniform(0.0, bins - 1, size=lead + [sides])
        if not ordinary:  # both ends of the range and whole bins
            ends = rng.choice([0.0, bins - 1.0, 1.0], size=y_true.shape)
            y_true = np.where(rng.random(y_true.shape) < 0.5, ends, y_true)
            y_pred = rng.choice(EXTREME_LOGITS, size=lead + [sides, bins])
        else:
            y_pred = rng.normal(0.0, 3.0, size=lead + [sides, bins])
        y_true = _round_to(y_true, dtype)
    else:
        box_format = draw(st.sampled_from(reference.BOX_FORMATS))
        kwargs["bounding_box_format"] = box_format
        if name == "iou_loss":
            kwargs["mode"] = draw(
                st.sampled_from(["linear", "log", "quadratic"])
            )
        scale = 10.0 if ordinary or dtype == "float16" else 1e4
        corner = rng.uniform(0.0, scale, size=lead + [2])
        size = rng.uniform(0.05, 0.5, size=lead + [2]) * scale
        target = np.concatenate([corner, corner + size], -1)
        pred, _ = _predicted_corners(rng, target, ordinary, scale)
        # Rounded as corners first: a box then stays as valid in `dtype`.
        y_true = _round_to(reference.boxes_in_format(target, box_format), dtype)
        y_pred = reference.boxes_in_format(pred, box_format)
    loss_shape = tuple(lead)
    weighting = draw(st.sampled_from([None, "scalar", "per_box"]))
    sample_weight = None
    if weighting == "scalar":
        sample_weight = 2.5
    elif weighting and loss_shape:
        sample_weight = rng.uniform(0.0, 2.0, size=loss_shape)
    reduction = draw(
        st.sampled_from(
            ["sum_over_batch_size", "sum", "mean_with_sample_weight", None]
        )
    )
    return BoxCase(
        y_true,
        _round_to(y_pred, dtype),
        dtype,
        kwargs,
        ordinary,
        sample_weight,
        reduction,
    )


def _check_box(name, case):
    function = getattr(keras_losses, name)
    y_pred = keras.ops.cast(case.y_pred, case.dtype)
    expected = BOX_SPECS[name](case.y_true, case.y_pred, **case.kwargs)
    actual = function(case.y_true, y_pred, **case.kwargs)
    what = f"{name} {case}"
    assert keras.backend.standardize_dtype(actual.dtype) == case.dtype
    assert tuple(actual.shape) == np.shape(expected), what
    # Half precision computes in float32: compared with float32's rounding
    # of the same (rounded) inputs, to float32's tolerance after rounding
    # the result.
    _close(numpy(actual), expected, case.dtype, what)
    assert np.all(np.isfinite(numpy(actual))), what  # valid targets only

    class_name = _BOX_CLASSES[name]
    loss = getattr(keras_losses, class_name)(
        **case.kwargs, reduction=case.reduction
    )
    reduced = numpy(loss(case.y_true, y_pred, sample_weight=case.sample_weight))
    if case.reduction != "mean_with_sample_weight" and np.shape(expected) != (
        0,
    ):
        want = reference.reduce(
            expected, case.reduction, case.sample_weight, None
        )
        tolerance = "float32" if case.dtype == "float64" else case.dtype
        _close(reduced, want, tolerance, f"{class_name} {case}", "float32")
    assert not np.any(np.isnan(reduced))
    # The gradient is finite. In log mode a box whose IoU is 0 but can grow
    # (a line inside the target, a touching box) has a gradient of 1 / eps
    # = 1e7 times IoU's, past float16's largest number: half precision is
    # checked in the other modes.
    half = case.dtype in ("float16", "bfloat16")
    if case.y_pred.size and not (half and case.kwargs.get("mode") == "log"):
        assert np.all(np.isfinite(_gradient(function, case))), what
    count(class_name, "generated", test=_REFERENCE_TEST)


@pytest.mark.parametrize("name", sorted(BOX_SPECS))
def test_generated_boxes_match_the_reference(name):
    @_SET_EXAMPLES
    @given(case=box_cases(name))
    def run(case):
        _check_box(name, case)

    run()


def _box_reference_at(name, case):
    """The reference as a function of the predictions; CIoU's alpha held at
    its value at `case` (the loss's backward pass holds it constant)."""
    kwargs = dict(case.kwargs)
    if name == "ciou_loss":
        kwargs["alpha"] = reference.ciou_alpha(
            case.y_true, case.y_pred, **case.kwargs
        )
    return lambda moved: BOX_SPECS[name](case.y_true, moved, **kwargs)


@pytest.mark.parametrize("name", sorted(BOX_SPECS))
def test_box_gradient_matches_finite_differences(name):
    _skip_float64_on_plain_jax()

    @_SET_EXAMPLES
    @given(case=box_cases(name, dtypes=["float64"]), data=st.data())
    def run(case, data):
        assume(case.ordinary and case.y_pred.size)
        _check_some_partial_derivatives(
            getattr(keras_losses, name),
            case,
            _box_reference_at(name, case),
            data,
        )
        count(_BOX_CLASSES[name], "generated", test=_GRADIENT_TEST)

    run()


# --- Metric-learning losses ---------------------------------------------------
#
# Batches of 0 to 64 anchors (0, 1 and 2 drawn often), embeddings of 1 to 16
# dimensions (on JAX, where each shape compiles: 0, 1 or 6 anchors of 3),
# 1 to `batch` classes (all one class: no negative; all distinct: no
# positive pair), labels (B,) or (B, 1), integer or float; every dtype.
# Extreme inputs: embeddings scaled by 1e4 (1 in float16, whose squared
# distances would overflow) or 1e-4, duplicated rows and all-zero rows;
# similarities up to +-1e4; distances 0, exactly `margin` and up to 1e4;
# multi-hot rows without a label.
#
# Float32 distances and the tie rule. Distances come from the Gram matrix
# (as TF Addons computes them): in float32 the squared distance of two rows,
# at the batch's scale s (largest centred magnitude), is off by up to
# eta = 8 D 2**-24 s**2 (measured: 1e-6 s**2 for D = 16), so that two
# identical rows are up to sqrt(eta) ~ 1e-3 s apart, not 0, and on PyTorch
# two identical rows need not even be at identical distances from a third
# (its matmul kernels round columns differently). `_distance_noise` bounds
# each distance's error that way (angular: 8 D 2**-24). The losses are
# Lipschitz in the distances, so each is compared with that bound's effect
# added to the dtype's tolerance (`_mining_slack`). The semi-hard loss also
# jumps where d(a, n) crosses d(a, p) (the strict d(a, n) > d(a, p)): an
# anchor is compared only if all its |d(a, n) - d(a, p)| exceed 1e-4 of its
# largest distance plus twice its largest noise bound (in float32, also for
# float64 inputs: the classes compute in float32); duplicated rows and
# collinear rows (angular ~1e-7 for 0) are ties by that rule. Maxima and
# minima (batch-hard, the semi-hard choice among negatives beyond d(a, p),
# the fallbacks) are continuous in the distances: no rule needed. The
# float64 gradient test skips the rows of the embeddings that take part in a
# decision (threshold, argmax/argmin, hinge) within 1e-5 of flipping.

METRIC_SPECS = {
    "contrastive_loss": reference.contrastive_loss,
    "triplet_semihard_loss": reference.triplet_semihard_loss,
    "triplet_hard_loss": reference.triplet_hard_loss,
    "lifted_struct_loss": reference.lifted_struct_loss,
    "npairs_loss": reference.npairs_loss,
    "npairs_multilabel_loss": reference.npairs_multilabel_loss,
    "supervised_contrastive_loss": reference.supervised_contrastive_loss,
    "nt_xent_loss": reference.nt_xent_loss,
}
_METRIC_CLASSES = {
    "contrastive_loss": "ContrastiveLoss",
    "triplet_semihard_loss": "TripletSemiHardLoss",
    "triplet_hard_loss": "TripletHardLoss",
    "lifted_struct_loss": "LiftedStructLoss",
    "npairs_loss": "NpairsLoss",
    "npairs_multilabel_loss": "NpairsMultilabelLoss",
    "supervised_contrastive_loss": "SupervisedContrastiveLoss",
    "nt_xent_loss": "NTXentLoss",
}
# As the set losses. On JAX compiling dominates, not the examples' count.
_METRIC_EXAMPLES = _SET_EXAMPLES


class MetricCase(NamedTuple):
    y_true: Any
    y_pred: Any
    dtype: str
    kwargs: dict
    ordinary: bool
    sample_weight: Any
    reduction: Any
    scale: float  # 1, 1e4 or 1e-4: extreme embeddings' scale


def _margin(draw):
    return draw(st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 3.0)))


def _temperature(draw):
    return 10.0 ** draw(st.floats(-2.0, np.log10(2.0)))  # log-uniform


def _metric_hyperparameters(draw, name):
    kwargs = {}
    if name in (
        "contrastive_loss",
        "triplet_semihard_loss",
        "triplet_hard_loss",
        "lifted_struct_loss",
    ):
        kwargs["margin"] = _margin(draw)
    if name == "triplet_hard_loss":
        kwargs["soft"] = draw(st.booleans())
    if name in ("triplet_semihard_loss", "triplet_hard_loss"):
        kwargs["distance_metric"] = draw(
            st.sampled_from(["L2", "squared-L2", "angular"])
        )
    if name in ("supervised_contrastive_loss", "nt_xent_loss"):
        kwargs["temperature"] = _temperature(draw)
    if name == "nt_xent_loss":
        kwargs["same_view_negatives"] = draw(st.booleans())
    return kwargs


def _metric_shape(draw, max_batch):
    """`(batch, dim)`: 0, 1 and 2 anchors drawn often. On JAX each new shape
    compiles every op of a loss, its class and its gradient (3 s for the
    semi-hard loss): three shapes there, the rest covered on the others."""
    if keras.backend.backend() == "jax":
        return draw(st.sampled_from([0, 1, 6])), 3
    batch = draw(
        st.one_of(st.sampled_from([0, 1, 2]), st.integers(0, max_batch))
    )
    return batch, draw(st.integers(1, 16))


def _metric_labels(draw, rng, batch):
    """(B,) or (B, 1) labels, integer or float, of 1 to `batch` classes."""
    most = max(batch, 1)
    classes = draw(st.one_of(st.sampled_from([1, most]), st.integers(1, most)))
    if classes == batch:  # all distinct: no positive pair
        ids = rng.permutation(batch)
    else:
        ids = rng.integers(0, classes, size=batch)
    labels = 7 * ids - 3  # any integers, not 0 to C - 1
    labels = labels.astype(draw(st.sampled_from(["int32", "int64", "float32"])))
    if draw(st.booleans()):
        labels = labels[:, None]
    return labels


def _extreme_rows(draw, rng, x, dtype):
    """`x` scaled by 1e4 or 1e-4, with duplicated and all-zero rows."""
    scale = draw(st.sampled_from([1.0, 1e4, 1e-4]))
    if dtype == "float16" and scale > 1:
        scale = 1.0  # squared distances past float16's 65504
    if scale < 1:
        # Entries of at least 0.1 (norms of at least 1e-5 once scaled):
        # below 1e-6 TensorFlow's l2_normalize (the reference's angular
        # distance) stops normalising.
        x = x + np.where(x >= 0, 0.1, -0.1)
    x = x * scale
    batch = x.shape[0]
    if batch:
        copies = rng.random(batch) < draw(st.sampled_from([0.0, 0.3, 0.7]))
        x[copies] = x[rng.integers(0, batch, size=int(copies.sum()))]
        x[rng.random(batch) < draw(st.sampled_from([0.0, 0.15]))] = 0.0
    return x, scale


@st.composite
def metric_cases(draw, name, dtypes=None, max_batch=64):
    dtype = draw(st.sampled_from(dtypes or _dtypes(Spec("metric", None, None))))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    batch, dim = _metric_shape(draw, max_batch)
    ordinary = draw(st.booleans())
    kwargs = _metric_hyperparameters(draw, name)
    scale = 1.0
    if name == "contrastive_loss":
        shape = (batch,) if draw(st.booleans()) else (batch, 1)
        y_pred = rng.uniform(0.0, 3.0, size=shape)
        if not ordinary:
            big = 1e2 if dtype == "float16" else 1e4
            special = [0.0, 1e-4, kwargs["margin"], big]
            y_pred = np.where(
                rng.random(shape) < 0.6, rng.choice(special, size=shape), y_pred
            )
        y_true = rng.integers(0, 2, size=shape)
        if draw(st.booleans()):  # (B,) against (B, 1), or the reverse
            y_true = y_true.reshape((batch, 1) if len(shape) == 1 else (batch,))
        y_true = y_true.astype(draw(st.sampled_from(["int32", "float32"])))
    elif name in ("npairs_loss", "npairs_multilabel_loss"):
        y_pred = rng.normal(0.0, 3.0, size=(batch, batch))
        if not ordinary:
            if draw(st.booleans()):
                y_pred = rng.choice(EXTREME_LOGITS, size=(batch, batch))
            else:
                y_pred = rng.normal(0.0, 1e4, size=(batch, batch))
        if name == "npairs_loss":
            y_true = _metric_labels(draw, rng, batch)
        else:
            classes = draw(st.integers(1, 8))
            density = draw(st.sampled_from([0.1, 0.3, 0.7]))
            y_true = rng.random((batch, classes)) < density
            y_true[rng.random(batch) < 0.2] = False  # samples without a label
            y_true = y_true.astype(draw(st.sampled_from(["int32", "float32"])))
    elif name == "nt_xent_loss":
        first = rng.normal(size=(batch, dim))
        # The second view: a perturbation of the first, or unrelated.
        noise = draw(st.sampled_from([0.1, 1.0, 10.0]))
        y_pred = first + rng.normal(0.0, noise, size=(batch, dim))
        if not ordinary:
            both, scale = _extreme_rows(
                draw, rng, np.concatenate([first, y_pred], 1), dtype
            )
            first, y_pred = both[:, :dim], both[:, dim:]
        y_true = _round_to(first, dtype)
    else:
        y_pred = rng.normal(size=(batch, dim))
        if not ordinary:
            y_pred, scale = _extreme_rows(draw, rng, y_pred, dtype)
        y_true = _metric_labels(draw, rng, batch)

    weightings = [None, "scalar", "per_anchor"]
    weighting = draw(st.sampled_from(weightings))
    sample_weight = None
    if weighting == "scalar":
        sample_weight = 2.5
    elif weighting == "per_anchor":
        sample_weight = rng.uniform(0.0, 2.0, size=(batch,))
    reduction = draw(
        st.sampled_from(
            ["sum_over_batch_size", "sum", "mean_with_sample_weight", None]
        )
    )
    return MetricCase(
        y_true,
        _round_to(y_pred, dtype),
        dtype,
        kwargs,
        ordinary,
        sample_weight,
        reduction,
        scale,
    )


def _metric_reference(name, y_true, y_pred, kwargs):
    if name == "contrastive_loss":  # ranks reconciled as Keras does
        shape = max(np.shape(y_true), np.shape(y_pred), key=len)
        y_true, y_pred = np.reshape(y_true, shape), np.reshape(y_pred, shape)
    return METRIC_SPECS[name](y_true, y_pred, **kwargs)


def _distance_noise(embeddings, metric, compute="float32"):
    """`(exact, noise)`: the float64 distances of the reference and a bound on
    the error of the loss's distances computed in `compute`."""
    x = np.asarray(embeddings, "float64")
    exact = reference.metric_distances(x, metric)
    eps = 2.0**-24 if compute == "float32" else 2.0**-53
    eta = 8 * max(x.shape[1], 1) * eps
    if metric == "angular":
        noise = np.full_like(exact, eta)
    else:
        centred = x - x.mean(0) if x.size else x
        scale = np.max(np.abs(centred), initial=0.0)
        if metric == "squared-L2":
            noise = np.full_like(exact, eta * scale**2)
        else:
            unit = exact / (scale if scale > 0 else 1.0)
            noise = scale * (np.sqrt(unit**2 + eta) - unit)
    np.fill_diagonal(noise, 0.0)
    return exact, noise


def _mining_slack(name, y_true, y_pred, kwargs, expected, compute):
    """`(robust, slack)`: which anchors' values to compare (all but the
    semi-hard loss's near-ties), and the float32 distances' effect on the
    loss, per anchor (a scalar for the lifted loss)."""
    batch = len(y_pred)
    robust = np.ones(batch, bool)
    mined = ("triplet_semihard_loss", "triplet_hard_loss", "lifted_struct_loss")
    if name not in mined:
        return robust, np.zeros(np.shape(expected))
    labels = np.reshape(y_true, -1)
    metric = kwargs.get("distance_metric", "L2")
    exact, noise = _distance_noise(y_pred, metric, compute)
    row_noise = np.max(noise, axis=1, initial=0.0)
    if name == "lifted_struct_loss":
        change = 2 * np.max(noise, initial=0.0)  # of each J_ij
        mean_hinge = np.sqrt(2 * float(expected))  # >= mean max(J, 0)
        return robust, change * mean_hinge + change**2 / 2
    if name == "triplet_hard_loss":
        return robust, 2 * row_noise
    # Semi-hard: the ties (in float32), and B / P times each anchor's pairs.
    _, noise32 = _distance_noise(y_pred, metric, "float32")
    same = labels[:, None] == labels[None, :]
    positive = same & ~np.eye(batch, dtype=bool)
    pairs = max(int(positive.sum()), 1)
    for a in range(batch):
        tolerance = 1e-4 * np.max(exact[a]) + 2 * np.max(noise32[a])
        gaps = exact[a][~same[a]][None, :] - exact[a][positive[a]][:, None]
        robust[a] = not np.any(np.abs(gaps) <= tolerance)
    slack = batch / pairs * positive.sum(1) * 2 * row_noise
    return robust, slack


def _close_with_slack(actual, expected, slack, dtype, what, computed_in=None):
    """`_close`, with `slack` (broadcast) added to its absolute tolerance."""
    actual, expected, slack = np.broadcast_arrays(
        np.asarray(actual, "float64"),
        np.asarray(expected, "float64"),
        np.asarray(slack, "float64"),
    )
    rtol = RTOL[dtype]
    largest = _LARGEST.get(computed_in or dtype, np.inf)
    kept = np.abs(expected) <= largest * (1 - rtol)
    assert np.all(np.isinf(actual[np.abs(expected) > largest * (1 + rtol)]))
    scale = max(1.0, float(np.max(np.abs(expected[kept]), initial=0.0)))
    error = np.abs(actual[kept] - expected[kept])
    bound = rtol * np.abs(expected[kept]) + rtol * scale + slack[kept]
    assert np.all(error <= bound), (
        f"{what}\nactual {actual[kept][error > bound]}\nexpected "
        f"{expected[kept][error > bound]}\nslack {slack[kept][error > bound]}"
    )


def _check_metric(name, case):
    function = getattr(keras_losses, name)
    y_pred = keras.ops.cast(case.y_pred, case.dtype)
    expected = _metric_reference(name, case.y_true, case.y_pred, case.kwargs)
    actual = function(case.y_true, y_pred, **case.kwargs)
    what = f"{name} {case}"
    assert keras.backend.standardize_dtype(actual.dtype) == case.dtype
    assert tuple(actual.shape) == np.shape(expected), what
    actual = numpy(actual)
    assert np.all(np.isfinite(actual)), what  # no NaN for empty anchors
    # Half precision computes in float32: compared with the reference of
    # the same (rounded) inputs, to the dtype's tolerance, near-ties of the
    # semi-hard loss left out and float32 distances' error allowed for.
    compute = "float64" if case.dtype == "float64" else "float32"
    robust, slack = _mining_slack(
        name, case.y_true, case.y_pred, case.kwargs, expected, compute
    )
    if np.ndim(expected):
        keep = robust.reshape(robust.shape + (1,) * (np.ndim(expected) - 1))
        keep = np.broadcast_to(keep, np.shape(expected))
        _close_with_slack(
            actual[keep], expected[keep], slack[keep], case.dtype, what
        )
    else:
        _close_with_slack(actual, expected, slack, case.dtype, what)

    # The class, with a reduction and a sample_weight (per anchor, or none
    # or a scalar: the lifted loss of the whole batch refuses per-anchor
    # weights). It computes in float32, as under a mixed-precision policy.
    class_name = _METRIC_CLASSES[name]
    loss = getattr(keras_losses, class_name)(
        **case.kwargs, reduction=case.reduction
    )
    if name == "lifted_struct_loss" and np.ndim(case.sample_weight):
        with pytest.raises(ValueError, match="sample_weight"):
            loss(case.y_true, y_pred, sample_weight=case.sample_weight)
        count(class_name, "generated", test=_REFERENCE_TEST)
        return
    reduced = numpy(loss(case.y_true, y_pred, sample_weight=case.sample_weight))
    assert not np.any(np.isnan(reduced)), what
    if (
        case.reduction != "mean_with_sample_weight"
        and np.shape(expected) != (0,)
        and np.all(robust)
    ):
        _, slack32 = _mining_slack(
            name, case.y_true, case.y_pred, case.kwargs, expected, "float32"
        )
        weight = case.sample_weight
        want = reference.reduce(expected, case.reduction, weight, None)
        slack32 = reference.reduce(slack32, case.reduction, weight, None)
        tolerance = "float32" if case.dtype == "float64" else case.dtype
        _close_with_slack(
            reduced, want, slack32, tolerance, f"{class_name} {case}", "float32"
        )

    # The gradient is finite. In float16 the gradient of unit rows of 1e-4
    # embeddings (1 / (temperature |x|), up to 1e6) is past 65504.
    normalised = name in ("supervised_contrastive_loss", "nt_xent_loss") or (
        case.kwargs.get("distance_metric") == "angular"
    )
    tiny = case.scale < 1 and case.dtype == "float16"
    if case.y_pred.size and not (tiny and normalised):
        assert np.all(np.isfinite(_gradient(function, case))), what
    count(class_name, "generated", test=_REFERENCE_TEST)


@pytest.mark.parametrize("name", sorted(METRIC_SPECS))
def test_generated_metric_losses_match_the_reference(name):
    @_METRIC_EXAMPLES
    @given(case=metric_cases(name))
    def run(case):
        _check_metric(name, case)

    run()


def _near_decisions(name, case, tolerance=1e-5):
    """Rows of the embeddings in a triplet loss's decision (a threshold
    d(a, n) > d(a, p), an argmax or argmin, a hinge) within `tolerance`
    (relative to the largest distance, at least 1) of flipping."""
    if name not in ("triplet_semihard_loss", "triplet_hard_loss"):
        return set()
    metric = case.kwargs["distance_metric"]
    margin = case.kwargs["margin"]
    d = reference.metric_distances(case.y_pred, metric)
    labels = np.reshape(case.y_true, -1)
    near = set()
    tolerance *= max(1.0, np.max(d, initial=0.0))

    def extreme(a, candidates, pick):
        """The picked candidate; its runner-up's row if within tolerance."""
        ranked = sorted(candidates, key=lambda j: d[a, j], reverse=pick == max)
        if len(ranked) > 1 and abs(d[a, ranked[0]] - d[a, ranked[1]]) <= (
            tolerance
        ):
            near.update((a, ranked[0], ranked[1]))
        return ranked[0]

    for a in range(len(labels)):
        positives = [
            j for j in range(len(labels)) if j != a and labels[j] == labels[a]
        ]
        negatives = [j for j in range(len(labels)) if labels[j] != labels[a]]
        everything = list(range(len(labels)))
        if name == "triplet_hard_loss":
            hardest_p = extreme(a, positives or everything, max)
            hardest_n = extreme(a, negatives or everything, min)
            gap = d[a, hardest_p] - d[a, hardest_n]
            if not case.kwargs["soft"] and abs(gap + margin) <= tolerance:
                near.update((a, hardest_p, hardest_n))
            continue
        for p in positives:
            close = [
                n for n in negatives if abs(d[a, n] - d[a, p]) <= tolerance
            ]
            if close:
                near.update([a, p] + close)
            beyond = [n for n in negatives if d[a, n] > d[a, p]]
            if beyond:
                n = extreme(a, beyond, min)
            elif negatives:
                n = extreme(a, negatives, max)
            else:
                continue  # the row's minimum: its own 0
            if abs(margin + d[a, p] - d[a, n]) <= tolerance:
                near.update((a, p, n))
    return near


@pytest.mark.parametrize("name", sorted(METRIC_SPECS))
def test_metric_gradient_matches_finite_differences(name):
    _skip_float64_on_plain_jax()

    # Up to 16 anchors: the reference's loops cost O(B^3) per difference.
    @_METRIC_EXAMPLES
    @given(
        case=metric_cases(name, dtypes=["float64"], max_batch=16),
        data=st.data(),
    )
    def run(case, data):
        assume(case.ordinary and case.y_pred.size)
        near = _near_decisions(name, case)
        _check_some_partial_derivatives(
            getattr(keras_losses, name),
            case,
            lambda moved: _metric_reference(
                name, case.y_true, moved, case.kwargs
            ),
            data,
            skip=lambda where: where[0] in near,
        )
        count(_METRIC_CLASSES[name], "generated", test=_GRADIENT_TEST)

    run()
