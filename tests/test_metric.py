"""Metric-learning family: published values, float64 references, gradients.

The contrastive, triplet (semi-hard and batch-hard), lifted structured and
N-pairs losses of TF Addons, the supervised contrastive loss and NT-Xent
(keras_losses.metric). The references (tests/reference.py, "Metric-learning
losses") are brute-force loops written from the papers' formulas, as TF
Addons defines them. TF Addons' and keras-cv's published test values are
hard-coded with their sources (neither package installs with Keras 3);
PyTorch Metric Learning is called where it installs and has the same loss.

Shapes are few and shared (JAX compiles each operation once per shape): a
batch of 24 embeddings of dimension 8 (4 classes of 6, or classes with
singletons), 24 x 24 similarities, batches of 1 and 0, and the published
examples' own. Gradients are compared at 16 coordinates, each costing two
calls of a brute-force reference.
"""

import json
import math

import keras
import numpy as np
import pytest

import keras_losses
from tests import reference
from tests.autodiff import finite_difference
from tests.autodiff import value_and_grad
from tests.helpers import REDUCTIONS
from tests.helpers import numpy
from tests.tolerance import assert_close

BATCH, DIM = 24, 8
METRICS = ["L2", "squared-L2", "angular"]
MARGINS = [0.0, 0.5, 2.0]
TEMPERATURES = [0.01, 0.1, 1.0]


def _balanced_labels(rng):
    """4 classes of 6, shuffled: every anchor has positives and negatives."""
    labels = np.repeat(np.arange(4), BATCH // 4)
    rng.shuffle(labels)
    return labels.astype("int32")


def _singleton_labels(rng):
    """Classes of 7, 7 and 6 samples and 4 singletons (no positive)."""
    labels = np.array([0] * 7 + [1] * 7 + [2] * 6 + [3, 4, 5, 6])
    rng.shuffle(labels)
    return labels.astype("int32")


def _batch(seed, labels="balanced"):
    """(labels, embeddings float32): N(0, 1) embeddings of shape (24, 8)."""
    rng = np.random.default_rng(seed)
    make = _balanced_labels if labels == "balanced" else _singleton_labels
    y = make(rng)
    return y, rng.normal(size=(BATCH, DIM)).astype("float32")


def _assert_matches(actual, expected, reference_name, case="", rtol=1e-5):
    """`assert_close` relative to max(|expected|) over the batch, at least 1:
    float32's error in a per-anchor value scales with the batch's
    distances, not with that anchor's own (possibly zero) loss."""
    expected = np.asarray(expected, dtype="float64")
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    assert_close(
        actual,
        expected,
        rtol=rtol,
        atol=rtol * scale,
        reference=reference_name,
        case=case,
    )


# --- Published values ---------------------------------------------------------

# TF Addons, tensorflow_addons/losses/triplet.py: the docstrings of
# TripletSemiHardLoss / TripletHardLoss (and triplet_semihard_loss /
# triplet_hard_loss) call the loss on labels [0, 0] and embeddings
# [[0, 1], [1, 0]], with "L2" and with the callable `lambda x: x @ x.T`.
# One positive pair, no negative: the negative distance falls back to the
# row's minimum (semi-hard, 0) or maximum (hard). L2: d = sqrt 2, so
# semi-hard 1 + sqrt 2 - 0, hard 1 + sqrt 2 - sqrt 2. The callable: d = I,
# d(0, 1) = 0; semi-hard 1 + 0 - 0, hard 1 + 0 - 1.
TFA_TRIPLET_LABELS = [0, 0]
TFA_TRIPLET_EMBEDDINGS = [[0.0, 1.0], [1.0, 0.0]]
TFA_TRIPLET_VALUES = {
    ("semihard", "L2"): 2.4142137,
    ("semihard", "dot"): 1.0,
    ("hard", "L2"): 1.0,
    ("hard", "dot"): 0.0,
}


def _dot(x):
    """TF Addons' docstring callable `lambda x: x @ x.T`, in keras.ops."""
    return keras.ops.matmul(x, keras.ops.transpose(x))


def test_tf_addons_triplet_docstring_values():
    for (kind, metric), expected in TFA_TRIPLET_VALUES.items():
        fn = {
            "semihard": keras_losses.triplet_semihard_loss,
            "hard": keras_losses.triplet_hard_loss,
        }[kind]
        cls = {
            "semihard": keras_losses.TripletSemiHardLoss,
            "hard": keras_losses.TripletHardLoss,
        }[kind]
        distance = _dot if metric == "dot" else metric
        loss = fn(
            TFA_TRIPLET_LABELS, TFA_TRIPLET_EMBEDDINGS, distance_metric=distance
        )
        np.testing.assert_allclose(
            np.mean(numpy(loss)), expected, rtol=1e-6, atol=1e-6
        )
        if metric == "L2":  # the class takes only registered callables
            value = cls()(TFA_TRIPLET_LABELS, TFA_TRIPLET_EMBEDDINGS)
            np.testing.assert_allclose(numpy(value), expected, rtol=1e-6)
    np.testing.assert_allclose(TFA_TRIPLET_VALUES["semihard", "L2"], 1 + 2**0.5)


# TF Addons, tensorflow_addons/losses/tests/contrastive_test.py:
# test_config/test_zero_loss/test_unweighted/test_scalar_weighted/
# test_sample_weighted/test_non_default_margin/test_sum_reduction/
# test_no_reduction, on y_true [0, 0, 1, 1, 0, 1] and distances
# [0.1, 0.3, 1.3, 0.7, 1.1, 0.5]. Each value is y d^2 + (1 - y)
# max(margin - d, 0)^2, e.g. (1 - 0.1)^2 = 0.81 and 1.3^2 = 1.69.
TFA_CONTRASTIVE_Y = [0, 0, 1, 1, 0, 1]
TFA_CONTRASTIVE_D = [0.1, 0.3, 1.3, 0.7, 1.1, 0.5]
TFA_CONTRASTIVE_ELEMENTS = [0.81, 0.49, 1.69, 0.49, 0.0, 0.25]
TFA_CONTRASTIVE_MEAN = 0.621666
TFA_CONTRASTIVE_MARGIN_2 = 1.623333
TFA_CONTRASTIVE_WEIGHTS = [1.2, 0.8, 0.5, 0.4, 1.5, 1.0]
TFA_CONTRASTIVE_WEIGHTED = 0.4425
TFA_CONTRASTIVE_SUM = 3.73
TFA_CONTRASTIVE_ZERO_PRED = [1, 1, 0, 0, 1, 0]


def test_tf_addons_contrastive_values():
    y, d = TFA_CONTRASTIVE_Y, TFA_CONTRASTIVE_D
    elements = keras_losses.contrastive_loss(y, d)
    np.testing.assert_allclose(
        numpy(elements), TFA_CONTRASTIVE_ELEMENTS, rtol=1e-6, atol=1e-6
    )
    none = keras_losses.ContrastiveLoss(reduction=None)(y, d)
    np.testing.assert_allclose(
        numpy(none), TFA_CONTRASTIVE_ELEMENTS, rtol=1e-6, atol=1e-6
    )
    cases = [
        (keras_losses.ContrastiveLoss(), {}, TFA_CONTRASTIVE_MEAN),
        (
            keras_losses.ContrastiveLoss(margin=2.0),
            {},
            TFA_CONTRASTIVE_MARGIN_2,
        ),
        (
            keras_losses.ContrastiveLoss(),
            {"sample_weight": np.array(TFA_CONTRASTIVE_WEIGHTS, "float32")},
            TFA_CONTRASTIVE_WEIGHTED,
        ),
        (
            keras_losses.ContrastiveLoss(reduction="sum"),
            {},
            TFA_CONTRASTIVE_SUM,
        ),
    ]
    for loss, kwargs, expected in cases:
        np.testing.assert_allclose(
            numpy(loss(y, d, **kwargs)), expected, rtol=1e-6, atol=1e-6
        )
    zero = keras_losses.ContrastiveLoss()(y, TFA_CONTRASTIVE_ZERO_PRED)
    assert numpy(zero) == 0.0


# TF Addons, tensorflow_addons/losses/tests/npairs_test.py: test_npairs_loss
# (labels [0, 1, 2, 3], f = [[1, 1], [1, -1], [-1, 1], [-1, -1]], S = f f^T:
# each row has 2 on the diagonal, 0, 0 and -2, so the loss is
# log(e^2 + 2 + e^-2) - 2 = 0.253856), test_config / the multilabel tests
# (the same with eye(4) as the multi-hot labels, and with the rows below).
TFA_NPAIRS_F = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]], "float32")
TFA_NPAIRS_S = TFA_NPAIRS_F @ TFA_NPAIRS_F.T
TFA_NPAIRS_VALUE = 0.253856
TFA_MULTILABEL_Y = [[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1]]
TFA_MULTILABEL_ROWS = [0.920522, 1.753856, 1.753856, 1.253856]
TFA_MULTILABEL_VALUE = 1.420522


