"""The loss a user would reach for instead of ours, as a callable.

Keras built-ins where Keras has the loss. Where it does not, a plain
`keras.ops` transcription of the published formula, written the way a user
would write a custom loss: a `keras.losses.Loss` whose `call` returns the
mean over the last axis, which Keras then reduces over the batch, as it does
ours. The segmentation ones build `one_hot(labels)` and return the loss of
each set (each image and class for `axis=(1, 2)`, as ours does), which Keras
averages. The IoU losses' are torchvision's formulas (`box_iou_loss`s) on
xyxy boxes, each denominator plus an `eps` of 1e-7, and the distribution
focal loss's is mmdetection's two cross-entropies, through `log_softmax` and
`take_along_axis`. Each factory takes the row's `Case.options`, the
hyperparameters ours gets.

The metric-learning references follow TF Addons' algorithms
(tensorflow_addons/losses/{triplet,lifted,npairs,contrastive,
metric_learning}.py) step by step in `keras.ops`: its pairwise distances
(`|a|^2 + |b|^2 - 2 a.b`, clamped, the diagonal zeroed), its masked
maximum / minimum (shift by the row's extreme, multiply by the 0/1 mask),
the semi-hard triplet loss's `B^2 x B` tiled distances and mask and the
lifted structured loss's `B^2 x B` tiled log-sum-exp. The supervised
contrastive one is Khosla et al.'s `SupConLoss` (one view, labels; the
features L2-normalised first, as their model's head does) and NT-Xent
keras-cv's `SimCLRLoss`, halved: keras-cv sums the two directions, ours
averages them.
"""

import math

import keras
from keras import ops


class Transcription(keras.losses.Loss):
    def __init__(self, per_element):
        super().__init__()
        self.per_element = per_element

    def call(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.cast(y_true, y_pred.dtype)
        return ops.mean(self.per_element(y_true - y_pred), axis=-1)


def _mean_loss(per_element):
    return Transcription(per_element)


def _smooth_l1(beta=1.0):
    # PyTorch's smooth_l1_loss: 0.5 d^2 / beta below beta, |d| - beta/2 above
    def per_element(error):
        d = ops.abs(error)
        return ops.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)

    return _mean_loss(per_element)


def _balanced_l1(alpha=0.5, gamma=1.5):
    # Pang et al., "Libra R-CNN", CVPR 2019, eq. 8-9 with beta = 1 and
    # b = e^(gamma / alpha) - 1
    b = math.exp(gamma / alpha) - 1.0

    def per_element(error):
        d = ops.abs(error)
        small = alpha / b * (b * d + 1.0) * ops.log(b * d + 1.0) - alpha * d
        large = gamma * d + gamma / b - alpha
        return ops.where(d < 1.0, small, large)

    return _mean_loss(per_element)


def _pinball(tau=0.5):
    # Koenker's check function: tau * d for d >= 0, (tau - 1) * d below
    def per_element(error):
        return ops.maximum(tau * error, (tau - 1.0) * error)

    return _mean_loss(per_element)


def _one_hot_focal():
    focal = keras.losses.CategoricalFocalCrossentropy(from_logits=True)

    def loss(labels, logits):
        classes = logits.shape[-1]
        return focal(ops.one_hot(labels, classes, dtype=logits.dtype), logits)

    return loss


def _keras(name):
    return lambda: getattr(keras.losses, name)(from_logits=True)


class _SetTranscription(keras.losses.Loss):
    """A segmentation loss of logits written on `one_hot(labels)`."""

    def __init__(self, loss, **options):
        # The class's own name is no valid TensorFlow scope name.
        super().__init__(name=loss.__name__.strip("_"))
        self.loss = loss
        self.options = options

    def call(self, labels, logits):
        one_hot = ops.one_hot(labels, logits.shape[-1], dtype=logits.dtype)
        return self.loss(one_hot, ops.softmax(logits), **self.options)


def _statistics(one_hot, p, axis):
    tp = ops.sum(one_hot * p, axis=axis)
    return tp, ops.sum(one_hot, axis=axis), ops.sum(p, axis=axis)


def _dice(one_hot, p, axis, smooth_nr=1e-7, smooth_dr=1e-7):
    tp, true_sum, pred_sum = _statistics(one_hot, p, axis)
    return 1.0 - (2.0 * tp + smooth_nr) / (true_sum + pred_sum + smooth_dr)


