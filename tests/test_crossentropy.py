"""Cross-entropy family: Keras parity, references, gradients, bad input."""

import itertools

import keras
import numpy as np
import pytest

import keras_losses
from tests import reference
from tests.autodiff import finite_difference
from tests.autodiff import value_and_grad
from tests.helpers import REDUCTIONS
from tests.helpers import WEIGHTINGS
from tests.helpers import numpy as _numpy
from tests.helpers import one_hot as _one_hot
from tests.helpers import predictions as _predictions
from tests.helpers import sample_weight as _sample_weight
from tests.helpers import softmax as _softmax
from tests.tolerance import assert_close

# --- The seed values (contract point 6) -------------------------------------


def test_seed_value_categorical():
    loss = keras_losses.CategoricalCrossentropy()(
        [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    )
    np.testing.assert_allclose(_numpy(loss), 1.176939, atol=1e-6)


def test_seed_value_binary():
    loss = keras_losses.BinaryCrossentropy()([[0], [1]], [[0.4], [0.6]])
    np.testing.assert_allclose(_numpy(loss), 0.5108254, atol=1e-6)


# --- Parity grids against the Keras built-ins -------------------------------

SHAPES = [(6, 1), (4, 5), (3, 4, 5), (2, 3, 2, 4)]
BINARY_GRID = [
    (shape, axis, from_logits, smoothing, reduction, weighting)
    for shape in SHAPES
    for axis in ((-1, 0) if len(shape) == 2 else (-1, 1))
    for from_logits, smoothing, reduction, weighting in itertools.product(
        (False, True), (0.0, 0.2), REDUCTIONS, WEIGHTINGS
    )
]


@pytest.mark.parametrize(
    "shape, axis, from_logits, smoothing, reduction, weighting", BINARY_GRID
)
def test_binary_matches_keras(
    shape, axis, from_logits, smoothing, reduction, weighting
):
    rng = np.random.default_rng(len(shape) * 100 + axis)
    y_true = rng.integers(0, 2, size=shape).astype("float32")
    y_pred = _predictions(shape, from_logits, rng)
    loss_shape = np.delete(shape, axis % len(shape))
    sample_weight = _sample_weight(weighting, tuple(loss_shape), rng)
    kwargs = dict(
        from_logits=from_logits,
        label_smoothing=smoothing,
        axis=axis,
        reduction=reduction,
    )
    ours = keras_losses.BinaryCrossentropy(**kwargs)
    theirs = keras.losses.BinaryCrossentropy(**kwargs)
    assert_close(
        _numpy(ours(y_true, y_pred, sample_weight=sample_weight)),
        _numpy(theirs(y_true, y_pred, sample_weight=sample_weight)),
        rtol=1e-6,
        atol=1e-7,
        reference="keras.losses.BinaryCrossentropy",
        case=f"{shape} {kwargs} {weighting}",
    )


CATEGORICAL_GRID = [
    (shape, axis, from_logits, smoothing, reduction, weighting)
    for shape in SHAPES[1:]
    for axis in ((-1,) if len(shape) == 2 else (-1, 1))
    for from_logits, smoothing, reduction, weighting in itertools.product(
        (False, True), (0.0, 0.2), REDUCTIONS, WEIGHTINGS
    )
]


@pytest.mark.parametrize(
    "shape, axis, from_logits, smoothing, reduction, weighting",
    CATEGORICAL_GRID,
)
def test_categorical_matches_keras(
    shape, axis, from_logits, smoothing, reduction, weighting
):
    rng = np.random.default_rng(len(shape) * 100 + axis)
    labels = rng.integers(0, shape[axis], size=np.delete(shape, axis))
    y_true = _one_hot(labels, shape[axis], axis)
    y_pred = _predictions(shape, from_logits, rng, axis=axis)
    sample_weight = _sample_weight(weighting, labels.shape, rng)
    kwargs = dict(
        from_logits=from_logits,
        label_smoothing=smoothing,
        axis=axis,
        reduction=reduction,
    )
    ours = keras_losses.CategoricalCrossentropy(**kwargs)
    actual = _numpy(ours(y_true, y_pred, sample_weight=sample_weight))
    if smoothing and axis != -1:
        # Keras smooths with 1 / (size of the last axis) whatever `axis` is;
        # we smooth over the class axis, so compare with the formula.
        losses = reference.categorical_crossentropy(
            y_true, y_pred, from_logits, smoothing, axis
        )
        expected = reference.reduce(losses, reduction, sample_weight)
        name = "reference.categorical_crossentropy"
    else:
        theirs = keras.losses.CategoricalCrossentropy(**kwargs)
        expected = _numpy(theirs(y_true, y_pred, sample_weight=sample_weight))
        name = "keras.losses.CategoricalCrossentropy"
    assert_close(
        actual,
        expected,
        rtol=1e-6,
        atol=1e-6,
        reference=name,
        case=f"{shape} {kwargs} {weighting}",
    )


SPARSE_GRID = [
    (shape, label_rank, from_logits, ignore_class, reduction, weighting)
    for shape in SHAPES[1:]
    for label_rank in (len(shape) - 1, len(shape))
    for from_logits, ignore_class, reduction, weighting in itertools.product(
        (False, True), (None, -1, 2), REDUCTIONS, WEIGHTINGS
    )
]


@pytest.mark.parametrize(
    "shape, label_rank, from_logits, ignore_class, reduction, weighting",
    SPARSE_GRID,
)
def test_sparse_matches_keras(
    shape, label_rank, from_logits, ignore_class, reduction, weighting, backend
):
    if (
        backend == "torch"
        and ignore_class is not None
        and weighting == "scalar"
    ):
        pytest.skip(
            "Keras's own reduction fails on torch for a scalar sample_weight "
            "with a loss mask (in-place broadcast in apply_mask)"
        )
    rng = np.random.default_rng(len(shape) * 10 + label_rank)
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    if ignore_class is not None:
        labels[rng.random(labels.shape) < 0.3] = ignore_class
    y_true = labels.reshape(shape[:-1] + (1,) * (label_rank - len(shape) + 1))
    y_pred = _predictions(shape, from_logits, rng, axis=-1)
    sample_weight = _sample_weight(weighting, labels.shape, rng)
    if (
        backend == "torch"
        and ignore_class is not None
        and np.shape(sample_weight) not in ((), labels.shape)
    ) or (
        backend == "torch"
        and ignore_class is not None
        and weighting == "scalar"
    ):
        pytest.skip(
            "Keras's own reduction fails on torch when a sample_weight must "
            "broadcast against a loss mask (in-place multiply in apply_mask)"
        )
    kwargs = dict(
        from_logits=from_logits, ignore_class=ignore_class, reduction=reduction
    )
    ours = keras_losses.SparseCategoricalCrossentropy(**kwargs)
    theirs = keras.losses.SparseCategoricalCrossentropy(**kwargs)
    assert_close(
        _numpy(ours(y_true, y_pred, sample_weight=sample_weight)),
        _numpy(theirs(y_true, y_pred, sample_weight=sample_weight)),
        rtol=1e-6,
        atol=1e-6,
        reference="keras.losses.SparseCategoricalCrossentropy",
        case=f"{shape} labels rank {label_rank} {kwargs} {weighting}",
    )


# Cases from Keras's own tests of these three classes (keras/src/losses/
# losses_test.py): (class, kwargs, y_true, y_pred, sample_weight, expected).
_TRUE3 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
_PROB3 = [[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]]
_LOGIT3 = [[8.0, 1.0, 1.0], [0.0, 9.0, 1.0], [2.0, 3.0, 5.0]]
_BCE_TRUE = [[1, 0, 1], [0, 1, 1]]
_BCE_LOGIT = [[10.0, -10.0, 10.0], [10.0, 10.0, -10.0]]
_WEIGHTS3 = [[1.2], [3.4], [5.6]]
KERAS_CASES = [
    ("BinaryCrossentropy", {}, _TRUE3, _TRUE3, None, 0.0),
    (
        "BinaryCrossentropy",
        {},
        _TRUE3,
        [[0.9, 0.1, 0.2], [0.3, 0.8, 0.1], [0.1, 0.2, 0.7]],
        None,
        0.20046903,
    ),
    (
        "BinaryCrossentropy",
        {},
        [[1, 0], [1, 0]],
        [[1, 1], [1, 0]],
        None,
        3.98559,
    ),
    ("BinaryCrossentropy", {}, [[1, 0], [1, 0]], [[1, 1], [1, 0]], 2.3, 9.1668),
    (
        "BinaryCrossentropy",
        {},
        [[1, 0], [1, 0]],
        [[1, 1], [1, 0]],
        [[1.2], [3.4]],
        4.7827,
    ),
    (
        "BinaryCrossentropy",
        {"from_logits": True},
        _BCE_TRUE,
        _BCE_LOGIT,
        None,
        3.3333,
    ),
    (
        "BinaryCrossentropy",
        {"from_logits": True},
        _BCE_TRUE,
        _BCE_LOGIT,
        2.3,
        7.666,
    ),
    (
        "BinaryCrossentropy",
        {"from_logits": True},
        _BCE_TRUE,
        _BCE_LOGIT,
        [4, 3],
        10.0,
    ),
    (
        "BinaryCrossentropy",
        {"from_logits": True, "reduction": None},
        _BCE_TRUE,
        _BCE_LOGIT,
        None,
        [0.0, 6.666],
    ),
    (
        "BinaryCrossentropy",
        {"from_logits": True, "label_smoothing": 0.1},
        [[1, 0, 1]],
        [[10.0, -10.0, -10.0]],
        None,
        (10.0 + 5.0 * 0.1) / 3.0,
    ),
    ("CategoricalCrossentropy", {}, _TRUE3, _TRUE3, None, 0.0),
    ("CategoricalCrossentropy", {}, _TRUE3, _PROB3, None, 0.3239),
    ("CategoricalCrossentropy", {}, _TRUE3, _PROB3, 2.3, 0.7449),
    ("CategoricalCrossentropy", {}, _TRUE3, _PROB3, _WEIGHTS3, 1.0696),
    (
        "CategoricalCrossentropy",
        {"from_logits": True},
        _TRUE3,
        _LOGIT3,
        None,
        0.0573,
    ),
    (
        "CategoricalCrossentropy",
        {"from_logits": True},
        _TRUE3,
        _LOGIT3,
        2.3,
        0.1317,
    ),
    (
        "CategoricalCrossentropy",
        {"from_logits": True},
        _TRUE3,
        _LOGIT3,
        _WEIGHTS3,
        0.31829,
    ),
    (
        "CategoricalCrossentropy",
        {"from_logits": True, "reduction": None},
        _TRUE3,
        _LOGIT3,
        None,
        [0.001822, 0.000459, 0.169846],
    ),
    (
        "CategoricalCrossentropy",
        {"from_logits": True, "label_smoothing": 0.1},
        [[1, 0, 0]],
        [[100.0, -100.0, -100.0]],
        None,
        400.0 * 0.1 / 3.0,
    ),
    ("SparseCategoricalCrossentropy", {}, [[0], [1], [2]], _TRUE3, None, 0.0),
    ("SparseCategoricalCrossentropy", {}, [0, 1, 2], _PROB3, None, 0.3239),
    ("SparseCategoricalCrossentropy", {}, [[0], [1], [2]], _PROB3, 2.3, 0.7449),
    (
        "SparseCategoricalCrossentropy",
        {},
        [[0], [1], [2]],
        _PROB3,
        _WEIGHTS3,
        1.0696,
    ),
    (
        "SparseCategoricalCrossentropy",
        {"from_logits": True},
        [0, 1, 2],
        _LOGIT3,
        None,
        0.0573,
    ),
    (
        "SparseCategoricalCrossentropy",
        {"from_logits": True, "reduction": None},
        [[0], [1], [2]],
        _LOGIT3,
        None,
        [0.001822, 0.000459, 0.169846],
    ),
    (
        "SparseCategoricalCrossentropy",
        {"from_logits": True, "ignore_class": -1, "reduction": None},
        [[-1, 2]],
        [[[0.854, 0.698, 0.598], [0.088, 0.86, 0.018]]],
        None,
        [[0.0, 1.480129]],
    ),
    (
        "SparseCategoricalCrossentropy",
        {"from_logits": True, "ignore_class": -1, "reduction": None},
        [[[-1], [2]]],
        [[[0.854, 0.698, 0.598], [0.088, 0.86, 0.018]]],
        None,
        [[0.0, 1.480129]],
    ),
    (
        "SparseCategoricalCrossentropy",
        {},
        [[0, 1], [1, 0]],
        [[[1.0, 0.0], [0.0, 1.0]], [[0.2, 0.8], [0.6, 0.4]]],
        None,
        (-np.log(0.8) - np.log(0.6)) / 4.0,  # two exact pixels
    ),
]


@pytest.mark.parametrize(
    "name, kwargs, y_true, y_pred, sample_weight, expected", KERAS_CASES
)
def test_keras_test_cases(
    name, kwargs, y_true, y_pred, sample_weight, expected
):
    loss = getattr(keras_losses, name)(**kwargs)
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred, dtype="float32")
    actual = loss(y_true, y_pred, sample_weight=sample_weight)
    np.testing.assert_allclose(_numpy(actual), expected, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize(
    "name", ["BinaryCrossentropy", "CategoricalCrossentropy"]
)
def test_shape_mismatch_names_both_shapes(name):
    y_true = np.array([[0], [1], [2]])
    y_pred = np.array([[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]])
    with pytest.raises(ValueError, match="must have the same shape") as error:
        getattr(keras_losses, name)()(y_true, y_pred)
    assert "(3, 1)" in str(error.value) and "(3, 3)" in str(error.value)


def test_sparse_squeezes_singleton_label_axis_at_class_axis():
    rng = np.random.default_rng(23)
    labels = rng.integers(0, 2, size=(2, 1, 4, 4))
    y_pred = rng.random((2, 2, 4, 4)).astype("float32")
    loss = keras_losses.sparse_categorical_crossentropy(labels, y_pred, axis=1)
    assert tuple(loss.shape) == (2, 4, 4)
    expected = reference.sparse_categorical_crossentropy(labels, y_pred, axis=1)
    np.testing.assert_allclose(_numpy(loss), expected, rtol=1e-5)


def test_sparse_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 3\)"):
        keras_losses.sparse_categorical_crossentropy(
            np.zeros((2, 3)), np.ones((4, 3))
        )


