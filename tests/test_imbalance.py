"""Imbalance family: ASL, Poly-1, QFL, VFL and class-balanced weights.

Each loss against its float64 reference (tests/reference.py, from the
papers' formulas), hand-derived values, Keras's built-ins where a setting
reduces to one, and the reference implementations' formulas: timm's
`AsymmetricLossMultiLabel` and mmdetection's `quality_focal_loss` and
`varifocal_loss` are transcribed in torch (timm needs torchvision, whose
wheel does not load with this environment's torch build; mmdetection needs
mmcv), optax's `poly_loss_cross_entropy` is called as it is.
"""

import itertools
import math
from fractions import Fraction

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
from tests.tolerance import assert_close

# kind -> (our function, its class, float64 reference, label kind, smooths)
LOSSES = {
    "asymmetric": (
        keras_losses.asymmetric_loss,
        keras_losses.AsymmetricLoss,
        reference.asymmetric_loss,
        "binary",
        True,
    ),
    "binary_poly1": (
        keras_losses.binary_poly1_crossentropy,
        keras_losses.BinaryPoly1Crossentropy,
        reference.binary_poly1_crossentropy,
        "binary",
        True,
    ),
    "categorical_poly1": (
        keras_losses.categorical_poly1_crossentropy,
        keras_losses.CategoricalPoly1Crossentropy,
        reference.categorical_poly1_crossentropy,
        "categorical",
        True,
    ),
    "sparse_poly1": (
        keras_losses.sparse_categorical_poly1_crossentropy,
        keras_losses.SparseCategoricalPoly1Crossentropy,
        reference.sparse_categorical_poly1_crossentropy,
        "sparse",
        True,
    ),
    "quality_focal": (
        keras_losses.quality_focal_loss,
        keras_losses.QualityFocalLoss,
        reference.quality_focal_loss,
        "quality",
        False,
    ),
    "varifocal": (
        keras_losses.varifocal_loss,
        keras_losses.VarifocalLoss,
        reference.varifocal_loss,
        "quality",
        False,
    ),
}

# Defaults first, then settings that reach the other branches (gamma 0 and
# below 1, no clip, negative epsilon).
HYPERPARAMETERS = {
    "asymmetric": [
        {},
        {"gamma_pos": 1.0, "gamma_neg": 4.0, "clip": 0.05},
        {"gamma_pos": 0.5, "gamma_neg": 2.0, "clip": 0.0},
        {"gamma_pos": 2.0, "gamma_neg": 0.5, "clip": 0.2},
    ],
    "binary_poly1": [{}, {"epsilon": -1.0}, {"epsilon": 2.5}],
    "categorical_poly1": [{}, {"epsilon": -1.0}, {"epsilon": 2.5}],
    "sparse_poly1": [{}, {"epsilon": -1.0}, {"epsilon": 2.5}],
    "quality_focal": [{}, {"beta": 0.5}, {"beta": 0.0}],
    "varifocal": [
        {},
        {"alpha": 0.25, "gamma": 0.5},
        {"alpha": 1.0, "gamma": 0.0},
    ],
}

# JAX compiles each operation per shape: the tests share these few.
MATRIX = (6, 4)
SHAPES = [(MATRIX, -1), ((2, 4, 3), 1)]  # (y_pred shape, axis)


def _labels(label_kind, shape, axis, rng):
    """Labels of each kind for predictions of `shape` (class axis `axis`)."""
    if label_kind == "binary":
        return rng.integers(0, 2, size=shape).astype("float32")
    if label_kind == "quality":
        # IoU-like targets: 0 for most, a quality in (0, 1] for the rest.
        quality = rng.uniform(0.05, 1.0, size=shape)
        return np.where(rng.uniform(size=shape) < 0.4, quality, 0.0).astype(
            "float32"
        )
    classes = shape[axis]
    labels = rng.integers(0, classes, size=np.delete(shape, axis))
    if label_kind == "sparse":
        return labels
    return one_hot(labels, classes, axis)


def _predictions(label_kind, shape, axis, from_logits, rng):
    """Moderate logits, or probabilities away from 0 and 1."""
    if from_logits:
        return rng.normal(0.0, 2.5, size=shape).astype("float32")
    if label_kind in ("categorical", "sparse"):
        return softmax(rng.normal(0.0, 1.5, size=shape), axis).astype("float32")
    return rng.uniform(0.02, 0.98, size=shape).astype("float32")


def _inputs(kind, shape, axis, from_logits, seed):
    rng = np.random.default_rng(seed)
    label_kind = LOSSES[kind][3]
    y_true = _labels(label_kind, shape, axis, rng)
    return y_true, _predictions(label_kind, shape, axis, from_logits, rng)


def _skip_float64_on_plain_jax(dtype):
    if dtype == "float64" and keras.backend.backend() == "jax":
        import jax

        if not jax.config.jax_enable_x64:
            pytest.skip("JAX computes in float32 unless jax_enable_x64 is set")


# --- Float64 reference on ordinary inputs ----------------------------------

REFERENCE_GRID = [
    (kind, index, from_logits, smoothing, shape, axis)
    for kind in LOSSES
    for index in range(len(HYPERPARAMETERS[kind]))
    for from_logits in (False, True)
    for smoothing in ((0.0, 0.2) if LOSSES[kind][4] else (0.0,))
    for shape, axis in SHAPES
]