def _jaccard(one_hot, p, axis, smooth_nr=1e-7, smooth_dr=1e-7):
    tp, true_sum, pred_sum = _statistics(one_hot, p, axis)
    union = true_sum + pred_sum - tp
    return 1.0 - (tp + smooth_nr) / (union + smooth_dr)


def _tversky(one_hot, p, axis, alpha, beta, smooth_nr=1e-7, smooth_dr=1e-7):
    # alpha weights false positives, beta false negatives (Salehi et al.)
    tp, true_sum, pred_sum = _statistics(one_hot, p, axis)
    denominator = tp + alpha * (pred_sum - tp) + beta * (true_sum - tp)
    return 1.0 - (tp + smooth_nr) / (denominator + smooth_dr)


def _focal_tversky(one_hot, p, axis, alpha, beta, gamma):
    # Abraham and Khan: the Tversky loss to the power gamma
    return ops.power(_tversky(one_hot, p, axis, alpha, beta), gamma)


def _generalized_dice(
    one_hot, p, axis, weighting, smooth_nr=1e-7, smooth_dr=1e-7
):
    # Sudre et al., weights 1 / count ** 2; an absent class (infinite
    # weight) gets the largest weight of its set, as MONAI's GeneralizedDiceLoss
    if weighting != "square":
        raise ValueError(f"only weighting='square'. Received: {weighting!r}")
    tp, true_sum, pred_sum = _statistics(one_hot, p, axis)
    weight = 1.0 / ops.square(true_sum)
    absent = ops.isinf(weight)
    weight = ops.where(absent, 0.0, weight)
    weight = ops.where(absent, ops.max(weight, axis=-1, keepdims=True), weight)
    numerator = 2.0 * ops.sum(weight * tp, axis=-1)
    denominator = ops.sum(weight * (true_sum + pred_sum), axis=-1)
    return 1.0 - (numerator + smooth_nr) / (denominator + smooth_dr)


def _lovasz_gradient(fg_sorted):
    # Berman et al.'s lovasz_grad, along the last axis
    true_count = ops.sum(fg_sorted, axis=-1, keepdims=True)
    intersection = true_count - ops.cumsum(fg_sorted, axis=-1)
    union = true_count + ops.cumsum(1.0 - fg_sorted, axis=-1)
    jaccard = 1.0 - intersection / union
    return ops.concatenate(
        [jaccard[..., :1], jaccard[..., 1:] - jaccard[..., :-1]], axis=-1
    )


def _lovasz_softmax(one_hot, p, axis):
    # Berman et al.'s lovasz_softmax(per_image=True, classes="present"): per
    # image and class, errors |fg - p| sorted in decreasing order, dotted
    # with the Lovasz gradient; the mean over the classes present.
    if tuple(axis) != (1, 2):
        raise ValueError(f"only axis=(1, 2). Received: {axis!r}")
    batch, classes = p.shape[0], p.shape[-1]
    fg = ops.transpose(ops.reshape(one_hot, (batch, -1, classes)), (0, 2, 1))
    p = ops.transpose(ops.reshape(p, (batch, -1, classes)), (0, 2, 1))
    errors = ops.abs(fg - p)
    order = ops.argsort(-errors, axis=-1)
    errors_sorted = ops.take_along_axis(errors, order, axis=-1)
    fg_sorted = ops.take_along_axis(fg, order, axis=-1)
    losses = ops.sum(errors_sorted * _lovasz_gradient(fg_sorted), axis=-1)
    present = ops.cast(ops.sum(fg, axis=-1) > 0, p.dtype)
    count = ops.sum(present, axis=-1)
    return ops.sum(losses * present, axis=-1) / ops.maximum(count, 1.0)


def _transcription(loss):
    return lambda **options: _SetTranscription(loss, **options)


class _DenseSetTranscription(_SetTranscription):
    """The same on labels the user already holds as one-hot (or soft)."""

    def call(self, one_hot, logits):
        return self.loss(one_hot, ops.softmax(logits), **self.options)


