"""Robust regression losses: smooth L1, Huber, balanced L1 and pinball.

Each is an elementwise loss of the error `d` averaged over `axis`, as Keras's
regression losses are, so a box tensor `(N, 4)` or `(N, A, 4)` gives one loss
per box and a per-anchor `sample_weight` of shape `(N, A)` weights boxes (the
usual way to count positive anchors only).
"""

import math

from keras import ops

from keras_losses import _tensors
from keras_losses._base import FunctionLoss
from keras_losses._validation import fractions
from keras_losses._validation import hyperparameters
from keras_losses._validation import integer
from keras_losses._validation import positive
from keras_losses._validation import real_at_least
from keras_losses._validation import validate


@hyperparameters(beta=real_at_least(0), axis=integer)
def smooth_l1(y_true, y_pred, *, beta=1.0, axis=-1):
    """Smooth L1 loss (Fast R-CNN), with PyTorch's `beta`.

    With `d = y_pred - y_true`, each element's loss is

        0.5 * d**2 / beta    if |d| < beta
        |d| - 0.5 * beta     otherwise

    averaged over `axis`: the meaning of PyTorch's `smooth_l1_loss(beta=)`.
    Value and first derivative are continuous at `|d| = beta`. `beta=0` is
    exactly the L1 loss `|d|`, value and gradient, with no division by zero
    anywhere in the graph. `smooth_l1(beta=b) * b` is `huber(delta=b)`.

    Args:
        y_true: Targets, the shape of `y_pred`.
        y_pred: Predictions.
        beta: Float >= 0: where the loss turns from quadratic to linear.
            Defaults to 1.0.
        axis: The axis along which the mean is taken. Defaults to -1.

    Returns:
        The per-sample loss: `y_pred`'s shape without `axis`.

    References:
        Girshick, "Fast R-CNN", ICCV 2015, eq. 3.

    Examples:
        >>> loss = keras_losses.smooth_l1([[0.0, 0.0]], [[0.5, 3.0]], beta=1.0)
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [1.3125]
    """
    validate(smooth_l1, locals())
    y_true, y_pred, dtype = _tensors.paired_inputs(y_true, y_pred, axis)
    error = ops.abs(y_pred - y_true)
    if beta == 0:  # L1 exactly; the quadratic branch would divide by 0
        return ops.cast(_tensors.mean(error, axis), dtype)
    loss = ops.where(
        error < beta, 0.5 * ops.square(error) / beta, error - 0.5 * beta
    )
    return ops.cast(_tensors.mean(loss, axis), dtype)


@hyperparameters(delta=positive, axis=integer)
def huber(y_true, y_pred, *, delta=1.0, axis=-1):
    """Huber loss, as Keras's and PyTorch's `huber_loss(delta=)`.

    With `d = y_pred - y_true`, each element's loss is

        0.5 * d**2                      if |d| <= delta
        delta * |d| - 0.5 * delta**2    otherwise

    averaged over `axis`. It equals `keras.losses.huber` (which has no
    `axis`) and is `delta * smooth_l1(beta=delta)`.

    Args:
        y_true: Targets, the shape of `y_pred`.
        y_pred: Predictions.
        delta: Float > 0: where the loss turns from quadratic to linear.
            Defaults to 1.0.
        axis: The axis along which the mean is taken. Defaults to -1.

    Returns:
        The per-sample loss: `y_pred`'s shape without `axis`.

    References:
        Huber, "Robust Estimation of a Location Parameter", Annals of
        Mathematical Statistics 35(1), 1964.

    Examples:
        >>> loss = keras_losses.huber([[0.0], [1.0]], [[0.6], [0.4]])
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.18 0.18]
    """
    validate(huber, locals())
    y_true, y_pred, dtype = _tensors.paired_inputs(y_true, y_pred, axis)
    error = ops.abs(y_pred - y_true)
    loss = ops.where(
        error <= delta,
        0.5 * ops.square(error),
        delta * error - 0.5 * delta**2,
    )
    return ops.cast(_tensors.mean(loss, axis), dtype)


# b = exp(gamma / alpha) - 1 multiplies the error: past this ratio it
# overflows float32 for errors of order 1.
_MAX_GAMMA_OVER_ALPHA = 50.0


def _balanced_l1_relation(values):
    alpha, gamma = values.get("alpha"), values.get("gamma")
    if alpha and gamma and gamma / alpha > _MAX_GAMMA_OVER_ALPHA:
        raise ValueError(
            f"`gamma / alpha` must be <= {_MAX_GAMMA_OVER_ALPHA:g} (the "
            "loss uses b = exp(gamma / alpha) - 1). Received: "
            f"alpha={alpha!r}, gamma={gamma!r}"
        )


