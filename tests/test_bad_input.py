"""Bad input fails loudly, for every argument of every public loss.

Hyperparameters: each constructor argument of each class found in
`keras_losses.__all__` is tried with wrong types, out-of-range values, NaN,
inf and (per-class arguments) wrong-length sequences, in the constructor and
in the functional form. Tensors: mismatched shapes, per-class sequences of
the wrong length, empty batches and label dtypes. Every bad input tried is
counted for the summary at the end of the run.
"""

import inspect

import keras
import numpy as np
import pytest

import keras_losses
from tests.examples import LOSS_CLASSES
from tests.examples import PER_SAMPLE
from tests.examples import REQUIRED
from tests.examples import instance
from tests.helpers import numpy
from tests.tolerance import count

NAN, INF = float("nan"), float("inf")

# The kinds of argument, and values each kind must refuse.
BAD_VALUES = {
    "bool": ["True", 1, 0.0, None, [True]],
    "fraction": [-0.1, 1.5, NAN, INF, -INF, "0.1", None, True, [0.1]],
    "nonnegative": [-1.0, NAN, INF, "1", None, True, [1.0]],
    "positive": [0.0, -1.0, NAN, INF, "1", None, True, [1.0]],
    "axis": [1.5, True, "1", None],
    "optional_int": [1.5, True, "1", [1]],
    "weights_or_scalar": [
        -1.0,
        NAN,
        INF,
        [1.0, -1.0],
        [1.0, NAN],
        [],
        [[1.0]],
        "1",
        True,
    ],
    "weights": [2.0, -1.0, [1.0, -1.0], [1.0, INF], [], [[1.0]], "1", True],
    "required_weights": [
        -1.0,
        NAN,
        INF,
        [1.0, -1.0],
        [],
        [[1.0]],
        "1",
        None,
        True,
    ],
    "fractions": [
        -0.1,
        1.5,
        NAN,
        INF,
        [0.1, 1.2],
        [0.5, NAN],
        [],
        "0.5",
        None,
        True,
    ],
    "axes": [1.5, True, "1", [], [1, 1], [1.5], (0, True)],
    "optional_weights": [2.0, -1.0, [1.0, -1.0], [1.0, INF], [], [[1.0]], "1"],
    "class_indices": [[-1], [1, 1], [], "0", 0, [1.5], True, [True]],
    "choice": ["cube", None, 1, "", ["square"]],
    "poly_epsilon": [-1.5, NAN, INF, -INF, "1", None, True, [1.0]],
    "box_format": ["xyzw", "rel_xyxy", "", None, 1, ["xyxy"]],
    "distance_metric": ["l2", "cosine", "", None, 1, ["L2"], "no>such"],
    "losses": [[], "dice", None, 3, [3], ["no_such_loss"]],
    "loss_weights": [[1.0], [1.0, -1.0], [1.0, NAN], "1", 1.0, [True, 1.0]],
    "reduction": ["average", "AUTO", 1, ["sum"]],
    "name": ["", 3, ["a"]],
    "dtype": ["float17", "int32", 3],
}
COMMON = {"reduction": "reduction", "name": "name", "dtype": "dtype"}
KINDS = {
    "BinaryCrossentropy": dict(
        from_logits="bool",
        label_smoothing="fraction",
        axis="axis",
        pos_weight="weights_or_scalar",
    ),
    "CategoricalCrossentropy": dict(
        from_logits="bool",
        label_smoothing="fraction",
        axis="axis",
        class_weight="weights",
    ),
    "SparseCategoricalCrossentropy": dict(
        from_logits="bool",
        label_smoothing="fraction",
        ignore_class="optional_int",
        axis="axis",
        class_weight="weights",
    ),
    "BinaryFocalCrossentropy": dict(
        apply_class_balancing="bool",
        alpha="fraction",
        gamma="nonnegative",
        from_logits="bool",
        label_smoothing="fraction",
        axis="axis",
    ),
    "CategoricalFocalCrossentropy": dict(
        alpha="required_weights",
        gamma="required_weights",
        from_logits="bool",
        label_smoothing="fraction",
        axis="axis",
    ),
    "SparseCategoricalFocalCrossentropy": dict(
        alpha="required_weights",
        gamma="required_weights",
        from_logits="bool",
        label_smoothing="fraction",
        ignore_class="optional_int",
        axis="axis",
    ),
    "SmoothL1": dict(beta="nonnegative", axis="axis"),
    "Huber": dict(delta="positive", axis="axis"),
    "BalancedL1": dict(
        alpha="positive", gamma="positive", beta="nonnegative", axis="axis"
    ),
    "Pinball": dict(tau="fractions", axis="axis"),
    "Sum": dict(losses="losses", weights="loss_weights"),
}
_OVERLAP = dict(
    from_logits="bool",
    axis="axes",
    class_weight="optional_weights",
    exclude_classes="class_indices",
    smooth_nr="nonnegative",
    smooth_dr="nonnegative",
)
_DENSE = dict(_OVERLAP, class_axis="optional_int")
_SPARSE_OVERLAP = dict(_OVERLAP, class_axis="axis", ignore_class="optional_int")
_TVERSKY = dict(alpha="nonnegative", beta="nonnegative")
_FOCAL = dict(_TVERSKY, gamma="nonnegative")
_GENERALIZED = dict(
    weighting="choice",
    from_logits="bool",
    axis="axes",
    class_axis="axis",
    exclude_classes="class_indices",
    smooth_nr="nonnegative",
    smooth_dr="nonnegative",
)
_POLY1 = dict(
    epsilon="poly_epsilon",
    from_logits="bool",
    label_smoothing="fraction",
    axis="axis",
)
KINDS.update(
    Dice=dict(_DENSE, squared_pred="bool"),
    SparseDice=dict(_SPARSE_OVERLAP, squared_pred="bool"),
    Jaccard=dict(_DENSE, squared_pred="bool"),
    SparseJaccard=dict(_SPARSE_OVERLAP, squared_pred="bool"),
    Tversky=dict(_DENSE, **_TVERSKY),
    SparseTversky=dict(_SPARSE_OVERLAP, **_TVERSKY),
    FocalTversky=dict(_DENSE, **_FOCAL),
    SparseFocalTversky=dict(_SPARSE_OVERLAP, **_FOCAL),
    GeneralizedDice=_GENERALIZED,
    SparseGeneralizedDice=dict(_GENERALIZED, ignore_class="optional_int"),
    LovaszSoftmax=dict(
        classes="choice",
        from_logits="bool",
        axis="axes",
        class_axis="axis",
        exclude_classes="class_indices",
        ignore_class="optional_int",
    ),
    LovaszHinge=dict(axis="axes", ignore_class="optional_int"),
    AsymmetricLoss=dict(
        gamma_pos="nonnegative",
        gamma_neg="nonnegative",
        clip="fraction",
        from_logits="bool",
        label_smoothing="fraction",
        axis="axis",
    ),
    BinaryPoly1Crossentropy=_POLY1,
    CategoricalPoly1Crossentropy=_POLY1,
    SparseCategoricalPoly1Crossentropy=dict(
        _POLY1, ignore_class="optional_int"
    ),
    QualityFocalLoss=dict(beta="nonnegative", from_logits="bool", axis="axis"),
    VarifocalLoss=dict(
        alpha="nonnegative",
        gamma="nonnegative",
        from_logits="bool",
        axis="axis",
    ),
    IoULoss=dict(bounding_box_format="box_format", mode="choice"),
    GIoULoss=dict(bounding_box_format="box_format"),
    DIoULoss=dict(bounding_box_format="box_format"),
    CIoULoss=dict(bounding_box_format="box_format"),
    DistributionFocalLoss={},
    ContrastiveLoss=dict(margin="nonnegative"),
    TripletSemiHardLoss=dict(
        margin="nonnegative", distance_metric="distance_metric"
    ),
    TripletHardLoss=dict(
        margin="nonnegative", soft="bool", distance_metric="distance_metric"
    ),
    LiftedStructLoss=dict(margin="nonnegative"),
    NpairsLoss={},
    NpairsMultilabelLoss={},
    SupervisedContrastiveLoss=dict(temperature="positive"),
    NTXentLoss=dict(temperature="positive", same_view_negatives="bool"),
)
FUNCTIONS = {
    "BinaryCrossentropy": keras_losses.binary_crossentropy,
    "CategoricalCrossentropy": keras_losses.categorical_crossentropy,
    "SparseCategoricalCrossentropy": (
        keras_losses.sparse_categorical_crossentropy
    ),
    "BinaryFocalCrossentropy": keras_losses.binary_focal_crossentropy,
    "CategoricalFocalCrossentropy": keras_losses.categorical_focal_crossentropy,
    "SparseCategoricalFocalCrossentropy": (
        keras_losses.sparse_categorical_focal_crossentropy
    ),
    "SmoothL1": keras_losses.smooth_l1,
    "Huber": keras_losses.huber,
    "BalancedL1": keras_losses.balanced_l1,
    "Pinball": keras_losses.pinball,
    "Dice": keras_losses.dice,
    "SparseDice": keras_losses.sparse_dice,
    "Jaccard": keras_losses.jaccard,
    "SparseJaccard": keras_losses.sparse_jaccard,
    "Tversky": keras_losses.tversky,
    "SparseTversky": keras_losses.sparse_tversky,
    "FocalTversky": keras_losses.focal_tversky,
    "SparseFocalTversky": keras_losses.sparse_focal_tversky,
    "GeneralizedDice": keras_losses.generalized_dice,
    "SparseGeneralizedDice": keras_losses.sparse_generalized_dice,
    "LovaszSoftmax": keras_losses.lovasz_softmax,
    "LovaszHinge": keras_losses.lovasz_hinge,
    "AsymmetricLoss": keras_losses.asymmetric_loss,
    "BinaryPoly1Crossentropy": keras_losses.binary_poly1_crossentropy,
    "CategoricalPoly1Crossentropy": keras_losses.categorical_poly1_crossentropy,
    "SparseCategoricalPoly1Crossentropy": (
        keras_losses.sparse_categorical_poly1_crossentropy
    ),
    "QualityFocalLoss": keras_losses.quality_focal_loss,
    "VarifocalLoss": keras_losses.varifocal_loss,
    "IoULoss": keras_losses.iou_loss,
    "GIoULoss": keras_losses.giou_loss,
    "DIoULoss": keras_losses.diou_loss,
    "CIoULoss": keras_losses.ciou_loss,
    "DistributionFocalLoss": keras_losses.distribution_focal_loss,
    "ContrastiveLoss": keras_losses.contrastive_loss,
    "TripletSemiHardLoss": keras_losses.triplet_semihard_loss,
    "TripletHardLoss": keras_losses.triplet_hard_loss,
    "LiftedStructLoss": keras_losses.lifted_struct_loss,
    "NpairsLoss": keras_losses.npairs_loss,
    "NpairsMultilabelLoss": keras_losses.npairs_multilabel_loss,
    "SupervisedContrastiveLoss": keras_losses.supervised_contrastive_loss,
    "NTXentLoss": keras_losses.nt_xent_loss,
    # Sum has no functional form: its members are objects.
}
SPARSE = {
    "SparseCategoricalCrossentropy",
    "SparseCategoricalFocalCrossentropy",
    "SparseDice",
    "SparseJaccard",
    "SparseTversky",
    "SparseFocalTversky",
    "SparseGeneralizedDice",
    "LovaszSoftmax",
    "SparseCategoricalPoly1Crossentropy",
}