def _dense_transcription(loss):
    # `class_axis=-1` tells ours where the classes are; the transcription
    # takes them last.
    def make(class_axis, **options):
        if class_axis != -1:
            raise ValueError(f"only class_axis=-1. Received: {class_axis!r}")
        return _DenseSetTranscription(loss, **options)

    return make


class _LovaszHinge(keras.losses.Loss):
    """Berman et al.'s lovasz_hinge on 0/1 labels and logits, one set per
    row (the last axis): hinge errors sorted in decreasing order, their
    positive parts dotted with the Lovasz gradient."""

    def __init__(self, axis):
        if axis != -1:
            raise ValueError(f"only axis=-1. Received: {axis!r}")
        super().__init__(name="lovasz_hinge")

    def call(self, labels, logits):
        labels = ops.cast(labels, logits.dtype)
        errors = 1.0 - logits * (2.0 * labels - 1.0)
        order = ops.argsort(-errors, axis=-1)
        errors_sorted = ops.take_along_axis(errors, order, axis=-1)
        fg_sorted = ops.take_along_axis(labels, order, axis=-1)
        gradient = _lovasz_gradient(fg_sorted)
        return ops.sum(ops.relu(errors_sorted) * gradient, axis=-1)


class _DiceCrossentropy(keras.losses.Loss):
    """Dice per image and class + sparse cross-entropy, averaged per image:
    the loss users write as a lambda, here as a Loss (no lambda to save)."""

    def __init__(self, axis):
        super().__init__(name="dice_crossentropy")
        self.axis = axis

    def call(self, labels, logits):
        one_hot = ops.one_hot(labels, logits.shape[-1], dtype=logits.dtype)
        dice = _dice(one_hot, ops.softmax(logits), self.axis)
        crossentropy = keras.losses.sparse_categorical_crossentropy(
            labels, logits, from_logits=True
        )
        return ops.mean(dice, axis=-1) + ops.mean(crossentropy, axis=(1, 2))


def _dice_crossentropy(losses):
    (dice, dice_options), (crossentropy, _) = losses
    if (dice, crossentropy) != ("SparseDice", "SparseCategoricalCrossentropy"):
        raise ValueError("only SparseDice + SparseCategoricalCrossentropy")
    return _DiceCrossentropy(**dice_options)


def _keras_tversky(alpha, beta, axis):
    # Keras 3.15.1's code weights false negatives by `alpha` (its docstring
    # says false positives): find which one this Keras weights.
    probe = keras.losses.tversky([[1.0, 0.0]], [[0.5, 0.0]], alpha=1, beta=0)
    swapped = float(ops.convert_to_numpy(probe)) > 0.25  # 0.5 swapped, else 0
    if swapped:
        alpha, beta = beta, alpha
    return keras.losses.Tversky(alpha=alpha, beta=beta, axis=axis)


def _corners(boxes):
    return ops.unstack(boxes, num=4, axis=-1)


def _inter_union(true, pred):
    # torchvision's _loss_inter_union: the overlap clamped at 0 (its masked
    # assignment), the union of the two areas
    x1, y1, x2, y2 = _corners(pred)
    x1g, y1g, x2g, y2g = _corners(true)
    overlap_w = ops.maximum(ops.minimum(x2, x2g) - ops.maximum(x1, x1g), 0.0)
    overlap_h = ops.maximum(ops.minimum(y2, y2g) - ops.maximum(y1, y1g), 0.0)
    intersection = overlap_w * overlap_h
    union = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - intersection
    return intersection, union


def _enclosing(true, pred):
    x1, y1, x2, y2 = _corners(pred)
    x1g, y1g, x2g, y2g = _corners(true)
    width = ops.maximum(x2, x2g) - ops.minimum(x1, x1g)
    height = ops.maximum(y2, y2g) - ops.minimum(y1, y1g)
    return width, height


def _iou(true, pred, mode, eps=1e-7):
    # UnitBox's -log(IoU), made finite for disjoint boxes by the eps
    intersection, union = _inter_union(true, pred)
    iou = intersection / (union + eps)
    if mode == "linear":
        return 1.0 - iou
    if mode == "log":
        return -ops.log((iou + eps) / (1.0 + eps))
    raise ValueError(f"only mode='linear' or 'log'. Received: {mode!r}")


