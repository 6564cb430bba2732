"""Float64 NumPy references, written from each loss's textbook formula.

These do not share code with keras_losses. Probabilities are clipped to
[EPSILON, 1 - EPSILON], the behaviour the package documents (Keras's).
"""

import numpy as np

EPSILON = 1e-7


def clip_probabilities(p, dtype=None):
    """Clip to [EPSILON, 1 - EPSILON] as held in `dtype` (float32 default).

    Where the dtype rounds 1 - EPSILON to 1 (float16, bfloat16), the upper
    bound is the largest number below 1 instead.
    """
    import ml_dtypes

    kind = ml_dtypes.bfloat16 if dtype == "bfloat16" else (dtype or "float32")
    low = float(np.asarray(EPSILON, dtype=kind))
    high = float(np.asarray(1 - EPSILON, dtype=kind))
    if high >= 1.0:
        high = 1.0 - float(ml_dtypes.finfo(kind).epsneg)
    return np.clip(p, low, high)


def _f64(x):
    return np.asarray(x, dtype="float64")


def _mean(x, axis):
    """Mean over `axis`; 0 for an empty axis (no entries, no loss)."""
    if x.shape[axis] == 0:
        return np.sum(x, axis=axis)
    return np.mean(x, axis=axis)


def log_sigmoid(x):
    # log(1 / (1 + exp(-x))) = -log(1 + exp(-x)), exact for any finite x.
    return -np.logaddexp(0.0, -x)


def log_softmax(x, axis):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _along(weights, rank, axis):
    """Per-class weights shaped to broadcast along `axis` of a rank-r array."""
    shape = [1] * rank
    shape[axis] = -1
    return _f64(weights).reshape(shape)


def _binary_logs(y_true, y_pred, from_logits, label_smoothing, dtype):
    """Labels smoothed towards 0.5, and log p, log(1 - p) of the positive."""
    y, x = _f64(y_true), _f64(y_pred)
    y = y * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return y, log_sigmoid(x), log_sigmoid(-x)
    p = clip_probabilities(x, dtype)
    return y, np.log(p), np.log(1 - p)


def binary_crossentropy(
    y_true,
    y_pred,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
    pos_weight=None,
    dtype=None,
):
    """mean_axis(-(w * y * log p + (1 - y) * log(1 - p))); w: pos_weight."""
    y, log_p, log_not_p = _binary_logs(
        y_true, y_pred, from_logits, label_smoothing, dtype
    )
    w = 1.0 if pos_weight is None else _f64(pos_weight)  # along last axis
    return _mean(-(w * y * log_p + (1 - y) * log_not_p), axis)


def categorical_log_probabilities(y_pred, from_logits, axis, dtype=None):
    x = _f64(y_pred)
    if from_logits:
        return log_softmax(x, axis)
    p = x / np.sum(x, axis=axis, keepdims=True)
    return np.log(clip_probabilities(p, dtype))


def categorical_crossentropy(
    y_true,
    y_pred,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
    class_weight=None,
    dtype=None,
):
    """-sum_c w_c * y_c * log p_c, labels smoothed towards 1/C."""
    y = _f64(y_true)
    classes = y.shape[axis]
    y = y * (1 - label_smoothing) + label_smoothing / classes
    if class_weight is not None:
        y = y * _along(class_weight, y.ndim, axis)
    log_p = categorical_log_probabilities(y_pred, from_logits, axis, dtype)
    return -np.sum(y * log_p, axis=axis)


def sparse_categorical_crossentropy(
    y_true,
    y_pred,
    from_logits=False,
    label_smoothing=0.0,
    ignore_class=None,
    axis=-1,
    class_weight=None,
    dtype=None,
):
    """The categorical loss on one-hot labels; ignored -> 0, invalid -> NaN."""
    return _on_one_hot(
        categorical_crossentropy,
        y_true,
        y_pred,
        ignore_class,
        axis,
        from_logits=from_logits,
        label_smoothing=label_smoothing,
        class_weight=class_weight,
        dtype=dtype,
    )


def _on_one_hot(categorical, y_true, y_pred, ignore_class, axis, **kwargs):
    """A categorical reference applied to one-hot sparse labels."""
    x = np.moveaxis(_f64(y_pred), axis, -1)
    labels = np.asarray(y_true).astype("int64")
    if labels.ndim == x.ndim:
        labels = np.squeeze(labels, axis=axis)
    classes = x.shape[-1]
    valid = (labels >= 0) & (labels < classes)
    one_hot = np.eye(classes)[np.where(valid, labels, 0)]
    loss = np.where(valid, categorical(one_hot, x, axis=-1, **kwargs), np.nan)
    if ignore_class is not None:
        loss = np.where(labels == ignore_class, 0.0, loss)
    return loss


def reduce(losses, reduction, sample_weight=None, mask=None):
    """Keras's reductions, written from its documentation.

    Masked elements (mask False) weigh 0 and, for the mean reductions, are
    left out of the count.
    """
    losses = _f64(losses)
    weight = np.ones_like(losses)
    if sample_weight is not None:
        sw = _f64(sample_weight)
        sw = sw.reshape(sw.shape + (1,) * (losses.ndim - sw.ndim))
        weight = weight * sw
    weighted = losses * weight
    if mask is not None:
        weighted = np.where(mask, weighted, 0.0)
    if reduction in (None, "none"):
        return weighted
    total = np.sum(weighted)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        # "divides by the sum of the sample weights", as given (unmasked).
        return total / np.sum(_f64(sample_weight))
    count = losses.size if mask is None else np.sum(mask)
    return total / count if count else 0.0