@pytest.mark.parametrize(
    "name",
    [
        "BinaryCrossentropy",
        "CategoricalCrossentropy",
        "SparseCategoricalCrossentropy",
    ],
)
def test_dtype_argument(name, backend):
    if backend == "torch" and name == "BinaryCrossentropy":
        pytest.skip(
            "Keras's torch binary_crossentropy lacks bfloat16 (Keras too)"
        )
    y_true = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype="float32")
    if name.startswith("Sparse"):
        y_true = np.array([0, 1, 2])
    y_pred = np.array(
        [[0.9, 0.1, 0.2], [0.3, 0.8, 0.1], [0.1, 0.2, 0.7]], dtype="float32"
    )
    loss = getattr(keras_losses, name)(dtype="bfloat16")
    expected = getattr(keras.losses, name)(dtype="bfloat16")(y_true, y_pred)
    actual = loss(y_true, y_pred)
    assert keras.backend.standardize_dtype(actual.dtype) == "bfloat16"
    # We compute half precision in float32, Keras in bfloat16: one bfloat16
    # step (2**-8) apart at most.
    np.testing.assert_allclose(_numpy(actual), _numpy(expected), rtol=2**-7)


# --- Against PyTorch (the meaning of pos_weight, weight, label_smoothing) ---


@pytest.mark.parametrize("pos_weight", [3.0, [0.5, 1.0, 2.0, 10.0]])
@pytest.mark.parametrize("shape", [(8, 4), (2, 3, 4)])
def test_pos_weight_matches_torch(pos_weight, shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    y_true = rng.integers(0, 2, size=shape).astype("float32")
    logits = rng.normal(0.0, 4.0, size=shape).astype("float32")
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(logits, dtype=torch.float64),
        torch.tensor(y_true, dtype=torch.float64),
        pos_weight=torch.tensor(pos_weight, dtype=torch.float64),
        reduction="none",
    ).mean(dim=-1)
    actual = keras_losses.binary_crossentropy(
        y_true, logits, from_logits=True, pos_weight=pos_weight
    )
    assert_close(
        _numpy(actual),
        expected.numpy(),
        rtol=1e-6,
        atol=1e-6,
        reference="torch binary_cross_entropy_with_logits",
        case=f"{shape} pos_weight={pos_weight}",
    )


