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

    For logits, `log p_c = x_c - logsumexp(x)` and `log1p(-exp(log p_c))`
    are accurate wherever p_c <= 3/4. At most one class per row, the "top"
    one, has p_c > 3/4 (a threshold above 1/2, so that two classes tied at
    1/2 are never both taken for it after rounding). There, with `r` the
    log-sum-exp of the other logits,
    `log(1 - p_c) = r - logsumexp(x)` and `-log p_c = softplus(r - x_c)`,
    both computed as such: exact to float precision even when p_c rounds to
    1 (a confidently right logit), where the naive forms give 0, -inf and a
    NaN gradient.
    """
    if not from_logits:
        p = _clip(y_pred / ops.sum(y_pred, axis=axis, keepdims=True))
        return ops.log(p), ops.log1p(-p)
    if 0 in tuple(y_pred.shape):  # an empty batch (Keras's max refuses it)
        return y_pred, y_pred
    # Sums are taken around the largest logit of what they sum, so that no
    # logit as large as 1e4 is ever added to a number near 1 (which would
    # round away ~1e-3 of it). The shifts cancel out of the result, so they
    # need no gradient.
    top_logit = ops.stop_gradient(ops.max(y_pred, axis=axis, keepdims=True))
    shifted = y_pred - top_logit
    log_sum = ops.log(ops.sum(ops.exp(shifted), axis=axis, keepdims=True))
    log_p = shifted - log_sum
    top = log_p > math.log(0.75)
    # Double `where`: each branch sees only inputs where it is finite, so no
    # inf * 0 reaches the gradient through the branch not taken.
    others = ops.log1p(-ops.exp(ops.where(top, -1.0, log_p)))
    rest = ops.where(top, float("-inf"), y_pred)
    runner_up = ops.stop_gradient(ops.max(rest, axis=axis, keepdims=True))
    log_rest_sum = ops.log(
        ops.sum(ops.exp(rest - runner_up), axis=axis, keepdims=True)
    )
    # r - x_c, r the log-sum-exp of the logits other than the top one; only
    # read at the top class. x_c enters with its gradient (it is not a
    # shift here).
    rest_minus_x = (runner_up - y_pred) + log_rest_sum
    log_not_p = ops.where(top, rest_minus_x + log_p, others)
    log_p = ops.where(top, -ops.softplus(rest_minus_x), log_p)
    return log_p, log_not_p


def binary_complement_of_target(y_true, log_p, log_not_p):
    """log(1 - p_t) with p_t = y p + (1 - y)(1 - p), for labels y in [0, 1].

    1 - p_t = y (1 - p) + (1 - y) p, summed in log space; for a hard label
    one term is log(0) = -inf and the sum is the other term exactly.
    """
    return ops.logaddexp(
        ops.log(y_true) + log_not_p, ops.log1p(-y_true) + log_p
    )