def _giou(true, pred, eps=1e-7):
    # torchvision's generalized_box_iou_loss
    intersection, union = _inter_union(true, pred)
    iou = intersection / (union + eps)
    width, height = _enclosing(true, pred)
    area_c = width * height
    return 1.0 - iou + (area_c - union) / (area_c + eps)


def _diou_iou(true, pred, eps=1e-7):
    # torchvision's _diou_iou_loss
    intersection, union = _inter_union(true, pred)
    iou = intersection / (union + eps)
    width, height = _enclosing(true, pred)
    diagonal = width**2 + height**2 + eps
    x1, y1, x2, y2 = _corners(pred)
    x1g, y1g, x2g, y2g = _corners(true)
    dx = (x2 + x1) / 2 - (x1g + x2g) / 2
    dy = (y2 + y1) / 2 - (y1g + y2g) / 2
    return 1.0 - iou + (dx**2 + dy**2) / diagonal, iou


def _diou(true, pred):
    return _diou_iou(true, pred)[0]


def _ciou(true, pred, eps=1e-7):
    # torchvision's complete_box_iou_loss: alpha without a gradient
    diou, iou = _diou_iou(true, pred, eps)
    x1, y1, x2, y2 = _corners(pred)
    x1g, y1g, x2g, y2g = _corners(true)
    angle_true = ops.arctan((x2g - x1g) / (y2g - y1g))
    angle_pred = ops.arctan((x2 - x1) / (y2 - y1))
    v = (4 / math.pi**2) * (angle_true - angle_pred) ** 2
    alpha = ops.stop_gradient(v / (1.0 - iou + v + eps))
    return diou + alpha * v


class _BoxTranscription(keras.losses.Loss):
    """A torchvision-style IoU loss of xyxy boxes: one loss per box."""

    def __init__(self, loss, bounding_box_format, **options):
        if bounding_box_format != "xyxy":
            raise ValueError(
                f"only bounding_box_format='xyxy'. Received: "
                f"{bounding_box_format!r}"
            )
        super().__init__(name=loss.__name__.strip("_"))
        self.loss = loss
        self.options = options

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, y_pred.dtype)
        return self.loss(y_true, y_pred, **self.options)


def _box_transcription(loss):
    return lambda **options: _BoxTranscription(loss, **options)


class _DistributionFocal(keras.losses.Loss):
    """GFL's distribution focal loss (eq. 6) as mmdet writes it, in keras.ops:
    the cross-entropy against the two nearest bins, weighted by closeness
    (log_softmax and take_along_axis), the mean over the sides of a box."""

    def __init__(self):
        super().__init__(name="distribution_focal")

    def call(self, y_true, logits):
        y_true = ops.cast(y_true, logits.dtype)
        left = ops.floor(y_true)
        weight_left = left + 1.0 - y_true
        weight_right = y_true - left
        left = ops.expand_dims(ops.cast(left, "int32"), -1)
        log_probs = ops.log_softmax(logits, axis=-1)
        log_left = ops.take_along_axis(log_probs, left, axis=-1)[..., 0]
        log_right = ops.take_along_axis(log_probs, left + 1, axis=-1)[..., 0]
        loss = -(weight_left * log_left + weight_right * log_right)
        return ops.mean(loss, axis=-1)


class _Asymmetric(keras.losses.Loss):
    """Ridnik et al.'s asymmetric loss (eq. 1-6) of logits, as a user writes
    it: `log_sigmoid` for the positives, the shifted probability
    `p_m = max(p - clip, 0)` and `log(1 - p_m)` for the negatives; the mean
    over the labels."""

    def __init__(self, gamma_pos=0.0, gamma_neg=4.0, clip=0.05):
        super().__init__(name="asymmetric")
        self.gamma_pos, self.gamma_neg, self.clip = gamma_pos, gamma_neg, clip

    def call(self, y_true, logits):
        y_true = ops.cast(y_true, logits.dtype)
        p = ops.sigmoid(logits)
        positive = -ops.power(1.0 - p, self.gamma_pos) * ops.log_sigmoid(logits)
        shifted = ops.maximum(p - self.clip, 0.0)
        negative = -ops.power(shifted, self.gamma_neg) * ops.log(1.0 - shifted)
        loss = y_true * positive + (1.0 - y_true) * negative
        return ops.mean(loss, axis=-1)


