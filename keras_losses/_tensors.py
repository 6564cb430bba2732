"""Shape and dtype helpers shared by the loss functions (keras.ops only)."""

from typing import Any
from typing import NamedTuple

import keras
from keras import ops

from keras_losses import _keras_compat
from keras_losses import _label_check
from keras_losses import config


def as_float(x):
    """`x` as a tensor; integer or boolean input becomes `floatx()`."""
    x = ops.convert_to_tensor(x)
    if not keras.backend.is_float_dtype(x.dtype):
        x = ops.cast(x, keras.backend.floatx())
    return x


def mean(x, axis):
    """`ops.mean` over `axis`, but 0 (not NaN) where that axis is empty.

    A sample with no entries along `axis` (e.g. rank-1 inputs of length 0)
    contributes no loss, rather than a NaN that would poison a batch.
    """
    if x.shape[axis] == 0:
        return ops.sum(x, axis=axis)
    return ops.mean(x, axis=axis)


_HALF = ("float16", "bfloat16")


def upcast_half(x):
    """`x` in float32 if it is float16 or bfloat16, else unchanged.

    Every loss computes half-precision inputs in float32 and returns the
    loss in the input dtype: in float16 a clipped probability's 1 / p, a
    weighted loss near 1e4 or its gradient pass the largest number, 65504,
    and Keras's own kernels give NaN (e.g. binary cross-entropy at p = 1).
    """
    if keras.backend.standardize_dtype(x.dtype) in _HALF:
        return ops.cast(x, "float32")
    return x


def static_shape(x):
    return tuple(x.shape)


def match_rank(y_true, y_pred):
    """Reconcile ranks that differ by a trailing axis of size 1.

    This is the rule Keras's loss wrapper applies before every built-in loss:
    `(N,)` labels against `(N, 1)` predictions gain the trailing axis; a
    higher-rank tensor ending in 1 loses it.
    """
    true_rank, pred_rank = len(y_true.shape), len(y_pred.shape)
    if true_rank == pred_rank + 1 and y_true.shape[-1] == 1:
        if pred_rank == 1:
            y_pred = ops.expand_dims(y_pred, -1)
        else:
            y_true = ops.squeeze(y_true, -1)
    elif pred_rank == true_rank + 1 and y_pred.shape[-1] == 1:
        if true_rank == 1:
            y_true = ops.expand_dims(y_true, -1)
        else:
            y_pred = ops.squeeze(y_pred, -1)
    return y_true, y_pred


def shapes_agree(a, b):
    """Static shapes equal, an unknown (None) size agreeing with any."""
    return len(a) == len(b) and all(
        m is None or n is None or m == n for m, n in zip(a, b, strict=True)
    )


def check_same_shape(y_true, y_pred):
    """Raise if the static shapes of `y_true` and `y_pred` differ."""
    true_shape, pred_shape = static_shape(y_true), static_shape(y_pred)
    if not shapes_agree(true_shape, pred_shape):
        raise ValueError(
            "`y_true` and `y_pred` must have the same shape. Received: "
            f"y_true.shape={true_shape}, y_pred.shape={pred_shape}"
        )


