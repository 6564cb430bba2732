"""Focal losses of logits, with their gradients written out.

Autodiff through `(1 - p) ** gamma * -log(p)` builds a backward pass several
times longer than the forward one and, for gamma < 1, meets `0 * inf` where p
rounds to 1. Here each kernel returns its value together with the gradient in
closed form, which is a handful of element-wise passes and finite everywhere.

How a kernel runs (`_closed_form`):

- TensorFlow. A `tf.function` graph runs each element-wise operation as a
  kernel of its own: one pass over the tensor in memory per operation, and
  on a CPU each pass costs about as much as the arithmetic it does. The
  kernels here are compiled by XLA instead (`jit_compile=True`, a function
  of their own inside the caller's graph, whatever the caller's mode),
  which fuses the loss and its logit gradient into one loop: one read of
  the logits and labels and one write of the gradient, where the same
  formulas took 30 passes. The backward pass is one multiplication by the
  upstream gradient. Where no gradient tape records (evaluation), the
  loss alone is compiled. The gradient with respect to the labels is
  another compiled function, called only when asked for (TensorFlow prunes
  it from a graph that does not use it).
- JAX and PyTorch: `keras.ops.custom_gradient`. JAX compiles the step with
  XLA already; PyTorch runs the gradient's operations only in the backward
  pass, so that a forward pass (evaluation) does not pay for them.

Softmax (class axis `axis`), for weights `w_c` (label times alpha),
`f_c = (1 - p_c) ** gamma_c` and `l_c = -log p_c`, the loss is
`L = sum_c w_c f_c l_c` and

    dL/dx_j = p_j * H - h_j,   h_c = w_c f_c (1 + gamma_c p_c l_c / (1 - p_c)),
    H = sum_c h_c,

from `dp_c/dx_j = p_c (delta_cj - p_j)`. `p l / (1 - p)` is bounded (it tends
to 1 as p -> 1), so nothing in it overflows.

Precision where p rounds to 1: with `z = x - max(x)` and `e = exp(z)`, the
mass of the other classes, `sum(e) - 1`, is summed without the largest
entry (`_shifted`), so it has no cancellation. The class holding more than
3/4 of the mass (the "top" class, at most one per row) takes its `1 - p`
from it and its `log p` as `-log1p(others)`. Both stay exact to float
precision for a confidently right logit, where `1 - softmax` and
`log_softmax` round to 0.
"""

import numpy as np
from keras import backend
from keras import ops

from keras_losses import _tensors


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


def _closed_form(kernel, labels, logits, axis, *params):
    """`kernel`'s loss, differentiated by its written-out gradient.

    `kernel(labels, logits, *params)` returns `(loss, grad)`, where
    `grad(upstream)` returns `(d_labels, d_logits)` for an upstream gradient
    of the loss's shape, or for ones if `upstream` is None. The loss has
    `logits`' shape without `axis`. `params` are numbers or tensors.
    """
    if backend.backend() == "tensorflow":
        return _compiled_tf(kernel, labels, logits, axis, params)

    @ops.custom_gradient
    def loss_of(labels, logits):
        loss, grad = kernel(labels, logits, *params)

        def backward(*args, upstream=None):
            # keras.ops.custom_gradient passes the upstream gradient
            # positionally on JAX, as the keyword `upstream` on PyTorch.
            return grad(args[-1] if upstream is None else upstream)

        return loss, backward

    return loss_of(labels, logits)


_COMPILED_TF = {}  # kernel -> its compiled functions, by name


def _compiled(kernel):
    """XLA-compiled `tf.function`s of a kernel's value and gradients."""
    if kernel not in _COMPILED_TF:
        import tensorflow as tf

        def value(labels, logits, *params):
            return kernel(labels, logits, *params)[0]

        def value_and_logit_gradient(labels, logits, *params):
            loss, grad = kernel(labels, logits, *params)
            return loss, grad(None)[1]

        def logit_gradient(labels, logits, *params):
            return kernel(labels, logits, *params)[1](None)[1]

        def label_gradient(labels, logits, *params):
            return kernel(labels, logits, *params)[1](None)[0]

        # One trace per shape, as XLA compiles one per shape anyway: no
        # reduce_retracing, whose traces with unknown sizes Keras 3.8's
        # take_along_axis fills with shape arithmetic that an enclosing
        # XLA compilation (fit with jit_compile) rejects on TensorFlow 2.16.
        # No autograph: the kernels have no tensor-dependent Python control
        # flow, and autograph's cache of converted functions mixed up these
        # closures, which share their code.
        _COMPILED_TF[kernel] = {
            f.__name__: tf.function(f, jit_compile=True, autograph=False)
            for f in (
                value,
                value_and_logit_gradient,
                logit_gradient,
                label_gradient,
            )
        }
    return _COMPILED_TF[kernel]


def _recording(tensor=None):
    """Whether a gradient tape may record the current call (TensorFlow), or
    with `tensor`, whether one watches that tensor.

    False in a forward pass alone (evaluation, prediction), which then
    skips the gradient, and for labels that no tape watches (a model's
    targets), whose gradient is then not computed. Private TensorFlow
    functions: where they are missing, assume a tape records. Either way
    the gradient, if asked for, is the written-out one.
    """
    try:
        from tensorflow.python.eager import record

        if tensor is None:
            return bool(record.could_possibly_record())
        return bool(record.should_record_backprop([tensor]))
    except (ImportError, AttributeError, TypeError):
        return True


