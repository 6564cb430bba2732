"""Box-regression family: published values, float64 references, gradients.

IoU, GIoU, DIoU and CIoU losses (keras_losses.box) and the distribution
focal loss. The references (tests/reference.py) are written from the
papers' formulas. torchvision's and TF Addons' published test values are
hard-coded with their sources (torchvision's wheel does not load with this
environment's torch build); PyTorch's cross-entropy is the DFL's reference
where torch imports.
"""

import math
import re

import keras
import numpy as np
import pytest

import keras_losses
from tests import reference
from tests.autodiff import finite_difference
from tests.autodiff import value_and_grad
from tests.helpers import REDUCTIONS
from tests.helpers import numpy
from tests.tolerance import assert_close

FORMATS = reference.BOX_FORMATS
LOG_EPSILON = reference.IOU_LOG_EPSILON

# name -> (our function, float64 reference, keyword arguments)
IOU_LOSSES = {
    "iou_linear": (
        keras_losses.iou_loss,
        reference.iou_loss,
        {"mode": "linear"},
    ),
    "iou_quadratic": (
        keras_losses.iou_loss,
        reference.iou_loss,
        {"mode": "quadratic"},
    ),
    "iou_log": (keras_losses.iou_loss, reference.iou_loss, {"mode": "log"}),
    "giou": (keras_losses.giou_loss, reference.giou_loss, {}),
    "diou": (keras_losses.diou_loss, reference.diou_loss, {}),
    "ciou": (keras_losses.ciou_loss, reference.ciou_loss, {}),
}
NAMES = sorted(IOU_LOSSES)
CLASSES = {
    "iou_linear": (keras_losses.IoULoss, {"mode": "linear"}),
    "iou_quadratic": (keras_losses.IoULoss, {"mode": "quadratic"}),
    "iou_log": (keras_losses.IoULoss, {}),
    "giou": (keras_losses.GIoULoss, {}),
    "diou": (keras_losses.DIoULoss, {}),
    "ciou": (keras_losses.CIoULoss, {}),
}


def _ours(name, y_true, y_pred, bounding_box_format="xyxy"):
    fn, _, kwargs = IOU_LOSSES[name]
    return fn(y_true, y_pred, bounding_box_format=bounding_box_format, **kwargs)


def _reference(name, y_true, y_pred, bounding_box_format="xyxy", **extra):
    _, formula, kwargs = IOU_LOSSES[name]
    return formula(y_true, y_pred, bounding_box_format, **kwargs, **extra)


def _random_pairs(rng):
    """(targets, predictions), xyxy float64 of shape (3, 8, 4).

    Row 0 overlaps its target, row 1 is disjoint from it, row 2 is nested
    (inside the target, or around it, alternately). No box is square. One
    shape for all random boxes: JAX compiles each op once per shape.
    """
    boxes = 8
    n = 3 * boxes
    x1, y1 = rng.uniform(-3, 3, size=(2, n))
    w = rng.uniform(0.5, 3.0, size=n)
    h = np.where(rng.random(n) < 0.5, w * rng.uniform(1.2, 2.5, n), w / 2)
    target = np.stack([x1, y1, x1 + w, y1 + h], axis=-1).reshape(3, boxes, 4)
    tw, th = w.reshape(3, boxes), h.reshape(3, boxes)
    tx1, ty1 = target[..., 0], target[..., 1]
    pred = np.empty_like(target)
    # Overlapping: shifted by under half a side, sides rescaled.
    sx, sy = rng.uniform(-0.45, 0.45, size=(2, 3, boxes))
    pw = tw * rng.uniform(0.6, 1.6, size=(3, boxes))
    ph = th * rng.uniform(0.6, 1.6, size=(3, boxes))
    px1, py1 = tx1 + sx * tw, ty1 + sy * th
    pred[0] = np.stack([px1, py1, px1 + pw, py1 + ph], axis=-1)[0]
    # Disjoint: right of or below the target, by a gap.
    gap = rng.uniform(0.1, 2.0, size=(3, boxes))
    right = rng.random((3, boxes)) < 0.5
    px1 = np.where(right, tx1 + tw + gap, tx1 + sx * tw)
    py1 = np.where(right, ty1 + sy * th, ty1 + th + gap)
    pred[1] = np.stack([px1, py1, px1 + pw, py1 + ph], axis=-1)[1]
    # Nested: a margin of 5-30 % of each side, inside or outside.
    mx1, my1, mx2, my2 = rng.uniform(0.05, 0.3, size=(4, 3, boxes))
    sign = np.where(np.arange(boxes) % 2 == 0, 1.0, -1.0)
    nested = np.stack(
        [
            tx1 + sign * mx1 * tw,
            ty1 + sign * my1 * th,
            tx1 + tw - sign * mx2 * tw,
            ty1 + th - sign * my2 * th,
        ],
        axis=-1,
    )
    pred[2] = nested[2]
    for boxes_ in (target, pred):
        widths = boxes_[..., 2] - boxes_[..., 0]
        heights = boxes_[..., 3] - boxes_[..., 1]
        assert np.all(widths > 0) and np.all(heights > 0)
        assert np.all(np.abs(widths - heights) > 1e-3)  # not square
    return target, pred


def _large_pairs(rng):
    """`_random_pairs` moved and scaled onto pixels [1, 1e4]."""
    target, pred = _random_pairs(rng)
    low = min(target.min(), pred.min())
    high = max(target.max(), pred.max())
    scale = (1e4 - 1.0) / (high - low)
    target, pred = 1.0 + (target - low) * scale, 1.0 + (pred - low) * scale
    assert max(target.max(), pred.max()) <= 1e4 + 1e-6
    return target, pred


# --- Published values ---------------------------------------------------------

# torchvision, test/test_ops.py (pytorch/vision): get_boxes() and the classes
# TestGeneralizedBoxIouLoss, TestDistanceBoxIouLoss, TestCompleteBoxIouLoss,
# which call loss(box_a, box_b) and assert these values, with
# torch.testing.assert_close's float32 tolerance (rtol 1.3e-6, atol 1e-5).
TV_BOX1 = [-1.0, -1.0, 1.0, 1.0]
TV_BOX2 = [0.0, 0.0, 1.0, 1.0]
TV_BOX3 = [0.0, 1.0, 1.0, 2.0]
TV_BOX4 = [1.0, 1.0, 2.0, 2.0]
TORCHVISION_LOSSES = {
    "giou": [
        (TV_BOX1, TV_BOX1, 0.0),
        (TV_BOX1, TV_BOX2, 0.75),
        (TV_BOX2, TV_BOX3, 1.0),
        (TV_BOX2, TV_BOX4, 1.5),
    ],
    "diou": [
        (TV_BOX1, TV_BOX1, 0.0),
        (TV_BOX1, TV_BOX2, 0.8125),
        (TV_BOX1, TV_BOX3, 1.1923),
        (TV_BOX1, TV_BOX4, 1.2500),
    ],
    "ciou": [
        (TV_BOX1, TV_BOX1, 0.0),
        (TV_BOX1, TV_BOX2, 0.8125),
        (TV_BOX1, TV_BOX3, 1.1923),
        (TV_BOX1, TV_BOX4, 1.2500),
    ],
}
# The batched cases: box1s = [box2, box2], box2s = [box3, box4]; (sum, mean).
TORCHVISION_BATCHED = {
    "giou": (2.5, 1.25),
    "diou": (2.4500, 1.2250),
    "ciou": (2.4500, 1.2250),
}