@pytest.mark.parametrize(
    "kind, index, from_logits, smoothing, shape, axis", REFERENCE_GRID
)
def test_matches_reference(kind, index, from_logits, smoothing, shape, axis):
    function, cls, formula, label_kind, _ = LOSSES[kind]
    y_true, y_pred = _inputs(kind, shape, axis, from_logits, seed=index)
    if not from_logits and label_kind in ("binary", "quality"):
        # Probabilities exactly 0 and 1 are clipped, as Keras clips them.
        y_pred.flat[:2] = [0.0, 1.0]
    kwargs = dict(HYPERPARAMETERS[kind][index], from_logits=from_logits)
    kwargs["axis"] = axis
    if smoothing:
        kwargs["label_smoothing"] = smoothing
    expected = formula(y_true, y_pred, **kwargs)
    actual = function(y_true, y_pred, **kwargs)
    assert actual.shape == expected.shape
    case = f"{kind} {shape} {kwargs}"
    name = f"reference.{formula.__name__} (ordinary inputs)"
    assert_close(
        numpy(actual), expected, rtol=1e-5, atol=1e-7, reference=name, case=case
    )
    # The class forwards the same arguments; Keras's reduction on top.
    weights = np.random.default_rng(1).uniform(0, 2, size=expected.shape)
    summed = cls(**kwargs, reduction="sum")(
        y_true, y_pred, sample_weight=weights.astype("float32")
    )
    assert_close(
        numpy(summed),
        np.sum(weights * expected),
        rtol=1e-5,
        atol=1e-6,
        reference=name,
        case=case + " class, reduction='sum'",
    )


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64"])
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("kind", sorted(LOSSES))
def test_input_dtypes(kind, from_logits, dtype):
    _skip_float64_on_plain_jax(dtype)
    function, _, formula, _, _ = LOSSES[kind]
    y_true, y_pred = _inputs(kind, MATRIX, -1, from_logits, seed=5)
    y_pred = keras.ops.cast(y_pred, dtype)
    actual = function(y_true, y_pred, from_logits=from_logits)
    assert keras.backend.standardize_dtype(actual.dtype) == dtype
    # Half precision is computed in float32 from the rounded inputs, then
    # rounded back; float64 stays float64, clipped at float64's 1 - 1e-7.
    rounded = numpy(y_pred)
    expected = formula(
        y_true,
        rounded,
        from_logits=from_logits,
        dtype="float64" if dtype == "float64" else None,
    )
    rtol = {"float16": 2e-3, "bfloat16": 1e-2, "float64": 1e-7}[dtype]
    assert_close(
        numpy(actual),
        expected,
        rtol=rtol,
        atol=1e-6 if dtype != "float64" else 1e-12,
        reference=f"reference.{formula.__name__} ({dtype} inputs)",
        case=f"{kind} from_logits={from_logits}",
    )


# --- Hand-derived values ---------------------------------------------------


def test_hand_derived_values():
    # The docstring examples, worked by hand.
    #
    # ASL, defaults (gamma_pos=0, gamma_neg=4, clip=0.05), y=[1, 0],
    # p=[0.8, 0.3]: the positive is -log 0.8 = 0.2231436; the negative has
    # p_m = 0.3 - 0.05 = 0.25, so 0.25**4 * -log(1 - 0.25) = 0.00390625 *
    # 0.2876821 = 0.0011238. Mean over 2 classes: 0.1121337.
    asl = (-math.log(0.8) + 0.25**4 * -math.log(0.75)) / 2
    np.testing.assert_allclose(asl, 0.1121337, atol=1e-7)
    # Poly-1, epsilon=1, target probability 0.8: -log 0.8 + 1 * (1 - 0.8) =
    # 0.2231436 + 0.2 = 0.4231436, binary, categorical and sparse alike.
    poly = -math.log(0.8) + 0.2
    np.testing.assert_allclose(poly, 0.4231436, atol=1e-7)
    # QFL, beta=2, y=[0.8, 0], s=[0.6, 0.2]: (0.8 - 0.6)**2 * -(0.8 log 0.6
    # + 0.2 log 0.4) = 0.04 * 0.5919186 = 0.0236767, and 0.2**2 * -log 0.8
    # = 0.0089257. Mean: 0.0163012.
    bce = -(0.8 * math.log(0.6) + 0.2 * math.log(0.4))
    qfl = (0.04 * bce + 0.04 * -math.log(0.8)) / 2
    np.testing.assert_allclose(qfl, 0.0163012, atol=1e-7)
    # VFL, alpha=0.75, gamma=2, same inputs: the positive q * BCE = 0.8 *
    # 0.5919186 = 0.4735349, the negative 0.75 * 0.2**2 * -log 0.8 =
    # 0.0066943. Mean: 0.2401146.
    vfl = (0.8 * bce + 0.75 * 0.04 * -math.log(0.8)) / 2
    np.testing.assert_allclose(vfl, 0.2401146, atol=1e-7)

    cases = [
        (keras_losses.asymmetric_loss, [[1.0, 0.0]], [[0.8, 0.3]], asl),
        (keras_losses.binary_poly1_crossentropy, [[1.0]], [[0.8]], poly),
        (
            keras_losses.categorical_poly1_crossentropy,
            [[0.0, 1.0, 0.0]],
            [[0.1, 0.8, 0.1]],
            poly,
        ),
        (
            keras_losses.sparse_categorical_poly1_crossentropy,
            [1],
            [[0.1, 0.8, 0.1]],
            poly,
        ),
        (keras_losses.quality_focal_loss, [[0.8, 0.0]], [[0.6, 0.2]], qfl),
        (keras_losses.varifocal_loss, [[0.8, 0.0]], [[0.6, 0.2]], vfl),
    ]
    for function, y_true, y_pred, expected in cases:
        np.testing.assert_allclose(
            numpy(function(y_true, y_pred)),
            [expected],
            rtol=1e-6,
            err_msg=function.__name__,
        )