def _compiled_tf(kernel, labels, logits, axis, params):
    import tensorflow as tf

    compiled = _compiled(kernel)

    # Labels no tape watches get no gradient: nothing computed for them.
    labels_watched = not labels.dtype.is_integer and _recording(labels)

    @tf.custom_gradient
    def loss_of(labels, logits):
        # Under a tape, the logit gradient comes out of the forward pass's
        # loop; otherwise it is computed again if asked for after all.
        if _recording():
            loss, d_logits = compiled["value_and_logit_gradient"](
                labels, logits, *params
            )
        else:
            loss, d_logits = compiled["value"](labels, logits, *params), None

        def backward(upstream):
            upstream = tf.expand_dims(upstream, axis)
            d = d_logits
            if d is None:
                d = compiled["logit_gradient"](labels, logits, *params)
            if not labels_watched:  # e.g. class indices
                return None, d * upstream
            d_labels = compiled["label_gradient"](labels, logits, *params)
            return d_labels * upstream, d * upstream

        return loss, backward

    return loss_of(labels, logits)


def _times(x, upstream, axis=None):
    """`x` times the upstream gradient, expanded along `axis`; None is 1."""
    if upstream is None:
        return x
    return x * (upstream if axis is None else ops.expand_dims(upstream, axis))


def _shifted(logits, axis):
    """`(z, e, others)` along `axis`: `z = logits - max`, `e = exp(z)`.

    `others` (keepdims) is `sum(e) - 1`, the mass of every entry but one
    maximal one (`e = 1` there), summed without it: exact where a row's
    largest entry holds nearly all of the mass, where `sum(e) - 1` would
    round to 0. The max and the two sums are a pass each over the logits,
    fewer where XLA fuses them.
    """
    if 0 in logits.shape:  # Keras's torch max refuses an empty tensor
        z = logits
    else:
        z = logits - ops.max(logits, axis=axis, keepdims=True)
    e = ops.exp(z)
    total = ops.sum(e, axis=axis, keepdims=True)
    others = ops.sum(ops.where(z == 0.0, 0.0, e), axis=axis, keepdims=True)
    # Where `total - 1` is at least 1/2 it has no cancellation to speak of,
    # and it counts the other entries of a tie (which `others` leaves out).
    return z, e, ops.where(total >= 1.5, total - 1.0, others)


def _complement(z, p, others):
    """`1 - p`, exact also for a class holding most of its row's mass.

    At most one class per row holds more than 3/4 of the mass (`z = 0` and
    `others < 1/3`: the "top" class); its `1 - p` is `others / sum(e)`, no
    cancellation. It is floored at the smallest normal number so that the
    divisions by `1 - p` in the gradients are never 0 / 0; a row whose
    `others` underflows has loss and gradient 0 either way.
    """
    top = (z == 0.0) & (others < 1.0 / 3.0)
    rest = _at_least_tiny(others / (1.0 + others))
    return ops.where(top, rest, 1.0 - p)


def _softmax_terms(logits, axis):
    """`(p, log p, 1 - p)` of `softmax(logits)` along `axis`, all exact.

    `log p = z - log1p(others)` is `-log1p(others)` at the top class, exact
    where `log_softmax` would round to 0.
    """
    z, e, others = _shifted(logits, axis)
    p = e / (1.0 + others)
    return p, z - ops.log1p(others), _complement(z, p, others)


def softmax_focal(weights, logits, gamma, axis):
    """`sum_c weights_c (1 - p_c) ** gamma_c * -log p_c` along `axis`.

    `weights` (labels times alpha) broadcasts against `logits`; `gamma` is a
    number or a tensor broadcasting along `axis`. Both inputs get gradients.
    """
    return _closed_form(_softmax_focal, weights, logits, axis, gamma, axis)


def _softmax_focal(weights, logits, gamma, axis):
    p, log_p, one_minus_p = _softmax_terms(logits, axis)
    factor = _power(one_minus_p, gamma)
    weighted = weights * factor
    weighted_log_p = weighted * log_p
    loss = -ops.sum(weighted_log_p, axis=axis)

    def grad(upstream):
        h = _times(
            weighted - gamma * (weighted_log_p * p / one_minus_p),
            upstream,
            axis,
        )
        d_logits = p * ops.sum(h, axis=axis, keepdims=True) - h
        return _times(-factor * log_p, upstream, axis), d_logits

    return loss, grad


def sparse_softmax_focal(labels, logits, alpha, gamma):
    """`alpha_k (1 - p_k) ** gamma_k * -log p_k` at each label k (last axis).

    Only the label's entries are gathered: no one-hot tensor in the forward
    pass. `alpha` and `gamma` are numbers or per-class vectors (tensors of
    shape `(C,)`); `labels` must be valid indices. The gradient is
    `H * (p - one_hot(k))` for a per-element factor H.
    """
    return _closed_form(_sparse_softmax_focal, labels, logits, -1, alpha, gamma)