@pytest.mark.parametrize("name", ["giou", "diou", "ciou"])
def test_torchvision_published_losses(name):
    for box_a, box_b, expected in TORCHVISION_LOSSES[name]:
        # Both orders: the losses are symmetric in two valid boxes.
        for y_true, y_pred in ((box_a, box_b), (box_b, box_a)):
            loss = numpy(_ours(name, [y_true], [y_pred]))
            np.testing.assert_allclose(
                loss, [expected], rtol=1.3e-6, atol=1e-5, err_msg=name
            )
    cls, kwargs = CLASSES[name]
    box1s, box2s = [TV_BOX2, TV_BOX2], [TV_BOX3, TV_BOX4]
    total, mean = TORCHVISION_BATCHED[name]
    summed = cls("xyxy", reduction="sum", **kwargs)(box1s, box2s)
    averaged = cls("xyxy", **kwargs)(box1s, box2s)  # sum_over_batch_size
    np.testing.assert_allclose(numpy(summed), total, rtol=1.3e-6, atol=1e-5)
    np.testing.assert_allclose(numpy(averaged), mean, rtol=1.3e-6, atol=1e-5)


# torchvision, test/test_ops.py: INT_BOXES x INT_BOXES2 and FLOAT_BOXES x
# FLOAT_BOXES, the pairwise box_iou / generalized_box_iou / distance_box_iou /
# complete_box_iou matrices of TestBoxIou, TestGeneralizedBoxIou,
# TestDistanceBoxIoU and TestCompleteBoxIou (asserted there with atol 1e-4
# for the integer boxes, 1e-3 for the float ones). Each loss is 1 - value.
TV_INT_BOXES = [[0, 0, 100, 100], [0, 0, 50, 50], [200, 200, 300, 300]]
TV_INT_BOXES += [[0, 0, 25, 25]]
TV_INT_BOXES2 = [[0, 0, 100, 100], [0, 0, 50, 50], [200, 200, 300, 300]]
TV_FLOAT_BOXES = [
    [285.3538, 185.5758, 1193.5110, 851.4551],
    [285.1472, 188.7374, 1192.4984, 851.0669],
    [279.2440, 197.9812, 1189.4746, 849.2019],
]
TV_DIOU_INT = [
    [1.0000, 0.1875, -0.4444],
    [0.1875, 1.0000, -0.5625],
    [-0.4444, -0.5625, 1.0000],
    [-0.0781, 0.1875, -0.6267],
]
TV_INT_EXPECTED = {
    "iou_linear": [
        [1.0, 0.25, 0.0],
        [0.25, 1.0, 0.0],
        [0.0, 0.0, 1.0],
        [0.0625, 0.25, 0.0],
    ],
    "giou": [
        [1.0, 0.25, -0.7778],
        [0.25, 1.0, -0.8611],
        [-0.7778, -0.8611, 1.0],
        [0.0625, 0.25, -0.8819],
    ],
    "diou": TV_DIOU_INT,
    "ciou": TV_DIOU_INT,  # all squares: no aspect term
}
# The same for the four functions on FLOAT_BOXES (non-square, ~900 x 660).
TV_FLOAT_EXPECTED = [[1.0, 0.9933, 0.9673], [0.9933, 1.0, 0.9737]]
TV_FLOAT_EXPECTED += [[0.9673, 0.9737, 1.0]]


def _pairwise(name, boxes_a, boxes_b):
    """The loss of every pair (a, b), one (1, 4) box at a time."""
    return np.array(
        [[numpy(_ours(name, [a], [b]))[0] for b in boxes_b] for a in boxes_a]
    )


@pytest.mark.parametrize("name", ["iou_linear", "giou", "diou", "ciou"])
def test_torchvision_published_pairwise_values(name):
    expected = 1.0 - np.array(TV_INT_EXPECTED[name])
    np.testing.assert_allclose(
        _pairwise(name, TV_INT_BOXES, TV_INT_BOXES2),
        expected,
        rtol=0,
        atol=1e-4,
    )
    expected = 1.0 - np.array(TV_FLOAT_EXPECTED)
    np.testing.assert_allclose(
        _pairwise(name, TV_FLOAT_BOXES, TV_FLOAT_BOXES),
        expected,
        rtol=0,
        atol=1e-3,
    )


def test_tf_addons_published_giou():
    # tensorflow/addons, tensorflow_addons/losses/giou_loss.py, GIoULoss's
    # docstring: boxes in [y_min, x_min, y_max, x_max] (yxyx); per-box
    # losses "[1.07500000298023224, 1.9333333373069763]" (the 2019 example),
    # and their mean "numpy=1.5041667" (the later doctest).
    boxes1 = [[4.0, 3.0, 7.0, 5.0], [5.0, 6.0, 10.0, 7.0]]
    boxes2 = [[3.0, 4.0, 6.0, 8.0], [14.0, 14.0, 15.0, 15.0]]
    per_box = keras_losses.GIoULoss("yxyx", reduction=None)(boxes1, boxes2)
    np.testing.assert_allclose(
        numpy(per_box), [1.07500000298023224, 1.9333333373069763], rtol=1e-6
    )
    mean = keras_losses.GIoULoss("yxyx")(boxes1, boxes2)
    np.testing.assert_allclose(numpy(mean), 1.5041667, rtol=1e-6)
    # The function too.
    np.testing.assert_allclose(
        numpy(
            keras_losses.giou_loss(boxes1, boxes2, bounding_box_format="yxyx")
        ),
        [1.075, 1.9333333],
        rtol=1e-6,
    )


# --- Float64 references -------------------------------------------------------