class _BinaryPoly1(keras.losses.Loss):
    """Leng et al.'s Poly-1 on sigmoids: Keras's binary cross-entropy (the
    mean over the labels) + epsilon * the mean of `1 - p_t`."""

    def __init__(self, epsilon=1.0):
        super().__init__(name="binary_poly1")
        self.epsilon = epsilon

    def call(self, y_true, logits):
        y_true = ops.cast(y_true, logits.dtype)
        p = ops.sigmoid(logits)
        p_t = y_true * p + (1.0 - y_true) * (1.0 - p)
        bce = keras.losses.binary_crossentropy(y_true, logits, from_logits=True)
        return bce + self.epsilon * ops.mean(1.0 - p_t, axis=-1)


class _CategoricalPoly1(keras.losses.Loss):
    """Leng et al.'s Poly-1 (their listing): Keras's categorical
    cross-entropy + epsilon * (1 - sum(labels * softmax))."""

    def __init__(self, epsilon=1.0):
        super().__init__(name="categorical_poly1")
        self.epsilon = epsilon

    def call(self, y_true, logits):
        y_true = ops.cast(y_true, logits.dtype)
        p_t = ops.sum(y_true * ops.softmax(logits), axis=-1)
        ce = keras.losses.categorical_crossentropy(
            y_true, logits, from_logits=True
        )
        return ce + self.epsilon * (1.0 - p_t)


class _SparsePoly1(keras.losses.Loss):
    """The same on integer labels: `ops.sparse_categorical_crossentropy` and
    `p_t` through `one_hot(labels)`."""

    def __init__(self, epsilon=1.0):
        super().__init__(name="sparse_poly1")
        self.epsilon = epsilon

    def call(self, labels, logits):
        one_hot = ops.one_hot(labels, logits.shape[-1], dtype=logits.dtype)
        p_t = ops.sum(one_hot * ops.softmax(logits), axis=-1)
        ce = ops.sparse_categorical_crossentropy(
            labels, logits, from_logits=True
        )
        return ce + self.epsilon * (1.0 - p_t)


class _QualityFocal(keras.losses.Loss):
    """GFL's quality focal loss (eq. 5) as mmdet writes it: the elementwise
    binary cross-entropy of logits times `|y - sigmoid(x)| ** beta`; the
    mean over the classes."""

    def __init__(self, beta=2.0):
        super().__init__(name="quality_focal")
        self.beta = beta

    def call(self, y_true, logits):
        y_true = ops.cast(y_true, logits.dtype)
        scale = ops.power(ops.abs(y_true - ops.sigmoid(logits)), self.beta)
        bce = ops.binary_crossentropy(y_true, logits, from_logits=True)
        return ops.mean(bce * scale, axis=-1)


class _Varifocal(keras.losses.Loss):
    """VarifocalNet's loss (eq. 2) as mmdet writes it: the elementwise binary
    cross-entropy of logits weighted by the target where it is > 0, by
    `alpha * |p - y| ** gamma` elsewhere; the mean over the classes."""

    def __init__(self, alpha=0.75, gamma=2.0):
        super().__init__(name="varifocal")
        self.alpha, self.gamma = alpha, gamma

    def call(self, y_true, logits):
        y_true = ops.cast(y_true, logits.dtype)
        p = ops.sigmoid(logits)
        negative = self.alpha * ops.power(ops.abs(p - y_true), self.gamma)
        weight = ops.where(y_true > 0, y_true, negative)
        bce = ops.binary_crossentropy(y_true, logits, from_logits=True)
        return ops.mean(bce * weight, axis=-1)


def _eye(batch, dtype="float32"):
    return ops.eye(batch, dtype=dtype)


def _tfa_pairwise_distance(x, squared=False):
    # TF Addons' metric_learning.pairwise_distance
    squares = ops.sum(ops.square(x), axis=1, keepdims=True)
    distances_squared = (
        squares + ops.transpose(squares) - 2.0 * ops.matmul(x, ops.transpose(x))
    )
    distances_squared = ops.maximum(distances_squared, 0.0)
    error_mask = ops.less_equal(distances_squared, 0.0)
    if squared:
        distances = distances_squared
    else:
        distances = ops.sqrt(
            distances_squared + ops.cast(error_mask, x.dtype) * 1e-16
        )
    distances = distances * ops.cast(ops.logical_not(error_mask), x.dtype)
    return distances * (1.0 - _eye(x.shape[0], x.dtype))