def test_tf_addons_npairs_values():
    np.testing.assert_allclose(
        math.log(math.exp(2) + 2 + math.exp(-2)) - 2,
        TFA_NPAIRS_VALUE,
        atol=1e-6,
    )
    labels = [0, 1, 2, 3]
    loss = keras_losses.NpairsLoss()(labels, TFA_NPAIRS_S)
    np.testing.assert_allclose(numpy(loss), TFA_NPAIRS_VALUE, atol=1e-6)
    eye = np.eye(4, dtype="float32")
    loss = keras_losses.NpairsMultilabelLoss()(eye, TFA_NPAIRS_S)
    np.testing.assert_allclose(numpy(loss), TFA_NPAIRS_VALUE, atol=1e-6)
    rows = keras_losses.npairs_multilabel_loss(TFA_MULTILABEL_Y, TFA_NPAIRS_S)
    np.testing.assert_allclose(numpy(rows), TFA_MULTILABEL_ROWS, atol=1e-6)
    loss = keras_losses.NpairsMultilabelLoss()(TFA_MULTILABEL_Y, TFA_NPAIRS_S)
    np.testing.assert_allclose(numpy(loss), TFA_MULTILABEL_VALUE, atol=1e-6)
    np.testing.assert_allclose(
        reference.npairs_multilabel_loss(TFA_MULTILABEL_Y, TFA_NPAIRS_S),
        TFA_MULTILABEL_ROWS,
        atol=1e-6,
    )


# Worked by hand (as in tests/reference.py): 1-D embeddings x = [0, 2, 1, 5],
# labels [0, 0, 1, 1]; L2 distances d01 = 2, d02 = 1, d03 = 5, d12 = 1,
# d13 = 3, d23 = 4; P = 4 ordered positive pairs, so B / P = 1.
# Semi-hard, margin 2, pair loss max(2 + d_ap - d_an, 0):
#   anchor 0 (p = 1, d_ap = 2): negatives at 1, 5; first beyond 2 is 5: 0
#   anchor 1 (p = 0, d_ap = 2): negatives at 1, 3; beyond 2: 3: 2 + 2 - 3 = 1
#   anchor 2 (p = 3, d_ap = 4): negatives at 1, 1; none beyond 4, so the
#            largest, 1 (TF Addons' fallback): 2 + 4 - 1 = 5
#   anchor 3 (p = 2, d_ap = 4): negatives at 5, 3; beyond 4: 5: 2 + 4 - 5 = 1
#   per anchor [0, 1, 5, 1], TF Addons' value 7 / 4.
# Batch-hard, margin 1, max(hardest positive - hardest negative + 1, 0):
#   anchor 0: 2 - 1 + 1 = 2; 1: 2 - 1 + 1 = 2; 2: 4 - 1 + 1 = 4;
#   3: 4 - 3 + 1 = 2; mean 2.5.
HAND_LABELS = [0, 0, 1, 1]
HAND_X = [[0.0], [2.0], [1.0], [5.0]]


def test_hand_derived_triplet_values():
    semihard = keras_losses.triplet_semihard_loss(
        HAND_LABELS, HAND_X, margin=2.0
    )
    np.testing.assert_allclose(numpy(semihard), [0, 1, 5, 1], atol=1e-6)
    value = keras_losses.TripletSemiHardLoss(margin=2.0)(HAND_LABELS, HAND_X)
    np.testing.assert_allclose(numpy(value), 1.75, rtol=1e-6)
    np.testing.assert_allclose(
        reference.tfa_triplet_semihard_value(HAND_LABELS, HAND_X, margin=2.0),
        1.75,
    )
    hard = keras_losses.triplet_hard_loss(HAND_LABELS, HAND_X, margin=1.0)
    np.testing.assert_allclose(numpy(hard), [2, 2, 4, 2], atol=1e-6)
    value = keras_losses.TripletHardLoss(margin=1.0)(HAND_LABELS, HAND_X)
    np.testing.assert_allclose(numpy(value), 2.5, rtol=1e-6)
    # squared-L2 squares every distance: semi-hard margin 2, anchor 1 has
    # d_ap = 4 and negatives at 1, 9: 2 + 4 - 9 < 0; anchor 2 d_ap = 16,
    # negatives 1, 1, none beyond: 2 + 16 - 1 = 17; anchor 3 d_ap = 16,
    # negatives 25, 9: 2 + 16 - 25 < 0; anchor 0 d_ap = 4, negatives 1, 25:
    # 2 + 4 - 25 < 0.
    squared = keras_losses.triplet_semihard_loss(
        HAND_LABELS, HAND_X, margin=2.0, distance_metric="squared-L2"
    )
    np.testing.assert_allclose(numpy(squared), [0, 0, 17, 0], atol=1e-5)


# A negative exactly as far as the positive is not semi-hard (TF Addons:
# d(a, n) > d(a, p), strictly). Exact distances |x_i - x_j| from a callable
# (the "L2" matrix product could round a tie either way): x = [0, 1, -1, 3],
# labels [0, 0, 1, 1]; d01 = 1, d02 = 1, d03 = 3, d12 = 2, d13 = 2, d23 = 4.
# Margin 3, B / P = 1:
#   anchor 0 (p = 1, d_ap = 1): negatives at 1 (a tie, not beyond) and 3:
#            1 - 3 + 3 = 1 (the tie would give 1 - 1 + 3 = 3)
#   anchor 1 (p = 0, d_ap = 1): negatives at 2, 2: 1 - 2 + 3 = 2
#   anchor 2 (p = 3, d_ap = 4): negatives at 1, 2, none beyond: the
#            farthest, 2: 4 - 2 + 3 = 5
#   anchor 3 (p = 2, d_ap = 4): negatives at 3, 2, none beyond: 3:
#            4 - 3 + 3 = 4
TIE_X = np.array([[0.0], [1.0], [-1.0], [3.0]], "float32")
TIE_VALUES = [1.0, 2.0, 5.0, 4.0]


