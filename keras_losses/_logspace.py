"""log(p) and log(1 - p) of predictions, accurate and differentiable.

For logits, `categorical` never leaves log space (`log_softmax`): no
softmax is rounded, clipped and then logged. For probabilities, the clipping
to `[epsilon, 1 - epsilon]` is Keras's. The focal losses of logits take
their `log p` and `1 - p` from `keras_losses._focal_logits`.
"""

from keras import backend
from keras import ops


def clip(probabilities):
    """Clipped to `[epsilon, 1 - epsilon]`, as Keras clips probabilities.

    The bounds are tensors of the input's dtype: Keras's torch `clip` rounds
    Python-number bounds to float32, where `1 - 1e-7` is `1 - 1.19e-7`.
    """
    epsilon = backend.epsilon()
    dtype = probabilities.dtype
    return ops.clip(
        probabilities,
        ops.convert_to_tensor(epsilon, dtype),
        ops.convert_to_tensor(1.0 - epsilon, dtype),
    )


def binary(y_pred):
    """`(log p, log(1 - p))` of probabilities of the positive class."""
    p = clip(y_pred)
    return ops.log(p), ops.log1p(-p)


def categorical(y_pred, from_logits, axis=-1):
    """log of the class probabilities along `axis`.

    For probabilities, as Keras: divided by their sum, then clipped.
    """
    if from_logits:
        return ops.log_softmax(y_pred, axis=axis)
    p = y_pred / ops.sum(y_pred, axis=axis, keepdims=True)
    return ops.log(clip(p))


def categorical_with_complement(y_pred, axis=-1):
    """`(log p_c, log(1 - p_c))` for every class c of probabilities `y_pred`.

    As Keras: normalised along `axis`, clipped, then `log1p(-p)`. (Logits
    go through `keras_losses._focal_logits`, which keeps the top class's
    `1 - p` exact.)
    """
    p = clip(y_pred / ops.sum(y_pred, axis=axis, keepdims=True))
    return ops.log(p), ops.log1p(-p)


def binary_complement_of_target(y_true, log_p, log_not_p):
    """log(1 - p_t) with p_t = y p + (1 - y)(1 - p), for labels y in [0, 1].

    1 - p_t = y (1 - p) + (1 - y) p, summed in log space; for a hard label
    one term is log(0) = -inf and the sum is the other term exactly.
    """
    return ops.logaddexp(
        ops.log(y_true) + log_not_p, ops.log1p(-y_true) + log_p
    )