@hyperparameters(
    relation=_balanced_l1_relation,
    alpha=positive,
    gamma=positive,
    beta=real_at_least(0),
    axis=integer,
)
def balanced_l1(y_true, y_pred, *, alpha=0.5, gamma=1.5, beta=1.0, axis=-1):
    """Balanced L1 loss (Libra R-CNN), continuous in value and slope.

    With `x = |y_pred - y_true|` and `b` fixed by `alpha * ln(b + 1) = gamma`,
    each element's loss is

        alpha / b * (b * x + beta) * ln(b * x / beta + 1) - alpha * x
                                              if x < beta
        gamma * x + beta * (gamma / b - alpha)   otherwise

    averaged over `axis`. With `beta=1` this is Pang et al.'s eq. 8; other
    `beta` scale it, `beta * L(x / beta)`. `beta=0` is `gamma * |d|`.

    Derivation: the paper designs the gradient, eq. 7,
    `dL/dx = alpha * ln(b * x / beta + 1)` below `beta` and `gamma` above.
    Integrating from 0 gives the first branch. The slopes meet at
    `x = beta` iff `alpha * ln(b + 1) = gamma` (eq. 9), so
    `b = exp(gamma / alpha) - 1`. The first branch at `x = beta` is
    `beta * (alpha / b * (b + 1) * ln(b + 1) - alpha)
    = beta * (gamma * (b + 1) / b - alpha)`, and `gamma * beta + C` equals
    it for `C = beta * (gamma / b - alpha)`: the second branch's constant.
    (mmdetection writes `b * x + 1` for `b * x + beta`, which equals this
    only at `beta = 1`; for other `beta` its slope jumps at `x = beta`.)

    Args:
        y_true: Targets, the shape of `y_pred`.
        y_pred: Predictions.
        alpha: Float > 0: lowers the gradient of small (inlier) errors.
            Defaults to 0.5 (Pang et al.).
        gamma: Float > 0: the gradient of large (outlier) errors, and so a
            bound on it. Defaults to 1.5 (Pang et al.).
        beta: Float >= 0: where the two regimes meet. Defaults to 1.0.
        axis: The axis along which the mean is taken. Defaults to -1.

    Returns:
        The per-sample loss: `y_pred`'s shape without `axis`.

    References:
        Pang, Chen, Shi, Feng, Ouyang and Lin, "Libra R-CNN: Towards
        Balanced Learning for Object Detection", CVPR 2019, eq. 7-9.

    Examples:
        >>> loss = keras_losses.balanced_l1([[0.0, 0.0]], [[0.5, 3.0]])
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [2.2396]
    """
    validate(balanced_l1, locals())
    y_true, y_pred, dtype = _tensors.paired_inputs(y_true, y_pred, axis)
    error = ops.abs(y_pred - y_true)
    if beta == 0:  # the limit beta -> 0; the first branch divides by beta
        return ops.cast(_tensors.mean(gamma * error, axis), dtype)
    b = math.expm1(gamma / alpha)
    is_inlier = error < beta
    # Double `where`: the inlier branch only sees inlier errors, so b * x /
    # beta cannot overflow (a tiny beta) and send inf * 0 into the gradient.
    x = ops.where(is_inlier, error, 0.0)
    inlier = alpha / b * (b * x + beta) * ops.log1p(b * x / beta) - alpha * x
    outlier = gamma * error + beta * (gamma / b - alpha)
    loss = ops.where(is_inlier, inlier, outlier)
    return ops.cast(_tensors.mean(loss, axis), dtype)


@hyperparameters(tau=fractions, axis=integer)
def pinball(y_true, y_pred, *, tau=0.5, axis=-1):
    """Pinball (quantile) loss, as TF Addons' `pinball_loss`.

    With `d = y_true - y_pred`, each element's loss is
    `max(tau * d, (tau - 1) * d)`, averaged over `axis`. Minimising it
    fits the `tau`-quantile of the target; `tau=0.5` is half the absolute
    error. `tau` may be one number per entry of the last axis, to fit
    several quantiles at once from one output per quantile.

    Args:
        y_true: Targets, the shape of `y_pred`.
        y_pred: Predicted quantiles.
        tau: The quantile: a number in [0, 1], or one per entry of the last
            axis of `y_pred`. Defaults to 0.5.
        axis: The axis along which the mean is taken. Defaults to -1.

    Returns:
        The per-sample loss: `y_pred`'s shape without `axis`.

    References:
        Koenker and Bassett, "Regression Quantiles", Econometrica 46(1),
        1978.

    Examples:
        >>> loss = keras_losses.pinball(
        ...     [[1.0, 1.0, 1.0]], [[0.0, 0.0, 0.0]], tau=[0.1, 0.5, 0.9]
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.5]
    """
    validate(pinball, locals())
    y_true, y_pred, dtype = _tensors.paired_inputs(y_true, y_pred, axis)
    last = len(y_pred.shape) - 1
    tau = _tensors.per_class(tau, y_pred, last, "tau")
    error = y_true - y_pred
    # max(tau d, (tau - 1) d) picks tau d exactly when d >= 0. (`where`, not
    # `ops.maximum`: Keras's torch maximum returns float32 for float64.)
    loss = ops.where(error >= 0, tau * error, (tau - 1.0) * error)
    return ops.cast(_tensors.mean(loss, axis), dtype)