def paired_inputs(y_true, y_pred, axis=None):
    """`(y_true, y_pred, dtype)` of an elementwise loss, shapes checked.

    Ranks differing by a trailing 1 are reconciled as Keras does; `axis`
    (the axis a mean is taken over), if given, must exist. `dtype` is
    `y_pred`'s, which the loss is returned in; half precision is computed in
    float32 (see `upcast_half`).
    """
    y_pred = as_float(y_pred)
    dtype = y_pred.dtype
    y_pred = upcast_half(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    y_true, y_pred = match_rank(y_true, y_pred)
    check_same_shape(y_true, y_pred)
    if axis is not None:
        canonical_axis(axis, len(y_pred.shape))
    return y_true, y_pred, dtype


def smooth_binary_labels(y_true, label_smoothing):
    """Squeeze binary labels towards 0.5, as Keras does."""
    if not label_smoothing:
        return y_true
    return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing


def categorical_inputs(y_true, y_pred, axis):
    """`(y_true, y_pred, class_axis, dtype)` of a categorical loss, checked.

    As `paired_inputs`, without the rank reconciliation.
    """
    y_pred = as_float(y_pred)
    dtype = y_pred.dtype
    y_pred = upcast_half(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    check_same_shape(y_true, y_pred)
    return y_true, y_pred, canonical_axis(axis, len(y_pred.shape)), dtype


def smooth_labels(y_true, y_pred, class_axis, label_smoothing):
    """Mix labels with the uniform distribution over the class axis."""
    if not label_smoothing:
        return y_true
    classes = ops.cast(num_classes(y_pred, class_axis), y_pred.dtype)
    return y_true * (1.0 - label_smoothing) + label_smoothing / classes


def check_label_shape(labels, y_pred, class_axis):
    """Raise unless sparse `labels` have `y_pred`'s shape minus the class axis.

    `y_pred` is given with its class axis already moved last; `class_axis`
    is the user's, for the message.
    """
    label_shape, pred_shape = static_shape(labels), static_shape(y_pred)
    if not shapes_agree(label_shape, pred_shape[:-1]):
        raise ValueError(
            "Sparse labels must have the shape of `y_pred` without its class "
            f"axis (axis={class_axis}), optionally with a 1 in its place. "
            f"Received: y_true.shape={label_shape}, y_pred.shape (class axis "
            f"last)={pred_shape}"
        )


def canonical_axis(axis, rank):
    """`axis` as a non-negative index into a tensor of rank `rank`."""
    if not -rank <= axis < rank:
        raise ValueError(
            f"`axis` must be in [{-rank}, {rank}) for `y_pred` of rank "
            f"{rank}. Received: axis={axis}"
        )
    return axis % rank


def num_classes(y_pred, class_axis):
    """The size of the class axis: a Python int when static, else a tensor."""
    size = y_pred.shape[class_axis]
    return ops.shape(y_pred)[class_axis] if size is None else size


def check_several_classes(y_pred, class_axis):
    """Raise if the class axis has a static size of 1 (p is then always 1)."""
    if y_pred.shape[class_axis] == 1:
        raise ValueError(
            "A categorical loss needs at least 2 classes along its class axis "
            f"(axis {class_axis}); use a binary loss for one output. "
            f"Received: y_pred.shape={static_shape(y_pred)}"
        )


def per_class(weights, y_pred, class_axis, name):
    """Turn a weight (scalar or per-class list) into a broadcastable tensor.

    A list must have one entry per class along `class_axis` of `y_pred`; the
    result has shape `(C, 1, ..., 1)` so that it lines up with that axis.
    """
    if not isinstance(weights, (list, tuple)):
        return ops.convert_to_tensor(weights, dtype=y_pred.dtype)
    class_axis %= len(y_pred.shape)
    classes = y_pred.shape[class_axis]
    if classes is not None and classes != len(weights):
        raise ValueError(
            f"`{name}` must have one entry per class: {classes} along axis "
            f"{class_axis} of y_pred (shape {static_shape(y_pred)}). "
            f"Received: {len(weights)} entries, {name}={weights}"
        )
    trailing = len(y_pred.shape) - 1 - class_axis
    shape = (len(weights),) + (1,) * trailing
    return ops.reshape(ops.convert_to_tensor(weights, y_pred.dtype), shape)


class SparseTargets(NamedTuple):
    """Integer labels prepared for a sparse loss (see `sparse_targets`)."""

    labels: Any  # int32, every entry a valid class index
    y_pred: Any  # the class axis moved last; ignored rows replaced
    in_range: Any  # bool: label in [0, C) and not ignored
    ignored: Any  # bool, or None without `ignore_class`
    dtype: Any  # the input dtype, which `finish_sparse` returns the loss in


def sparse_targets(y_true, y_pred, axis, ignore_class):
    """Labels and predictions of a sparse loss, with the bad labels found.

    The class axis of `y_pred` is moved last (Keras's sparse kernels need it
    there on TensorFlow). Labels may carry a size-1 axis in its place. Every
    returned label is a valid index: labels outside `[0, C)` and ignored ones
    become 0, and `finish_sparse` later puts NaN or 0 in their place, so that
    no backend raises for some and silently returns 0 for others. With
    `keras_losses.config.enable_label_checks()`, bad labels raise instead.
    """
    y_pred = as_float(y_pred)
    dtype = y_pred.dtype
    y_pred = upcast_half(y_pred)
    rank = len(y_pred.shape)
    class_axis = canonical_axis(axis, rank)
    labels = ops.convert_to_tensor(y_true)
    if len(labels.shape) == rank and labels.shape[class_axis] == 1:
        labels = ops.squeeze(labels, class_axis)
    if class_axis != rank - 1:
        y_pred = ops.moveaxis(y_pred, class_axis, -1)
    check_label_shape(labels, y_pred, axis)
    classes = num_classes(y_pred, -1)
    if config.label_checks_enabled():
        _label_check.check_labels(labels, classes, ignore_class)
    labels = ops.cast(labels, "int32")

    in_range = ops.logical_and(labels >= 0, labels < classes)
    ignored = None
    if ignore_class is not None:
        ignored = ops.equal(labels, ignore_class)
        in_range = ops.logical_and(in_range, ops.logical_not(ignored))
        # A constant stands in for ignored predictions so that whatever they
        # hold (even NaN) reaches neither the loss nor its gradient.
        y_pred = ops.where(ops.expand_dims(ignored, -1), 1.0, y_pred)
    labels = ops.where(in_range, labels, 0)
    return SparseTargets(labels, y_pred, in_range, ignored, dtype)


def finish_sparse(loss, targets):
    """NaN where the label was out of range; 0 and a Keras mask if ignored.

    The loss is returned in the input dtype.
    """
    loss = ops.cast(loss, targets.dtype)
    # The fill values are cast too: torch's `where` would promote float16
    # to float32 for a Python float.
    nan = ops.cast(float("nan"), loss.dtype)
    if targets.ignored is None:
        return ops.where(targets.in_range, loss, nan)
    invalid = ops.where(targets.ignored, ops.cast(0.0, loss.dtype), nan)
    loss = ops.where(targets.in_range, loss, invalid)
    _keras_compat.set_keras_mask(loss, ops.logical_not(targets.ignored))
    return loss


def take_class(values, labels):
    """`values[..., labels]`: each element's entry at its label (last axis)."""
    picked = ops.take_along_axis(values, ops.expand_dims(labels, -1), axis=-1)
    return ops.squeeze(picked, -1)
