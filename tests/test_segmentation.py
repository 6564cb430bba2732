"""Segmentation family: Keras parity, float64 references, sets, gradients.

The references (tests/reference.py) are written from the papers; MONAI
parity is in tests/test_segmentation_monai.py, the tables of
docs/migration.md in tests/test_migration.py.
"""

import itertools

import keras
import numpy as np
import pytest

import keras_losses
from tests import reference
from tests.autodiff import finite_difference
from tests.autodiff import value_and_grad
from tests.helpers import numpy
from tests.helpers import softmax
from tests.tolerance import assert_close
from tests.tolerance import count

DENSE = {
    "dice": (keras_losses.dice, reference.dice),
    "jaccard": (keras_losses.jaccard, reference.jaccard),
    "tversky": (keras_losses.tversky, reference.tversky),
    "focal_tversky": (keras_losses.focal_tversky, reference.focal_tversky),
}
SPARSE = {
    "dice": (keras_losses.sparse_dice, reference.sparse_dice),
    "jaccard": (keras_losses.sparse_jaccard, reference.sparse_jaccard),
    "tversky": (keras_losses.sparse_tversky, reference.sparse_tversky),
    "focal_tversky": (
        keras_losses.sparse_focal_tversky,
        reference.sparse_focal_tversky,
    ),
}
EXTRA = {
    "dice": dict(squared_pred=True),
    "jaccard": dict(squared_pred=True, smooth_nr=0.5, smooth_dr=1.0),
    "tversky": dict(alpha=0.3, beta=0.7),
    "focal_tversky": dict(alpha=0.6, beta=0.4, gamma=1.5),
}


def _probabilities(shape, rng, class_axis=None):
    if class_axis is None:
        return rng.uniform(0.02, 0.98, size=shape).astype("float32")
    return softmax(rng.normal(size=shape), class_axis).astype("float32")


def _inputs(shape, from_logits, class_axis, rng):
    if from_logits:
        return rng.normal(0.0, 2.0, size=shape).astype("float32")
    return _probabilities(shape, rng, class_axis)


# --- Keras parity -----------------------------------------------------------

# Keras's own test inputs (keras/src/losses/losses_test.py).
CORRECTNESS = (np.array([[1, 2], [1, 2]]), np.array([[4, 1], [6, 1]]))
BINARY = (
    np.array([[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]]),
    np.array([[0, 1, 0, 1], [1, 0, 1, 1], [0, 1, 0, 1], [1, 0, 1, 1]]),
)
WITH_AXIS = (
    np.array(
        [[[[1.0], [1.0]], [[0.0], [0.0]]], [[[1.0], [1.0]], [[0.0], [0.0]]]]
    ),
    np.array(
        [[[[0.0], [1.0]], [[0.0], [1.0]]], [[[0.4], [0.0]], [[0.0], [0.9]]]]
    ),
)


def test_dice_on_keras_test_inputs():
    # Keras's asserted values: 1 - 2*14/18, 1 - 2*3/(8 + 10) ... (its tests).
    dice = keras_losses.Dice()
    np.testing.assert_allclose(numpy(dice(*CORRECTNESS)), -0.55555546, 1e-6)
    np.testing.assert_allclose(numpy(dice(*BINARY)), 0.77777773, rtol=1e-6)
    per_image = keras_losses.Dice(axis=(1, 2, 3), reduction=None)
    np.testing.assert_allclose(
        numpy(per_image(*WITH_AXIS)), [0.5, 0.75757575], rtol=1e-6
    )
    for inputs in (CORRECTNESS, BINARY):
        np.testing.assert_allclose(
            numpy(dice(*inputs)), numpy(keras.losses.Dice()(*inputs)), 1e-6
        )


def _keras_tversky_convention():
    """ "paper" if Keras's alpha weights false positives, else "swapped"."""
    y_true, y_pred = np.array([[1.0, 1.0, 0.0]]), np.array([[0.9, 0.2, 0.7]])
    theirs = numpy(keras.losses.Tversky(alpha=0.2, beta=0.8)(y_true, y_pred))
    paper = numpy(keras_losses.Tversky(alpha=0.2, beta=0.8)(y_true, y_pred))
    swapped = numpy(keras_losses.Tversky(alpha=0.8, beta=0.2)(y_true, y_pred))
    assert not np.isclose(paper, swapped)  # the input tells them apart
    if np.isclose(theirs, paper, rtol=1e-6):
        return "paper"
    assert np.isclose(theirs, swapped, rtol=1e-6), (theirs, paper, swapped)
    return "swapped"