def test_box_formats_by_hand():
    # One box, left 1, top 2, right 4, bottom 7 (3 wide, 5 high, centre
    # (2.5, 4.5)), written by hand in each format.
    written = {
        "xyxy": [1.0, 2.0, 4.0, 7.0],
        "yxyx": [2.0, 1.0, 7.0, 4.0],
        "xywh": [1.0, 2.0, 3.0, 5.0],
        "center_xywh": [2.5, 4.5, 3.0, 5.0],
        "center_yxhw": [4.5, 2.5, 5.0, 3.0],
    }
    # Against it, the box left 0, top 0, right 2, bottom 4 (2 x 4).
    other = {
        "xyxy": [0.0, 0.0, 2.0, 4.0],
        "yxyx": [0.0, 0.0, 4.0, 2.0],
        "xywh": [0.0, 0.0, 2.0, 4.0],
        "center_xywh": [1.0, 2.0, 2.0, 4.0],
        "center_yxhw": [2.0, 1.0, 4.0, 2.0],
    }
    # Intersection [1, 2] x [2, 4] = 2; union 15 + 8 - 2 = 21; IoU = 2/21.
    # Enclosing [0, 4] x [0, 7] = 28: GIoU loss = 1 - 2/21 + 7/28.
    # Centres (2.5, 4.5), (1, 2): rho^2 = 2.25 + 6.25 = 8.5; c^2 = 16 + 49.
    iou = 2 / 21
    expected = {
        "iou_linear": 1 - iou,
        "giou": 1 - iou + 7 / 28,
        "diou": 1 - iou + 8.5 / 65,
    }
    for fmt in FORMATS:
        assert written[fmt] == list(
            reference.boxes_in_format([1, 2, 4, 7], fmt)
        )
        assert other[fmt] == list(reference.boxes_in_format([0, 0, 2, 4], fmt))
        np.testing.assert_allclose(
            reference.box_corners(written[fmt], fmt), [1, 2, 4, 7]
        )
        for name, value in expected.items():
            loss = _ours(name, [written[fmt]], [other[fmt]], fmt)
            np.testing.assert_allclose(
                numpy(loss), [value], rtol=1e-6, err_msg=f"{name} {fmt}"
            )
            np.testing.assert_allclose(
                _reference(name, [written[fmt]], [other[fmt]], fmt),
                [value],
                rtol=1e-12,
            )


