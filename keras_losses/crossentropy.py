"""Binary, categorical and sparse categorical cross-entropy.

Each equals the Keras built-in of the same name when its extra argument
(`pos_weight`, `class_weight`, sparse `label_smoothing`) is left at its
default: the per-element term is Keras's own `keras.ops` cross-entropy, so
logits stay in log space and probabilities are clipped exactly as Keras clips
them. The extras are built around that term without leaving log space.
"""

from keras import ops

from keras_losses import _logspace
from keras_losses import _tensors
from keras_losses._base import FunctionLoss
from keras_losses._validation import boolean
from keras_losses._validation import hyperparameters
from keras_losses._validation import integer
from keras_losses._validation import optional_integer
from keras_losses._validation import real_in
from keras_losses._validation import validate
from keras_losses._validation import weights


@hyperparameters(
    from_logits=boolean,
    label_smoothing=real_in(0, 1),
    axis=integer,
    pos_weight=weights(scalar_allowed=True, optional=True),
)
def binary_crossentropy(
    y_true,
    y_pred,
    *,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
    pos_weight=None,
):
    """Binary cross-entropy, with PyTorch's `pos_weight` for rare positives.

    With `y` the (smoothed) label and `p` the predicted probability of the
    positive class, each element's loss is

        -(pos_weight * y * log(p) + (1 - y) * log(1 - p))

    averaged over `axis`. Label smoothing replaces `y` by
    `y * (1 - label_smoothing) + 0.5 * label_smoothing`. With
    `pos_weight=None` this is `keras.losses.binary_crossentropy`.

    With `from_logits=True`, `-log(p)` and `-log(1 - p)` are computed as
    `softplus(-x)` and `softplus(x)` of the logit `x`, finite for any finite
    logit. With probabilities, `p` is clipped to `[epsilon, 1 - epsilon]`
    (`keras.config.epsilon()`, 1e-7 by default) before the logarithms, as
    Keras does.

    Args:
        y_true: Labels in [0, 1], the shape of `y_pred` (a trailing axis of
            size 1 on either side is reconciled as Keras does).
        y_pred: Predicted probabilities, or logits if `from_logits=True`.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; squeezes labels towards 0.5.
        axis: The axis along which the mean is taken. Defaults to -1.
        pos_weight: Weight of the positive term, with the meaning of
            PyTorch's `BCEWithLogitsLoss(pos_weight=)`: a number >= 0, or one
            number per class along the last axis of `y_pred`. A value above 1
            raises recall, e.g. `num_negatives / num_positives` for
            imbalanced data. `None` (default) means 1.

    Returns:
        The per-sample loss: `y_pred`'s shape without `axis`.

    References:
        PyTorch documentation, `torch.nn.BCEWithLogitsLoss` (`pos_weight`).

    Examples:
        >>> y_true = [[0.0, 1.0], [0.0, 0.0]]
        >>> y_pred = [[0.6, 0.4], [0.4, 0.6]]
        >>> loss = keras_losses.binary_crossentropy(y_true, y_pred)
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.9163 0.7136]
        >>> loss = keras_losses.binary_crossentropy(
        ...     y_true, y_pred, pos_weight=3
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [1.8326 0.7136]
    """
    validate(binary_crossentropy, locals())
    y_true, y_pred, dtype = _tensors.paired_inputs(y_true, y_pred, axis)
    y_true = _tensors.smooth_binary_labels(y_true, label_smoothing)
    if pos_weight is None:
        elementwise = ops.binary_crossentropy(y_true, y_pred, from_logits)
    else:
        # -log(p) and -log(1 - p) as Keras computes them (log space for
        # logits, Keras's clipping for probabilities).
        last = len(y_pred.shape) - 1
        weight = _tensors.per_class(pos_weight, y_pred, last, "pos_weight")
        neg_log_p = ops.binary_crossentropy(
            ops.ones_like(y_pred), y_pred, from_logits
        )
        neg_log_not_p = ops.binary_crossentropy(
            ops.zeros_like(y_pred), y_pred, from_logits
        )
        elementwise = weight * y_true * neg_log_p + (1.0 - y_true) * (
            neg_log_not_p
        )
    return ops.cast(_tensors.mean(elementwise, axis), dtype)