def test_tversky_alpha_weights_false_positives():
    # Hand-derived: tp = 0.9 + 0.2 = 1.1, fp = 0.7, fn = 0.1 + 0.8 = 0.9.
    y_true, y_pred = np.array([[1.0, 1.0, 0.0]]), np.array([[0.9, 0.2, 0.7]])
    loss = keras_losses.tversky(y_true, y_pred, alpha=0.2, beta=0.8, axis=-1)
    expected = 1 - 1.1 / (1.1 + 0.2 * 0.7 + 0.8 * 0.9)
    np.testing.assert_allclose(numpy(loss), [expected], rtol=1e-6)
    # Keras 3.15.1's code applies alpha to false negatives (fixed upstream
    # after 3.15.1); with its arguments swapped it gives ours.
    convention = _keras_tversky_convention()
    if keras.__version__ == "3.15.1":
        assert convention == "swapped"


@pytest.mark.parametrize("inputs", [CORRECTNESS, BINARY, WITH_AXIS])
@pytest.mark.parametrize("alpha, beta", [(0.5, 0.5), (0.2, 0.8)])
def test_tversky_on_keras_test_inputs(inputs, alpha, beta):
    swapped = _keras_tversky_convention() == "swapped"
    axis = (1, 2, 3) if inputs is WITH_AXIS else None
    theirs = keras.losses.Tversky(
        alpha=beta if swapped else alpha,
        beta=alpha if swapped else beta,
        axis=axis,
        reduction=None,
    )(*inputs)
    ours = keras_losses.Tversky(alpha, beta, axis=axis, reduction=None)
    np.testing.assert_allclose(numpy(ours(*inputs)), numpy(theirs), 1e-6)


KERAS_GRID = list(
    itertools.product(
        [(4, 6), (2, 5, 6, 3)],
        [None, -1, "spatial"],
        ["sum_over_batch_size", "sum", "mean_with_sample_weight", None],
        [None, "per_sample"],
    )
)


@pytest.mark.parametrize("name", ["Dice", "Tversky"])
def test_matches_keras_on_a_grid(name):
    rng = np.random.default_rng(3)
    swapped = _keras_tversky_convention() == "swapped"
    for shape, axis, reduction, weighting in KERAS_GRID:
        if axis == "spatial":
            axis = tuple(range(1, len(shape) - 1)) or (1,)
        if weighting and axis is None:
            continue  # a batch statistic: weights are refused (tested below)
        y_true = (rng.random(shape) < 0.4).astype("float32")
        y_pred = _probabilities(shape, rng)
        weight = None
        if weighting:  # (N, 1, ...): one weight per image
            rank = len(shape) - len(np.atleast_1d(axis))
            weight_shape = shape[:1] + (1,) * (rank - 1)
            weight = rng.uniform(0.1, 2.0, weight_shape).astype("float32")
        kwargs = dict(axis=axis, reduction=reduction)
        theirs_kwargs = dict(kwargs)
        if name == "Tversky":
            kwargs.update(alpha=0.3, beta=0.7)
            theirs_kwargs.update(
                alpha=0.7 if swapped else 0.3, beta=0.3 if swapped else 0.7
            )
        ours = getattr(keras_losses, name)(**kwargs)(y_true, y_pred, weight)
        theirs = getattr(keras.losses, name)(**theirs_kwargs)(
            y_true, y_pred, weight
        )
        assert_close(
            numpy(ours),
            numpy(theirs),
            rtol=1e-6,
            atol=1e-6,
            reference=f"keras.losses.{name}",
            case=f"{shape} axis={axis} {reduction} {weighting}",
        )
        count(name, "generated")


def test_empty_label_predicted_empty_is_zero_not_keras_one():
    y = np.zeros((2, 4, 4, 1), "float32")
    ours = numpy(keras_losses.Dice(axis=(1, 2, 3), reduction=None)(y, y))
    theirs = numpy(keras.losses.Dice(axis=(1, 2, 3), reduction=None)(y, y))
    np.testing.assert_array_equal(ours, [0.0, 0.0])
    np.testing.assert_array_equal(theirs, [1.0, 1.0])