def _tfa_masked_maximum(data, mask):
    # TF Addons' _masked_maximum: mask is 0/1 float, the result (n, 1)
    minimums = ops.min(data, axis=1, keepdims=True)
    return ops.max((data - minimums) * mask, axis=1, keepdims=True) + minimums


def _tfa_masked_minimum(data, mask):
    maximums = ops.max(data, axis=1, keepdims=True)
    return ops.min((data - maximums) * mask, axis=1, keepdims=True) + maximums


def _adjacency(labels):
    labels = ops.reshape(labels, (-1, 1))
    return ops.equal(labels, ops.transpose(labels))


class _TripletSemiHard(keras.losses.Loss):
    """TF Addons' triplet_semihard_loss (L2): every (anchor, positive)
    pair's mask of the negatives farther than the positive, through the
    distances tiled `B` times (`B^2 x B`), its masked minimum, and the
    anchor's masked maximum where the mask is empty; the mean over the
    positive pairs of the hinge."""

    def __init__(self, margin=1.0):
        super().__init__(name="tfa_triplet_semihard")
        self.margin = margin

    def call(self, labels, embeddings):
        batch = embeddings.shape[0]
        pdist = _tfa_pairwise_distance(embeddings)
        adjacency = _adjacency(labels)
        adjacency_not = ops.logical_not(adjacency)
        pdist_tile = ops.tile(pdist, (batch, 1))
        mask = ops.logical_and(
            ops.tile(adjacency_not, (batch, 1)),
            ops.greater(pdist_tile, ops.reshape(ops.transpose(pdist), (-1, 1))),
        )
        mask_final = ops.reshape(
            ops.sum(ops.cast(mask, "float32"), axis=1, keepdims=True) > 0.0,
            (batch, batch),
        )
        mask_final = ops.transpose(mask_final)
        adjacency_not = ops.cast(adjacency_not, "float32")
        mask = ops.cast(mask, "float32")
        negatives_outside = ops.transpose(
            ops.reshape(_tfa_masked_minimum(pdist_tile, mask), (batch, batch))
        )
        negatives_inside = ops.tile(
            _tfa_masked_maximum(pdist, adjacency_not), (1, batch)
        )
        semi_hard = ops.where(mask_final, negatives_outside, negatives_inside)
        loss_mat = self.margin + pdist - semi_hard
        mask_positives = ops.cast(adjacency, "float32") - _eye(batch)
        total = ops.sum(ops.maximum(loss_mat * mask_positives, 0.0))
        return total / ops.sum(mask_positives)


class _TripletHard(keras.losses.Loss):
    """TF Addons' triplet_hard_loss (L2, hinge): each anchor's masked
    maximum over its positives and masked minimum over its negatives."""

    def __init__(self, margin=1.0):
        super().__init__(name="tfa_triplet_hard")
        self.margin = margin

    def call(self, labels, embeddings):
        batch = embeddings.shape[0]
        pdist = _tfa_pairwise_distance(embeddings)
        adjacency = _adjacency(labels)
        adjacency_not = ops.cast(ops.logical_not(adjacency), "float32")
        hard_negatives = _tfa_masked_minimum(pdist, adjacency_not)
        mask_positives = ops.cast(adjacency, "float32") - _eye(batch)
        hard_positives = _tfa_masked_maximum(pdist, mask_positives)
        loss = ops.maximum(hard_positives - hard_negatives + self.margin, 0.0)
        return ops.mean(loss)


