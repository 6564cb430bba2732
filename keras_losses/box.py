"""Box-regression losses: IoU, GIoU, DIoU, CIoU and distribution focal loss.

The IoU family compares boxes pairwise: `y_true` and `y_pred` of one shape
`(..., 4)`, the last axis one box in `bounding_box_format` (keras-cv's names
and meanings), and one loss per box, of shape `y_pred.shape[:-1]`. One
"sample" of the loss is one box: a per-anchor `sample_weight` of 0/1, shape
`(N, A)` for boxes `(N, A, 4)`, counts only the positive anchors.

Degenerate boxes (one definition for the four losses):
- Every ratio is `0 / 0 = 0` where its denominator is exactly 0, through a
  double `where`, so its gradient is finite too; no epsilon changes any
  other box. A zero-area box (a line, a point) has IoU 0 with every box; two
  boxes at the same point have enclosing area and diagonal 0, and no GIoU or
  DIoU penalty.
- A predicted box with `x2 < x1` (or `y2 < y1`; a negative width in the
  width formats) is read as an empty box: its width is `max(x2 - x1, 0)`
  wherever an area or aspect ratio needs it, so its IoU is 0, and its
  corners are used as given by the enclosing box (GIoU, DIoU, CIoU) and the
  centre distance (DIoU, CIoU), which keep a gradient that moves the box
  towards the target. Its IoU term is flat: a model whose boxes invert
  should predict non-negative widths (`center_xywh` through a softplus or
  exp, or distances as a distribution focal head does).
- A ground-truth box with `x2 < x1` or `y2 < y1` is a bad label: its loss
  is NaN (the loss contract, point 12).

The distribution focal loss (`distribution_focal_loss`) takes continuous
distances `(..., sides)` and logits over bins `(..., sides, bins)`, one
loss per box (the mean over the sides).
"""

import math
from typing import Any
from typing import NamedTuple

import keras
from keras import ops

from keras_losses import _tensors
from keras_losses._base import FunctionLoss
from keras_losses._validation import hyperparameters
from keras_losses._validation import one_of
from keras_losses._validation import validate

FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw")

# `log` mode is -log((IoU + eps) / (1 + eps)): -log(IoU) to within eps / IoU,
# 0 at IoU = 1 and -log(eps / (1 + eps)) = 16.1 for disjoint boxes, with a
# finite gradient everywhere. UnitBox's -log(IoU) is infinite for them.
LOG_EPSILON = 1e-7


def _box_format(name, value):
    """One of FORMATS, in any case (as keras-cv); returned in lower case."""
    if isinstance(value, str) and value.lower() in FORMATS:
        return value.lower()
    choices = ", ".join(repr(f) for f in FORMATS)
    raise ValueError(
        f"`{name}` must be one of {choices} (any case). Received: "
        f"{name}={value!r}"
    )


class _Box(NamedTuple):
    """One box per entry, as corners and (signed) extents."""

    x1: Any
    y1: Any
    x2: Any
    y2: Any
    width: Any  # x2 - x1, or the width as given: negative if inverted
    height: Any


def _box(boxes, box_format):
    """`boxes` of shape `(..., 4)` in `box_format`, as a `_Box`."""
    a, b, c, d = ops.unstack(boxes, num=4, axis=-1)
    if box_format == "xyxy":
        return _Box(a, b, c, d, c - a, d - b)
    if box_format == "yxyx":
        return _Box(b, a, d, c, d - b, c - a)
    if box_format == "xywh":  # top-left corner, width, height
        return _Box(a, b, a + c, b + d, c, d)
    if box_format == "center_xywh":
        x, y, w, h = a, b, c, d
    else:  # center_yxhw
        y, x, h, w = a, b, c, d
    return _Box(x - 0.5 * w, y - 0.5 * h, x + 0.5 * w, y + 0.5 * h, w, h)