# --- Float64 references -----------------------------------------------------

# (shape, class_axis, axis): NHWC and NCHW, per image and class, per image,
# per class over the batch, the whole batch.
LAYOUTS = [
    ((2, 4, 5, 3), None, None),
    ((2, 4, 5, 3), None, (1, 2)),
    ((2, 4, 5, 3), -1, (1, 2)),
    ((2, 4, 5, 3), -1, (1, 2, 3)),
    ((2, 4, 5, 3), 3, (0, 1, 2)),
    ((2, 3, 4, 5), 1, (2, 3)),
    ((2, 3, 4, 5), 1, None),
    ((3, 4), -1, 0),
]


@pytest.mark.parametrize("name", sorted(DENSE))
@pytest.mark.parametrize("from_logits", [False, True])
def test_dense_matches_reference(name, from_logits):
    ours, ref = DENSE[name]
    rng = np.random.default_rng(len(name) + from_logits)
    for (shape, class_axis, axis), options in itertools.product(
        LAYOUTS, [{}, EXTRA[name], "classes"]
    ):
        if options == "classes":
            if class_axis is None:
                continue
            kept = axis is not None and class_axis % len(shape) not in [
                a % len(shape) for a in np.atleast_1d(axis)
            ]
            classes = shape[class_axis]
            options = dict(exclude_classes=[0])
            if kept:
                options["class_weight"] = list(np.linspace(0.5, 2, classes))
        y_true = (rng.random(shape) < 0.3).astype("float32")
        if class_axis is not None:
            labels = rng.integers(0, shape[class_axis], size=shape)
            y_true = (labels == 0).astype("float32")
        y_pred = _inputs(shape, from_logits, class_axis, rng)
        kwargs = dict(
            from_logits=from_logits, axis=axis, class_axis=class_axis, **options
        )
        assert_close(
            numpy(ours(y_true, y_pred, **kwargs)),
            ref(y_true, y_pred, **kwargs),
            rtol=1e-5,
            atol=1e-6,
            reference=f"float64 {name}",
            case=str(kwargs),
        )
        count(name, "generated")


SPARSE_LAYOUTS = [
    ((2, 4, 5, 3), -1, (1, 2)),
    ((2, 4, 5, 3), -1, None),
    ((2, 4, 5, 3), -1, (0, 1, 2)),
    ((2, 3, 4, 5), 1, (2, 3)),
    ((2, 3, 4, 5), 1, (1, 2, 3)),
]


def _sparse_labels(shape, class_axis, rng, ignore_class=None):
    label_shape = list(shape)
    classes = label_shape.pop(class_axis)
    labels = rng.integers(0, classes, size=label_shape)
    if ignore_class is not None:
        labels[rng.random(label_shape) < 0.2] = ignore_class
        labels[0] = ignore_class  # an image with no pixel that counts
    return labels


@pytest.mark.parametrize("name", sorted(SPARSE))
@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_matches_reference_and_dense(name, from_logits):
    ours, ref = SPARSE[name]
    dense = DENSE[name][0]
    rng = np.random.default_rng(7 + from_logits)
    for (shape, class_axis, axis), ignore, options in itertools.product(
        SPARSE_LAYOUTS, [None, 255], [{}, EXTRA[name]]
    ):
        labels = _sparse_labels(shape, class_axis, rng, ignore)
        y_pred = _inputs(shape, from_logits, class_axis, rng)
        kwargs = dict(
            from_logits=from_logits, axis=axis, class_axis=class_axis, **options
        )
        loss = ours(labels, y_pred, ignore_class=ignore, **kwargs)
        expected, mask = ref(
            labels, y_pred, ignore_class=ignore, return_mask=True, **kwargs
        )
        assert_close(
            numpy(loss),
            expected,
            rtol=1e-5,
            atol=1e-6,
            reference=f"float64 sparse_{name}",
            case=f"{kwargs} ignore={ignore}",
        )
        ours_mask = keras_losses._keras_compat.get_keras_mask(loss)
        if ignore is None:
            assert ours_mask is None
            # Without ignored labels: the dense loss on the one-hot labels.
            one_hot = np.moveaxis(
                np.eye(shape[class_axis], dtype="float32")[labels],
                -1,
                class_axis,
            )
            np.testing.assert_allclose(
                numpy(loss),
                numpy(dense(one_hot, y_pred, **kwargs)),
                rtol=1e-5,
                atol=1e-6,
            )
        else:
            np.testing.assert_array_equal(numpy(ours_mask) > 0, mask)
        count(f"sparse_{name}", "generated")