def test_hand_derived_values_from_logits():
    # Logit 0 is p = 1/2 exactly; logit log 4 is p = 4/5.
    x = math.log(4.0)
    # Poly-1 binary, y=1, p=4/5: log(5/4) + epsilon * 1/5, epsilon=2.
    np.testing.assert_allclose(
        numpy(
            keras_losses.binary_poly1_crossentropy(
                [[1.0]], [[x]], epsilon=2.0, from_logits=True
            )
        ),
        [math.log(1.25) + 0.4],
        rtol=1e-6,
    )
    # Softmax of [log 4, 0, 0] is [2/3, 1/6, 1/6]; label 0: CE = log(3/2),
    # 1 - p_t = 1/3. With smoothing 0.3 over 3 classes the labels are
    # [0.8, 0.1, 0.1], so sum_c y_c (1 - p_c) = 0.8/3 + 2 * 0.1 * 5/6 = 0.43333
    # and -sum_c y_c log p_c = 0.8 log 1.5 + 0.2 log 6.
    logits = [[x, 0.0, 0.0]]
    smoothed = 0.8 * math.log(1.5) + 0.2 * math.log(6.0) + 0.8 / 3 + 1 / 6
    for function, y_true in (
        (keras_losses.categorical_poly1_crossentropy, [[1.0, 0.0, 0.0]]),
        (keras_losses.sparse_categorical_poly1_crossentropy, [0]),
    ):
        np.testing.assert_allclose(
            numpy(function(y_true, logits, from_logits=True)),
            [math.log(1.5) + 1 / 3],
            rtol=1e-6,
        )
        np.testing.assert_allclose(
            numpy(
                function(y_true, logits, from_logits=True, label_smoothing=0.3)
            ),
            [smoothed],
            rtol=1e-6,
        )
    # ASL, y=0 at p=1/2 with clip 0.1, gamma_neg=2: p_m = 0.4, so
    # 0.4**2 * -log 0.6; y=1 at p=4/5, gamma_pos=1: 0.2 * log 1.25.
    np.testing.assert_allclose(
        numpy(
            keras_losses.asymmetric_loss(
                [[0.0, 1.0]],
                [[0.0, x]],
                gamma_pos=1.0,
                gamma_neg=2.0,
                clip=0.1,
                from_logits=True,
            )
        ),
        [(0.16 * -math.log(0.6) + 0.2 * math.log(1.25)) / 2],
        rtol=1e-6,
    )
    # ASL discards an easy negative: p = 0.04 < clip = 0.05 gives exactly 0.
    assert numpy(keras_losses.asymmetric_loss([[0.0]], [[0.04]]))[0] == 0.0


def test_class_balanced_weights_hand_derived():
    # beta = 0.99, counts [1000, 100, 10]: E_n = (1 - 0.99**n) / 0.01 is
    # 99.99568, 63.39677 and 9.561792 (0.99**10 = 0.9043821, 0.99**100 =
    # 0.3660323, 0.99**1000 = 4.317e-5); the inverses 0.01000043, 0.01577366
    # and 0.1045830 sum to 0.1303571, and times 3 / that sum they are
    # 0.2301472, 0.3630110 and 2.406842 (the docstring's 0.2301 0.363 2.4068).
    # Exact rational arithmetic on the binary value of 0.99 checks it.
    beta = Fraction(0.99)
    inverse = [(1 - beta) / (1 - beta**n) for n in (1000, 100, 10)]
    exact = [float(3 * w / sum(inverse)) for w in inverse]
    np.testing.assert_allclose(exact, [0.2301472, 0.3630110, 2.406842], 1e-6)
    weights = keras_losses.class_balanced_weights([1000, 100, 10], beta=0.99)
    assert isinstance(weights, list) and all(type(w) is float for w in weights)
    np.testing.assert_allclose(weights, exact, rtol=1e-12)


# --- The reference implementations' formulas -------------------------------


def _timm_asymmetric_loss_multilabel(
    torch, logits, targets, gamma_neg, gamma_pos, clip, eps=1e-8
):
    """timm's AsymmetricLossMultiLabel.forward, reduction="sum" (the original
    ASL reduction), transcribed from huggingface/pytorch-image-models
    timm/loss/asymmetric_loss.py (commit 245128a).

    It takes p = sigmoid(x) and, for the negatives, 1 - p shifted by the
    clip and capped at 1; logs of both are clamped below at eps; the focusing
    weight (1 - p_t)**gamma_t uses p_t = p for a positive and the shifted
    1 - p for a negative (so 1 - p_t = max(p - clip, 0)), gamma_t = gamma_pos
    y + gamma_neg (1 - y). The negated loss is summed over batch and classes.
    """
    p = torch.sigmoid(logits)
    q = 1 - p
    if clip is not None and clip > 0:
        q = torch.clamp(q + clip, max=1)
    loss = targets * torch.log(torch.clamp(p, min=eps))
    loss = loss + (1 - targets) * torch.log(torch.clamp(q, min=eps))
    if gamma_neg > 0 or gamma_pos > 0:
        p_t = p * targets + q * (1 - targets)
        gamma_t = gamma_pos * targets + gamma_neg * (1 - targets)
        loss = loss * torch.pow(1 - p_t, gamma_t)
    return -loss.sum()


ASL_GRID = list(
    itertools.product(
        [0.0, 1.0, 2.0],  # gamma_pos (timm's default is 1, ours the paper's 0)
        [0.0, 2.5, 4.0],  # gamma_neg
        [0.0, 0.05, 0.2],  # clip
    )
)


@pytest.mark.parametrize("gamma_pos, gamma_neg, clip", ASL_GRID)
def test_asymmetric_matches_timm_formula(gamma_pos, gamma_neg, clip):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    classes = MATRIX[1]
    targets = rng.integers(0, 2, size=MATRIX).astype("float32")
    logits = rng.normal(0.0, 3.0, size=MATRIX).astype("float32")
    expected = _timm_asymmetric_loss_multilabel(
        torch,
        torch.tensor(logits, dtype=torch.float64),
        torch.tensor(targets, dtype=torch.float64),
        gamma_neg,
        gamma_pos,
        clip,
    ).item()
    # timm sums over the classes and the batch; ours averages over the class
    # axis, so timm's reduction="sum" is ours with reduction="sum" times the
    # class count (its default "batchmean": ours "sum_over_batch_size" times
    # the class count). With hard labels (timm's labels may be soft, but it
    # then weights both terms by one mixed factor, ours each by its own).
    loss = keras_losses.AsymmetricLoss(
        gamma_pos=gamma_pos,
        gamma_neg=gamma_neg,
        clip=clip,
        from_logits=True,
        reduction="sum",
    )
    actual = numpy(loss(targets, logits))
    assert_close(
        actual * classes,
        expected,
        rtol=1e-5,
        atol=0.0,
        reference="timm AsymmetricLossMultiLabel formula (float64)",
        case=f"gamma_pos={gamma_pos} gamma_neg={gamma_neg} clip={clip}",
    )
    batch_mean = keras_losses.AsymmetricLoss(
        gamma_pos=gamma_pos, gamma_neg=gamma_neg, clip=clip, from_logits=True
    )
    np.testing.assert_allclose(
        numpy(batch_mean(targets, logits)) * classes,
        expected / len(targets),
        rtol=1e-5,
    )