@hyperparameters(
    from_logits=boolean,
    label_smoothing=real_in(0, 1),
    axis=integer,
    class_weight=weights(scalar_allowed=False, optional=True),
)
def categorical_crossentropy(
    y_true,
    y_pred,
    *,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
    class_weight=None,
):
    """Categorical cross-entropy on one-hot or soft labels, with class weights.

    With `y_c` the (smoothed) label and `p_c` the predicted probability of
    class `c` along `axis`, the loss is

        -sum_c class_weight_c * y_c * log(p_c)

    Label smoothing replaces `y_c` by
    `y_c * (1 - label_smoothing) + label_smoothing / C` for `C` classes (the
    size of `axis`). With `class_weight=None` this is
    `keras.losses.categorical_crossentropy`.

    With `from_logits=True`, `log(p_c)` is `log_softmax` of the logits. With
    probabilities, `y_pred` is divided by its sum over `axis` and clipped to
    `[epsilon, 1 - epsilon]` (`keras.config.epsilon()`) before the log, as
    Keras does.

    Args:
        y_true: One-hot or soft labels, the shape of `y_pred`.
        y_pred: Predicted probabilities, or logits if `from_logits=True`.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; mixes the labels with the uniform
            distribution over the `C` classes.
        axis: The class axis. Defaults to -1.
        class_weight: `None` (default), or one number >= 0 per class along
            `axis`, with the meaning of PyTorch's `cross_entropy(weight=)`
            for the unreduced loss: the class-`c` term is multiplied by it.

    Returns:
        The per-sample loss: `y_pred`'s shape without `axis`.

    References:
        Szegedy et al., "Rethinking the Inception Architecture for Computer
        Vision", CVPR 2016 (label smoothing).

    Examples:
        >>> y_true = [[0, 1, 0], [0, 0, 1]]
        >>> y_pred = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
        >>> loss = keras_losses.categorical_crossentropy(y_true, y_pred)
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.0513 2.3026]
        >>> loss = keras_losses.categorical_crossentropy(
        ...     y_true, y_pred, class_weight=[1.0, 1.0, 0.5]
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.0513 1.1513]
    """
    validate(categorical_crossentropy, locals())
    y_true, y_pred, class_axis, dtype = _tensors.categorical_inputs(
        y_true, y_pred, axis
    )
    y_true = _tensors.smooth_labels(y_true, y_pred, class_axis, label_smoothing)
    if class_weight is None:
        loss = ops.categorical_crossentropy(y_true, y_pred, from_logits, axis)
        return ops.cast(loss, dtype)
    # The loss is linear in the labels: weighting them weights each class's
    # term. TensorFlow's fused softmax kernel differentiates as if the labels
    # summed to 1 (its gradient is softmax - labels), so the weighted labels
    # go in normalised and their sum multiplies the result.
    y_true = y_true * _tensors.per_class(
        class_weight, y_pred, class_axis, "class_weight"
    )
    total = ops.sum(y_true, axis=axis, keepdims=True)
    loss = ops.categorical_crossentropy(
        ops.divide_no_nan(y_true, total), y_pred, from_logits, axis
    )
    return ops.cast(ops.squeeze(total, axis) * loss, dtype)


