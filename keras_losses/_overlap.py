"""Sets of elements and their overlap statistics (the segmentation losses).

A loss over sets sums the elements of each set (Keras's `axis`: the axes
of `y_pred` summed over; None means every axis) into statistics: the soft
true positives `tp = sum(t * p)`, `true_sum = sum(t)` and
`pred_sum = sum(p)` of each set, per class when the class axis is not summed
over. Dense labels (the shape of `y_pred`) and sparse ones (integer classes)
end up here in one layout, the class axis last, so that every loss of the
family reads the same `Statistics` whatever the label form. Sparse labels
are one-hot encoded inside (see `sparse_statistics`): the user builds no
one-hot tensor.
"""

from typing import Any
from typing import NamedTuple

from keras import ops

from keras_losses import _keras_compat
from keras_losses import _tensors


class Layout(NamedTuple):
    """Where the sets and classes of `y_pred` lie.

    `set_axes`: the non-class axes summed over, as indices of `y_pred`.
    `class_axis`: the class axis of `y_pred` (non-negative), or None.
    `pool_classes`: whether the classes are summed too (the class axis is in
    the user's `axis`). `class_position`: where the class axis goes back to
    in the loss (its place among the axes that are not summed), or None.
    """

    set_axes: tuple
    class_axis: Any
    pool_classes: bool
    class_position: Any


def layout(rank, axis, class_axis, classes_always_kept=False):
    """The `Layout` of a rank-`rank` `y_pred` for the user's arguments.

    With `classes_always_kept` (generalized Dice, Lovász) the class axis is
    never summed with the elements: the loss combines the classes itself.
    """
    if class_axis is not None:
        class_axis = _tensors.canonical_axis(class_axis, rank)
    if axis is None:
        axes = set(range(rank))
    else:
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        axes = {_tensors.canonical_axis(a, rank) for a in axes}
    pool_classes = class_axis in axes and not classes_always_kept
    axes.discard(class_axis)
    position = None
    if class_axis is not None and not pool_classes:
        position = sum(
            1 for a in range(class_axis) if a not in axes
        )  # kept axes before the class axis
    return Layout(tuple(sorted(axes)), class_axis, pool_classes, position)


class Statistics(NamedTuple):
    """Overlap statistics of each set, classes last when there are classes.

    `tp`, `true_sum` and `pred_sum` have the shape of the kept (not summed)
    axes, plus the classes last when `y_pred` has a class axis. `valid` is
    the number of elements that count in each set (None without
    `ignore_class`, when all do) and `bad` whether a set holds a label
    outside the classes (None for dense labels); both have the kept shape
    without classes. `classes` is the class count before any exclusion.
    """

    tp: Any
    true_sum: Any
    pred_sum: Any
    valid: Any
    bad: Any
    dtype: Any
    classes: Any = None  # the class count before exclusion


def without_class(axes, class_axis):
    """Indices of `axes` once the class axis is moved last."""
    if class_axis is None:
        return axes
    return tuple(a - 1 if a > class_axis else a for a in axes)


def probabilities(y_pred, from_logits, class_axis):
    """Sigmoid per element (no class axis) or softmax over the classes."""
    if not from_logits:
        return y_pred
    if class_axis is None:
        return ops.sigmoid(y_pred)
    return ops.softmax(y_pred, axis=class_axis)


def check_classes(exclude_classes, classes):
    if exclude_classes and isinstance(classes, int):
        if max(exclude_classes) >= classes:
            raise ValueError(
                "`exclude_classes` must name classes in [0, "
                f"{classes}) ({classes} classes in `y_pred`). Received: "
                f"exclude_classes={exclude_classes}"
            )


def kept_classes(classes, exclude_classes):
    """The indices of the classes that are not excluded (`classes` an int)."""
    excluded = set(exclude_classes or ())
    return [c for c in range(classes) if c not in excluded]


def drop_classes(x, exclude_classes, classes):
    """`x` without the excluded classes along its last axis.

    `classes` may be a tensor (a class count unknown until run time): the
    kept indices are then counted up from 0, stepping over each excluded
    class in increasing order.
    """
    if not exclude_classes:
        return x
    if isinstance(classes, int):
        keep = ops.convert_to_tensor(
            kept_classes(classes, exclude_classes), "int32"
        )
    else:
        keep = ops.arange(classes - len(exclude_classes), dtype="int32")
        for excluded in sorted(exclude_classes):
            keep = keep + ops.cast(keep >= excluded, "int32")
    return ops.take(x, keep, axis=-1)