class SmoothL1(FunctionLoss):
    """Smooth L1 loss (Fast R-CNN) with PyTorch's `beta`.

    `0.5 * d**2 / beta` where `|d| < beta`, else `|d| - 0.5 * beta`, for
    `d = y_pred - y_true`, averaged over `axis`. `beta=0` is exactly L1;
    `SmoothL1(beta=1)` equals `keras.losses.Huber(delta=1)`. See
    `keras_losses.smooth_l1`.

    Args:
        beta: Float >= 0: where the loss turns from quadratic to linear
            (PyTorch's meaning). Defaults to 1.0.
        axis: The axis along which the mean is taken. Defaults to -1.
        {common_args}

    Returns:
        {returns}

    Formula:
        `mean_axis(where(|d| < beta, 0.5 * d**2 / beta, |d| - 0.5 * beta))`

    References:
        Girshick, "Fast R-CNN", ICCV 2015.

    Examples:
        >>> loss = keras_losses.SmoothL1(beta=1.0)
        >>> print(f"{float(loss([[0.0], [1.0]], [[0.6], [0.4]])):.4f}")
        0.1800
    """

    def __init__(
        self,
        beta=1.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="smooth_l1",
        dtype=None,
    ):
        super().__init__(smooth_l1, locals())


class Huber(FunctionLoss):
    """Huber loss, as `keras.losses.Huber` plus an `axis`.

    `0.5 * d**2` where `|d| <= delta`, else `delta * |d| - 0.5 * delta**2`,
    averaged over `axis`. Equals Keras's `Huber` and PyTorch's `huber_loss`;
    unlike Keras's, its config keeps `delta`. See `keras_losses.huber`.

    Args:
        delta: Float > 0: where the loss turns from quadratic to linear.
            Defaults to 1.0.
        axis: The axis along which the mean is taken. Defaults to -1.
        {common_args}

    Returns:
        {returns}

    Formula:
        `mean_axis(where(|d| <= delta, 0.5 d**2, delta |d| - 0.5 delta**2))`

    References:
        Huber, "Robust Estimation of a Location Parameter", 1964.

    Examples:
        >>> loss = keras_losses.Huber()
        >>> print(f"{float(loss([[0.0], [1.0]], [[0.6], [0.4]])):.4f}")
        0.1800
    """

    def __init__(
        self,
        delta=1.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="huber_loss",
        dtype=None,
    ):
        super().__init__(huber, locals())


class BalancedL1(FunctionLoss):
    """Balanced L1 loss (Libra R-CNN) for box regression.

    Raises the gradient of small errors relative to smooth L1 and caps that
    of large ones at `gamma`; value and slope are continuous at `beta`. See
    `keras_losses.balanced_l1` for the formula and its derivation.

    Args:
        alpha: Float > 0. Defaults to 0.5.
        gamma: Float > 0, the outlier gradient. Defaults to 1.5.
        beta: Float >= 0, where the regimes meet. Defaults to 1.0.
        axis: The axis along which the mean is taken. Defaults to -1.
        {common_args}

    Returns:
        {returns}

    Formula:
        `alpha/b (b x + beta) ln(b x/beta + 1) - alpha x` for `x < beta`,
        else `gamma x + beta (gamma/b - alpha)`, `b = exp(gamma/alpha) - 1`.

    References:
        Pang et al., "Libra R-CNN: Towards Balanced Learning for Object
        Detection", CVPR 2019.

    Examples:
        >>> loss = keras_losses.BalancedL1()
        >>> print(f"{float(loss([[0.0, 0.0]], [[0.5, 3.0]])):.4f}")
        2.2396
    """

    def __init__(
        self,
        alpha=0.5,
        gamma=1.5,
        beta=1.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="balanced_l1",
        dtype=None,
    ):
        super().__init__(balanced_l1, locals())


class Pinball(FunctionLoss):
    """Pinball (quantile) loss, as TF Addons' `PinballLoss`.

    `max(tau * d, (tau - 1) * d)` for `d = y_true - y_pred`, averaged over
    `axis`; `tau` may give one quantile per entry of the last axis. See
    `keras_losses.pinball`.

    Args:
        tau: The quantile in [0, 1], or one per entry of the last axis.
            Defaults to 0.5.
        axis: The axis along which the mean is taken. Defaults to -1.
        {common_args}

    Returns:
        {returns}

    Formula:
        `mean_axis(max(tau * d, (tau - 1) * d))`, `d = y_true - y_pred`.

    References:
        Koenker and Bassett, "Regression Quantiles", Econometrica, 1978.

    Examples:
        >>> loss = keras_losses.Pinball(tau=0.9)
        >>> print(f"{float(loss([[1.0], [1.0]], [[0.0], [2.0]])):.4f}")
        0.5000
    """

    def __init__(
        self,
        tau=0.5,
        axis=-1,
        reduction="sum_over_batch_size",
        name="pinball_loss",
        dtype=None,
    ):
        super().__init__(pinball, locals())