@pytest.mark.parametrize("weighting", ["square", "simple", "uniform"])
@pytest.mark.parametrize("sparse", [False, True])
def test_generalized_dice_matches_reference(weighting, sparse):
    rng = np.random.default_rng(11)
    cases = [
        ((2, 4, 5, 3), -1, (1, 2)),
        ((2, 4, 5, 3), -1, None),
        ((2, 3, 4, 5), 1, (2, 3)),
    ]
    for (shape, class_axis, axis), from_logits, exclude in itertools.product(
        cases, [False, True], [None, [0]]
    ):
        labels = _sparse_labels(shape, class_axis, rng)
        labels[0][labels[0] == 2] = 1  # class 2 absent from image 0
        y_pred = _inputs(shape, from_logits, class_axis, rng)
        kwargs = dict(
            weighting=weighting,
            from_logits=from_logits,
            axis=axis,
            class_axis=class_axis,
            exclude_classes=exclude,
        )
        if sparse:
            ours = keras_losses.sparse_generalized_dice(
                labels, y_pred, **kwargs
            )
            expected = reference.sparse_generalized_dice(
                labels, y_pred, **kwargs
            )
        else:
            one_hot = np.moveaxis(
                np.eye(shape[class_axis], dtype="float32")[labels],
                -1,
                class_axis,
            )
            ours = keras_losses.generalized_dice(one_hot, y_pred, **kwargs)
            expected = reference.generalized_dice(one_hot, y_pred, **kwargs)
        assert np.all(np.isfinite(numpy(ours)))
        assert_close(
            numpy(ours),
            expected,
            rtol=1e-5,
            atol=1e-6,
            reference="float64 generalized_dice",
            case=str(kwargs),
        )
        count("generalized_dice", "generated")


@pytest.mark.parametrize("classes", ["present", "all"])
@pytest.mark.parametrize("from_logits", [False, True])
def test_lovasz_softmax_matches_reference(classes, from_logits):
    rng = np.random.default_rng(5)
    cases = [
        ((2, 4, 5, 3), -1, (1, 2)),
        ((2, 4, 5, 3), -1, None),
        ((2, 3, 4, 5), 1, (2, 3)),
        ((6, 4), -1, None),
    ]
    for (shape, class_axis, axis), ignore, exclude in itertools.product(
        cases, [None, 255], [None, [0]]
    ):
        labels = _sparse_labels(shape, class_axis, rng, ignore)
        y_pred = _inputs(shape, from_logits, class_axis, rng)
        kwargs = dict(
            classes=classes,
            from_logits=from_logits,
            axis=axis,
            class_axis=class_axis,
            exclude_classes=exclude,
            ignore_class=ignore,
        )
        loss = keras_losses.lovasz_softmax(labels, y_pred, **kwargs)
        expected, mask = reference.lovasz_softmax(
            labels, y_pred, return_mask=True, **kwargs
        )
        assert_close(
            numpy(loss),
            expected,
            rtol=1e-5,
            atol=1e-6,
            reference="float64 lovasz_softmax (Berman)",
            case=str(kwargs),
        )
        if ignore is not None:
            ours_mask = keras_losses._keras_compat.get_keras_mask(loss)
            np.testing.assert_array_equal(numpy(ours_mask) > 0, mask)
        count("lovasz_softmax", "generated")