class _LiftedStruct(keras.losses.Loss):
    """TF Addons' lifted_struct_loss: the log-sum-exp over each positive
    pair's negatives through `margin - D` tiled `B` times (`B^2 x B`),
    shifted by the larger of the two rows' masked maxima."""

    def __init__(self, margin=1.0):
        super().__init__(name="tfa_lifted_struct")
        self.margin = margin

    def call(self, labels, embeddings):
        batch = embeddings.shape[0]
        pdist = _tfa_pairwise_distance(embeddings)
        adjacency = _adjacency(labels)
        diff = self.margin - pdist
        mask = ops.cast(ops.logical_not(adjacency), "float32")
        row_minimums = ops.min(diff, axis=1, keepdims=True)
        row_negative_maximums = (
            ops.max((diff - row_minimums) * mask, axis=1, keepdims=True)
            + row_minimums
        )
        max_elements = ops.maximum(
            row_negative_maximums, ops.transpose(row_negative_maximums)
        )
        diff_tiled = ops.tile(diff, (batch, 1))
        mask_tiled = ops.tile(mask, (batch, 1))
        max_elements_vect = ops.reshape(ops.transpose(max_elements), (-1, 1))
        loss_exp_left = ops.reshape(
            ops.sum(
                ops.exp(diff_tiled - max_elements_vect) * mask_tiled,
                axis=1,
                keepdims=True,
            ),
            (batch, batch),
        )
        loss_mat = max_elements + ops.log(
            loss_exp_left + ops.transpose(loss_exp_left)
        )
        loss_mat = loss_mat + pdist
        mask_positives = ops.cast(adjacency, "float32") - _eye(batch)
        num_positives = ops.sum(mask_positives) / 2.0
        hinge = ops.square(ops.maximum(loss_mat * mask_positives, 0.0))
        return 0.25 * ops.sum(hinge) / num_positives


class _Npairs(keras.losses.Loss):
    """TF Addons' npairs_loss: softmax cross-entropy of each similarity row
    against its row of label equality, normalised to sum 1."""

    def __init__(self):
        super().__init__(name="tfa_npairs")

    def call(self, labels, similarities):
        targets = ops.cast(_adjacency(labels), similarities.dtype)
        targets = targets / ops.sum(targets, axis=1, keepdims=True)
        loss = ops.categorical_crossentropy(
            targets, similarities, from_logits=True
        )
        return ops.mean(loss)


class _NpairsMultilabel(keras.losses.Loss):
    """TF Addons' npairs_multilabel_loss: the targets `Y Y^T`, normalised."""

    def __init__(self):
        super().__init__(name="tfa_npairs_multilabel")

    def call(self, multi_hot, similarities):
        multi_hot = ops.cast(multi_hot, similarities.dtype)
        targets = ops.matmul(multi_hot, ops.transpose(multi_hot))
        targets = targets / ops.sum(targets, axis=1, keepdims=True)
        loss = ops.categorical_crossentropy(
            targets, similarities, from_logits=True
        )
        return ops.mean(loss)


class _Contrastive(keras.losses.Loss):
    """TF Addons' contrastive_loss: y d^2 + (1 - y) max(margin - d, 0)^2."""

    def __init__(self, margin=1.0):
        super().__init__(name="tfa_contrastive")
        self.margin = margin

    def call(self, y_true, distances):
        y_true = ops.cast(y_true, distances.dtype)
        return y_true * ops.square(distances) + (1.0 - y_true) * ops.square(
            ops.maximum(self.margin - distances, 0.0)
        )


def _l2_normalize(x, epsilon=1e-12):
    # tf.math.l2_normalize: x / sqrt(max(|x|^2, epsilon))
    squares = ops.sum(ops.square(x), axis=1, keepdims=True)
    return x * ops.rsqrt(ops.maximum(squares, epsilon))


class _SupCon(keras.losses.Loss):
    """Khosla et al.'s SupConLoss (contrast_mode "all", one view, labels,
    base_temperature = temperature): logits shifted by their row maximum,
    the self-contrast masked out, log_prob, the mean over the positives.
    The features are L2-normalised first, as their SupConResNet's head."""

    def __init__(self, temperature=0.1):
        super().__init__(name="supcon")
        self.temperature = temperature

    def call(self, labels, features):
        batch = features.shape[0]
        features = _l2_normalize(features)
        mask = ops.cast(_adjacency(labels), features.dtype)
        anchor_dot_contrast = (
            ops.matmul(features, ops.transpose(features)) / self.temperature
        )
        logits_max = ops.max(anchor_dot_contrast, axis=1, keepdims=True)
        logits = anchor_dot_contrast - ops.stop_gradient(logits_max)
        logits_mask = 1.0 - _eye(batch, features.dtype)
        mask = mask * logits_mask
        exp_logits = ops.exp(logits) * logits_mask
        log_prob = logits - ops.log(
            ops.sum(exp_logits, axis=1, keepdims=True) + 1e-9
        )
        mean_log_prob_pos = ops.sum(mask * log_prob, axis=1) / ops.sum(
            mask, axis=1
        )
        return -mean_log_prob_pos


