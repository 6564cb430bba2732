"""Every place keras_losses reaches into Keras's private modules.

Nothing else in the package imports from `keras.src` (a test checks this:
tests/test_keras_compat.py). Each private symbol is named in
`PRIVATE_SYMBOLS`, resolved by `_private`, which fails at import with the
symbol's full name if a Keras release removes it, and is checked by name in
tests/test_keras_compat.py.

The private symbols, why there is no public route, and where they were
checked:

- `keras.src.losses.ALL_OBJECTS_DICT`: the table through which
  `keras.losses.get(name)`, and so `compile(loss=name)`, resolves a string.
  It reads only this table, not the registry that
  `keras.saving.register_keras_serializable` fills, and Keras has no public
  function to add to it.
- `keras.src.backend.common.masking.get_keras_mask` and `set_keras_mask`:
  read and attach the mask that `keras.losses.Loss.__call__` leaves out of
  the mean; this is how Keras's own `ignore_class` works and how ours
  matches it. Keras exports no public mask accessor (the `_keras_mask`
  behind it is private: an attribute of the tensor where the tensor takes
  one, else an entry in a global table). The `masking` module was added in
  Keras 3.6.0; until 3.15 the functions were also re-exported from
  `keras.src.backend`, which Keras 3.16 no longer does, so the `masking`
  module is the one location present on every supported Keras and no
  fallback is needed.

  Why `ignore_class` keeps this private mask rather than a public route:
  the one public route is to fold the mask into the returned values
  (ignored elements 0, the others scaled by `size / count`), which gives
  Keras's numbers for `"sum_over_batch_size"`, `"mean"`, `"sum"` and
  `None`, but not for `"mean_with_sample_weight"`: with a mask Keras divides
  by the sum of the sample weights of the unmasked elements only, which
  the loss cannot know (the sample weights never reach `call`) without
  re-implementing Keras's reduction (the loss contract, point 4). Measured
  on Keras 3.15.1, 6 labels with 2 ignored and random sample weights: Keras
  1.6442, the folded values 1.0027. The private mask also carries Keras's
  exact semantics into its metrics and `compile` loss handling for free.
  tests/test_crossentropy.py compares ours with Keras's own `ignore_class`
  over every reduction and sample weighting.

Checked, with the whole test suite passing, on Keras 3.8.0 (TensorFlow
2.16.1 and 2.16.2 with numpy 1.26.4; torch 2.13.0), Keras 3.10.0 (jax
0.10.2), Keras 3.15.1 (TensorFlow 2.21.0) and keras-nightly
3.16.0.dev2026102704 (TensorFlow 2.21.0): all three symbols are at these
locations and behave as relied on.

The oldest supported Keras is 3.8.0, and no shim is needed from there on:
- Keras 3.7.0 added the `"mean"` and `"mean_with_sample_weight"`
  reductions, which every loss accepts and leaves to `keras.losses.Loss`
  (the loss contract, points 3 and 4); before 3.7 they would have to be
  re-implemented, so no older Keras is supported.
- Keras 3.7.0 trains differently under `tf.distribute.MirroredStrategy`
  than on one device, for its built-in losses too (loss scaling, fixed in
  Keras 3.8.0 by keras-team/keras#20609 and #20610); no loss can work
  around that (the loss contract, point 16).
- On JAX, Keras 3.8 and 3.9 call `jax.spmd_mode` in `fit`, which the JAX
  0.10 releases no longer have; Keras 3.10.0 removed the call, so the JAX
  backend needs Keras 3.10.0 or newer. Nothing here depends on it.
"""

import importlib

import keras

# (module, name) of each private Keras symbol used; see the docstring.
PRIVATE_SYMBOLS = (
    ("keras.src.losses", "ALL_OBJECTS_DICT"),
    ("keras.src.backend.common.masking", "get_keras_mask"),
    ("keras.src.backend.common.masking", "set_keras_mask"),
)


def _private(module, name):
    """`module.name`, or an ImportError naming it and the Keras version."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as error:
        raise ImportError(
            f"keras_losses needs the private Keras symbol {module}.{name}, "
            f"which Keras {keras.__version__} does not have (see "
            "keras_losses/_keras_compat.py for the Keras versions supported)."
        ) from error


# Resolved from the list itself, so that no private symbol goes unlisted.
_RESOLVED = {name: _private(module, name) for module, name in PRIVATE_SYMBOLS}
_ALL_LOSSES = _RESOLVED["ALL_OBJECTS_DICT"]
get_keras_mask = _RESOLVED["get_keras_mask"]
set_keras_mask = _RESOLVED["set_keras_mask"]


def add_loss_name(name, obj):
    """Make `keras.losses.get(name)`, and so `compile(loss=name)`, find `obj`.

    `keras.losses.get` resolves a string only through Keras's table of
    built-in losses, not through the registry that
    `register_keras_serializable` fills, so registered names such as
    "keras_losses>BinaryCrossentropy" must be added to that table too.
    """
    _ALL_LOSSES[name] = obj


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


def _replicas():
    """The number of replicas in sync under `tf.distribute`, else 1."""
    if keras.backend.backend() != "tensorflow":
        return 1
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    return 1 if context is None else context.num_replicas_in_sync


def average_batch_statistic_across_replicas(losses, reduction):
    """Give a scalar loss Keras's per-replica scaling, under tf.distribute.

    Keras's reduction returns a 0-d loss as it is, skipping the division by
    the number of replicas it applies to every other loss before the
    replicas' gradients are summed (and its loss tracker multiplies by that
    number back): under `tf.distribute` with R replicas, a loss that is one
    value for the batch (Keras's own `Dice()` with `axis=None`) is trained
    and reported R times too large. As a 1-element tensor it is divided
    like any other, so the replicas' values are averaged. Only for the mean
    reductions (a "sum" of replica values stays a sum); elsewhere `losses`
    is returned unchanged.
    """
    if (
        len(losses.shape) == 0
        and reduction
        in ("sum_over_batch_size", "mean", "mean_with_sample_weight")
        and _replicas() > 1
    ):
        return keras.ops.reshape(losses, (1,))
    return losses