def test_lovasz_hinge_matches_reference():
    rng = np.random.default_rng(6)
    for shape, axis, ignore in itertools.product(
        [(3, 4, 5), (4, 6)], [None, -1, (1, 2)], [None, 255]
    ):
        if axis == (1, 2) and len(shape) == 2:
            continue
        labels = rng.integers(0, 2, size=shape)
        if ignore is not None:
            labels[rng.random(shape) < 0.2] = ignore
            labels[0] = ignore
        logits = rng.normal(0.0, 2.0, size=shape).astype("float32")
        loss = keras_losses.lovasz_hinge(
            labels, logits, axis=axis, ignore_class=ignore
        )
        expected = reference.lovasz_hinge(
            labels, logits, axis=axis, ignore_class=ignore
        )
        assert_close(
            numpy(loss),
            expected,
            rtol=1e-5,
            atol=1e-6,
            reference="float64 lovasz_hinge (Berman)",
            case=f"{shape} axis={axis} ignore={ignore}",
        )
        count("lovasz_hinge", "generated")


def test_lovasz_on_hard_predictions_is_the_jaccard_loss():
    # Berman et al., Prop. 1: on 0/1 errors the Lovász extension is the
    # Jaccard loss itself, checked by brute force over every labelling of
    # 5 pixels and every hard prediction.
    for bits in itertools.product([0, 1], repeat=10):
        labels, predicted = np.array(bits[:5]), np.array(bits[5:])
        probs = np.stack([1 - predicted, predicted], -1).astype("float32")
        loss = keras_losses.lovasz_softmax(
            labels[None], probs[None], axis=1, classes="all"
        )
        expected = np.mean(
            [
                reference.jaccard_loss_of_hard(labels == c, predicted == c)
                for c in (0, 1)
            ]
        )
        np.testing.assert_allclose(numpy(loss), [expected], atol=1e-6)
    count("lovasz_softmax", "generated", 2**10)


# --- Sets: empty masks, ignored images, sample weights ----------------------

ALL_SPARSE = [
    keras_losses.sparse_dice,
    keras_losses.sparse_jaccard,
    keras_losses.sparse_tversky,
    keras_losses.sparse_focal_tversky,
    keras_losses.sparse_generalized_dice,
    keras_losses.lovasz_softmax,
]


@pytest.mark.parametrize("fn", ALL_SPARSE, ids=lambda f: f.__name__)
def test_empty_sets_are_finite_with_finite_gradients(fn):
    # Image 0: every pixel class 0, predicted so (class 1 absent from label
    # and prediction); image 1: every pixel ignored; image 2: one pixel.
    labels = np.zeros((3, 2, 2), "int32")
    labels[1] = 255
    labels[2, 1:, :] = 255
    labels[2, 0, 1] = 255
    logits = np.zeros((3, 2, 2, 2), "float64")
    logits[..., 0] = 30.0

    def loss_of(x):
        return keras.ops.sum(
            fn(labels, x, from_logits=True, axis=(1, 2), ignore_class=255)
        )

    value, gradient = value_and_grad(loss_of, logits)
    per_set = numpy(
        fn(labels, logits, from_logits=True, axis=(1, 2), ignore_class=255)
    )
    assert np.all(np.isfinite(per_set)) and np.all(np.isfinite(gradient))
    assert np.isfinite(value)
    np.testing.assert_allclose(per_set[1], 0.0)  # all ignored: 0
    np.testing.assert_allclose(gradient[1], 0.0)
    mask = keras_losses._keras_compat.get_keras_mask(
        fn(labels, logits, from_logits=True, axis=(1, 2), ignore_class=255)
    )
    assert not np.any(numpy(mask)[1])  # ... and out of the mean


@pytest.mark.parametrize("fn", ALL_SPARSE, ids=lambda f: f.__name__)
def test_all_ignored_image_is_left_out_of_the_mean(fn):
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 3, size=(3, 4, 4))
    logits = rng.normal(size=(3, 4, 4, 3)).astype("float32")
    kwargs = dict(from_logits=True, axis=(1, 2), ignore_class=255)
    cls = type(
        "Wrapped",
        (keras.losses.Loss,),
        {"call": lambda self, t, p: fn(t, p, **kwargs)},
    )
    two = numpy(cls()(labels[:2], logits[:2]))
    labels[2] = 255  # a third image with nothing that counts
    three = numpy(cls()(labels, logits))
    np.testing.assert_allclose(three, two, rtol=1e-6)