def test_semihard_tie_is_not_beyond_the_positive():
    def absolute(t):
        return keras.ops.abs(t - keras.ops.transpose(t))

    loss = keras_losses.triplet_semihard_loss(
        HAND_LABELS, TIE_X, margin=3.0, distance_metric=absolute
    )
    np.testing.assert_allclose(numpy(loss), TIE_VALUES, atol=1e-6)
    expected = reference.triplet_semihard_loss(
        HAND_LABELS,
        TIE_X,
        margin=3.0,
        distance_metric=lambda t: np.abs(t - t.T),
    )
    np.testing.assert_allclose(expected, TIE_VALUES)


# keras-cv, keras_cv/src/losses/simclr_loss_test.py: SimCLRLoss on these
# projections gives 3.566689 at temperature 0.5 (test_output_value) and
# 5.726100 at 0.1 (test_output_value_temperature). keras-cv sums the two
# directions' cross-entropies per pair; NTXentLoss averages them (its
# docstring says so), so ours is exactly half.
KERAS_CV_P1 = [[1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0]]
KERAS_CV_P2 = [[6.0, 5.0, 4.0, 3.0], [5.0, 4.0, 3.0, 2.0], [4.0, 3.0, 2.0, 1.0]]
KERAS_CV_VALUES = {0.5: 3.566689, 0.1: 5.726100}


def test_keras_cv_simclr_values():
    for temperature, expected in KERAS_CV_VALUES.items():
        np.testing.assert_allclose(
            reference.keras_cv_simclr_value(
                KERAS_CV_P1, KERAS_CV_P2, temperature
            ),
            expected,
            atol=1e-6,
        )
        loss = keras_losses.NTXentLoss(temperature=temperature)
        value = numpy(loss(KERAS_CV_P1, KERAS_CV_P2))
        np.testing.assert_allclose(2 * value, expected, rtol=1e-6, atol=1e-6)


# --- Float64 references on random batches -------------------------------------

TRIPLETS = {
    "semihard": (
        keras_losses.triplet_semihard_loss,
        reference.triplet_semihard_loss,
    ),
    "hard": (keras_losses.triplet_hard_loss, reference.triplet_hard_loss),
    "soft": (keras_losses.triplet_hard_loss, reference.triplet_hard_loss),
}


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("kind", sorted(TRIPLETS))
def test_triplet_losses_match_reference(kind, metric):
    fn, formula = TRIPLETS[kind]
    extra = {"soft": True} if kind == "soft" else {}
    margins = [1.0] if kind == "soft" else MARGINS  # soft has no margin
    for seed, labels in ((0, "balanced"), (1, "singleton")):
        y, x = _batch(seed, labels)
        for margin in margins:
            kwargs = dict(margin=margin, distance_metric=metric, **extra)
            actual = numpy(fn(y, x, **kwargs))
            expected = formula(y, x, **kwargs)
            assert np.any(expected > 0)
            case = f"{labels} {metric} margin={margin}"
            _assert_matches(
                actual, expected, f"reference.triplet_{kind}_loss", case
            )
            if kind == "semihard":  # the mean over anchors is TF Addons'
                _assert_matches(
                    np.mean(actual),
                    reference.tfa_triplet_semihard_value(y, x, **kwargs),
                    "reference.tfa_triplet_semihard_value",
                    case,
                )


def test_semihard_class_value_is_tf_addons_value():
    # The class's default reduction (the mean over anchors of each anchor's
    # share times B / P) is TF Addons' scalar, a mean over positive pairs.
    for seed, labels, metric, margin in (
        (0, "balanced", "L2", 1.0),
        (1, "singleton", "angular", 0.5),
    ):
        y, x = _batch(seed, labels)
        loss = keras_losses.TripletSemiHardLoss(
            margin=margin, distance_metric=metric
        )
        _assert_matches(
            numpy(loss(y, x)),
            reference.tfa_triplet_semihard_value(
                y, x, margin=margin, distance_metric=metric
            ),
            "reference.tfa_triplet_semihard_value",
            f"{labels} {metric} margin={margin}",
        )


