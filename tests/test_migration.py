"""The migration guide's claims (docs/migration.md), checked numerically.

Each test takes a loss from another package, applies the translation the
guide states (arguments, reduction, a constant factor) and compares with
`keras_losses`. PyTorch, Keras's own `Dice` and `Tversky` and Keras's
`keras.utils.bounding_boxes` are called directly; TF Addons and the
`focal-loss` package do not install beside Keras 3, so their own documented
example values are used; keras-cv's, torchvision's, TF Addons' GIoU,
mmdetection's and ultralytics' box losses and `segmentation_models`' (Keras
2 only) formulas are written in float64 NumPy from their documented
definitions and source (none of these is installed here), checked against
their published test values where they have some. The
`segmentation_models.pytorch` table is stated from its source, untested.
"""

import importlib
import math
import re

import keras
import numpy as np
import pytest

import keras_losses
from tests import reference
from tests.autodiff import finite_difference
from tests.autodiff import value_and_grad
from tests.helpers import numpy
from tests.helpers import one_hot
from tests.helpers import softmax

RTOL = 1e-5  # float32 on both sides
SEEDS = [0, 1, 2]


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def binary_cross_entropy_of_logits(y, x):
    # -y log(sigmoid(x)) - (1 - y) log(1 - sigmoid(x)), stably.
    return np.logaddexp(0.0, -x) * y + np.logaddexp(0.0, x) * (1.0 - y)


def binary_data(rng, n=16, c=3):
    labels = (rng.random((n, c)) < 0.3).astype("float32")
    logits = rng.normal(scale=3.0, size=(n, c)).astype("float32")
    return labels, logits


# --- PyTorch ---------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_bce_with_logits_pos_weight(seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    labels, logits = binary_data(rng)
    pos_weight = rng.uniform(0.5, 10.0, size=3).astype("float32")

    def theirs(reduction):
        fn = torch.nn.BCEWithLogitsLoss(
            pos_weight=torch.tensor(pos_weight), reduction=reduction
        )
        return fn(torch.tensor(logits), torch.tensor(labels)).numpy()

    def ours(reduction):
        fn = keras_losses.BinaryCrossentropy(
            from_logits=True, pos_weight=pos_weight, reduction=reduction
        )
        return numpy(fn(labels, logits))

    # torch "mean" is over all N * C elements: the mean over the last axis,
    # then over the batch, is the same number.
    np.testing.assert_allclose(
        ours("sum_over_batch_size"), theirs("mean"), RTOL
    )
    # torch "sum" adds the C classes; Keras's per-sample loss averages them.
    np.testing.assert_allclose(ours("sum") * 3, theirs("sum"), RTOL)
    np.testing.assert_allclose(
        ours(None), theirs("none").mean(axis=-1), RTOL, 1e-7
    )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_cross_entropy_weight_ignore_index_label_smoothing(
    seed, label_smoothing
):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    classes, ignore = 5, -100
    logits = rng.normal(scale=2.0, size=(24, classes)).astype("float32")
    labels = rng.integers(0, classes, size=24)
    labels[rng.random(24) < 0.25] = ignore
    weight = rng.uniform(0.2, 4.0, size=classes).astype("float32")

    def theirs(reduction):
        fn = torch.nn.CrossEntropyLoss(
            weight=torch.tensor(weight),
            ignore_index=ignore,
            label_smoothing=label_smoothing,
            reduction=reduction,
        )
        return fn(torch.tensor(logits), torch.tensor(labels)).numpy()

    def ours(reduction):
        fn = keras_losses.SparseCategoricalCrossentropy(
            from_logits=True,
            label_smoothing=label_smoothing,
            ignore_class=ignore,
            class_weight=weight,
            reduction=reduction,
        )
        return numpy(fn(labels, logits))

    kept = labels != ignore
    # torch's weighted "mean" divides by the weights of the kept labels ...
    weights_of_kept = weight[labels[kept]].sum()
    np.testing.assert_allclose(
        ours("sum") / weights_of_kept, theirs("mean"), RTOL
    )
    # ... where Keras's default divides by the number of kept labels.
    np.testing.assert_allclose(
        ours("sum_over_batch_size"), theirs("sum") / kept.sum(), RTOL
    )
    assert not np.isclose(ours("sum_over_batch_size"), theirs("mean"))
    np.testing.assert_allclose(ours(None), theirs("none"), RTOL, 1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_ignore_index_unweighted_mean(seed):
    # Without `weight`, both divide by the number of labels kept.
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(20, 4)).astype("float32")
    labels = rng.integers(0, 4, size=20)
    labels[:5] = 255
    expected = torch.nn.functional.cross_entropy(
        torch.tensor(logits), torch.tensor(labels), ignore_index=255
    ).numpy()
    loss = keras_losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=255
    )
    np.testing.assert_allclose(numpy(loss(labels, logits)), expected, RTOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0, 2.0])
def test_smooth_l1_and_huber(seed, beta):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    target = rng.normal(size=(10, 4)).astype("float32")
    prediction = (target + rng.normal(scale=2.0, size=(10, 4))).astype(
        "float32"
    )
    # torch's argument order is (input, target); Keras's (y_true, y_pred).
    expected = torch.nn.functional.smooth_l1_loss(
        torch.tensor(prediction), torch.tensor(target), beta=beta
    ).numpy()
    ours = keras_losses.SmoothL1(beta=beta)(target, prediction)
    np.testing.assert_allclose(numpy(ours), expected, RTOL)
    if beta:
        expected = torch.nn.functional.huber_loss(
            torch.tensor(prediction), torch.tensor(target), delta=beta
        ).numpy()
        ours = keras_losses.Huber(delta=beta)(target, prediction)
        np.testing.assert_allclose(numpy(ours), expected, RTOL)


def torchvision_sigmoid_focal_loss(inputs, targets, alpha, gamma, reduction):
    """torchvision.ops.sigmoid_focal_loss as documented, in float64."""
    inputs, targets = inputs.astype("float64"), targets.astype("float64")
    p = sigmoid(inputs)
    ce = binary_cross_entropy_of_logits(targets, inputs)
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("alpha, gamma", [(0.25, 2.0), (0.6, 1.0), (-1, 2.0)])
def test_torchvision_sigmoid_focal_loss(seed, alpha, gamma):
    rng = np.random.default_rng(seed)
    labels, logits = binary_data(rng)

    def ours(reduction):
        fn = keras_losses.BinaryFocalCrossentropy(
            apply_class_balancing=alpha >= 0,
            alpha=max(alpha, 0.0),
            gamma=gamma,
            from_logits=True,
            reduction=reduction,
        )
        return numpy(fn(labels, logits))

    def theirs(reduction):
        return torchvision_sigmoid_focal_loss(
            logits, labels, alpha, gamma, reduction
        )

    np.testing.assert_allclose(
        ours("sum_over_batch_size"), theirs("mean"), RTOL
    )
    np.testing.assert_allclose(ours("sum") * 3, theirs("sum"), RTOL)
    np.testing.assert_allclose(
        ours(None), theirs("none").mean(axis=-1), RTOL, 1e-7
    )


# --- TF Addons (values from its docstrings) ------------------------------


def test_tfa_sigmoid_focal_cross_entropy_docstring_values():
    # tfa.losses.SigmoidFocalCrossEntropy() (alpha=0.25, gamma=2, always
    # class-balanced, reduction NONE) on these inputs prints
    # [6.8532745e-06, 1.9097870e-04, 2.0559824e-05] in TF Addons' docstring.
    loss = keras_losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, alpha=0.25, gamma=2.0, reduction=None
    )
    values = loss([[1.0], [1.0], [0.0]], [[0.97], [0.91], [0.03]])
    np.testing.assert_allclose(
        numpy(values), [6.8532745e-06, 1.9097870e-04, 2.0559824e-05], 1e-5
    )


def test_tfa_sums_where_keras_averages_the_last_axis():
    # TF Addons' sigmoid_focal_crossentropy ends with reduce_sum(axis=-1):
    # with C columns it is C times the per-sample loss here. Its formula,
    # alpha_t * (1 - p_t)**gamma * bce, in float64 (probabilities inside
    # Keras's clip, so the clip plays no part):
    rng = np.random.default_rng(0)
    labels = (rng.random((8, 4)) < 0.5).astype("float32")
    probs = rng.uniform(0.05, 0.95, size=(8, 4)).astype("float32")
    y, p = labels.astype("float64"), probs.astype("float64")
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    p_t = y * p + (1 - y) * (1 - p)
    alpha_t = y * 0.25 + (1 - y) * 0.75
    tfa = (alpha_t * (1 - p_t) ** 2 * bce).sum(axis=-1)
    loss = keras_losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, reduction=None
    )
    np.testing.assert_allclose(numpy(loss(labels, probs)) * 4, tfa, RTOL)


def test_tfa_pinball_docstring_value():
    # tfa.losses.PinballLoss(tau=.1)([0., 0., 1., 1.], [1., 1., 1., 0.])
    # is 0.475 in TF Addons' docstring.
    loss = keras_losses.Pinball(tau=0.1)
    value = loss([[0.0, 0.0, 1.0, 1.0]], [[1.0, 1.0, 1.0, 0.0]])
    np.testing.assert_allclose(numpy(value), 0.475, RTOL)


# --- keras-cv (formulas from its source) --------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_keras_cv_focal_loss(seed):
    # keras_cv.losses.FocalLoss(alpha, gamma, from_logits): alpha for labels
    # equal to 1, 1 - alpha otherwise, times (1 - p_t)**gamma * bce, summed
    # over the last axis (not averaged).
    rng = np.random.default_rng(seed)
    labels, logits = binary_data(rng, c=5)
    y, x = labels.astype("float64"), logits.astype("float64")
    p = sigmoid(x)
    p_t = y * p + (1 - y) * (1 - p)
    alpha = np.where(y == 1.0, 0.25, 0.75)
    keras_cv = (
        alpha * (1 - p_t) ** 2 * binary_cross_entropy_of_logits(y, x)
    ).sum(axis=-1)
    loss = keras_losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, from_logits=True, reduction=None
    )
    np.testing.assert_allclose(
        numpy(loss(labels, logits)) * 5, keras_cv, RTOL, 1e-7
    )


def test_keras_cv_smooth_l1_default_cutoff():
    # keras_cv.losses.SmoothL1Loss(l1_cutoff=1.0): 0.5 d**2 where |d| < 1,
    # |d| - 0.5 elsewhere, averaged over the last axis.
    rng = np.random.default_rng(0)
    target = rng.normal(size=(12, 4)).astype("float32")
    prediction = (target + rng.normal(scale=2.0, size=(12, 4))).astype(
        "float32"
    )
    d = np.abs(target.astype("float64") - prediction)
    keras_cv = np.where(d < 1.0, 0.5 * d**2, d - 0.5).mean(axis=-1)
    loss = keras_losses.SmoothL1(beta=1.0, reduction=None)
    np.testing.assert_allclose(
        numpy(loss(target, prediction)), keras_cv, RTOL, 1e-7
    )


# --- the focal-loss package (values and formula from its documentation) --


def test_focal_loss_package_docstring_values():
    # focal_loss.binary_focal_loss([0, 1, 1], [0.1, 0.7, 0.9], gamma=2)
    # prints [0.001 0.032 0.001]; BinaryFocalLoss(gamma=2) their mean 0.011.
    y_true, y_pred = [[0.0], [1.0], [1.0]], [[0.1], [0.7], [0.9]]
    loss = keras_losses.BinaryFocalCrossentropy(gamma=2.0, reduction=None)
    np.testing.assert_allclose(
        numpy(loss(y_true, y_pred)), [0.001, 0.032, 0.001], atol=5e-4
    )
    mean = keras_losses.BinaryFocalCrossentropy(gamma=2.0)(y_true, y_pred)
    np.testing.assert_allclose(numpy(mean), 0.011, atol=5e-4)
    # sparse_categorical_focal_loss([0, 1, 2], y_pred, gamma=2) prints
    # [0.009 0.032 0.082].
    y_pred = [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.2, 0.2, 0.6]]
    loss = keras_losses.SparseCategoricalFocalCrossentropy(
        alpha=1.0, gamma=2.0, reduction=None
    )
    np.testing.assert_allclose(
        numpy(loss([0, 1, 2], y_pred)), [0.009, 0.032, 0.082], atol=5e-4
    )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("pos_weight", [0.3, 1.0, 9.0])
def test_focal_loss_package_pos_weight(seed, pos_weight):
    # focal_loss.BinaryFocalLoss(gamma, pos_weight=w), its documented
    # formula: -w y (1 - p)**gamma log p - (1 - y) p**gamma log(1 - p), the
    # mean over every element. alpha = w / (1 + w) gives positives
    # w / (1 + w) and negatives 1 / (1 + w): (1 + w) times the package's.
    rng = np.random.default_rng(seed)
    labels, logits = binary_data(rng)
    y, p = labels.astype("float64"), sigmoid(logits.astype("float64"))
    gamma = 2.0
    theirs = -(
        pos_weight * y * (1 - p) ** gamma * np.log(p)
        + (1 - y) * p**gamma * np.log(1 - p)
    ).mean()
    loss = keras_losses.BinaryFocalCrossentropy(
        apply_class_balancing=True,
        alpha=pos_weight / (1 + pos_weight),
        gamma=gamma,
        from_logits=True,
    )
    ours = numpy(loss(labels, logits)) * (1 + pos_weight)
    np.testing.assert_allclose(ours, theirs, RTOL)


def test_keras_builtin_categorical_focal_is_the_same_loss():
    # The guide sends Keras's own focal losses to the same-named classes.
    rng = np.random.default_rng(0)
    y_true = np.eye(4, dtype="float32")[rng.integers(0, 4, size=8)]
    logits = rng.normal(size=(8, 4)).astype("float32")
    args = {"alpha": 0.4, "gamma": 1.5, "from_logits": True}
    np.testing.assert_allclose(
        numpy(
            keras_losses.CategoricalFocalCrossentropy(**args)(y_true, logits)
        ),
        numpy(
            keras.losses.CategoricalFocalCrossentropy(**args)(y_true, logits)
        ),
        RTOL,
    )


# --- Keras's own Dice and Tversky ------------------------------------------


def keras_version():
    return tuple(
        int(part) for part in re.findall(r"\d+", keras.__version__)[:3]
    )


