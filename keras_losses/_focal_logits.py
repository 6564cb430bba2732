"""Focal losses of logits, with their gradients written out.

Autodiff through `(1 - p) ** gamma * -log(p)` builds a backward pass several
times longer than the forward one and, for gamma < 1, meets `0 * inf` where p
rounds to 1. Here each kernel returns its value together with the gradient in
closed form (`keras.ops.custom_gradient`, on every backend), which is a
handful of element-wise passes and finite everywhere.

Softmax (class axis `axis`), for weights `w_c` (label times alpha),
`f_c = (1 - p_c) ** gamma_c` and `l_c = -log p_c`, the loss is
`L = sum_c w_c f_c l_c` and

    dL/dx_j = p_j * H - h_j,   h_c = w_c f_c (1 + gamma_c p_c l_c / (1 - p_c)),
    H = sum_c h_c,

from `dp_c/dx_j = p_c (delta_cj - p_j)`. `p l / (1 - p)` is bounded (it tends
to 1 as p -> 1), so nothing in it overflows.

Precision where p rounds to 1: at most one class per row holds more than 3/4
of the mass (the "top" class). Its `1 - p` is taken as the sum of the other
classes' probabilities, which has no cancellation, and its `-log p` as
`-log1p(-(1 - p))`. Both stay exact to float precision for a confidently
right logit, where `1 - softmax` would round to 0.
"""

import numpy as np
from keras import backend
from keras import ops

_TOP = 0.75  # above 1/2, so two classes tied at 1/2 never both count as top


def _at_least_tiny(x):
    """`max(x, smallest normal number of x's dtype)`, in x's dtype.

    A `where`, not `maximum`: Keras's torch `maximum` returns float32 for
    float64 inputs, where 1e-87 and the float64 bound are 0.
    """
    tiny = np.finfo(backend.standardize_dtype(x.dtype)).tiny
    return ops.where(x < tiny, ops.convert_to_tensor(tiny, dtype=x.dtype), x)


def _power(base, gamma):
    """`base ** gamma`; the default gamma=2 as a product (pow is exp-log)."""
    if isinstance(gamma, (int, float)) and gamma == 2:
        return ops.square(base)
    return ops.power(base, gamma)


def _upstream(args, upstream):
    # keras.ops.custom_gradient passes the upstream gradient positionally on
    # TensorFlow and JAX, as the keyword `upstream` on PyTorch.
    return args[-1] if upstream is None else upstream


def _softmax_terms(logits, axis):
    """`(p, log p, top, rest)` along `axis`.

    `top` marks the class holding more than 3/4 of its row's mass, if any,
    and `rest` (keepdims) is the other classes' mass, the exact `1 - p` of
    that class. It is floored at the smallest normal number so that the
    divisions by `1 - p` in the gradients are never 0 / 0; a row whose rest
    underflows has loss and gradient 0 either way.
    """
    p = ops.softmax(logits, axis=axis)
    log_p = ops.log_softmax(logits, axis=axis)
    top = p > _TOP
    rest = ops.sum(ops.where(top, 0.0, p), axis=axis, keepdims=True)
    # In a row without a top class, rest is ~1 and never read; capped at 1/4
    # (above any top class's) so that log1p(-rest) stays finite there too:
    # a second derivative meets both branches of the `where`s below.
    rest = ops.where(rest > 1.0 - _TOP, 1.0 - _TOP, rest)
    return p, log_p, top, _at_least_tiny(rest)


def _exact_top(top, rest, p, log_p):
    """`(1 - p, log p)` with the top class's taken from `rest`."""
    return ops.where(top, rest, 1.0 - p), ops.where(
        top, ops.log1p(-rest), log_p
    )


def softmax_focal(weights, logits, gamma, axis):
    """`sum_c weights_c (1 - p_c) ** gamma_c * -log p_c` along `axis`.

    `weights` (labels times alpha) broadcasts against `logits`; `gamma` is a
    number or a tensor broadcasting along `axis`. Both inputs get gradients.
    """

    @ops.custom_gradient
    def focal(weights, logits):
        p, log_p, top, rest = _softmax_terms(logits, axis)
        one_minus_p, log_p = _exact_top(top, rest, p, log_p)
        factor = _power(one_minus_p, gamma)
        weighted = weights * factor
        weighted_log_p = weighted * log_p
        loss = -ops.sum(weighted_log_p, axis=axis)

        def grad(*args, upstream=None):
            upstream = ops.expand_dims(_upstream(args, upstream), axis)
            ratio = weighted_log_p * p / one_minus_p
            h = (weighted - gamma * ratio) * upstream
            d_logits = p * ops.sum(h, axis=axis, keepdims=True) - h
            d_weights = -factor * log_p * upstream
            return d_weights, d_logits

        return loss, grad

    return focal(weights, logits)


