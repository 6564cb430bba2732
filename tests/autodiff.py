"""Value and gradient of a scalar function, on whichever backend is active."""

import keras
import numpy as np


def value_and_grad(fn, x):
    """`fn(x)` (a scalar tensor) and its gradient with respect to `x`.

    `x` is a NumPy array; both results come back as NumPy arrays.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = fn(x)
        grad = tape.gradient(value, x)
    elif backend == "jax":
        import jax

        value, grad = jax.value_and_grad(fn)(jax.numpy.asarray(x))
    elif backend == "torch":
        import torch

        x = torch.tensor(x, requires_grad=True)
        value = fn(x)
        (grad,) = torch.autograd.grad(value, x)
    else:  # pragma: no cover
        raise NotImplementedError(backend)
    to_numpy = keras.ops.convert_to_numpy
    return np.asarray(to_numpy(value)), np.asarray(to_numpy(grad))


def finite_difference(fn, x, step=1e-6):
    """Central differences of the sum of a NumPy float64 function at `x`.

    `fn` may return the per-sample losses: each is differenced before the
    sum, so the rounding error scales with one loss, not with their total.
    """
    x = np.asarray(x, dtype="float64")
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += step
        down[index] -= step
        difference = np.asarray(fn(up)) - np.asarray(fn(down))
        grad[index] = np.sum(difference) / (2 * step)
    return grad