class _SimCLR(keras.losses.Loss):
    """keras-cv's SimCLRLoss: l2_normalize both views, the four similarity
    matrices over the temperature, the self-similarities pushed down by
    1e9, categorical cross-entropy of logits in each direction; halved
    (keras-cv returns the sum of the two directions)."""

    def __init__(self, temperature=0.1):
        super().__init__(name="simclr")
        self.temperature = temperature

    def call(self, projections_1, projections_2):
        projections_1 = _l2_normalize(projections_1)
        projections_2 = _l2_normalize(projections_2)
        batch = projections_1.shape[0]
        labels = ops.one_hot(ops.arange(batch), batch * 2)
        masks = ops.one_hot(ops.arange(batch), batch)
        t = self.temperature

        def similarity(a, b):
            return ops.matmul(a, ops.transpose(b)) / t

        logits_11 = similarity(projections_1, projections_1) - masks * 1e9
        logits_22 = similarity(projections_2, projections_2) - masks * 1e9
        logits_12 = similarity(projections_1, projections_2)
        logits_21 = similarity(projections_2, projections_1)
        loss_a = keras.losses.categorical_crossentropy(
            labels,
            ops.concatenate([logits_12, logits_11], axis=1),
            from_logits=True,
        )
        loss_b = keras.losses.categorical_crossentropy(
            labels,
            ops.concatenate([logits_21, logits_22], axis=1),
            from_logits=True,
        )
        return (loss_a + loss_b) / 2.0


REFERENCES = {
    "CategoricalCrossentropy": _keras("CategoricalCrossentropy"),
    "SparseCategoricalCrossentropy": _keras("SparseCategoricalCrossentropy"),
    "BinaryCrossentropy": _keras("BinaryCrossentropy"),
    "CategoricalFocalCrossentropy": _keras("CategoricalFocalCrossentropy"),
    "BinaryFocalCrossentropy": _keras("BinaryFocalCrossentropy"),
    "SparseCategoricalFocalCrossentropy": _one_hot_focal,
    "Huber": keras.losses.Huber,
    "SmoothL1": _smooth_l1,
    "BalancedL1": _balanced_l1,
    "Pinball": _pinball,
    "Dice": keras.losses.Dice,
    "Tversky": _keras_tversky,
    "SparseDice": _transcription(_dice),
    "SparseJaccard": _transcription(_jaccard),
    "SparseTversky": _transcription(_tversky),
    "SparseFocalTversky": _transcription(_focal_tversky),
    "SparseGeneralizedDice": _transcription(_generalized_dice),
    "LovaszSoftmax": _transcription(_lovasz_softmax),
    "Jaccard": _dense_transcription(_jaccard),
    "FocalTversky": _dense_transcription(_focal_tversky),
    "GeneralizedDice": _dense_transcription(_generalized_dice),
    "LovaszHinge": _LovaszHinge,
    "Sum": _dice_crossentropy,
    "IoULoss": _box_transcription(_iou),
    "GIoULoss": _box_transcription(_giou),
    "DIoULoss": _box_transcription(_diou),
    "CIoULoss": _box_transcription(_ciou),
    "DistributionFocalLoss": _DistributionFocal,
    "AsymmetricLoss": _Asymmetric,
    "BinaryPoly1Crossentropy": _BinaryPoly1,
    "CategoricalPoly1Crossentropy": _CategoricalPoly1,
    "SparseCategoricalPoly1Crossentropy": _SparsePoly1,
    "QualityFocalLoss": _QualityFocal,
    "VarifocalLoss": _Varifocal,
    "TripletSemiHardLoss": _TripletSemiHard,
    "TripletHardLoss": _TripletHard,
    "LiftedStructLoss": _LiftedStruct,
    "NpairsLoss": _Npairs,
    "NpairsMultilabelLoss": _NpairsMultilabel,
    "ContrastiveLoss": _Contrastive,
    "SupervisedContrastiveLoss": _SupCon,
    "NTXentLoss": _SimCLR,
}