def dense_statistics(
    y_true, y_pred, layout, from_logits, exclude_classes, squared_pred
):
    """`Statistics` of labels with the shape of `y_pred`."""
    y_true, y_pred, dtype = _tensors.paired_inputs(y_true, y_pred)
    if exclude_classes and layout.class_axis is None:
        raise ValueError(
            "`exclude_classes` names classes along `class_axis`, which is "
            "None (independent channels). Expected: a `class_axis` with "
            f"exclude_classes. Received: exclude_classes={exclude_classes}, "
            "class_axis=None"
        )
    p = probabilities(y_pred, from_logits, layout.class_axis)
    classes = None
    if layout.class_axis is not None:
        p = ops.moveaxis(p, layout.class_axis, -1)
        y_true = ops.moveaxis(y_true, layout.class_axis, -1)
        classes = _tensors.num_classes(p, -1)
        check_classes(exclude_classes, classes)
        p = drop_classes(p, exclude_classes, classes)
        y_true = drop_classes(y_true, exclude_classes, classes)
        classes = None
    axes = without_class(layout.set_axes, layout.class_axis)
    tp = ops.sum(y_true * p, axis=axes)
    true_sum = ops.sum(y_true, axis=axes)
    pred_sum = ops.sum(ops.square(p) if squared_pred else p, axis=axes)
    return Statistics(tp, true_sum, pred_sum, None, None, dtype, classes)


def _dimension(x, axis):
    size = x.shape[axis]
    return ops.shape(x)[axis] if size is None else size


def sparse_statistics(
    y_true,
    y_pred,
    layout,
    from_logits,
    exclude_classes,
    ignore_class,
    squared_pred,
):
    """`Statistics` of integer labels (the user builds no one-hot tensor).

    Inside, the labels' one-hot rows select each element's true class: on
    TensorFlow its product with `p` differentiates faster than gathering
    `p` at the labels and summing per (set, class) bin, whose gradient is a
    scatter (1.7x the time of a one-hot transcription, forward and
    backward, 8 x 256 x 256 x 21, `benchmarks/`).
    """
    targets = _tensors.sparse_targets(
        y_true, y_pred, layout.class_axis, ignore_class
    )
    p = probabilities(targets.y_pred, from_logits, -1)
    classes = _tensors.num_classes(p, -1)
    check_classes(exclude_classes, classes)
    valid = targets.in_range
    weight = ops.cast(valid, p.dtype)
    if targets.ignored is not None:
        p = ops.where(ops.expand_dims(targets.ignored, -1), 0.0, p)
    axes = without_class(layout.set_axes, layout.class_axis)
    truth = ops.one_hot(targets.labels, classes, dtype=p.dtype)
    if targets.ignored is not None:  # (a bad label's set is NaN anyway)
        truth = truth * ops.expand_dims(weight, -1)
    tp = ops.sum(truth * p, axis=axes)
    true_sum = ops.sum(truth, axis=axes)
    pred_sum = ops.sum(ops.square(p) if squared_pred else p, axis=axes)
    tp, true_sum, pred_sum = (
        drop_classes(x, exclude_classes, classes)
        for x in (tp, true_sum, pred_sum)
    )
    bad = ops.logical_not(valid)
    if targets.ignored is not None:
        bad = ops.logical_and(bad, ops.logical_not(targets.ignored))
    valid_count = None
    if ignore_class is not None:
        valid_count = ops.sum(weight, axis=axes)
    return Statistics(
        tp,
        true_sum,
        pred_sum,
        valid_count,
        ops.any(bad, axis=axes),
        targets.dtype,
        classes,
    )


def statistics(y_true, y_pred, layout, sparse, **options):
    """Dense or sparse `Statistics`, classes pooled if the layout says so."""
    ignore_class = options.pop("ignore_class", None)
    if sparse:
        stats = sparse_statistics(
            y_true, y_pred, layout, ignore_class=ignore_class, **options
        )
    else:
        stats = dense_statistics(y_true, y_pred, layout, **options)
    if not layout.pool_classes or layout.class_axis is None:
        return stats
    return stats._replace(
        tp=ops.sum(stats.tp, axis=-1),
        true_sum=ops.sum(stats.true_sum, axis=-1),
        pred_sum=ops.sum(stats.pred_sum, axis=-1),
    )


