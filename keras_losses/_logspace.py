"""log(p) and log(1 - p) of predictions, accurate and differentiable.

For logits these never leave log space: no sigmoid or softmax is rounded,
clipped and then logged, so confidently right and confidently wrong logits
up to +-1e4 keep an exact loss and a non-zero gradient. For probabilities,
the clipping to `[epsilon, 1 - epsilon]` is Keras's.
"""

import math

from keras import backend
from keras import ops


def _clip(probabilities):
    epsilon = backend.epsilon()
    return ops.clip(probabilities, epsilon, 1.0 - epsilon)


def binary(y_pred, from_logits):
    """`(log p, log(1 - p))` of the positive class."""
    if from_logits:
        return ops.log_sigmoid(y_pred), ops.log_sigmoid(-y_pred)
    p = _clip(y_pred)
    return ops.log(p), ops.log1p(-p)


def categorical(y_pred, from_logits, axis=-1):
    """log of the class probabilities along `axis`.

    For probabilities, as Keras: divided by their sum, then clipped.
    """
    if from_logits:
        return ops.log_softmax(y_pred, axis=axis)
    p = y_pred / ops.sum(y_pred, axis=axis, keepdims=True)
    return ops.log(_clip(p))


def categorical_with_complement(y_pred, from_logits, axis=-1):
    """`(log p_c, log(1 - p_c))` for every class c along `axis`.

    For probabilities, as Keras: normalised, clipped, then `log1p(-p)`.
    For logits, `log1p(-exp(log p_c))` is accurate wherever p_c <= 1/2. At
    most one class per row has p_c > 1/2; there 1 - p_c is the sum of the
    other classes' probabilities, so log(1 - p_c) is the log-sum-exp of the
    other logits minus that of all logits, computed as such. It stays exact
    when p_c rounds to 1 (a confidently right logit), where the naive form
    gives -inf and a NaN gradient.
    """
    if not from_logits:
        p = _clip(y_pred / ops.sum(y_pred, axis=axis, keepdims=True))
        return ops.log(p), ops.log1p(-p)
    log_all = ops.logsumexp(y_pred, axis=axis, keepdims=True)
    log_p = y_pred - log_all
    top = log_p > -math.log(2.0)
    # Double `where`: each branch sees only inputs where it is finite, so no
    # inf * 0 reaches the gradient through the branch not taken.
    others = ops.log1p(-ops.exp(ops.where(top, -1.0, log_p)))
    rest = ops.where(top, float("-inf"), y_pred)
    top_value = ops.logsumexp(rest, axis=axis, keepdims=True) - log_all
    return log_p, ops.where(top, top_value, others)


def binary_complement_of_target(y_true, log_p, log_not_p):
    """log(1 - p_t) with p_t = y p + (1 - y)(1 - p), for labels y in [0, 1].

    1 - p_t = y (1 - p) + (1 - y) p, summed in log space; for a hard label
    one term is log(0) = -inf and the sum is the other term exactly.
    """
    return ops.logaddexp(
        ops.log(y_true) + log_not_p, ops.log1p(-y_true) + log_p
    )