def _sparse_softmax_focal(labels, logits, alpha, gamma):
    alpha_k = _at_label(alpha, labels)
    gamma_k = _at_label(gamma, labels)
    # Only the label's entries of the per-class terms are formed.
    z, e, others = _shifted(logits, -1)
    others = ops.squeeze(others, -1)
    z_k = ops.squeeze(
        ops.take_along_axis(z, ops.expand_dims(labels, -1), axis=-1), -1
    )
    log_p_k = z_k - ops.log1p(others)
    p_k = ops.exp(log_p_k)
    rest_k = _complement(z_k, p_k, others)
    factor = _power(rest_k, gamma_k)
    loss = -alpha_k * factor * log_p_k

    def grad(upstream):
        h = alpha_k * factor * (1.0 - gamma_k * p_k * log_p_k / rest_k)
        h = ops.expand_dims(_times(h, upstream), -1)
        p = e / ops.expand_dims(1.0 + others, -1)
        # p - one_hot(k) from a boolean mask: Keras's torch one_hot builds
        # int64 and float tensors of the logits' size (20 bytes a logit).
        # The class count may be a tensor (unknown under tf.function).
        classes = ops.arange(ops.shape(p)[-1], dtype=labels.dtype)
        at_label = ops.expand_dims(labels, -1) == classes
        return None, ops.where(at_label, p - 1.0, p) * h

    return loss, grad


def _at_label(values, labels):
    """A per-class vector's entry at each label; a number passes as is."""
    if isinstance(values, (int, float)) or len(values.shape) == 0:
        return values
    return ops.take(values, labels)


def sigmoid_focal(y_true, logits, gamma, axis, alpha=None):
    """The mean along `axis` of `alpha_t (1 - p_t) ** gamma * bce(y, p)`.

    `p = sigmoid(logits)`; `alpha_t = alpha y + (1 - alpha) (1 - y)`, or 1
    if `alpha` is None. Labels and logits both get gradients.
    """
    return _closed_form(
        _sigmoid_focal, y_true, logits, axis, gamma, axis, alpha
    )


def _sigmoid_focal(y, x, gamma, axis, alpha):
    """With `u = y (1 - p)` and `v = (1 - y) p`, `1 - p_t = u + v` and
    `p - y = v - u`: sums of positive terms, exact for any logit. The
    gradient of one element, with `s = gamma (1 - p_t) ** (gamma - 1) bce`,
    is

        dL/dx = f (p - y) + (1 - 2y) p (1 - p) s
        dL/dy = (1 - 2p) s - f x

    where `p (1 - p) <= 1 - p_t` keeps the second term finite.
    """
    # Each line below is one pass over the tensor when not fused (the
    # passes of the gradient are those of `grad`).
    p = ops.sigmoid(x)
    not_p = ops.sigmoid(-x)  # two passes: the negation and the sigmoid
    not_y = 1.0 - y
    u = y * not_p
    v = not_y * p
    one_minus_p_t = u + v
    # relu(x) - x y + softplus(-|x|), the last as -log1p(-sigmoid(-|x|)):
    # 7 passes; softplus, pow and exp-log kernels cost several each.
    bce = ops.relu(x) - x * y - ops.log1p(-ops.minimum(p, not_p))
    factor = _power(one_minus_p_t, gamma)  # a square for gamma = 2
    focal = factor * bce
    if alpha is not None:  # alpha_t = (1 - alpha) + (2 alpha - 1) y
        weight = (1.0 - alpha) + (2.0 * alpha - 1.0) * y
        focal = weight * focal
    loss = _tensors.mean(focal, axis)
    # The mean's 1 / C, times the upstream gradient in `grad`.
    classes = ops.shape(x)[axis]  # a tensor if unknown under tf.function
    if isinstance(classes, int):
        count = float(max(classes, 1))
    else:
        count = ops.cast(ops.maximum(classes, 1), x.dtype)

    def grad(upstream):
        if gamma == 2:  # the default, without a division
            slope = 2.0 * one_minus_p_t
        else:  # gamma (1 - p_t) ** (gamma - 1); 0 where 1 - p_t is 0
            slope = gamma * factor / _at_least_tiny(one_minus_p_t)
        slope_bce = slope * bce
        d_x = factor * (v - u) + (not_y - y) * (p * not_p) * slope_bce
        d_y = (not_p - p) * slope_bce - factor * x
        if alpha is not None:
            d_x = weight * d_x
            d_y = weight * d_y + (2.0 * alpha - 1.0) * focal
        scale = _times(1.0 / count, upstream, axis)
        return d_y * scale, d_x * scale

    return loss, grad


def softmax_complement(logits, axis):
    """`1 - p_c` for every class of `softmax(logits)` along `axis`.

    Exact for the top class too (the other classes' mass), where
    `1 - softmax` rounds to 0 for a confident logit; differentiable by
    autodiff (a sum of probabilities).
    """
    return _softmax_terms(logits, axis)[2]


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
    return ops.where(p_k > 0.75, rest, 1.0 - p_k)