SPARSE_TORCH_GRID = list(
    itertools.product(
        [(16, 5), (2, 5, 3, 4)],  # classification (N, C); (N, C, H, W)
        [0.0, 0.1, 0.5, 1.0],
        [None, -1],
        [None, [1.0, 2.0, 0.5, 0.0, 3.0]],
    )
)


@pytest.mark.parametrize(
    "shape, smoothing, ignore_class, class_weight", SPARSE_TORCH_GRID
)
def test_sparse_matches_torch_cross_entropy(
    shape, smoothing, ignore_class, class_weight
):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    classes = shape[1]
    labels = rng.integers(0, classes, size=shape[:1] + shape[2:])
    if ignore_class is not None:
        labels[rng.random(labels.shape) < 0.25] = ignore_class
    logits = rng.normal(0.0, 3.0, size=shape).astype("float32")
    expected = torch.nn.functional.cross_entropy(
        torch.tensor(logits, dtype=torch.float64),
        torch.tensor(labels),
        weight=None
        if class_weight is None
        else torch.tensor(class_weight, dtype=torch.float64),
        ignore_index=-100 if ignore_class is None else ignore_class,
        label_smoothing=smoothing,
        reduction="none",
    ).numpy()
    case = f"{shape} ls={smoothing} ignore={ignore_class} w={class_weight}"
    # The channels-first layout is PyTorch's: the class axis is 1.
    kwargs = dict(
        from_logits=True,
        label_smoothing=smoothing,
        ignore_class=ignore_class,
        axis=1,
        class_weight=class_weight,
    )
    actual = keras_losses.sparse_categorical_crossentropy(
        labels, logits, **kwargs
    )
    assert_close(
        _numpy(actual),
        expected,
        rtol=1e-5,
        atol=1e-6,
        reference="torch cross_entropy",
        case=case,
    )
    # The class's mean leaves ignored elements out of the count.
    reduced = keras_losses.SparseCategoricalCrossentropy(**kwargs)(
        labels, logits
    )
    kept = labels != ignore_class
    assert_close(
        _numpy(reduced),
        expected.sum() / kept.sum(),
        rtol=1e-5,
        atol=1e-6,
        reference="torch cross_entropy",
        case=case + " (mean over kept)",
    )


