"""Classification losses for imbalance, noisy labels and detection heads.

Asymmetric loss (ASL) for multi-label classification, Poly-1 cross-entropy
for binary, categorical and sparse labels, quality focal loss (QFL) and
varifocal loss (VFL) for IoU-aware classification scores, and the
class-balanced weights of the effective number of samples.

With `from_logits=True` every loss here stays in log space: `log p` and
`log(1 - p)` are `log_sigmoid(x)` and `log_sigmoid(-x)`, `1 - p` is
`sigmoid(-x)`, and a softmax class's `1 - p` is the other classes' mass
(`keras_losses._focal_logits`), so nothing rounds to 0 or 1 for logits up to
+-1e4. Probabilities are clipped to `[epsilon, 1 - epsilon]` as Keras clips
them. Like Keras's binary losses, the element losses are averaged over
`axis` (one loss per sample); the reference implementations sum over
classes (timm, mmdetection): their per-sample value is ours times the
number of classes.
"""

import numpy as np
from keras import ops

from keras_losses import _focal_logits
from keras_losses import _logspace
from keras_losses import _tensors
from keras_losses._base import FunctionLoss
from keras_losses._validation import boolean
from keras_losses._validation import hyperparameters
from keras_losses._validation import integer
from keras_losses._validation import optional_integer
from keras_losses._validation import real_at_least
from keras_losses._validation import real_in
from keras_losses._validation import validate
from keras_losses.crossentropy import binary_crossentropy
from keras_losses.crossentropy import categorical_crossentropy
from keras_losses.crossentropy import sparse_crossentropy_of_targets


def _sigmoid_terms(y_pred, from_logits):
    """`(p, 1 - p, log p, log(1 - p))` of logits or (clipped) probabilities."""
    if from_logits:
        return (
            ops.sigmoid(y_pred),
            ops.sigmoid(-y_pred),
            ops.log_sigmoid(y_pred),
            ops.log_sigmoid(-y_pred),
        )
    p = _logspace.clip(y_pred)
    return p, 1.0 - p, ops.log(p), ops.log1p(-p)


def _power(base, exponent, log_base=None):
    """`base ** exponent` for `base >= 0`, with a finite gradient at 0.

    Exponent 0 is 1 (also at base 0) and 2 a product; otherwise
    `exp(exponent * log base)` (from `log_base` where given: exact for
    logits), and 0 with gradient 0 where the base is exactly 0 (its
    derivative there is infinite for an exponent below 1).
    """
    if exponent == 0:
        return ops.ones_like(base)
    if exponent == 2:
        return ops.square(base)
    zero = base == 0
    if log_base is None:
        log_base = ops.log(ops.where(zero, 1.0, base))
    return ops.where(
        zero, 0.0, ops.exp(exponent * ops.where(zero, 0.0, log_base))
    )