def test_perfect_and_empty_predictions():
    y = np.zeros((1, 3, 3), "float32")
    y[0, 1, 1] = 1.0
    for fn in (keras_losses.dice, keras_losses.jaccard, keras_losses.tversky):
        np.testing.assert_allclose(
            numpy(fn(y, y, axis=(1, 2))), [0.0], atol=1e-6
        )
        empty = numpy(fn(y, np.zeros_like(y), axis=(1, 2)))
        np.testing.assert_allclose(empty, [1.0], atol=1e-6)
        both_empty = np.zeros_like(y)
        np.testing.assert_array_equal(
            numpy(fn(both_empty, both_empty, axis=(1, 2))), [0.0]
        )
    gdl = keras_losses.sparse_generalized_dice(
        np.zeros((1, 3), "int32"), np.array([[[1.0, 0.0]] * 3]), axis=1
    )
    np.testing.assert_allclose(numpy(gdl), [0.0], atol=1e-6)


def test_focal_tversky_gradient_at_a_perfect_set_is_zero_not_nan():
    y = np.array([[1.0, 0.0, 1.0]])

    def loss_of(x):
        return keras.ops.sum(keras_losses.focal_tversky(y, x, axis=-1))

    _, gradient = value_and_grad(loss_of, y.astype("float64"))
    np.testing.assert_array_equal(gradient, 0.0)


@pytest.mark.parametrize("batch", [0, 1])
def test_batch_of_size_zero_and_one(batch):
    labels = np.zeros((batch, 4, 4), "int32")
    logits = np.zeros((batch, 4, 4, 3), "float32")
    for cls in (keras_losses.SparseDice, keras_losses.LovaszSoftmax):
        for axis in (None, (1, 2)):
            value = numpy(cls(axis=axis, from_logits=True)(labels, logits))
            # Keras reduces an empty rank-1 loss to an empty array (as for
            # its own losses, see test_bad_input): never NaN.
            assert np.all(np.isfinite(value)), (cls, axis, batch)


def test_batch_statistic_refuses_per_sample_weights():
    labels = np.zeros((2, 4, 4), "int32")
    logits = np.zeros((2, 4, 4, 3), "float32")
    for axis in (None, (0, 1, 2)):
        loss = keras_losses.SparseDice(axis=axis)
        with pytest.raises(ValueError, match="sums the batch axis"):
            loss(labels, logits, sample_weight=np.array([1.0, 2.0]))
        loss(labels, logits, sample_weight=2.0)  # a scalar is fine
    # Per image: the weights weight images, as Keras weights any loss.
    per_image = keras_losses.SparseDice(axis=(1, 2, 3))
    weights = np.array([1.0, 3.0])
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, size=(2, 4, 4))
    probs = softmax(rng.normal(size=(2, 4, 4, 3)), -1)
    values = numpy(keras_losses.sparse_dice(labels, probs, axis=(1, 2, 3)))
    np.testing.assert_allclose(
        numpy(per_image(labels, probs, sample_weight=weights)),
        np.sum(values * weights) / 2,
        rtol=1e-6,
    )


def test_bad_labels_give_nan_for_their_set_only():
    labels = np.array([[0, 1], [1, 7]])
    probs = np.full((2, 2, 2), 0.5, "float32")
    for fn in ALL_SPARSE:
        loss = numpy(fn(labels, probs, axis=1))
        assert np.all(np.isfinite(loss[0])) and np.all(np.isnan(loss[1])), fn
    hinge = numpy(
        keras_losses.lovasz_hinge([[0, 1], [1, 2]], probs[..., 0], axis=1)
    )
    assert np.isfinite(hinge[0]) and np.isnan(hinge[1])


# --- Gradients --------------------------------------------------------------

GRADIENT_CASES = [
    (keras_losses.dice, reference.dice, dict(class_axis=-1, axis=(1,))),
    (keras_losses.jaccard, reference.jaccard, dict(axis=(1, 2))),
    (keras_losses.tversky, reference.tversky, dict(alpha=0.3, beta=0.7)),
    (
        keras_losses.focal_tversky,
        reference.focal_tversky,
        dict(class_axis=-1, axis=(1,)),
    ),
    (
        keras_losses.generalized_dice,
        reference.generalized_dice,
        dict(axis=(1,)),
    ),
]