@hyperparameters(
    from_logits=boolean,
    label_smoothing=real_in(0, 1),
    ignore_class=optional_integer,
    axis=integer,
    class_weight=weights(scalar_allowed=False, optional=True),
)
def sparse_categorical_crossentropy(
    y_true,
    y_pred,
    *,
    from_logits=False,
    label_smoothing=0.0,
    ignore_class=None,
    axis=-1,
    class_weight=None,
):
    """Cross-entropy with integer labels: label smoothing, class weights.

    For an element with label `k` among `C` classes (the size of `axis`),

        loss = (1 - label_smoothing) * w_k * (-log p_k)
               + label_smoothing * mean_c(w_c * (-log p_c))

    with `w = class_weight` (all ones by default). This equals
    `categorical_crossentropy` on the one-hot labels with the same
    `label_smoothing` and `class_weight`, and PyTorch's
    `cross_entropy(weight=, label_smoothing=, reduction="none")`, but no
    one-hot or uniform tensor of `y_pred`'s shape is built. With
    `label_smoothing=0` and `class_weight=None` it is
    `keras.losses.sparse_categorical_crossentropy`.

    Elements whose label is `ignore_class` get loss 0 and a Keras mask, so a
    loss class leaves them out of its mean, as Keras does. A label outside
    `[0, C)` that is not `ignore_class` gives NaN for that element on every
    backend (Keras raises on TensorFlow CPU, and silently returns 0 on JAX).

    With `from_logits=True`, `log p` is `log_softmax` of the logits. With
    probabilities, `y_pred` is normalised over the class axis and clipped to
    `[epsilon, 1 - epsilon]` (`keras.config.epsilon()`) before the log, as
    Keras does.

    Args:
        y_true: Integer class indices (any integer or float dtype), shape
            `y_pred.shape` without `axis`, or with a 1 in its place: `(N,)`
            or `(N, 1)` against `(N, C)`; `(N, H, W)` or `(N, H, W, 1)`
            against `(N, H, W, C)`.
        y_pred: Predicted probabilities, or logits if `from_logits=True`.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1], with the meaning of the categorical
            loss's and of PyTorch's `cross_entropy(label_smoothing=)`.
        ignore_class: Optional int: a label value (e.g. -1 or 255) whose
            elements are masked out of the loss.
        axis: The class axis of `y_pred`. Defaults to -1; any axis works on
            every backend (e.g. 1 for channels-first segmentation).
        class_weight: `None` (default), or one number >= 0 per class, with
            the meaning of PyTorch's `cross_entropy(weight=)` for the
            unreduced loss.

    Returns:
        The per-element loss: `y_pred`'s shape without `axis`.

    References:
        Szegedy et al., "Rethinking the Inception Architecture for Computer
        Vision", CVPR 2016 (label smoothing). Muller, Kornblith and Hinton,
        "When Does Label Smoothing Help?", NeurIPS 2019.

    Examples:
        >>> y_true = [1, 2]
        >>> y_pred = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
        >>> loss = keras_losses.sparse_categorical_crossentropy(y_true, y_pred)
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.0513 2.3026]
        >>> logits = [[2.0, 1.0, 0.0], [0.0, 0.0, 3.0]]
        >>> loss = keras_losses.sparse_categorical_crossentropy(
        ...     [0, 5], logits, from_logits=True, label_smoothing=0.1
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.5076    nan]
    """
    validate(sparse_categorical_crossentropy, locals())
    targets = _tensors.sparse_targets(y_true, y_pred, axis, ignore_class)
    loss = sparse_crossentropy_of_targets(
        targets, from_logits, label_smoothing, class_weight
    )
    return _tensors.finish_sparse(loss, targets)


def sparse_crossentropy_of_targets(
    targets, from_logits, label_smoothing, class_weight
):
    """The sparse cross-entropy of prepared targets, before `finish_sparse`.

    Shared with the focal loss, whose gamma=0 case is exactly this.
    """
    labels, y_pred = targets.labels, targets.y_pred
    loss = ops.sparse_categorical_crossentropy(labels, y_pred, from_logits)
    if class_weight is not None:
        weight = _tensors.per_class(class_weight, y_pred, -1, "class_weight")
        loss = loss * ops.take(weight, labels)
    if label_smoothing:
        log_p = _logspace.categorical(y_pred, from_logits)
        if class_weight is not None:
            log_p = log_p * weight
        uniform_term = -ops.mean(log_p, axis=-1)
        loss = (1.0 - label_smoothing) * loss + label_smoothing * uniform_term
    return loss


class BinaryCrossentropy(FunctionLoss):
    """Binary cross-entropy, with PyTorch's `pos_weight` for rare positives.

    Equals `keras.losses.BinaryCrossentropy` when `pos_weight=None`. See
    `keras_losses.binary_crossentropy` for the formula and the numerics.

    Args:
        from_logits: Whether `y_pred` holds logits rather than probabilities
            (which are clipped to `[epsilon, 1 - epsilon]`, as in Keras).
        label_smoothing: Float in [0, 1]; squeezes labels towards 0.5.
        axis: The axis along which the mean is taken. Defaults to -1.
        pos_weight: Weight of the positive term (PyTorch's
            `BCEWithLogitsLoss(pos_weight=)`): a number >= 0 or one per class
            along the last axis. `None` (default) means 1.
        {common_args}

    Returns:
        {returns}

    Formula:
        `mean_axis(-(pos_weight * y * log(p) + (1 - y) * log(1 - p)))`

    References:
        PyTorch documentation, `torch.nn.BCEWithLogitsLoss` (`pos_weight`).

    Examples:
        >>> loss = keras_losses.BinaryCrossentropy()
        >>> print(f"{float(loss([[0.0], [1.0]], [[0.4], [0.6]])):.5f}")
        0.51083
        >>> loss = keras_losses.BinaryCrossentropy(
        ...     from_logits=True, pos_weight=4
        ... )
        >>> print(f"{float(loss([[0.0], [1.0]], [[-0.4], [0.4]])):.5f}")
        1.28254
    """

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        pos_weight=None,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        super().__init__(binary_crossentropy, locals())