def _mmdet_quality_focal_loss(torch, logits, label, score, beta):
    """mmdetection's quality_focal_loss (reduction "none"), transcribed from
    open-mmlab/mmdetection mmdet/models/losses/gfocal_loss.py.

    Targets come as a class label per anchor (`num_classes` = background)
    and a quality score. Every entry is first a negative, BCE-with-logits
    against 0 times sigmoid(x)**beta; at a foreground anchor's own class the
    entry is replaced by BCE against the score times |score - sigmoid|**beta.
    The result is summed over the classes: one value per anchor.
    """
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    s = torch.sigmoid(logits)
    loss = bce(logits, torch.zeros_like(logits), reduction="none") * s.pow(beta)
    foreground = torch.nonzero((label >= 0) & (label < logits.shape[1]))
    rows = foreground[:, 0]
    cols = label[rows]
    factor = (score[rows] - s[rows, cols]).abs().pow(beta)
    loss[rows, cols] = (
        bce(logits[rows, cols], score[rows], reduction="none") * factor
    )
    return loss.sum(dim=1)


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0, 2.0])
def test_quality_focal_matches_mmdetection_formula(beta):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(13)
    anchors, classes = MATRIX
    label = rng.integers(0, classes + 1, size=anchors)  # classes: background
    label[:2] = [classes, 1]  # one background anchor and one foreground
    score = rng.uniform(0.0, 1.0, size=anchors).astype("float32")
    logits = rng.normal(0.0, 3.0, size=(anchors, classes)).astype("float32")
    expected = _mmdet_quality_focal_loss(
        torch,
        torch.tensor(logits, dtype=torch.float64),
        torch.tensor(label),
        torch.tensor(score, dtype=torch.float64),
        beta,
    ).numpy()
    # Our targets are dense: the score at the anchor's class, 0 elsewhere.
    y_true = np.eye(classes + 1, dtype="float32")[label][:, :classes]
    y_true *= score[:, None]
    actual = keras_losses.quality_focal_loss(
        y_true, logits, beta=beta, from_logits=True
    )
    # mmdetection sums over the classes, we average over them.
    assert_close(
        numpy(actual) * classes,
        expected,
        rtol=1e-5,
        atol=1e-7,
        reference="mmdetection quality_focal_loss formula (float64)",
        case=f"beta={beta}",
    )


def _mmdet_varifocal_loss(torch, logits, target, alpha, gamma):
    """mmdetection's varifocal_loss with iou_weighted=True (its default) and
    reduction "mean", transcribed from open-mmlab/mmdetection
    mmdet/models/losses/varifocal_loss.py.

    BCE-with-logits against the target, weighted by the target where it is
    > 0 and by alpha |sigmoid(x) - target|**gamma where it is <= 0; the mean
    over every element.
    """
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    s = torch.sigmoid(logits)
    positive = (target > 0).to(logits.dtype)
    weight = target * positive + alpha * (s - target).abs().pow(gamma) * (
        1 - positive
    )
    return (bce(logits, target, reduction="none") * weight).mean()


@pytest.mark.parametrize("alpha, gamma", [(0.75, 2.0), (0.25, 1.5), (1.0, 0.0)])
def test_varifocal_matches_mmdetection_formula(alpha, gamma):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(17)
    shape = MATRIX
    target = _labels("quality", shape, -1, rng)
    logits = rng.normal(0.0, 3.0, size=shape).astype("float32")
    expected = _mmdet_varifocal_loss(
        torch,
        torch.tensor(logits, dtype=torch.float64),
        torch.tensor(target, dtype=torch.float64),
        alpha,
        gamma,
    ).item()
    # mmdetection's "mean" over anchors and classes is our mean over the
    # class axis, then Keras's "sum_over_batch_size" over the anchors.
    loss = keras_losses.VarifocalLoss(
        alpha=alpha, gamma=gamma, from_logits=True
    )
    assert_close(
        numpy(loss(target, logits)),
        expected,
        rtol=1e-5,
        atol=0.0,
        reference="mmdetection varifocal_loss formula (float64)",
        case=f"alpha={alpha} gamma={gamma}",
    )


@pytest.mark.parametrize("epsilon", [-1.0, 1.0, 2.0])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("labels", ["one_hot", "soft"])
@pytest.mark.parametrize("shape, axis", SHAPES)
def test_categorical_poly1_matches_optax(
    epsilon, smoothing, labels, shape, axis
):
    optax = pytest.importorskip("optax")
    rng = np.random.default_rng(19)
    logits = rng.normal(0.0, 3.0, size=shape).astype("float32")
    classes = shape[axis]
    if labels == "one_hot":
        y_true = _labels("categorical", shape, axis, rng)
    else:
        y_true = softmax(rng.normal(size=shape), axis).astype("float32")
    # optax takes the labels as given: smoothing is applied to them here.
    smoothed = (y_true * (1 - smoothing) + smoothing / classes).astype(
        "float32"
    )
    expected = np.asarray(
        optax.losses.poly_loss_cross_entropy(
            logits, smoothed, epsilon=epsilon, axis=axis
        ),
        dtype="float64",
    )
    actual = keras_losses.categorical_poly1_crossentropy(
        y_true,
        logits,
        epsilon=epsilon,
        from_logits=True,
        label_smoothing=smoothing,
        axis=axis,
    )
    case = f"{shape} axis={axis} epsilon={epsilon} s={smoothing} {labels}"
    assert_close(
        numpy(actual),
        expected,
        rtol=1e-5,
        atol=1e-6,
        reference="optax.losses.poly_loss_cross_entropy",
        case=case,
    )
    if labels == "one_hot":
        sparse = keras_losses.sparse_categorical_poly1_crossentropy(
            np.argmax(y_true, axis=axis),
            logits,
            epsilon=epsilon,
            from_logits=True,
            label_smoothing=smoothing,
            axis=axis,
        )
        assert_close(
            numpy(sparse),
            expected,
            rtol=1e-5,
            atol=1e-6,
            reference="optax.losses.poly_loss_cross_entropy",
            case=case + " sparse",
        )


# --- Settings that reduce to Keras's built-ins -----------------------------

KERAS_GRID = list(
    itertools.product(
        [False, True],  # from_logits
        [0.0, 0.2],  # label_smoothing
        ["sum_over_batch_size", None],
    )
)