@pytest.mark.parametrize(
    "ours, ref, kwargs",
    GRADIENT_CASES,
    ids=lambda c: getattr(c, "__name__", ""),
)
def test_gradient_matches_finite_differences(ours, ref, kwargs):
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 3, size=(2, 5))
    y_true = np.eye(3)[labels]
    logits = rng.normal(size=(2, 5, 3))
    kwargs = dict(kwargs, from_logits=True)
    if "class_axis" not in kwargs and ours is not keras_losses.generalized_dice:
        kwargs["class_axis"] = None

    def loss_of(x):
        return keras.ops.sum(ours(y_true, x, **kwargs))

    _, gradient = value_and_grad(loss_of, logits)
    expected = finite_difference(lambda x: ref(y_true, x, **kwargs), logits)
    assert np.any(np.abs(expected) > 1e-4)
    np.testing.assert_allclose(gradient, expected, rtol=1e-5, atol=1e-7)


def test_lovasz_gradient_matches_finite_differences():
    rng = np.random.default_rng(8)
    labels = rng.integers(0, 3, size=(2, 6))
    logits = rng.normal(size=(2, 6, 3))

    def loss_of(x):
        return keras.ops.sum(
            keras_losses.lovasz_softmax(labels, x, axis=1, from_logits=True)
        )

    _, gradient = value_and_grad(loss_of, logits)
    expected = finite_difference(
        lambda x: reference.lovasz_softmax(labels, x, axis=1, from_logits=True),
        logits,
    )
    np.testing.assert_allclose(gradient, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("fn", ALL_SPARSE, ids=lambda f: f.__name__)
@pytest.mark.parametrize("scale", [50.0, 1e4])
def test_extreme_logits_are_finite(fn, scale):
    rng = np.random.default_rng(9)
    labels = rng.integers(0, 3, size=(2, 4, 4))
    logits = (rng.normal(size=(2, 4, 4, 3)) * scale).astype("float32")

    def loss_of(x):
        return keras.ops.sum(fn(labels, x, from_logits=True, axis=(1, 2)))

    value, gradient = value_and_grad(loss_of, logits)
    assert np.isfinite(value) and np.all(np.isfinite(gradient))
    expected = np.sum(
        {
            "lovasz_softmax": reference.lovasz_softmax,
            "sparse_generalized_dice": reference.sparse_generalized_dice,
        }.get(fn.__name__, getattr(reference, fn.__name__))(
            labels, logits, from_logits=True, axis=(1, 2)
        )
    )
    np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6)


# --- Dtypes and compilation -------------------------------------------------


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64"])
def test_dtypes(dtype, backend):
    if dtype == "float64" and backend == "jax":
        import jax

        if not jax.config.jax_enable_x64:
            pytest.skip("JAX computes in float32 unless jax_enable_x64 is set")
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, size=(2, 4, 4))
    logits = rng.normal(size=(2, 4, 4, 3)).astype("float32")
    for fn in ALL_SPARSE:
        full = numpy(fn(labels, logits, from_logits=True, axis=(1, 2)))
        loss = fn(
            labels,
            keras.ops.cast(logits, dtype),
            from_logits=True,
            axis=(1, 2),
        )
        assert keras.backend.standardize_dtype(loss.dtype) == dtype
        tolerance = 1e-6 if dtype == "float64" else 2e-2
        np.testing.assert_allclose(numpy(loss), full, rtol=tolerance, atol=1e-2)


@pytest.mark.parametrize(
    "cls",
    [
        keras_losses.SparseDice,
        keras_losses.SparseGeneralizedDice,
        keras_losses.LovaszSoftmax,
    ],
)
def test_jit_compiled_fit_matches_eager(cls, backend):
    if backend not in ("tensorflow", "jax"):
        pytest.skip(f"XLA compilation is a TensorFlow/JAX feature ({backend})")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 6, 6, 2)).astype("float32")
    y = rng.integers(0, 3, size=(8, 6, 6))
    y[0, :2] = 255

    def fit(jit_compile):
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [keras.Input((6, 6, 2)), keras.layers.Conv2D(3, 3, padding="same")]
        )
        model.compile(
            optimizer="sgd",
            loss=cls(axis=(1, 2), from_logits=True, ignore_class=255),
            jit_compile=jit_compile,
        )
        history = model.fit(x, y, batch_size=4, epochs=2, verbose=0)
        return history.history["loss"]

    np.testing.assert_allclose(fit(True), fit(False), rtol=1e-5)