BOXES = {"IoULoss", "GIoULoss", "DIoULoss", "CIoULoss"}
BINS = 5  # DistributionFocalLoss's inputs: reg_max = 4
# Metric learning: a label per sample and embeddings (batch, dim); the
# N-pairs losses take similarities (batch, batch); NT-Xent two views.
LABELS_AND_EMBEDDINGS = {
    "TripletSemiHardLoss",
    "TripletHardLoss",
    "LiftedStructLoss",
    "SupervisedContrastiveLoss",
}
SIMILARITIES = {"NpairsLoss", "NpairsMultilabelLoss"}
METRIC = (
    LABELS_AND_EMBEDDINGS | SIMILARITIES | {"ContrastiveLoss", "NTXentLoss"}
)


def _metric_inputs(name, batch, dim):
    rng = np.random.default_rng(0)
    labels = np.arange(batch) % 2  # positives and negatives from batch 3
    if name == "ContrastiveLoss":  # 0/1 per pair, distances
        return labels, rng.uniform(0.0, 2.0, size=batch).astype("float32")
    if name in SIMILARITIES:
        similarities = rng.normal(size=(batch, batch)).astype("float32")
        if name == "NpairsMultilabelLoss":
            labels = rng.integers(0, 2, size=(batch, dim)).astype("float32")
        return labels, similarities
    embeddings = rng.normal(size=(batch, dim)).astype("float32")
    if name == "NTXentLoss":  # the other view
        return embeddings + 0.1, embeddings
    return labels, embeddings