def overlap_data(rng, shape=(3, 5, 4, 2)):
    labels = (rng.random(shape) < 0.4).astype("float32")
    probabilities = rng.uniform(0.02, 0.98, size=shape).astype("float32")
    return labels, probabilities


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("axis", [None, (1, 2, 3), (1, 2), -1, (0, 1, 2)])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
def test_keras_dice_is_ours_with_defaults(seed, axis, reduction):
    # keras.losses.Dice(axis=a) -> keras_losses.Dice(axis=a): the same sets,
    # output shape and reduction; ours adds smooth_nr=1e-7 to the numerator
    # too, which moves a non-empty set's loss by about 1e-7 / (st + sp).
    labels, probabilities = overlap_data(np.random.default_rng(seed))
    theirs = keras.losses.Dice(axis=axis, reduction=reduction)
    ours = keras_losses.Dice(axis=axis, reduction=reduction)
    np.testing.assert_allclose(
        numpy(ours(labels, probabilities)),
        numpy(theirs(labels, probabilities)),
        RTOL,
        1e-6,
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_keras_dice_per_image_with_sample_weight(seed):
    rng = np.random.default_rng(seed)
    labels, probabilities = overlap_data(rng)
    weight = rng.uniform(0.0, 2.0, size=3).astype("float32")
    for reduction in ["sum_over_batch_size", "mean_with_sample_weight"]:
        args = dict(axis=(1, 2, 3), reduction=reduction)
        np.testing.assert_allclose(
            numpy(keras_losses.Dice(**args)(labels, probabilities, weight)),
            numpy(keras.losses.Dice(**args)(labels, probabilities, weight)),
            RTOL,
        )


def test_keras_dice_config_builds_ours():
    # Keras's constructor arguments, order and defaults: a saved Keras
    # config (reduction, name, axis, dtype) builds ours.
    config = keras.losses.Dice(axis=(1, 2), name="overlap").get_config()
    ours = keras_losses.Dice(**config)
    labels, probabilities = overlap_data(np.random.default_rng(0))
    np.testing.assert_allclose(
        numpy(ours(labels, probabilities)),
        numpy(keras.losses.Dice(**config)(labels, probabilities)),
        RTOL,
    )
    positional = keras_losses.Dice("sum", "overlap", (1, 2))
    assert positional.reduction == "sum"
    assert list(positional.axis) == [1, 2]


def test_batch_pooled_dice_refuses_a_per_sample_weight():
    # Keras broadcasts a per-sample weight onto its one value for the batch;
    # ours raises (the value belongs to no sample). A scalar weight works.
    labels, probabilities = overlap_data(np.random.default_rng(0))
    weight = np.array([1.0, 2.0, 3.0], "float32")
    keras.losses.Dice()(labels, probabilities, weight)  # accepted
    with pytest.raises(ValueError, match="sample_weight"):
        keras_losses.Dice()(labels, probabilities, weight)
    np.testing.assert_allclose(
        numpy(keras_losses.Dice()(labels, probabilities, 2.0)),
        numpy(keras.losses.Dice()(labels, probabilities, 2.0)),
        RTOL,
    )


def test_empty_label_predicted_empty_is_zero_here_and_one_in_keras():
    empty = np.zeros((2, 4, 4, 1), "float32")
    labels, probabilities = overlap_data(np.random.default_rng(0), (2, 4, 4, 1))
    labels[1], probabilities[1] = 0.0, 0.0  # image 1: nothing, and right
    for ours, theirs in [
        (keras_losses.Dice, keras.losses.Dice),
        (keras_losses.Tversky, keras.losses.Tversky),
    ]:
        assert numpy(ours()(empty, empty)) == 0.0
        assert numpy(theirs()(empty, empty)) == 1.0
        per_image = dict(axis=(1, 2, 3), reduction=None)
        ours_values = numpy(ours(**per_image)(labels, probabilities))
        keras_values = numpy(theirs(**per_image)(labels, probabilities))
        np.testing.assert_allclose(ours_values[0], keras_values[0], RTOL)
        assert (ours_values[1], keras_values[1]) == (0.0, 1.0)


def keras_tversky_convention():
    """ "paper" if keras.losses.Tversky's alpha weights false positives,
    "swapped" if it weights false negatives (Keras 3.15.1's code)."""
    # tp = 0.9 + 0.8 + 0.1, fp = 0.6 + 0.1, fn = 0.1 + 0.2 + 0.9: FP != FN.
    labels = np.array([[1.0, 1.0, 1.0, 0.0, 0.0, 0.0]], "float32")
    probabilities = np.array([[0.9, 0.8, 0.1, 0.6, 0.1, 0.0]], "float32")
    theirs = numpy(
        keras.losses.Tversky(alpha=0.2, beta=0.8)(labels, probabilities)
    )
    paper = numpy(
        keras_losses.Tversky(alpha=0.2, beta=0.8)(labels, probabilities)
    )
    swapped = numpy(
        keras_losses.Tversky(alpha=0.8, beta=0.2)(labels, probabilities)
    )
    assert not np.isclose(paper, swapped, rtol=1e-3)
    matches = [
        name
        for name, value in [("paper", paper), ("swapped", swapped)]
        if np.isclose(theirs, value, rtol=RTOL)
    ]
    assert len(matches) == 1, (
        f"keras.losses.Tversky(0.2, 0.8) = {theirs}: ours (0.2, 0.8) = "
        f"{paper}, ours (0.8, 0.2) = {swapped}"
    )
    return matches[0]


def test_keras_tversky_alpha_beta_convention(record_property):
    convention = keras_tversky_convention()
    record_property("keras_tversky_convention", convention)
    print(
        f"Keras {keras.__version__}: keras.losses.Tversky(alpha=a, beta=b) "
        + (
            "== keras_losses.Tversky(alpha=a, beta=b)"
            if convention == "paper"
            else "== keras_losses.Tversky(alpha=b, beta=a) (alpha on FN)"
        )
    )
    if keras_version() <= (3, 15, 1):
        # docs/migration.md: Keras up to 3.15.1 applies alpha to false
        # negatives (keras-team/keras#23333 fixed it later).
        assert convention == "swapped"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("alpha, beta", [(0.5, 0.5), (0.3, 0.7), (1.0, 0.1)])
@pytest.mark.parametrize("axis", [None, (1, 2, 3), (1, 2)])
def test_keras_tversky_is_ours_with_the_convention(seed, alpha, beta, axis):
    labels, probabilities = overlap_data(np.random.default_rng(seed))
    theirs = keras.losses.Tversky(alpha=alpha, beta=beta, axis=axis)
    if keras_tversky_convention() == "swapped":
        alpha, beta = beta, alpha
    ours = keras_losses.Tversky(alpha=alpha, beta=beta, axis=axis)
    np.testing.assert_allclose(
        numpy(ours(labels, probabilities)),
        numpy(theirs(labels, probabilities)),
        RTOL,
    )


# --- segmentation_models (Keras 2): its formulas in float64 ----------------
#
# qubvel/segmentation_models 1.0.1 (`import segmentation_models as sm`) runs
# on Keras 2 / tf.keras only. These functions transcribe, in float64 NumPy,
# the formulas of sm.losses and sm.base.functional as its documentation and
# source state them, channels last (B, H, W, C): every loss returns one
# number for the batch.

SM_SMOOTH = 1e-5  # sm's default `smooth`
KERAS2_EPSILON = 1e-7


def sm_average(score, per_image, class_weights):
    # sm.base.functional.average: per_image averages the images first, then
    # the class weights multiply the scores and everything is averaged.
    if per_image:
        score = score.mean(axis=0)
    return (score * class_weights).mean()


def sm_scores(gt, pr, class_indexes, per_image):
    gt, pr = gt.astype("float64"), pr.astype("float64")
    if class_indexes is not None:  # gather_channels
        gt, pr = gt[..., class_indexes], pr[..., class_indexes]
    axes = (1, 2) if per_image else (0, 1, 2)  # get_reduce_axes
    tp = (gt * pr).sum(axis=axes)
    return tp, pr.sum(axis=axes) - tp, gt.sum(axis=axes) - tp


def sm_dice_loss(
    gt,
    pr,
    beta=1.0,
    class_weights=1.0,
    class_indexes=None,
    per_image=False,
    smooth=SM_SMOOTH,
):
    """sm.losses.DiceLoss: 1 - f_score, the F-beta score of tp, fp, fn."""
    tp, fp, fn = sm_scores(gt, pr, class_indexes, per_image)
    b2 = beta**2
    score = ((1 + b2) * tp + smooth) / ((1 + b2) * tp + b2 * fn + fp + smooth)
    return 1.0 - sm_average(score, per_image, class_weights)


def sm_jaccard_loss(
    gt, pr, class_weights=1.0, class_indexes=None, per_image=False
):
    """sm.losses.JaccardLoss: 1 - iou_score."""
    tp, fp, fn = sm_scores(gt, pr, class_indexes, per_image)
    score = (tp + SM_SMOOTH) / (tp + fp + fn + SM_SMOOTH)  # union = gt+pr-tp
    return 1.0 - sm_average(score, per_image, class_weights)


def sm_categorical_focal_loss(gt, pr, alpha=0.25, gamma=2.0, indexes=None):
    """sm.losses.CategoricalFocalLoss: mean of -gt alpha (1-pr)^gamma log pr
    over every element (pr clipped to [eps, 1 - eps])."""
    if indexes is not None:
        gt, pr = gt[..., indexes], pr[..., indexes]
    pr = np.clip(pr.astype("float64"), KERAS2_EPSILON, 1 - KERAS2_EPSILON)
    return np.mean(-gt * alpha * (1 - pr) ** gamma * np.log(pr))


def sm_binary_focal_loss(gt, pr, alpha=0.25, gamma=2.0):
    """sm.losses.BinaryFocalLoss, as sm.base.functional computes it: the
    negatives are weighted by 1 - alpha (its docstring's formula writes
    alpha on both terms; the code uses 1 - alpha)."""
    pr = np.clip(pr.astype("float64"), KERAS2_EPSILON, 1 - KERAS2_EPSILON)
    positive = -gt * alpha * (1 - pr) ** gamma * np.log(pr)
    negative = -(1 - gt) * (1 - alpha) * pr**gamma * np.log(1 - pr)
    return np.mean(positive + negative)


def sm_binary_crossentropy(gt, pr):
    """sm.losses.BinaryCELoss: the mean of Keras 2's
    backend.binary_crossentropy (clip to [eps, 1 - eps], then log(p + eps))."""
    pr = np.clip(pr.astype("float64"), KERAS2_EPSILON, 1 - KERAS2_EPSILON)
    return np.mean(
        -(
            gt * np.log(pr + KERAS2_EPSILON)
            + (1 - gt) * np.log(1 - pr + KERAS2_EPSILON)
        )
    )


def sm_categorical_crossentropy(gt, pr, class_weights=1.0):
    """sm.losses.CategoricalCELoss: pr normalised over the channels and
    clipped, then -mean(gt * log(pr) * class_weights) over every element."""
    pr = pr.astype("float64") / pr.sum(axis=-1, keepdims=True)
    pr = np.clip(pr, KERAS2_EPSILON, 1 - KERAS2_EPSILON)
    return -np.mean(gt * np.log(pr) * class_weights)


SM_CLASSES = 4


def sm_data(seed, classes=SM_CLASSES, shape=(3, 6, 5)):
    # What an sm model ends with: softmax (or sigmoid) probabilities, and
    # one-hot masks.
    rng = np.random.default_rng(seed)
    if classes == 1:
        labels = (rng.random(shape + (1,)) < 0.3).astype("float32")
        return labels, rng.uniform(0.02, 0.98, shape + (1,)).astype("float32")
    labels = one_hot(rng.integers(0, classes, size=shape), classes, -1)
    return labels, softmax(rng.normal(size=shape + (classes,)), -1).astype(
        "float32"
    )


def sm_set_axis(per_image):
    # sm's reduce axes, channels last: (0, 1, 2) for the batch, (1, 2) per
    # image; the classes (last axis) are never summed.
    return (1, 2) if per_image else (0, 1, 2)


def full_class_weight(weights, indexes, classes=SM_CLASSES):
    # sm's class_weights follow class_indexes; ours has one per class of
    # y_pred (the excluded ones' weights are never used).
    if indexes is None:
        return list(weights)
    full = [1.0] * classes
    for index, weight in zip(indexes, weights, strict=True):
        full[index] = weight
    return full


SM_WEIGHTS = [None, [0.5, 1.5, 0.8, 1.2], [2.0, 1.0, 4.0, 3.0]]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("per_image", [False, True])
@pytest.mark.parametrize("class_weights", SM_WEIGHTS)
@pytest.mark.parametrize("class_indexes", [None, [1, 3]])
@pytest.mark.parametrize("name", ["dice", "jaccard"])
def test_sm_dice_and_jaccard(
    seed, per_image, class_weights, class_indexes, name
):
    # sm.losses.DiceLoss / JaccardLoss(class_weights=w, class_indexes=k,
    # per_image=p, smooth=s) -> Dice / Jaccard(axis=(0, 1, 2) or (1, 2),
    # class_axis=-1, class_weight=w, exclude_classes=<the others>,
    # smooth_nr=s, smooth_dr=s), plus the constant 1 - mean(w).
    labels, probabilities = sm_data(seed)
    weights = class_weights
    if class_weights is not None and class_indexes is not None:
        weights = [class_weights[i] for i in class_indexes]
    theirs_fn = sm_dice_loss if name == "dice" else sm_jaccard_loss
    theirs = theirs_fn(
        labels,
        probabilities,
        class_weights=1.0 if weights is None else np.array(weights),
        class_indexes=class_indexes,
        per_image=per_image,
    )
    ours_class = keras_losses.Dice if name == "dice" else keras_losses.Jaccard
    ours = ours_class(
        axis=sm_set_axis(per_image),
        class_axis=-1,
        class_weight=(
            None
            if weights is None
            else full_class_weight(weights, class_indexes)
        ),
        exclude_classes=(
            None
            if class_indexes is None
            else [c for c in range(SM_CLASSES) if c not in class_indexes]
        ),
        smooth_nr=SM_SMOOTH,
        smooth_dr=SM_SMOOTH,
    )(labels, probabilities)
    # sm: 1 - mean(w * score); ours: mean(w * (1 - score)).
    offset = 0.0 if weights is None else 1.0 - np.mean(weights)
    np.testing.assert_allclose(numpy(ours) + offset, theirs, RTOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("per_image", [False, True])
@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
def test_sm_dice_beta_is_tversky(seed, per_image, beta):
    # sm's DiceLoss(beta=b, smooth=s) is 1 - F_beta: the Tversky loss with
    # alpha = 1 / (1 + b**2) on FP, beta = b**2 / (1 + b**2) on FN and both
    # smoothings s / (1 + b**2). At b = 1, Dice(smooth_nr=s, smooth_dr=s).
    labels, probabilities = sm_data(seed)
    theirs = sm_dice_loss(labels, probabilities, beta=beta, per_image=per_image)
    scale = 1.0 + beta**2
    ours = keras_losses.Tversky(
        alpha=1.0 / scale,
        beta=beta**2 / scale,
        axis=sm_set_axis(per_image),
        class_axis=-1,
        smooth_nr=SM_SMOOTH / scale,
        smooth_dr=SM_SMOOTH / scale,
    )
    np.testing.assert_allclose(numpy(ours(labels, probabilities)), theirs, RTOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("class_indexes", [None, [0, 2]])
def test_sm_categorical_focal_loss(seed, class_indexes):
    # sm.losses.CategoricalFocalLoss(alpha, gamma, class_indexes=k) averages
    # the kept classes' terms (ours sums them): ours with alpha 0 on the
    # other classes, divided by the number of kept classes.
    labels, probabilities = sm_data(seed)
    kept = range(SM_CLASSES) if class_indexes is None else class_indexes
    alpha = [0.3 if c in kept else 0.0 for c in range(SM_CLASSES)]
    ours = keras_losses.CategoricalFocalCrossentropy(alpha=alpha, gamma=1.5)
    theirs = sm_categorical_focal_loss(
        labels, probabilities, alpha=0.3, gamma=1.5, indexes=class_indexes
    )
    np.testing.assert_allclose(
        numpy(ours(labels, probabilities)) / len(kept), theirs, RTOL
    )
    if class_indexes is None:  # a scalar alpha is the same loss
        ours = keras_losses.CategoricalFocalCrossentropy(alpha=0.3, gamma=1.5)
        np.testing.assert_allclose(
            numpy(ours(labels, probabilities)) / SM_CLASSES, theirs, RTOL
        )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("alpha, gamma", [(0.25, 2.0), (0.6, 1.0)])
def test_sm_binary_focal_loss(seed, alpha, gamma):
    labels, probabilities = sm_data(seed, classes=1)
    ours = keras_losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, alpha=alpha, gamma=gamma
    )
    np.testing.assert_allclose(
        numpy(ours(labels, probabilities)),
        sm_binary_focal_loss(labels, probabilities, alpha, gamma),
        RTOL,
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_sm_cross_entropies(seed):
    labels, probabilities = sm_data(seed, classes=1)
    np.testing.assert_allclose(
        numpy(keras_losses.BinaryCrossentropy()(labels, probabilities)),
        sm_binary_crossentropy(labels, probabilities),
        RTOL,
    )
    # CategoricalCELoss averages the classes' terms: ours / C.
    labels, probabilities = sm_data(seed)
    weights = [0.5, 1.5, 0.8, 1.2]
    ours = keras_losses.CategoricalCrossentropy(class_weight=weights)
    np.testing.assert_allclose(
        numpy(ours(labels, probabilities)) / SM_CLASSES,
        sm_categorical_crossentropy(labels, probabilities, np.array(weights)),
        RTOL,
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_sm_bce_jaccard_and_bce_dice_loss(seed):
    # sm.losses.bce_jaccard_loss = BinaryCELoss() + JaccardLoss(), one
    # channel: Sum([BinaryCrossentropy(), Jaccard(smooth 1e-5)]).
    labels, probabilities = sm_data(seed, classes=1)
    smooth = dict(smooth_nr=SM_SMOOTH, smooth_dr=SM_SMOOTH)
    for overlap, theirs_overlap in [
        (keras_losses.Jaccard(**smooth), sm_jaccard_loss),
        (keras_losses.Dice(**smooth), sm_dice_loss),
    ]:
        ours = keras_losses.Sum([keras_losses.BinaryCrossentropy(), overlap])
        theirs = sm_binary_crossentropy(labels, probabilities) + theirs_overlap(
            labels, probabilities
        )
        np.testing.assert_allclose(
            numpy(ours(labels, probabilities)), theirs, RTOL
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_sm_weighted_focal_plus_per_image_dice(seed):
    # sm.losses.DiceLoss(per_image=True) + 2 * sm.losses.CategoricalFocalLoss()
    # -> Sum([Dice(axis=(1, 2), class_axis=-1, smooth 1e-5),
    #         CategoricalFocalCrossentropy()], weights=[1, 2 / C]).
    labels, probabilities = sm_data(seed)
    ours = keras_losses.Sum(
        [
            keras_losses.Dice(
                axis=(1, 2),
                class_axis=-1,
                smooth_nr=SM_SMOOTH,
                smooth_dr=SM_SMOOTH,
            ),
            keras_losses.CategoricalFocalCrossentropy(),
        ],
        weights=[1.0, 2.0 / SM_CLASSES],
    )
    theirs = sm_dice_loss(
        labels, probabilities, per_image=True
    ) + 2 * sm_categorical_focal_loss(labels, probabilities)
    np.testing.assert_allclose(numpy(ours(labels, probabilities)), theirs, RTOL)


def test_sm_focal_plus_batch_dice():
    # sm's default DiceLoss() (per_image=False) + CategoricalFocalLoss():
    # Dice(axis=(0, 1, 2), class_axis=-1) gives one loss per class.
    labels, probabilities = sm_data(0)
    ours = keras_losses.Sum(
        [
            keras_losses.Dice(
                axis=(0, 1, 2),
                class_axis=-1,
                smooth_nr=SM_SMOOTH,
                smooth_dr=SM_SMOOTH,
            ),
            keras_losses.CategoricalFocalCrossentropy(),
        ],
        weights=[1.0, 1.0 / SM_CLASSES],
    )
    theirs = sm_dice_loss(labels, probabilities) + sm_categorical_focal_loss(
        labels, probabilities
    )
    np.testing.assert_allclose(numpy(ours(labels, probabilities)), theirs, RTOL)


# --- Box regression: torchvision, TF Addons, keras-cv, Keras ----------------
#
# Boxes are made in xyxy (left, top, right, bottom) and converted where a
# package wants another format. The other packages' formulas are written out
# in float64 NumPy from their sources, with each epsilon where they put it.

BOX_NAMES = ["giou", "diou", "ciou"]
BOX_FUNCTIONS = {
    "iou": keras_losses.iou_loss,
    "giou": keras_losses.giou_loss,
    "diou": keras_losses.diou_loss,
    "ciou": keras_losses.ciou_loss,
}
BOX_CLASSES = {
    "giou": keras_losses.GIoULoss,
    "diou": keras_losses.DIoULoss,
    "ciou": keras_losses.CIoULoss,
}
ASPECT_FACTOR = 4 / math.pi**2  # CIoU's v = ASPECT_FACTOR * (angle gap)**2


def box_pairs(rng, shape=(12,), scale=10.0):
    """(target, prediction) xyxy float32 boxes of `shape`, mostly overlapping,
    with different aspect ratios."""
    centre = rng.uniform(0.0, scale, size=shape + (2,))
    size = rng.uniform(0.2, 0.5, size=shape + (2,)) * scale
    moved = centre + rng.normal(0.0, 0.1 * scale, size=shape + (2,))
    resized = size * np.exp(rng.normal(0.0, 0.4, size=shape + (2,)))
    target = np.concatenate([centre - size / 2, centre + size / 2], -1)
    prediction = np.concatenate([moved - resized / 2, moved + resized / 2], -1)
    return target.astype("float32"), prediction.astype("float32")


def corners(boxes):
    """x1, y1, x2, y2 of xyxy boxes, in float64."""
    return np.moveaxis(np.asarray(boxes, dtype="float64"), -1, 0)


def in_format(xyxy, box_format):
    """xyxy boxes written in `box_format` (keras-cv's and Keras's names)."""
    x1, y1, x2, y2 = corners(xyxy)
    w, h = x2 - x1, y2 - y1
    columns = {
        "xyxy": (x1, y1, x2, y2),
        "yxyx": (y1, x1, y2, x2),
        "xywh": (x1, y1, w, h),
        "center_xywh": (x1 + w / 2, y1 + h / 2, w, h),
        "center_yxhw": (y1 + h / 2, x1 + w / 2, h, w),
    }[box_format]
    return np.stack(columns, -1).astype("float32")


def ours_box(name, y_true, y_pred, box_format="xyxy", **kwargs):
    return numpy(
        BOX_FUNCTIONS[name](
            y_true, y_pred, bounding_box_format=box_format, **kwargs
        )
    )


# torchvision.ops (generalized_box_iou_loss, distance_box_iou_loss,
# complete_box_iou_loss; torchvision/ops/{giou,diou,ciou}_loss.py and
# _utils._loss_inter_union), xyxy boxes. torchvision itself is not installed
# here (its wheel needs a matching torch build).


def torchvision_box_loss(
    name, boxes1, boxes2, eps=1e-7, alpha=None, diou_eps=None
):
    """One loss per box, float64, torchvision's formula and epsilons.

    `eps` goes into the union, the enclosing area (GIoU) and the squared
    enclosing diagonal (DIoU); complete_box_iou_loss computes its DIoU part
    with the default 1e-7 and uses its own `eps` only in alpha, which it
    computes under `torch.no_grad()`: `alpha` fixes it (for derivatives),
    `diou_eps` replaces the DIoU part's epsilon.
    """
    x1, y1, x2, y2 = corners(boxes1)
    x1g, y1g, x2g, y2g = corners(boxes2)
    overlap_w = np.minimum(x2, x2g) - np.maximum(x1, x1g)
    overlap_h = np.minimum(y2, y2g) - np.maximum(y1, y1g)
    inter = np.where(
        (overlap_w > 0) & (overlap_h > 0), overlap_w * overlap_h, 0.0
    )
    union = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - inter
    enclosing_w = np.maximum(x2, x2g) - np.minimum(x1, x1g)
    enclosing_h = np.maximum(y2, y2g) - np.minimum(y1, y1g)
    if name == "giou":
        area = enclosing_w * enclosing_h
        return 1 - inter / (union + eps) + (area - union) / (area + eps)
    if diou_eps is None:
        diou_eps = eps if name == "diou" else 1e-7
    iou = inter / (union + diou_eps)
    centres = ((x1 + x2 - x1g - x2g) ** 2 + (y1 + y2 - y1g - y2g) ** 2) / 4
    diagonal = enclosing_w**2 + enclosing_h**2 + diou_eps
    loss = 1 - iou + centres / diagonal
    if name == "diou":
        return loss
    v = (
        ASPECT_FACTOR
        * (
            np.arctan((x2g - x1g) / (y2g - y1g))
            - np.arctan((x2 - x1) / (y2 - y1))
        )
        ** 2
    )
    if alpha is None:
        alpha = v / (1 - iou + v + eps)
    return loss + alpha * v


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", BOX_NAMES)
def test_torchvision_box_losses_and_reductions(seed, name):
    # torchvision's reduction "none" (its default) is the function here;
    # "mean" averages every box, as the class's default; "sum" is "sum".
    # Any leading shape: torchvision unbinds the last axis.
    target, prediction = box_pairs(np.random.default_rng(seed), (3, 8))
    theirs = torchvision_box_loss(name, prediction, target)
    np.testing.assert_allclose(
        ours_box(name, target, prediction), theirs, RTOL, 1e-6
    )
    loss = BOX_CLASSES[name]("xyxy")
    np.testing.assert_allclose(
        numpy(loss(target, prediction)), theirs.mean(), RTOL
    )
    loss = BOX_CLASSES[name]("xyxy", reduction="sum")
    np.testing.assert_allclose(
        numpy(loss(target, prediction)), theirs.sum(), RTOL
    )


@pytest.mark.parametrize("name", BOX_NAMES)
def test_torchvision_published_batch_reductions(name):
    # pytorch/vision test/test_ops.py, get_boxes(): box1s = [box2, box2],
    # box2s = [box3, box4], with reduction "sum" and "mean": 2.5 and 1.25
    # for GIoU, 2.45 and 1.225 for DIoU and CIoU (square boxes: no aspect
    # term).
    box2, box3, box4 = [0, 0, 1, 1], [0, 1, 1, 2], [1, 1, 2, 2]
    boxes1 = np.array([box2, box2], "float32")
    boxes2 = np.array([box3, box4], "float32")
    total, mean = {"giou": (2.5, 1.25)}.get(name, (2.45, 1.225))
    loss = BOX_CLASSES[name]("xyxy", reduction="sum")
    np.testing.assert_allclose(numpy(loss(boxes1, boxes2)), total, RTOL)
    loss = BOX_CLASSES[name]("xyxy")
    np.testing.assert_allclose(numpy(loss(boxes1, boxes2)), mean, RTOL)


@pytest.mark.parametrize("name", BOX_NAMES)
def test_torchvision_eps_on_normalised_boxes(name):
    # Boxes about 0.01 wide (normalised coordinates, areas near 1e-4):
    # torchvision's eps of 1e-7 (union, enclosing area or diagonal) moves
    # its loss by up to about 1e-3; this package has no epsilon and gives
    # the eps = 0 value.
    target, prediction = box_pairs(np.random.default_rng(7), (16,), 0.03)
    exact = torchvision_box_loss(
        name, prediction, target, eps=0.0, diou_eps=0.0
    )
    np.testing.assert_allclose(
        ours_box(name, target, prediction), exact, RTOL, 1e-6
    )
    shift = np.abs(exact - torchvision_box_loss(name, prediction, target))
    assert 2e-4 < shift.max() < 2e-3


def test_torchvision_ciou_holds_alpha_constant():
    # complete_box_iou_loss computes alpha under torch.no_grad(), as this
    # package stops its gradient: the gradients agree with alpha frozen,
    # and differ with alpha differentiated.
    target, prediction = box_pairs(np.random.default_rng(3), (4,))
    _, grad = value_and_grad(
        lambda x: keras.ops.sum(
            keras_losses.ciou_loss(target, x, bounding_box_format="xyxy")
        ),
        prediction.astype("float64"),
    )
    x1, y1, x2, y2 = corners(prediction)
    x1g, y1g, x2g, y2g = corners(target)
    v = (
        ASPECT_FACTOR
        * (
            np.arctan((x2g - x1g) / (y2g - y1g))
            - np.arctan((x2 - x1) / (y2 - y1))
        )
        ** 2
    )
    iou = 1 - ours_box("iou", target, prediction, mode="linear")
    frozen = finite_difference(
        lambda x: torchvision_box_loss(
            "ciou", x, target, alpha=v / (1 - iou + v + 1e-7)
        ),
        prediction,
    )
    free = finite_difference(
        lambda x: torchvision_box_loss("ciou", x, target), prediction
    )
    np.testing.assert_allclose(grad, frozen, 1e-3, 1e-5)
    assert not np.allclose(grad, free, 1e-3, 1e-5)


# TF Addons (tensorflow_addons/losses/giou_loss.py): GIoULoss(mode) and
# giou_loss take [y_min, x_min, y_max, x_max] boxes and return one loss per
# box; every width and height is clamped at 0, and divide_no_nan makes
# 0 / 0 = 0.


def tfa_giou_loss(y_true, y_pred, mode="giou"):
    """tfa.losses.giou_loss written out in float64 (yxyx boxes)."""
    b1_ymin, b1_xmin, b1_ymax, b1_xmax = corners(y_pred)
    b2_ymin, b2_xmin, b2_ymax, b2_xmax = corners(y_true)

    def ratio(a, b):
        return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))

    area1 = np.maximum(b1_xmax - b1_xmin, 0) * np.maximum(b1_ymax - b1_ymin, 0)
    area2 = np.maximum(b2_xmax - b2_xmin, 0) * np.maximum(b2_ymax - b2_ymin, 0)
    inter = np.maximum(
        np.minimum(b1_xmax, b2_xmax) - np.maximum(b1_xmin, b2_xmin), 0
    ) * np.maximum(
        np.minimum(b1_ymax, b2_ymax) - np.maximum(b1_ymin, b2_ymin), 0
    )
    union = area1 + area2 - inter
    iou = ratio(inter, union)
    if mode == "iou":
        return 1 - iou
    enclosing = np.maximum(
        np.maximum(b1_xmax, b2_xmax) - np.minimum(b1_xmin, b2_xmin), 0
    ) * np.maximum(
        np.maximum(b1_ymax, b2_ymax) - np.minimum(b1_ymin, b2_ymin), 0
    )
    return 1 - iou + ratio(enclosing - union, enclosing)


def test_tfa_giou_docstring_value():
    # tfa.losses.GIoULoss()(boxes1, boxes2) is 1.5041667 in TF Addons'
    # docstring (reduction AUTO: the mean of 1.075 and 1.9333333).
    boxes1 = [[4.0, 3.0, 7.0, 5.0], [5.0, 6.0, 10.0, 7.0]]
    boxes2 = [[3.0, 4.0, 6.0, 8.0], [14.0, 14.0, 15.0, 15.0]]
    loss = keras_losses.GIoULoss("yxyx")
    np.testing.assert_allclose(numpy(loss(boxes1, boxes2)), 1.5041667, RTOL)
    np.testing.assert_allclose(
        tfa_giou_loss(boxes1, boxes2), [1.075, 1.9333333], RTOL
    )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mode", ["giou", "iou"])
def test_tfa_giou_loss_modes(seed, mode):
    # GIoULoss(mode="giou") -> GIoULoss("yxyx"); mode="iou" ->
    # IoULoss("yxyx", mode="linear"): one loss per box in both.
    target, prediction = box_pairs(np.random.default_rng(seed))
    y_true, y_pred = in_format(target, "yxyx"), in_format(prediction, "yxyx")
    if mode == "giou":
        ours = keras_losses.giou_loss(
            y_true, y_pred, bounding_box_format="yxyx"
        )
    else:
        ours = keras_losses.iou_loss(
            y_true, y_pred, bounding_box_format="yxyx", mode="linear"
        )
    np.testing.assert_allclose(
        numpy(ours), tfa_giou_loss(y_true, y_pred, mode), RTOL, 1e-6
    )


def test_tfa_inverted_target_is_empty_there_and_nan_here():
    # A target with y_max < y_min: an empty box (area 0) in TF Addons, a bad
    # label (NaN) here.
    y_true = [[2.0, 0.0, 0.0, 2.0]]
    y_pred = [[0.0, 0.0, 2.0, 2.0]]
    assert np.isfinite(tfa_giou_loss(y_true, y_pred)).all()
    assert np.isnan(ours_box("giou", y_true, y_pred, "yxyx")).all()


# keras-cv 0.9.0 (keras_cv/src/losses/{iou_loss,giou_loss,ciou_loss}.py and
# keras_cv/src/bounding_box/iou.py; unchanged on its master branch). Its
# IoULoss and GIoULoss compute the IoU of every target box with every
# predicted box, keep `keras.ops.diagonal` of that matrix (axes 0 and 1, the
# function's defaults) and average it over `axis`; CIoULoss is one loss per
# box. keras-cv converts every format to corners first, so the formulas are
# written on xyxy boxes.

KERAS_EPSILON = 1e-7  # keras.backend.epsilon(), keras-cv's only epsilon


def keras_cv_pairwise(kind, boxes1, boxes2):
    """keras-cv's IoU (compute_iou) or GIoU matrix, (..., N, M), float64."""
    x1, y1, x2, y2 = [c[..., :, None] for c in corners(boxes1)]
    u1, v1, u2, v2 = [c[..., None, :] for c in corners(boxes2)]
    inter = np.maximum(np.minimum(x2, u2) - np.maximum(x1, u1), 0) * np.maximum(
        np.minimum(y2, v2) - np.maximum(y1, v1), 0
    )
    union = (x2 - x1) * (y2 - y1) + (u2 - u1) * (v2 - v1) - inter
    iou = inter / (union + KERAS_EPSILON)
    if kind == "iou":
        return iou
    enclosing = np.maximum(
        np.maximum(x2, u2) - np.minimum(x1, u1), 0
    ) * np.maximum(np.maximum(y2, v2) - np.minimum(y1, v1), 0)
    return iou - (enclosing - union) / (enclosing + KERAS_EPSILON)


def keras_cv_loss(kind, y_true, y_pred, mode="log", axis=-1):
    """keras_cv.losses.IoULoss(mode, axis) / GIoULoss(axis), before Keras's
    reduction. np.diagonal has keras.ops.diagonal's default axes (0, 1)."""
    value = np.diagonal(keras_cv_pairwise(kind, y_true, y_pred))
    if axis != "no_reduction":
        value = value.mean(axis=axis)
    if kind == "giou" or mode == "linear":
        return 1 - value
    return 1 - value**2 if mode == "quadratic" else -np.log(value)


def keras_cv_ciou_loss(y_true, y_pred, factor=ASPECT_FACTOR**2):
    """keras_cv.losses.CIoULoss (compute_ciou), one loss per box, float64.

    keras.backend.epsilon() (whatever CIoULoss's `eps`) is added to both
    heights, twice to the union, to the squared diagonal and to alpha's
    denominator; alpha is differentiated. v = factor * (angle gap)**2:
    keras-cv (and Keras 3.8) square 4 / pi**2 with the gap, so `factor` is
    (4 / pi**2)**2; Keras 3.9's compute_ciou (keras-team/keras#20784) has
    4 / pi**2; 0 leaves the DIoU loss.
    """
    e = KERAS_EPSILON
    x1, y1, x2, y2 = corners(y_true)
    u1, v1, u2, v2 = corners(y_pred)
    w1, h1, w2, h2 = x2 - x1, y2 - y1 + e, u2 - u1, v2 - v1 + e
    inter = np.maximum(np.minimum(x2, u2) - np.maximum(x1, u1), 0) * np.maximum(
        np.minimum(y2, v2) - np.maximum(y1, v1), 0
    )
    union = w1 * h1 + w2 * h2 - inter + e
    iou = inter / (union + e)
    diagonal = (np.maximum(x2, u2) - np.minimum(x1, u1)) ** 2 + (
        np.maximum(y2, v2) - np.minimum(y1, v1)
    ) ** 2
    centres = ((x1 + x2) / 2 - (u1 + u2) / 2) ** 2 + (
        (y1 + y2) / 2 - (v1 + v2) / 2
    ) ** 2
    v = factor * (np.arctan(w2 / h2) - np.arctan(w1 / h1)) ** 2
    alpha = v / (v - iou + (1 + e))
    return 1 - (iou - (centres / (diagonal + e) + v * alpha))


# keras-cv's own test inputs (keras_cv/src/losses/*_test.py): four boxes,
# the third of them inverted when read as xyxy (x2 = 3 < x1 = 4).
KERAS_CV_TRUE = [[0, 0, 1, 1], [0, 0, 2, 3], [4, 5, 3, 6], [2, 2, 3, 3]]
KERAS_CV_PRED = [[0, 0, 5, 6], [0, 0, 7, 3], [4, 5, 5, 6], [2, 1, 3, 3]]


def xywh_to_xyxy(boxes):
    x, y, w, h = corners(boxes)
    return np.stack([x, y, x + w, y + h], -1)


def test_keras_cv_published_iou_and_giou_values():
    # iou_loss_test.py: IoULoss("xywh") (mode "log") is 1.0363084, the
    # -log of the MEAN IoU of the four boxes; giou_loss_test.py:
    # GIoULoss("xywh") is 0.6452381, the mean of the four GIoU losses.
    y_true = np.array(KERAS_CV_TRUE, "float32")
    y_pred = np.array(KERAS_CV_PRED, "float32")
    iou = 1 - ours_box("iou", y_true, y_pred, "xywh", mode="linear")
    np.testing.assert_allclose(-np.log(iou.mean()), 1.0363084, RTOL)
    per_box_log = keras_losses.IoULoss("xywh", mode="log")(y_true, y_pred)
    assert abs(float(numpy(per_box_log)) - 1.0363084) > 0.1
    giou = keras_losses.GIoULoss("xywh")(y_true, y_pred)
    np.testing.assert_allclose(numpy(giou), 0.6452381, RTOL)
    # The transcriptions give the published values too.
    corners_true = xywh_to_xyxy(y_true)
    corners_pred = xywh_to_xyxy(y_pred)
    for kind, value in [("iou", 1.0363084), ("giou", 0.6452381)]:
        np.testing.assert_allclose(
            keras_cv_loss(kind, corners_true, corners_pred), value, RTOL
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_keras_cv_iou_modes_average_the_iou_first(seed):
    # One image's boxes, (N, 4). keras-cv averages the IoU over `axis`
    # (the boxes), then applies the mode: equal to ours for "linear", not
    # for "quadratic" and "log". With axis="no_reduction" it keeps one loss
    # per box: ours for "linear" and "quadratic", and for "log" to within
    # 1e-7 / IoU (here no box is disjoint).
    target, prediction = box_pairs(np.random.default_rng(seed), scale=2.0)
    iou = 1 - ours_box("iou", target, prediction, mode="linear")
    assert iou.min() > 0.01
    for mode in ["linear", "quadratic", "log"]:
        theirs = keras_cv_loss("iou", target, prediction, mode)
        ours = numpy(
            keras_losses.IoULoss("xyxy", mode=mode)(target, prediction)
        )
        if mode == "linear":
            np.testing.assert_allclose(ours, theirs, RTOL)
        else:
            assert not np.isclose(ours, theirs, RTOL)
        per_box = keras_cv_loss(
            "iou", target, prediction, mode, axis="no_reduction"
        )
        np.testing.assert_allclose(
            ours_box("iou", target, prediction, mode=mode), per_box, 1e-4, 1e-6
        )
    giou = keras_losses.GIoULoss("xyxy")(target, prediction)
    np.testing.assert_allclose(
        numpy(giou), keras_cv_loss("giou", target, prediction), RTOL
    )


def test_keras_cv_log_mode_of_disjoint_boxes():
    # -log(mean IoU) is infinite when no box overlaps its target; the log
    # mode here is -log((IoU + 1e-7) / (1 + 1e-7)) per box: 16.12 for a
    # disjoint box.
    y_true = np.array([[0.0, 0.0, 1.0, 1.0]])
    y_pred = np.array([[2.0, 2.0, 3.0, 3.0]])
    with np.errstate(divide="ignore"):
        assert np.isinf(keras_cv_loss("iou", y_true, y_pred))
    ours = ours_box("iou", y_true.astype("float32"), y_pred.astype("float32"))
    np.testing.assert_allclose(ours, -math.log(1e-7 / (1 + 1e-7)), RTOL)
    np.testing.assert_allclose(ours, 16.118096, RTOL)


def test_keras_cv_batched_boxes_pair_the_wrong_boxes():
    # Boxes (B, N, 4): keras.ops.diagonal takes axes 0 and 1 of keras-cv's
    # (B, N, N) matrix, so its k-th value is 1 - mean_j IoU(target[j, j],
    # prediction[j, k]), not a per-image mean. Printed by keras-cv 0.9.0
    # (Keras 3.15.1, TensorFlow) for IoULoss("xyxy", mode="linear",
    # reduction="none") on these boxes: [0.7631579, 0.73913044].
    y_true = np.array(
        [[[0, 0, 4, 4], [5, 5, 9, 8]], [[1, 0, 5, 3], [2, 6, 7, 9]]], "float32"
    )
    y_pred = np.array(
        [[[1, 1, 4, 5], [5, 4, 9, 9]], [[0, 0, 4, 3], [3, 5, 7, 10]]], "float32"
    )
    theirs = keras_cv_loss("iou", y_true, y_pred, "linear")
    np.testing.assert_allclose(theirs, [0.7631579, 0.73913044], RTOL)
    # target[j, j] against prediction[j, k], for j, k in 0, 1:
    paired_true = np.broadcast_to(y_true[[0, 1], [0, 1]][:, None], (2, 2, 4))
    mismatched = 1 - ours_box("iou", paired_true, y_pred, mode="linear")
    np.testing.assert_allclose(theirs, 1 - mismatched.mean(axis=0), RTOL)
    per_image = ours_box("iou", y_true, y_pred, mode="linear").mean(-1)
    assert not np.allclose(theirs, per_image, RTOL)
    # Flattened to (B * N, 4), keras-cv's mean is ours.
    flat = keras_cv_loss(
        "iou", y_true.reshape(-1, 4), y_pred.reshape(-1, 4), "linear"
    )
    loss = keras_losses.IoULoss("xyxy", mode="linear")
    np.testing.assert_allclose(numpy(loss(y_true, y_pred)), flat, RTOL)


def test_keras_cv_published_ciou_value():
    # ciou_loss_test.py: CIoULoss("xyxy") on its inputs is 1.03202 (atol
    # 0.005 there; 1.0320253 in the pull request that added it). Its third
    # target box is inverted in xyxy: finite there, NaN here.
    theirs = keras_cv_ciou_loss(KERAS_CV_TRUE, KERAS_CV_PRED)
    np.testing.assert_allclose(theirs.mean(), 1.0320253, 1e-6)
    ours = ours_box(
        "ciou",
        np.array(KERAS_CV_TRUE, "float32"),
        np.array(KERAS_CV_PRED, "float32"),
    )
    assert np.isnan(ours[2]) and np.isfinite(ours[[0, 1, 3]]).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_keras_cv_ciou_squares_the_aspect_factor(seed):
    # keras-cv's v is (4 / pi**2)**2 * gap**2: the paper's v times
    # c = 4 / pi**2. Its aspect term alpha * v = v**2 / (v + 1 - IoU) is
    # then between c**2 (0.16) and c (0.41) times the paper's: near c**2,
    # about a sixth, where v is small beside 1 - IoU, as for these boxes.
    # With 4 / pi**2 not squared, its formula gives ours to float32
    # round-off.
    target, prediction = box_pairs(np.random.default_rng(seed))
    np.testing.assert_allclose(
        ours_box("ciou", target, prediction),
        keras_cv_ciou_loss(target, prediction, factor=ASPECT_FACTOR),
        RTOL,
        1e-6,
    )
    diou = keras_cv_ciou_loss(target, prediction, factor=0.0)
    theirs = keras_cv_ciou_loss(target, prediction) - diou
    paper = keras_cv_ciou_loss(target, prediction, factor=ASPECT_FACTOR) - diou
    assert np.all(paper > 0)
    ratio = theirs / paper
    assert np.all(ratio > ASPECT_FACTOR**2) and np.all(ratio < ASPECT_FACTOR)
    assert np.median(ratio) < 0.2


def test_ciou_config_keeps_the_box_format():
    # keras-cv's CIoULoss.get_config() holds `eps` but not
    # `bounding_box_format` (keras-cv 0.9.0: from_config raises TypeError);
    # ours rebuilds with it.
    loss = keras_losses.CIoULoss("center_xywh", reduction="sum")
    config = loss.get_config()
    assert config["bounding_box_format"] == "center_xywh"
    rebuilt = keras_losses.CIoULoss.from_config(config)
    target, prediction = box_pairs(np.random.default_rng(0))
    target = in_format(target, "center_xywh")
    prediction = in_format(prediction, "center_xywh")
    np.testing.assert_array_equal(
        numpy(rebuilt(target, prediction)), numpy(loss(target, prediction))
    )


# Keras's own keras.utils.bounding_boxes (Keras 3.8+; keras-hub's detectors
# use it): compute_iou and compute_ciou, called directly.


def keras_bounding_boxes():
    module = getattr(keras.utils, "bounding_boxes", None)
    if module is None or not hasattr(module, "compute_ciou"):
        pytest.skip("keras.utils.bounding_boxes.compute_ciou: Keras 3.8+")
    return module


@pytest.mark.parametrize("box_format", keras_losses.box.FORMATS)
def test_keras_compute_iou_diagonal(box_format):
    # compute_iou(boxes1, boxes2, format) is the (N, M) matrix of pairwise
    # IoUs (1e-7 added to the union): 1 - its diagonal is
    # iou_loss(mode="linear"), the same format names meaning the same.
    bounding_boxes = keras_bounding_boxes()
    target, prediction = box_pairs(np.random.default_rng(1))
    y_true = in_format(target, box_format)
    y_pred = in_format(prediction, box_format)
    matrix = numpy(bounding_boxes.compute_iou(y_true, y_pred, box_format))
    np.testing.assert_allclose(
        ours_box("iou", y_true, y_pred, box_format, mode="linear"),
        1 - np.diagonal(matrix),
        RTOL,
        1e-6,
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_keras_compute_ciou(seed):
    # 1 - compute_ciou(y_true, y_pred, "xyxy") is ciou_loss from Keras 3.9
    # (keras-team/keras#20784 fixed the squared 4 / pi**2 of #20780); Keras
    # 3.8's squares it as keras-cv does. Keras differentiates alpha: the
    # values agree, the gradients do not.
    bounding_boxes = keras_bounding_boxes()
    target, prediction = box_pairs(np.random.default_rng(seed))
    theirs = 1 - numpy(bounding_boxes.compute_ciou(target, prediction, "xyxy"))
    fixed = keras_version() >= (3, 9)
    np.testing.assert_allclose(
        theirs,
        keras_cv_ciou_loss(
            target,
            prediction,
            factor=ASPECT_FACTOR if fixed else ASPECT_FACTOR**2,
        ),
        RTOL,
        1e-6,
    )
    if not fixed:
        return
    np.testing.assert_allclose(
        theirs, ours_box("ciou", target, prediction), RTOL, 1e-6
    )
    _, keras_grad = value_and_grad(
        lambda x: keras.ops.sum(
            1 - bounding_boxes.compute_ciou(target, x, "xyxy")
        ),
        prediction,
    )
    _, our_grad = value_and_grad(
        lambda x: keras.ops.sum(
            keras_losses.ciou_loss(target, x, bounding_box_format="xyxy")
        ),
        prediction,
    )
    assert not np.allclose(keras_grad, our_grad, 1e-3, 1e-5)


# --- Distribution focal loss: mmdetection and ultralytics ------------------
#
# mmdetection (mmdet/models/losses/gfocal_loss.py, dense_heads/gfl_head.py)
# and ultralytics (ultralytics/utils/loss.py, DFLoss and BboxLoss), written
# out in float64: both flatten the sides, (M, bins) logits and (M,) targets.


def cross_entropy_at(logits, index):
    """-log softmax(logits)[index], row by row, float64."""
    logits = np.asarray(logits, dtype="float64")
    peak = logits.max(axis=-1, keepdims=True)
    log_norm = peak[:, 0] + np.log(np.exp(logits - peak).sum(axis=-1))
    return log_norm - np.take_along_axis(logits, index[:, None], -1)[:, 0]


def mmdet_distribution_focal_loss(pred, label):
    """mmdet's distribution_focal_loss: (M, n + 1) logits, (M,) targets in
    [0, n); one loss per side. `.long()` truncates (floor for label >= 0)."""
    label = np.asarray(label, dtype="float64")
    left = label.astype("int64")
    right = left + 1
    return cross_entropy_at(pred, left) * (right - label) + cross_entropy_at(
        pred, right
    ) * (label - left)


def ultralytics_dfloss(pred_dist, target, reg_max=16):
    """ultralytics' DFLoss(reg_max)(pred_dist, target): (K * 4, reg_max)
    logits (reg_max bins), (K, 4) targets clamped to [0, reg_max - 1.01];
    the mean over the sides, (K, 1)."""
    target = np.clip(np.asarray(target, "float64"), 0, reg_max - 1 - 0.01)
    left = target.astype("int64")
    right = left + 1
    weight_left = right - target
    weight_right = 1 - weight_left
    loss = (
        cross_entropy_at(pred_dist, left.reshape(-1)).reshape(left.shape)
        * weight_left
        + cross_entropy_at(pred_dist, right.reshape(-1)).reshape(left.shape)
        * weight_right
    )
    return loss.mean(-1, keepdims=True)


@pytest.mark.parametrize("seed", SEEDS)
def test_mmdet_distribution_focal_loss(seed):
    # mmdet's reg_max n means n + 1 bins, as here. GFLHead clamps targets to
    # [0, n - 0.1] (DistancePointBBoxCoder) and calls
    # loss_dfl(pred_corners, target_corners, weight=w repeated on the 4
    # sides, avg_factor=4.0), then divides by the sum of w over the batch:
    # DistributionFocalLoss(reduction="mean_with_sample_weight") with
    # sample_weight=w (times GFLHead's loss_weight, 0.25 by default).
    rng = np.random.default_rng(seed)
    n, anchors = 16, 12
    targets = rng.uniform(0.0, n - 0.1, size=(anchors, 4)).astype("float32")
    logits = rng.normal(0.0, 3.0, size=(anchors, 4, n + 1)).astype("float32")
    per_side = mmdet_distribution_focal_loss(
        logits.reshape(-1, n + 1), targets.reshape(-1)
    ).reshape(anchors, 4)
    ours = keras_losses.distribution_focal_loss(targets, logits)
    np.testing.assert_allclose(numpy(ours), per_side.mean(-1), RTOL)
    # reduction="mean" over the 4 * anchors sides: the default here.
    loss = keras_losses.DistributionFocalLoss()
    np.testing.assert_allclose(
        numpy(loss(targets, logits)), per_side.mean(), RTOL
    )
    w = rng.uniform(0.1, 1.0, size=anchors).astype("float32")
    gfl_head = (per_side * w[:, None]).sum() / 4.0 / w.sum()
    loss = keras_losses.DistributionFocalLoss(
        reduction="mean_with_sample_weight"
    )
    np.testing.assert_allclose(
        numpy(loss(targets, logits, sample_weight=w)), gfl_head, RTOL
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_ultralytics_dfloss(seed):
    # ultralytics' reg_max is the number of bins: DFLoss(reg_max=16) has
    # bins 0..15, our reg_max 15. It clamps targets to [0, 14.99]; clip them
    # the same to get its values (here a target above 14.99 is its own).
    # BboxLoss: (DFLoss(...) * weight).sum() / target_scores_sum.
    rng = np.random.default_rng(seed)
    bins, anchors = 16, 12
    targets = rng.uniform(0.0, bins - 1, size=(anchors, 4))
    targets[0] = [14.995, 15.0, 0.0, 7.0]
    targets = targets.astype("float32")
    logits = rng.normal(0.0, 3.0, size=(anchors, 4, bins)).astype("float32")
    theirs = ultralytics_dfloss(logits.reshape(-1, bins), targets, bins)
    clipped = np.clip(targets, 0.0, bins - 1.01)
    ours = keras_losses.distribution_focal_loss(clipped, logits)
    np.testing.assert_allclose(numpy(ours), theirs[:, 0], RTOL)
    unclipped = numpy(keras_losses.distribution_focal_loss(targets, logits))
    assert not np.isclose(unclipped[0], theirs[0, 0], RTOL)
    np.testing.assert_allclose(unclipped[1:], theirs[1:, 0], RTOL)
    weight = rng.uniform(0.0, 1.0, size=anchors).astype("float32")
    target_scores_sum = max(weight.sum(), 1.0)
    bbox_loss = (theirs * weight[:, None]).sum() / target_scores_sum
    loss = keras_losses.DistributionFocalLoss(reduction="sum")
    np.testing.assert_allclose(
        numpy(loss(clipped, logits, sample_weight=weight)) / target_scores_sum,
        bbox_loss,
        RTOL,
    )


# --- Imbalance: timm's ASL, optax's PolyLoss, mmdetection's QFL and VFL, ----
# --- Cui et al.'s class-balanced weights -----------------------------------
#
# timm (timm/loss/asymmetric_loss.py), mmdetection 3.3.0
# (mmdet/models/losses/gfocal_loss.py, varifocal_loss.py, utils.py) and Cui
# et al.'s code (richardaecn/class-balanced-loss, src/cifar_main.py; its
# PyTorch port vandit15/Class-balanced-loss-pytorch) are written out below
# in float64 NumPy; none of them is installed for the tests. optax is
# called directly where it is installed.


def log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def timm_asymmetric_multi_label(
    x, y, gamma_neg=4.0, gamma_pos=1.0, clip=0.05, eps=1e-8, smoothing=0.0
):
    """timm's AsymmetricLossMultiLabel before its reduction: (N, C).

    Logits `x`, multi-hot `y`. The negatives' probability `1 - p` is
    shifted up by `clip` and capped at 1; each probability is floored at
    `eps` before its log; the focusing weight is `(1 - p_t) ** gamma` with
    `p_t = p` on positives and the shifted `1 - p` on negatives. Label
    smoothing (timm 1.0.31) squeezes the targets towards 0.5.
    """
    x = np.asarray(x, "float64")
    y = np.asarray(y, "float64")
    if smoothing:
        y = y * (1.0 - smoothing) + 0.5 * smoothing
    p = sigmoid(x)
    q = 1.0 - p
    if clip:
        q = np.minimum(q + clip, 1.0)
    ce = y * np.log(np.maximum(p, eps)) + (1 - y) * np.log(np.maximum(q, eps))
    weight = (1.0 - (p * y + q * (1 - y))) ** (
        gamma_pos * y + gamma_neg * (1 - y)
    )
    return -ce * weight


def timm_asl_reduce(elements, reduction):
    """timm 1.0.31's reductions; up to 1.0.30 `-loss.sum()`, i.e. "sum"."""
    if reduction == "batchmean":
        return elements.sum() / elements.shape[0]
    if reduction == "sum":
        return elements.sum()
    if reduction == "mean":
        return elements.mean()
    return elements  # "none"


def asl_data(rng, n=16, c=6):
    labels = (rng.random((n, c)) < 0.3).astype("float32")
    # |logit| < 18: timm's eps=1e-8 floor is not reached.
    logits = np.clip(rng.normal(0.0, 3.0, (n, c)), -12, 12).astype("float32")
    return labels, logits


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    "gamma_pos, gamma_neg, clip",
    [(1.0, 4.0, 0.05), (0.0, 4.0, 0.05), (2.0, 1.0, 0.0)],
)
def test_timm_asymmetric_loss_multi_label(seed, gamma_pos, gamma_neg, clip):
    # The same element terms for 0/1 labels. timm sums the C classes where
    # we average them: its "sum" (and `-loss.sum()`, the only output up to
    # timm 1.0.30) is our reduction="sum" times C; timm 1.0.31's default
    # "batchmean" is our default times C; its "mean" is our default; its
    # "none" (N, C) averaged over C is our reduction=None.
    rng = np.random.default_rng(seed)
    labels, logits = asl_data(rng)
    c = labels.shape[-1]
    elements = timm_asymmetric_multi_label(
        logits, labels, gamma_neg, gamma_pos, clip
    )

    def ours(reduction):
        fn = keras_losses.AsymmetricLoss(
            gamma_pos=gamma_pos,
            gamma_neg=gamma_neg,
            clip=clip,
            from_logits=True,
            reduction=reduction,
        )
        return numpy(fn(labels, logits))

    def theirs(reduction):
        return timm_asl_reduce(elements, reduction)

    np.testing.assert_allclose(ours("sum") * c, theirs("sum"), RTOL)
    np.testing.assert_allclose(
        ours("sum_over_batch_size") * c, theirs("batchmean"), RTOL
    )
    np.testing.assert_allclose(
        ours("sum_over_batch_size"), theirs("mean"), RTOL
    )
    np.testing.assert_allclose(
        ours(None), theirs("none").mean(axis=-1), RTOL, 1e-7
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_timm_asymmetric_loss_soft_labels_differ(seed):
    # For a label y strictly between 0 and 1 (timm 1.0.31's `smoothing`
    # makes 0/1 labels s / 2 and 1 - s / 2), timm weights the mixed log term
    # y log p + (1 - y) log(1 - p_m) by one factor, (1 - p_t) to the mixed
    # power gamma_pos y + gamma_neg (1 - y), with p_t = y p + (1 - y)
    # (1 - p_m). Ours mixes the two hard-label terms, y times the positive
    # loss plus (1 - y) times the negative one. Equal at y = 0 and 1 only:
    # timm's `smoothing=s` is not our `label_smoothing=s`.
    rng = np.random.default_rng(seed)
    labels, logits = asl_data(rng)
    smoothed = labels * 0.9 + 0.05
    theirs = timm_asymmetric_multi_label(logits, smoothed).mean(axis=-1)
    loss = keras_losses.AsymmetricLoss(
        gamma_pos=1.0, from_logits=True, reduction=None
    )
    by_smoothing = numpy(
        keras_losses.AsymmetricLoss(
            gamma_pos=1.0,
            from_logits=True,
            label_smoothing=0.1,
            reduction=None,
        )(labels, logits)
    )
    np.testing.assert_allclose(
        by_smoothing, numpy(loss(smoothed, logits)), RTOL, 1e-7
    )
    assert not np.allclose(by_smoothing, theirs, 1e-3)
    # Per element, ours is the mix of timm's values at y = 1 and y = 0.
    hard = [
        timm_asymmetric_multi_label(logits, np.full_like(labels, value))
        for value in (1.0, 0.0)
    ]
    mix = (smoothed * hard[0] + (1 - smoothed) * hard[1]).mean(axis=-1)
    np.testing.assert_allclose(by_smoothing, mix, RTOL, 1e-7)


def test_timm_asymmetric_loss_defaults_differ_in_gamma_pos():
    # timm's gamma_pos defaults to 1, ours (and the paper's recommendation)
    # to 0; gamma_neg=4 and clip=0.05 are the same in both.
    rng = np.random.default_rng(0)
    labels, logits = asl_data(rng)
    c = labels.shape[-1]
    timm_default = timm_asymmetric_multi_label(logits, labels).sum()
    ours_default = keras_losses.AsymmetricLoss(
        from_logits=True, reduction="sum"
    )
    ours_timm = keras_losses.AsymmetricLoss(
        gamma_pos=1.0, from_logits=True, reduction="sum"
    )
    np.testing.assert_allclose(
        numpy(ours_timm(labels, logits)) * c, timm_default, RTOL
    )
    assert not np.isclose(
        numpy(ours_default(labels, logits)) * c, timm_default, RTOL
    )


def test_timm_asymmetric_loss_eps_floor_at_extreme_logits():
    # timm floors p at eps=1e-8 before the log: a positive with logit -30
    # costs -log(1e-8) = 18.42 there (and gets no gradient), log_sigmoid's
    # exact 30 here. (1 - p) ** 1 rounds to 1 at that logit.
    labels = np.array([[1.0, 0.0]], "float32")
    logits = np.array([[-30.0, -30.0]], "float32")
    theirs = timm_asymmetric_multi_label(logits, labels).sum()
    np.testing.assert_allclose(theirs, -np.log(1e-8), 1e-12)
    ours = keras_losses.asymmetric_loss(
        labels, logits, gamma_pos=1.0, from_logits=True
    )
    np.testing.assert_allclose(numpy(ours) * 2, [30.0], 1e-6)


def test_timm_disable_torch_grad_focal_loss():
    # The value does not depend on it. With False (timm's default) the
    # gradient flows through the focusing weight, as here; with True the
    # weight is a constant in the backward pass, which no argument here
    # reproduces. Gradients: ours against central differences of timm's
    # loss, with the weight live and with it frozen at the current logits.
    rng = np.random.default_rng(1)
    labels, logits = asl_data(rng, n=4, c=3)
    labels = labels.astype("float64")
    logits = logits.astype("float64")
    labels[0] = [1.0, 0.0, 1.0]  # positives and negatives in any case
    c = labels.shape[-1]

    def live(x):
        return timm_asymmetric_multi_label(x, labels).sum(axis=-1)

    def frozen(x):
        p, q = sigmoid(logits), np.minimum(1.0 - sigmoid(logits) + 0.05, 1.0)
        weight = (1.0 - (p * labels + q * (1 - labels))) ** (
            1.0 * labels + 4.0 * (1 - labels)
        )
        q_x = np.minimum(1.0 - sigmoid(x) + 0.05, 1.0)
        ce = labels * log_sigmoid(x) + (1 - labels) * np.log(q_x)
        return (-ce * weight).sum(axis=-1)

    def ours(x):
        loss = keras_losses.asymmetric_loss(
            labels, x, gamma_pos=1.0, from_logits=True
        )
        return keras.ops.sum(loss) * c

    # float32 on every backend (JAX computes float64 in float32 unless
    # jax_enable_x64 is set); the references in float64.
    value, grad = value_and_grad(ours, logits.astype("float32"))
    np.testing.assert_allclose(value, live(logits).sum(), RTOL)
    np.testing.assert_allclose(value, frozen(logits).sum(), RTOL)
    through_weight = finite_difference(live, logits)
    weight_frozen = finite_difference(frozen, logits)
    np.testing.assert_allclose(grad, through_weight, 1e-4, 1e-6)
    assert np.abs(through_weight - weight_frozen).max() > 0.05
    assert np.abs(grad - weight_frozen).max() > 0.05


def timm_asymmetric_single_label(
    x, target, gamma_pos=1.0, gamma_neg=4.0, eps=0.1
):
    """timm's AsymmetricLossSingleLabel with reduction="none": (N,).

    A softmax over the classes; the target class's log-probability weighted
    by `(1 - p) ** gamma_pos`, every other class's by `p ** gamma_neg`, then
    multiplied by the label-smoothed one-hot target (`eps` spread over the
    C classes) and summed.
    """
    x = np.asarray(x, "float64")
    c = x.shape[-1]
    log_p = x - x.max(-1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(-1, keepdims=True))
    p = np.exp(log_p)
    hot = np.eye(c)[target]
    weight = np.where(hot > 0, (1.0 - p) ** gamma_pos, p**gamma_neg)
    smoothed = hot * (1.0 - eps) + eps / c if eps > 0 else hot
    return -(smoothed * log_p * weight).sum(-1)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    "gamma_pos, gamma_neg", [(1.0, 4.0), (2.0, 0.0), (0.5, 3.0)]
)
def test_timm_asymmetric_loss_single_label_without_smoothing(
    seed, gamma_pos, gamma_neg
):
    # With eps=0 only the target class counts, weighted by
    # (1 - p_t) ** gamma_pos (gamma_neg has no effect): the sparse focal loss
    # with alpha=1. timm's "mean" is our default reduction, its per-sample
    # values (any other reduction) our function's. timm's default
    # eps=0.1 (smoothing applied after the weights) has no equal here.
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 3.0, (16, 5)).astype("float32")
    target = rng.integers(0, 5, 16)
    theirs = timm_asymmetric_single_label(
        logits, target, gamma_pos, gamma_neg, 0.0
    )
    loss = keras_losses.SparseCategoricalFocalCrossentropy(
        alpha=1.0, gamma=gamma_pos, from_logits=True
    )
    np.testing.assert_allclose(numpy(loss(target, logits)), theirs.mean(), RTOL)
    per_sample = keras_losses.sparse_categorical_focal_crossentropy(
        target, logits, alpha=1.0, gamma=gamma_pos, from_logits=True
    )
    np.testing.assert_allclose(numpy(per_sample), theirs, RTOL, 1e-6)
    with_eps = timm_asymmetric_single_label(
        logits, target, gamma_pos, gamma_neg
    )
    assert not np.isclose(numpy(loss(target, logits)), with_eps.mean(), RTOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("epsilon", [2.0, 1.0, -1.0])
def test_optax_poly_loss_cross_entropy(seed, epsilon):
    # optax.losses.poly_loss_cross_entropy(logits, labels, epsilon=e):
    # softmax cross-entropy plus e * sum_c labels_c * (1 - p_c), per sample:
    # our categorical function with from_logits=True, for one-hot and soft
    # labels; the sparse one on integer labels. Label smoothing here is
    # optax on optax.smooth_labels(one_hot, s), (1 - s) * one_hot + s / C.
    optax = pytest.importorskip("optax")
    rng = np.random.default_rng(seed)
    n, c, s = 16, 5, 0.1
    logits = rng.normal(0.0, 3.0, (n, c)).astype("float32")
    target = rng.integers(0, c, n)
    hot = np.eye(c, dtype="float32")[target]
    soft = rng.dirichlet(np.ones(c), n).astype("float32")

    def theirs(labels):
        value = optax.losses.poly_loss_cross_entropy(
            logits, labels, epsilon=epsilon
        )
        return np.asarray(value, "float64")

    for labels in (hot, soft):
        ours = keras_losses.categorical_poly1_crossentropy(
            labels, logits, epsilon=epsilon, from_logits=True
        )
        np.testing.assert_allclose(numpy(ours), theirs(labels), RTOL, 1e-6)
    sparse = keras_losses.sparse_categorical_poly1_crossentropy(
        target, logits, epsilon=epsilon, from_logits=True
    )
    np.testing.assert_allclose(numpy(sparse), theirs(hot), RTOL, 1e-6)
    smoothed = np.asarray(optax.smooth_labels(hot, s), "float32")
    for fn, labels in [
        (keras_losses.categorical_poly1_crossentropy, hot),
        (keras_losses.sparse_categorical_poly1_crossentropy, target),
    ]:
        ours = fn(
            labels, logits, epsilon=epsilon, from_logits=True, label_smoothing=s
        )
        np.testing.assert_allclose(numpy(ours), theirs(smoothed), RTOL, 1e-6)
    # The class's default reduction is optax's values averaged.
    loss = keras_losses.CategoricalPoly1Crossentropy(
        epsilon=epsilon, from_logits=True
    )
    np.testing.assert_allclose(
        numpy(loss(soft, logits)), theirs(soft).mean(), RTOL
    )


def test_optax_poly_loss_default_epsilon_is_two():
    # optax's epsilon defaults to 2.0 (the paper's ImageNet value), ours to
    # 1.0: pass epsilon=2.0 for optax's default.
    optax = pytest.importorskip("optax")
    rng = np.random.default_rng(0)
    logits = rng.normal(0.0, 3.0, (8, 4)).astype("float32")
    hot = np.eye(4, dtype="float32")[rng.integers(0, 4, 8)]
    theirs = np.asarray(optax.losses.poly_loss_cross_entropy(logits, hot))
    two = keras_losses.categorical_poly1_crossentropy(
        hot, logits, epsilon=2.0, from_logits=True
    )
    one = keras_losses.categorical_poly1_crossentropy(
        hot, logits, from_logits=True
    )
    np.testing.assert_allclose(numpy(two), theirs, RTOL, 1e-6)
    assert not np.allclose(numpy(one), theirs, RTOL, 1e-6)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("epsilon", [1.0, -1.0])
def test_poly1_on_pytorch_binary_cross_entropy(seed, epsilon):
    # The sigmoid Poly-1 as PyTorch users write it:
    # F.binary_cross_entropy_with_logits(x, y, reduction="none")
    # + epsilon * (1 - p_t), p_t = y p + (1 - y)(1 - p). Its mean over every
    # element is our default reduction; its sum is our "sum" times C.
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    labels, logits = binary_data(rng, c=4)
    x, y = torch.tensor(logits), torch.tensor(labels)
    p = torch.sigmoid(x)
    elements = torch.nn.functional.binary_cross_entropy_with_logits(
        x, y, reduction="none"
    ) + epsilon * (1 - (y * p + (1 - y) * (1 - p)))
    elements = elements.numpy().astype("float64")

    def ours(reduction):
        fn = keras_losses.BinaryPoly1Crossentropy(
            epsilon=epsilon, from_logits=True, reduction=reduction
        )
        return numpy(fn(labels, logits))

    np.testing.assert_allclose(
        ours("sum_over_batch_size"), elements.mean(), RTOL
    )
    np.testing.assert_allclose(ours("sum") * 4, elements.sum(), RTOL)
    np.testing.assert_allclose(ours(None), elements.mean(-1), RTOL, 1e-6)


def binary_cross_entropy_of_probabilities(t, p):
    return -(t * np.log(p) + (1 - t) * np.log(1 - p))


def mmdet_quality_focal_loss(pred, target, beta=2.0, activated=False):
    """mmdetection's quality focal loss per anchor, before `weight` and the
    reduction: (N,), summed over the C classes.

    `pred` (N, C) logits (probabilities if `activated`); `target` either
    mmdet's tuple `(label, score)`, label C being the background, or a dense
    (N, C) tensor of scores (`quality_focal_loss_tensor_target`). Every
    element is a negative, `BCE(0, s) * s ** beta`; the positives (the
    tuple's label, or the dense target's non-zeros) are replaced by
    `BCE(score, s) * |score - s| ** beta`.
    """
    pred = np.asarray(pred, "float64")
    n, c = pred.shape
    if isinstance(target, tuple):
        label, score = target
        dense = np.zeros((n, c))
        kept = (label >= 0) & (label < c)
        dense[np.nonzero(kept)[0], label[kept]] = score[kept]
        positive = np.zeros((n, c), bool)
        positive[np.nonzero(kept)[0], label[kept]] = True
    else:
        dense = np.asarray(target, "float64")
        positive = dense != 0
    if activated:
        s = pred
        bce = binary_cross_entropy_of_probabilities
    else:
        s = sigmoid(pred)
        bce = lambda t, x: binary_cross_entropy_of_logits(t, x)  # noqa: E731
    negative = bce(np.zeros_like(s), pred) * s**beta
    positive_term = bce(dense, pred) * np.abs(dense - s) ** beta
    return np.where(positive, positive_term, negative).sum(axis=1)


def quality_data(rng, n=24, c=5):
    """GFL-style targets: a quality (IoU) at one class of the positive
    anchors, 0 elsewhere; the background label is C."""
    label = rng.integers(0, c + 1, n)  # c: background
    label[:2] = [0, c]
    score = rng.uniform(0.05, 1.0, n)
    dense = np.zeros((n, c))
    foreground = label < c
    dense[np.nonzero(foreground)[0], label[foreground]] = score[foreground]
    logits = rng.normal(0.0, 3.0, (n, c))
    return label, score, dense.astype("float32"), logits.astype("float32")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("beta", [2.0, 1.0, 0.5])
def test_mmdet_quality_focal_loss(seed, beta):
    # mmdet sums the C classes of an anchor where we average them: its
    # per-anchor value (reduction "none") is our function times C, from its
    # tuple target or the same scores as a dense (N, C) target. Its
    # reduction "mean" (over anchors) is our default reduction times C.
    # GFLHead: loss_cls(scores, (labels, score), weight=label_weights,
    # avg_factor=num_pos), the weighted sum over anchors divided by num_pos:
    # our reduction="sum" with sample_weight=label_weights, times C / num_pos.
    rng = np.random.default_rng(seed)
    label, score, dense, logits = quality_data(rng)
    c = logits.shape[-1]
    per_anchor = mmdet_quality_focal_loss(logits, (label, score), beta)
    np.testing.assert_allclose(
        mmdet_quality_focal_loss(logits, dense, beta), per_anchor, 1e-6
    )
    ours = keras_losses.quality_focal_loss(
        dense, logits, beta=beta, from_logits=True
    )
    np.testing.assert_allclose(numpy(ours) * c, per_anchor, RTOL, 1e-6)
    loss = keras_losses.QualityFocalLoss(beta=beta, from_logits=True)
    np.testing.assert_allclose(
        numpy(loss(dense, logits)) * c, per_anchor.mean(), RTOL
    )
    label_weights = (rng.random(len(label)) < 0.8).astype("float32")
    num_pos = float((label < c).sum())
    gfl_head = (per_anchor * label_weights).sum() / num_pos
    loss = keras_losses.QualityFocalLoss(
        beta=beta, from_logits=True, reduction="sum"
    )
    ours = numpy(loss(dense, logits, sample_weight=label_weights)) * c / num_pos
    np.testing.assert_allclose(ours, gfl_head, RTOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_mmdet_quality_focal_loss_activated(seed):
    # activated=True takes probabilities: from_logits=False here (ours clips
    # them to [1e-7, 1 - 1e-7], PyTorch's BCE floors each log at -100; the
    # same for these probabilities).
    rng = np.random.default_rng(seed)
    label, score, dense, logits = quality_data(rng)
    probabilities = np.clip(sigmoid(logits.astype("float64")), 1e-3, 1 - 1e-3)
    probabilities = probabilities.astype("float32")
    theirs = mmdet_quality_focal_loss(probabilities, dense, activated=True)
    ours = keras_losses.quality_focal_loss(dense, probabilities)
    np.testing.assert_allclose(
        numpy(ours) * logits.shape[-1], theirs, RTOL, 1e-6
    )


def mmdet_varifocal_elements(
    pred, target, alpha=0.75, gamma=2.0, iou_weighted=True
):
    """mmdetection's varifocal_loss before its reduction: (N, C).

    BCE with logits against the target, weighted by the target itself where
    it is > 0 (1 if not `iou_weighted`) and by
    `alpha * |sigmoid(pred) - target| ** gamma` where it is <= 0.
    """
    pred = np.asarray(pred, "float64")
    target = np.asarray(target, "float64")
    positive = target > 0.0
    focal = alpha * np.abs(sigmoid(pred) - target) ** gamma
    weight = np.where(positive, target if iou_weighted else 1.0, focal)
    return binary_cross_entropy_of_logits(target, pred) * weight


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("alpha, gamma", [(0.75, 2.0), (0.25, 1.5)])
def test_mmdet_varifocal_loss(seed, alpha, gamma):
    # The same element terms (iou_weighted=True, mmdet's default). mmdet's
    # "mean" over all N * C elements is our default reduction; its "sum" is
    # our "sum" times C; its "none" (N, C) averaged over C is our function.
    # VFNetHead divides the sum by avg_factor=num_pos: our "sum" times
    # C / num_pos.
    rng = np.random.default_rng(seed)
    _, _, dense, logits = quality_data(rng)
    c = logits.shape[-1]
    elements = mmdet_varifocal_elements(logits, dense, alpha, gamma)

    def ours(reduction):
        fn = keras_losses.VarifocalLoss(
            alpha=alpha, gamma=gamma, from_logits=True, reduction=reduction
        )
        return numpy(fn(dense, logits))

    np.testing.assert_allclose(
        ours("sum_over_batch_size"), elements.mean(), RTOL
    )
    np.testing.assert_allclose(ours("sum") * c, elements.sum(), RTOL)
    np.testing.assert_allclose(ours(None), elements.mean(-1), RTOL, 1e-7)
    num_pos = float((dense > 0).sum())
    np.testing.assert_allclose(
        ours("sum") * c / num_pos, elements.sum() / num_pos, RTOL
    )
    # iou_weighted=False weights positives by 1: not this loss.
    unweighted = mmdet_varifocal_elements(logits, dense, alpha, gamma, False)
    assert not np.isclose(ours("sum_over_batch_size"), unweighted.mean(), RTOL)


def cui_class_balanced_weights(samples_per_class, beta):
    """Cui et al.'s weights as their code computes them: (1 - beta) over
    (1 - beta ** n) per class, rescaled so that they sum to the number of
    classes."""
    counts = np.asarray(samples_per_class, "float64")
    weights = (1.0 - beta) / (1.0 - np.power(beta, counts))
    return weights / weights.sum() * len(counts)


LONG_TAIL = [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]  # CIFAR-10,
# imbalance factor 100, as Cui et al.'s get_img_num_per_cls makes it.


@pytest.mark.parametrize("beta", [0.0, 0.9, 0.99, 0.999, 0.9999])
@pytest.mark.parametrize("counts", [LONG_TAIL, [1, 10, 100_000], [7]])
def test_class_balanced_weights_are_cui_et_al(beta, counts):
    # Ours evaluates 1 - beta ** n as -expm1(n log beta); Cui et al.'s
    # direct form loses digits only for beta near 1 and small n.
    ours = keras_losses.class_balanced_weights(counts, beta=beta)
    np.testing.assert_allclose(
        ours, cui_class_balanced_weights(counts, beta), rtol=1e-9
    )
    np.testing.assert_allclose(sum(ours), len(counts), rtol=1e-12)


def cui_data(rng, n=32, beta=0.999):
    classes = len(LONG_TAIL)
    logits = rng.normal(0.0, 3.0, (n, classes)).astype("float32")
    target = rng.integers(0, classes, n)
    weights = np.asarray(cui_class_balanced_weights(LONG_TAIL, beta))
    return logits, target, weights


@pytest.mark.parametrize("seed", SEEDS)
def test_cui_class_balanced_softmax_loss(seed):
    # Cui et al.'s loss_type "softmax": TF1's softmax_cross_entropy with
    # per-sample weights w[y] and its default SUM_BY_NONZERO_WEIGHTS: the
    # mean over samples of w[y] * CE. That is
    # SparseCategoricalCrossentropy(from_logits=True, class_weight=w) with
    # the default reduction.
    rng = np.random.default_rng(seed)
    logits, target, w = cui_data(rng)
    log_p = logits - logits.max(-1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(-1, keepdims=True))
    ce = -np.take_along_axis(log_p.astype("float64"), target[:, None], -1)[:, 0]
    theirs = (w[target] * ce).mean()
    weights = keras_losses.class_balanced_weights(LONG_TAIL, beta=0.999)
    loss = keras_losses.SparseCategoricalCrossentropy(
        from_logits=True, class_weight=weights
    )
    np.testing.assert_allclose(numpy(loss(target, logits)), theirs, RTOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
def test_cui_class_balanced_sigmoid_and_focal_losses(seed, gamma):
    # Cui et al.'s loss_type "sigmoid" (gamma 0) and "focal": every class's
    # sigmoid (focal) cross-entropy against the one-hot label, weighted by
    # the sample's w[y], summed and divided by the number of positives (N).
    # The focal modulator exp(-g y x - g log(1 + exp(-x))) is (1 - p_t) ** g.
    # Ours: BinaryFocalCrossentropy(gamma=g, from_logits=True) (no alpha)
    # with sample_weight=w[y], times C. The PyTorch port's "sigmoid"
    # (binary_cross_entropy_with_logits(weight=w[y]), mean over N * C) is
    # the same without the factor C.
    rng = np.random.default_rng(seed)
    logits, target, w = cui_data(rng)
    c = logits.shape[-1]
    hot = np.eye(c, dtype="float32")[target]
    x = logits.astype("float64")
    modulator = np.exp(-gamma * hot * x - gamma * np.log1p(np.exp(-x)))
    elements = (
        w[target][:, None] * modulator * binary_cross_entropy_of_logits(hot, x)
    )
    theirs = elements.sum() / hot.sum()
    weights = keras_losses.class_balanced_weights(LONG_TAIL, beta=0.999)
    sample_weight = np.asarray(weights, "float32")[target]
    loss = keras_losses.BinaryFocalCrossentropy(gamma=gamma, from_logits=True)
    ours = numpy(loss(hot, logits, sample_weight=sample_weight))
    np.testing.assert_allclose(ours * c, theirs, RTOL)
    if gamma == 0.0:
        port = elements.mean()
        loss = keras_losses.BinaryCrossentropy(from_logits=True)
        ours = numpy(loss(hot, logits, sample_weight=sample_weight))
        np.testing.assert_allclose(ours, port, RTOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_pytorch_cross_entropy_with_class_balanced_weights(seed):
    # The usual PyTorch recipe: CrossEntropyLoss(weight=w). Its weighted
    # "mean" divides by sum(w[y]); ours by N: reduction="sum" divided by
    # sum(w[y]) is PyTorch's value.
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    logits, target, _ = cui_data(rng)
    weights = keras_losses.class_balanced_weights(LONG_TAIL, beta=0.999)
    w = np.asarray(weights, "float32")
    fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(w))
    theirs = fn(torch.tensor(logits), torch.tensor(target)).numpy()
    loss = keras_losses.SparseCategoricalCrossentropy(
        from_logits=True, class_weight=weights, reduction="sum"
    )
    ours = numpy(loss(target, logits)) / w[target].astype("float64").sum()
    np.testing.assert_allclose(ours, theirs, RTOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_class_balanced_pytorch_port_softmax_loss(seed):
    # The PyTorch port's loss_type "softmax" is not Cui et al.'s softmax
    # loss: it applies binary_cross_entropy (each log floored at -100) to the
    # softmax probabilities against the one-hot label, weighted by w[y], the
    # mean over N * C elements. Ours: BinaryCrossentropy() on the softmax
    # probabilities (clipped to [1e-7, 1 - 1e-7]; no probability here is
    # that small) with sample_weight=w[y].
    rng = np.random.default_rng(seed)
    logits, target, w = cui_data(rng)
    logits = (logits / 2).astype("float32")
    c = logits.shape[-1]
    hot = np.eye(c)[target]
    probabilities = softmax(logits.astype("float64"), -1)
    assert probabilities.min() > 1e-7
    logs = (
        np.maximum(np.log(probabilities), -100.0),
        np.maximum(np.log1p(-probabilities), -100.0),
    )
    elements = -(hot * logs[0] + (1 - hot) * logs[1]) * w[target][:, None]
    weights = keras_losses.class_balanced_weights(LONG_TAIL, beta=0.999)
    sample_weight = np.asarray(weights, "float32")[target]
    loss = keras_losses.BinaryCrossentropy()
    ours = loss(
        hot.astype("float32"),
        probabilities.astype("float32"),
        sample_weight=sample_weight,
    )
    np.testing.assert_allclose(numpy(ours), elements.mean(), RTOL)


# --- Metric learning: TF Addons, keras-cv, PyTorch Metric Learning ---------
#
# TF Addons' rows: the values printed in its docstrings and asserted in its
# tests (tensorflow_addons/losses/tests/), and its code transcribed in
# float64 NumPy where the claim is about NaN (0 / 0 and 0 * inf give NaN in
# NumPy as in TensorFlow, and tf.maximum, like np.maximum, keeps a NaN).
# keras-cv's SimCLRLoss: its published test values and its formula
# (tests/reference.py). PyTorch Metric Learning is called directly, in
# float64, where it is installed.

METRIC_LABELS = np.array([0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 0, 2])


def metric_data(seed, n=12, dim=5):
    rng = np.random.default_rng(seed)
    labels = METRIC_LABELS[:n]
    embeddings = rng.normal(size=(n, dim)).astype("float32")
    return labels, embeddings


def test_tfa_triplet_docstring_values():
    # tfa.losses.triplet_semihard_loss and triplet_hard_loss on labels
    # [0, 0], embeddings [[0, 1], [1, 0]]: 2.4142137 and 1.0 with "L2";
    # 1.0 and 0.0 with distance_metric=lambda x: x @ x^T.
    labels = [0, 0]
    embeddings = [[0.0, 1.0], [1.0, 0.0]]

    def gram(x):
        return keras.ops.matmul(x, keras.ops.transpose(x))

    semihard = keras_losses.TripletSemiHardLoss(distance_metric="L2")
    np.testing.assert_allclose(
        numpy(semihard(labels, embeddings)), 2.4142137, RTOL
    )
    hard = keras_losses.TripletHardLoss(distance_metric="L2")
    np.testing.assert_allclose(numpy(hard(labels, embeddings)), 1.0, RTOL)
    value = keras_losses.triplet_semihard_loss(
        labels, embeddings, distance_metric=gram
    )
    np.testing.assert_allclose(numpy(value).mean(), 1.0, RTOL)
    value = keras_losses.triplet_hard_loss(
        labels, embeddings, distance_metric=gram
    )
    np.testing.assert_allclose(numpy(value).mean(), 0.0, atol=1e-7)


def test_tfa_contrastive_test_values():
    # tensorflow_addons/losses/tests/contrastive_test.py.
    labels = [0, 0, 1, 1, 0, 1]
    distances = [0.1, 0.3, 1.3, 0.7, 1.1, 0.5]
    loss = keras_losses.ContrastiveLoss()
    np.testing.assert_allclose(numpy(loss(labels, distances)), 0.621666, RTOL)
    weights = [1.2, 0.8, 0.5, 0.4, 1.5, 1.0]
    np.testing.assert_allclose(
        numpy(loss(labels, distances, sample_weight=weights)), 0.4425, RTOL
    )
    np.testing.assert_allclose(
        numpy(loss(labels, distances, sample_weight=6.0)), 3.73, RTOL
    )
    two = keras_losses.ContrastiveLoss(margin=2.0)
    np.testing.assert_allclose(numpy(two(labels, distances)), 1.623333, RTOL)
    none = keras_losses.ContrastiveLoss(reduction=None)
    np.testing.assert_allclose(
        numpy(none(labels, distances)),
        [0.81, 0.49, 1.69, 0.49, 0.0, 0.25],
        RTOL,
    )


NPAIRS_FEATURES = np.array(
    [[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]], "float32"
)


def test_tfa_npairs_test_values():
    # tensorflow_addons/losses/tests/npairs_test.py: anchors and positives
    # both NPAIRS_FEATURES, similarities f @ fp^T.
    similarities = NPAIRS_FEATURES @ NPAIRS_FEATURES.T
    loss = keras_losses.NpairsLoss()
    np.testing.assert_allclose(
        numpy(loss([0, 1, 2, 3], similarities)), 0.253856, 1e-5
    )
    multilabel = keras_losses.NpairsMultilabelLoss()
    np.testing.assert_allclose(
        numpy(multilabel(np.eye(4), similarities)), 0.253856, 1e-5
    )
    multi_hot = [[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1]]
    np.testing.assert_allclose(
        numpy(multilabel(multi_hot, similarities)), 1.420522, 1e-5
    )


def test_tfa_npairs_multilabel_sparse_tensor_to_dense():
    # TF Addons took a tf.SparseTensor; tf.sparse.to_dense of it is ours.
    tf = pytest.importorskip("tensorflow")
    multi_hot = [[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1]]
    sparse = tf.sparse.from_dense(tf.constant(multi_hot, tf.int64))
    dense = tf.sparse.to_dense(sparse)
    if keras.backend.backend() != "tensorflow":
        dense = dense.numpy()
    similarities = NPAIRS_FEATURES @ NPAIRS_FEATURES.T
    loss = keras_losses.NpairsMultilabelLoss()
    np.testing.assert_allclose(numpy(loss(dense, similarities)), 1.420522, 1e-5)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("metric", ["L2", "squared-L2", "angular"])
def test_tfa_triplet_semihard_mean_is_tfa_value(seed, metric):
    # One value per anchor, scaled by B / P, so that the mean over anchors
    # (the default reduction) is TF Addons' mean over positive pairs.
    labels, embeddings = metric_data(seed)
    tfa = reference.tfa_triplet_semihard_value(
        labels, embeddings, distance_metric=metric
    )
    loss = keras_losses.TripletSemiHardLoss(distance_metric=metric)
    np.testing.assert_allclose(numpy(loss(labels, embeddings)), tfa, RTOL)
    total = keras_losses.TripletSemiHardLoss(
        distance_metric=metric, reduction="sum"
    )
    np.testing.assert_allclose(
        numpy(total(labels, embeddings)), len(labels) * tfa, RTOL
    )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("soft", [False, True])
def test_tfa_triplet_hard_is_the_mean_over_anchors(seed, soft):
    labels, embeddings = metric_data(seed)
    expected = reference.triplet_hard_loss(labels, embeddings, soft=soft)
    loss = keras_losses.TripletHardLoss(soft=soft)
    np.testing.assert_allclose(
        numpy(loss(labels, embeddings)), expected.mean(), RTOL
    )


def tfa_lifted_struct_value(labels, embeddings, margin=1.0):
    """TF Addons' lifted_struct_loss (tensorflow_addons/losses/lifted.py),
    step by step in float64, NaN where it gives NaN."""
    labels = np.asarray(labels).reshape(-1, 1)
    distances = reference.metric_distances(embeddings, "L2")
    batch = labels.shape[0]
    adjacency = labels == labels.T
    mask = (~adjacency).astype("float64")
    diff = margin - distances
    row_minimums = diff.min(axis=1, keepdims=True)
    row_negative_maximums = ((diff - row_minimums) * mask).max(
        axis=1, keepdims=True
    ) + row_minimums
    max_elements = np.maximum(row_negative_maximums, row_negative_maximums.T)
    # Its tiled (B * B, B) product, entry [a, b]: row b of diff against
    # max_elements[b, a].
    exp_left = np.array(
        [
            [
                np.sum(np.exp(diff[b] - max_elements[b, a]) * mask[b])
                for b in range(batch)
            ]
            for a in range(batch)
        ]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        loss_mat = max_elements + np.log(exp_left + exp_left.T) + distances
        positives = adjacency.astype("float64") - np.eye(batch)
        kept = np.maximum(loss_mat * positives, 0.0)
        return 0.25 * np.sum(kept**2) / (positives.sum() / 2.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_tfa_lifted_struct_loss(seed):
    labels, embeddings = metric_data(seed)
    expected = tfa_lifted_struct_value(labels, embeddings)
    assert np.isfinite(expected)
    loss = keras_losses.LiftedStructLoss()
    np.testing.assert_allclose(numpy(loss(labels, embeddings)), expected, RTOL)


def tfa_npairs_multilabel_value(multi_hot, similarities):
    """TF Addons' npairs_multilabel_loss in float64: the label overlaps
    Y Y^T divided by their row sums (0 / 0 for a row without labels), then
    softmax cross-entropy, averaged."""
    y = np.asarray(multi_hot, "float64")
    s = np.asarray(similarities, "float64")
    with np.errstate(invalid="ignore"):
        targets = y @ y.T
        targets = targets / targets.sum(axis=1, keepdims=True)
    peak = s.max(axis=1, keepdims=True)
    log_p = s - peak - np.log(np.exp(s - peak).sum(axis=1, keepdims=True))
    return np.mean(-np.sum(targets * log_p, axis=1))


def test_tfa_nan_cases_are_zero_here():
    rng = np.random.default_rng(0)
    embeddings = rng.normal(size=(4, 3)).astype("float32")
    distinct = [0, 1, 2, 3]  # no positive pair
    one_label = [5, 5, 5, 5]  # no negative
    # Semi-hard, no positive pair: 0 / 0 in TF Addons; 0 here.
    assert np.isnan(reference.tfa_triplet_semihard_value(distinct, embeddings))
    loss = keras_losses.TripletSemiHardLoss()
    assert numpy(loss(distinct, embeddings)) == 0.0
    assert np.isnan(reference.tfa_triplet_semihard_value([0], embeddings[:1]))
    assert numpy(loss([0], embeddings[:1])) == 0.0
    # Lifted structure: no positive pair, or no negative at all.
    lifted = keras_losses.LiftedStructLoss()
    for labels in [distinct, one_label]:
        assert np.isnan(tfa_lifted_struct_value(labels, embeddings))
        assert numpy(lifted(labels, embeddings)) == 0.0
    # N-pairs multilabel: a row without labels is NaN there, 0 here.
    similarities = rng.normal(size=(4, 4)).astype("float32")
    multi_hot = np.array(
        [[1, 0, 1], [0, 0, 0], [1, 1, 0], [0, 1, 0]], "float32"
    )
    assert np.isnan(tfa_npairs_multilabel_value(multi_hot, similarities))
    values = numpy(keras_losses.npairs_multilabel_loss(multi_hot, similarities))
    assert values[1] == 0.0
    np.testing.assert_allclose(
        values[[0, 2, 3]],
        reference.npairs_multilabel_loss(multi_hot, similarities)[[0, 2, 3]],
        RTOL,
    )
    # With every row labelled, the two agree.
    multi_hot[1, 2] = 1.0
    np.testing.assert_allclose(
        numpy(keras_losses.NpairsMultilabelLoss()(multi_hot, similarities)),
        tfa_npairs_multilabel_value(multi_hot, similarities),
        RTOL,
    )


def tfa_angular_distance_float32(embeddings):
    """TF Addons' angular_distance in float32: tf.math.l2_normalize (x over
    sqrt(max(|x|^2, 1e-12))), 1 - u u^T, at least 0; no diagonal set."""
    x = np.asarray(embeddings, "float32")
    squared = np.sum(x * x, axis=1, keepdims=True)
    unit = x / np.sqrt(np.maximum(squared, np.float32(1e-12)))
    return np.maximum(np.float32(1.0) - unit @ unit.T, np.float32(0.0))


def test_tfa_angular_distance_diagonal():
    # Here the diagonal is exactly 0; TF Addons' is 1 - |u|^2 after
    # rounding, and 1 for a row of zeros.
    rng = np.random.default_rng(0)
    embeddings = rng.normal(size=(64, 7)).astype("float32")
    embeddings[3] = 0.0
    theirs = np.diagonal(tfa_angular_distance_float32(embeddings))
    assert np.any(theirs[np.arange(64) != 3] > 0.0)
    assert theirs[3] == 1.0
    ours = keras_losses.metric.pairwise_distances(
        keras.ops.convert_to_tensor(embeddings), "angular"
    )
    assert np.all(np.diagonal(numpy(ours)) == 0.0)


# keras-cv's SimCLRLoss test (keras_cv/src/losses/simclr_loss_test.py).
SIMCLR_P1 = [[1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0]]
SIMCLR_P2 = [[6.0, 5.0, 4.0, 3.0], [5.0, 4.0, 3.0, 2.0], [4.0, 3.0, 2.0, 1.0]]


@pytest.mark.parametrize("temperature, value", [(0.5, 3.566689), (0.1, 5.7261)])
def test_keras_cv_simclr_published_values(temperature, value):
    # keras-cv sums the two directions; ours is their mean: half.
    loss = keras_losses.NTXentLoss(temperature=temperature)
    np.testing.assert_allclose(
        2 * numpy(loss(SIMCLR_P1, SIMCLR_P2)), value, 1e-5
    )
    reference_value = reference.keras_cv_simclr_value(
        SIMCLR_P1, SIMCLR_P2, temperature
    )
    np.testing.assert_allclose(reference_value, value, 1e-5)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("temperature", [0.1, 0.5])
def test_keras_cv_simclr_formula(seed, temperature):
    rng = np.random.default_rng(seed)
    u = rng.normal(size=(8, 6)).astype("float32")
    v = rng.normal(size=(8, 6)).astype("float32")
    theirs = reference.keras_cv_simclr_value(u, v, temperature, per_pair=True)
    ours = numpy(keras_losses.nt_xent_loss(u, v, temperature=temperature))
    np.testing.assert_allclose(2 * ours, theirs, RTOL)
    # keras-cv normalises x / sqrt(max(|x|^2, 1e-7)): a row of norm below
    # 3e-4 stays shorter than 1 there, and its loss changes.
    u[0] *= 1e-5
    theirs = reference.keras_cv_simclr_value(u, v, temperature, per_pair=True)
    ours = numpy(keras_losses.nt_xent_loss(u, v, temperature=temperature))
    assert abs(2 * ours[0] - theirs[0]) > 1e-2


def tfa_pairwise_distance_float32(embeddings):
    """TF Addons' pairwise_distance(squared=False) in float32:
    |a|^2 + |b|^2 - 2 a.b, at least 0, its square root, diagonal 0."""
    x = np.asarray(embeddings, "float32")
    norms = np.sum(x * x, axis=1)
    squared = norms[:, None] + norms[None, :] - np.float32(2.0) * (x @ x.T)
    distances = np.sqrt(np.maximum(squared, np.float32(0.0)))
    np.fill_diagonal(distances, 0.0)
    return distances


def test_tfa_pairwise_distances_far_from_the_origin():
    # Embeddings near 1000: TF Addons' float32 formula cancels (its
    # squares are near 4e6, where float32's spacing is 0.25 to 0.5); the
    # centred computation here keeps float32 accuracy.
    rng = np.random.default_rng(0)
    embeddings = (1000.0 + rng.normal(size=(16, 4))).astype("float32")
    exact = reference.metric_distances(embeddings, "L2")
    off = ~np.eye(16, dtype=bool)
    theirs = tfa_pairwise_distance_float32(embeddings)
    ours = numpy(
        keras_losses.metric.pairwise_distances(
            keras.ops.convert_to_tensor(embeddings), "L2"
        )
    )
    their_error = np.max(np.abs(theirs - exact)[off] / exact[off])
    assert their_error > 0.1  # 0.28 on this batch
    np.testing.assert_allclose(ours[off], exact[off], 1e-5)


# PyTorch: losses written by hand, in float64.


def test_torch_hinge_embedding_loss_is_contrastive_without_squares():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    distances = rng.uniform(0.0, 2.0, size=12)
    similar = (rng.random(12) < 0.5).astype("float64")
    hinge = torch.nn.HingeEmbeddingLoss(margin=1.0, reduction="none")(
        torch_f64(distances), torch_f64(2 * similar - 1)
    )
    expected = similar * distances + (1 - similar) * np.maximum(
        1.0 - distances, 0.0
    )
    np.testing.assert_allclose(hinge.numpy(), expected, 1e-12)
    ours = numpy(keras_losses.contrastive_loss(similar, distances))
    np.testing.assert_allclose(
        ours,
        similar * distances**2
        + (1 - similar) * np.maximum(1.0 - distances, 0.0) ** 2,
        RTOL,
        1e-7,
    )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("temperature", [0.07, 0.5])
def test_torch_clip_loss(seed, temperature):
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    rng = np.random.default_rng(seed)
    u = rng.normal(size=(8, 5)).astype("float32")
    v = rng.normal(size=(8, 5)).astype("float32")
    logits = (
        functional.normalize(torch_f64(u))
        @ functional.normalize(torch_f64(v)).T
        / temperature
    )
    labels = torch.arange(8)
    clip = (
        functional.cross_entropy(logits, labels)
        + functional.cross_entropy(logits.T, labels)
    ) / 2
    loss = keras_losses.NTXentLoss(
        temperature=temperature, same_view_negatives=False
    )
    np.testing.assert_allclose(numpy(loss(u, v)), float(clip), RTOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_torch_cross_entropy_is_npairs(seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    anchors = rng.normal(size=(6, 4)).astype("float32")
    positives = rng.normal(size=(6, 4)).astype("float32")
    similarities = anchors @ positives.T
    theirs = torch.nn.CrossEntropyLoss()(
        torch_f64(similarities), torch.arange(6)
    )
    labels = [7, 2, 9, 0, 4, 1]  # all different, in any order
    loss = keras_losses.NpairsLoss()
    np.testing.assert_allclose(
        numpy(loss(labels, similarities)), float(theirs), RTOL
    )
    multi_hot = (rng.random((6, 5)) < 0.4).astype("float32")
    multi_hot[np.arange(6), rng.integers(0, 5, size=6)] = 1.0
    shared = multi_hot.astype("float64") @ multi_hot.T
    targets = shared / shared.sum(axis=1, keepdims=True)
    theirs = torch.nn.CrossEntropyLoss()(
        torch_f64(similarities), torch_f64(targets)
    )
    loss = keras_losses.NpairsMultilabelLoss()
    np.testing.assert_allclose(
        numpy(loss(multi_hot, similarities)), float(theirs), RTOL
    )


def supcontrast_supcon_loss(torch, features, labels, temperature, base):
    """Khosla et al.'s SupConLoss (HobbitLong/SupContrast, losses.py, its
    December 2023 version), contrast_mode="all", in float64."""
    batch, views = features.shape[:2]
    labels = labels.contiguous().view(-1, 1)
    mask = torch.eq(labels, labels.T).double()
    contrast = torch.cat(torch.unbind(features, dim=1), dim=0)
    logits = contrast @ contrast.T / temperature
    logits = logits - logits.max(dim=1, keepdim=True).values.detach()
    mask = mask.repeat(views, views)
    logits_mask = torch.scatter(
        torch.ones_like(mask), 1, torch.arange(batch * views).view(-1, 1), 0
    )
    mask = mask * logits_mask
    exp_logits = torch.exp(logits) * logits_mask
    log_prob = logits - torch.log(exp_logits.sum(1, keepdim=True))
    pairs = mask.sum(1)
    pairs = torch.where(pairs < 1e-6, 1, pairs)
    mean_log_prob_pos = (mask * log_prob).sum(1) / pairs
    loss = -(temperature / base) * mean_log_prob_pos
    return loss.view(views, batch).mean()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("views", [1, 2])
def test_supcontrast_supcon_loss(seed, views):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    labels = np.array([0, 1, 1, 2, 0, 3, 2, 1])  # class 3 alone
    features = rng.normal(size=(8, views, 5))
    features /= np.linalg.norm(features, axis=-1, keepdims=True)
    theirs = supcontrast_supcon_loss(
        torch, torch_f64(features), torch.tensor(labels), 0.1, 0.1
    )
    stacked = np.concatenate([features[:, k] for k in range(views)])
    repeated = np.tile(labels, views)
    loss = keras_losses.SupervisedContrastiveLoss(temperature=0.1)
    ours = numpy(loss(repeated, stacked.astype("float32")))
    np.testing.assert_allclose(ours, float(theirs), RTOL)
    # Their base_temperature scales the loss by temperature / base.
    scaled = supcontrast_supcon_loss(
        torch, torch_f64(features), torch.tensor(labels), 0.1, 0.07
    )
    np.testing.assert_allclose(float(scaled), ours * 0.1 / 0.07, RTOL)


# PyTorch Metric Learning: its losses called directly, in float64.


def pml(*names):
    """PyTorch Metric Learning's submodules `names`, or skip."""
    pytest.importorskip("pytorch_metric_learning")
    return [
        importlib.import_module(f"pytorch_metric_learning.{name}")
        for name in names
    ]


def torch_f64(x):
    torch = pytest.importorskip("torch")
    return torch.tensor(np.asarray(x, "float64"))


def metric_data_without_positive(seed):
    # Classes 4 and 5 have one sample each: two anchors without a positive.
    labels, embeddings = metric_data(seed, n=10)
    labels = labels.copy()
    labels[[2, 7]] = [4, 5]
    return labels, embeddings


@pytest.mark.parametrize("seed", SEEDS)
def test_pml_supcon_loss(seed):
    losses, reducers = pml("losses", "reducers")
    torch = pytest.importorskip("torch")
    labels, embeddings = metric_data_without_positive(seed)
    ours = numpy(keras_losses.supervised_contrastive_loss(labels, embeddings))
    e, lab = torch_f64(embeddings), torch.tensor(labels)
    exact = losses.SupConLoss(temperature=0.1, reducer=reducers.MeanReducer())
    np.testing.assert_allclose(float(exact(e, lab)), ours.mean(), RTOL)
    # PML's default (AvgNonZeroReducer) averages the anchors that have a
    # positive only.
    with_positive = np.sum([np.sum(labels == x) > 1 for x in labels])
    assert with_positive == len(labels) - 2
    default = float(losses.SupConLoss()(e, lab))
    np.testing.assert_allclose(
        default, ours.mean() * len(labels) / with_positive, RTOL
    )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("temperature", [0.07, 0.5])
def test_pml_ntxent_loss(seed, temperature):
    (losses,) = pml("losses")
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    u = rng.normal(size=(6, 4)).astype("float32")
    v = rng.normal(size=(6, 4)).astype("float32")
    n = len(u)
    fn = losses.NTXentLoss(temperature=temperature)
    # SimCLR: both views in one batch, view i's label i.
    theirs = fn(torch_f64(np.concatenate([u, v])), torch.arange(n).repeat(2))
    ours = keras_losses.nt_xent_loss(u, v, temperature=temperature)
    np.testing.assert_allclose(float(theirs), numpy(ours).mean(), RTOL)
    # CLIP: each view against the other as reference, averaged.
    a = torch.arange(n)
    clip = (
        fn(torch_f64(u), a, ref_emb=torch_f64(v), ref_labels=a.clone())
        + fn(torch_f64(v), a, ref_emb=torch_f64(u), ref_labels=a.clone())
    ) / 2
    ours = keras_losses.nt_xent_loss(
        u, v, temperature=temperature, same_view_negatives=False
    )
    np.testing.assert_allclose(float(clip), numpy(ours).mean(), RTOL)
    # Given the labels themselves as ref_labels, PML drops the positives.
    same = fn(torch_f64(u), a, ref_emb=torch_f64(v), ref_labels=a)
    assert float(same) == 0.0


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("margin", [0.2, 1.0])
@pytest.mark.parametrize("soft", [False, True])
def test_pml_batch_hard_triplet_loss(seed, margin, soft):
    losses, miners, reducers, distances = pml(
        "losses", "miners", "reducers", "distances"
    )
    torch = pytest.importorskip("torch")
    labels, embeddings = metric_data(seed)  # every class has >= 2 samples
    lp = distances.LpDistance(normalize_embeddings=False)
    fn = losses.TripletMarginLoss(
        margin=0.0 if soft else margin,
        smooth_loss=soft,
        distance=lp,
        reducer=reducers.MeanReducer(),
    )
    e, lab = torch_f64(embeddings), torch.tensor(labels)
    theirs = fn(e, lab, miners.BatchHardMiner(distance=lp)(e, lab))
    ours = keras_losses.triplet_hard_loss(
        labels, embeddings, margin=margin, soft=soft
    )
    np.testing.assert_allclose(float(theirs), numpy(ours).mean(), RTOL)


def test_pml_batch_hard_drops_anchors_without_positive():
    losses, miners, reducers, distances = pml(
        "losses", "miners", "reducers", "distances"
    )
    torch = pytest.importorskip("torch")
    labels, embeddings = metric_data_without_positive(0)
    lp = distances.LpDistance(normalize_embeddings=False)
    fn = losses.TripletMarginLoss(
        margin=1.0, distance=lp, reducer=reducers.MeanReducer()
    )
    e, lab = torch_f64(embeddings), torch.tensor(labels)
    theirs = float(fn(e, lab, miners.BatchHardMiner(distance=lp)(e, lab)))
    ours = numpy(keras_losses.triplet_hard_loss(labels, embeddings))
    kept = np.array([np.sum(labels == x) > 1 for x in labels])
    np.testing.assert_allclose(theirs, ours[kept].mean(), RTOL)
    assert not np.isclose(theirs, ours.mean())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("margin", [0.5, 1.0])
def test_pml_lifted_structure_loss(seed, margin):
    losses, distances = pml("losses", "distances")
    torch = pytest.importorskip("torch")
    labels, embeddings = metric_data(seed)
    fn = losses.LiftedStructureLoss(
        neg_margin=margin,
        pos_margin=0,
        distance=distances.LpDistance(normalize_embeddings=False),
    )
    theirs = fn(torch_f64(embeddings), torch.tensor(labels))
    ours = keras_losses.lifted_struct_loss(labels, embeddings, margin=margin)
    np.testing.assert_allclose(float(theirs), numpy(ours), RTOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_pml_npairs_loss(seed):
    losses, distances = pml("losses", "distances")
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    anchors = rng.normal(size=(6, 4)).astype("float32")
    positives = rng.normal(size=(6, 4)).astype("float32")
    labels = np.array([3, 0, 5, 1, 4, 2])
    fn = losses.NPairsLoss(
        distance=distances.DotProductSimilarity(normalize_embeddings=False)
    )
    embeddings = torch_f64(np.concatenate([anchors, positives]))
    both = torch.tensor(np.concatenate([labels, labels]))
    theirs = float(fn(embeddings, both))
    similarities = anchors @ positives.T
    ours = numpy(keras_losses.npairs_loss(labels, similarities))
    np.testing.assert_allclose(theirs, ours.mean(), RTOL)
    # PML's default normalises the embeddings (cosine similarity).
    default = float(losses.NPairsLoss()(embeddings, both))
    assert not np.isclose(default, ours.mean())
    # With a repeated label PML keeps one pair per label: another value.
    labels[1] = 3
    both = torch.tensor(np.concatenate([labels, labels]))
    theirs = float(fn(embeddings, both))
    ours = numpy(keras_losses.npairs_loss(labels, similarities))
    assert not np.isclose(theirs, ours.mean())


@pytest.mark.parametrize("seed", SEEDS)
def test_pml_contrastive_loss_is_another_loss(seed):
    # PML's ContrastiveLoss takes embeddings: over all pairs of the batch,
    # the mean over positive pairs of relu(d - pos_margin) plus the mean
    # over negative pairs of relu(neg_margin - d), unsquared, on normalised
    # embeddings, each mean over the non-zero terms (AvgNonZeroReducer).
    # Ours (TF Addons') takes the distances of given pairs and squares.
    losses, reducers = pml("losses", "reducers")
    torch = pytest.importorskip("torch")
    labels, embeddings = metric_data(seed)
    fn = losses.ContrastiveLoss(reducer=reducers.MeanReducer())
    theirs = float(fn(torch_f64(embeddings), torch.tensor(labels)))
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    d = reference.metric_distances(unit, "L2")
    same = labels[:, None] == labels[None, :]
    off = ~np.eye(len(labels), dtype=bool)
    expected = (
        np.maximum(d[same & off], 0.0).mean()
        + np.maximum(1.0 - d[~same], 0.0).mean()
    )
    np.testing.assert_allclose(theirs, expected, RTOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_pml_semihard_miners_are_not_tfa_semihard(seed):
    # TripletMarginMiner("semihard") keeps every triplet with
    # d(a, p) < d(a, n) <= d(a, p) + margin; TF Addons takes the closest
    # such negative per pair and falls back to the farthest negative.
    losses, miners, reducers, distances = pml(
        "losses", "miners", "reducers", "distances"
    )
    torch = pytest.importorskip("torch")
    labels, embeddings = metric_data(seed)
    lp = distances.LpDistance(normalize_embeddings=False)
    fn = losses.TripletMarginLoss(
        margin=1.0, distance=lp, reducer=reducers.MeanReducer()
    )
    e, lab = torch_f64(embeddings), torch.tensor(labels)
    miner = miners.TripletMarginMiner(
        margin=1.0, type_of_triplets="semihard", distance=lp
    )
    theirs = float(fn(e, lab, miner(e, lab)))
    ours = numpy(keras_losses.TripletSemiHardLoss()(labels, embeddings))
    assert not np.isclose(theirs, ours)
