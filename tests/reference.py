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


# --- Segmentation (overlap) losses -----------------------------------------
#
# Dice (Milletari et al. 2016), Jaccard, Tversky (Salehi et al. 2017), focal
# Tversky (Abraham and Khan 2019), generalised Dice (Sudre et al. 2017) and
# the Lovasz losses (Berman, Triki and Blaschko, CVPR 2018). Unlike the
# cross-entropy references above, probabilities are NOT clipped or
# normalised: the formulas use them as given.
#
# A "set" is what `axis` sums over (None: every axis, one scalar). The class
# axis, when given, is softmaxed with from_logits; classes are pooled (micro)
# when it is in `axis`, else kept in the output at their own position.


def _axes(axis, ndim):
    """`axis` (None, int or tuple; negatives allowed) as sorted axes >= 0."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    out = set()
    for a in axis:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} out of range for rank {ndim}")
        out.add(a % ndim)
    return tuple(sorted(out))


def _class_axis(class_axis, ndim):
    return None if class_axis is None else _axes(class_axis, ndim)[0]


def sigmoid(x):
    return np.exp(log_sigmoid(_f64(x)))


def softmax(x, axis):
    return np.exp(log_softmax(_f64(x), axis))


def _probabilities(y_pred, from_logits, class_axis):
    """y_pred as float64; with logits, sigmoid (no class axis) or softmax."""
    x = _f64(y_pred)
    if not from_logits:
        return x
    if class_axis is None:
        return sigmoid(x)
    return softmax(x, class_axis)


def overlap_statistics(
    y_true,
    y_pred,
    axis=None,
    class_axis=None,
    exclude_classes=None,
    squared_pred=False,
):
    """(tp, st, sp) summed over `axis`, from dense labels and probabilities.

    tp = sum(t p), st = sum(t), sp = sum(p) (sum(p**2) with squared_pred).
    Excluded classes are deleted along the class axis first. The result has
    y_pred's shape without `axis`, kept axes in their original order.
    """
    t, p = _f64(y_true), _f64(y_pred)
    t, p = np.broadcast_arrays(t, p)
    ndim = p.ndim
    axes = _axes(axis, ndim)
    if exclude_classes:
        if class_axis is None:
            raise ValueError("exclude_classes needs a class axis")
        c = _class_axis(class_axis, ndim)
        t = np.delete(t, list(exclude_classes), axis=c)
        p = np.delete(p, list(exclude_classes), axis=c)
    tp = np.sum(t * p, axis=axes)
    st = np.sum(t, axis=axes)
    sp = np.sum(p * p if squared_pred else p, axis=axes)
    return tp, st, sp


def _weigh_classes(loss, class_weight, ndim, axis, class_axis, exclude):
    """Multiply each class's loss by its weight (given for all C classes)."""
    if class_weight is None:
        return loss
    axes = _axes(axis, ndim)
    c = _class_axis(class_axis, ndim)
    if c is None or c in axes:
        raise ValueError("class_weight needs a class axis not in `axis`")
    w = _f64(class_weight)
    if exclude:
        w = np.delete(w, list(exclude))
    kept = [a for a in range(ndim) if a not in axes]
    return loss * _along(w, loss.ndim, kept.index(c))