def _inputs(name, batch=2, classes=3):
    rng = np.random.default_rng(0)
    if name in METRIC:
        return _metric_inputs(name, batch, classes)
    if name in BOXES:  # valid target boxes (xyxy), predictions near them
        corner = rng.uniform(0.0, 2.0, size=(batch, 2))
        boxes = np.concatenate([corner, corner + 1.5], -1).astype("float32")
        noise = rng.uniform(-0.3, 0.3, size=boxes.shape).astype("float32")
        return boxes, boxes + noise
    if name == "DistributionFocalLoss":  # 4 sides, BINS bins
        distances = rng.uniform(0.0, BINS - 1, size=(batch, 4))
        logits = rng.normal(size=(batch, 4, BINS)).astype("float32")
        return distances.astype("float32"), logits
    y_pred = rng.uniform(0.1, 0.9, size=(batch, classes)).astype("float32")
    y_pred /= y_pred.sum(-1, keepdims=True)
    if name in SPARSE:
        return rng.integers(0, classes, size=batch), y_pred
    return np.eye(classes, dtype="float32")[
        rng.integers(0, classes, batch)
    ], y_pred


def test_every_argument_of_every_class_has_a_kind():
    for name, cls in LOSS_CLASSES.items():
        arguments = set(inspect.signature(cls).parameters)
        assert arguments == set(KINDS[name]) | set(COMMON), name


