"""Where keras_losses reaches into Keras's private modules or a backend.

Keras 3 has no public API for these; each is exercised by tests that fail
loudly if a Keras release moves it (tests/test_keras_integration.py, the
`ignore_class` reduction tests in tests/test_crossentropy.py, and the
data-parallel test, tests/distributed_fit.py).
"""

import keras
from keras.src import losses as _keras_losses_module

# Attach and read a loss mask on a tensor. `keras.losses.Loss.__call__` reads
# it back and leaves masked elements out of the mean: this is how Keras's own
# `ignore_class` works, and how ours matches it. Their home is
# `keras.src.backend.common.masking` (Keras 3.15.1 and 3.16); Keras 3.16 no
# longer re-exports them from `keras.src.backend`.
try:
    from keras.src.backend.common.masking import get_keras_mask
    from keras.src.backend.common.masking import set_keras_mask
except ImportError:  # older Keras: only the re-export
    from keras.src.backend import get_keras_mask
    from keras.src.backend import set_keras_mask


def add_loss_name(name, obj):
    """Make `keras.losses.get(name)`, and so `compile(loss=name)`, find `obj`.

    `keras.losses.get` resolves a string only through Keras's table of
    built-in losses, not through the registry that
    `register_keras_serializable` fills, so registered names such as
    "keras_losses>BinaryCrossentropy" must be added to that table too.
    """
    _keras_losses_module.ALL_OBJECTS_DICT[name] = obj


def count_mask_across_replicas(losses, reduction):
    """Make a loss mask's mean count unmasked elements over all replicas.

    Under `tf.distribute` with several replicas, `keras.losses.Loss` divides
    each replica's masked sum by that replica's count of unmasked elements
    (then by the number of replicas): with masks spread unevenly, e.g. by
    `ignore_class`, that is not the mean over all unmasked elements which
    one device computes, and training differs. Here, for the two mean
    reductions, the mask is folded into weights that divide by the global
    count instead, so Keras's own reduction then gives the one-device
    result. Elsewhere `losses` is returned unchanged.

    A TensorFlow branch because a cross-replica sum is a `tf.distribute`
    notion with no `keras.ops` equivalent; JAX's `DataParallel` computes the
    loss on the global batch and needs nothing.
    """
    if keras.backend.backend() != "tensorflow" or reduction not in (
        "sum_over_batch_size",
        "mean",
    ):
        return losses
    mask = get_keras_mask(losses)
    if mask is None:
        return losses
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return losses
    mask = tf.cast(mask, losses.dtype)
    replicas = tf.cast(context.num_replicas_in_sync, losses.dtype)
    local_size = tf.cast(tf.size(mask), losses.dtype)
    global_count = context.all_reduce("sum", tf.reduce_sum(mask))
    # Keras divides this replica's weighted sum by local_size and by the
    # number of replicas, then sums the replicas' gradients.
    weight = tf.math.divide_no_nan(local_size * replicas, global_count)
    return losses * mask * weight  # a new tensor: no Keras mask attached