# One backend branch, because no single keras.ops route is both exact on
# every backend and fast on TensorFlow (the maths is the same in both).
# On TensorFlow a comparison (a boolean tensor) costs about four additions
# on the CPU: there `_clamp`, `_ratio` and the validity check use kernels
# that compare inside (Maximum, DivNoNan), with the same values and
# gradients as the `where` forms: bit for bit on degenerate, inverted and
# random boxes in every format, but for the last bit of a few gradients
# (the order of a sum) and the gradient at a NaN input. Under `tf.function`
# the forward pass takes 1.0-1.3x of a torchvision-style transcription's
# time instead of 1.6-1.8x, forward+backward 0.1x less. The `where` forms
# stay elsewhere: JAX's `maximum` gives half the gradient to each side of a
# tie (x = 0), and Keras 3.15.1's torch `maximum` and `minimum` return
# float32 for float64 input.


def _tensorflow():
    return keras.backend.backend() == "tensorflow"


def _clamp(x):
    """`max(x, 0)` that keeps NaN (a NaN input must give a NaN loss), and
    a gradient of 1 at 0."""
    if _tensorflow():  # its Maximum passes NaN and gives x the tie
        return ops.maximum(x, 0.0)
    return ops.where(x < 0, 0.0, x)


def _ratio(numerator, denominator):
    """`numerator / denominator`, and 0 where the denominator is exactly 0.

    The inner `where` keeps `x / 0` out of the graph, so the gradient is
    finite there too; a NaN denominator still gives NaN.
    """
    if _tensorflow():  # DivNoNan: the same, and its gradient is too
        return ops.divide_no_nan(numerator, denominator)
    zero = denominator == 0
    return ops.where(zero, 0.0, numerator / ops.where(zero, 1.0, denominator))


class _Pair(NamedTuple):
    """What the IoU losses need of a target box and a predicted box."""

    iou: Any
    union: Any
    true: _Box
    pred: _Box
    pred_width: Any  # clamped at 0: an inverted box is empty
    pred_height: Any
    valid: Any  # the target box is not inverted


def _pair(y_true, y_pred, box_format):
    true, pred = _box(y_true, box_format), _box(y_pred, box_format)
    pred_width, pred_height = _clamp(pred.width), _clamp(pred.height)
    overlap_width = _clamp(
        ops.minimum(pred.x2, true.x2) - ops.maximum(pred.x1, true.x1)
    )
    overlap_height = _clamp(
        ops.minimum(pred.y2, true.y2) - ops.maximum(pred.y1, true.y1)
    )
    intersection = overlap_width * overlap_height
    union = pred_width * pred_height + true.width * true.height - intersection
    if _tensorflow():  # one comparison
        valid = ops.minimum(true.width, true.height) >= 0
    else:
        valid = ops.logical_and(true.width >= 0, true.height >= 0)
    iou = _ratio(intersection, union)
    return _Pair(iou, union, true, pred, pred_width, pred_height, valid)


def _enclosing(pair):
    """Width and height of the smallest box enclosing both boxes."""
    true, pred = pair.true, pair.pred
    width = ops.maximum(pred.x2, true.x2) - ops.minimum(pred.x1, true.x1)
    height = ops.maximum(pred.y2, true.y2) - ops.minimum(pred.y1, true.y1)
    return width, height


def _centre_penalty(pair):
    """DIoU's `rho**2 / c**2`: squared centre distance over the squared
    diagonal of the enclosing box."""
    true, pred = pair.true, pair.pred
    dx = (pred.x1 + pred.x2) - (true.x1 + true.x2)  # twice the distance
    dy = (pred.y1 + pred.y2) - (true.y1 + true.y2)
    width, height = _enclosing(pair)
    diagonal = ops.square(width) + ops.square(height)
    return _ratio(0.25 * (ops.square(dx) + ops.square(dy)), diagonal)


def _aspect_angle(width, height):
    """`atan(width / height)`, as `atan2` so that a zero height is pi / 2.

    A point (both 0) has angle pi / 4, a square's, with a zero gradient
    (atan2's gradient is 0 / 0 there).
    """
    point = ops.logical_and(width == 0, height == 0)
    angle = ops.arctan2(
        ops.where(point, 1.0, width), ops.where(point, 1.0, height)
    )
    return ops.where(point, math.pi / 4, angle)


def _boxes(y_true, y_pred, box_format):
    """Checked inputs of an IoU loss: `(pair, dtype)`."""
    box_format = box_format.lower()  # validated already, in any case
    y_true, y_pred, dtype = _tensors.paired_inputs(y_true, y_pred)
    if not y_pred.shape or y_pred.shape[-1] not in (4, None):
        raise ValueError(
            "Boxes must have 4 coordinates on the last axis (of y_true and "
            f"y_pred, in bounding_box_format={box_format!r}). Received: "
            f"y_true.shape={_tensors.static_shape(y_true)}, "
            f"y_pred.shape={_tensors.static_shape(y_pred)}"
        )
    return _pair(y_true, y_pred, box_format), dtype