def class_weighted(loss, class_weight, exclude_classes, layout, axis, classes):
    """Each class's loss times its weight (classes last)."""
    if class_weight is None:
        return loss
    if layout.class_axis is None or layout.pool_classes:
        raise ValueError(
            "`class_weight` weights each class's loss, so it needs a class "
            "axis that is not summed over: set `class_axis` and leave it out "
            f"of `axis`. Received: class_axis={layout.class_axis}, "
            f"axis={axis}"
        )
    if isinstance(classes, int) and len(class_weight) != classes:
        raise ValueError(
            "`class_weight` must have one entry per class: "
            f"{classes} along class_axis={layout.class_axis}. "
            f"Received: {len(class_weight)} entries, "
            f"class_weight={class_weight}"
        )
    keep = kept_classes(len(class_weight), exclude_classes)
    weights = [class_weight[c] for c in keep]
    return loss * ops.convert_to_tensor(weights, dtype=loss.dtype)


def finish(loss, stats, layout, classes_in_loss=True):
    """The loss of each set, in the input dtype, with its class axis back.

    Sets with no element that counts (every label `ignore_class`) get 0 and
    are masked out of Keras's reduction; a set holding a label outside the
    classes gets NaN.
    """
    expand = classes_in_loss and layout.class_position is not None

    def per_set(flags):
        return ops.expand_dims(flags, -1) if expand else flags

    if stats.valid is not None:
        loss = ops.where(per_set(stats.valid == 0), 0.0, loss)
    if stats.bad is not None:
        loss = ops.where(per_set(stats.bad), float("nan"), loss)
    if classes_in_loss and layout.class_position is not None:
        loss = ops.moveaxis(loss, -1, layout.class_position)
    loss = ops.cast(loss, stats.dtype)
    if stats.valid is not None:
        mask = ops.logical_not(stats.valid == 0)
        if classes_in_loss and layout.class_position is not None:
            mask = ops.broadcast_to(
                ops.expand_dims(mask, layout.class_position), ops.shape(loss)
            )
        _keras_compat.set_keras_mask(loss, mask)
    return loss


def _size(x, axes):
    size = 1
    for axis in axes:
        size = size * _dimension(x, axis)
    return size


def element_sets(x, set_axes, rank):
    """`x` as `(sets, elements, ...)`: the kept axes of its first `rank` axes
    flattened into the sets, the `set_axes` into the elements; trailing axes
    beyond `rank` (the classes) stay. Returns it and the kept axes' shape.
    """
    kept = [a for a in range(rank) if a not in set_axes]
    trailing = list(range(rank, len(x.shape)))
    x = ops.transpose(x, kept + list(set_axes) + trailing)
    kept_shape = [_dimension(x, a) for a in range(len(kept))]
    sets = _size(x, range(len(kept)))
    elements = _size(x, range(len(kept), rank))
    # Both sizes given: reshape cannot infer a -1 when another size is 0.
    shape = [sets, elements] + [_dimension(x, a) for a in trailing]
    return ops.reshape(x, shape), kept_shape


def lovasz_gradient(fg_sorted):
    """The Lovász extension's gradient of the Jaccard loss (last axis).

    Given the labels (0/1) of a set's elements sorted by decreasing error,
    entry `i` is `J(i) - J(i - 1)`, `J(i)` the Jaccard loss of predicting
    the first `i + 1` elements wrong (Berman et al., 2018, eq. 9 / Alg. 1).
    The union is at least 1 for any non-empty set, so there is no 0 / 0.
    """
    true_count = ops.sum(fg_sorted, axis=-1, keepdims=True)
    intersection = true_count - ops.cumsum(fg_sorted, axis=-1)
    union = true_count + ops.cumsum(1.0 - fg_sorted, axis=-1)
    jaccard = 1.0 - intersection / union
    return ops.concatenate(
        [jaccard[..., :1], jaccard[..., 1:] - jaccard[..., :-1]], axis=-1
    )


def lovasz_extension(errors, fg):
    """`sum_i errors_(i) * g_i`, errors sorted in decreasing order."""
    order = ops.argsort(-errors, axis=-1)
    errors = ops.take_along_axis(errors, order, axis=-1)
    fg = ops.take_along_axis(fg, order, axis=-1)
    gradient = ops.stop_gradient(lovasz_gradient(fg))
    return ops.sum(errors * gradient, axis=-1)