def sparse_softmax_focal(labels, logits, alpha, gamma):
    """`alpha_k (1 - p_k) ** gamma_k * -log p_k` at each label k (last axis).

    Only the label's entries are gathered: no one-hot tensor in the forward
    pass. `alpha` and `gamma` are numbers or per-class vectors (tensors of
    shape `(C,)`); `labels` must be valid indices. The gradient is
    `H * (p - one_hot(k))` for a per-element factor H.
    """
    alpha_k = _at_label(alpha, labels)
    gamma_k = _at_label(gamma, labels)

    @ops.custom_gradient
    def focal(logits):
        p, log_p, top, rest = _softmax_terms(logits, -1)
        index = ops.expand_dims(labels, -1)
        p_k = ops.take_along_axis(p, index, axis=-1)
        log_p_k = ops.take_along_axis(log_p, index, axis=-1)
        rest_k, log_p_k = _exact_top(p_k > _TOP, rest, p_k, log_p_k)
        rest_k, log_p_k, p_k = (
            ops.squeeze(t, -1) for t in (rest_k, log_p_k, p_k)
        )
        factor = _power(rest_k, gamma_k)
        loss = -alpha_k * factor * log_p_k

        def grad(*args, upstream=None):
            upstream = _upstream(args, upstream)
            h = alpha_k * factor * (1.0 - gamma_k * p_k * log_p_k / rest_k)
            h = ops.expand_dims(h * upstream, -1)
            # The class count may be a tensor (unknown under tf.function).
            one_hot = ops.one_hot(labels, ops.shape(p)[-1], dtype=p.dtype)
            return (p - one_hot) * h

        return loss, grad

    return focal(logits)


def _at_label(values, labels):
    """A per-class vector's entry at each label; a number passes as is."""
    if isinstance(values, (int, float)) or len(values.shape) == 0:
        return values
    return ops.take(values, labels)


def sigmoid_focal(y_true, logits, gamma):
    """Per element `(1 - p_t) ** gamma * bce(y, sigmoid(x))`.

    With `u = y (1 - p)` and `v = (1 - y) p`, `1 - p_t = u + v` and
    `p - y = v - u`: sums of positive terms, exact for any logit. The
    gradient, with `s = gamma (1 - p_t) ** (gamma - 1) bce`, is

        dL/dx = f (p - y) + (1 - 2y) p (1 - p) s
        dL/dy = (1 - 2p) s - f x

    where `p (1 - p) <= 1 - p_t` keeps the second term finite.
    """

    @ops.custom_gradient
    def focal(y, x):
        p = ops.sigmoid(x)
        not_p = ops.sigmoid(-x)
        not_y = 1.0 - y
        u = y * not_p
        v = not_y * p
        one_minus_p_t = u + v
        # relu(x) - x y + softplus(-|x|), the last as -log1p(-sigmoid(-|x|)):
        # pow, exp-log and softplus kernels cost several multiplications each.
        bce = ops.relu(x) - x * y - ops.log1p(-ops.minimum(p, not_p))
        factor = _power(one_minus_p_t, gamma)
        loss = factor * bce

        def grad(*args, upstream=None):
            upstream = _upstream(args, upstream)
            if gamma == 2:  # the default, without a division
                slope = 2.0 * one_minus_p_t
            else:  # gamma (1 - p_t) ** (gamma - 1); 0 where 1 - p_t is 0
                slope = gamma * factor / _at_least_tiny(one_minus_p_t)
            slope_bce = slope * bce
            d_x = factor * (v - u) + (not_y - y) * (p * not_p) * slope_bce
            d_y = (not_p - p) * slope_bce - factor * x
            return d_y * upstream, d_x * upstream

        return loss, grad

    return focal(y_true, logits)


def softmax_complement(logits, axis):
    """`1 - p_c` for every class of `softmax(logits)` along `axis`.

    Exact for the top class too (the other classes' mass), where
    `1 - softmax` rounds to 0 for a confident logit; differentiable by
    autodiff (a sum of probabilities).
    """
    p, log_p, top, rest = _softmax_terms(logits, axis)
    return _exact_top(top, rest, p, log_p)[0]


def label_complement(logits, labels):
    """`1 - p_k` of the label `k` of each row of logits (last axis), exact.

    Only the label's entry is needed, so rather than the complement of every
    class (`softmax_complement`, several passes over the whole
    tensor) one product with `one_hot(labels)` splits the softmax into the
    label's probability and the other classes' mass: `p - p * one_hot` is
    exactly 0 at the label and `p` elsewhere, so `rest` has no cancellation.
    As there, the label's `1 - p_k` is `rest` where it holds more than 3/4 of
    the mass (where `1 - p_k` would round to 0) and `1 - p_k` otherwise:
    the same values, and gradients by autodiff of the same sums.
    """
    p = ops.softmax(logits, axis=-1)
    at_label = p * ops.one_hot(labels, ops.shape(p)[-1], dtype=p.dtype)
    p_k = ops.sum(at_label, axis=-1)
    rest = ops.sum(p - at_label, axis=-1)
    return ops.where(p_k > _TOP, rest, 1.0 - p_k)