def _fallback_batch():
    """Class 0 spread on a sphere of radius 10, classes 1-3 near the origin.

    A class-0 anchor's positives are ~14 away (random directions in 8-D),
    its negatives ~10: no negative is farther than the positive, so the
    semi-hard negative falls back to the farthest one.
    """
    rng = np.random.default_rng(7)
    y = np.repeat(np.arange(4), BATCH // 4).astype("int32")
    x = rng.normal(0.0, 0.3, size=(BATCH, DIM))
    spread = rng.normal(size=(BATCH // 4, DIM))
    x[: BATCH // 4] = (
        10 * spread / np.linalg.norm(spread, axis=1, keepdims=True)
    )
    return y, x.astype("float32")


def test_semihard_fallback_to_farthest_negative():
    y, x = _fallback_batch()
    distances = reference.metric_distances(x, "L2")
    same = y[:, None] == y[None, :]
    positive = same & ~np.eye(BATCH, dtype=bool)
    farthest_negative = np.max(np.where(same, -np.inf, distances), axis=1)
    # Anchors all of whose positive pairs have no semi-hard negative.
    fallback = [
        a
        for a in range(BATCH)
        if np.all(distances[a, positive[a]] > farthest_negative[a])
    ]
    assert len(fallback) >= 3, fallback
    pairs = np.sum(positive)
    for margin in (1.0, 2.0):
        actual = numpy(keras_losses.triplet_semihard_loss(y, x, margin=margin))
        for a in fallback:
            hinge = np.maximum(
                distances[a, positive[a]] - farthest_negative[a] + margin, 0.0
            )
            expected = BATCH / pairs * np.sum(hinge)
            assert expected > 0
            np.testing.assert_allclose(actual[a], expected, rtol=1e-5)
        _assert_matches(
            actual,
            reference.triplet_semihard_loss(y, x, margin=margin),
            "reference.triplet_semihard_loss",
            f"fallback batch margin={margin}",
        )
        _assert_matches(
            numpy(keras_losses.TripletSemiHardLoss(margin=margin)(y, x)),
            reference.tfa_triplet_semihard_value(y, x, margin=margin),
            "reference.tfa_triplet_semihard_value",
            f"fallback batch margin={margin}",
        )


def test_lifted_struct_matches_reference():
    for seed, labels in ((0, "balanced"), (1, "singleton")):
        y, x = _batch(seed, labels)
        for margin in MARGINS:
            actual = numpy(keras_losses.lifted_struct_loss(y, x, margin=margin))
            assert actual.shape == ()
            _assert_matches(
                actual,
                reference.lifted_struct_loss(y, x, margin=margin),
                "reference.lifted_struct_loss",
                f"{labels} margin={margin}",
            )


def test_contrastive_matches_reference():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, size=BATCH).astype("float32")
    d = rng.uniform(0.0, 3.0, size=BATCH).astype("float32")
    for margin in MARGINS + [1.0]:
        _assert_matches(
            numpy(keras_losses.contrastive_loss(y, d, margin=margin)),
            reference.contrastive_loss(y, d, margin=margin),
            "reference.contrastive_loss",
            f"margin={margin}",
        )


def test_npairs_matches_reference():
    rng = np.random.default_rng(3)
    anchors = rng.normal(size=(BATCH, DIM))
    positives = anchors + rng.normal(0.0, 0.5, size=(BATCH, DIM))
    similarity = (anchors @ positives.T).astype("float32")
    for labels in (np.arange(BATCH), _balanced_labels(rng)):
        _assert_matches(
            numpy(keras_losses.npairs_loss(labels, similarity)),
            reference.npairs_loss(labels, similarity),
            "reference.npairs_loss",
            f"{len(set(labels))} classes",
        )
    multi_hot = (rng.random((BATCH, 5)) < 0.35).astype("float32")
    multi_hot[3] = 0.0  # a row without labels: loss 0
    multi_hot[4] = 1.0
    actual = numpy(keras_losses.npairs_multilabel_loss(multi_hot, similarity))
    assert actual[3] == 0.0
    _assert_matches(
        actual,
        reference.npairs_multilabel_loss(multi_hot, similarity),
        "reference.npairs_multilabel_loss",
    )


def test_supervised_contrastive_matches_reference():
    for seed, labels in ((0, "balanced"), (1, "singleton")):
        y, x = _batch(seed, labels)
        for temperature in TEMPERATURES:
            actual = numpy(
                keras_losses.supervised_contrastive_loss(
                    y, x, temperature=temperature
                )
            )
            expected = reference.supervised_contrastive_loss(
                y, x, temperature=temperature
            )
            if labels == "singleton":  # no positive: 0
                singletons = np.sum(y[:, None] == y[None, :], axis=1) == 1
                assert np.all(actual[singletons] == 0.0)
            _assert_matches(
                actual,
                expected,
                "reference.supervised_contrastive_loss",
                f"{labels} t={temperature}",
            )


@pytest.mark.parametrize("same_view_negatives", [True, False])
def test_nt_xent_matches_reference(same_view_negatives):
    rng = np.random.default_rng(4)
    u = rng.normal(size=(BATCH, DIM))
    v = (u + rng.normal(0.0, 0.7, size=(BATCH, DIM))).astype("float32")
    u = u.astype("float32")
    for temperature in TEMPERATURES:
        kwargs = dict(
            temperature=temperature, same_view_negatives=same_view_negatives
        )
        _assert_matches(
            numpy(keras_losses.nt_xent_loss(u, v, **kwargs)),
            reference.nt_xent_loss(u, v, **kwargs),
            "reference.nt_xent_loss",
            f"t={temperature} same_view_negatives={same_view_negatives}",
        )


# --- Empty sets (contract 21) -------------------------------------------------


# Each loss as a function of the embeddings x (a tensor) alone, with the
# labels fixed: name -> (labels, x) -> per-anchor loss (lifted: a scalar).
def _edge_losses(labels, multi_hot=None):
    def similarity(x):
        return keras.ops.matmul(x, keras.ops.transpose(x))

    losses = {
        "semihard": lambda x: keras_losses.triplet_semihard_loss(labels, x),
        "semihard_angular": lambda x: keras_losses.triplet_semihard_loss(
            labels, x, distance_metric="angular"
        ),
        "hard": lambda x: keras_losses.triplet_hard_loss(labels, x),
        "soft": lambda x: keras_losses.triplet_hard_loss(labels, x, soft=True),
        "lifted": lambda x: keras_losses.lifted_struct_loss(labels, x),
        "supcon": lambda x: keras_losses.supervised_contrastive_loss(labels, x),
        "npairs": lambda x: keras_losses.npairs_loss(labels, similarity(x)),
        # Both views x: NT-Xent's positives are identical rows.
        "nt_xent": lambda x: keras_losses.nt_xent_loss(x, x),
        "clip": lambda x: keras_losses.nt_xent_loss(
            x, x, same_view_negatives=False
        ),
    }
    if multi_hot is not None:
        losses["multilabel"] = lambda x: keras_losses.npairs_multilabel_loss(
            multi_hot, similarity(x)
        )
    return losses


def _check_finite_gradient(fn, x, case):
    value, grad = value_and_grad(lambda t: keras.ops.sum(fn(t)), x)
    assert np.isfinite(value), case
    assert grad.shape == x.shape, case
    assert np.all(np.isfinite(grad)), case


def test_empty_batch():
    # No anchors: every per-anchor loss has shape (0,) and lifted's batch
    # statistic is 0, with finite (empty) gradients.
    labels = np.zeros((0,), "int32")
    x = np.zeros((0, DIM), "float32")
    for name, fn in _edge_losses(labels, np.zeros((0, 3), "float32")).items():
        loss = numpy(fn(x))
        assert loss.shape == (() if name == "lifted" else (0,)), name
        assert np.all(loss == 0.0), name
        _check_finite_gradient(fn, x, name)
    # A class's reduced loss: Keras's reduction returns a (0,) loss as it is
    # (keras/src/losses/loss.py, reduce_values), so the per-anchor classes
    # give an empty tensor (sum 0, no NaN) for every reduction, and
    # LiftedStructLoss its scalar 0.
    empty_similarity = np.zeros((0, 0), "float32")
    calls = [
        (keras_losses.TripletSemiHardLoss, (labels, x)),
        (keras_losses.TripletHardLoss, (labels, x)),
        (keras_losses.SupervisedContrastiveLoss, (labels, x)),
        (keras_losses.NTXentLoss, (x, x)),
        (keras_losses.NpairsLoss, (labels, empty_similarity)),
        (
            keras_losses.NpairsMultilabelLoss,
            (np.zeros((0, 3), "float32"), empty_similarity),
        ),
        (keras_losses.LiftedStructLoss, (labels, x)),
    ]
    for cls, inputs in calls:
        for reduction in REDUCTIONS:
            value = numpy(cls(reduction=reduction)(*inputs))
            shape = () if cls is keras_losses.LiftedStructLoss else (0,)
            assert value.shape == shape, (cls.__name__, reduction)
            assert np.sum(value) == 0.0
    assert numpy(keras_losses.contrastive_loss([], [])).shape == (0,)


def test_batch_of_one():
    # One sample: no positive pair and no negative. Semi-hard: no positive
    # pair, 0. Hard: the farthest positive falls back to the row's minimum
    # (0, itself) and the closest negative to its maximum (0): margin, or
    # softplus(0) = log 2 if soft. Lifted: no positive pair, 0. SupCon: no
    # positive, 0. N-pairs and NT-Xent: the softmax has one candidate, the
    # positive: 0.
    labels = np.array([3], "int32")
    x = np.array([[0.5, -1.0, 2.0, 0.25, 0.0, 1.0, -0.5, 3.0]], "float32")
    expected = {
        "semihard": [0.0],
        "hard": [1.0],
        "soft": [math.log(2)],
        "lifted": 0.0,
        "supcon": [0.0],
        "npairs": [0.0],
        "nt_xent": [0.0],
        "clip": [0.0],
        "multilabel": [0.0],
    }
    multi_hot = np.array([[0, 1, 1]], "float32")
    losses = _edge_losses(labels, multi_hot)
    for name, value in expected.items():  # semi-hard "angular": as "L2"
        fn = losses[name]
        np.testing.assert_allclose(numpy(fn(x)), value, atol=1e-7, err_msg=name)
        _check_finite_gradient(fn, x, name)
    hard = keras_losses.triplet_hard_loss(labels, x, margin=0.3)
    np.testing.assert_allclose(numpy(hard), [0.3], rtol=1e-6)
    # "with gradient 0" (triplet_hard_loss's docstring).
    for name in ("hard", "soft"):
        fn = _edge_losses(labels)[name]
        _, grad = value_and_grad(lambda t, fn=fn: keras.ops.sum(fn(t)), x)
        assert np.all(grad == 0.0), name


def test_no_positive_pair():
    # All labels distinct. Semi-hard, lifted and SupCon: 0 (TF Addons: NaN
    # for the first two). Hard: the farthest positive is the row's minimum,
    # 0, so max(margin - closest negative, 0), softplus(-closest) if soft.
    labels = np.arange(BATCH, dtype="int32")
    x = np.random.default_rng(5).normal(0.0, 0.2, size=(BATCH, DIM))
    x = x.astype("float32")
    distances = reference.metric_distances(x, "L2")
    closest = np.min(distances + np.diag(np.full(BATCH, np.inf)), axis=1)
    expected = {
        "semihard": np.zeros(BATCH),
        "semihard_angular": np.zeros(BATCH),
        "hard": np.maximum(1.0 - closest, 0.0),
        "soft": np.logaddexp(0.0, -closest),
        "lifted": 0.0,
        "supcon": np.zeros(BATCH),
        "npairs": reference.npairs_loss(labels, x @ x.T),
    }
    assert np.any(expected["hard"] > 0)
    assert np.isnan(reference.tfa_triplet_semihard_value(labels, x))
    losses = _edge_losses(labels)
    for name, value in expected.items():
        fn = losses[name]
        np.testing.assert_allclose(
            numpy(fn(x)), value, rtol=1e-5, atol=1e-6, err_msg=name
        )
        _check_finite_gradient(fn, x, name)
    assert numpy(keras_losses.TripletSemiHardLoss()(labels, x)) == 0.0
    assert numpy(keras_losses.LiftedStructLoss()(labels, x)) == 0.0


def test_no_negative():
    # One class. Semi-hard: an anchor without a negative takes distance 0,
    # so B / P sum_p max(d(a, p) + margin, 0). Hard: the closest negative
    # falls back to the row's maximum, the farthest positive itself: margin
    # (log 2 if soft). Lifted: no pair has a negative, 0 (TF Addons: NaN).
    labels = np.full(BATCH, 2, "int32")
    x = np.random.default_rng(6).normal(size=(BATCH, DIM))
    x = x.astype("float32")
    distances = reference.metric_distances(x, "L2")
    pairs = BATCH * (BATCH - 1)
    share = BATCH / pairs
    expected = {
        "semihard": share * np.sum(distances + 1.0 - np.eye(BATCH), axis=1),
        "hard": np.ones(BATCH),
        "soft": np.full(BATCH, math.log(2)),
        "lifted": 0.0,
        "supcon": reference.supervised_contrastive_loss(labels, x),
        "npairs": reference.npairs_loss(labels, x @ x.T),
    }
    np.testing.assert_allclose(
        expected["semihard"], reference.triplet_semihard_loss(labels, x)
    )
    losses = _edge_losses(labels)
    for name, value in expected.items():
        fn = losses[name]
        np.testing.assert_allclose(
            numpy(fn(x)), value, rtol=1e-5, atol=1e-6, err_msg=name
        )
        _check_finite_gradient(fn, x, name)
    assert numpy(keras_losses.LiftedStructLoss()(labels, x)) == 0.0


@pytest.mark.parametrize("kind", ["collapsed", "duplicate"])
def test_collapsed_and_duplicate_embeddings(kind):
    # Every row equal (zeros, or one vector): all L2 distances 0, every
    # cosine 1 (0 for zero rows, which stay zero when normalised). 4 classes
    # of 6: P = 24 * 5 ordered pairs, B / P = 1 / 5, 5 positives each.
    # Semi-hard: no negative beyond 0, the farthest is at 0: 5 / 5 margin;
    # with "angular" and zero rows every off-diagonal distance is 1: margin
    # again. Hard: margin, log 2 if soft. Lifted: each member of a pair has
    # 18 negatives at 0, so J = log(36 e^margin) for every pair: (1 +
    # log 36)^2 / 2. SupCon: equal logits over the 23 others: log 23.
    # N-pairs: equal similarities, target on 6 of 24 columns: log 24.
    # NT-Xent: the positive among 2N - 1 = 47 equal logits: log 47; CLIP
    # among N = 24: log 24.
    labels = np.repeat(np.arange(4), BATCH // 4).astype("int32")
    x = np.zeros((BATCH, DIM), "float32")
    if kind == "duplicate":
        x[:] = [0.5, -1.0, 2.0, 0.25, 0.0, 1.0, -0.5, 3.0]
    expected = {
        "semihard": np.ones(BATCH),
        "semihard_angular": np.ones(BATCH),
        "hard": np.ones(BATCH),
        "soft": np.full(BATCH, math.log(2)),
        "lifted": (1 + math.log(36)) ** 2 / 2,
        "supcon": np.full(BATCH, math.log(23)),
        "npairs": np.full(BATCH, math.log(24)),
        "nt_xent": np.full(BATCH, math.log(47)),
        "clip": np.full(BATCH, math.log(24)),
        "multilabel": np.full(BATCH, math.log(24)),
    }
    multi_hot = np.eye(4, dtype="float32")[labels]
    for name, fn in _edge_losses(labels, multi_hot).items():
        np.testing.assert_allclose(
            numpy(fn(x)), expected[name], rtol=1e-6, atol=1e-6, err_msg=name
        )
        _check_finite_gradient(fn, x, f"{kind} {name}")
    # Any margin, any metric (semi-hard "L2" and "angular" are above).
    calls = [(keras_losses.triplet_semihard_loss, "squared-L2")]
    calls += [(keras_losses.triplet_hard_loss, metric) for metric in METRICS]
    for fn, metric in calls:
        loss = fn(labels, x, margin=0.5, distance_metric=metric)
        np.testing.assert_allclose(numpy(loss), np.full(BATCH, 0.5), atol=1e-6)


def test_npairs_multilabel_row_without_labels():
    # A sample without a label has no target: loss 0 (TF Addons: NaN); the
    # other rows are unchanged (the empty row shares no label with them).
    rng = np.random.default_rng(8)
    multi_hot = (rng.random((BATCH, 5)) < 0.35).astype("float32")
    multi_hot[1] = 0.0
    multi_hot[0] = [1, 0, 1, 0, 0]
    similarity = rng.normal(size=(BATCH, BATCH)).astype("float32")
    fn = lambda s: keras_losses.npairs_multilabel_loss(multi_hot, s)  # noqa: E731
    actual = numpy(fn(similarity))
    assert actual[1] == 0.0
    _assert_matches(
        actual,
        reference.npairs_multilabel_loss(multi_hot, similarity),
        "reference.npairs_multilabel_loss",
        "row without labels",
    )
    _, grad = value_and_grad(lambda s: keras.ops.sum(fn(s)), similarity)
    assert np.all(np.isfinite(grad))
    assert np.all(grad[1] == 0.0)
    assert numpy(keras_losses.NpairsMultilabelLoss()(multi_hot, similarity)) > 0
    empty = np.zeros_like(multi_hot)
    assert np.all(numpy(fn(similarity)) == actual)
    no_labels = numpy(keras_losses.npairs_multilabel_loss(empty, similarity))
    assert np.all(no_labels == 0.0)


# --- Gradients ----------------------------------------------------------------


def _gradient_cases(rng):
    """name -> (our loss of x, float64 reference of x, x float64)."""
    labels = _singleton_labels(rng)
    x = rng.normal(size=(BATCH, DIM))
    view = rng.normal(size=(BATCH, DIM))
    similarity = rng.normal(0.0, 2.0, size=(BATCH, BATCH))
    multi_hot = (rng.random((BATCH, 5)) < 0.35).astype("float64")
    multi_hot[2] = 0.0
    y01 = rng.integers(0, 2, size=BATCH).astype("float64")
    d = rng.uniform(0.1, 2.0, size=BATCH)
    cases = {}
    for metric in METRICS:
        cases[f"semihard_{metric}"] = (
            lambda t, m=metric: keras_losses.triplet_semihard_loss(
                labels, t, distance_metric=m
            ),
            lambda t, m=metric: reference.triplet_semihard_loss(
                labels, t, distance_metric=m
            ),
            x,
        )
        cases[f"hard_{metric}"] = (
            lambda t, m=metric: keras_losses.triplet_hard_loss(
                labels, t, margin=2.0, distance_metric=m
            ),
            lambda t, m=metric: reference.triplet_hard_loss(
                labels, t, margin=2.0, distance_metric=m
            ),
            x,
        )
    cases["soft"] = (
        lambda t: keras_losses.triplet_hard_loss(labels, t, soft=True),
        lambda t: reference.triplet_hard_loss(labels, t, soft=True),
        x,
    )
    cases["lifted"] = (
        lambda t: keras_losses.lifted_struct_loss(labels, t),
        lambda t: reference.lifted_struct_loss(labels, t),
        x,
    )
    cases["supcon"] = (
        lambda t: keras_losses.supervised_contrastive_loss(
            labels, t, temperature=0.5
        ),
        lambda t: reference.supervised_contrastive_loss(
            labels, t, temperature=0.5
        ),
        x,
    )
    for same in (True, False):
        cases[f"nt_xent_{same}"] = (
            lambda t, s=same: keras_losses.nt_xent_loss(
                view, t, temperature=0.5, same_view_negatives=s
            ),
            lambda t, s=same: reference.nt_xent_loss(
                view, t, temperature=0.5, same_view_negatives=s
            ),
            x,
        )
    cases["npairs"] = (
        lambda t: keras_losses.npairs_loss(labels, t),
        lambda t: reference.npairs_loss(labels, t),
        similarity,
    )
    cases["multilabel"] = (
        lambda t: keras_losses.npairs_multilabel_loss(multi_hot, t),
        lambda t: reference.npairs_multilabel_loss(multi_hot, t),
        similarity,
    )
    cases["contrastive"] = (
        lambda t: keras_losses.contrastive_loss(y01, t, margin=1.5),
        lambda t: reference.contrastive_loss(y01, t, margin=1.5),
        d,
    )
    return cases


GRADIENT_NAMES = sorted(_gradient_cases(np.random.default_rng(0)))


def _plain_jax():
    if keras.backend.backend() != "jax":
        return False
    import jax

    return not jax.config.jax_enable_x64


def _partial_finite_difference(formula, x, indices):
    """`finite_difference` at the flat `indices` of x only (each costs two
    evaluations of the brute-force reference)."""
    flat = x.ravel()

    def at(values):
        point = flat.copy()
        point[indices] = values
        return formula(point.reshape(x.shape))

    return finite_difference(at, flat[indices])


@pytest.mark.parametrize("name", GRADIENT_NAMES)
def test_gradient_matches_finite_differences(name):
    # Float64 against central differences of the float64 reference, on
    # inputs away from ties (a mining choice that flips within the step
    # would show as a large error), at 16 coordinates. JAX computes float64
    # in float32 unless jax_enable_x64 is set: there the comparison is in
    # float32, looser.
    rng = np.random.default_rng(9)
    ours, formula, x = _gradient_cases(rng)[name]
    indices = rng.choice(x.size, size=16, replace=False)
    if _plain_jax():
        x = x.astype("float32").astype("float64")
        rtol, dtype = 2e-3, "float32"
    else:
        # 1e-6, not 1e-12: Keras 3.15.1's torch backend computes
        # `ops.maximum(float64, 0.0)` in float32 and `ops.mean` of float64
        # with float32 accuracy (keras-team/keras#23223, as in
        # tests/test_box.py), 1.2e-7 here; TensorFlow reaches 1e-8.
        rtol, dtype = 1e-6, "float64"
    _, grad = value_and_grad(lambda t: keras.ops.sum(ours(t)), x.astype(dtype))
    expected = _partial_finite_difference(formula, x, indices)
    assert np.sum(np.abs(expected) > 1e-3) >= 4
    _assert_matches(
        grad.ravel()[indices],
        expected,
        "finite differences (float64), metric learning",
        name,
        rtol=rtol,
    )


# --- Classes ------------------------------------------------------------------


# name -> (class, kwargs, function, inputs maker (seed -> y_true, y_pred))
def _labelled(seed):
    return _batch(seed, "singleton")


def _similarities(seed):
    rng = np.random.default_rng(seed)
    labels = _balanced_labels(rng)
    return labels, rng.normal(0.0, 2.0, size=(BATCH, BATCH)).astype("float32")


def _multilabel(seed):
    rng = np.random.default_rng(seed)
    multi_hot = (rng.random((BATCH, 5)) < 0.35).astype("float32")
    return multi_hot, rng.normal(0.0, 2.0, size=(BATCH, BATCH)).astype(
        "float32"
    )


def _views(seed):
    rng = np.random.default_rng(seed)
    u = rng.normal(size=(BATCH, DIM))
    v = u + rng.normal(0.0, 0.7, size=(BATCH, DIM))
    return u.astype("float32"), v.astype("float32")


def _distances(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=BATCH).astype("float32")
    return y, rng.uniform(0.0, 3.0, size=BATCH).astype("float32")


PER_ANCHOR = {
    "ContrastiveLoss": (
        keras_losses.ContrastiveLoss,
        {"margin": 2.0},
        reference.contrastive_loss,
        _distances,
    ),
    "TripletSemiHardLoss": (
        keras_losses.TripletSemiHardLoss,
        {"margin": 0.5},
        reference.triplet_semihard_loss,
        _labelled,
    ),
    "TripletHardLoss": (
        keras_losses.TripletHardLoss,
        {"soft": True},
        reference.triplet_hard_loss,
        _labelled,
    ),
    "NpairsLoss": (
        keras_losses.NpairsLoss,
        {},
        reference.npairs_loss,
        _similarities,
    ),
    "NpairsMultilabelLoss": (
        keras_losses.NpairsMultilabelLoss,
        {},
        reference.npairs_multilabel_loss,
        _multilabel,
    ),
    "SupervisedContrastiveLoss": (
        keras_losses.SupervisedContrastiveLoss,
        {"temperature": 0.5},
        reference.supervised_contrastive_loss,
        _labelled,
    ),
    "NTXentLoss": (
        keras_losses.NTXentLoss,
        {"same_view_negatives": False},
        reference.nt_xent_loss,
        _views,
    ),
}


@pytest.mark.parametrize("name", sorted(PER_ANCHOR))
def test_per_anchor_sample_weight(name):
    # One sample is an anchor: reduction=None returns the per-anchor values,
    # and a (B,) sample_weight weights them as for any Keras loss.
    cls, kwargs, formula, inputs = PER_ANCHOR[name]
    y_true, y_pred = inputs(10)
    per_anchor = formula(y_true, y_pred, **kwargs)
    weights = np.random.default_rng(11).uniform(0.0, 3.0, BATCH)
    weights = weights.astype("float32")
    weights[::5] = 0.0
    unreduced = numpy(cls(reduction=None, **kwargs)(y_true, y_pred))
    assert unreduced.shape == (BATCH,)
    _assert_matches(unreduced, per_anchor, f"reference ({name})", "None")
    for reduction in REDUCTIONS:
        loss = cls(reduction=reduction, **kwargs)
        weighted = numpy(loss(y_true, y_pred, sample_weight=weights))
        _assert_matches(
            weighted,
            reference.reduce(per_anchor, reduction, weights),
            f"reference ({name}) reduced",
            f"{reduction} weighted",
        )


def test_lifted_struct_loss_refuses_per_sample_weight():
    y, x = _batch(12)
    value = reference.lifted_struct_loss(y, x)
    for reduction in REDUCTIONS:
        loss = keras_losses.LiftedStructLoss(reduction=reduction)
        result = numpy(loss(y, x))
        assert result.shape == ()
        _assert_matches(
            result, value, "reference.lifted_struct_loss", str(reduction)
        )
        for shape in [(BATCH,), (BATCH, 1)]:
            with pytest.raises(ValueError) as error:
                loss(y, x, sample_weight=np.ones(shape, "float32"))
            message = str(error.value)
            assert "statistic of the whole batch" in message
            assert "sample_weight=None or a scalar" in message
            assert str(shape) in message
        # A scalar weight multiplies the batch's loss, for every reduction:
        # Keras returns a weighted scalar loss as it is (keras/src/losses/
        # loss.py, reduce_values), also for "mean_with_sample_weight".
        weighted = numpy(loss(y, x, sample_weight=2.5))
        expected = 2.5 * value
        _assert_matches(
            weighted,
            expected,
            "reference.lifted_struct_loss",
            f"{reduction} scalar",
        )


# A distance_metric callable: minus the dot product, a dissimilarity (the
# losses mine any (batch, batch) matrix; one matrix product keeps it cheap).
@keras.saving.register_keras_serializable(
    package="keras_losses_tests", name="metric_negative_dot"
)
def negative_dot(x):
    """-x x^T, a registered distance_metric."""
    return -keras.ops.matmul(x, keras.ops.transpose(x))


def _negative_dot_float64(x):
    x = np.asarray(x, "float64")
    return -x @ x.T


def test_registered_distance_metric_round_trips():
    y, x = _batch(13, "singleton")
    name = "keras_losses_tests>metric_negative_dot"
    cases = [
        (keras_losses.TripletSemiHardLoss, reference.triplet_semihard_loss),
        (keras_losses.TripletHardLoss, reference.triplet_hard_loss),
    ]
    for cls, formula in cases:
        expected = np.mean(formula(y, x, distance_metric=_negative_dot_float64))
        # The callable and its registered name give the same config.
        by_name = cls(distance_metric=name)
        loss = cls(distance_metric=negative_dot)
        config = loss.get_config()
        assert config["distance_metric"] == name
        assert by_name.get_config() == config
        json.dumps(config)
        rebuilt = [
            cls.from_config(config),
            keras.losses.get(keras.losses.serialize(loss)),
            keras.saving.deserialize_keras_object(
                json.loads(
                    json.dumps(keras.saving.serialize_keras_object(loss))
                )
            ),
        ]
        for restored in [loss] + rebuilt:
            assert type(restored) is cls
            assert restored.get_config() == config
            _assert_matches(
                numpy(restored(y, x)),
                expected,
                f"reference ({cls.__name__}), negative dot",
                "registered distance_metric",
            )


def test_unregistered_distance_metric():
    # The function takes any callable; the class only a registered one, as
    # its config must name it.
    y, x = _batch(13, "singleton")

    def unregistered(t):
        return -keras.ops.matmul(t, keras.ops.transpose(t))

    for fn, formula, cls in (
        (
            keras_losses.triplet_semihard_loss,
            reference.triplet_semihard_loss,
            keras_losses.TripletSemiHardLoss,
        ),
        (
            keras_losses.triplet_hard_loss,
            reference.triplet_hard_loss,
            keras_losses.TripletHardLoss,
        ),
    ):
        _assert_matches(
            numpy(fn(y, x, distance_metric=unregistered)),
            formula(y, x, distance_metric=_negative_dot_float64),
            f"reference.{fn.__name__}",
            "unregistered callable",
        )
        with pytest.raises(ValueError, match="`distance_metric`"):
            cls(distance_metric=unregistered)
        with pytest.raises(ValueError, match="`distance_metric`"):
            cls(distance_metric=lambda t: t)


# --- Numerical robustness -----------------------------------------------------


def test_low_temperature_near_identical_embeddings():
    # Temperature 0.01 and cosines within ~1e-4 of each other: logits near
    # 100, differing by ~1e-2. Computed in log space: finite and as the
    # float64 reference.
    rng = np.random.default_rng(14)
    base = rng.normal(size=DIM)
    x = (base + 1e-2 * rng.normal(size=(BATCH, DIM))).astype("float32")
    v = (base + 1e-2 * rng.normal(size=(BATCH, DIM))).astype("float32")
    y = _balanced_labels(rng)
    actual = numpy(
        keras_losses.supervised_contrastive_loss(y, x, temperature=0.01)
    )
    assert np.all(np.isfinite(actual))
    _assert_matches(
        actual,
        reference.supervised_contrastive_loss(y, x, temperature=0.01),
        "reference.supervised_contrastive_loss",
        "t=0.01 near-identical",
    )
    for same in (True, False):
        actual = numpy(
            keras_losses.nt_xent_loss(
                x, v, temperature=0.01, same_view_negatives=same
            )
        )
        assert np.all(np.isfinite(actual))
        _assert_matches(
            actual,
            reference.nt_xent_loss(
                x, v, temperature=0.01, same_view_negatives=same
            ),
            "reference.nt_xent_loss",
            f"t=0.01 near-identical same_view_negatives={same}",
        )


def test_huge_embeddings():
    # Embeddings scaled by 1e30: squares would overflow float32 (3.4e38).
    # L2 distances are homogeneous, so with margin 0 the triplet losses
    # scale by 1e30; the cosine losses do not change.
    y, x = _batch(15, "singleton")
    huge = (x.astype("float64") * 1e30).astype("float32")
    for fn in (
        keras_losses.triplet_semihard_loss,
        keras_losses.triplet_hard_loss,
    ):
        unit = numpy(fn(y, x, margin=0.0))
        scaled = numpy(fn(y, huge, margin=0.0))
        assert np.all(np.isfinite(scaled)), fn.__name__
        assert np.any(unit > 0)
        _assert_matches(
            scaled / 1e30, unit, f"{fn.__name__} at unit scale", "1e30"
        )
    np.testing.assert_allclose(
        numpy(keras_losses.triplet_semihard_loss(y, huge, margin=0.0)),
        reference.triplet_semihard_loss(y, huge, margin=0.0),
        rtol=1e-5,
        atol=1e25,
    )
    cosine = [
        lambda t: keras_losses.supervised_contrastive_loss(y, t),
        lambda t: keras_losses.nt_xent_loss(x, t),
        lambda t: keras_losses.nt_xent_loss(t, t[::-1]),
    ]
    for index, fn in enumerate(cosine):
        scaled = numpy(fn(huge))
        assert np.all(np.isfinite(scaled)), index
        _assert_matches(
            scaled, numpy(fn(x)), "cosine loss at unit scale", f"1e30 #{index}"
        )


def test_large_common_offset():
    # 1e4 + small noise (multiples of 1/256, so exact in float32): the L2
    # losses must equal those without the offset. Through |a|^2 + |b|^2 -
    # 2 a.b at 1e4 the squares (~8e8) leave float32 ~50 of absolute error
    # in each squared distance; centring the batch first removes it.
    rng = np.random.default_rng(16)
    y = _singleton_labels(rng)
    small = np.round(rng.normal(size=(BATCH, DIM)) * 256) / 256
    small = small.astype("float32")
    offset = small + np.float32(1e4)
    np.testing.assert_array_equal(offset - np.float32(1e4), small)  # exact
    losses = {
        "semihard": lambda t: keras_losses.triplet_semihard_loss(y, t),
        "semihard squared-L2": lambda t: keras_losses.triplet_semihard_loss(
            y, t, distance_metric="squared-L2"
        ),
        "hard": lambda t: keras_losses.triplet_hard_loss(y, t),
        "lifted": lambda t: keras_losses.lifted_struct_loss(y, t),
    }
    for name, fn in losses.items():
        without = numpy(fn(small))
        _assert_matches(
            numpy(fn(offset)), without, "without the offset", name, rtol=1e-4
        )
    _assert_matches(
        numpy(losses["semihard"](offset)),
        reference.triplet_semihard_loss(y, small),
        "reference.triplet_semihard_loss",
        "offset 1e4",
        rtol=1e-4,
    )
    # Without the centring the test would fail: float32 norms and Gram
    # matrix at the offset are far off.
    o = offset.astype("float32")
    norms = np.sum(o * o, axis=1)
    naive = norms[:, None] + norms[None, :] - 2 * (o @ o.T)
    exact = reference.metric_distances(small, "squared-L2")
    assert np.max(np.abs(naive - exact)) > 1.0


def test_nan_embedding_gives_nan_everywhere():
    # Contract 13: a NaN anywhere poisons every anchor (a mined loss's
    # value depends on every row, which a min or max could drop).
    y, x = _batch(17, "singleton")
    bad = x.copy()
    bad[5, 2] = np.nan
    losses = _edge_losses(y)
    losses["nt_xent_first_view"] = lambda t: keras_losses.nt_xent_loss(t, x)
    losses["nt_xent_second_view"] = lambda t: keras_losses.nt_xent_loss(x, t)
    for metric in ("squared-L2", "angular"):
        losses[f"hard {metric}"] = lambda t, m=metric: (
            keras_losses.triplet_hard_loss(y, t, distance_metric=m)
        )
    for name, fn in losses.items():
        assert np.all(np.isfinite(numpy(fn(x)))), name
        assert np.all(np.isnan(numpy(fn(bad)))), name
    similarity = x @ x.T
    similarity[3, 7] = np.nan
    assert np.all(np.isnan(numpy(keras_losses.npairs_loss(y, similarity))))
    multi_hot = np.eye(BATCH, 3, dtype="float32")
    assert np.all(
        np.isnan(
            numpy(keras_losses.npairs_multilabel_loss(multi_hot, similarity))
        )
    )


# --- PyTorch Metric Learning --------------------------------------------------

PML_CASES = [
    "SupConLoss",
    "NTXentLoss",
    "NTXentLoss CLIP",
    "TripletMarginLoss BatchHardMiner",
    "TripletMarginLoss BatchHardMiner smooth",
    "LiftedStructureLoss",
    "NPairsLoss",
]


@pytest.mark.parametrize("case", PML_CASES)
def test_pytorch_metric_learning_parity(case):
    # PML computed in float64 torch; ours in float32. The settings that are
    # the same loss: SupConLoss with a MeanReducer (every anchor has a
    # positive here); NTXentLoss on the concatenated views labelled
    # arange(N) twice, and CLIP's form through ref_emb (ref_labels must be
    # another tensor than labels, or PML takes the embeddings as their own
    # references); BatchHardMiner + TripletMarginLoss with LpDistance
    # unnormalised and a MeanReducer (every class has >= 2 samples);
    # LiftedStructureLoss with pos_margin 0; NPairsLoss with the dot product
    # on (anchors, positives) with distinct labels.
    pytest.importorskip("pytorch_metric_learning")
    import torch
    from pytorch_metric_learning import distances
    from pytorch_metric_learning import losses
    from pytorch_metric_learning import miners
    from pytorch_metric_learning import reducers

    y, x = _batch(18)
    u, v = _views(19)
    e, labels = torch.tensor(x, dtype=torch.float64), torch.tensor(y)
    tu, tv = (
        torch.tensor(u, dtype=torch.float64),
        torch.tensor(v, dtype=torch.float64),
    )
    index = torch.arange(BATCH)
    lp = distances.LpDistance(normalize_embeddings=False)
    results = []  # (theirs, ours, setting)
    if case == "SupConLoss":
        for t in TEMPERATURES:
            theirs = losses.SupConLoss(
                temperature=t, reducer=reducers.MeanReducer()
            )
            ours = keras_losses.supervised_contrastive_loss(y, x, temperature=t)
            results.append((theirs(e, labels), np.mean(numpy(ours)), t))
    elif case == "NTXentLoss":
        for t in TEMPERATURES:
            theirs = losses.NTXentLoss(temperature=t)(
                torch.cat([tu, tv]), index.repeat(2)
            )
            ours = keras_losses.nt_xent_loss(u, v, temperature=t)
            results.append((theirs, np.mean(numpy(ours)), t))
    elif case == "NTXentLoss CLIP":
        for t in TEMPERATURES:
            f = losses.NTXentLoss(temperature=t)
            theirs = (
                f(tu, index, ref_emb=tv, ref_labels=index.clone())
                + f(tv, index, ref_emb=tu, ref_labels=index.clone())
            ) / 2
            ours = keras_losses.nt_xent_loss(
                u, v, temperature=t, same_view_negatives=False
            )
            results.append((theirs, np.mean(numpy(ours)), t))
    elif case.startswith("TripletMarginLoss"):
        smooth = case.endswith("smooth")
        for margin in [0.0] if smooth else MARGINS:
            theirs = losses.TripletMarginLoss(
                margin=margin,
                smooth_loss=smooth,
                distance=lp,
                reducer=reducers.MeanReducer(),
            )
            mined = miners.BatchHardMiner(distance=lp)(e, labels)
            ours = keras_losses.triplet_hard_loss(
                y, x, margin=margin, soft=smooth
            )
            results.append(
                (theirs(e, labels, mined), np.mean(numpy(ours)), margin)
            )
    elif case == "LiftedStructureLoss":
        for margin in MARGINS:
            theirs = losses.LiftedStructureLoss(
                neg_margin=margin, pos_margin=0, distance=lp
            )
            ours = keras_losses.lifted_struct_loss(y, x, margin=margin)
            results.append((theirs(e, labels), numpy(ours), margin))
    elif case == "NPairsLoss":
        theirs = losses.NPairsLoss(
            distance=distances.DotProductSimilarity(normalize_embeddings=False)
        )
        ours = keras_losses.npairs_loss(np.arange(BATCH), u @ v.T)
        value = theirs(torch.cat([tu, tv]), torch.cat([index, index]))
        results.append((value, np.mean(numpy(ours)), None))
    assert results
    for theirs, ours, setting in results:
        theirs = float(theirs.item())
        assert theirs > 0
        _assert_matches(
            ours, theirs, f"pytorch_metric_learning {case}", str(setting)
        )


# --- TensorFlow graphs --------------------------------------------------------


def test_semihard_in_tf_function_with_unknown_batch():
    # With the batch size unknown until run time, the binary search's step
    # count is a tensor and fori_loop a dynamic while loop.
    if keras.backend.backend() != "tensorflow":
        pytest.skip("tf.function is TensorFlow's")
    import tensorflow as tf

    graph = tf.function(
        lambda labels, x: keras_losses.triplet_semihard_loss(
            labels, x, margin=0.5
        ),
        input_signature=[
            tf.TensorSpec([None], tf.int32),
            tf.TensorSpec([None, DIM], tf.float32),
        ],
    )
    fallback_y, fallback_x = _fallback_batch()
    batches = [_batch(0), _batch(1, "singleton"), (fallback_y, fallback_x)]
    y, x = _batch(20, "singleton")
    batches += [(y[:1], x[:1]), (y[:5], x[:5]), (y[:16], x[:16])]
    for y, x in batches:
        eager = numpy(keras_losses.triplet_semihard_loss(y, x, margin=0.5))
        traced = numpy(graph(tf.constant(y), tf.constant(x)))
        np.testing.assert_array_equal(traced, eager)
        _assert_matches(
            traced,
            reference.triplet_semihard_loss(y, x, margin=0.5),
            "reference.triplet_semihard_loss",
            f"tf.function batch {len(y)}",
        )
    assert graph.experimental_get_tracing_count() == 1  # one graph for all
