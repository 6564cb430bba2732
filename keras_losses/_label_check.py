"""The opt-in check of sparse labels (`keras_losses.config`), per backend.

Raising on a tensor's value is not something `keras.ops` can express: it
needs concrete values eagerly, an assertion op in a TensorFlow graph and a
host callback under `jax.jit`. So this one module branches on the backend;
the losses only call `check_in_range`.
"""

import keras
import numpy as np
from keras import ops


def _message(position, value, count, num_classes, ignore_class):
    allowed = f"an integer class index in [0, {num_classes})"
    if ignore_class is not None:
        allowed += f" or ignore_class={ignore_class}"
    index = ", ".join(str(int(i)) for i in position)
    return (
        f"Sparse label out of range: y_true[{index}] = {int(value)} "
        f"({int(count)} such labels in this batch). Expected {allowed} "
        "along y_pred's class axis. Received: "
        f"y_true[{index}]={int(value)}. (Positions index y_true without a "
        "size-1 class axis. Raised because "
        "keras_losses.config.enable_label_checks() is on.)"
    )


def _raise_if_bad(labels, bad, num_classes, ignore_class):
    labels, bad = np.asarray(labels), np.asarray(bad)
    if bad.any():
        position = tuple(np.argwhere(bad)[0])
        raise ValueError(
            _message(
                position,
                labels[position],
                bad.sum(),
                int(num_classes),
                ignore_class,
            )
        )


def _tensorflow_assert(labels, bad, num_classes, ignore_class):
    import tensorflow as tf

    if tf.executing_eagerly():
        _raise_if_bad(labels, bad, num_classes, ignore_class)
        return
    # Assert's data is evaluated whether or not it fails: slices stay valid
    # when no label is bad.
    first = tf.where(bad)[:1]
    allowed = "[0, num_classes)"
    if ignore_class is not None:
        allowed += f" or ignore_class={ignore_class}"
    tf.debugging.Assert(
        tf.logical_not(tf.reduce_any(bad)),
        [
            f"Sparse label out of range. Expected {allowed} along y_pred's "
            "class axis. Received: y_true at position",
            first,
            "=",
            tf.gather_nd(labels, first),
            "; num_classes =",
            num_classes,
            "; labels out of range in this batch:",
            tf.reduce_sum(tf.cast(bad, "int32")),
        ],
        name="keras_losses_label_check",
    )


def _jax_check(labels, bad, num_classes, ignore_class):
    import jax

    if not isinstance(labels, jax.core.Tracer):
        _raise_if_bad(labels, bad, num_classes, ignore_class)
        return
    # Under jit only the host sees values: a callback that raises fails the
    # computation with this message.
    jax.debug.callback(
        lambda labels, bad, classes: _raise_if_bad(
            labels, bad, classes, ignore_class
        ),
        labels,
        bad,
        num_classes,
    )


def check_in_range(labels, bad, num_classes, ignore_class):
    """Raise (or add an assertion) if any entry of the bool `bad` is set.

    `labels` are the int32 labels, `bad` marks those neither in
    `[0, num_classes)` nor `ignore_class`.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        _tensorflow_assert(labels, bad, num_classes, ignore_class)
    elif backend == "jax":
        _jax_check(labels, bad, num_classes, ignore_class)
    else:  # PyTorch and NumPy run eagerly
        _raise_if_bad(
            ops.convert_to_numpy(labels),
            ops.convert_to_numpy(bad),
            num_classes,
            ignore_class,
        )