@pytest.mark.parametrize("name", NAMES)
def test_matches_float64_reference_in_every_format(name):
    target, pred = _random_pairs(np.random.default_rng(1))
    in_xyxy = numpy(_ours(name, target, pred))
    for fmt in FORMATS:
        y_true = reference.boxes_in_format(target, fmt).astype("float32")
        y_pred = reference.boxes_in_format(pred, fmt).astype("float32")
        loss = _ours(name, y_true, y_pred, fmt)
        assert tuple(loss.shape) == (3, 8)
        actual = numpy(loss)
        expected = _reference(name, y_true, y_pred, fmt)
        assert_close(
            actual,
            expected,
            rtol=1e-5,
            atol=1e-6,
            reference=f"reference.{name} (boxes)",
            case=fmt,
        )
        # Every format is the same box: the loss of the xyxy corners.
        np.testing.assert_allclose(actual, in_xyxy, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_large_boxes(name):
    # Pixel boxes up to 1e4: areas to 1e7, squared diagonals to 1e8.
    target, pred = _large_pairs(np.random.default_rng(2))
    for fmt in ("xyxy", "center_yxhw"):
        y_true = reference.boxes_in_format(target, fmt).astype("float32")
        y_pred = reference.boxes_in_format(pred, fmt).astype("float32")
        actual = numpy(_ours(name, y_true, y_pred, fmt))
        expected = _reference(name, y_true, y_pred, fmt)
        assert_close(
            actual,
            expected,
            rtol=1e-5,
            atol=1e-6,
            reference=f"reference.{name} (boxes to 1e4)",
            case=fmt,
        )


def _skip_float64_on_plain_jax(dtype, backend):
    if dtype == "float64" and backend == "jax":
        import jax

        if not jax.config.jax_enable_x64:
            pytest.skip("JAX computes in float32 unless jax_enable_x64 is set")


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64"])
def test_input_dtypes(dtype, backend):
    # Half precision is computed in float32: the boxes reach 1e4 pixels, so
    # areas (to 1e7) would overflow float16 (65504) and give inf or NaN.
    _skip_float64_on_plain_jax(dtype, backend)
    target, pred = _large_pairs(np.random.default_rng(3))
    y_true = keras.ops.cast(target, dtype)
    y_pred = keras.ops.cast(pred, dtype)
    rounded_true, rounded_pred = numpy(y_true), numpy(y_pred)  # as held
    rtol = {"float16": 1e-3, "bfloat16": 8e-3, "float64": 1e-12}[dtype]
    for name in NAMES:
        loss = _ours(name, y_true, y_pred)
        tolerance = rtol
        if dtype == "float64" and backend == "torch":
            # Keras 3.15.1 promotes float64 to float32 on every backend
            # but TensorFlow (keras/src/backend/common/dtypes.py,
            # BIT64_TO_BIT32_DTYPE, "aligned with JAX's default"), so on
            # torch `ops.maximum`, `ops.minimum`, `ops.arctan2`, `ops.floor`
            # and `ops.mean` compute float64 in float32 (keras-team/keras
            # #23223): the overlap, the enclosing box and CIoU's angles
            # are float32-accurate, 1.4e-6 here.
            tolerance = 1e-5
        assert keras.backend.standardize_dtype(loss.dtype) == dtype
        actual = numpy(loss)
        expected = _reference(name, rounded_true, rounded_pred)
        assert np.all(np.isfinite(actual)), name
        assert_close(
            actual,
            expected,
            rtol=tolerance,
            atol=tolerance,
            reference=f"reference.{name} ({dtype} inputs)",
            case=name,
        )
    # The distribution focal loss likewise.
    if dtype == "float64" and backend == "torch":
        rtol = 1e-7  # Keras's torch ops.mean in float32, as above: 7e-8
    targets, logits = _dfl_random(4)
    targets = targets.astype(dtype)
    logits = keras.ops.cast(logits, dtype)
    loss = keras_losses.distribution_focal_loss(targets, logits)
    assert keras.backend.standardize_dtype(loss.dtype) == dtype
    np.testing.assert_allclose(
        numpy(loss),
        reference.distribution_focal_loss(targets, numpy(logits)),
        rtol=rtol,
        atol=rtol,
    )


# --- Hand-derived values ------------------------------------------------------


def test_hand_derived_values():
    # Target A = [0, 0, 2, 1] (2 wide, 1 high), prediction B = [0, 0, 1, 1].
    # A n B = [0, 1] x [0, 1] = 1; A u B = 2 + 1 - 1 = 2: IoU = 1/2.
    # Enclosing box = A: area 2 = union, so no GIoU penalty; c^2 = 2^2 + 1.
    # Centres (1, 0.5), (0.5, 0.5): rho^2 = 0.25, rho^2 / c^2 = 0.05.
    # Aspect: atan(2/1) - atan(1/1) = atan((2 - 1) / (1 + 2)) = atan(1/3),
    # v = 4/pi^2 atan(1/3)^2 = 0.4052847 * 0.1035234 = 0.0419565;
    # alpha = v / (1/2 + v) = 0.0774167;
    # CIoU loss = 0.5 + 0.05 + alpha v = 0.5 + 0.05 + 0.0032481 = 0.5532481.
    v = 4 / math.pi**2 * math.atan(1 / 3) ** 2
    alpha = v / (0.5 + v)
    np.testing.assert_allclose(
        [v, alpha, alpha * v], [0.0419565, 0.0774167, 0.0032481], atol=1e-7
    )
    expected = {
        "iou_linear": 0.5,
        "iou_quadratic": 0.75,  # 1 - 1/4
        "iou_log": math.log(2),  # -log((1/2 + eps) / (1 + eps)) = log 2
        "giou": 0.5,
        "diou": 0.55,
        "ciou": 0.5532481,
    }
    for name, value in expected.items():
        loss = _ours(name, [[0.0, 0.0, 2.0, 1.0]], [[0.0, 0.0, 1.0, 1.0]])
        np.testing.assert_allclose(numpy(loss), [value], rtol=1e-6, atol=1e-7)
    # GIoU, non-square and disjoint: A = [0, 0, 2, 1], B = [3, 0, 4, 2].
    # IoU = 0; union = 2 + 2 = 4; enclosing [0, 4] x [0, 2] = 8:
    # loss = 1 - 0 + (8 - 4) / 8 = 1.5.
    # DIoU: centres (1, 0.5), (3.5, 1): rho^2 = 6.25 + 0.25 = 6.5,
    # c^2 = 4^2 + 2^2 = 20: loss = 1 + 6.5 / 20 = 1.325.
    # CIoU: atan(2) - atan(1/2) = atan((2 - 1/2) / (1 + 1)) = atan(0.75),
    # v = 4/pi^2 atan(0.75)^2 = 0.1678258, alpha = v / (1 + v) = 0.1437079:
    # loss = 1.325 + alpha v = 1.325 + 0.0241179 = 1.3491179.
    v = 4 / math.pi**2 * math.atan(0.75) ** 2
    np.testing.assert_allclose(
        [v, v / (1 + v), v * v / (1 + v)],
        [0.1678258, 0.1437079, 0.0241179],
        atol=1e-7,
    )
    for name, value in {"giou": 1.5, "diou": 1.325, "ciou": 1.3491179}.items():
        loss = _ours(name, [[0.0, 0.0, 2.0, 1.0]], [[3.0, 0.0, 4.0, 2.0]])
        np.testing.assert_allclose(numpy(loss), [value], rtol=1e-6)


def test_log_mode_in_float32_near_zero_and_one():
    # The log mode, -log((IoU + eps) / (1 + eps)) with eps = 1e-7, is
    # documented as "made finite (16.1) for disjoint boxes": -log(1e-7 /
    # (1 + 1e-7)) = 16.1180958. Computed in float32 as -log1p((IoU - 1) /
    # (1 + eps)) alone, 1 + 1e-7 rounds to 1 + 2^-23 and IoU = 0 gives
    # 15.942385 (1.1 % low; box.py's first version did), a small IoU an
    # error of ~6e-8 / IoU; near IoU = 1 the log1p form is the accurate one
    # (exactly 0 at 1).
    target = [[0.0, 0.0, 1.0, 1.0]] * 2
    pred = [
        [2.0, 0.0, 3.0, 1.0],  # IoU 0
        [0.0, 0.0, 1.0, 1e-3],  # IoU 1e-3
        [0.0, 0.0, 1.0, 0.999],  # IoU 0.999
        [0.0, 0.0, 1.0, 1.0],  # IoU 1
    ]
    loss = [
        numpy(keras_losses.iou_loss(target, p, bounding_box_format="xyxy"))
        for p in (pred[:2], pred[2:])
    ]
    # The IoUs as float32 holds them (0.999 is 0.99900001 there).
    ious = [float(np.float32(v)) for v in (0.0, 1e-3, 0.999)]
    expected = [-math.log(v + 1e-7) + math.log1p(1e-7) for v in ious]
    expected.append(0.0)
    np.testing.assert_allclose(expected[0], 16.1180958, rtol=1e-8)
    np.testing.assert_allclose(expected[2], 1.0004873e-3, rtol=1e-7)
    actual = np.concatenate(loss)
    np.testing.assert_allclose(actual, expected, rtol=2e-6, atol=0)
    assert actual[3] == 0.0


# --- Gradients ----------------------------------------------------------------


def _gradient_tolerance():
    # JAX computes float64 inputs in float32 unless jax_enable_x64 is set.
    return 1e-3 if keras.backend.backend() == "jax" else 1e-5


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_finite_differences(name):
    # CIoU: alpha held at its value at the base point (box.py stops its
    # gradient, as the paper's code and torchvision do).
    target, pred = _random_pairs(np.random.default_rng(5))
    for fmt in ("xyxy", "center_yxhw"):
        y_true, y_pred = (
            reference.boxes_in_format(target, fmt),
            reference.boxes_in_format(pred, fmt),
        )
        extra = {}
        if name == "ciou":
            extra["alpha"] = reference.ciou_alpha(y_true, y_pred, fmt)
        _, grad = value_and_grad(
            lambda x, fmt=fmt, y_true=y_true: keras.ops.sum(
                _ours(name, y_true, x, fmt)
            ),
            y_pred,
        )
        expected = finite_difference(
            lambda x, fmt=fmt, y_true=y_true, extra=extra: _reference(
                name, y_true, x, fmt, **extra
            ),
            y_pred,
        )
        assert np.any(expected != 0)
        assert_close(
            grad,
            expected,
            rtol=_gradient_tolerance(),
            atol=1e-6,
            reference="finite differences (float64), boxes",
            case=f"{name} {fmt}",
        )


def test_ciou_alpha_is_held_constant():
    # With alpha differentiated, the gradient differs: the test above could
    # not pass by accident. A = [0, 0, 3, 1], B = [0.2, 0.1, 1.0, 1.4]:
    # alpha = 0.201, and the two gradients differ by up to 0.04.
    y_true = np.array([[0.0, 0.0, 3.0, 1.0]])
    y_pred = np.array([[0.2, 0.1, 1.0, 1.4]])
    _, grad = value_and_grad(
        lambda x: keras.ops.sum(
            keras_losses.ciou_loss(y_true, x, bounding_box_format="xyxy")
        ),
        y_pred,
    )
    alpha = reference.ciou_alpha(y_true, y_pred, "xyxy")
    held = finite_difference(
        lambda x: reference.ciou_loss(y_true, x, "xyxy", alpha=alpha), y_pred
    )
    full = finite_difference(
        lambda x: reference.ciou_loss(y_true, x, "xyxy"), y_pred
    )
    tolerance = _gradient_tolerance()
    np.testing.assert_allclose(grad, held, rtol=tolerance, atol=1e-6)
    assert np.max(np.abs(grad - full)) > 0.03


# --- Degenerate boxes ---------------------------------------------------------

# (target, prediction, IoU, GIoU loss, DIoU loss, CIoU loss), by hand.
DEGENERATE = {
    # Identical: IoU 1, no penalty, v = 0 and alpha = 0 / (0 + 0) = 0.
    "identical": ([0, 0, 2, 1], [0, 0, 2, 1], 1.0, 0.0, 0.0, 0.0),
    # Disjoint: see test_hand_derived_values.
    "disjoint": ([0, 0, 2, 1], [3, 0, 4, 2], 0.0, 1.5, 1.325, 1.3491179),
    # Touching along x = 1: intersection 0; enclosing 2 = union; rho^2 = 1,
    # c^2 = 2^2 + 1 = 5: DIoU 1.2; both squares, v = 0.
    "touching": ([0, 0, 1, 1], [1, 0, 2, 1], 0.0, 1.0, 1.2, 1.2),
    # Nested, one centre, both 2:1: IoU 2 / 8, enclosing = union, v = 0.
    "nested": ([0, 0, 4, 2], [1, 0.5, 3, 1.5], 0.25, 0.75, 0.75, 0.75),
    # A line (zero height) through the target's centre: area 0, IoU 0;
    # enclosing = target = union; rho = 0; angles pi/2 and pi/4: v =
    # 4/pi^2 (pi/4)^2 = 1/4, alpha = (1/4) / (1 + 1/4) = 1/5, alpha v = 0.05.
    "line": ([0, 0, 2, 2], [0, 1, 2, 1], 0.0, 1.0, 1.0, 1.05),
    # The target a line (valid: zero height is not inverted), the same.
    "line target": ([0, 1, 2, 1], [0, 0, 2, 2], 0.0, 1.0, 1.0, 1.05),
    # A point at the target's centre: IoU 0; its angle pi/4 is a square's.
    "point": ([0, 0, 2, 2], [1, 1, 1, 1], 0.0, 1.0, 1.0, 1.0),
    # Both boxes one point: IoU 0/0 = 0, enclosing area and diagonal 0, no
    # penalty; v = 0.
    "same point": ([1, 1, 1, 1], [1, 1, 1, 1], 0.0, 1.0, 1.0, 1.0),
    # Two points (0, 0) and (1, 2): union 0; enclosing 1 x 2, penalty
    # (2 - 0) / 2 = 1; rho^2 = 1 + 4 = c^2: DIoU penalty 1.
    "two points": ([0, 0, 0, 0], [1, 2, 1, 2], 0.0, 2.0, 2.0, 2.0),
}


def _hand_values(iou, giou, diou, ciou):
    log = -math.log((iou + LOG_EPSILON) / (1 + LOG_EPSILON))
    return {
        "iou_linear": 1 - iou,
        "iou_quadratic": 1 - iou**2,
        "iou_log": log,
        "giou": giou,
        "diou": diou,
        "ciou": ciou,
    }


@pytest.mark.parametrize("case", sorted(DEGENERATE))
def test_degenerate_boxes(case):
    target, pred, *hand = DEGENERATE[case]
    y_true = np.array([target], "float64")
    y_pred = np.array([pred], "float64")
    for name, value in _hand_values(*hand).items():
        loss = numpy(
            _ours(name, y_true.astype("float32"), y_pred.astype("float32"))
        )
        assert np.all(np.isfinite(loss)), (case, name)
        np.testing.assert_allclose(
            loss, [value], rtol=1e-6, atol=1e-7, err_msg=f"{case} {name}"
        )
        np.testing.assert_allclose(
            _reference(name, y_true, y_pred), [value], atol=1e-7
        )
        # A finite gradient, for the prediction and for the target.
        for wrt in ("pred", "true"):
            if wrt == "pred":
                point = y_pred

                def fn(x, name=name):
                    return keras.ops.sum(_ours(name, y_true, x))

            else:
                point = y_true

                def fn(x, name=name):
                    return keras.ops.sum(_ours(name, x, y_pred))

            total, grad = value_and_grad(fn, point)
            assert np.isfinite(total), (case, name, wrt)
            assert np.all(np.isfinite(grad)), (case, name, wrt, grad)


# --- Inverted boxes and NaN ---------------------------------------------------

# (format, target, inverted prediction, GIoU loss, DIoU loss, CIoU loss).
INVERTED = {
    # x2 < x1: [1.5, 0.5, 0.5, 1.5] is empty (width max(-1, 0) = 0), IoU 0.
    # Its corners as given: enclosing x from min(1.5, 0) = 0 to max(0.5, 2)
    # = 2, y from 0 to 2: area 4 = union, no GIoU penalty; centre (1, 1) is
    # the target's. Aspect angles atan2(0, 1) = 0 and pi/4: v = 1/4,
    # alpha = (1/4) / (1 + 1/4) = 1/5, alpha v = 0.05.
    "x inverted": ("xyxy", [0, 0, 2, 2], [1.5, 0.5, 0.5, 1.5], 1.0, 1.0, 1.05),
    # A negative width: centre (1.5, 1), width -1, height 1 is the corners
    # x1 = 2, x2 = 1, y 0.5 to 1.5. Target centre (1, 1), 2 x 2. Enclosing
    # [0, 2] x [0, 2], no GIoU penalty; rho^2 = 0.25, c^2 = 8: DIoU
    # 1 + 0.03125; CIoU adds 0.05 as above.
    "negative width": (
        "center_xywh",
        [1, 1, 2, 2],
        [1.5, 1, -1, 1],
        1.0,
        1.03125,
        1.08125,
    ),
}


@pytest.mark.parametrize("case", sorted(INVERTED))
def test_inverted_predicted_box(case):
    fmt, target, pred, giou, diou, ciou = INVERTED[case]
    y_true, y_pred = np.array([target], "float64"), np.array([pred], "float64")
    hand = _hand_values(0.0, giou, diou, ciou)
    for name in NAMES:
        loss = numpy(
            _ours(name, y_true.astype("float32"), y_pred.astype("float32"), fmt)
        )
        expected = _reference(name, y_true, y_pred, fmt)
        np.testing.assert_allclose(loss, expected, rtol=1e-6, err_msg=name)
        np.testing.assert_allclose(loss, [hand[name]], rtol=1e-6)
        _, grad = value_and_grad(
            lambda x, name=name: keras.ops.sum(_ours(name, y_true, x, fmt)),
            y_pred,
        )
        assert np.all(np.isfinite(grad)), (case, name, grad)


@pytest.mark.parametrize(
    "target, pred",
    [
        # Beside the target, x from 2.5 down to 1.7: the IoU term is flat
        # (0), the centre term pulls the box back.
        ([0.0, 0.0, 2.0, 2.0], [2.5, 0.3, 1.7, 1.6]),
        # Inside the target's x range, y from 1.3 down to 0.2.
        ([0.0, 0.0, 2.0, 1.0], [0.4, 1.3, 1.6, 0.2]),
    ],
)
def test_inverted_predicted_box_gradient_matches_reference(target, pred):
    y_true, y_pred = np.array([target]), np.array([pred])
    for name in ("giou", "diou", "ciou", "iou_linear"):
        extra = {}
        if name == "ciou":
            extra["alpha"] = reference.ciou_alpha(y_true, y_pred, "xyxy")
        _, grad = value_and_grad(
            lambda x, name=name: keras.ops.sum(_ours(name, y_true, x)), y_pred
        )
        expected = finite_difference(
            lambda x, name=name, extra=extra: _reference(
                name, y_true, x, **extra
            ),
            y_pred,
        )
        assert_close(
            grad,
            expected,
            rtol=_gradient_tolerance(),
            atol=1e-6,
            reference="finite differences (float64), boxes",
            case=f"{name} inverted",
        )
        if name == "diou" and pred[0] > target[2]:
            # It moves the box left, towards the target: d/dx1, d/dx2 > 0.
            assert grad[0, 0] > 0 and grad[0, 2] > 0


def test_inverted_target_gives_nan():
    # A bad label (contract point 12): x2 < x1 in row 0, y2 < y1 in row 1, a
    # negative height in the width format in row 2; row 3 is valid.
    y_true = np.array(
        [[2, 0, 1, 1], [0, 2, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1]], "float32"
    )
    y_pred = np.array([[0, 0, 1, 1]] * 4, "float32")
    for name in NAMES:
        corners = numpy(_ours(name, y_true[:2], y_pred[:2]))
        assert np.all(np.isnan(corners)), name
        widths = reference.boxes_in_format(y_true[2:], "xywh")
        widths[0, 3] = -1.0
        xywh = numpy(
            _ours(
                name,
                widths,
                reference.boxes_in_format(y_pred[2:], "xywh"),
                "xywh",
            )
        )
        assert np.isnan(xywh[0]) and np.isfinite(xywh[1]), name
        assert np.all(np.isnan(_reference(name, y_true[:2], y_pred[:2])))


def test_nan_prediction_gives_nan():
    y_true = np.array([[0, 0, 2, 1]] * 2, "float32")
    y_pred = np.array([[0, 0, 1, 1]] * 2, "float32")
    for column in range(4):
        y_pred_nan = y_pred.copy()
        y_pred_nan[1, column] = np.nan
        for name in NAMES:
            loss = numpy(_ours(name, y_true, y_pred_nan))
            assert np.isnan(loss[1]) and np.isfinite(loss[0]), (name, column)


# --- keras-cv's CIoU (keras-team/keras#20780) ---------------------------------


def _keras_cv_ciou_loss(y_true, y_pred):
    """keras-cv's CIoU loss, transcribed in float64, xyxy boxes.

    keras-team/keras-cv: keras_cv/losses/ciou_loss.py (2023, CIoULoss.
    compute_ciou: `v = tf.pow((4 / math.pi**2) * (tf.atan(w2 / h2) -
    tf.atan(w1 / h1)), 2)`), later keras_cv/src/bounding_box/iou.py,
    compute_ciou (`ops.power(...)`, the same formula), whose
    keras_cv/src/losses/ciou_loss.py returns 1 - compute_ciou. eps (1e-7,
    keras.backend.epsilon()) is added to the heights, the union (twice) and
    c^2; the 4 / pi^2 is inside the square, where the paper has it outside.
    """
    eps = 1e-7
    x11, y11, x21, y21 = np.moveaxis(np.asarray(y_true, "float64"), -1, 0)
    x12, y12, x22, y22 = np.moveaxis(np.asarray(y_pred, "float64"), -1, 0)
    w1, h1 = x21 - x11, y21 - y11 + eps
    w2, h2 = x22 - x12, y22 - y12 + eps
    inter = np.maximum(np.minimum(x21, x22) - np.maximum(x11, x12), 0)
    inter *= np.maximum(np.minimum(y21, y22) - np.maximum(y11, y12), 0)
    union = w1 * h1 + w2 * h2 - inter + eps
    iou = inter / (union + eps)
    cw = np.maximum(x21, x22) - np.minimum(x11, x12)
    ch = np.maximum(y21, y22) - np.minimum(y11, y12)
    c2 = cw**2 + ch**2 + eps
    rho2 = ((x11 + x21) / 2 - (x12 + x22) / 2) ** 2
    rho2 += ((y11 + y21) / 2 - (y12 + y22) / 2) ** 2
    v = ((4 / np.pi**2) * (np.arctan(w2 / h2) - np.arctan(w1 / h1))) ** 2
    alpha = v / (v - iou + (1 + eps))
    return 1 - (iou - (rho2 / c2 + v * alpha))


def test_keras_cv_ciou_squares_the_constant():
    # The hand case: A = [0, 0, 2, 1], B = [0, 0, 1, 1]. keras-cv's v is
    # (4/pi^2 atan(1/3))^2 = 0.0170044, 4/pi^2 = 0.405 times the paper's
    # 0.0419565; its alpha v = 0.0170044^2 / (0.5 + 0.0170044) = 0.0005593,
    # loss 0.5505593 against the paper's 0.5532481.
    y_true, y_pred = [[0.0, 0.0, 2.0, 1.0]], [[0.0, 0.0, 1.0, 1.0]]
    np.testing.assert_allclose(
        _keras_cv_ciou_loss(y_true, y_pred), [0.5505593], atol=1e-6
    )
    ours = numpy(
        keras_losses.ciou_loss(y_true, y_pred, bounding_box_format="xyxy")
    )
    np.testing.assert_allclose(ours, [0.5532481], rtol=1e-6)
    # Random non-square boxes: ours is the paper's formula, keras-cv's is
    # not; its aspect term is 4/pi^2 of the paper's squared-difference term.
    target, pred = _random_pairs(np.random.default_rng(6))
    ours = numpy(
        keras_losses.ciou_loss(target, pred, bounding_box_format="xyxy")
    )
    paper = reference.ciou_loss(target, pred, "xyxy")
    theirs = _keras_cv_ciou_loss(target, pred)
    np.testing.assert_allclose(ours, paper, rtol=1e-5, atol=1e-6)
    assert np.max(np.abs(theirs - paper)) > 1e-3
    assert np.all(theirs <= paper + 1e-6)  # a smaller aspect penalty
    # keras-cv's loss is DIoU + v' alpha', v' = 4/pi^2 v, alpha' = v' /
    # ((1 - IoU) + v'), to within its eps.
    pair = reference.box_pair(target, pred, "xyxy")
    v_theirs = 4 / np.pi**2 * pair["v"]
    aspect = v_theirs**2 / ((1 - pair["iou"]) + v_theirs)
    np.testing.assert_allclose(
        theirs - reference.diou_loss(target, pred, "xyxy"), aspect, atol=1e-6
    )
    # On squares (v = 0) the two agree to keras-cv's eps.
    square_true = [[0.0, 0.0, 2.0, 2.0], [0.0, 0.0, 1.0, 1.0]]
    square_pred = [[0.5, 0.5, 1.5, 1.5], [2.0, 1.0, 4.0, 3.0]]
    np.testing.assert_allclose(
        _keras_cv_ciou_loss(square_true, square_pred),
        reference.ciou_loss(square_true, square_pred, "xyxy"),
        atol=1e-6,
    )


# --- Distribution focal loss --------------------------------------------------

# Two shapes throughout (JAX compiles each op once per shape): 4 boxes of
# 4 sides over 3 bins (reg_max 2) for hand values, and (3, 8, 4) boxes over
# 17 bins (reg_max 16, as GFL's and YOLOv8's heads) for random ones.
# reg_max = 2: the distribution S = (0.1, 0.6, 0.3) over the bins 0, 1, 2.
DFL_LOGITS = np.broadcast_to(np.log([0.1, 0.6, 0.3]), (4, 4, 3))
DFL_LOGITS = DFL_LOGITS.astype("float32")
DFL_BINS = 17


def _dfl_random(seed, spread=3.0):
    rng = np.random.default_rng(seed)
    y = rng.uniform(0, DFL_BINS - 1, size=(3, 8, 4))
    y[0, 0] = [0.0, 16.0, 7.0, 15.0]  # both ends, integers
    logits = rng.normal(0, spread, size=(3, 8, 4, DFL_BINS))
    return y.astype("float32"), logits.astype("float32")


def test_distribution_focal_loss_hand_values():
    # One side's loss, reg_max = 2, S = (0.1, 0.6, 0.3):
    # y = 0 (exactly 0): bins 0 and 1, weights 1 and 0: -ln 0.1 = 2.3025851.
    # y = 1 (an integer): bins 1 and 2, weights 1 and 0: -ln 0.6 = 0.5108256.
    # y = 2 = reg_max: bins 1 and 2, weights 0 and 1: -ln 0.3 = 1.2039728.
    # y = 1.25: bins 1 and 2, weights 0.75 and 0.25:
    #   -(0.75 ln 0.6 + 0.25 ln 0.3) = 0.3831192 + 0.3009932 = 0.6841124.
    # A box's loss is the mean over its 4 sides:
    #   sides (0, 0, 0, 0): 2.3025851;
    #   sides (1, 1, 2, 2): (0.5108256 + 1.2039728) / 2 = 0.8573992;
    #   sides (1.25, ...): 0.6841124;
    #   sides (0, 1, 2, 1.25): 4.7014959 / 4 = 1.1753740.
    y = np.array(
        [[0, 0, 0, 0], [1, 1, 2, 2], [1.25] * 4, [0, 1, 2, 1.25]], "float32"
    )
    expected = [2.3025851, 0.8573992, 0.6841124, 1.1753740]
    loss = keras_losses.distribution_focal_loss(y, DFL_LOGITS)
    np.testing.assert_allclose(numpy(loss), expected, rtol=1e-6)
    np.testing.assert_allclose(
        reference.distribution_focal_loss(y, DFL_LOGITS), expected, rtol=1e-7
    )
    # Uniform logits: every target in [0, reg_max] costs ln(bins) = ln 3.
    uniform = keras_losses.distribution_focal_loss(y, 0 * DFL_LOGITS)
    np.testing.assert_allclose(numpy(uniform), [math.log(3)] * 4, rtol=1e-6)


def test_distribution_focal_loss_matches_torch():
    # GFL's formula as PyTorch cross-entropy: CE(S, y_i) (y_i + 1 - y) +
    # CE(S, y_i + 1) (y - y_i), y_i = floor(y), for y in [0, reg_max) (at
    # reg_max, y_i + 1 is past the last bin: see the hand values).
    torch = pytest.importorskip("torch")
    y, logits = _dfl_random(7)
    y[0, 0, 1] = 3.0  # not reg_max here
    flat_logits = torch.tensor(logits, dtype=torch.float64)
    flat_logits = flat_logits.reshape(-1, DFL_BINS)
    flat_y = torch.tensor(y, dtype=torch.float64).reshape(-1)
    left = flat_y.floor().long()
    right = left + 1
    cross_entropy = torch.nn.functional.cross_entropy
    side = cross_entropy(flat_logits, left, reduction="none") * (
        right - flat_y
    ) + cross_entropy(flat_logits, right, reduction="none") * (flat_y - left)
    expected = side.reshape(y.shape).mean(dim=-1).numpy()
    assert_close(
        numpy(keras_losses.distribution_focal_loss(y, logits)),
        expected,
        rtol=1e-6,
        atol=1e-6,
        reference="torch cross_entropy (GFL's DFL)",
    )
    assert_close(
        reference.distribution_focal_loss(y, logits),
        expected,
        rtol=1e-12,
        atol=1e-12,
        reference="reference.distribution_focal_loss vs torch",
    )


def test_distribution_focal_loss_out_of_range_target_is_nan():
    # reg_max = 2: -0.1, 2.1, 100 and NaN are bad labels; 0 and 2 are not.
    # (A NaN target once made TensorFlow's gather raise on a bad index.)
    y = np.array(
        [[-0.1, 1, 1, 1], [1, 1, np.nan, 2.1], [1, 1, 100, 1], [0, 1, 2, 1.5]],
        "float32",
    )
    for loss in (
        keras_losses.distribution_focal_loss(y, DFL_LOGITS),
        keras_losses.DistributionFocalLoss(reduction=None)(y, DFL_LOGITS),
    ):
        loss = numpy(loss)
        assert np.all(np.isnan(loss[:3])) and np.isfinite(loss[3])
    reference_loss = reference.distribution_focal_loss(y, DFL_LOGITS)
    assert np.all(np.isnan(reference_loss[:3]))
    # NaN logits give NaN (contract point 13).
    logits = DFL_LOGITS.copy()
    logits[3, 0, 1] = np.nan
    loss = numpy(keras_losses.distribution_focal_loss(y, logits))
    assert np.isnan(loss[3])


def test_distribution_focal_loss_extreme_logits():
    # Logits anywhere in [-1e4, 1e4] (contract point 7): the loss and its
    # gradient are finite and match float64 (the gradient: (S - target) /
    # sides, with target GFL's two-bin distribution).
    y, _ = _dfl_random(8)
    rng = np.random.default_rng(8)
    logits = rng.uniform(-1e4, 1e4, size=(3, 8, 4, DFL_BINS))
    logits[1, 1, 2] = np.linspace(-1e4, 1e4, DFL_BINS)
    logits[1, 1, 3] = 1e4 * np.sign(np.arange(DFL_BINS) % 2 - 0.5)  # ties
    logits = logits.astype("float32")
    loss = numpy(keras_losses.distribution_focal_loss(y, logits))
    assert np.all(np.isfinite(loss))
    assert_close(
        loss,
        reference.distribution_focal_loss(y, logits),
        rtol=1e-5,
        atol=1e-6,
        reference="reference.distribution_focal_loss (logits to 1e4)",
    )
    _, grad = value_and_grad(
        lambda x: keras.ops.sum(keras_losses.distribution_focal_loss(y, x)),
        logits,
    )
    expected = reference.distribution_focal_loss_gradient(y, logits)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-7)
    assert np.all(grad[np.abs(expected) > 1e-30] != 0)