# --- Against the float64 formulas -------------------------------------------

REFERENCE_GRID = list(
    itertools.product(
        [(6, 4), (2, 3, 4)],
        [False, True],
        [0.0, 0.3],
        [None, 2.5, [0.0, 1.0, 2.0, 4.0]],
    )
)


@pytest.mark.parametrize(
    "shape, from_logits, smoothing, weight", REFERENCE_GRID
)
def test_binary_matches_reference(shape, from_logits, smoothing, weight):
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 2, size=shape).astype("float32")
    y_pred = _predictions(shape, from_logits, rng)
    kwargs = dict(
        from_logits=from_logits, label_smoothing=smoothing, pos_weight=weight
    )
    assert_close(
        _numpy(keras_losses.binary_crossentropy(y_true, y_pred, **kwargs)),
        reference.binary_crossentropy(y_true, y_pred, **kwargs),
        rtol=1e-5,
        atol=1e-6,
        reference="reference.binary_crossentropy",
        case=f"{shape} {kwargs}",
    )


@pytest.mark.parametrize(
    "shape, from_logits, smoothing, weight", REFERENCE_GRID
)
@pytest.mark.parametrize("axis", [-1, 0])
def test_categorical_and_sparse_match_reference(
    shape, from_logits, smoothing, weight, axis
):
    if isinstance(weight, float):
        weight = [weight] * shape[axis]
    if weight is not None and len(weight) != shape[axis]:
        weight = list(np.linspace(0.0, 3.0, shape[axis]))
    rng = np.random.default_rng(5)
    labels = rng.integers(0, shape[axis], size=np.delete(shape, axis))
    y_true = _one_hot(labels, shape[axis], axis)
    y_pred = _predictions(shape, from_logits, rng, axis=axis)
    kwargs = dict(
        from_logits=from_logits,
        label_smoothing=smoothing,
        axis=axis,
        class_weight=weight,
    )
    expected = reference.categorical_crossentropy(y_true, y_pred, **kwargs)
    case = f"{shape} {kwargs}"
    categorical = keras_losses.categorical_crossentropy(
        y_true, y_pred, **kwargs
    )
    assert_close(
        _numpy(categorical),
        expected,
        rtol=1e-5,
        atol=1e-6,
        reference="reference.categorical_crossentropy",
        case=case,
    )
    sparse = keras_losses.sparse_categorical_crossentropy(
        labels, y_pred, **kwargs
    )
    assert_close(
        _numpy(sparse),
        expected,
        rtol=1e-5,
        atol=1e-6,
        reference="reference.categorical_crossentropy (sparse labels)",
        case=case,
    )