def _finish(loss, pair, dtype):
    """NaN where the target box is inverted; the loss in the input dtype."""
    loss = ops.where(pair.valid, loss, float("nan"))
    return ops.cast(loss, dtype)


_IOU_FORMULA = """\
IoU = |A n B| / |A u B| for target A and prediction B"""


@hyperparameters(
    bounding_box_format=_box_format, mode=one_of("linear", "log", "quadratic")
)
def iou_loss(y_true, y_pred, *, bounding_box_format, mode="log"):
    """IoU loss of each box (UnitBox's `-log(IoU)`, `1 - IoU`, `1 - IoU**2`).

    With `IoU = area(A n B) / area(A u B)` for the target box A and the
    predicted box B, the loss of each box is

        "linear":      1 - IoU
        "quadratic":   1 - IoU**2
        "log":         -log((IoU + eps) / (1 + eps)),  eps = 1e-7

    The log mode is UnitBox's `-log(IoU)` to within `eps / IoU`, made
    finite (16.1) for disjoint boxes; its gradient is `1 / (IoU + eps)`
    times IoU's, up to 1e7 times for a box whose IoU is 0 but can grow (a
    line inside the target, a touching box): past float16's range, so call
    it on float32 (the classes do, also under a mixed-precision policy).
    keras-cv's `IoULoss` averages the IoU
    over its `axis` first, then takes the log of the mean: a batch-level
    value; here every box has its own loss and Keras's reduction averages.
    Degenerate and inverted boxes: see `keras_losses.box`.

    Args:
        y_true: Target boxes, shape `(..., 4)`.
        y_pred: Predicted boxes, the shape of `y_true`.
        bounding_box_format: How the 4 numbers describe a box (any case):
            `"xyxy"` (left, top, right, bottom), `"yxyx"`, `"xywh"` (left,
            top, width, height), `"center_xywh"` or `"center_yxhw"`.
        mode: `"linear"`, `"quadratic"` or `"log"`. Defaults to `"log"`,
            as keras-cv's.

    Returns:
        The loss of each box: shape `y_pred.shape[:-1]`, in `y_pred`'s
        dtype; NaN where the target box is inverted.

    References:
        Yu, Jiang, Wang, Cao and Huang, "UnitBox: An Advanced Object
        Detection Network", ACM Multimedia 2016.

    Examples:
        >>> loss = keras_losses.iou_loss(
        ...     [[0.0, 0.0, 2.0, 2.0]], [[1.0, 0.0, 3.0, 2.0]],
        ...     bounding_box_format="xyxy", mode="linear",
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.6667]
    """
    validate(iou_loss, locals())
    pair, dtype = _boxes(y_true, y_pred, bounding_box_format)
    iou = pair.iou
    if mode == "linear":
        loss = 1.0 - iou
    elif mode == "quadratic":
        loss = 1.0 - ops.square(iou)
    else:
        # Two forms of one formula, each where it is accurate in float32
        # (1 + eps rounds there): the ratio itself near 0, through log1p
        # near 1 (exactly 0 at IoU = 1).
        loss = ops.where(
            iou > 0.5,
            -ops.log1p((iou - 1.0) / (1.0 + LOG_EPSILON)),
            -ops.log((iou + LOG_EPSILON) / (1.0 + LOG_EPSILON)),
        )
    return _finish(loss, pair, dtype)


