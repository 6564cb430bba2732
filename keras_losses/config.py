"""Package-wide switches, in the manner of `keras.config`.

Label checks
------------
A sparse label outside `[0, num_classes)` that is not `ignore_class` gives
NaN for that element, by design, on every backend (the same on all three,
and free of cost): `fit` then reports a NaN loss. To find the label instead,
turn the check on before the model is compiled or the loss first called:

>>> keras_losses.config.enable_label_checks()
>>> loss = keras_losses.SparseCategoricalCrossentropy()
>>> try:
...     loss([0, 3], [[0.9, 0.1, 0.0], [0.2, 0.3, 0.5]])
... except Exception as error:
...     print("y_true[1] = 3" in str(error))
True
>>> keras_losses.config.disable_label_checks()

With the check on, every sparse loss (`SparseCategoricalCrossentropy`,
`SparseCategoricalFocalCrossentropy` and their functions) raises an error
that names the first offending position, its value, the number of classes and
how many labels are out of range:

- eagerly (TensorFlow eager, `run_eagerly=True`, PyTorch, NumPy): a
  `ValueError` at once;
- in a `tf.function` graph (Keras's default `fit` on TensorFlow): a
  `tf.debugging.Assert`, raised by TensorFlow as `InvalidArgumentError`.
  XLA drops assertions, and Keras's `fit` compiles with XLA by itself on
  TensorFlow with a GPU (`jit_compile="auto"`): compile with
  `jit_compile=False` while looking for the label;
- under `jax.jit` (Keras's default `fit` on JAX): a `jax.debug.callback`
  that raises, reported by JAX as a runtime error that contains the
  message (JAX also logs the callback's traceback).

Labels are checked as given, before the cast to int32 the losses make: a
float label such as 2.5 or NaN, or an int64 label past 2**31, is reported
too. The position is within the labels the loss was given: the batch, or
under `tf.distribute`, `keras.distribution.DataParallel` or `vmap`, the
replica's or the slice's part of it.

The check costs a pass over the labels and, in graphs, a host round trip,
so it is off by default. The switch is read when a loss is traced: turn it
on before `compile`/`fit`, not in the middle of a compiled training loop.
"""

_label_checks = False


def enable_label_checks():
    """Make sparse losses raise on labels outside `[0, num_classes)`."""
    global _label_checks
    _label_checks = True


def disable_label_checks():
    """Go back to the default: an out-of-range label gives NaN."""
    global _label_checks
    _label_checks = False


def label_checks_enabled():
    """Whether sparse losses check their labels (`False` by default)."""
    return _label_checks