def _bad_cases():
    for name in sorted(LOSS_CLASSES):
        for argument, kind in {**KINDS[name], **COMMON}.items():
            for value in BAD_VALUES[kind]:
                yield name, argument, value


@pytest.mark.parametrize("name, argument, value", list(_bad_cases()))
def test_bad_argument_raises_naming_it(name, argument, value):
    with pytest.raises(ValueError) as error:
        instance(name, **{argument: value})
    message = str(error.value)
    assert f"`{argument}`" in message and "must" in message, message
    assert f"Received: {argument}=" in message, message
    count(name, "bad")
    if argument in COMMON or name not in FUNCTIONS:
        return  # a class argument only
    y_true, y_pred = _inputs(name)
    required = REQUIRED.get(name, {})
    with pytest.raises(ValueError, match=f"`{argument}` must be"):
        FUNCTIONS[name](y_true, y_pred, **{**required, argument: value})
    count(name, "bad")


PER_CLASS = [
    ("BinaryCrossentropy", "pos_weight"),
    ("CategoricalCrossentropy", "class_weight"),
    ("SparseCategoricalCrossentropy", "class_weight"),
    ("CategoricalFocalCrossentropy", "alpha"),
    ("CategoricalFocalCrossentropy", "gamma"),
    ("SparseCategoricalFocalCrossentropy", "alpha"),
    ("SparseCategoricalFocalCrossentropy", "gamma"),
    ("Pinball", "tau"),
]