@pytest.mark.parametrize("from_logits, smoothing, reduction", KERAS_GRID)
def test_zero_settings_equal_keras_builtins(from_logits, smoothing, reduction):
    rng = np.random.default_rng(23)
    common = dict(
        from_logits=from_logits, label_smoothing=smoothing, reduction=reduction
    )
    binary_true = _labels("binary", (6, 4), -1, rng)
    binary_pred = _predictions("binary", (6, 4), -1, from_logits, rng)
    labels = rng.integers(0, 4, size=6)
    categorical_pred = _predictions("categorical", (6, 4), -1, from_logits, rng)
    keras_bce = keras.losses.BinaryCrossentropy(**common)
    keras_cce = keras.losses.CategoricalCrossentropy(**common)
    sparse = keras_losses.SparseCategoricalPoly1Crossentropy(
        epsilon=0.0, **common
    )
    cases = [
        # Poly-1 with epsilon=0 is the cross-entropy.
        (
            keras_losses.BinaryPoly1Crossentropy(epsilon=0.0, **common),
            binary_true,
            keras_bce,
            binary_true,
            binary_pred,
        ),
        (
            keras_losses.CategoricalPoly1Crossentropy(epsilon=0.0, **common),
            one_hot(labels, 4, -1),
            keras_cce,
            one_hot(labels, 4, -1),
            categorical_pred,
        ),
        # Keras's sparse loss has no label_smoothing: with smoothing, its
        # categorical loss on the one-hot labels.
        (
            sparse,
            labels,
            keras_cce,
            one_hot(labels, 4, -1),
            categorical_pred,
        ),
        # ASL without focusing or clip is the binary cross-entropy.
        (
            keras_losses.AsymmetricLoss(
                gamma_pos=0.0, gamma_neg=0.0, clip=0.0, **common
            ),
            binary_true,
            keras_bce,
            binary_true,
            binary_pred,
        ),
    ]
    if not smoothing:
        cases.append(
            (
                sparse,
                labels,
                keras.losses.SparseCategoricalCrossentropy(
                    from_logits=from_logits, reduction=reduction
                ),
                labels,
                categorical_pred,
            )
        )
    for ours, our_labels, theirs, their_labels, y_pred in cases:
        assert_close(
            numpy(ours(our_labels, y_pred)),
            numpy(theirs(their_labels, y_pred)),
            rtol=1e-6,
            atol=1e-7,
            reference=f"keras.losses.{type(theirs).__name__}",
            case=f"{ours.name} {common}",
        )