def test_hand_derived_values():
    # BCE, logit 0 (p = 1/2), label 1, pos_weight 3: 3 * log 2.
    loss = keras_losses.binary_crossentropy(
        [[1.0]], [[0.0]], from_logits=True, pos_weight=3
    )
    np.testing.assert_allclose(_numpy(loss), [3 * np.log(2)], rtol=1e-6)
    # Two equal logits, label 0, smoothing 0.5: labels become (0.75, 0.25)
    # and p = (1/2, 1/2), so the loss is -(0.75 + 0.25) log(1/2) = log 2;
    # class weights (2, 4) make it -(2 * 0.75 + 4 * 0.25) log(1/2) = 2.5 log 2.
    loss = keras_losses.sparse_categorical_crossentropy(
        [0],
        [[1.0, 1.0]],
        from_logits=True,
        label_smoothing=0.5,
        class_weight=[2, 4],
    )
    np.testing.assert_allclose(_numpy(loss), [2.5 * np.log(2)], rtol=1e-6)
    # Logits (log 1, log 3): p = (1/4, 3/4); one-hot on class 1, weight 2:
    # -2 log(3/4) = 0.575364.
    loss = keras_losses.categorical_crossentropy(
        [[0.0, 1.0]],
        [[0.0, np.log(3.0)]],
        from_logits=True,
        class_weight=[5, 2],
    )
    np.testing.assert_allclose(_numpy(loss), [-2 * np.log(0.75)], rtol=1e-6)