def test_distribution_focal_loss_gradient_matches_finite_differences():
    y, logits = _dfl_random(9, spread=2.0)
    y, logits = y.astype("float64"), logits.astype("float64")
    _, grad = value_and_grad(
        lambda x: keras.ops.sum(keras_losses.distribution_focal_loss(y, x)),
        logits,
    )
    expected = finite_difference(
        lambda x: reference.distribution_focal_loss(y, x), logits
    )
    np.testing.assert_allclose(
        expected,
        reference.distribution_focal_loss_gradient(y, logits),
        atol=1e-8,
    )
    assert_close(
        grad,
        expected,
        rtol=_gradient_tolerance(),
        atol=1e-6,
        reference="finite differences (float64), boxes",
        case="distribution_focal_loss",
    )


@pytest.mark.parametrize(
    "true_shape, pred_shape, names",
    [
        # No bins axis.
        ((2, 4), (2, 4), ["y_true.shape=(2, 4)", "y_pred.shape=(2, 4)"]),
        # A bins axis, but sides that do not match y_true's.
        ((2, 4), (2, 3, 8), ["y_true.shape=(2, 4)", "y_pred.shape=(2, 3, 8)"]),
        # Two extra axes.
        ((2, 4), (2, 4, 8, 1), ["y_true.shape=(2, 4)", "(2, 4, 8, 1)"]),
        # One bin: reg_max 0 leaves no pair of bins.
        ((2, 4), (2, 4, 1), ["y_pred.shape=(2, 4, 1)", "2 bins"]),
    ],
)
def test_distribution_focal_loss_bad_shapes(true_shape, pred_shape, names):
    y_true = np.zeros(true_shape, "float32")
    y_pred = np.zeros(pred_shape, "float32")
    for fn in (
        keras_losses.distribution_focal_loss,
        keras_losses.DistributionFocalLoss(),
    ):
        with pytest.raises(ValueError) as error:
            fn(y_true, y_pred)
        for name in names:
            assert name in str(error.value), (name, str(error.value))