@hyperparameters(
    gamma_pos=real_at_least(0),
    gamma_neg=real_at_least(0),
    clip=real_in(0, 1),
    from_logits=boolean,
    label_smoothing=real_in(0, 1),
    axis=integer,
)
def asymmetric_loss(
    y_true,
    y_pred,
    *,
    gamma_pos=0.0,
    gamma_neg=4.0,
    clip=0.05,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    """Asymmetric loss (ASL) for multi-label classification (Ridnik et al.).

    With `p` the predicted probability of a label and the negatives' shifted
    probability `p_m = max(p - clip, 0)` (the probability margin), each
    element's loss is

        -y * (1 - p) ** gamma_pos * log(p)
        - (1 - y) * p_m ** gamma_neg * log(1 - p_m)

    averaged over `axis`: easy negatives (`p <= clip`) are discarded and the
    others down-weighted harder than the positives. The defaults are the
    paper's (`gamma_pos=0`, `gamma_neg=4`, `clip=0.05`; timm's default
    `gamma_pos` is 1). For hard labels timm's `AsymmetricLossMultiLabel`
    computes the same terms (its `clip` is this margin) and sums them over
    the classes: its `reduction="batchmean"` (the default from timm
    1.0.31) is ours times the number of classes along `axis`, its `"sum"`
    (before 1.0.31 the only one) ours with `reduction="sum"` times that
    number. For soft (or smoothed) labels timm applies one
    mixed focusing factor to both terms; here each term keeps its own.
    With `gamma_pos=gamma_neg=clip=0` it is the binary cross-entropy.

    With `from_logits=True`, `log p = log_sigmoid(x)`,
    `1 - p = sigmoid(-x)` and `log(1 - p_m) = log(sigmoid(-x) + clip)`:
    exact where the sigmoid rounds to 0 or 1. Probabilities are clipped to
    `[epsilon, 1 - epsilon]`, as Keras clips them.

    Args:
        y_true: Labels in [0, 1], the shape of `y_pred`.
        y_pred: Predicted probabilities, or logits if `from_logits=True`.
        gamma_pos: Focusing parameter >= 0 of the positives. Defaults to 0.
        gamma_neg: Focusing parameter >= 0 of the negatives. Defaults to 4.
        clip: Probability margin in [0, 1] shifting the negatives. Defaults
            to 0.05.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; squeezes labels towards 0.5.
        axis: The axis along which the mean is taken. Defaults to -1.

    Returns:
        The per-sample loss: `y_pred`'s shape without `axis`.

    References:
        Ridnik, Ben-Baruch, Zamir, Noy, Friedman, Protter and Zelnik-Manor,
        "Asymmetric Loss For Multi-Label Classification", ICCV 2021, eq. 1-6.

    Examples:
        >>> loss = keras_losses.asymmetric_loss([[1.0, 0.0]], [[0.8, 0.3]])
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.1121]
    """
    validate(asymmetric_loss, locals())
    y_true, y_pred, dtype = _tensors.paired_inputs(y_true, y_pred, axis)
    y_true = _tensors.smooth_binary_labels(y_true, label_smoothing)
    p, not_p, log_p, log_not_p = _sigmoid_terms(y_pred, from_logits)
    positive = -_power(not_p, gamma_pos, log_not_p) * log_p
    if clip:
        # p_m = p - clip where positive; there 1 - p_m = (1 - p) + clip, a
        # sum of positive terms. Elsewhere p_m = 0 and the term is 0.
        kept = p > clip
        shifted = ops.where(kept, p - clip, 0.0)
        log_not_shifted = ops.where(kept, ops.log(not_p + clip), 0.0)
        negative = -_power(shifted, gamma_neg) * log_not_shifted
    else:
        negative = -_power(p, gamma_neg, log_p) * log_not_p
    loss = y_true * positive + (1.0 - y_true) * negative
    return ops.cast(_tensors.mean(loss, axis), dtype)


def _binary_complement_of_target(y_true, p, not_p):
    """`1 - p_t = y (1 - p) + (1 - y) p`: a sum of terms >= 0, exact."""
    return y_true * not_p + (1.0 - y_true) * p


_POLY = dict(
    epsilon=real_at_least(-1),
    from_logits=boolean,
    label_smoothing=real_in(0, 1),
)


@hyperparameters(**_POLY, axis=integer)
def binary_poly1_crossentropy(
    y_true,
    y_pred,
    *,
    epsilon=1.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    """Poly-1 binary cross-entropy (Leng et al.): `BCE + epsilon * (1 - p_t)`.

    With `y` the (smoothed) label, `p` the predicted probability and
    `1 - p_t = y * (1 - p) + (1 - y) * p`, each element's loss is

        -(y * log(p) + (1 - y) * log(1 - p)) + epsilon * (1 - p_t)

    averaged over `axis`: the cross-entropy with its first polynomial
    coefficient raised by `epsilon` (the paper's Poly-1). `epsilon=0` is
    `keras_losses.binary_crossentropy`. With logits, `1 - p_t` is
    `y * sigmoid(-x) + (1 - y) * sigmoid(x)`, exact for confident logits.

    Args:
        y_true: Labels in [0, 1], the shape of `y_pred`.
        y_pred: Predicted probabilities, or logits if `from_logits=True`.
        epsilon: The Poly-1 coefficient, >= -1 (the loss stays >= 0).
            Defaults to 1.0 (Leng et al.).
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; squeezes labels towards 0.5.
        axis: The axis along which the mean is taken. Defaults to -1.

    Returns:
        The per-sample loss: `y_pred`'s shape without `axis`.

    References:
        Leng, Xu, Tan, Yang, Cheng, Jiang, Xie and Anguelov, "PolyLoss: A
        Polynomial Expansion Perspective of Classification Loss
        Functions", ICLR 2022, eq. 3.

    Examples:
        >>> loss = keras_losses.binary_poly1_crossentropy([[1.0]], [[0.8]])
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.4231]
    """
    validate(binary_poly1_crossentropy, locals())
    cross_entropy = binary_crossentropy(
        y_true,
        y_pred,
        from_logits=from_logits,
        label_smoothing=label_smoothing,
        axis=axis,
    )
    y_true, y_pred, dtype = _tensors.paired_inputs(y_true, y_pred, axis)
    y_true = _tensors.smooth_binary_labels(y_true, label_smoothing)
    p, not_p, _, _ = _sigmoid_terms(y_pred, from_logits)
    complement = _binary_complement_of_target(y_true, p, not_p)
    poly = epsilon * _tensors.mean(complement, axis)
    return ops.cast(ops.cast(cross_entropy, poly.dtype) + poly, dtype)


def _softmax_complement(y_pred, from_logits, axis):
    """`1 - p_c` along `axis`: exact from logits; as Keras for
    probabilities (normalised, clipped)."""
    if from_logits:
        return _focal_logits.softmax_complement(y_pred, axis)
    p = y_pred / ops.sum(y_pred, axis=axis, keepdims=True)
    return 1.0 - _logspace.clip(p)


@hyperparameters(**_POLY, axis=integer)
def categorical_poly1_crossentropy(
    y_true,
    y_pred,
    *,
    epsilon=1.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    """Poly-1 categorical cross-entropy (Leng et al.): `CE + epsilon (1 - p_t)`.

    With `y_c` the (smoothed) label and `p_c` the predicted probability of
    class `c` along `axis`,

        loss = -sum_c y_c * log(p_c) + epsilon * sum_c y_c * (1 - p_c)

    which for one-hot labels is `CE + epsilon * (1 - p_t)` (eq. 3), and for
    soft or smoothed labels is optax's `poly_loss_cross_entropy`.
    `epsilon=0` is `keras_losses.categorical_crossentropy`. With logits,
    `1 - p_c` is exact for a confident class (the other classes' mass).

    Args:
        y_true: One-hot or soft labels, the shape of `y_pred`.
        y_pred: Predicted probabilities, or logits if `from_logits=True`.
        epsilon: The Poly-1 coefficient, >= -1. Defaults to 1.0.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; mixes the labels with the uniform
            distribution over the `C` classes along `axis`.
        axis: The class axis. Defaults to -1.

    Returns:
        The per-sample loss: `y_pred`'s shape without `axis`.

    References:
        Leng et al., "PolyLoss: A Polynomial Expansion Perspective of
        Classification Loss Functions", ICLR 2022, eq. 3.

    Examples:
        >>> loss = keras_losses.categorical_poly1_crossentropy(
        ...     [[0.0, 1.0, 0.0]], [[0.1, 0.8, 0.1]]
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.4231]
    """
    validate(categorical_poly1_crossentropy, locals())
    cross_entropy = categorical_crossentropy(
        y_true,
        y_pred,
        from_logits=from_logits,
        label_smoothing=label_smoothing,
        axis=axis,
    )
    y_true, y_pred, class_axis, dtype = _tensors.categorical_inputs(
        y_true, y_pred, axis
    )
    y_true = _tensors.smooth_labels(y_true, y_pred, class_axis, label_smoothing)
    complement = _softmax_complement(y_pred, from_logits, class_axis)
    poly = epsilon * ops.sum(y_true * complement, axis=class_axis)
    return ops.cast(ops.cast(cross_entropy, poly.dtype) + poly, dtype)


@hyperparameters(**_POLY, ignore_class=optional_integer, axis=integer)
def sparse_categorical_poly1_crossentropy(
    y_true,
    y_pred,
    *,
    epsilon=1.0,
    from_logits=False,
    label_smoothing=0.0,
    ignore_class=None,
    axis=-1,
):
    """Poly-1 cross-entropy with integer labels (Leng et al.).

    `categorical_poly1_crossentropy` on the one-hot labels, without building
    them: with `k` the label and `C` classes,

        loss = CE + epsilon * ((1 - s) * (1 - p_k) + s * (C - 1) / C)

    where `CE` is `keras_losses.sparse_categorical_crossentropy` with the
    same `label_smoothing` `s` (the smoothed labels' `sum_c y_c (1 - p_c)`,
    since the probabilities sum to 1). A label outside `[0, C)` that is not
    `ignore_class` gives NaN; an ignored one 0, masked out of the mean.

    Args:
        y_true: Integer class indices, `y_pred`'s shape without `axis` (or
            with a 1 in its place).
        y_pred: Predicted probabilities, or logits if `from_logits=True`.
        epsilon: The Poly-1 coefficient, >= -1. Defaults to 1.0.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1], as in the categorical loss.
        ignore_class: Optional int: a label value whose elements are masked
            out of the loss.
        axis: The class axis of `y_pred`. Defaults to -1.

    Returns:
        The per-element loss: `y_pred`'s shape without `axis`.

    References:
        Leng et al., "PolyLoss: A Polynomial Expansion Perspective of
        Classification Loss Functions", ICLR 2022, eq. 3.

    Examples:
        >>> loss = keras_losses.sparse_categorical_poly1_crossentropy(
        ...     [1], [[0.1, 0.8, 0.1]]
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.4231]
    """
    validate(sparse_categorical_poly1_crossentropy, locals())
    targets = _tensors.sparse_targets(y_true, y_pred, axis, ignore_class)
    loss = sparse_crossentropy_of_targets(
        targets, from_logits, label_smoothing, None
    )
    if from_logits:
        poly = _focal_logits.label_complement(targets.y_pred, targets.labels)
    else:
        complement = _softmax_complement(targets.y_pred, False, -1)
        poly = _tensors.take_class(complement, targets.labels)
    if label_smoothing:
        classes = ops.cast(_tensors.num_classes(targets.y_pred, -1), poly.dtype)
        poly = (1.0 - label_smoothing) * poly + label_smoothing * (
            1.0 - 1.0 / classes
        )
    return _tensors.finish_sparse(loss + epsilon * poly, targets)


@hyperparameters(beta=real_at_least(0), from_logits=boolean, axis=integer)
def quality_focal_loss(y_true, y_pred, *, beta=2.0, from_logits=False, axis=-1):
    """Quality focal loss (GFL, Li et al., eq. 5) for IoU-aware scores.

    With `y` in [0, 1] the quality target of a class (the IoU of the
    anchor's box with its object at the object's class, 0 elsewhere) and
    `s` the predicted score, each element's loss is

        |y - s| ** beta * -(y * log(s) + (1 - y) * log(1 - s))

    averaged over `axis`. mmdetection's `quality_focal_loss` sums over the
    classes: its per-anchor value is ours times the number of classes.
    With logits, `y - s` is `y * sigmoid(-x) - (1 - y) * sigmoid(x)` and the
    cross-entropy Keras's stable one: exact for logits up to +-1e4. Where
    `y - s` is exactly 0 the factor's gradient is taken as 0 (it is
    infinite for `beta < 1`).

    Args:
        y_true: Quality targets in [0, 1], the shape of `y_pred`.
        y_pred: Predicted scores, or logits if `from_logits=True`.
        beta: Focusing parameter >= 0. Defaults to 2.0 (Li et al.).
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        axis: The axis along which the mean is taken. Defaults to -1.

    Returns:
        The per-sample loss: `y_pred`'s shape without `axis`.

    References:
        Li, Wang, Wu, Chen, Hu, Li, Tang and Yang, "Generalized Focal Loss:
        Learning Qualified and Distributed Bounding Boxes for Dense Object
        Detection", NeurIPS 2020, eq. 5.

    Examples:
        >>> loss = keras_losses.quality_focal_loss([[0.8, 0.0]], [[0.6, 0.2]])
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.0163]
    """
    validate(quality_focal_loss, locals())
    y_true, y_pred, dtype = _tensors.paired_inputs(y_true, y_pred, axis)
    p, not_p, log_p, log_not_p = _sigmoid_terms(y_pred, from_logits)
    gap = ops.abs(y_true * not_p - (1.0 - y_true) * p)
    cross_entropy = -(y_true * log_p + (1.0 - y_true) * log_not_p)
    loss = _power(gap, beta) * cross_entropy
    return ops.cast(_tensors.mean(loss, axis), dtype)


@hyperparameters(
    alpha=real_at_least(0),
    gamma=real_at_least(0),
    from_logits=boolean,
    axis=integer,
)
def varifocal_loss(
    y_true, y_pred, *, alpha=0.75, gamma=2.0, from_logits=False, axis=-1
):
    """Varifocal loss (VarifocalNet, Zhang et al., eq. 2).

    With `q` in [0, 1] the target (the IoU of the anchor's box with its
    object at the object's class, 0 elsewhere) and `p` the predicted
    score, each element's loss is

        -q * (q * log(p) + (1 - q) * log(1 - p))     if q > 0
        -alpha * p ** gamma * log(1 - p)             if q = 0

    averaged over `axis`: positives weighted by their own quality, only the
    negatives focally down-weighted. mmdetection's `varifocal_loss` (with
    `iou_weighted=True`, its default) computes the same terms and averages
    over every element. With logits, `log p`, `log(1 - p)` and `p ** gamma`
    come from `log_sigmoid`: exact for logits up to +-1e4.

    Args:
        y_true: Targets in [0, 1], the shape of `y_pred`.
        y_pred: Predicted scores, or logits if `from_logits=True`.
        alpha: Weight >= 0 of the negatives. Defaults to 0.75 (Zhang et al.).
        gamma: Focusing parameter >= 0 of the negatives. Defaults to 2.0.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        axis: The axis along which the mean is taken. Defaults to -1.

    Returns:
        The per-sample loss: `y_pred`'s shape without `axis`.

    References:
        Zhang, Wang, Dayoub and Sunderhauf, "VarifocalNet: An IoU-aware
        Dense Object Detector", CVPR 2021, eq. 2.

    Examples:
        >>> loss = keras_losses.varifocal_loss([[0.8, 0.0]], [[0.6, 0.2]])
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.2401]
    """
    validate(varifocal_loss, locals())
    y_true, y_pred, dtype = _tensors.paired_inputs(y_true, y_pred, axis)
    p, _, log_p, log_not_p = _sigmoid_terms(y_pred, from_logits)
    cross_entropy = -(y_true * log_p + (1.0 - y_true) * log_not_p)
    negative = alpha * _power(p, gamma, log_p) * -log_not_p
    loss = ops.where(y_true > 0, y_true * cross_entropy, negative)
    return ops.cast(_tensors.mean(loss, axis), dtype)


def class_balanced_weights(counts, beta=0.999):
    """Per-class weights from the effective number of samples (Cui et al.).

    A class with `n` samples has the effective number
    `E_n = (1 - beta**n) / (1 - beta)` and the weight `1 / E_n`; the weights
    are then scaled to sum to the number of classes, as the paper does, so
    that the loss keeps its scale. `beta=0` gives equal weights; `beta -> 1`
    inverse class frequency. The result is a list of Python floats, which
    every loss with per-class weights takes: `class_weight` of the
    cross-entropies, per-class `alpha` of the categorical focal losses.

    Args:
        counts: The number of training samples of each class: a non-empty
            1-D sequence of numbers > 0.
        beta: Float in [0, 1). Defaults to 0.999 (a choice of Cui et al.).

    Returns:
        A list with one weight per class, summing to the number of classes.

    References:
        Cui, Jia, Lin, Song and Belongie, "Class-Balanced Loss Based on
        Effective Number of Samples", CVPR 2019, eq. 3 and section 4.

    Examples:
        >>> weights = keras_losses.class_balanced_weights(
        ...     [1000, 100, 10], beta=0.99
        ... )
        >>> print(np.round(weights, 4))
        [0.2301 0.363  2.4068]
        >>> loss = keras_losses.CategoricalFocalCrossentropy(alpha=weights)
    """
    try:
        array = np.asarray(counts, dtype="float64")
    except (TypeError, ValueError):
        array = None
    if (
        isinstance(counts, (str, bytes))
        or array is None
        or array.ndim != 1
        or array.size == 0
        or not np.all(np.isfinite(array))
        or np.any(array <= 0)
    ):
        raise ValueError(
            "`counts` must be a non-empty 1-D sequence of finite numbers > 0 "
            f"(samples per class). Received: counts={counts!r}"
        )
    if (
        not isinstance(beta, (int, float, np.floating))
        or isinstance(beta, bool)
        or not 0 <= beta < 1
    ):
        raise ValueError(
            f"`beta` must be a number in [0, 1). Received: beta={beta!r}"
        )
    # 1 - beta**n as -expm1(n log beta): accurate for beta near 1.
    if beta == 0:
        effective = np.ones_like(array)
    else:
        effective = -np.expm1(array * np.log(beta)) / (1.0 - beta)
    weights = 1.0 / effective
    return [float(w) for w in weights * (array.size / weights.sum())]


class AsymmetricLoss(FunctionLoss):
    """Asymmetric loss (ASL) for multi-label classification (Ridnik et al.).

    Positives `-(1 - p) ** gamma_pos * log(p)`, negatives
    `-p_m ** gamma_neg * log(1 - p_m)` with `p_m = max(p - clip, 0)`,
    averaged over `axis`. timm's `AsymmetricLossMultiLabel` sums over the
    classes instead (ours times their number, for hard labels). See
    `keras_losses.asymmetric_loss`.

    Args:
        gamma_pos: Focusing parameter of the positives. Defaults to 0.
        gamma_neg: Focusing parameter of the negatives. Defaults to 4.
        clip: Probability margin shifting the negatives. Defaults to 0.05.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; squeezes labels towards 0.5.
        axis: The axis along which the mean is taken. Defaults to -1.
        {common_args}

    Returns:
        {returns}

    Formula:
        `mean_axis(-y (1-p)**g+ log p - (1-y) p_m**g- log(1-p_m))`

    References:
        Ridnik et al., "Asymmetric Loss For Multi-Label Classification",
        ICCV 2021.

    Examples:
        >>> loss = keras_losses.AsymmetricLoss()
        >>> print(f"{float(loss([[1.0, 0.0]], [[0.8, 0.3]])):.4f}")
        0.1121
    """

    def __init__(
        self,
        gamma_pos=0.0,
        gamma_neg=4.0,
        clip=0.05,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="asymmetric_loss",
        dtype=None,
    ):
        super().__init__(asymmetric_loss, locals())


class BinaryPoly1Crossentropy(FunctionLoss):
    """Poly-1 binary cross-entropy: `BCE + epsilon * (1 - p_t)` (Leng et al.).

    See `keras_losses.binary_poly1_crossentropy`.

    Args:
        epsilon: The Poly-1 coefficient, >= -1. Defaults to 1.0.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; squeezes labels towards 0.5.
        axis: The axis along which the mean is taken. Defaults to -1.
        {common_args}

    Returns:
        {returns}

    Formula:
        `mean_axis(BCE + epsilon * (y (1 - p) + (1 - y) p))`

    References:
        Leng et al., "PolyLoss", ICLR 2022.

    Examples:
        >>> loss = keras_losses.BinaryPoly1Crossentropy()
        >>> print(f"{float(loss([[1.0]], [[0.8]])):.4f}")
        0.4231
    """

    def __init__(
        self,
        epsilon=1.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_poly1_crossentropy",
        dtype=None,
    ):
        super().__init__(binary_poly1_crossentropy, locals())


class CategoricalPoly1Crossentropy(FunctionLoss):
    """Poly-1 categorical cross-entropy: `CE + epsilon * (1 - p_t)`.

    Soft labels: `-sum_c y_c log p_c + epsilon sum_c y_c (1 - p_c)`,
    optax's `poly_loss_cross_entropy`. See
    `keras_losses.categorical_poly1_crossentropy`.

    Args:
        epsilon: The Poly-1 coefficient, >= -1. Defaults to 1.0.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; mixes the labels with the uniform
            distribution.
        axis: The class axis. Defaults to -1.
        {common_args}

    Returns:
        {returns}

    Formula:
        `-sum_c y_c log p_c + epsilon * sum_c y_c (1 - p_c)`

    References:
        Leng et al., "PolyLoss", ICLR 2022.

    Examples:
        >>> loss = keras_losses.CategoricalPoly1Crossentropy()
        >>> print(f"{float(loss([[0, 1, 0]], [[0.1, 0.8, 0.1]])):.4f}")
        0.4231
    """

    def __init__(
        self,
        epsilon=1.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_poly1_crossentropy",
        dtype=None,
    ):
        super().__init__(categorical_poly1_crossentropy, locals())


class SparseCategoricalPoly1Crossentropy(FunctionLoss):
    """Poly-1 cross-entropy with integer labels, `ignore_class` and smoothing.

    `CategoricalPoly1Crossentropy` on the one-hot labels, without building
    them. See `keras_losses.sparse_categorical_poly1_crossentropy`.

    Args:
        epsilon: The Poly-1 coefficient, >= -1. Defaults to 1.0.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1], as in the categorical loss.
        ignore_class: Optional int: a label value masked out of the loss.
        axis: The class axis of `y_pred`. Defaults to -1.
        {common_args}

    Returns:
        {returns_sparse}

    Formula:
        `CE + epsilon * ((1 - s)(1 - p_k) + s (C - 1) / C)`

    References:
        Leng et al., "PolyLoss", ICLR 2022.

    Examples:
        >>> loss = keras_losses.SparseCategoricalPoly1Crossentropy()
        >>> print(f"{float(loss([1], [[0.1, 0.8, 0.1]])):.4f}")
        0.4231
    """

    def __init__(
        self,
        epsilon=1.0,
        from_logits=False,
        label_smoothing=0.0,
        ignore_class=None,
        axis=-1,
        reduction="sum_over_batch_size",
        name="sparse_categorical_poly1_crossentropy",
        dtype=None,
    ):
        super().__init__(sparse_categorical_poly1_crossentropy, locals())


class QualityFocalLoss(FunctionLoss):
    """Quality focal loss (GFL, Li et al., NeurIPS 2020) for IoU-aware scores.

    `|y - s| ** beta * BCE(y, s)` per element, averaged over `axis`;
    mmdetection sums over the classes (ours times the class count). See
    `keras_losses.quality_focal_loss`.

    Args:
        beta: Focusing parameter >= 0. Defaults to 2.0.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        axis: The axis along which the mean is taken. Defaults to -1.
        {common_args}

    Returns:
        {returns}

    Formula:
        `mean_axis(|y - s| ** beta * -(y log s + (1 - y) log(1 - s)))`

    References:
        Li et al., "Generalized Focal Loss", NeurIPS 2020.

    Examples:
        >>> loss = keras_losses.QualityFocalLoss()
        >>> print(f"{float(loss([[0.8, 0.0]], [[0.6, 0.2]])):.4f}")
        0.0163
    """

    def __init__(
        self,
        beta=2.0,
        from_logits=False,
        axis=-1,
        reduction="sum_over_batch_size",
        name="quality_focal_loss",
        dtype=None,
    ):
        super().__init__(quality_focal_loss, locals())


class VarifocalLoss(FunctionLoss):
    """Varifocal loss (VarifocalNet, Zhang et al., CVPR 2021).

    `q * BCE(q, p)` where the target `q > 0`, `alpha * p ** gamma *
    -log(1 - p)` where `q = 0`, averaged over `axis`. See
    `keras_losses.varifocal_loss`.

    Args:
        alpha: Weight >= 0 of the negatives. Defaults to 0.75.
        gamma: Focusing parameter >= 0 of the negatives. Defaults to 2.0.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        axis: The axis along which the mean is taken. Defaults to -1.
        {common_args}

    Returns:
        {returns}

    Formula:
        `mean_axis(where(q > 0, q BCE(q, p), alpha p**gamma -log(1 - p)))`

    References:
        Zhang et al., "VarifocalNet: An IoU-aware Dense Object Detector",
        CVPR 2021.

    Examples:
        >>> loss = keras_losses.VarifocalLoss()
        >>> print(f"{float(loss([[0.8, 0.0]], [[0.6, 0.2]])):.4f}")
        0.2401
    """

    def __init__(
        self,
        alpha=0.75,
        gamma=2.0,
        from_logits=False,
        axis=-1,
        reduction="sum_over_batch_size",
        name="varifocal_loss",
        dtype=None,
    ):
        super().__init__(varifocal_loss, locals())