@hyperparameters(bounding_box_format=_box_format)
def giou_loss(y_true, y_pred, *, bounding_box_format):
    """Generalized IoU loss of each box (Rezatofighi et al.).

    With C the smallest box enclosing the target box A and the predicted
    box B, the loss of each box is

        1 - IoU + (area(C) - area(A u B)) / area(C)

    in [0, 2): unlike `1 - IoU`, it still moves a box that does not overlap
    the target. Equals torchvision's `generalized_box_iou_loss` (which adds
    an `eps` of 1e-7 to its denominators) and TF Addons' `giou_loss`.
    Degenerate and inverted boxes: see `keras_losses.box`.

    Args:
        y_true: Target boxes, shape `(..., 4)`.
        y_pred: Predicted boxes, the shape of `y_true`.
        bounding_box_format: How the 4 numbers describe a box (any case):
            `"xyxy"`, `"yxyx"`, `"xywh"`, `"center_xywh"` or
            `"center_yxhw"` (see `iou_loss`).

    Returns:
        The loss of each box: shape `y_pred.shape[:-1]`, in `y_pred`'s
        dtype; NaN where the target box is inverted.

    References:
        Rezatofighi, Tsoi, Gwak, Sadeghian, Reid and Savarese, "Generalized
        Intersection over Union: A Metric and A Loss for Bounding Box
        Regression", CVPR 2019, Algorithm 2.

    Examples:
        >>> loss = keras_losses.giou_loss(
        ...     [[0.0, 0.0, 1.0, 1.0]], [[-1.0, -1.0, 1.0, 1.0]],
        ...     bounding_box_format="xyxy",
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.75]
    """
    validate(giou_loss, locals())
    pair, dtype = _boxes(y_true, y_pred, bounding_box_format)
    width, height = _enclosing(pair)
    enclosing = width * height
    penalty = _ratio(enclosing - pair.union, enclosing)
    return _finish(1.0 - pair.iou + penalty, pair, dtype)


@hyperparameters(bounding_box_format=_box_format)
def diou_loss(y_true, y_pred, *, bounding_box_format):
    """Distance-IoU loss of each box (Zheng et al.).

    With `rho` the distance between the centres of the target box A and
    the predicted box B, and `c` the diagonal of the smallest box enclosing
    both, the loss of each box is

        1 - IoU + rho**2 / c**2

    Equals torchvision's `distance_box_iou_loss` (which adds an `eps` of
    1e-7 to its denominators). Degenerate and inverted boxes: see
    `keras_losses.box`.

    Args:
        y_true: Target boxes, shape `(..., 4)`.
        y_pred: Predicted boxes, the shape of `y_true`.
        bounding_box_format: How the 4 numbers describe a box (any case):
            `"xyxy"`, `"yxyx"`, `"xywh"`, `"center_xywh"` or
            `"center_yxhw"` (see `iou_loss`).

    Returns:
        The loss of each box: shape `y_pred.shape[:-1]`, in `y_pred`'s
        dtype; NaN where the target box is inverted.

    References:
        Zheng, Wang, Liu, Li, Ye and Ren, "Distance-IoU Loss: Faster and
        Better Learning for Bounding Box Regression", AAAI 2020, eq. 6.

    Examples:
        >>> loss = keras_losses.diou_loss(
        ...     [[0.0, 0.0, 1.0, 1.0]], [[-1.0, -1.0, 1.0, 1.0]],
        ...     bounding_box_format="xyxy",
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.8125]
    """
    validate(diou_loss, locals())
    pair, dtype = _boxes(y_true, y_pred, bounding_box_format)
    return _finish(1.0 - pair.iou + _centre_penalty(pair), pair, dtype)