# --- Classes ------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_per_anchor_sample_weight(reduction):
    # Boxes (N, A, 4) = (3, 8, 4) and a 0/1 weight per anchor (N, A): the
    # reduced loss is the reference's per-box loss reduced by hand.
    target, pred = _random_pairs(np.random.default_rng(10))
    weights = np.zeros((3, 8), "float32")
    weights[:, ::3] = 1.0
    weights[1, 1] = 1.0
    for name in NAMES:
        cls, kwargs = CLASSES[name]
        for fmt in ("xyxy", "center_xywh"):
            y_true = reference.boxes_in_format(target, fmt).astype("float32")
            y_pred = reference.boxes_in_format(pred, fmt).astype("float32")
            loss = cls(fmt, reduction=reduction, **kwargs)
            actual = numpy(loss(y_true, y_pred, sample_weight=weights))
            expected = reference.reduce(
                _reference(name, y_true, y_pred, fmt), reduction, weights
            )
            assert_close(
                actual,
                expected,
                rtol=1e-5,
                atol=1e-6,
                reference=f"reference.{name} reduced",
                case=f"{fmt} {reduction}",
            )
    y, logits = _dfl_random(10)
    loss = keras_losses.DistributionFocalLoss(reduction=reduction)
    assert_close(
        numpy(loss(y, logits, sample_weight=weights)),
        reference.reduce(
            reference.distribution_focal_loss(y, logits), reduction, weights
        ),
        rtol=1e-5,
        atol=1e-6,
        reference="reference.distribution_focal_loss reduced",
        case=str(reduction),
    )


