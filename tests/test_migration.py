"""The migration guide's claims (docs/migration.md), checked numerically.

Each test takes a loss from another package, applies the translation the
guide states (arguments, reduction, a constant factor) and compares with
`keras_losses`. PyTorch and Keras's own `Dice` and `Tversky` are called
directly; TF Addons and the `focal-loss` package do not install beside
Keras 3, so their own documented example values are used, and keras-cv's,
torchvision's and `segmentation_models`' (Keras 2 only) formulas are written
in float64 NumPy from their documented definitions and source. The
`segmentation_models.pytorch` table is stated from its source, untested.
"""

import re

import keras
import numpy as np
import pytest

import keras_losses
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