@pytest.mark.parametrize("name, argument", PER_CLASS)
@pytest.mark.parametrize("length", [2, 4])
def test_wrong_length_per_class_sequence_names_both_lengths(
    name, argument, length
):
    loss = LOSS_CLASSES[name](**{argument: [0.5] * length})
    y_true, y_pred = _inputs(name, classes=3)
    with pytest.raises(ValueError) as error:
        loss(y_true, y_pred)
    message = str(error.value)
    assert f"`{argument}` must have one entry" in message
    assert "3 along axis" in message and f"{length} entries" in message
    count(name, "bad")


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_mismatched_shapes_name_both(name):
    y_true, y_pred = _inputs(name, batch=4, classes=3)
    if name in METRIC:  # 3 labels (or pairs, or rows) against 4 samples
        y_true = y_true[:3]
    elif name == "DistributionFocalLoss":  # (4, 3) sides against (4, 4, 5)
        y_true = y_true[:, :3]
    else:  # (4, 4) against (4, 5) for boxes
        y_pred = np.concatenate([y_pred, y_pred[:, :1]], axis=-1)  # (4, 4)
    if name in SPARSE:
        y_true = y_true[:3]  # (3,) labels against (4, 4)
    with pytest.raises(ValueError) as error:
        instance(name)(y_true, y_pred)
    message = str(error.value)
    assert str(tuple(np.shape(y_true))) in message, message
    assert str(tuple(np.shape(y_pred))) in message, message
    count(name, "bad")


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
@pytest.mark.parametrize("from_logits", [False, True])
def test_nan_in_predictions_propagates(name, from_logits, backend):
    if name not in FUNCTIONS:
        pytest.skip(f"{name} has no functional form (see test_composite)")
    kwargs = dict(PER_SAMPLE.get(name, {}), **REQUIRED.get(name, {}))
    if "from_logits" in KINDS[name]:
        kwargs["from_logits"] = from_logits
    elif from_logits:
        pytest.skip(f"{name} takes no logits")
    y_true, y_pred = _inputs(name, batch=3)
    if name in METRIC and name not in ("ContrastiveLoss",):
        # Each anchor's loss depends on every row: NaN anywhere is NaN for
        # every anchor (a lone NaN row could drop out of a minimum).
        y_pred[1, 0] = np.nan
        assert np.all(np.isnan(numpy(FUNCTIONS[name](y_true, y_pred))))
        count(name, "bad")
        return
    if name == "ContrastiveLoss":
        y_pred = y_pred[:, None]  # (3, 1): distances of 3 pairs
    y_pred[1, 0] = np.nan
    if name.startswith("Binary") and not from_logits and backend == "torch":
        # Keras's torch kernel for probabilities refuses NaN: loud too.
        with pytest.raises(RuntimeError, match="between 0 and 1"):
            FUNCTIONS[name](y_true, y_pred, **kwargs)
        return
    loss = numpy(FUNCTIONS[name](y_true, y_pred, **kwargs))
    assert np.isnan(loss[1]) and np.all(np.isfinite(loss[[0, 2]]))
    count(name, "bad")


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
@pytest.mark.parametrize(
    "reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight", None]
)
@pytest.mark.parametrize("rank", [2, 3])
def test_empty_batch_gives_what_keras_gives(name, reduction, rank):
    # The same shapes through a Keras built-in with the same reduction:
    # an empty result, or 0 for the mean reductions, never NaN.
    shape = (0, 3) if rank == 2 else (0, 2, 3)
    if name in BOXES or name == "DistributionFocalLoss":
        shape = shape[:-1] + (4,)  # boxes, or a box's sides
    if name in METRIC and rank == 3:
        pytest.skip(f"{name} takes rank-2 (or 1) inputs: see tests/test_metric")
    y_pred = np.zeros(shape, "float32")
    y_true = np.zeros(shape[:-1], "int64") if name in SPARSE else y_pred
    if name in METRIC:  # Keras's per-sample losses of (0, 3) inputs
        y_true, y_pred = _inputs(name, batch=0)
        shape = (0, 3)
    if name == "DistributionFocalLoss":  # logits over BINS bins per side
        y_true, y_pred = y_pred, np.zeros(shape + (BINS,), "float32")
    if name not in FUNCTIONS:
        pytest.skip(f"{name}'s samples are batch elements (see test_composite)")
    loss = instance(name, reduction=reduction, **PER_SAMPLE.get(name, {}))
    ours = numpy(loss(y_true, y_pred))
    if name == "LiftedStructLoss":  # one value for the batch: 0 for none
        assert ours.shape == () and ours == 0.0
        return
    zeros = np.zeros(shape, "float32")
    theirs = numpy(
        keras.losses.MeanSquaredError(reduction=reduction)(y_true, y_true)
        if name == "DistributionFocalLoss"
        else keras.losses.MeanSquaredError(reduction=reduction)(zeros, zeros)
    )
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)
    assert not np.any(np.isnan(ours))
    count(name, "bad")