@hyperparameters(bounding_box_format=_box_format)
def ciou_loss(y_true, y_pred, *, bounding_box_format):
    """Complete-IoU loss of each box (Zheng et al.), as the paper defines it.

    The DIoU loss plus an aspect-ratio term:

        1 - IoU + rho**2 / c**2 + alpha * v
        v = 4 / pi**2 * (atan(w_true / h_true) - atan(w_pred / h_pred))**2
        alpha = v / ((1 - IoU) + v)

    with `alpha` held constant in the backward pass (a trade-off weight, not
    a term to optimise), as in the paper's implementation and torchvision's
    `complete_box_iou_loss`. `atan(w / h)` is computed as `atan2(w, h)`:
    pi / 2 for a zero height, and pi / 4 for a point. keras-cv's
    `CIoULoss` squares the `4 / pi**2` factor (keras-team/keras#20780),
    which scales `v` by 0.41 and so the aspect term `alpha * v` by 0.16
    (where `v` is small beside `1 - IoU`, as for overlapping boxes) to
    0.41; this one does not.
    Other degenerate and inverted boxes: see `keras_losses.box`.

    Args:
        y_true: Target boxes, shape `(..., 4)`.
        y_pred: Predicted boxes, the shape of `y_true`.
        bounding_box_format: How the 4 numbers describe a box (any case):
            `"xyxy"`, `"yxyx"`, `"xywh"`, `"center_xywh"` or
            `"center_yxhw"` (see `iou_loss`).

    Returns:
        The loss of each box: shape `y_pred.shape[:-1]`, in `y_pred`'s
        dtype; NaN where the target box is inverted.

    References:
        Zheng, Wang, Liu, Li, Ye and Ren, "Distance-IoU Loss: Faster and
        Better Learning for Bounding Box Regression", AAAI 2020, eq. 8-11.

    Examples:
        >>> loss = keras_losses.ciou_loss(
        ...     [[0.0, 0.0, 2.0, 1.0]], [[0.0, 0.0, 1.0, 1.0]],
        ...     bounding_box_format="xyxy",
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.5532]
    """
    validate(ciou_loss, locals())
    pair, dtype = _boxes(y_true, y_pred, bounding_box_format)
    true_angle = _aspect_angle(pair.true.width, pair.true.height)
    pred_angle = _aspect_angle(pair.pred_width, pair.pred_height)
    v = (4.0 / math.pi**2) * ops.square(true_angle - pred_angle)
    alpha = ops.stop_gradient(_ratio(v, (1.0 - pair.iou) + v))
    loss = 1.0 - pair.iou + _centre_penalty(pair) + alpha * v
    return _finish(loss, pair, dtype)