def test_contract_seed_values_at_epsilon_zero():
    # CONTRACT point 6's seed values, through Poly-1 with epsilon=0.
    cce = keras_losses.CategoricalPoly1Crossentropy(epsilon=0.0)
    value = cce([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    np.testing.assert_allclose(numpy(value), 1.176939, atol=1e-6)
    bce = keras_losses.BinaryPoly1Crossentropy(epsilon=0.0)
    np.testing.assert_allclose(
        numpy(bce([[0], [1]], [[0.4], [0.6]])), 0.5108254, atol=1e-6
    )


# --- Gradients against finite differences of the reference ---------------

GRADIENT_SETTINGS = {
    "asymmetric": {"gamma_pos": 1.0, "gamma_neg": 2.5, "clip": 0.05},
    "binary_poly1": {"epsilon": 2.0, "label_smoothing": 0.1},
    "categorical_poly1": {"epsilon": 2.0, "label_smoothing": 0.1},
    "sparse_poly1": {"epsilon": -0.5, "label_smoothing": 0.1},
    "quality_focal": {"beta": 1.5},
    "varifocal": {"alpha": 0.75, "gamma": 1.5},
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("kind", sorted(LOSSES))
def test_gradient_matches_finite_differences(kind, from_logits, dtype):
    _skip_float64_on_plain_jax(dtype)
    function, _, formula, _, _ = LOSSES[kind]
    y_true, y_pred = _inputs(kind, MATRIX, -1, from_logits, seed=29)
    y_pred = y_pred.astype(dtype)
    kwargs = dict(GRADIENT_SETTINGS[kind], from_logits=from_logits)
    _, grad = value_and_grad(
        lambda x: keras.ops.sum(function(y_true, x, **kwargs)), y_pred
    )
    expected = finite_difference(
        lambda x: formula(y_true, x, dtype=dtype, **kwargs), y_pred
    )
    if dtype == "float32":
        rtol, atol = 1e-4, 1e-5
    else:
        rtol, atol = 1e-6, 1e-8
    assert_close(
        grad,
        expected,
        rtol=rtol,
        atol=atol,
        reference=f"float64 finite differences: {kind} gradient",
        case=f"from_logits={from_logits} {dtype}",
    )


# --- Extreme logits --------------------------------------------------------

EXTREME_SETTINGS = {
    "asymmetric": [
        {},
        {"gamma_pos": 1.0, "gamma_neg": 4.0, "clip": 0.0},
        {"gamma_pos": 0.5, "gamma_neg": 0.5, "clip": 1e-6},
    ],
    "binary_poly1": [{"epsilon": 1.0}, {"epsilon": -1.0}],
    "categorical_poly1": [{"epsilon": 1.0}, {"epsilon": -1.0}],
    "sparse_poly1": [{"epsilon": 1.0}, {"epsilon": 2.0}],
    "quality_focal": [{"beta": 2.0}, {"beta": 0.5}],
    "varifocal": [{}, {"alpha": 0.5, "gamma": 0.5}],
}
EXTREME_GRID = [
    (kind, index, scale)
    for kind in sorted(LOSSES)
    for index in range(len(EXTREME_SETTINGS[kind]))
    for scale in (20.0, 100.0, 1e4)
]


def _extreme_inputs(kind, scale, seed=41):
    """Confidently right, confidently wrong and tied logits at +-scale."""
    rng = np.random.default_rng(seed)
    shape = MATRIX
    logits = rng.choice([-1.0, 0.0, 1.0], size=shape) * scale
    label_kind = LOSSES[kind][3]
    if label_kind == "quality":
        y_true = rng.choice([0.0, 0.0, 0.3, 1.0], size=shape)
    else:
        y_true = _labels(label_kind, shape, -1, rng)
    return y_true, logits.astype("float32")


@pytest.mark.parametrize("kind, index, scale", EXTREME_GRID)
def test_extreme_logits_exact_and_finite(kind, index, scale):
    function, _, formula, _, _ = LOSSES[kind]
    y_true, logits = _extreme_inputs(kind, scale)
    kwargs = dict(EXTREME_SETTINGS[kind][index], from_logits=True)
    value, grad = value_and_grad(
        lambda x: keras.ops.sum(function(y_true, x, **kwargs)), logits
    )
    assert np.isfinite(value) and np.all(np.isfinite(grad))

    def losses(x):
        return formula(y_true, x, **kwargs)

    # Rounding error ~ 1e-16 * |loss| / step stays near 1e-7 at logits of
    # 1e4; truncation error ~ step**2 is negligible.
    expected_grad = finite_difference(losses, logits, step=1e-5)
    case = f"{kind} scale={scale} {kwargs}"
    assert_close(
        value,
        np.sum(losses(logits)),
        rtol=1e-5,
        atol=0.0,
        reference=f"float64 reference, extreme logits: {kind} loss",
        case=case,
    )
    assert_close(
        grad,
        expected_grad,
        rtol=1e-4,
        atol=1e-6,
        reference=f"float64 reference, extreme logits: {kind} gradient",
        case=case,
    )
    # A gradient that is not zero in exact arithmetic is not zero here.
    assert np.all((np.abs(expected_grad) > 1e-6) <= (grad != 0))


@pytest.mark.parametrize("margin", [5.0, 10.0, 15.0])
def test_confidently_right_losses_are_exact_not_zero(margin):
    """Every element right by about `margin`: its loss is a power of
    exp(-margin), not the 0 that 1 - sigmoid(x) rounding to 0 would give.

    The rows alternate all-positive and all-negative, so that a row's mean
    (one sample) holds terms of one order of magnitude only.
    """
    rng = np.random.default_rng(43)
    labels = np.repeat([[1.0], [0.0]], 3, axis=0) * np.ones(MATRIX)
    labels = labels.astype("float32")
    margins = margin + rng.uniform(0.0, 1.0, size=MATRIX)
    logits = np.where(labels == 1, margins, -margins).astype("float32")
    cases = {
        # Per element about exp(-2 margin) (positive, gamma_pos=1) and
        # exp(-5 margin) (negative, gamma_neg=4, no clip).
        "asymmetric": {"gamma_pos": 1.0, "gamma_neg": 4.0, "clip": 0.0},
        # exp(-3 margin) each: |y - s|**2 * BCE, y - s = exp(-margin).
        "quality_focal": {},
        # exp(-margin) (positive), alpha exp(-3 margin) (negative).
        "varifocal": {},
    }
    for kind, kwargs in cases.items():
        function, _, formula, _, _ = LOSSES[kind]
        kwargs = dict(kwargs, from_logits=True)
        expected = formula(labels, logits, **kwargs)
        assert np.all(expected > 0)
        assert_close(
            numpy(function(labels, logits, **kwargs)),
            expected,
            rtol=1e-5,
            atol=0.0,
            reference=f"float64 reference, confident logits: {kind}",
            case=f"margin={margin}",
        )
        _, grad = value_and_grad(
            lambda x, kwargs=kwargs, function=function: keras.ops.sum(
                function(labels, x, **kwargs)
            ),
            logits,
        )
        # Sums of exp(-k x) terms: relative finite-difference error
        # ~ (k step)**2 / 6 = 4e-8 for k = 5.
        expected_grad = finite_difference(
            lambda x, kwargs=kwargs, formula=formula: formula(
                labels, x, **kwargs
            ),
            logits,
            step=1e-4,
        )
        assert np.all(expected_grad != 0)
        np.testing.assert_allclose(
            grad, expected_grad, rtol=1e-4, atol=0.0, err_msg=kind
        )


@pytest.mark.parametrize("margin", [20.0, 50.0, 80.0])
def test_poly1_complement_is_exp_of_minus_margin(margin):
    # 1 - p_t of a confidently right logit is exp(-margin) / (1 +
    # exp(-margin)) (binary) or 3 exp(-margin) / (1 + 3 exp(-margin))
    # (softmax of [margin, 0, 0, 0]), far below float32's 6e-8, where
    # 1 - sigmoid or 1 - softmax would round to 0. The Poly-1 term is the
    # difference of epsilon=1 and epsilon=0 (the same cross-entropy), its
    # gradient the difference of the gradients.
    rows, classes = MATRIX
    binary_true = np.repeat([[1.0], [0.0]], rows // 2, axis=0) * np.ones(MATRIX)
    binary_true = binary_true.astype("float32")
    binary_pred = np.where(binary_true == 1, margin, -margin).astype("float32")
    tail = math.exp(-margin)
    sig = tail / (1 + tail)  # sigmoid(-margin)
    # d(1 - p_t)/dx = -p (1 - p) for y=1, +p (1 - p) for y=0; the mean
    # over the 4 elements of a row divides by 4.
    binary_grad = np.where(binary_true == 1, -1.0, 1.0) * sig * (1 - sig) / 4
    labels = np.arange(rows) % classes
    classes_pred = np.where(
        np.arange(classes) == labels[:, None], margin, 0.0
    ).astype("float32")
    p_top = 1 / (1 + (classes - 1) * tail)
    rest = (classes - 1) * tail * p_top
    # Softmax: d(1 - p_k)/dx_j = -p_k (delta_kj - p_j) for the labelled k:
    # -p_k (1 - p_k) at j = k, p_k p_j (p_j = exp(-margin) p_k) elsewhere.
    softmax_grad = np.where(
        np.arange(classes) == labels[:, None],
        -p_top * rest,
        p_top * tail * p_top,
    )
    cases = [
        (
            keras_losses.binary_poly1_crossentropy,
            binary_true,
            binary_pred,
            np.full(rows, sig),
            binary_grad,
        ),
        (
            keras_losses.categorical_poly1_crossentropy,
            one_hot(labels, classes, -1),
            classes_pred,
            np.full(rows, rest),
            softmax_grad,
        ),
        (
            keras_losses.sparse_categorical_poly1_crossentropy,
            labels,
            classes_pred,
            np.full(rows, rest),
            softmax_grad,
        ),
    ]
    for function, y_true, y_pred, complement, complement_grad in cases:

        def total(x, epsilon, function=function, y_true=y_true):
            return keras.ops.sum(
                function(y_true, x, epsilon=epsilon, from_logits=True)
            )

        _, grad_with = value_and_grad(lambda x: total(x, 1.0), y_pred)
        _, grad_without = value_and_grad(lambda x: total(x, 0.0), y_pred)
        per_sample = numpy(
            function(y_true, y_pred, epsilon=1.0, from_logits=True)
        ) - numpy(function(y_true, y_pred, epsilon=0.0, from_logits=True))
        np.testing.assert_allclose(
            per_sample, complement, rtol=1e-5, err_msg=function.__name__
        )
        np.testing.assert_allclose(
            grad_with - grad_without,
            complement_grad,
            rtol=1e-5,
            err_msg=function.__name__,
        )
        assert np.all(grad_with != 0)


def test_asymmetric_shift_exact_where_sigmoid_rounds_to_one():
    # Negatives with p = sigmoid(x) that float32 rounds to 1 (x >= 17) and a
    # clip of 1e-6: 1 - p_m = (1 - p) + clip, exactly, which 1 - (p - clip)
    # would round to 1e-6 (an error of 2e-3 at x = 20, 1e-4 relative in the
    # loss). Its derivative d/dx -log(1 - p_m) = p (1 - p) / ((1 - p) +
    # clip) is not 0 either.
    clip = 1e-6
    x = np.linspace(14.0, 30.0, MATRIX[0] * MATRIX[1]).reshape(MATRIX)
    x = x.astype("float32")
    y = np.zeros(MATRIX, dtype="float32")
    kwargs = dict(gamma_neg=0.0, clip=clip, from_logits=True)
    value, grad = value_and_grad(
        lambda x: keras.ops.sum(keras_losses.asymmetric_loss(y, x, **kwargs)),
        x,
    )
    x64 = x.astype("float64")
    q = np.exp(-x64) / (1 + np.exp(-x64))  # 1 - p
    elements = -np.log(q + clip)
    np.testing.assert_allclose(value, elements.mean(axis=-1).sum(), rtol=1e-6)
    np.testing.assert_allclose(
        grad, (1 - q) * q / (q + clip) / MATRIX[1], rtol=1e-5, atol=0.0
    )
    # With gamma_neg = 4 the weight p_m**4 = (1 - clip - (1 - p))**4 is ~1.
    kwargs["gamma_neg"] = 4.0
    np.testing.assert_allclose(
        numpy(keras_losses.asymmetric_loss(y, x, **kwargs)),
        reference.asymmetric_loss(y, x, **kwargs),
        rtol=1e-5,
    )


# --- Sparse labels: ignore_class, bad labels, any class axis --------------


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_ignore_class_as_keras(reduction, from_logits):
    rng = np.random.default_rng(47)
    labels = rng.integers(0, MATRIX[1], size=MATRIX[0])
    labels[[0, 3]] = 255
    y_pred = _predictions("sparse", MATRIX, -1, from_logits, rng)
    common = dict(
        from_logits=from_logits, ignore_class=255, reduction=reduction
    )
    # epsilon=0: Keras's sparse cross-entropy, its mask and mean included.
    ours = keras_losses.SparseCategoricalPoly1Crossentropy(
        epsilon=0.0, **common
    )
    theirs = keras.losses.SparseCategoricalCrossentropy(**common)
    assert_close(
        numpy(ours(labels, y_pred)),
        numpy(theirs(labels, y_pred)),
        rtol=1e-6,
        atol=1e-7,
        reference="keras.losses.SparseCategoricalCrossentropy(ignore_class)",
        case=f"{common}",
    )
    # epsilon=1: 0 at the ignored elements, which the mean leaves out.
    values = numpy(
        keras_losses.sparse_categorical_poly1_crossentropy(
            labels, y_pred, from_logits=from_logits, ignore_class=255
        )
    )
    kept = labels != 255
    assert np.all(values[~kept] == 0.0) and np.all(values[kept] > 0)
    expected = reference.sparse_categorical_poly1_crossentropy(
        labels, y_pred, from_logits=from_logits, ignore_class=255
    )
    if reduction == "sum_over_batch_size":
        expected = expected.sum() / kept.sum()
    elif reduction == "sum":
        expected = expected.sum()
    loss = keras_losses.SparseCategoricalPoly1Crossentropy(**common)
    np.testing.assert_allclose(
        numpy(loss(labels, y_pred)), expected, rtol=1e-5, atol=1e-7
    )


@pytest.mark.parametrize("ignore_class", [None, 255, -1])
@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_out_of_range_labels_give_nan(ignore_class, from_logits):
    rng = np.random.default_rng(53)
    labels = rng.integers(0, MATRIX[1], size=MATRIX[0])
    labels[1] = MATRIX[1]  # == classes
    labels[4] = -2  # negative, not ignored
    if ignore_class is not None:
        labels[0] = ignore_class
    y_pred = _predictions("sparse", MATRIX, -1, from_logits, rng)
    values = numpy(
        keras_losses.sparse_categorical_poly1_crossentropy(
            labels, y_pred, from_logits=from_logits, ignore_class=ignore_class
        )
    )
    bad = np.zeros(labels.shape, dtype=bool)
    bad[[1, 4]] = True
    assert np.all(np.isnan(values[bad]))
    assert np.all(np.isfinite(values[~bad]))
    if ignore_class is not None:
        assert values[0] == 0.0
    expected = reference.sparse_categorical_poly1_crossentropy(
        labels, y_pred, from_logits=from_logits, ignore_class=ignore_class
    )
    np.testing.assert_allclose(values, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("axis", [0, 1])  # -1: the other sparse tests
def test_sparse_any_class_axis(axis, smoothing, from_logits):
    rng = np.random.default_rng(59)
    shape = SHAPES[1][0]
    classes = shape[axis]
    y_pred = _predictions("sparse", shape, axis, from_logits, rng)
    labels = rng.integers(0, classes, size=np.delete(shape, axis))
    labels.flat[0] = 99  # ignored
    labels.flat[1] = classes  # out of range
    kwargs = dict(
        from_logits=from_logits,
        label_smoothing=smoothing,
        epsilon=1.5,
        ignore_class=99,
        axis=axis,
    )
    expected = reference.sparse_categorical_poly1_crossentropy(
        labels, y_pred, **kwargs
    )
    # Labels with or without a size-1 class axis.
    for y_true in (labels, np.expand_dims(labels, axis)):
        actual = keras_losses.sparse_categorical_poly1_crossentropy(
            y_true, y_pred, **kwargs
        )
        np.testing.assert_allclose(
            numpy(actual), expected, rtol=1e-5, atol=1e-7
        )
    assert numpy(actual).flat[0] == 0.0 and np.isnan(numpy(actual).flat[1])
    # Away from the bad labels, the categorical loss on one-hot labels.
    valid = labels.copy()
    valid.flat[:2] = 0
    dense = keras_losses.categorical_poly1_crossentropy(
        one_hot(valid, classes, axis),
        y_pred,
        **{k: v for k, v in kwargs.items() if k != "ignore_class"},
    )
    np.testing.assert_allclose(
        numpy(dense).flat[2:], expected.flat[2:], rtol=1e-5, atol=1e-7
    )


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("kind", sorted(LOSSES))
def test_nan_prediction_propagates(kind, from_logits, backend):
    function, _, _, _, _ = LOSSES[kind]
    y_true, y_pred = _inputs(kind, MATRIX, -1, from_logits, seed=61)
    y_pred[1, 0] = np.nan
    if kind == "binary_poly1" and not from_logits and backend == "torch":
        # Keras's torch kernel for probabilities refuses NaN: loud too.
        with pytest.raises(RuntimeError, match="between 0 and 1"):
            function(y_true, y_pred, from_logits=from_logits)
        return
    loss = numpy(function(y_true, y_pred, from_logits=from_logits))
    assert np.isnan(loss[1]) and np.all(np.isfinite(np.delete(loss, 1)))


# --- class_balanced_weights ------------------------------------------------


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99, 0.999, 0.9999])
@pytest.mark.parametrize(
    "counts", [[1000, 100, 10], [5, 5], [1, 2, 3, 4000, 7], [12.5, 3.0]]
)
def test_class_balanced_weights_formula(counts, beta):
    weights = keras_losses.class_balanced_weights(counts, beta=beta)
    expected = reference.class_balanced_weights(counts, beta)
    np.testing.assert_allclose(weights, expected, rtol=1e-10)
    np.testing.assert_allclose(sum(weights), len(counts), rtol=1e-12)
    # Fewer samples, larger weight.
    order = np.argsort(counts, kind="stable")
    assert np.all(np.diff(np.asarray(weights)[order]) <= 1e-12)


def test_class_balanced_weights_limits():
    counts = [1000, 100, 10, 1]
    assert keras_losses.class_balanced_weights(counts, beta=0.0) == [1.0] * 4
    # beta -> 1: E_n -> n, the weights inverse class frequency.
    inverse = 1 / np.asarray(counts, dtype="float64")
    inverse *= len(counts) / inverse.sum()
    for beta, rtol in ((1 - 1e-6, 1e-3), (1 - 1e-9, 1e-6), (1 - 1e-12, 1e-8)):
        np.testing.assert_allclose(
            keras_losses.class_balanced_weights(counts, beta=beta),
            inverse,
            rtol=rtol,
        )
    # The default is Cui et al.'s beta = 0.999.
    np.testing.assert_allclose(
        keras_losses.class_balanced_weights(counts),
        reference.class_balanced_weights(counts, 0.999),
        rtol=1e-10,
    )
    # NumPy counts and beta are taken too (a float32 beta to float32
    # precision: the user's own rounding of it).
    np.testing.assert_allclose(
        keras_losses.class_balanced_weights(
            np.array([3, 30]), beta=np.float32(0.5)
        ),
        reference.class_balanced_weights([3, 30], 0.5),
        rtol=1e-6,
    )


BAD_COUNTS = [
    [0, 5],
    [-1, 5],
    [],
    [[1, 2], [3, 4]],
    "abc",
    ["a", "b"],
    [1.0, float("nan")],
    [1.0, float("inf")],
    None,
    7,
]
BAD_BETAS = [1, 1.0, -0.1, 1.5, "0.9", True, None, float("nan")]


@pytest.mark.parametrize("counts", BAD_COUNTS, ids=repr)
def test_class_balanced_weights_bad_counts(counts):
    with pytest.raises(ValueError, match="`counts` must be") as error:
        keras_losses.class_balanced_weights(counts, beta=0.9)
    assert f"Received: counts={counts!r}" in str(error.value)


@pytest.mark.parametrize("beta", BAD_BETAS, ids=repr)
def test_class_balanced_weights_bad_beta(beta):
    with pytest.raises(ValueError, match="`beta` must be") as error:
        keras_losses.class_balanced_weights([10, 20], beta=beta)
    assert f"Received: beta={beta!r}" in str(error.value)


@pytest.mark.parametrize("from_logits", [False, True])
def test_class_balanced_weights_as_per_class_weights(from_logits):
    rng = np.random.default_rng(67)
    counts = [1000, 100, 10, 1]
    weights = keras_losses.class_balanced_weights(counts, beta=0.99)
    labels = rng.integers(0, len(counts), size=MATRIX[0])
    y_true = one_hot(labels, len(counts), -1)
    y_pred = _predictions("categorical", MATRIX, -1, from_logits, rng)
    focal = keras_losses.CategoricalFocalCrossentropy(
        alpha=weights, from_logits=from_logits, reduction=None
    )
    np.testing.assert_allclose(
        numpy(focal(y_true, y_pred)),
        reference.categorical_focal_crossentropy(
            y_true, y_pred, alpha=weights, from_logits=from_logits
        ),
        rtol=1e-5,
        atol=1e-7,
    )
    weighted = keras_losses.CategoricalCrossentropy(
        class_weight=weights, from_logits=from_logits, reduction=None
    )
    expected = reference.categorical_crossentropy(
        y_true, y_pred, from_logits=from_logits, class_weight=weights
    )
    np.testing.assert_allclose(
        numpy(weighted(y_true, y_pred)), expected, rtol=1e-5, atol=1e-7
    )
    # One-hot labels: each sample's cross-entropy times its class's weight.
    plain = reference.categorical_crossentropy(
        y_true, y_pred, from_logits=from_logits
    )
    np.testing.assert_allclose(
        expected, np.asarray(weights)[labels] * plain, rtol=1e-12
    )