LABEL_PARITY = [
    ("BinaryCrossentropy", keras.losses.BinaryCrossentropy, {}),
    ("CategoricalCrossentropy", keras.losses.CategoricalCrossentropy, {}),
    (
        "SparseCategoricalCrossentropy",
        keras.losses.SparseCategoricalCrossentropy,
        {},
    ),
    ("BinaryFocalCrossentropy", keras.losses.BinaryFocalCrossentropy, {}),
    (
        "CategoricalFocalCrossentropy",
        keras.losses.CategoricalFocalCrossentropy,
        {},
    ),
]


@pytest.mark.parametrize("name, keras_class, kwargs", LABEL_PARITY)
@pytest.mark.parametrize("label_dtype", ["int32", "int64", "bool", "float32"])
def test_label_dtypes_as_keras(name, keras_class, kwargs, label_dtype):
    if name in SPARSE and label_dtype == "bool":
        pytest.skip("sparse labels are class indices, not booleans")
    y_true, y_pred = _inputs(name, batch=4)
    labels = np.asarray(y_true).astype(label_dtype)
    ours = numpy(LOSS_CLASSES[name](**kwargs)(labels, y_pred))
    as_float = numpy(
        LOSS_CLASSES[name](**kwargs)(y_true.astype("float32"), y_pred)
    )
    theirs = numpy(keras_class(**kwargs)(labels, y_pred))
    np.testing.assert_allclose(ours, as_float, rtol=1e-6)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    # The functional forms take them too.
    numpy(FUNCTIONS[name](labels, y_pred))


@pytest.mark.parametrize("name", sorted(SPARSE))
def test_sparse_focal_label_dtypes(name):
    # No Keras sparse focal loss: integer and float labels agree.
    y_true, y_pred = _inputs(name, batch=4)
    results = [
        numpy(LOSS_CLASSES[name]()(y_true.astype(dtype), y_pred))
        for dtype in ("int32", "int64", "float32")
    ]
    np.testing.assert_allclose(results[0], results[1])
    np.testing.assert_allclose(results[0], results[2])


@pytest.mark.parametrize("name", sorted(METRIC - {"ContrastiveLoss"}))
@pytest.mark.parametrize("where", ["labels", "embeddings"])
def test_metric_inputs_of_the_wrong_rank_name_their_shapes(name, where):
    y_true, y_pred = _inputs(name, batch=4)
    if where == "labels":  # (4, 1, 1) labels, or (4, 3, 1) for the rest
        y_true = np.asarray(y_true)[:, None, None]
    else:  # (4, D, 1) embeddings or similarities
        y_pred = y_pred[..., None]
    with pytest.raises(ValueError) as error:
        instance(name)(y_true, y_pred)
    message = str(error.value)
    bad = y_true if where == "labels" else y_pred
    assert str(tuple(np.shape(bad))) in message, message
    assert "must" in message and "Received" in message, message
    count(name, "bad")


@pytest.mark.parametrize("name", sorted(LABELS_AND_EMBEDDINGS | {"NpairsLoss"}))
def test_metric_labels_that_are_not_numbers_are_refused(name):
    _, y_pred = _inputs(name, batch=4)
    with pytest.raises(ValueError, match="integer class labels.*dtype <U"):
        FUNCTIONS[name](np.array(["a", "b", "a", "b"]), y_pred)
    count(name, "bad")
