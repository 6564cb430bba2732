"""The opt-in check of sparse labels (`keras_losses.config`), per backend.

Raising on a tensor's value is not something `keras.ops` can express: it
needs concrete values eagerly, an assertion op in a TensorFlow graph and a
host callback under `jax.jit`. So this one module branches on the backend;
the losses only call `check_labels`.
"""

import keras
import numpy as np
from keras import ops


def _bad(labels, num_classes, ignore_class):
    """Where `labels` is no class index in `[0, num_classes)` nor ignored.

    Read from the labels as given (before the losses cast them to int32), so
    that 2.5, NaN or an int64 label past 2**31 is caught, not truncated.
    """
    if isinstance(num_classes, int):
        upper = num_classes
    else:  # a dynamic class count
        upper = ops.cast(num_classes, labels.dtype)
    valid = ops.logical_and(labels >= 0, labels < upper)
    if keras.backend.is_float_dtype(labels.dtype):
        valid = ops.logical_and(valid, ops.equal(labels, ops.floor(labels)))
    if ignore_class is not None:
        valid = ops.logical_or(valid, ops.equal(labels, ignore_class))
    return ops.logical_not(valid)


def _allowed(num_classes, ignore_class):
    allowed = f"an integer class index in [0, {num_classes})"
    if ignore_class is not None:
        allowed += f" or ignore_class={ignore_class}"
    return allowed


def _number(value):
    value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _raise_if_bad(labels, bad, num_classes, ignore_class):
    labels, bad = np.asarray(labels), np.asarray(bad)
    if not bad.any():
        return
    position = tuple(np.argwhere(bad)[0])
    where = "y_true[" + ", ".join(str(int(i)) for i in position) + "]"
    raise ValueError(
        f"Sparse label out of range: {where} = {_number(labels[position])}. "
        f"Expected {_allowed(int(num_classes), ignore_class)} along "
        f"y_pred's class axis; {int(bad.sum())} of the {bad.size} labels in "
        "this call are not. (Positions index y_true without a size-1 class "
        "axis, in the batch the loss was given. Raised because "
        "keras_losses.config.enable_label_checks() is on.)"
    )


def _tensorflow_assert(labels, bad, num_classes, ignore_class):
    import tensorflow as tf

    # Assert's data is evaluated whether or not it fails: slices stay valid
    # when no label is bad.
    first = tf.where(bad)[:1]
    tf.debugging.Assert(
        tf.logical_not(tf.reduce_any(bad)),
        [
            "Sparse label out of range. Expected "
            f"{_allowed('num_classes', ignore_class)} along y_pred's class "
            "axis. Received: y_true at position",
            first,
            "=",
            tf.gather_nd(labels, first),
            "; num_classes =",
            num_classes,
            "; labels out of range in this call:",
            tf.reduce_sum(tf.cast(bad, "int32")),
        ],
        summarize=-1,  # the whole position, whatever the rank
        name="keras_losses_label_check",
    )


def _jax_callback(labels, bad, num_classes, ignore_class):
    import jax

    # Under jit only the host sees values: a callback that raises fails the
    # computation with this message (JAX also logs the callback's
    # traceback).
    jax.debug.callback(
        lambda labels, bad, classes: _raise_if_bad(
            labels, bad, classes, ignore_class
        ),
        labels,
        bad,
        num_classes,
    )


def _traced(x):
    """Whether `x` is symbolic: a TensorFlow graph tensor or a JAX tracer."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return not tf.executing_eagerly()
    if backend == "jax":
        import jax

        return isinstance(x, jax.core.Tracer)
    return False  # PyTorch and NumPy run eagerly


def check_labels(labels, num_classes, ignore_class):
    """Raise (or add an assertion) if a sparse label is out of range.

    `labels` are the labels as given, their class axis (if any) squeezed.
    """
    bad = _bad(labels, num_classes, ignore_class)
    if not _traced(labels):
        _raise_if_bad(
            ops.convert_to_numpy(labels),
            ops.convert_to_numpy(bad),
            num_classes,
            ignore_class,
        )
    elif keras.backend.backend() == "tensorflow":
        _tensorflow_assert(labels, bad, num_classes, ignore_class)
    else:
        _jax_callback(labels, bad, num_classes, ignore_class)