# --- Gradients -------------------------------------------------------------

_LOSSES = {
    "binary": (
        keras_losses.binary_crossentropy,
        reference.binary_crossentropy,
        {"label_smoothing": 0.1, "pos_weight": [0.5, 2.0, 1.0]},
    ),
    "categorical": (
        keras_losses.categorical_crossentropy,
        reference.categorical_crossentropy,
        {"label_smoothing": 0.1, "class_weight": [0.5, 2.0, 1.0]},
    ),
    "sparse": (
        keras_losses.sparse_categorical_crossentropy,
        reference.sparse_categorical_crossentropy,
        {"label_smoothing": 0.1, "class_weight": [0.5, 2.0, 1.0]},
    ),
}


def _labels(kind, shape, rng):
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    if kind == "sparse":
        return labels
    if kind == "categorical":
        return _one_hot(labels, shape[-1], -1)
    return rng.integers(0, 2, size=shape).astype("float32")


@pytest.mark.parametrize("kind", sorted(_LOSSES))
@pytest.mark.parametrize("from_logits", [False, True])
def test_gradient_matches_finite_differences(kind, from_logits):
    ours, formula, kwargs = _LOSSES[kind]
    rng = np.random.default_rng(13)
    shape = (4, 3)
    y_true = _labels(kind, shape, rng)
    # Probabilities kept away from 0 and 1, where central differences
    # with a fixed step lose accuracy.
    y_pred = rng.normal(0.0, 1.0, size=shape)
    if not from_logits:
        y_pred = (
            rng.uniform(0.05, 0.95, size=shape)
            if kind == "binary"
            else _softmax(y_pred, -1)
        )
    kwargs = dict(kwargs, from_logits=from_logits)
    _, grad = value_and_grad(
        lambda x: keras.ops.sum(ours(y_true, x, **kwargs)), y_pred
    )
    expected = finite_difference(
        lambda x: np.sum(formula(y_true, x, **kwargs)), y_pred
    )
    assert_close(
        grad,
        expected,
        rtol=1e-5,
        atol=1e-7,
        reference="finite differences (float64)",
        case=f"{kind} {kwargs}",
    )


def _analytic_logit_gradient(kind, y_true, logits, kwargs):
    """d(sum of losses)/d(logits) in float64, from the formulas' derivatives."""
    x = logits.astype("float64")
    smoothing = kwargs.get("label_smoothing", 0.0)
    if kind == "binary":
        # d/dx [w y softplus(-x) + (1 - y) softplus(x)]
        #   = -w y sigmoid(-x) + (1 - y) sigmoid(x), then / C for the mean.
        y = y_true * (1 - smoothing) + 0.5 * smoothing
        w = np.asarray(kwargs.get("pos_weight", 1.0))
        sigmoid = lambda v: np.exp(reference.log_sigmoid(v))  # noqa: E731
        return (-w * y * sigmoid(-x) + (1 - y) * sigmoid(x)) / x.shape[-1]
    # d/dx_j [-sum_c t_c log softmax(x)_c] = softmax(x)_j sum_c t_c - t_j,
    # with t = class_weight * (smoothed one-hot labels).
    if kind == "sparse":
        y_true = _one_hot(y_true, x.shape[-1], -1)
    t = y_true * (1 - smoothing) + smoothing / x.shape[-1]
    t = t * np.asarray(kwargs.get("class_weight", 1.0))
    softmax = np.exp(reference.log_softmax(x, -1))
    return softmax * t.sum(axis=-1, keepdims=True) - t


