"""Binary, categorical and sparse categorical focal cross-entropy.

Focal loss (Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017,
arXiv:1708.02002) scales each cross-entropy term by `(1 - p_t) ** gamma`,
down-weighting examples the model already gets right. With logits, the
kernels of `keras_losses._focal_logits` compute the loss with `1 - p` and
`log p` exact even where p rounds to 1, and return its gradient in closed
form: exact and finite for logits up to +-1e4, also for gamma in (0, 1),
where the derivative of `(1 - p_t) ** gamma` is infinite at `p_t = 1`, and
fewer passes over the tensor than autodiff of the formula (see
`benchmarks/`). With probabilities, the factor is
`exp(gamma * log(1 - p_t))` from the clipped probabilities
(`keras_losses._logspace`), as Keras clips them. Keras's focal
losses go sigmoid/softmax, clip, log: a confidently wrong categorical logit
margin above about 16 (`log(1e7)`) leaves them stuck at `0.25 * -log(1e-7)`
with a zero gradient. With gamma=0 every loss here is the matching
cross-entropy of `keras_losses.crossentropy`, computed by it.
"""

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
from keras_losses._validation import weights
from keras_losses.crossentropy import categorical_crossentropy
from keras_losses.crossentropy import sparse_crossentropy_of_targets

_PER_CLASS = weights(scalar_allowed=True, optional=False)


def _per_class_gamma(gamma, y_pred, class_axis):
    # A number stays a Python number: the kernels square it when it is 2.
    if isinstance(gamma, (list, tuple)):
        return _tensors.per_class(gamma, y_pred, class_axis, "gamma")
    return gamma


def _class_weighted(y_true, alpha, y_pred, class_axis):
    """Labels times a per-class `alpha`; a scalar one is left to `_scaled`."""
    if not isinstance(alpha, (list, tuple)):
        return y_true
    return _tensors.per_class(alpha, y_pred, class_axis, "alpha") * y_true


def _scaled(loss, alpha):
    # A scalar alpha scales the per-sample loss, not every class's term: one
    # multiplication per sample instead of one per class.
    return loss if isinstance(alpha, (list, tuple)) else alpha * loss


def _is_zero(gamma):
    return gamma == 0.0 or (isinstance(gamma, list) and not any(gamma))