@hyperparameters()
def distribution_focal_loss(y_true, y_pred):
    """Distribution focal loss of each box (GFL, Li et al., eq. 6).

    A box side's distance `y` in `[0, reg_max]` is learned as a discrete
    distribution `S` over the `reg_max + 1` bins `0, 1, ..., reg_max` (the
    softmax of `y_pred`'s last axis). With `y_i <= y <= y_i + 1` the two
    nearest bins, the loss of a side is the cross-entropy against them,
    weighted by closeness:

        -((y_i + 1 - y) * log S_i + (y - y_i) * log S_(i+1))

    computed with `log_softmax` (finite for logits up to 1e4), and the loss
    of a box is the mean over its sides (as GFL's and YOLOv8's heads
    average the four). At `y = reg_max` the bins are `reg_max - 1` and
    `reg_max`, with all the weight on the last. A target outside
    `[0, reg_max]` is a bad label: its box's loss is NaN.

    Args:
        y_true: Target distances, shape `(..., sides)`, e.g. `(N, A, 4)`
            for the left, top, right and bottom distances of a box, in bin
            units (divided by the stride).
        y_pred: Logits, shape `(..., sides, reg_max + 1)`: `y_true`'s
            shape plus the bins axis, with at least 2 bins.

    Returns:
        The loss of each box: shape `y_true.shape[:-1]`, in `y_pred`'s
        dtype; NaN where a target is outside `[0, reg_max]`.

    References:
        Li, Wang, Wu, Chen, Hu, Li, Tang and Yang, "Generalized Focal Loss:
        Learning Qualified and Distributed Bounding Boxes for Dense Object
        Detection", NeurIPS 2020, eq. 6.

    Examples:
        >>> logits = np.log([[[0.1, 0.6, 0.3]]])  # one box, one side
        >>> loss = keras_losses.distribution_focal_loss([[1.25]], logits)
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.6841]
    """
    y_pred = _tensors.as_float(y_pred)
    dtype = y_pred.dtype
    y_pred = _tensors.upcast_half(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    true_shape = _tensors.static_shape(y_true)
    pred_shape = _tensors.static_shape(y_pred)
    if not true_shape or not _tensors.shapes_agree(true_shape, pred_shape[:-1]):
        raise ValueError(
            "`y_pred` must have the shape of `y_true` (..., sides) plus an "
            "axis of bins (reg_max + 1). Received: "
            f"y_true.shape={true_shape}, y_pred.shape={pred_shape}"
        )
    if pred_shape[-1] is not None and pred_shape[-1] < 2:
        raise ValueError(
            "`y_pred` needs at least 2 bins (reg_max >= 1) on its last "
            f"axis. Received: y_pred.shape={pred_shape}"
        )
    reg_max = ops.cast(ops.shape(y_pred)[-1] - 1, y_true.dtype)
    valid = ops.logical_and(y_true >= 0, y_true <= reg_max)
    # The left bin, kept in [0, reg_max - 1] so that both bins exist (a bad
    # target's loss is replaced by NaN below).
    left = ops.clip(ops.floor(y_true), 0.0, reg_max - 1.0)
    left = ops.where(valid, left, 0.0)  # NaN would cast to a bad index
    right_weight = y_true - left
    left_index = ops.expand_dims(ops.cast(left, "int32"), -1)
    log_probs = ops.log_softmax(y_pred, axis=-1)
    if _tensorflow():
        # Both bins in one gather: TensorFlow's gradient of a gather is a
        # scatter (UnsortedSegmentSum), the step's costliest operation: one
        # instead of two makes a forward+backward step 0.9x as long under
        # tf.function (0.7x eager) and takes 0.85x of the peak memory; the
        # forward pass alone 1.15x as long. JAX's forward pass is 1.7x slower
        # with it, and PyTorch gains nothing.
        both = left_index + ops.arange(2, dtype=left_index.dtype)
        log_left, log_right = ops.unstack(
            ops.take_along_axis(log_probs, both, axis=-1), num=2, axis=-1
        )
    else:
        log_left = ops.take_along_axis(log_probs, left_index, axis=-1)
        log_right = ops.take_along_axis(log_probs, left_index + 1, axis=-1)
        log_left = ops.squeeze(log_left, -1)
        log_right = ops.squeeze(log_right, -1)
    side_loss = -((1.0 - right_weight) * log_left + right_weight * log_right)
    side_loss = ops.where(valid, side_loss, float("nan"))
    return ops.cast(_tensors.mean(side_loss, -1), dtype)


class IoULoss(FunctionLoss):
    """IoU loss of each box: `-log(IoU)` (UnitBox), `1 - IoU` or `1 - IoU**2`.

    keras-cv's class name and arguments (`bounding_box_format`, `mode`),
    with one loss per box instead of keras-cv's log of the mean IoU. See
    `keras_losses.iou_loss` for the formula and `keras_losses.box` for
    degenerate boxes. One sample is one box: `sample_weight` of shape
    `y_pred.shape[:-1]` weights boxes (e.g. 0/1 for positive anchors).

    Args:
        bounding_box_format: `"xyxy"`, `"yxyx"`, `"xywh"`, `"center_xywh"`
            or `"center_yxhw"` (any case). Required.
        mode: `"linear"`, `"quadratic"` or `"log"`. Defaults to `"log"`.
        {common_args}

    Returns:
        {returns_boxes}

    Formula:
        `1 - IoU`, `1 - IoU**2` or `-log((IoU + 1e-7) / (1 + 1e-7))`.

    References:
        Yu et al., "UnitBox: An Advanced Object Detection Network", ACM
        Multimedia 2016.

    Examples:
        >>> loss = keras_losses.IoULoss("xyxy", mode="linear")
        >>> print(f"{float(loss([[0, 0, 2, 2]], [[1, 0, 3, 2]])):.4f}")
        0.6667
    """

    def __init__(
        self,
        bounding_box_format,
        mode="log",
        reduction="sum_over_batch_size",
        name="iou_loss",
        dtype=None,
    ):
        super().__init__(iou_loss, locals())


class GIoULoss(FunctionLoss):
    """Generalized IoU loss of each box (Rezatofighi et al., CVPR 2019).

    `1 - IoU + (area(C) - area(A u B)) / area(C)`, C the smallest box
    enclosing both. keras-cv's and TF Addons' class name; see
    `keras_losses.giou_loss`. One sample is one box: `sample_weight` of
    shape `y_pred.shape[:-1]` weights boxes.

    Args:
        bounding_box_format: `"xyxy"`, `"yxyx"`, `"xywh"`, `"center_xywh"`
            or `"center_yxhw"` (any case). Required.
        {common_args}

    Returns:
        {returns_boxes}

    Formula:
        `1 - IoU + (area(C) - area(A u B)) / area(C)`

    References:
        Rezatofighi et al., "Generalized Intersection over Union", CVPR
        2019.

    Examples:
        >>> loss = keras_losses.GIoULoss("xyxy")
        >>> print(f"{float(loss([[0, 0, 1, 1]], [[-1, -1, 1, 1]])):.4f}")
        0.7500
    """

    def __init__(
        self,
        bounding_box_format,
        reduction="sum_over_batch_size",
        name="giou_loss",
        dtype=None,
    ):
        super().__init__(giou_loss, locals())


class DIoULoss(FunctionLoss):
    """Distance-IoU loss of each box (Zheng et al., AAAI 2020).

    `1 - IoU + rho**2 / c**2`: `rho` the distance between the centres, `c`
    the diagonal of the smallest box enclosing both. See
    `keras_losses.diou_loss`. One sample is one box: `sample_weight` of
    shape `y_pred.shape[:-1]` weights boxes.

    Args:
        bounding_box_format: `"xyxy"`, `"yxyx"`, `"xywh"`, `"center_xywh"`
            or `"center_yxhw"` (any case). Required.
        {common_args}

    Returns:
        {returns_boxes}

    Formula:
        `1 - IoU + rho**2 / c**2`

    References:
        Zheng et al., "Distance-IoU Loss: Faster and Better Learning for
        Bounding Box Regression", AAAI 2020.

    Examples:
        >>> loss = keras_losses.DIoULoss("xyxy")
        >>> print(f"{float(loss([[0, 0, 1, 1]], [[-1, -1, 1, 1]])):.4f}")
        0.8125
    """

    def __init__(
        self,
        bounding_box_format,
        reduction="sum_over_batch_size",
        name="diou_loss",
        dtype=None,
    ):
        super().__init__(diou_loss, locals())


class CIoULoss(FunctionLoss):
    """Complete-IoU loss of each box (Zheng et al., AAAI 2020), as published.

    DIoU plus `alpha * v`, `v = 4 / pi**2 * (atan(w_t / h_t) -
    atan(w_p / h_p))**2`, `alpha = v / ((1 - IoU) + v)` held constant in the
    backward pass. keras-cv's class name, without its squared `4 / pi**2`.
    See `keras_losses.ciou_loss`. One sample is one box: `sample_weight` of
    shape `y_pred.shape[:-1]` weights boxes.

    Args:
        bounding_box_format: `"xyxy"`, `"yxyx"`, `"xywh"`, `"center_xywh"`
            or `"center_yxhw"` (any case). Required.
        {common_args}

    Returns:
        {returns_boxes}

    Formula:
        `1 - IoU + rho**2 / c**2 + stop_gradient(alpha) * v`

    References:
        Zheng et al., "Distance-IoU Loss: Faster and Better Learning for
        Bounding Box Regression", AAAI 2020.

    Examples:
        >>> loss = keras_losses.CIoULoss("xyxy")
        >>> print(f"{float(loss([[0, 0, 2, 1]], [[0, 0, 1, 1]])):.4f}")
        0.5532
    """

    def __init__(
        self,
        bounding_box_format,
        reduction="sum_over_batch_size",
        name="ciou_loss",
        dtype=None,
    ):
        super().__init__(ciou_loss, locals())


class DistributionFocalLoss(FunctionLoss):
    """Distribution focal loss of each box (GFL, Li et al., NeurIPS 2020).

    Targets `(..., sides)` in `[0, reg_max]`, logits `(..., sides,
    reg_max + 1)`; each side's loss is the cross-entropy against its two
    nearest bins weighted by closeness, a box's the mean over its sides.
    See `keras_losses.distribution_focal_loss`. One sample is one box:
    `sample_weight` of shape `y_true.shape[:-1]` weights boxes.

    Args:
        {common_args}

    Returns:
        {returns_boxes}

    Formula:
        `mean_sides(-((y_i + 1 - y) log S_i + (y - y_i) log S_(i+1)))`,
        `S = softmax(y_pred)`, `y_i = floor(y)`.

    References:
        Li et al., "Generalized Focal Loss: Learning Qualified and
        Distributed Bounding Boxes for Dense Object Detection", NeurIPS
        2020.

    Examples:
        >>> loss = keras_losses.DistributionFocalLoss()
        >>> logits = np.log([[[0.1, 0.6, 0.3]]])
        >>> print(f"{float(loss([[1.25]], logits)):.4f}")
        0.6841
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="distribution_focal_loss",
        dtype=None,
    ):
        super().__init__(distribution_focal_loss, locals())