def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing=False,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
    dtype=None,
):
    """Lin et al. 2017 eq. 5 with Keras's soft-label form:

    mean_axis(alpha_t * (1 - p_t)**gamma * BCE), p_t = y p + (1 - y)(1 - p).
    """
    y, log_p, log_not_p = _binary_logs(
        y_true, y_pred, from_logits, label_smoothing, dtype
    )
    bce = -(y * log_p + (1 - y) * log_not_p)
    one_minus_p_t = y * np.exp(log_not_p) + (1 - y) * np.exp(log_p)
    loss = one_minus_p_t**gamma * bce
    if apply_class_balancing:
        loss = (y * alpha + (1 - y) * (1 - alpha)) * loss
    return _mean(loss, axis)


def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0):
    """torchvision.ops.sigmoid_focal_loss, reduction="none", as documented:

    p = sigmoid(x); ce = BCE-with-logits; p_t = p t + (1 - p)(1 - t);
    loss = ce (1 - p_t)**gamma; if alpha >= 0: loss *= alpha t + (1-alpha)(1-t).
    """
    x, t = _f64(inputs), _f64(targets)
    p = 1.0 / (1.0 + np.exp(-x))
    ce = np.logaddexp(0.0, x) - x * t  # log(1 + e^x) - x t
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return loss


def categorical_focal_crossentropy(
    y_true,
    y_pred,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
    dtype=None,
):
    """sum_c alpha_c (1 - p_c)**gamma_c (-y_c log p_c), Lin et al. per class.

    1 - p_c is summed from the other classes' probabilities (no cancellation).
    """
    y = _f64(y_true)
    classes = y.shape[axis]
    y = y * (1 - label_smoothing) + label_smoothing / classes
    log_p = categorical_log_probabilities(y_pred, from_logits, axis, dtype)
    p = np.exp(log_p)
    if from_logits:
        # Summing the other classes, class by class, avoids computing 1 - p:
        others = np.moveaxis(p, axis, -1)
        one_minus_p = np.stack(
            [
                np.sum(np.delete(others, c, axis=-1), axis=-1)
                for c in range(classes)
            ],
            axis=-1,
        )
        one_minus_p = np.moveaxis(one_minus_p, -1, axis)
    else:
        one_minus_p = 1 - p
    a = _along(np.broadcast_to(alpha, (classes,)), y.ndim, axis)
    g = _along(np.broadcast_to(gamma, (classes,)), y.ndim, axis)
    return np.sum(a * one_minus_p**g * (-y * log_p), axis=axis)


def sparse_categorical_focal_crossentropy(
    y_true,
    y_pred,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    ignore_class=None,
    axis=-1,
    dtype=None,
):
    """The categorical focal loss on one-hot labels; ignored 0, invalid NaN."""
    return _on_one_hot(
        categorical_focal_crossentropy,
        y_true,
        y_pred,
        ignore_class,
        axis,
        alpha=alpha,
        gamma=gamma,
        from_logits=from_logits,
        label_smoothing=label_smoothing,
        dtype=dtype,
    )


def smooth_l1(y_true, y_pred, beta=1.0, axis=-1):
    """Girshick 2015 eq. 3 with PyTorch's beta: 0.5 d^2/beta | |d| - beta/2."""
    d = np.abs(_f64(y_pred) - _f64(y_true))
    if beta == 0:
        return _mean(d, axis)
    return _mean(np.where(d < beta, 0.5 * d**2 / beta, d - 0.5 * beta), axis)


def huber(y_true, y_pred, delta=1.0, axis=-1):
    """Huber 1964: 0.5 d^2 for |d| <= delta, else delta (|d| - delta / 2)."""
    d = np.abs(_f64(y_pred) - _f64(y_true))
    return _mean(
        np.where(d <= delta, 0.5 * d**2, delta * (d - 0.5 * delta)), axis
    )


def balanced_l1(y_true, y_pred, alpha=0.5, gamma=1.5, beta=1.0, axis=-1):
    """Pang et al. 2019 eq. 8 (beta = 1), scaled: beta * L(|d| / beta).

    L(x) = alpha/b (b x + 1) ln(b x + 1) - alpha x for x < 1, else
    gamma x + gamma/b - alpha, with alpha ln(b + 1) = gamma (eq. 9).
    """
    x = np.abs(_f64(y_pred) - _f64(y_true))
    if beta == 0:
        return _mean(gamma * x, axis)
    b = np.exp(gamma / alpha) - 1
    with np.errstate(over="ignore", invalid="ignore"):  # branch not taken
        u = x / beta
        inlier = beta * (
            alpha / b * (b * u + 1) * np.log(b * u + 1) - alpha * u
        )
    # beta * (gamma u + gamma / b - alpha), multiplied out so that a tiny
    # beta cannot overflow u.
    outlier = gamma * x + beta * (gamma / b - alpha)
    return _mean(np.where(x < beta, inlier, outlier), axis)


def pinball(y_true, y_pred, tau=0.5, axis=-1):
    """Koenker and Bassett 1978: tau d for d >= 0, (tau - 1) d below."""
    d = _f64(y_true) - _f64(y_pred)
    tau = _f64(tau)  # scalar, or one per entry of the last axis
    return _mean(np.where(d >= 0, tau * d, (tau - 1) * d), axis)
