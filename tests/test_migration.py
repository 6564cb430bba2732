"""The migration guide's claims (docs/migration.md), checked numerically.

Each test takes a loss from another package, applies the translation the
guide states (arguments, reduction, a constant factor) and compares with
`keras_losses`. PyTorch is called directly; TF Addons and the `focal-loss`
package do not install beside Keras 3, so their own documented example
values are used, and keras-cv's and torchvision's formulas are written in
float64 NumPy from their documented definitions.
"""

import keras
import numpy as np
import pytest

import keras_losses
from tests.helpers import numpy

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