@pytest.mark.parametrize("kind", sorted(_LOSSES))
@pytest.mark.parametrize("scale", [1e2, 1e4])
def test_extreme_logits_finite_and_exact(kind, scale):
    ours, formula, kwargs = _LOSSES[kind]
    rng = np.random.default_rng(17)
    shape = (64, 3)
    y_true = _labels(kind, shape, rng)
    # Confidently right, confidently wrong and tied logits at +-scale.
    logits = (rng.choice([-1.0, 0.0, 1.0], size=shape) * scale).astype(
        "float32"
    )
    kwargs = dict(kwargs, from_logits=True)
    value, grad = value_and_grad(
        lambda x: keras.ops.sum(ours(y_true, x, **kwargs)), logits
    )
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    expected_value = np.sum(formula(y_true, logits, **kwargs))
    expected_grad = _analytic_logit_gradient(kind, y_true, logits, kwargs)
    assert_close(
        value,
        expected_value,
        rtol=1e-5,
        atol=0.0,
        reference="float64 formula at extreme logits",
        case=f"{kind} scale={scale}",
    )
    assert_close(
        grad,
        expected_grad,
        rtol=1e-5,
        atol=1e-6,
        reference="float64 gradient at extreme logits",
        case=f"{kind} scale={scale}",
    )
    # A gradient that is not zero in exact arithmetic is not zero here.
    assert np.all((np.abs(expected_grad) > 1e-6) <= (grad != 0))


# --- Configs ---------------------------------------------------------------

NON_DEFAULT = {
    "BinaryCrossentropy": dict(
        from_logits=True, label_smoothing=0.1, axis=-1, pos_weight=[1.0, 3.0]
    ),
    "CategoricalCrossentropy": dict(
        from_logits=True, label_smoothing=0.1, axis=-1, class_weight=[1.0, 3.0]
    ),
    "SparseCategoricalCrossentropy": dict(
        from_logits=True,
        label_smoothing=0.1,
        ignore_class=-1,
        axis=-1,
        class_weight=[1.0, 3.0],
    ),
}
_CONFIG_INPUTS = {
    "BinaryCrossentropy": ([[0.0, 1.0], [1.0, 1.0]], [[0.3, -2.0], [4.0, 0.5]]),
    "CategoricalCrossentropy": (
        [[0.0, 1.0], [1.0, 0.0]],
        [[0.3, -2.0], [4.0, 0.5]],
    ),
    "SparseCategoricalCrossentropy": ([1, -1], [[0.3, -2.0], [4.0, 0.5]]),
}


# --- Bad hyperparameters and bad tensors ----------------------------------

BAD_HYPERPARAMETERS = [
    ("label_smoothing", -0.1),
    ("label_smoothing", 1.5),
    ("label_smoothing", float("nan")),
    ("label_smoothing", "0.1"),
    ("from_logits", "False"),
    ("from_logits", 1),
    ("axis", True),
    ("axis", 1.0),
    ("reduction", "average"),
    ("reduction", ["sum"]),
]
BAD_WEIGHTS = [
    -1.0,
    float("inf"),
    [1.0, -2.0],
    [1.0, float("nan")],
    [],
    [[1.0, 2.0]],
    "heavy",
]


def _bad_cases():
    for name in NON_DEFAULT:
        for argument, value in BAD_HYPERPARAMETERS:
            yield name, argument, value
        weight = (
            "pos_weight" if name == "BinaryCrossentropy" else "class_weight"
        )
        for value in BAD_WEIGHTS:
            if weight == "pos_weight" and value == -1.0:
                yield name, weight, value
            elif not (weight == "class_weight" and value == -1.0):
                yield name, weight, value
        if weight == "class_weight":
            yield name, weight, 2.0  # a per-class sequence is required
    yield "SparseCategoricalCrossentropy", "ignore_class", 1.5
    yield "SparseCategoricalCrossentropy", "ignore_class", False


@pytest.mark.parametrize("name, argument, value", list(_bad_cases()))
def test_bad_hyperparameter_raises_naming_it(name, argument, value):
    with pytest.raises(ValueError, match=f"`{argument}`") as error:
        getattr(keras_losses, name)(**{argument: value})
    assert f"Received: {argument}=" in str(error.value)
    if argument == "reduction":
        return  # a class argument only
    function = getattr(keras_losses, _FUNCTIONS[name])
    with pytest.raises(ValueError, match=f"`{argument}`"):
        function([[0.0, 1.0]], [[0.5, 0.5]], **{argument: value})