class CategoricalCrossentropy(FunctionLoss):
    """Categorical cross-entropy on one-hot or soft labels, with class weights.

    Equals `keras.losses.CategoricalCrossentropy` when `class_weight=None`
    (and, with `label_smoothing`, when `axis` is the last axis: Keras counts
    the classes along the last axis whatever `axis` is; this class counts
    them along `axis`). See `keras_losses.categorical_crossentropy`.

    Args:
        from_logits: Whether `y_pred` holds logits rather than probabilities
            (which are normalised and clipped to `[epsilon, 1 - epsilon]`, as
            in Keras).
        label_smoothing: Float in [0, 1]; mixes the labels with the uniform
            distribution over the classes.
        axis: The class axis. Defaults to -1.
        class_weight: `None` (default) or one number >= 0 per class: the
            class-`c` term is multiplied by it (PyTorch's `weight=`).
        {common_args}

    Returns:
        {returns}

    Formula:
        `-sum_c class_weight_c * y_c * log(p_c)` over the class axis.

    References:
        Szegedy et al., "Rethinking the Inception Architecture for Computer
        Vision", CVPR 2016 (label smoothing).

    Examples:
        >>> loss = keras_losses.CategoricalCrossentropy()
        >>> y_true = [[0, 1, 0], [0, 0, 1]]
        >>> y_pred = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
        >>> print(f"{float(loss(y_true, y_pred)):.5f}")
        1.17694
    """

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        class_weight=None,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(categorical_crossentropy, locals())


class SparseCategoricalCrossentropy(FunctionLoss):
    """Cross-entropy with integer labels, label smoothing and class weights.

    Equals `keras.losses.SparseCategoricalCrossentropy` for the arguments
    Keras has (`ignore_class` included: ignored elements are left out of the
    mean), and `CategoricalCrossentropy` on one-hot labels for the others,
    without building the one-hot tensor. A label outside `[0, C)` that is not
    `ignore_class` gives NaN. See
    `keras_losses.sparse_categorical_crossentropy`.

    Args:
        from_logits: Whether `y_pred` holds logits rather than probabilities
            (which are normalised and clipped to `[epsilon, 1 - epsilon]`, as
            in Keras).
        label_smoothing: Float in [0, 1], as in `CategoricalCrossentropy`
            and PyTorch's `cross_entropy(label_smoothing=)`.
        ignore_class: Optional int: a label (e.g. -1 or 255) whose elements
            are masked out of the loss and of its mean.
        axis: The class axis of `y_pred`. Defaults to -1.
        class_weight: `None` (default) or one number >= 0 per class
            (PyTorch's `weight=`).
        {common_args}

    Returns:
        {returns_sparse}

    Formula:
        `(1 - ls) * w_k * (-log p_k) + ls * mean_c(w_c * (-log p_c))` for
        label `k`, `ls = label_smoothing`, `w = class_weight`.

    References:
        Szegedy et al., "Rethinking the Inception Architecture for Computer
        Vision", CVPR 2016 (label smoothing).

    Examples:
        >>> loss = keras_losses.SparseCategoricalCrossentropy(
        ...     from_logits=True, ignore_class=-1
        ... )
        >>> logits = [[2.0, 1.0, 0.0], [0.0, 0.0, 3.0], [9.0, 9.0, 9.0]]
        >>> print(f"{float(loss([0, 2, -1], logits)):.5f}")
        0.25126
    """

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        ignore_class=None,
        axis=-1,
        class_weight=None,
        reduction="sum_over_batch_size",
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(sparse_categorical_crossentropy, locals())