def _overlap(
    index,
    y_true,
    y_pred,
    from_logits,
    axis,
    class_axis,
    class_weight,
    exclude_classes,
    squared_pred,
):
    """1 - index(tp, st, sp), class-weighted; index: the overlap ratio."""
    c = _class_axis(class_axis, _f64(y_pred).ndim)
    p = _probabilities(y_pred, from_logits, c)
    stats = overlap_statistics(
        y_true, p, axis, c, exclude_classes, squared_pred
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = 1.0 - index(*stats)
    return _weigh_classes(loss, class_weight, p.ndim, axis, c, exclude_classes)


def dice(
    y_true,
    y_pred,
    *,
    from_logits=False,
    axis=None,
    class_axis=None,
    class_weight=None,
    exclude_classes=None,
    smooth_nr=1e-7,
    smooth_dr=1e-7,
    squared_pred=False,
):
    """1 - (2 tp + smooth_nr) / (st + sp + smooth_dr), Milletari et al."""
    return _overlap(
        lambda tp, st, sp: (2 * tp + smooth_nr) / (st + sp + smooth_dr),
        y_true,
        y_pred,
        from_logits,
        axis,
        class_axis,
        class_weight,
        exclude_classes,
        squared_pred,
    )


def jaccard(
    y_true,
    y_pred,
    *,
    from_logits=False,
    axis=None,
    class_axis=None,
    class_weight=None,
    exclude_classes=None,
    smooth_nr=1e-7,
    smooth_dr=1e-7,
    squared_pred=False,
):
    """1 - (tp + smooth_nr) / (st + sp - tp + smooth_dr): |A n B| / |A u B|."""
    return _overlap(
        lambda tp, st, sp: (tp + smooth_nr) / (st + sp - tp + smooth_dr),
        y_true,
        y_pred,
        from_logits,
        axis,
        class_axis,
        class_weight,
        exclude_classes,
        squared_pred,
    )


def tversky(
    y_true,
    y_pred,
    *,
    from_logits=False,
    axis=None,
    class_axis=None,
    class_weight=None,
    exclude_classes=None,
    smooth_nr=1e-7,
    smooth_dr=1e-7,
    alpha=0.5,
    beta=0.5,
):
    """Salehi et al. 2017: 1 - (tp + nr) / (tp + alpha fp + beta fn + dr).

    alpha weighs false positives (fp = sp - tp), beta false negatives
    (fn = st - tp); sp is the plain sum of p.
    """

    def index(tp, st, sp):
        fp, fn = sp - tp, st - tp
        return (tp + smooth_nr) / (tp + alpha * fp + beta * fn + smooth_dr)

    return _overlap(
        index,
        y_true,
        y_pred,
        from_logits,
        axis,
        class_axis,
        class_weight,
        exclude_classes,
        False,
    )


def focal_tversky(
    y_true,
    y_pred,
    *,
    from_logits=False,
    axis=None,
    class_axis=None,
    class_weight=None,
    exclude_classes=None,
    smooth_nr=1e-7,
    smooth_dr=1e-7,
    alpha=0.3,
    beta=0.7,
    gamma=0.75,
):
    """Abraham and Khan 2019: (Tversky loss) ** gamma, 0 where it is <= 0.

    class_weight multiplies the focal value (after the power).
    """
    loss = tversky(
        y_true,
        y_pred,
        from_logits=from_logits,
        axis=axis,
        class_axis=class_axis,
        exclude_classes=exclude_classes,
        smooth_nr=smooth_nr,
        smooth_dr=smooth_dr,
        alpha=alpha,
        beta=beta,
    )
    loss = np.maximum(loss, 0.0) ** gamma  # maximum keeps NaN
    ndim = _f64(y_pred).ndim
    return _weigh_classes(
        loss,
        class_weight,
        ndim,
        axis,
        _class_axis(class_axis, ndim),
        exclude_classes,
    )


def generalized_dice_weights(st, weighting):
    """Sudre et al. 2017 w_c (classes on the last axis), MONAI's inf rule.

    w_c = 1 / st_c**2 ("square"), 1 / st_c ("simple") or 1 ("uniform"). An
    infinite weight (st_c == 0) becomes the set's largest finite weight, or
    0 when there is none.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        w = {
            "square": lambda: 1.0 / st**2,
            "simple": lambda: 1.0 / st,
            "uniform": lambda: np.ones_like(st),
        }[weighting]()
    finite = np.isfinite(w)
    largest = np.max(np.where(finite, w, 0.0), axis=-1, keepdims=True)
    return np.where(finite, w, largest)


def generalized_dice(
    y_true,
    y_pred,
    *,
    weighting="square",
    from_logits=False,
    axis=None,
    class_axis=-1,
    exclude_classes=None,
    smooth_nr=1e-7,
    smooth_dr=1e-7,
):
    """1 - (2 sum_c w_c tp_c + nr) / (sum_c w_c (st_c + sp_c) + dr).

    Statistics per set and class (the class axis is never pooled by
    `axis`); the output has y_pred's shape without `axis` and the class axis.
    """
    ndim = _f64(y_pred).ndim
    c = _class_axis(class_axis, ndim)
    if c is None:
        raise ValueError("generalized_dice needs a class axis")
    p = _probabilities(y_pred, from_logits, c)
    axes = tuple(a for a in _axes(axis, ndim) if a != c)
    tp, st, sp = overlap_statistics(y_true, p, axes, c, exclude_classes)
    position = [a for a in range(ndim) if a not in axes].index(c)
    tp, st, sp = (np.moveaxis(s, position, -1) for s in (tp, st, sp))
    w = generalized_dice_weights(st, weighting)
    numerator = 2 * np.sum(w * tp, axis=-1) + smooth_nr
    denominator = np.sum(w * (st + sp), axis=-1) + smooth_dr
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 - numerator / denominator


# Sparse labels: one_hot, then the dense loss with ignored elements removed.


def one_hot(labels, num_classes, class_axis=-1, ignore_class=None, ndim=None):
    """(dense labels, counted): one-hot along class_axis of the dense result.

    `labels` lack the class axis (rank ndim - 1), or hold a 1 in its place
    (rank ndim); ndim defaults to labels.ndim + 1. Ignored elements get an
    all-zero row and counted False; labels outside [0, C) that are not
    ignore_class get an all-NaN row (their set's loss is NaN). `counted` is
    boolean, with a 1 at the class axis.
    """
    labels = np.asarray(labels)
    ndim = labels.ndim + 1 if ndim is None else ndim
    c = _class_axis(class_axis, ndim)
    if labels.ndim == ndim:
        labels = np.squeeze(labels, axis=c)
    labels = labels.astype("int64")
    counted = np.ones(labels.shape, dtype=bool)
    if ignore_class is not None:
        counted = labels != ignore_class
    valid = (labels >= 0) & (labels < num_classes)
    rows = np.eye(num_classes)[np.where(valid, labels, 0)]
    rows = np.where(valid[..., None], rows, np.nan)
    rows = np.where(counted[..., None], rows, 0.0)
    return np.moveaxis(rows, -1, c), np.expand_dims(counted, c)


def _set_mask(counted, loss_shape, axis, class_axis, ndim):
    """True for sets with a counted element, broadcast to the loss's shape."""
    c = _class_axis(class_axis, ndim)
    axes = tuple(sorted(set(_axes(axis, ndim)) | {c}))
    mask = np.any(counted, axis=axes)
    if len(loss_shape) > mask.ndim:  # the class axis is kept in the loss
        kept = [a for a in range(ndim) if a not in _axes(axis, ndim)]
        mask = np.expand_dims(mask, kept.index(c))
    return np.broadcast_to(mask, loss_shape)


def sparse_overlap(
    dense_loss,
    y_true,
    y_pred,
    *,
    from_logits=False,
    axis=None,
    class_axis=-1,
    ignore_class=None,
    return_mask=False,
    **kwargs,
):
    """A dense overlap reference on one_hot(y_true), ignored elements dropped.

    Probabilities come from the full y_pred (softmax over every class with
    logits); at ignored elements t = p = 0, so they add to no statistic. A
    set whose elements are all ignored has loss 0 and mask False.
    """
    x = _f64(y_pred)
    c = _class_axis(class_axis, x.ndim)
    if c is None:
        raise ValueError("sparse losses need a class axis")
    p = _probabilities(x, from_logits, c)
    t, counted = one_hot(y_true, x.shape[c], c, ignore_class, ndim=x.ndim)
    p = np.where(counted, p, 0.0)
    loss = dense_loss(t, p, axis=axis, class_axis=c, **kwargs)
    mask = np.ones(np.shape(loss), dtype=bool)
    if ignore_class is not None:  # without it, every element counts
        mask = _set_mask(counted, loss.shape, axis, c, x.ndim)
        loss = np.where(mask, loss, 0.0)
    return (loss, mask) if return_mask else loss


def sparse_dice(y_true, y_pred, **kwargs):
    return sparse_overlap(dice, y_true, y_pred, **kwargs)


def sparse_jaccard(y_true, y_pred, **kwargs):
    return sparse_overlap(jaccard, y_true, y_pred, **kwargs)


def sparse_tversky(y_true, y_pred, **kwargs):
    return sparse_overlap(tversky, y_true, y_pred, **kwargs)


def sparse_focal_tversky(y_true, y_pred, **kwargs):
    return sparse_overlap(focal_tversky, y_true, y_pred, **kwargs)


def sparse_generalized_dice(y_true, y_pred, **kwargs):
    return sparse_overlap(generalized_dice, y_true, y_pred, **kwargs)


# Lovasz losses (Berman et al. 2018), loop by loop.


def jaccard_loss_of_hard(labels_fg, pred_fg):
    """1 - |A n B| / |A u B| of two boolean masks; 0 when both are empty."""
    a = np.asarray(labels_fg, dtype=bool)
    b = np.asarray(pred_fg, dtype=bool)
    union = np.sum(a | b)
    return 0.0 if union == 0 else 1.0 - np.sum(a & b) / union


def lovasz_grad(fg_sorted):
    """Gradient of the Lovasz extension of Delta_J at errors sorted down.

    Berman et al. eq. 8-9: with F the foreground and S_i the first i sorted
    elements (taken as mispredicted), Delta_J(S) = |S| / |F u S|, and
    g_i = Delta_J(S_i) - Delta_J(S_{i-1}), Delta_J(empty) = 0.
    """
    fg = np.asarray(fg_sorted, dtype=bool)
    foreground = int(np.sum(fg))
    grad = np.zeros(fg.size)
    previous, background_so_far = 0.0, 0
    for i in range(fg.size):
        background_so_far += 0 if fg[i] else 1
        current = (i + 1) / (foreground + background_so_far)
        grad[i] = current - previous
        previous = current
    return grad


def lovasz_extension(errors, fg):
    """Lovasz extension of Delta_J (foreground fg) at the error vector."""
    e = _f64(errors)
    fg = np.asarray(fg, dtype=bool)
    order = np.argsort(-e, kind="stable")
    return float(np.dot(e[order], lovasz_grad(fg[order])))


def _sets(x, axes, last=0):
    """x with set axes flattened last: (sets, elements, *trailing), kept shape.

    `last` trailing axes of x (e.g. a class axis moved there) stay as they are.
    """
    lead = x.ndim - last
    kept = [a for a in range(lead) if a not in axes]
    order = kept + list(axes) + list(range(lead, x.ndim))
    kept_shape = tuple(x.shape[a] for a in kept)
    elements = int(np.prod([x.shape[a] for a in axes]))  # -1 fails at size 0
    flat = np.transpose(x, order).reshape(
        (int(np.prod(kept_shape)), elements) + x.shape[lead:]
    )
    return flat, kept_shape


def lovasz_softmax(
    labels,
    probs,
    *,
    classes="present",
    from_logits=False,
    axis=None,
    class_axis=-1,
    exclude_classes=None,
    ignore_class=None,
    return_mask=False,
):
    """Berman et al. eq. 12 with Algorithm 1, per set and class.

    `exclude_classes` are left out of the mean over classes (Berman's
    `classes` as a list: the others).

    errors_c = |fg_c - p_c| over counted elements; loss_c = Lovasz extension
    of Delta_J at errors_c. Set loss: mean over classes ("present": classes
    with foreground in the set; none -> 0). All-ignored set: 0, mask False;
    a counted label outside [0, C): NaN. Output: y_pred's shape without
    `axis` and the class axis.
    """
    x = _f64(probs)
    ndim = x.ndim
    c = _class_axis(class_axis, ndim)
    p = np.moveaxis(_probabilities(x, from_logits, c), c, -1)
    labels = np.asarray(labels)
    if labels.ndim == ndim:
        labels = np.squeeze(labels, axis=c)
    # Set axes, counted in the label rank (class axis removed).
    axes = [a if a < c else a - 1 for a in _axes(axis, ndim) if a != c]
    flat_labels, kept_shape = _sets(labels, axes)
    flat_p, _ = _sets(p, axes, last=1)
    num_classes = x.shape[c]
    losses, mask = [], []
    for lab, prob in zip(flat_labels, flat_p, strict=True):
        counted = np.ones(lab.shape, dtype=bool)
        if ignore_class is not None:
            counted = lab != ignore_class
        lab, prob = lab[counted], prob[counted]
        mask.append(bool(lab.size))
        if np.any((lab < 0) | (lab >= num_classes)):
            losses.append(np.nan)
            continue
        per_class = []
        for k in range(num_classes):
            fg = lab == k
            if k in (exclude_classes or ()):
                continue
            if classes == "present" and not np.any(fg):
                continue
            per_class.append(lovasz_extension(np.abs(fg - prob[:, k]), fg))
        losses.append(float(np.mean(per_class)) if per_class else 0.0)
    loss = np.array(losses).reshape(kept_shape)
    mask = np.array(mask, dtype=bool).reshape(kept_shape)
    return (loss, mask) if return_mask else loss


def lovasz_hinge(
    labels, logits, *, axis=None, ignore_class=None, return_mask=False
):
    """Berman et al. eq. 13: Lovasz extension of Delta_J at relu(1 - s y).

    labels in {0, 1} (y = 2 label - 1), logits s of the same shape. Per set
    over counted elements; all-ignored set: 0, mask False; a counted label
    outside {0, 1}: NaN. Output: y_pred's shape without `axis`.
    """
    x = _f64(logits)
    labels = np.broadcast_to(np.asarray(labels), x.shape)
    axes = list(_axes(axis, x.ndim))
    flat_labels, kept_shape = _sets(labels, axes)
    flat_x, _ = _sets(x, axes)
    losses, mask = [], []
    for lab, s in zip(flat_labels, flat_x, strict=True):
        counted = np.ones(lab.shape, dtype=bool)
        if ignore_class is not None:
            counted = lab != ignore_class
        lab, s = lab[counted], s[counted]
        mask.append(bool(lab.size))
        if np.any((lab != 0) & (lab != 1)):
            losses.append(np.nan)
            continue
        fg = lab == 1
        errors = np.maximum(1.0 - s * (2.0 * fg - 1.0), 0.0)
        losses.append(lovasz_extension(errors, fg))
    loss = np.array(losses).reshape(kept_shape)
    mask = np.array(mask, dtype=bool).reshape(kept_shape)
    return (loss, mask) if return_mask else loss


# --- Box-regression losses --------------------------------------------------
#
# IoU (Yu et al., UnitBox, 2016), GIoU (Rezatofighi et al., CVPR 2019,
# Algorithm 2), DIoU and CIoU (Zheng et al., AAAI 2020, eq. 6 and 8-11) and
# the distribution focal loss (Li et al., GFL, NeurIPS 2020, eq. 6), with
# the conventions keras_losses.box documents for boxes the papers leave out:
# - a ratio whose denominator is exactly 0 is 0 (a zero-area box has IoU 0;
#   two boxes at one point have no GIoU or DIoU penalty);
# - a predicted box's extents are clamped at 0 wherever an area or an aspect
#   ratio needs them (an inverted box is empty), while its corners are used
#   as given by the enclosing box and by its centre;
# - the aspect angle atan(w / h) is atan2(w, h): pi / 2 for a zero height,
#   pi / 4 for a point;
# - a target box with x2 < x1 or y2 < y1 is a bad label: NaN.

BOX_FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw")
IOU_LOG_EPSILON = 1e-7


def box_corners(boxes, bounding_box_format):
    """Boxes `(..., 4)` in a keras-cv format, as float64 (x1, y1, x2, y2).

    xyxy: left, top, right, bottom; yxyx: top, left, bottom, right; xywh:
    left, top, width, height; center_xywh: centre x, centre y, width,
    height; center_yxhw: centre y, centre x, height, width.
    """
    b = _f64(boxes)
    fmt = bounding_box_format.lower()
    first, second, third, fourth = (b[..., i] for i in range(4))
    if fmt == "xyxy":
        corners = (first, second, third, fourth)
    elif fmt == "yxyx":
        corners = (second, first, fourth, third)
    elif fmt == "xywh":
        corners = (first, second, first + third, second + fourth)
    elif fmt in ("center_xywh", "center_yxhw"):
        if fmt == "center_xywh":
            cx, cy, w, h = first, second, third, fourth
        else:
            cy, cx, h, w = first, second, third, fourth
        corners = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    else:
        raise ValueError(f"unknown box format {bounding_box_format!r}")
    return np.stack(corners, axis=-1)


def boxes_in_format(corners, bounding_box_format):
    """xyxy corners `(..., 4)` written in a keras-cv box format (the
    inverse of `box_corners`)."""
    x1, y1, x2, y2 = np.moveaxis(np.asarray(corners, "float64"), -1, 0)
    w, h, cx, cy = x2 - x1, y2 - y1, (x1 + x2) / 2, (y1 + y2) / 2
    columns = {
        "xyxy": (x1, y1, x2, y2),
        "yxyx": (y1, x1, y2, x2),
        "xywh": (x1, y1, w, h),
        "center_xywh": (cx, cy, w, h),
        "center_yxhw": (cy, cx, h, w),
    }[bounding_box_format]
    return np.stack(columns, axis=-1)


def _ratio_or_zero(numerator, denominator):
    """numerator / denominator, and 0 where the denominator is exactly 0."""
    zero = denominator == 0
    return np.where(zero, 0.0, numerator / np.where(zero, 1.0, denominator))


def _aspect_angle(width, height):
    """atan(width / height) as atan2; pi / 4 for a point (0, 0)."""
    point = (width == 0) & (height == 0)
    return np.where(point, np.pi / 4, np.arctan2(width, height))


def box_pair(y_true, y_pred, bounding_box_format):
    """The quantities of the papers, per pair of boxes, as a dict.

    iou, union, enclosing_area (C of GIoU), centre_distance2 (rho**2),
    diagonal2 (c**2), v (CIoU's aspect term) and valid (the target is not
    inverted).
    """
    tx1, ty1, tx2, ty2 = np.moveaxis(
        box_corners(y_true, bounding_box_format), -1, 0
    )
    px1, py1, px2, py2 = np.moveaxis(
        box_corners(y_pred, bounding_box_format), -1, 0
    )
    true_w, true_h = tx2 - tx1, ty2 - ty1
    pred_w, pred_h = np.maximum(px2 - px1, 0.0), np.maximum(py2 - py1, 0.0)
    # NaN passes through np.maximum, as it must (a NaN box gives NaN).
    inter_w = np.maximum(np.minimum(tx2, px2) - np.maximum(tx1, px1), 0.0)
    inter_h = np.maximum(np.minimum(ty2, py2) - np.maximum(ty1, py1), 0.0)
    intersection = inter_w * inter_h
    union = true_w * true_h + pred_w * pred_h - intersection
    enclosing_w = np.maximum(tx2, px2) - np.minimum(tx1, px1)
    enclosing_h = np.maximum(ty2, py2) - np.minimum(ty1, py1)
    centre_dx = (px1 + px2) / 2 - (tx1 + tx2) / 2
    centre_dy = (py1 + py2) / 2 - (ty1 + ty2) / 2
    angle_difference = _aspect_angle(true_w, true_h) - _aspect_angle(
        pred_w, pred_h
    )
    return {
        "iou": _ratio_or_zero(intersection, union),
        "union": union,
        "enclosing_area": enclosing_w * enclosing_h,
        "centre_distance2": centre_dx**2 + centre_dy**2,
        "diagonal2": enclosing_w**2 + enclosing_h**2,
        "v": 4 / np.pi**2 * angle_difference**2,
        "valid": (true_w >= 0) & (true_h >= 0),
    }


def _bad_target_nan(loss, pair):
    return np.where(pair["valid"], loss, np.nan)


def iou_loss(y_true, y_pred, bounding_box_format, mode="log"):
    """1 - IoU, 1 - IoU**2, or -log((IoU + eps) / (1 + eps)) (UnitBox)."""
    pair = box_pair(y_true, y_pred, bounding_box_format)
    iou = pair["iou"]
    if mode == "linear":
        loss = 1 - iou
    elif mode == "quadratic":
        loss = 1 - iou**2
    elif mode == "log":
        eps = IOU_LOG_EPSILON
        loss = -np.log((iou + eps) / (1 + eps))
    else:
        raise ValueError(f"unknown mode {mode!r}")
    return _bad_target_nan(loss, pair)


def giou_loss(y_true, y_pred, bounding_box_format):
    """1 - IoU + (|C| - |A u B|) / |C| (Rezatofighi et al., Algorithm 2)."""
    pair = box_pair(y_true, y_pred, bounding_box_format)
    area = pair["enclosing_area"]
    penalty = _ratio_or_zero(area - pair["union"], area)
    return _bad_target_nan(1 - pair["iou"] + penalty, pair)


def diou_loss(y_true, y_pred, bounding_box_format):
    """1 - IoU + rho**2 / c**2 (Zheng et al., eq. 6)."""
    pair = box_pair(y_true, y_pred, bounding_box_format)
    penalty = _ratio_or_zero(pair["centre_distance2"], pair["diagonal2"])
    return _bad_target_nan(1 - pair["iou"] + penalty, pair)


def ciou_alpha(y_true, y_pred, bounding_box_format):
    """CIoU's trade-off weight alpha = v / ((1 - IoU) + v) (eq. 11)."""
    pair = box_pair(y_true, y_pred, bounding_box_format)
    return _ratio_or_zero(pair["v"], (1 - pair["iou"]) + pair["v"])


def ciou_loss(y_true, y_pred, bounding_box_format, alpha=None):
    """1 - IoU + rho**2 / c**2 + alpha v (Zheng et al., eq. 8-11).

    v = 4 / pi**2 (atan(w_t / h_t) - atan(w_p / h_p))**2. `alpha`, if given
    (e.g. `ciou_alpha` at a base point), is used as a constant: the loss
    whose gradient the paper's implementation (alpha without gradient)
    computes.
    """
    pair = box_pair(y_true, y_pred, bounding_box_format)
    if alpha is None:
        alpha = ciou_alpha(y_true, y_pred, bounding_box_format)
    penalty = _ratio_or_zero(pair["centre_distance2"], pair["diagonal2"])
    loss = 1 - pair["iou"] + penalty + _f64(alpha) * pair["v"]
    return _bad_target_nan(loss, pair)


def distribution_focal_target(y_true, bins):
    """GFL's target distribution over `bins` bins 0..reg_max: weight
    y_(i+1) - y on bin y_i = floor(y) and y - y_i on bin y_i + 1, with
    y_i = reg_max - 1 at y = reg_max; NaN rows where y is outside
    [0, reg_max]."""
    y = _f64(y_true)
    reg_max = bins - 1
    valid = (y >= 0) & (y <= reg_max)
    left = np.minimum(np.floor(np.where(valid, y, 0.0)), reg_max - 1)
    right = left + 1
    eye = np.eye(bins)
    target = (right - y)[..., None] * eye[left.astype(int)] + (y - left)[
        ..., None
    ] * eye[right.astype(int)]
    return np.where(valid[..., None], target, np.nan)


def distribution_focal_loss(y_true, y_pred):
    """GFL eq. 6 per side, -((y_(i+1) - y) log S_i + (y - y_i) log S_(i+1)),
    S = softmax(logits) over the last axis; mean over the sides (the axis
    before the bins). Output: y_true.shape[:-1]."""
    logits = _f64(y_pred)
    target = distribution_focal_target(y_true, logits.shape[-1])
    side_loss = -np.sum(target * log_softmax(logits, -1), axis=-1)
    return np.mean(side_loss, axis=-1)


def distribution_focal_loss_gradient(y_true, y_pred):
    """d(sum of distribution_focal_loss) / d logits: (S - target) / sides."""
    logits = _f64(y_pred)
    target = distribution_focal_target(y_true, logits.shape[-1])
    probabilities = np.exp(log_softmax(logits, -1))
    return (probabilities - target) / logits.shape[-2]


# --- Imbalance and detection-head losses ------------------------------------
#
# Asymmetric loss (Ridnik et al., ICCV 2021, eq. 1-6), Poly-1 (Leng et al.,
# ICLR 2022, eq. 3), quality focal loss (Li et al., NeurIPS 2020, eq. 5),
# varifocal loss (Zhang et al., CVPR 2021, eq. 2) and the class-balanced
# weights of Cui et al. (CVPR 2019, eq. 3). Element losses are averaged over
# `axis` as Keras's binary losses are; probabilities are clipped to
# [EPSILON, 1 - EPSILON]. From logits every quantity comes from log_sigmoid
# or log_softmax in float64, so 1 - p of a confident logit is exp(-x), not 0.


def _sigmoid_quantities(y_pred, from_logits, dtype):
    """p, 1 - p, log p and log(1 - p) of each element, in float64."""
    x = _f64(y_pred)
    if from_logits:
        log_p, log_not_p = log_sigmoid(x), log_sigmoid(-x)
        return np.exp(log_p), np.exp(log_not_p), log_p, log_not_p
    p = clip_probabilities(x, dtype)
    return p, 1 - p, np.log(p), np.log(1 - p)


def _smooth_towards_half(y_true, label_smoothing):
    return _f64(y_true) * (1 - label_smoothing) + 0.5 * label_smoothing


def asymmetric_loss(
    y_true,
    y_pred,
    gamma_pos=0.0,
    gamma_neg=4.0,
    clip=0.05,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
    dtype=None,
):
    """Ridnik et al. eq. 6: L+ = (1 - p)**g+ (-log p) and, with the shifted
    probability p_m = max(p - m, 0) (eq. 3), L- = p_m**g- (-log(1 - p_m));
    the loss y L+ + (1 - y) L-, averaged over `axis`.

    1 - p_m = min((1 - p) + m, 1), with 1 - p exact from the logits.
    """
    y = _smooth_towards_half(y_true, label_smoothing)
    p, not_p, log_p, log_not_p = _sigmoid_quantities(y_pred, from_logits, dtype)
    positive = not_p**gamma_pos * -log_p
    if clip == 0:
        negative = p**gamma_neg * -log_not_p
    else:
        shifted = np.maximum(p - clip, 0.0)
        negative = shifted**gamma_neg * -np.log(np.minimum(not_p + clip, 1.0))
    return _mean(y * positive + (1 - y) * negative, axis)


def binary_poly1_crossentropy(
    y_true,
    y_pred,
    epsilon=1.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
    dtype=None,
):
    """Leng et al. eq. 3, per element: -(y log p + (1 - y) log(1 - p)) +
    epsilon (1 - p_t), 1 - p_t = y (1 - p) + (1 - y) p; mean over `axis`."""
    y = _smooth_towards_half(y_true, label_smoothing)
    p, not_p, log_p, log_not_p = _sigmoid_quantities(y_pred, from_logits, dtype)
    cross_entropy = -(y * log_p + (1 - y) * log_not_p)
    return _mean(cross_entropy + epsilon * (y * not_p + (1 - y) * p), axis)


def _others_mass(log_p, axis):
    """1 - p_c as the sum of the other classes' probabilities (exact)."""
    p = np.moveaxis(np.exp(log_p), axis, -1)
    classes = p.shape[-1]
    rest = np.stack(
        [np.sum(np.delete(p, c, axis=-1), axis=-1) for c in range(classes)],
        axis=-1,
    )
    return np.moveaxis(rest, -1, axis)


def categorical_poly1_crossentropy(
    y_true,
    y_pred,
    epsilon=1.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
    dtype=None,
):
    """-sum_c y_c log p_c + epsilon sum_c y_c (1 - p_c) (Leng et al. eq. 3 for
    soft labels), labels smoothed towards 1/C. Probabilities are normalised
    along `axis` and clipped, as Keras's categorical cross-entropy does."""
    y = _f64(y_true)
    classes = y.shape[axis]
    y = y * (1 - label_smoothing) + label_smoothing / classes
    log_p = categorical_log_probabilities(y_pred, from_logits, axis, dtype)
    if from_logits:
        complement = _others_mass(log_p, axis)
    else:
        complement = 1 - np.exp(log_p)  # 1 - clipped p
    return np.sum(-y * log_p + epsilon * y * complement, axis=axis)


def sparse_categorical_poly1_crossentropy(
    y_true,
    y_pred,
    epsilon=1.0,
    from_logits=False,
    label_smoothing=0.0,
    ignore_class=None,
    axis=-1,
    dtype=None,
):
    """The categorical Poly-1 loss on one-hot labels; ignored 0, invalid NaN."""
    return _on_one_hot(
        categorical_poly1_crossentropy,
        y_true,
        y_pred,
        ignore_class,
        axis,
        epsilon=epsilon,
        from_logits=from_logits,
        label_smoothing=label_smoothing,
        dtype=dtype,
    )


def quality_focal_loss(
    y_true, y_pred, beta=2.0, from_logits=False, axis=-1, dtype=None
):
    """Li et al. eq. 5: |y - s|**beta * -((1 - y) log(1 - s) + y log s),
    mean over `axis`. y - s = y (1 - s) - (1 - y) s: no cancellation."""
    y = _f64(y_true)
    s, not_s, log_s, log_not_s = _sigmoid_quantities(y_pred, from_logits, dtype)
    gap = np.abs(y * not_s - (1 - y) * s)
    return _mean(gap**beta * -((1 - y) * log_not_s + y * log_s), axis)


def varifocal_loss(
    y_true,
    y_pred,
    alpha=0.75,
    gamma=2.0,
    from_logits=False,
    axis=-1,
    dtype=None,
):
    """Zhang et al. eq. 2: -q (q log p + (1 - q) log(1 - p)) if q > 0,
    -alpha p**gamma log(1 - p) if q = 0; mean over `axis`."""
    q = _f64(y_true)
    p, _, log_p, log_not_p = _sigmoid_quantities(y_pred, from_logits, dtype)
    positive = -q * (q * log_p + (1 - q) * log_not_p)
    negative = -alpha * p**gamma * log_not_p
    return _mean(np.where(q > 0, positive, negative), axis)


def class_balanced_weights(counts, beta):
    """Cui et al. eq. 3: E_n = (1 - beta**n) / (1 - beta), weight 1 / E_n,
    scaled so that the weights sum to the number of classes (section 4)."""
    n = _f64(counts)
    effective = (1 - beta**n) / (1 - beta)
    weights = 1 / effective
    return weights * n.size / np.sum(weights)


# --- Metric-learning losses -------------------------------------------------
#
# The contrastive loss (Hadsell, Chopra and LeCun, CVPR 2006, eq. 4), the
# triplet loss with semi-hard negatives (Schroff et al., FaceNet, CVPR 2015,
# sec. 3.2) and with batch-hard mining (Hermans et al., 2017, eq. 5; the soft
# margin of sec. 3.3), the lifted structured loss (Oh Song et al., CVPR 2016,
# eq. 4) and the N-pair loss (Sohn, NeurIPS 2016, eq. 3), each as TF Addons
# defines it (tensorflow_addons/losses/{contrastive,triplet,lifted,npairs}.py),
# and the supervised contrastive loss (Khosla et al., NeurIPS 2020, eq. 2,
# L_out) and NT-Xent (Chen et al., SimCLR, ICML 2020, eq. 1).
#
# Brute force: explicit loops over anchors, positives and negatives. A
# positive of anchor a is another sample (p != a) with a's label, a negative
# any sample with a different label. Where TF Addons divides 0 by 0 the
# package's value is 0 (the loss of a batch with nothing to compare).
#
# A 4-sample example, worked by hand: 1-D embeddings x = [0, 2, 1, 5],
# labels [0, 0, 1, 1], L2 distances d01 = 2, d02 = 1, d03 = 5, d12 = 1,
# d13 = 3, d23 = 4; P = 4 ordered positive pairs, so B / P = 1.
# Semi-hard, margin 2 (pair loss max(2 + d_ap - d_an, 0)):
#   (0, 1): d_ap = 2, negatives of 0 at 1 and 5; beyond 2: 5 -> 2 + 2 - 5 < 0
#   (1, 0): d_ap = 2, negatives at 1 and 3; beyond 2: 3   -> 2 + 2 - 3 = 1
#   (2, 3): d_ap = 4, negatives at 1 and 1; none beyond 4, so the largest
#           negative distance, 1                          -> 2 + 4 - 1 = 5
#   (3, 2): d_ap = 4, negatives at 5 and 3; beyond 4: 5   -> 2 + 4 - 5 = 1
#   per anchor [0, 1, 5, 1]; TF Addons' value 7 / 4.
# Batch-hard, margin 1 (max(hardest positive - hardest negative + 1, 0)):
#   anchor 0: 2 - 1 + 1 = 2; 1: 2 - 1 + 1 = 2; 2: 4 - 1 + 1 = 4;
#   3: 4 - 3 + 1 = 2; mean 2.5.


def _logsumexp(values):
    """log sum exp, shifted by the maximum; -inf for no values."""
    v = _f64(values).ravel()
    if v.size == 0:
        return -np.inf
    top = np.max(v)
    return top + np.log(np.sum(np.exp(v - top)))


def _labels(labels):
    return np.asarray(labels).reshape(-1)


def _unit_rows(x, epsilon=None):
    """Each row divided by its L2 norm; a zero row stays zero. With
    `epsilon`, x / sqrt(max(|x|**2, epsilon)) (TensorFlow, keras-cv)."""
    x = _f64(x)
    out = np.zeros_like(x)
    for i in range(x.shape[0]):
        squared_norm = np.sum(x[i] ** 2)
        if epsilon is not None:
            out[i] = x[i] / np.sqrt(max(squared_norm, epsilon))
        elif squared_norm > 0:
            out[i] = x[i] / np.sqrt(squared_norm)
    return out


def metric_distances(embeddings, distance_metric="L2"):
    """Pairwise distances (B, B) with a zero diagonal.

    "L2": |x_i - x_j|; "squared-L2": |x_i - x_j|**2; "angular":
    max(1 - u_i . u_j, 0) with u = x / sqrt(max(|x|**2, 1e-12)) (TensorFlow's
    l2_normalize, so a zero row has distance 1 to every other row). A
    callable gets the embeddings and returns the matrix, used as it is.
    """
    if callable(distance_metric):
        return _f64(distance_metric(embeddings))
    x = _f64(embeddings)
    batch = x.shape[0]
    if distance_metric == "angular":
        unit = _unit_rows(x, epsilon=1e-12)
    distances = np.zeros((batch, batch))
    for i in range(batch):
        for j in range(batch):
            if i == j:
                continue
            if distance_metric == "L2":
                distances[i, j] = np.sqrt(np.sum((x[i] - x[j]) ** 2))
            elif distance_metric == "squared-L2":
                distances[i, j] = np.sum((x[i] - x[j]) ** 2)
            elif distance_metric == "angular":
                distances[i, j] = max(1.0 - np.dot(unit[i], unit[j]), 0.0)
            else:
                raise ValueError(f"unknown distance {distance_metric!r}")
    return distances


def _positives_and_negatives(labels, a):
    """Indices of anchor a's positives (same label, not a) and negatives."""
    labels = _labels(labels)
    positives = [
        p for p in range(labels.size) if p != a and labels[p] == labels[a]
    ]
    negatives = [n for n in range(labels.size) if labels[n] != labels[a]]
    return positives, negatives


def contrastive_loss(y_true, y_pred, margin=1.0):
    """Hadsell et al. eq. 4 on given distances d: y d**2 + (1 - y)
    max(margin - d, 0)**2, elementwise (TF Addons' contrastive_loss)."""
    y, d = _f64(y_true), _f64(y_pred)
    return y * d**2 + (1 - y) * np.maximum(margin - d, 0.0) ** 2


def _semihard_negative(distances, a, p, negatives):
    """TF Addons' negative for the pair (a, p): the smallest d(a, n) with
    d(a, n) > d(a, p); else the largest d(a, n); else (a has no negative)
    the smallest entry of row a, diagonal included."""
    beyond = [
        distances[a, n] for n in negatives if distances[a, n] > distances[a, p]
    ]
    if beyond:
        return min(beyond)
    if negatives:
        return max(distances[a, n] for n in negatives)
    return np.min(distances[a])


def triplet_semihard_loss(labels, embeddings, margin=1.0, distance_metric="L2"):
    """Per anchor a: (B / P) sum over a's positives p of
    max(margin + d(a, p) - d(a, n*), 0), n* the semi-hard negative (FaceNet
    sec. 3.2; `_semihard_negative`), P the number of ordered positive pairs
    in the batch. The mean over anchors is TF Addons' value; all zeros when
    P = 0 (TF Addons: NaN)."""
    labels = _labels(labels)
    distances = metric_distances(embeddings, distance_metric)
    batch = labels.size
    sums = np.zeros(batch)
    pairs = 0
    for a in range(batch):
        positives, negatives = _positives_and_negatives(labels, a)
        for p in positives:
            negative = _semihard_negative(distances, a, p, negatives)
            sums[a] += max(margin + distances[a, p] - negative, 0.0)
            pairs += 1
    if pairs == 0:
        return np.zeros(batch)
    return sums * batch / pairs


def tfa_triplet_semihard_value(
    labels, embeddings, margin=1.0, distance_metric="L2"
):
    """TF Addons' scalar: the mean of the pair losses over all ordered
    positive pairs, the negative found by walking a's negative distances in
    increasing order to the first beyond d(a, p) (the last if none is);
    NaN when there is no positive pair (0 / 0)."""
    labels = _labels(labels)
    distances = metric_distances(embeddings, distance_metric)
    total, pairs = 0.0, 0
    for a in range(labels.size):
        for p in range(labels.size):
            if p == a or labels[p] != labels[a]:
                continue
            pairs += 1
            ordered = sorted(
                distances[a, n]
                for n in range(labels.size)
                if labels[n] != labels[a]
            )
            chosen = np.min(distances[a])  # no negative: row minimum
            for candidate in ordered:
                chosen = candidate
                if candidate > distances[a, p]:
                    break
            total += max(0.0, margin + distances[a, p] - chosen)
    with np.errstate(invalid="ignore"):
        return np.float64(total) / np.float64(pairs)


def triplet_hard_loss(
    labels, embeddings, margin=1.0, soft=False, distance_metric="L2"
):
    """Per anchor (Hermans et al. eq. 5): max(hp - hn + margin, 0), or
    log(1 + exp(hp - hn)) if soft (sec. 3.3, no margin); hp the largest
    positive distance (no positive: row a's minimum, diagonal included),
    hn the smallest negative distance (no negative: row a's maximum), as TF
    Addons' triplet_hard_loss, whose value is the mean over anchors."""
    labels = _labels(labels)
    distances = metric_distances(embeddings, distance_metric)
    losses = np.zeros(labels.size)
    for a in range(labels.size):
        positives, negatives = _positives_and_negatives(labels, a)
        if positives:
            hardest_positive = max(distances[a, p] for p in positives)
        else:
            hardest_positive = np.min(distances[a])
        if negatives:
            hardest_negative = min(distances[a, n] for n in negatives)
        else:
            hardest_negative = np.max(distances[a])
        gap = hardest_positive - hardest_negative
        losses[a] = np.logaddexp(0.0, gap) if soft else max(gap + margin, 0.0)
    return losses


def lifted_struct_loss(labels, embeddings, margin=1.0):
    """Oh Song et al. eq. 4 as TF Addons computes it, with L2 distances D:
    for each ordered positive pair (i, j),
    J_ij = log(sum_{k in Neg(i)} exp(margin - D_ik)
               + sum_{k in Neg(j)} exp(margin - D_jk)) + D_ij;
    the value is sum max(J_ij, 0)**2 / (2 P), P ordered positive pairs.
    0 when P = 0; a pair with no negative at all (J = -inf) adds 0."""
    labels = _labels(labels)
    distances = metric_distances(embeddings, "L2")
    total, pairs = 0.0, 0
    for i in range(labels.size):
        for j in range(labels.size):
            if j == i or labels[j] != labels[i]:
                continue
            pairs += 1
            exponents = [
                margin - distances[i, k]
                for k in range(labels.size)
                if labels[k] != labels[i]
            ] + [
                margin - distances[j, k]
                for k in range(labels.size)
                if labels[k] != labels[j]
            ]
            if not exponents:
                continue
            j_ij = _logsumexp(exponents) + distances[i, j]
            total += max(j_ij, 0.0) ** 2
    return np.asarray(total / (2 * pairs) if pairs else 0.0)


def _cross_entropy(target, logits):
    """-sum_j t_j log softmax(logits)_j for one row (log-space)."""
    log_p = _f64(logits) - _logsumexp(logits)
    return -sum(t * lp for t, lp in zip(target, log_p, strict=True) if t != 0)


def npairs_loss(labels, similarity):
    """Per row i (Sohn eq. 3 as TF Addons has it): cross-entropy of
    softmax(S_i) against t_ij = [l_j = l_i] / #{j : l_j = l_i} (the diagonal
    is one of the targets)."""
    labels = _labels(labels)
    s = _f64(similarity)
    losses = np.zeros(labels.size)
    for i in range(labels.size):
        same = [
            1.0 if labels[j] == labels[i] else 0.0 for j in range(labels.size)
        ]
        target = [t / sum(same) for t in same]
        losses[i] = _cross_entropy(target, s[i])
    return losses


def npairs_multilabel_loss(multi_hot, similarity):
    """Per row i: cross-entropy of softmax(S_i) against t_ij = |Y_i n Y_j| /
    sum_k |Y_i n Y_k| (TF Addons' npairs_multilabel_loss, (Y Y^T)
    row-normalised); 0 for a row with no label (TF Addons: NaN)."""
    y, s = _f64(multi_hot), _f64(similarity)
    losses = np.zeros(y.shape[0])
    for i in range(y.shape[0]):
        shared = [np.sum(y[i] * y[j]) for j in range(y.shape[0])]
        if sum(shared) == 0:
            continue
        losses[i] = _cross_entropy([c / sum(shared) for c in shared], s[i])
    return losses


def supervised_contrastive_loss(labels, embeddings, temperature=0.1):
    """Khosla et al. eq. 2 (L_out), per anchor i: with z = x / |x| (a zero
    row stays zero) and s_ij = z_i . z_j / temperature,
    L_i = -1/|P(i)| sum_{p in P(i)} [s_ip - log sum_{a != i} exp(s_ia)],
    P(i) the other samples with i's label; 0 when P(i) is empty."""
    labels = _labels(labels)
    z = _unit_rows(embeddings)
    losses = np.zeros(labels.size)
    for i in range(labels.size):
        positives, _ = _positives_and_negatives(labels, i)
        if not positives:
            continue
        others = [
            np.dot(z[i], z[a]) / temperature
            for a in range(labels.size)
            if a != i
        ]
        log_denominator = _logsumexp(others)
        terms = [
            np.dot(z[i], z[p]) / temperature - log_denominator
            for p in positives
        ]
        losses[i] = -sum(terms) / len(positives)
    return losses


def _nt_xent_term(anchor, positive, negatives, temperature):
    """-log(exp(a.p / t) / (exp(a.p / t) + sum_n exp(a.n / t)))."""
    logit = np.dot(anchor, positive) / temperature
    logits = [logit] + [np.dot(anchor, n) / temperature for n in negatives]
    return _logsumexp(logits) - logit


def nt_xent_loss(view_1, view_2, temperature=0.1, same_view_negatives=True):
    """NT-Xent (SimCLR eq. 1), per pair i: (l(u_i) + l(v_i)) / 2 on the
    unit rows u, v of the two views. The positive of u_i is v_i; its
    negatives are v_k, k != i, and, with same_view_negatives, u_k, k != i
    (symmetrically for v_i). With same_view_negatives=False this is CLIP's
    symmetric InfoNCE: the mean of the two directions' cross-entropies."""
    u, v = _unit_rows(view_1), _unit_rows(view_2)
    batch = u.shape[0]
    losses = np.zeros(batch)
    for i in range(batch):
        others = [k for k in range(batch) if k != i]
        negatives_u = [v[k] for k in others]
        negatives_v = [u[k] for k in others]
        if same_view_negatives:
            negatives_u += [u[k] for k in others]
            negatives_v += [v[k] for k in others]
        from_u = _nt_xent_term(u[i], v[i], negatives_u, temperature)
        from_v = _nt_xent_term(v[i], u[i], negatives_v, temperature)
        losses[i] = (from_u + from_v) / 2
    return losses


def keras_cv_simclr_value(view_1, view_2, temperature, per_pair=False):
    """keras-cv's SimCLRLoss (keras_cv/src/losses/simclr_loss.py): rows
    x / sqrt(max(|x|**2, 1e-7)); for pair i, loss_a = cross-entropy of row
    [u_i . v_j / t]_j ++ [u_i . u_j / t - 1e9 [j = i]]_j with target j = i,
    loss_b the same with u and v swapped; per pair loss_a + loss_b (=
    2 * nt_xent_loss). Returns the mean over pairs (keras-cv's default
    reduction), or the per-pair values with per_pair=True."""
    u = _unit_rows(view_1, epsilon=1e-7)
    v = _unit_rows(view_2, epsilon=1e-7)
    batch = u.shape[0]
    losses = np.zeros(batch)
    for i in range(batch):
        for first, second in ((u, v), (v, u)):
            cross = [
                np.dot(first[i], second[j]) / temperature for j in range(batch)
            ]
            own = [
                np.dot(first[i], first[j]) / temperature
                - (1e9 if j == i else 0.0)
                for j in range(batch)
            ]
            target = [1.0 if j == i else 0.0 for j in range(2 * batch)]
            losses[i] += _cross_entropy(target, cross + own)
    return losses if per_pair else np.mean(losses)