def test_bounding_box_format_is_case_insensitive():
    target, pred = _random_pairs(np.random.default_rng(11))
    for name in NAMES:
        cls, kwargs = CLASSES[name]
        for fmt, spelled in (("xyxy", "XYXY"), ("center_yxhw", "Center_YXHW")):
            y_true = reference.boxes_in_format(target, fmt).astype("float32")
            y_pred = reference.boxes_in_format(pred, fmt).astype("float32")
            loss = cls(spelled, reduction=None, **kwargs)
            config = loss.get_config()
            assert config["bounding_box_format"] == fmt
            assert loss.bounding_box_format == fmt
            rebuilt = cls.from_config(config)
            lower = cls(fmt, reduction=None, **kwargs)
            for each in (loss, rebuilt):
                np.testing.assert_array_equal(
                    numpy(each(y_true, y_pred)), numpy(lower(y_true, y_pred))
                )


def test_function_bounding_box_format_is_case_insensitive():
    # The functions document "bounding_box_format: How the 4 numbers
    # describe a box (any case)", as the classes are. FAILS with box.py at
    # e37982a: each function calls validate(fn, locals()) but ignores the
    # lower-cased value it returns, and _box() reads any unknown spelling
    # as "center_yxhw" (its final else). [0, 0, 1, 1] against [-1, -1, 1,
    # 1]: giou_loss(..., bounding_box_format="XYXY") gives 1.5, not 0.75.
    y_true, y_pred = [[0.0, 0.0, 1.0, 1.0]], [[-1.0, -1.0, 1.0, 1.0]]
    for name in NAMES:
        for fmt, spelled in (("xyxy", "XYXY"), ("center_xywh", "Center_XYWH")):
            t = reference.boxes_in_format(y_true, fmt).astype("float32")
            p = reference.boxes_in_format(y_pred, fmt).astype("float32")
            np.testing.assert_allclose(
                numpy(_ours(name, t, p, spelled)),
                numpy(_ours(name, t, p, fmt)),
                rtol=1e-6,
                err_msg=f"{name} {spelled}",
            )