@hyperparameters(
    apply_class_balancing=boolean,
    alpha=real_in(0, 1),
    gamma=real_at_least(0),
    from_logits=boolean,
    label_smoothing=real_in(0, 1),
    axis=integer,
)
def binary_focal_crossentropy(
    y_true,
    y_pred,
    *,
    apply_class_balancing=False,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    """Binary focal cross-entropy, stable for any logit.

    With `y` the (smoothed) label, `p` the predicted probability and
    `p_t = y * p + (1 - y) * (1 - p)`, each element's loss is

        alpha_t * (1 - p_t) ** gamma * -(y * log(p) + (1 - y) * log(1 - p))

    averaged over `axis`, with `alpha_t = y * alpha + (1 - y) * (1 - alpha)`
    if `apply_class_balancing`, else 1. For hard labels this is
    `-alpha_t * (1 - p_t) ** gamma * log(p_t)` (Lin et al., eq. 5). It equals
    `keras.losses.binary_focal_crossentropy` on ordinary inputs and, with
    `apply_class_balancing=True, from_logits=True`, torchvision's
    `sigmoid_focal_loss`. With `gamma=0` it is
    `keras_losses.binary_crossentropy` (times `alpha_t`).

    With `from_logits=True`, `log(p)`, `log(1 - p)` and `log(1 - p_t)` come
    from `log_sigmoid`, never from a rounded sigmoid. Probabilities are
    clipped to `[epsilon, 1 - epsilon]` (`keras.config.epsilon()`), as Keras
    clips them.

    Args:
        y_true: Labels in [0, 1], the shape of `y_pred`.
        y_pred: Predicted probabilities, or logits if `from_logits=True`.
        apply_class_balancing: Whether to weight positives by `alpha` and
            negatives by `1 - alpha`.
        alpha: Float in [0, 1], the positive-class weight when
            `apply_class_balancing`. Defaults to 0.25 (Lin et al.).
        gamma: Focusing parameter >= 0. Defaults to 2.0 (Lin et al.).
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; squeezes labels towards 0.5.
        axis: The axis along which the mean is taken. Defaults to -1.

    Returns:
        The per-sample loss: `y_pred`'s shape without `axis`.

    References:
        Lin, Goyal, Girshick, He and Dollar, "Focal Loss for Dense Object
        Detection", ICCV 2017, arXiv:1708.02002.

    Examples:
        >>> y_true = [[0.0, 1.0], [0.0, 0.0]]
        >>> y_pred = [[0.6, 0.4], [0.4, 0.6]]
        >>> loss = keras_losses.binary_focal_crossentropy(y_true, y_pred)
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.3299 0.2058]
    """
    validate(binary_focal_crossentropy, locals())
    y_true, y_pred, dtype = _tensors.paired_inputs(y_true, y_pred, axis)
    y_true = _tensors.smooth_binary_labels(y_true, label_smoothing)
    if from_logits and gamma:  # the mean and alpha_t inside the kernel
        alpha_t = alpha if apply_class_balancing else None
        loss = _focal_logits.sigmoid_focal(y_true, y_pred, gamma, axis, alpha_t)
        return ops.cast(loss, dtype)
    if not gamma:
        loss = ops.binary_crossentropy(y_true, y_pred, from_logits)
    else:
        log_p, log_not_p = _logspace.binary(y_pred)
        log_focus = _logspace.binary_complement_of_target(
            y_true, log_p, log_not_p
        )
        bce = ops.binary_crossentropy(y_true, y_pred, from_logits)
        loss = ops.exp(gamma * log_focus) * bce
    if apply_class_balancing:
        loss = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * loss
    return ops.cast(_tensors.mean(loss, axis), dtype)


@hyperparameters(
    alpha=_PER_CLASS,
    gamma=_PER_CLASS,
    from_logits=boolean,
    label_smoothing=real_in(0, 1),
    axis=integer,
)
def categorical_focal_crossentropy(
    y_true,
    y_pred,
    *,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    """Categorical focal cross-entropy, stable for any logit.

    With `y_c` the (smoothed) label and `p_c` the predicted probability of
    class `c` along `axis`,

        loss = sum_c alpha_c * (1 - p_c) ** gamma_c * (-y_c * log(p_c))

    (Lin et al., eq. 5, per class), where `alpha` and `gamma` are each a
    number or one number per class. Label smoothing replaces `y_c` by
    `y_c * (1 - label_smoothing) + label_smoothing / C`. It equals
    `keras.losses.categorical_focal_crossentropy` on ordinary inputs (and,
    with `label_smoothing`, when `axis` is the last axis). With `gamma=0` it
    is `alpha * keras_losses.categorical_crossentropy` (per-class `alpha` as
    its `class_weight`).

    With `from_logits=True`, `log(p_c)` is `log_softmax` and `log(1 - p_c)`
    is computed in log space too, exact even where `p_c` rounds to 1.
    Probabilities are divided by their sum and clipped to
    `[epsilon, 1 - epsilon]` (`keras.config.epsilon()`), as Keras does.

    Args:
        y_true: One-hot or soft labels, the shape of `y_pred`.
        y_pred: Predicted probabilities, or logits if `from_logits=True`.
        alpha: Class weight: a number >= 0 (default 0.25, Lin et al.) or one
            per class along `axis`.
        gamma: Focusing parameter: a number >= 0 (default 2.0) or one per
            class along `axis`.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1]; mixes the labels with the uniform
            distribution over the `C` classes along `axis`.
        axis: The class axis. Defaults to -1.

    Returns:
        The per-sample loss: `y_pred`'s shape without `axis`.

    References:
        Lin, Goyal, Girshick, He and Dollar, "Focal Loss for Dense Object
        Detection", ICCV 2017, arXiv:1708.02002.

    Examples:
        A confidently wrong logit margin of 30: the loss keeps growing with the
        margin (about `0.25 * 30`), where Keras's stops at 4.03.

        >>> loss = keras_losses.categorical_focal_crossentropy(
        ...     [[0.0, 1.0, 0.0]], [[30.0, 0.0, 0.0]], from_logits=True
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [7.5]
    """
    validate(categorical_focal_crossentropy, locals())
    y_true, y_pred, class_axis, dtype = _tensors.categorical_inputs(
        y_true, y_pred, axis
    )
    _tensors.check_several_classes(y_pred, class_axis)
    if _is_zero(gamma):  # (1 - p) ** 0 = 1: alpha-weighted cross-entropy
        scalar_alpha = not isinstance(alpha, list)
        loss = categorical_crossentropy(
            y_true,
            y_pred,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
            class_weight=None if scalar_alpha else alpha,
        )
        return ops.cast(alpha * loss if scalar_alpha else loss, dtype)
    y_true = _tensors.smooth_labels(y_true, y_pred, class_axis, label_smoothing)
    gamma = _per_class_gamma(gamma, y_pred, class_axis)
    if from_logits:
        loss = _focal_logits.softmax_focal(
            _class_weighted(y_true, alpha, y_pred, class_axis),
            y_pred,
            gamma,
            axis,
        )
        return ops.cast(_scaled(loss, alpha), dtype)
    alpha = _tensors.per_class(alpha, y_pred, class_axis, "alpha")
    log_p, log_not_p = _logspace.categorical_with_complement(y_pred, axis)
    focal = alpha * ops.exp(gamma * log_not_p) * (-y_true * log_p)
    return ops.cast(ops.sum(focal, axis=axis), dtype)


@hyperparameters(
    alpha=_PER_CLASS,
    gamma=_PER_CLASS,
    from_logits=boolean,
    label_smoothing=real_in(0, 1),
    ignore_class=optional_integer,
    axis=integer,
)
def sparse_categorical_focal_crossentropy(
    y_true,
    y_pred,
    *,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    ignore_class=None,
    axis=-1,
):
    """Focal cross-entropy with integer labels (Keras has none).

    For an element with label `k` among `C` classes, with
    `f_c = alpha_c * (1 - p_c) ** gamma_c * (-log p_c)`,

        loss = (1 - label_smoothing) * f_k + label_smoothing * mean_c(f_c)

    which is `categorical_focal_crossentropy` on the one-hot labels, for
    every argument, without building the one-hot tensor. `ignore_class`,
    segmentation shapes, any class `axis` and labels outside `[0, C)` (NaN)
    behave as in `keras_losses.sparse_categorical_crossentropy`; with
    `gamma=0` the loss is that function's (per-class `alpha` as its
    `class_weight`).

    With `from_logits=True` everything is computed in log space (see
    `categorical_focal_crossentropy`). Probabilities are normalised and
    clipped to `[epsilon, 1 - epsilon]`, as Keras does.

    Args:
        y_true: Integer class indices, shape `y_pred.shape` without `axis`,
            or with a 1 in its place.
        y_pred: Predicted probabilities, or logits if `from_logits=True`.
        alpha: Class weight: a number >= 0 (default 0.25) or one per class.
        gamma: Focusing parameter: a number >= 0 (default 2.0) or one per
            class.
        from_logits: Whether `y_pred` holds logits rather than probabilities.
        label_smoothing: Float in [0, 1], as in the categorical loss.
        ignore_class: Optional int: a label value whose elements are masked
            out of the loss (and of a loss class's mean).
        axis: The class axis of `y_pred`. Defaults to -1.

    Returns:
        The per-element loss: `y_pred`'s shape without `axis`.

    References:
        Lin, Goyal, Girshick, He and Dollar, "Focal Loss for Dense Object
        Detection", ICCV 2017, arXiv:1708.02002.

    Examples:
        >>> logits = [[30.0, 0.0, 0.0], [0.0, 0.5, 0.0]]
        >>> loss = keras_losses.sparse_categorical_focal_crossentropy(
        ...     [1, 1], logits, from_logits=True
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [7.5    0.0597]
    """
    validate(sparse_categorical_focal_crossentropy, locals())
    targets = _tensors.sparse_targets(y_true, y_pred, axis, ignore_class)
    labels, y_pred = targets.labels, targets.y_pred
    _tensors.check_several_classes(y_pred, -1)
    if _is_zero(gamma):  # (1 - p) ** 0 = 1: alpha-weighted cross-entropy
        scalar_alpha = not isinstance(alpha, list)
        loss = sparse_crossentropy_of_targets(
            targets,
            from_logits,
            label_smoothing,
            None if scalar_alpha else alpha,
        )
        return _tensors.finish_sparse(
            alpha * loss if scalar_alpha else loss, targets
        )
    gamma = _per_class_gamma(gamma, y_pred, -1)
    if from_logits and not label_smoothing:
        alpha = _tensors.per_class(alpha, y_pred, -1, "alpha")
        loss = _focal_logits.sparse_softmax_focal(labels, y_pred, alpha, gamma)
        return _tensors.finish_sparse(loss, targets)
    if from_logits:  # with label smoothing every class has a weight
        classes = _tensors.num_classes(y_pred, -1)
        one_hot = ops.one_hot(labels, classes, dtype=y_pred.dtype)
        smoothed = _tensors.smooth_labels(one_hot, y_pred, -1, label_smoothing)
        loss = _focal_logits.softmax_focal(
            _class_weighted(smoothed, alpha, y_pred, -1), y_pred, gamma, -1
        )
        return _tensors.finish_sparse(_scaled(loss, alpha), targets)
    alpha = _tensors.per_class(alpha, y_pred, -1, "alpha")
    log_p, log_not_p = _logspace.categorical_with_complement(y_pred)
    focal = alpha * ops.exp(gamma * log_not_p) * -log_p
    loss = _tensors.take_class(focal, labels)
    if label_smoothing:
        uniform_term = ops.mean(focal, axis=-1)
        loss = (1.0 - label_smoothing) * loss + label_smoothing * uniform_term
    return _tensors.finish_sparse(loss, targets)


class BinaryFocalCrossentropy(FunctionLoss):
    """Binary focal cross-entropy, stable for any logit (Lin et al., 2017).

    Same arguments, defaults and values as
    `keras.losses.BinaryFocalCrossentropy` on ordinary inputs; with logits it
    stays exact where Keras's loses its gradient (confidently wrong logits on
    JAX and PyTorch). See `keras_losses.binary_focal_crossentropy`.

    Args:
        apply_class_balancing: Whether to weight positives by `alpha` and
            negatives by `1 - alpha`.
        alpha: Float in [0, 1]; the positive-class weight when
            `apply_class_balancing`. Defaults to 0.25.
        gamma: Focusing parameter >= 0. Defaults to 2.0.
        from_logits: Whether `y_pred` holds logits rather than probabilities
            (which are clipped to `[epsilon, 1 - epsilon]`, as in Keras).
        label_smoothing: Float in [0, 1]; squeezes labels towards 0.5.
        axis: The axis along which the mean is taken. Defaults to -1.
        {common_args}

    Returns:
        {returns}

    Formula:
        `mean_axis(alpha_t * (1 - p_t) ** gamma * bce(y, p))` with
        `p_t = y p + (1 - y)(1 - p)`.

    References:
        Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017.

    Examples:
        >>> loss = keras_losses.BinaryFocalCrossentropy(
        ...     apply_class_balancing=True, from_logits=True
        ... )
        >>> print(f"{float(loss([[0.0], [1.0]], [[-3.0], [-30.0]])):.5f}")
        3.75004
    """

    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(binary_focal_crossentropy, locals())


class CategoricalFocalCrossentropy(FunctionLoss):
    """Categorical focal cross-entropy, stable for any logit (Lin et al.).

    Same arguments, defaults and values as
    `keras.losses.CategoricalFocalCrossentropy` on ordinary inputs, with
    `gamma` also allowed per class; with logits it stays exact where Keras's
    is stuck at 4.03 with a zero gradient (a confidently wrong margin above
    about 16). See `keras_losses.categorical_focal_crossentropy`.

    Args:
        alpha: Class weight: a number >= 0 (default 0.25) or one per class.
        gamma: Focusing parameter: a number >= 0 (default 2.0) or one per
            class.
        from_logits: Whether `y_pred` holds logits rather than probabilities
            (which are normalised and clipped to `[epsilon, 1 - epsilon]`, as
            in Keras).
        label_smoothing: Float in [0, 1]; mixes the labels with the uniform
            distribution over the classes.
        axis: The class axis. Defaults to -1.
        {common_args}

    Returns:
        {returns}

    Formula:
        `sum_c alpha_c * (1 - p_c) ** gamma_c * (-y_c * log(p_c))`.

    References:
        Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017.

    Examples:
        >>> loss = keras_losses.CategoricalFocalCrossentropy(from_logits=True)
        >>> y_true = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        >>> logits = [[30.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
        >>> print(f"{float(loss(y_true, logits)):.5f}")
        3.81103
    """

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(categorical_focal_crossentropy, locals())


class SparseCategoricalFocalCrossentropy(FunctionLoss):
    """Focal cross-entropy with integer labels, stable for any logit.

    Equals `CategoricalFocalCrossentropy` on the one-hot labels for every
    argument, without building them; `ignore_class` (masked out of the
    mean), segmentation shapes and out-of-range labels (NaN) behave as in
    `SparseCategoricalCrossentropy`. Keras has no sparse focal loss. See
    `keras_losses.sparse_categorical_focal_crossentropy`.

    Args:
        alpha: Class weight: a number >= 0 (default 0.25) or one per class.
        gamma: Focusing parameter: a number >= 0 (default 2.0) or one per
            class.
        from_logits: Whether `y_pred` holds logits rather than probabilities
            (which are normalised and clipped to `[epsilon, 1 - epsilon]`, as
            in Keras).
        label_smoothing: Float in [0, 1], as in the categorical loss.
        ignore_class: Optional int: a label (e.g. -1 or 255) whose elements
            are masked out of the loss and of its mean.
        axis: The class axis of `y_pred`. Defaults to -1.
        {common_args}

    Returns:
        {returns_sparse}

    Formula:
        `(1 - ls) * f_k + ls * mean_c(f_c)` for label `k`, with
        `f_c = alpha_c * (1 - p_c) ** gamma_c * (-log p_c)`.

    References:
        Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017.

    Examples:
        >>> loss = keras_losses.SparseCategoricalFocalCrossentropy(
        ...     from_logits=True, ignore_class=255
        ... )
        >>> logits = [[30.0, 0.0, 0.0], [0.0, 0.0, 0.0], [5.0, 5.0, 5.0]]
        >>> print(f"{float(loss([1, 2, 255], logits)):.5f}")
        3.81103
    """

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        ignore_class=None,
        axis=-1,
        reduction="sum_over_batch_size",
        name="sparse_categorical_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(sparse_categorical_focal_crossentropy, locals())