_FUNCTIONS = {
    "BinaryCrossentropy": "binary_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
}


@pytest.mark.parametrize("name", sorted(NON_DEFAULT))
def test_wrong_length_per_class_weights_raise_at_call(name):
    loss = getattr(keras_losses, name)(**NON_DEFAULT[name])  # two classes
    y_true, y_pred = ([[0, 1, 0]], [[0.2, 0.3, 0.5]])
    if name.startswith("Sparse"):
        y_true = [1]
    with pytest.raises(ValueError, match=r"one entry per class: 3.*2 entries"):
        loss(y_true, y_pred)


def test_axis_out_of_range_raises():
    with pytest.raises(ValueError, match=r"`axis` must be in \[-2, 2\)"):
        keras_losses.categorical_crossentropy([[0, 1]], [[0.5, 0.5]], axis=2)


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_out_of_range_sparse_labels_give_nan(from_logits, smoothing):
    y_pred = _predictions((5, 3), from_logits, np.random.default_rng(0), -1)
    labels = np.array([0, 3, -1, 2, 300])
    for ignore_class in (None, 255):
        loss = keras_losses.sparse_categorical_crossentropy(
            labels,
            y_pred,
            from_logits=from_logits,
            label_smoothing=smoothing,
            ignore_class=ignore_class,
        )
        np.testing.assert_array_equal(
            np.isnan(_numpy(loss)), [False, True, True, False, True]
        )
    reduced = keras_losses.SparseCategoricalCrossentropy(
        from_logits=from_logits, ignore_class=-1
    )(labels, y_pred)
    assert np.isnan(_numpy(reduced))  # 3 and 300 are not ignored


@pytest.mark.parametrize("name", sorted(NON_DEFAULT))
@pytest.mark.parametrize("from_logits", [False, True])
def test_nan_prediction_propagates(name, from_logits, backend):
    loss = getattr(keras_losses, name)(from_logits=from_logits)
    y_true, y_pred = _CONFIG_INPUTS[name]
    y_pred = np.array(y_pred, dtype="float32")
    if not from_logits:
        y_pred = _softmax(y_pred, -1).astype("float32")
    y_pred[0, 0] = np.nan
    if name == "BinaryCrossentropy" and not from_logits and backend == "torch":
        # Keras's torch kernel for probabilities refuses NaN: loud too.
        with pytest.raises(RuntimeError, match="between 0 and 1"):
            loss(y_true, y_pred)
        return
    assert np.isnan(_numpy(loss(y_true, y_pred)))


def test_ignored_predictions_cannot_poison_the_loss():
    # As in Keras, whatever sits at an ignored position (here NaN and inf)
    # reaches neither the loss nor its gradient.
    logits = np.array([[1.0, 2.0, 0.5], [np.nan, np.inf, 0.0]], "float32")
    loss = keras_losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=-1, label_smoothing=0.1
    )
    value, grad = value_and_grad(lambda x: loss([2, -1], x), logits)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    np.testing.assert_array_equal(grad[1], 0.0)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64"])
@pytest.mark.parametrize("kind", sorted(_LOSSES))
def test_input_dtypes(dtype, kind, backend):
    if backend == "torch" and kind == "binary" and dtype == "bfloat16":
        pytest.skip(
            "Keras's torch binary_crossentropy lacks bfloat16 (Keras too)"
        )
    if dtype == "float64" and backend == "jax":
        import jax

        if not jax.config.jax_enable_x64:
            pytest.skip("JAX computes in float32 unless jax_enable_x64 is set")
    ours, formula, kwargs = _LOSSES[kind]
    rng = np.random.default_rng(19)
    y_true = _labels(kind, (6, 3), rng)
    logits = rng.normal(0.0, 2.0, size=(6, 3))
    y_pred = keras.ops.cast(logits, dtype)
    actual = ours(y_true, y_pred, from_logits=True, **kwargs)
    assert keras.backend.standardize_dtype(actual.dtype) == dtype
    expected = formula(y_true, _numpy(y_pred), from_logits=True, **kwargs)
    tolerance = {"float16": 1e-2, "bfloat16": 5e-2, "float64": 1e-12}[dtype]
    if dtype == "float64" and backend == "torch":
        tolerance = 1e-6  # Keras's torch `ops.mean` sums float64 in float32
    np.testing.assert_allclose(_numpy(actual), expected, rtol=tolerance)