@pytest.mark.parametrize("bad", ["xyz", "rel_xyxy", "", None, 4])
def test_bad_bounding_box_format(bad):
    message = "`bounding_box_format` must be one of .*Received: "
    message += f"bounding_box_format={re.escape(repr(bad))}"
    for name in NAMES:
        cls, kwargs = CLASSES[name]
        with pytest.raises(ValueError, match=message):
            cls(bad, **kwargs)
        with pytest.raises(ValueError, match=message):
            _ours(name, [[0.0, 0.0, 1.0, 1.0]], [[0.0, 0.0, 1.0, 1.0]], bad)


@pytest.mark.parametrize("bad", ["sqrt", "LINEAR", "", None, 1])
def test_bad_iou_mode(bad):
    message = f"`mode` must be one of .*Received: mode={re.escape(repr(bad))}"
    with pytest.raises(ValueError, match=message):
        keras_losses.IoULoss("xyxy", mode=bad)
    with pytest.raises(ValueError, match=message):
        keras_losses.iou_loss(
            [[0.0, 0.0, 1.0, 1.0]],
            [[0.0, 0.0, 1.0, 1.0]],
            bounding_box_format="xyxy",
            mode=bad,
        )


@pytest.mark.parametrize(
    "true_shape, pred_shape",
    [
        ((2, 3), (2, 3)),
        ((2, 5), (2, 5)),
        ((2, 4), (2, 5)),
        ((3, 2, 4), (3, 2, 2)),
    ],
)
def test_boxes_need_four_coordinates(true_shape, pred_shape):
    y_true = np.zeros(true_shape, "float32")
    y_pred = np.zeros(pred_shape, "float32")
    for name in NAMES:
        cls, kwargs = CLASSES[name]
        for fn in (
            lambda t, p, name=name: _ours(name, t, p),
            cls("xyxy", **kwargs),
        ):
            with pytest.raises(ValueError) as error:
                fn(y_true, y_pred)
            message = str(error.value)
            assert f"y_true.shape={true_shape}" in message, message
            assert f"y_pred.shape={pred_shape}" in message, message


def test_loss_shape_is_one_per_box():
    target, pred = _random_pairs(np.random.default_rng(12))
    for name in NAMES:
        cls, kwargs = CLASSES[name]
        loss = cls("xyxy", reduction=None, **kwargs)(target, pred)
        assert tuple(loss.shape) == (3, 8)
        assert tuple(_ours(name, target[0, :1], pred[0, :1]).shape) == (1,)
