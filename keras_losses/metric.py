"""Metric-learning losses: TF Addons' on Keras 3, and contrastive learning.

TF Addons' losses keep its names, arguments, defaults and values:
`ContrastiveLoss` (labels 0/1 and distances), `TripletSemiHardLoss`,
`TripletHardLoss`, `LiftedStructLoss`, `NpairsLoss` and
`NpairsMultilabelLoss` (dense multi-hot labels where TF Addons took a
`SparseTensor`). `SupervisedContrastiveLoss` (Khosla et al.) and
`NTXentLoss` (SimCLR's NT-Xent, and CLIP's symmetric InfoNCE with
`same_view_negatives=False`) are the contrastive losses that replaced them
in practice.

One sample of a loss here is an anchor (one row of the batch): every loss
but `LiftedStructLoss` returns one value per anchor, so `sample_weight` and
Keras's reductions apply as for any loss, and the default reduction gives
TF Addons' value. `LiftedStructLoss` is a statistic of the whole batch: it
returns a scalar and refuses a per-sample `sample_weight`.

In-batch mining sees the batch the loss is called on. Under
`tf.distribute` strategies that is each replica's shard (Keras averages
the replicas' losses); under `keras.distribution.DataParallel` on JAX it is
the global batch. Batches without a positive pair, without a negative, or of
size 1 give the values each function documents, finite with finite
gradients (TF Addons gives NaN in some of them); a batch of size 0 gives
an empty loss of shape (0,), which the classes return as it is under every
reduction, as Keras's own losses do. Labels reach a class's `call` as
floats (Keras converts `y_true` to the loss's dtype), so distinct labels
must stay distinct in float32: integers below 2**24 = 16,777,216 (the
functions compare labels as given).

Everything is computed with `keras.ops`, in float32 for half-precision
inputs (as TF Addons does). Pairwise distances take `O(B^2)` memory, also
for the semi-hard triplet loss, which TF Addons mines through a `B^2 x B`
tiled mask.
"""

import keras
import numpy as np
from keras import ops

from keras_losses import _tensors
from keras_losses._base import FunctionLoss
from keras_losses._base import _BatchStatisticLoss
from keras_losses._validation import _fail
from keras_losses._validation import boolean
from keras_losses._validation import hyperparameters
from keras_losses._validation import positive
from keras_losses._validation import real_at_least
from keras_losses._validation import validate

METRICS = ("L2", "squared-L2", "angular")


def distance_metric(name, value):
    """A built-in metric's name, a registered callable, or any callable.

    A callable registered with `keras.saving.register_keras_serializable`
    is kept as its registered name (`"package>name"`), so that a loss's
    config stays JSON and loads where the callable is registered again.
    """
    expected = (
        f"one of {', '.join(repr(m) for m in METRICS)}, a callable mapping "
        "embeddings (batch, dim) to distances (batch, batch), or the "
        "registered name ('package>name') of one"
    )
    if isinstance(value, str):
        if value in METRICS or _registered_function(value):
            return value
        _fail(name, expected, value)
    if not callable(value):
        _fail(name, expected, value)
    registered = keras.saving.get_registered_name(value)
    if ">" in registered and _registered_function(registered):
        return registered
    return value


def _registered_function(name):
    """The callable registered as `name`, if it is not a class."""
    found = keras.saving.get_registered_object(name)
    if callable(found) and not isinstance(found, type):
        return found
    return None


# --- Shared pieces -----------------------------------------------------------


def _embeddings(y_pred, what="embeddings"):
    """`(embeddings, dtype)`: rank 2 checked, half precision in float32."""
    y_pred = _tensors.as_float(y_pred)
    if len(y_pred.shape) != 2:
        raise ValueError(
            f"`y_pred` must be {what} of shape (batch, dim), rank 2. "
            f"Received: y_pred.shape={_tensors.static_shape(y_pred)}"
        )
    return _tensors.upcast_half(y_pred), y_pred.dtype


def _label_dtype(y_true):
    """The dtype name of labels, or a ValueError if they are not numbers."""
    dtype = getattr(y_true, "dtype", None)
    if dtype is None:
        dtype = np.asarray(y_true).dtype
    try:
        name = keras.backend.standardize_dtype(dtype)
    except (ValueError, TypeError):
        name = str(dtype)
    if name != "bool" and not name.startswith(("int", "uint", "float", "bf")):
        raise ValueError(
            "`y_true` must hold integer class labels (as integers, or as "
            "floats or bools, as Keras passes them). Received: y_true of "
            f"dtype {name}"
        )
    return name


def _labels(y_true, y_pred):
    """One label per row of `y_pred`: shape (batch,) or (batch, 1)."""
    _label_dtype(y_true)
    labels = ops.convert_to_tensor(y_true)
    shape = _tensors.static_shape(labels)
    if len(shape) == 2 and shape[1] == 1:
        labels = ops.squeeze(labels, 1)
    batch = _tensors.static_shape(y_pred)[:1]
    if len(labels.shape) != 1 or not _tensors.shapes_agree(
        _tensors.static_shape(labels), batch
    ):
        raise ValueError(
            "`y_true` must hold one integer label per row of `y_pred`: "
            f"shape ({batch[0]},) or ({batch[0]}, 1). Received: "
            f"y_true.shape={shape}, y_pred.shape="
            f"{_tensors.static_shape(y_pred)}"
        )
    return labels


def _pair_masks(labels):
    """`(positive, negative)` (batch, batch): same label not self, other."""
    same = ops.equal(labels[:, None], labels[None, :])
    index = ops.arange(ops.shape(labels)[0])
    other = ops.not_equal(index[:, None], index[None, :])
    return ops.logical_and(same, other), ops.logical_not(same)


def _at_least(x, floor):
    """`max(x, floor)`, NaN kept. Keras 3.15's torch `maximum` returns
    float32 for float64 inputs; `where` keeps the dtype."""
    return ops.where(x < floor, floor, x)


def _inner_products(a, b):
    """`a @ b.T`. An einsum: Keras 3.15's torch `matmul` returns float32
    for float64 inputs."""
    return ops.einsum("ik,jk->ij", a, b)


def _labelled(y_true, y_pred):
    """`(embeddings, dtype, positive, negative)` of a loss over labelled
    embeddings: inputs checked, and the pair masks of `_pair_masks`."""
    embeddings, dtype = _embeddings(y_pred)
    positive, negative = _pair_masks(_labels(y_true, embeddings))
    return embeddings, dtype, positive, negative


def _count(mask, axis=None):
    return ops.sum(ops.cast(mask, "float32"), axis=axis)


def _unit_rows(x):
    """Rows scaled to unit L2 norm; a zero row stays zero.

    Each row is divided by its largest magnitude first, so that the sum of
    squares neither overflows nor underflows float32 (TF Addons'
    `l2_normalize` returns 0 for a row of norm above 1.8e19).
    """
    peak = ops.max(ops.abs(x), axis=-1, keepdims=True)
    x = x / ops.where(peak > 0, peak, 1.0)
    norm = _sqrt_or_zero(ops.sum(ops.square(x), axis=-1, keepdims=True))
    return x / ops.where(norm > 0, norm, 1.0)


def _sqrt_or_zero(x):
    """`sqrt(x)` for x > 0, else 0, with gradient 0 (not inf) at 0."""
    is_positive = x > 0
    return ops.where(is_positive, ops.sqrt(ops.where(is_positive, x, 1.0)), 0.0)


def pairwise_distances(embeddings, metric="L2"):
    """The (batch, batch) distance matrix of TF Addons' `distance_metric`.

    "L2" is the Euclidean distance and "squared-L2" its square, from
    `|a|^2 + |b|^2 - 2 a.b` (one matrix product, as TF Addons computes it)
    after centring the batch and scaling it to a largest magnitude of 1,
    which leave distances unchanged, keep that difference from cancelling
    for embeddings far from the origin and the squares from overflowing.
    "angular" is `1 - cos(a, b)`, at least 0. The diagonal is exactly 0.
    A callable is applied to the embeddings and used as it returns.
    """
    if metric not in METRICS:
        if isinstance(metric, str):
            metric = _registered_function(metric)
        return ops.convert_to_tensor(metric(embeddings), embeddings.dtype)
    if metric == "angular":
        unit = _unit_rows(embeddings)
        distances = 1.0 - _inner_products(unit, unit)
    else:
        # (A sum over the batch: Keras 3.15's torch `mean` of float64
        # loses precision.)
        batch = ops.cast(ops.shape(embeddings)[0], embeddings.dtype)
        centred = embeddings - ops.sum(embeddings, axis=0) / batch
        # Computed at unit scale, so that squares of embeddings up to
        # float32's largest number do not overflow; the scale is a constant
        # of the gradient (distances are homogeneous of degree 1).
        scale = ops.stop_gradient(ops.max(ops.abs(centred)))
        scale = ops.where(scale > 0, scale, 1.0)
        centred = centred / scale
        # The norms from the Gram matrix's diagonal: a row's distance to an
        # identical row is then 0 wherever the product rounds both alike.
        gram = _inner_products(centred, centred)
        norms = ops.diagonal(gram)
        distances = norms[:, None] + norms[None, :] - 2.0 * gram
    distances = _at_least(distances, 0.0)
    if metric == "L2":
        distances = _sqrt_or_zero(distances) * scale
    elif metric == "squared-L2":
        distances = distances * scale * scale
    index = ops.arange(ops.shape(embeddings)[0])
    return ops.where(index[:, None] == index[None, :], 0.0, distances)


def _masked_max(values, mask):
    """TF Addons' `masked_maximum`: each row's max over `mask`; a row with
    an empty mask gets its minimum over all entries."""
    floor = ops.min(values, axis=1, keepdims=True)
    return ops.max(ops.where(mask, values, floor), axis=1)


def _masked_min(values, mask):
    """TF Addons' `masked_minimum`: each row's min over `mask`; a row with
    an empty mask gets its maximum over all entries."""
    ceiling = ops.max(values, axis=1, keepdims=True)
    return ops.min(ops.where(mask, values, ceiling), axis=1)


def _masked_logsumexp(x, mask):
    """`(log sum_mask exp(x), nonempty)` along axis 1.

    A row with an empty mask gets 0 (and `nonempty` False). Entries outside
    the mask reach neither the value nor the gradient, even where `x` is
    huge there, so gradients stay finite.
    """
    nonempty = ops.any(mask, axis=1)
    peak = ops.max(ops.where(mask, x, float("-inf")), axis=1)
    peak = ops.stop_gradient(ops.where(nonempty, peak, 0.0))
    shifted = ops.where(mask, x - peak[:, None], float("-inf"))
    total = ops.sum(ops.exp(shifted), axis=1)
    log_total = ops.log(ops.where(nonempty, total, 1.0))
    return ops.where(nonempty, peak + log_total, 0.0), nonempty


def _nan_if_any_nan(loss, y_pred):
    """NaN throughout where `y_pred` holds NaN: a mined loss's value depends
    on every row, and a NaN row could otherwise drop out of a min or max."""
    poisoned = ops.any(ops.isnan(y_pred))
    return ops.where(poisoned, ops.cast(float("nan"), loss.dtype), loss)


def _finish(loss, y_pred, dtype):
    return ops.cast(_nan_if_any_nan(loss, y_pred), dtype)


def _empty_batch(y_pred, dtype):
    """A (0,) loss for a batch of 0 rows, connected to `y_pred`.

    Reductions over an empty axis raise on some backends; an empty batch has
    no anchors and so no loss.
    """
    return ops.cast(ops.sum(y_pred, axis=1), dtype)


def _count_at_most(sorted_keys, queries):
    """For each row r and query q: the number of `sorted_keys[r]` <= q.

    `sorted_keys` (batch, n) ascending along axis 1; `queries` (batch, m).
    A binary search of `ceil(log2(n + 1))` steps (31 if n is unknown),
    each one gather of (batch, m): `O(batch * m * log n)` time and
    `O(batch * m)` memory.
    Comparisons are exact, so a key equal to its query counts as <=.
    """
    n = sorted_keys.shape[1]
    if n is None:  # unknown until run time (a TensorFlow graph)
        n = ops.shape(sorted_keys)[1]
        # Enough for any int32 size; converged steps are no-ops. Unrolled,
        # not a graph loop: XLA (TensorFlow 2.16) needs the gathers' shapes
        # constant, which they are not inside a while loop's body.
        steps, last = 31, ops.maximum(n - 1, 0)
    else:
        steps, last = int(n).bit_length(), max(n - 1, 0)
    low = ops.zeros_like(queries, dtype="int32")
    high = low + ops.cast(n, "int32")
    for _ in range(steps):
        middle = (low + high) // 2
        key = ops.take_along_axis(
            sorted_keys, ops.minimum(middle, last), axis=1
        )
        active = low < high
        right = ops.logical_and(active, key <= queries)
        low = ops.where(right, middle + 1, low)
        high = ops.where(ops.logical_and(active, ~right), middle, high)
    return low


# --- Contrastive loss --------------------------------------------------------


@hyperparameters(margin=real_at_least(0))
def contrastive_loss(y_true, y_pred, *, margin=1.0):
    """Contrastive loss (Hadsell, Chopra and LeCun) of pairs at distances.

    With `y` 1 for a similar pair and 0 for a dissimilar one, and `d` the
    pair's distance, each element's loss is

        y * d ** 2 + (1 - y) * max(margin - d, 0) ** 2

    TF Addons' `contrastive_loss`, to float32 round-off.

    Args:
        y_true: 1 for a similar pair, 0 for a dissimilar one, the shape of
            `y_pred` (ranks differing by a trailing 1 are reconciled).
        y_pred: Distances between the pairs' embeddings, >= 0.
        margin: Distance >= 0 beyond which a dissimilar pair costs nothing.
            Defaults to 1.0.

    Returns:
        The loss of each pair: `y_pred`'s shape.

    References:
        Hadsell, Chopra and LeCun, "Dimensionality Reduction by Learning an
        Invariant Mapping", CVPR 2006, eq. 4 (without its factor 1/2, as
        TF Addons).

    Examples:
        >>> loss = keras_losses.contrastive_loss([1, 0, 0], [0.5, 0.2, 1.5])
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.25 0.64 0.  ]
    """
    validate(contrastive_loss, locals())
    y_true, y_pred, dtype = _tensors.paired_inputs(y_true, y_pred)
    similar = y_true * ops.square(y_pred)
    dissimilar = (1.0 - y_true) * ops.square(_at_least(margin - y_pred, 0.0))
    return ops.cast(similar + dissimilar, dtype)


# --- Triplet losses ----------------------------------------------------------


@hyperparameters(margin=real_at_least(0), distance_metric=distance_metric)
def triplet_semihard_loss(y_true, y_pred, *, margin=1.0, distance_metric="L2"):
    """Triplet loss with semi-hard negative mining (FaceNet), as TF Addons.

    For each positive pair `(a, p)` (same label, `a != p`) the negative `n`
    (another label) is the closest one farther from the anchor than the
    positive, `d(a, n) > d(a, p)`; where the anchor has none, its farthest
    negative (TF Addons' fallback; an anchor without any negative gets
    distance 0). The pair's loss is `max(d(a, p) - d(a, n) + margin, 0)`.
    TF Addons averages it over the `P` positive pairs of the batch; anchor
    `a` here gets its share times the batch size `B`,

        loss_a = B / P * sum_p max(d(a, p) - d(a, n) + margin, 0)

    so that Keras's mean over anchors is TF Addons' value and
    `sample_weight` weights each anchor's pairs. A batch without a positive
    pair gives 0 (TF Addons: NaN). Mining uses each row's sorted negative
    distances and a binary search: `O(B^2 log B)` time, `O(B^2)` memory.

    Args:
        y_true: Integer labels of shape (batch,) or (batch, 1).
        y_pred: Embeddings of shape (batch, dim). TF Addons expects them L2
            normalised; any embeddings work.
        margin: Margin >= 0. Defaults to 1.0.
        distance_metric: "L2" (default), "squared-L2", "angular" (1 - cosine
            similarity), or a callable from embeddings to a (batch, batch)
            distance matrix (registered with
            `keras.saving.register_keras_serializable` to be saved with a
            loss class).

    Returns:
        The loss of each anchor: shape (batch,).

    References:
        Schroff, Kalenichenko and Philbin, "FaceNet: A Unified Embedding
        for Face Recognition and Clustering", CVPR 2015, section 3.2.

    Examples:
        >>> labels = [0, 0, 1, 1]
        >>> embeddings = [[0.0, 0.0], [0.0, 1.0], [0.5, 0.0], [2.0, 1.0]]
        >>> loss = keras_losses.triplet_semihard_loss(labels, embeddings)
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.     0.882  1.6847 0.8028]
    """
    validate(triplet_semihard_loss, locals())
    embeddings, dtype, positive, negative = _labelled(y_true, y_pred)
    if embeddings.shape[0] == 0:
        return _empty_batch(embeddings, dtype)
    distances = pairwise_distances(embeddings, distance_metric)
    # Each anchor's negative distances in ascending order, other entries
    # last (as +inf keys): the first key > d(a, p) is the semi-hard one.
    keys = ops.where(negative, distances, float("inf"))
    order = ops.argsort(keys, axis=1)
    sorted_keys = ops.stop_gradient(ops.take_along_axis(keys, order, axis=1))
    sorted_distances = ops.take_along_axis(distances, order, axis=1)
    rank = _count_at_most(sorted_keys, ops.stop_gradient(distances))
    batch = ops.shape(distances)[1]
    semihard = ops.take_along_axis(
        sorted_distances, ops.minimum(rank, batch - 1), axis=1
    )
    has_semihard = rank < ops.sum(ops.cast(negative, "int32"), axis=1)[:, None]
    fallback = _masked_max(distances, negative)[:, None]
    chosen = ops.where(has_semihard, semihard, fallback)
    pair = _at_least(distances - chosen + margin, 0.0)
    pair_sum = ops.sum(ops.where(positive, pair, 0.0), axis=1)
    pairs = ops.cast(_count(positive), pair_sum.dtype)
    share = ops.cast(batch, pair_sum.dtype) / _at_least(pairs, 1.0)
    return _finish(pair_sum * share, embeddings, dtype)


@hyperparameters(
    margin=real_at_least(0), soft=boolean, distance_metric=distance_metric
)
def triplet_hard_loss(
    y_true, y_pred, *, margin=1.0, soft=False, distance_metric="L2"
):
    """Batch-hard triplet loss (Hermans et al.), as TF Addons.

    Each anchor `a` takes its farthest positive and its closest negative:

        loss_a = max(max_p d(a, p) - min_n d(a, n) + margin, 0)

    or, with `soft=True`, `softplus(max_p d(a, p) - min_n d(a, n))` (no
    margin). As in TF Addons, an anchor without a positive takes the
    smallest distance of its row (0, its own) in place of the farthest
    positive, and one without a negative the largest distance of its row in
    place of the closest negative: a batch of one sample gives `margin`
    (`log 2` if soft), with gradient 0. Keras's mean over anchors is TF
    Addons' value.

    Args:
        y_true: Integer labels of shape (batch,) or (batch, 1).
        y_pred: Embeddings of shape (batch, dim).
        margin: Margin >= 0. Defaults to 1.0.
        soft: Whether to use the soft margin `softplus` instead of the
            hinge. Defaults to False.
        distance_metric: "L2" (default), "squared-L2", "angular" or a
            callable, as in `keras_losses.triplet_semihard_loss`.

    Returns:
        The loss of each anchor: shape (batch,).

    References:
        Hermans, Beyer and Leibe, "In Defense of the Triplet Loss for
        Person Re-Identification", arXiv:1703.07737, 2017, eq. 5.

    Examples:
        >>> labels = [0, 0, 1, 1]
        >>> embeddings = [[0.0, 0.0], [0.0, 1.0], [0.5, 0.0], [2.0, 1.0]]
        >>> loss = keras_losses.triplet_hard_loss(labels, embeddings)
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [1.5    0.882  2.3028 0.8028]
    """
    validate(triplet_hard_loss, locals())
    embeddings, dtype, positive, negative = _labelled(y_true, y_pred)
    if embeddings.shape[0] == 0:
        return _empty_batch(embeddings, dtype)
    distances = pairwise_distances(embeddings, distance_metric)
    gap = _masked_max(distances, positive) - _masked_min(distances, negative)
    if soft:
        loss = ops.softplus(gap)
    else:
        loss = _at_least(gap + margin, 0.0)
    return _finish(loss, embeddings, dtype)


# --- Lifted structure loss ---------------------------------------------------


@hyperparameters(margin=real_at_least(0))
def lifted_struct_loss(y_true, y_pred, *, margin=1.0):
    """Lifted structured loss (Oh Song et al.), as TF Addons.

    With `D` the Euclidean distances, for each positive pair `(i, j)`

        J_ij = log(sum_{k in N(i)} exp(margin - D_ik)
                   + sum_{l in N(j)} exp(margin - D_jl)) + D_ij

    over the negatives `N` of either member, and the loss is
    `sum_{(i, j)} max(J_ij, 0) ** 2 / (2 |P|)` over the `|P|` positive
    pairs (unordered). The log-sum-exp is taken per row: `O(B^2)` time and
    memory, where TF Addons tiles a `B^2 x B` matrix.

    The loss is a statistic of the whole batch, not a sum of per-sample
    terms: it is returned as a scalar, and its class refuses a per-sample
    `sample_weight`. A batch without a positive pair gives 0, and so does
    a batch of one label, where no sample has a negative (TF Addons gives
    NaN for both).

    Args:
        y_true: Integer labels of shape (batch,) or (batch, 1).
        y_pred: Embeddings of shape (batch, dim).
        margin: Margin >= 0. Defaults to 1.0.

    Returns:
        The loss of the batch: a scalar.

    References:
        Oh Song, Xiang, Jegelka and Savarese, "Deep Metric Learning via
        Lifted Structured Feature Embedding", CVPR 2016, eq. 4.

    Examples:
        >>> labels = [0, 0, 1, 1]
        >>> embeddings = [[0.0, 0.0], [0.0, 1.0], [0.5, 0.0], [2.0, 1.0]]
        >>> loss = keras_losses.lifted_struct_loss(labels, embeddings)
        >>> print(np.round(float(loss), 4))
        3.3656
    """
    validate(lifted_struct_loss, locals())
    embeddings, dtype, positive, negative = _labelled(y_true, y_pred)
    if embeddings.shape[0] == 0:
        return ops.cast(ops.sum(embeddings), dtype)
    distances = pairwise_distances(embeddings, "L2")
    # log sum_{k in N(i)} exp(margin - D_ik), per row; `has` False if N(i)
    # is empty. Then J_ij joins rows i and j in log space.
    row, has = _masked_logsumexp(margin - distances, negative)
    both = ops.logical_and(has[:, None], has[None, :])
    peak = ops.where(
        both,
        _at_least(row[:, None], row[None, :]),
        ops.where(has[:, None], row[:, None], row[None, :]),
    )
    total = ops.exp(
        ops.where(has[:, None], row[:, None] - peak, -float("inf"))
    ) + ops.exp(ops.where(has[None, :], row[None, :] - peak, -float("inf")))
    either = ops.logical_or(has[:, None], has[None, :])
    joint = peak + ops.log(ops.where(either, total, 1.0)) + distances
    hinge = ops.square(_at_least(joint, 0.0))
    counted = ops.logical_and(positive, either)
    # Over ordered pairs each pair counts twice: sum / (2 |P|) over the |P|
    # unordered pairs is half the ordered sum over the ordered count.
    ordered = ops.cast(_count(positive), hinge.dtype)
    loss = (
        0.5 * ops.sum(ops.where(counted, hinge, 0.0)) / _at_least(ordered, 1.0)
    )
    return _finish(loss, embeddings, dtype)


# --- N-pairs losses ----------------------------------------------------------


def _similarities(y_pred):
    """A square (batch, batch) similarity matrix, half precision upcast."""
    y_pred = _tensors.as_float(y_pred)
    shape = _tensors.static_shape(y_pred)
    if len(shape) != 2 or not _tensors.shapes_agree(shape[:1], shape[1:]):
        raise ValueError(
            "`y_pred` must be a square similarity matrix of shape (batch, "
            "batch), e.g. `anchors @ ops.transpose(positives)`. Received: "
            f"y_pred.shape={shape}"
        )
    return _tensors.upcast_half(y_pred), y_pred.dtype


def _soft_target_crossentropy(targets, logits):
    """Per-row cross-entropy of `targets` (rows summing to 1 or 0) against
    `softmax(logits)`; a target row of zeros gives 0."""
    log_p = ops.log_softmax(logits, axis=1)
    # `where`, not a product: log p may be -inf where the target is 0.
    return ops.sum(ops.where(targets > 0, -targets * log_p, 0.0), axis=1)


def _normalise_rows(counts):
    total = ops.sum(counts, axis=1, keepdims=True)
    return counts / ops.where(total > 0, total, 1.0)


@hyperparameters()
def npairs_loss(y_true, y_pred):
    """N-pairs loss (Sohn), as TF Addons: softmax over a similarity matrix.

    `y_pred[i, j]` is the similarity of anchor `i` to positive `j` (e.g.
    `anchors @ ops.transpose(positives)`). Row `i`'s target spreads mass 1
    evenly over the columns whose label equals `labels[i]` (its own column
    included), and the loss of anchor `i` is the cross-entropy of that
    target against `softmax(y_pred[i])`:

        loss_i = -sum_j t_ij * log_softmax(y_pred[i])_j

    Computed in log space, exact for similarities up to float32's range.
    Like TF Addons, no L2 penalty on the embeddings (Sohn adds one: add it
    as an activity regularizer).

    Args:
        y_true: Integer labels of shape (batch,) or (batch, 1).
        y_pred: Similarities of shape (batch, batch).

    Returns:
        The loss of each anchor: shape (batch,).

    References:
        Sohn, "Improved Deep Metric Learning with Multi-class N-pair Loss
        Objective", NeurIPS 2016.

    Examples:
        >>> loss = keras_losses.npairs_loss([0, 1], [[2.0, 0.0], [1.0, 1.0]])
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.1269 0.6931]
    """
    validate(npairs_loss, locals())
    similarities, dtype = _similarities(y_pred)
    _, other_label = _pair_masks(_labels(y_true, similarities))
    same = ops.logical_not(other_label)  # the diagonal included
    targets = _normalise_rows(ops.cast(same, similarities.dtype))
    loss = _soft_target_crossentropy(targets, similarities)
    return _finish(loss, similarities, dtype)


@hyperparameters()
def npairs_multilabel_loss(y_true, y_pred):
    """N-pairs loss with multi-hot labels, as TF Addons.

    As `keras_losses.npairs_loss`, with row `i`'s target proportional to
    the number of labels samples `i` and `j` share, `Y @ Y^T`, normalised
    to sum 1. `y_true` is the dense multi-hot matrix (TF Addons took it as
    a `SparseTensor`: pass `tf.sparse.to_dense(labels)`). A sample without
    any label has loss 0 (TF Addons: NaN).

    Args:
        y_true: Multi-hot labels of shape (batch, num_classes), 0 or 1.
        y_pred: Similarities of shape (batch, batch).

    Returns:
        The loss of each anchor: shape (batch,).

    References:
        Sohn, "Improved Deep Metric Learning with Multi-class N-pair Loss
        Objective", NeurIPS 2016.

    Examples:
        >>> labels = [[1, 0], [1, 1]]
        >>> loss = keras_losses.npairs_multilabel_loss(
        ...     labels, [[2.0, 0.0], [1.0, 1.0]]
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [1.1269 0.6931]
    """
    validate(npairs_multilabel_loss, locals())
    similarities, dtype = _similarities(y_pred)
    labels = ops.cast(ops.convert_to_tensor(y_true), similarities.dtype)
    shape = _tensors.static_shape(labels)
    if len(shape) != 2 or not _tensors.shapes_agree(
        shape[:1], _tensors.static_shape(similarities)[:1]
    ):
        raise ValueError(
            "`y_true` must be multi-hot labels of shape (batch, "
            "num_classes), one row per row of `y_pred`. Received: "
            f"y_true.shape={shape}, y_pred.shape="
            f"{_tensors.static_shape(similarities)}"
        )
    targets = _normalise_rows(_inner_products(labels, labels))
    loss = _soft_target_crossentropy(targets, similarities)
    return _finish(loss, similarities, dtype)


# --- Contrastive learning ----------------------------------------------------


@hyperparameters(temperature=positive)
def supervised_contrastive_loss(y_true, y_pred, *, temperature=0.1):
    """Supervised contrastive loss (Khosla et al., eq. 2, `L_out`).

    With `z` the L2-normalised embeddings and `s_ij = z_i . z_j /
    temperature`, anchor `i`'s loss averages, over its positives `P(i)`
    (same label, not `i`), the log-probability of the positive among all
    other samples `A(i)`:

        loss_i = -1 / |P(i)| * sum_{p in P(i)} (s_ip - log sum_{a in A(i)}
                 exp(s_ia))

    An anchor without a positive has loss 0 (and counts in Keras's mean, as
    in Khosla et al.'s code since it was fixed for this case). For several
    views of each sample, concatenate the views along the batch and repeat
    the labels. Computed in log space: stable at temperature 0.01 and for
    embeddings up to float32's range. Khosla et al.'s code multiplies by
    `temperature / base_temperature` (1 at its defaults); this is eq. 2.

    Args:
        y_true: Integer labels of shape (batch,) or (batch, 1).
        y_pred: Embeddings of shape (batch, dim); normalised here.
        temperature: Temperature > 0. Defaults to 0.1, as PyTorch Metric
            Learning's `SupConLoss` (Khosla et al.'s code defaults to 0.07).

    Returns:
        The loss of each anchor: shape (batch,).

    References:
        Khosla, Teterwak, Wang, Sarna, Tian, Isola, Maschinot, Liu and
        Krishnan, "Supervised Contrastive Learning", NeurIPS 2020, eq. 2.

    Examples:
        >>> labels = [0, 0, 1]
        >>> embeddings = [[1.0, 0.0], [1.0, 0.2], [0.0, 1.0]]
        >>> loss = keras_losses.supervised_contrastive_loss(
        ...     labels, embeddings, temperature=0.5
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.1316 0.1892 0.    ]
    """
    validate(supervised_contrastive_loss, locals())
    embeddings, dtype, positive, negative = _labelled(y_true, y_pred)
    if embeddings.shape[0] == 0:
        return _empty_batch(embeddings, dtype)
    unit = _unit_rows(embeddings)
    logits = _inner_products(unit, unit) / temperature
    others = ops.logical_or(positive, negative)
    log_denominator, _ = _masked_logsumexp(logits, others)
    log_probability = logits - log_denominator[:, None]
    total = ops.sum(ops.where(positive, -log_probability, 0.0), axis=1)
    count = ops.cast(_count(positive, axis=1), total.dtype)
    return _finish(total / _at_least(count, 1.0), embeddings, dtype)


@hyperparameters(temperature=positive, same_view_negatives=boolean)
def nt_xent_loss(y_true, y_pred, *, temperature=0.1, same_view_negatives=True):
    """NT-Xent (SimCLR) and CLIP's symmetric InfoNCE, per pair of views.

    `y_true` and `y_pred` hold two views of the same batch (keras-cv's
    `SimCLRLoss` convention: projections of view 1, then of view 2; or
    CLIP's two towers). Rows are L2-normalised and similarities divided by
    `temperature`. The anchor `u_i` (row i of view 1) must pick its positive
    `v_i` (row i of view 2) out of its negatives: the other rows of view 2
    and, with `same_view_negatives=True`, the other rows of view 1:

        l(u_i) = -log(exp(u_i.v_i / t) / (exp(u_i.v_i / t)
                                          + sum_negatives exp(u_i.n / t)))

    and likewise `l(v_i)` with the views swapped. The pair's loss is
    `(l(u_i) + l(v_i)) / 2`, so Keras's mean is SimCLR's loss `L`, the mean
    over all `2N` anchors. With `same_view_negatives=False` it is CLIP's
    loss, the mean of its image-to-text and text-to-image cross-entropies.
    keras-cv's `SimCLRLoss` sums the two directions: its value is twice
    this one. Computed in log space: stable at temperature 0.01.

    Args:
        y_true: Embeddings of the first view, shape (batch, dim).
        y_pred: Embeddings of the second view, shape (batch, dim).
        temperature: Temperature > 0. Defaults to 0.1.
        same_view_negatives: Whether the other rows of the anchor's own
            view are negatives too: True (default) is SimCLR's NT-Xent,
            with `2N - 2` negatives per anchor; False is CLIP's symmetric
            InfoNCE, with the `N - 1` rows of the other view.

    Returns:
        The loss of each pair of views: shape (batch,).

    References:
        Chen, Kornblith, Norouzi and Hinton, "A Simple Framework for
        Contrastive Learning of Visual Representations", ICML 2020, eq. 1.
        Radford et al., "Learning Transferable Visual Models From Natural
        Language Supervision", ICML 2021, figure 3.

    Examples:
        >>> view_1 = [[1.0, 0.0], [0.0, 1.0]]
        >>> view_2 = [[1.0, 0.1], [0.1, 1.0]]
        >>> loss = keras_losses.nt_xent_loss(view_1, view_2, temperature=0.5)
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.2899 0.2899]
    """
    validate(nt_xent_loss, locals())
    second, dtype = _embeddings(y_pred)
    first = _tensors.upcast_half(ops.cast(y_true, dtype))
    if len(first.shape) != 2 or not _tensors.shapes_agree(
        _tensors.static_shape(first), _tensors.static_shape(second)
    ):
        raise ValueError(
            "`y_true` and `y_pred` must be the two views' embeddings, both "
            "of shape (batch, dim). Received: y_true.shape="
            f"{_tensors.static_shape(first)}, y_pred.shape="
            f"{_tensors.static_shape(second)}"
        )
    if second.shape[0] == 0:
        return _empty_batch(second, dtype)
    first, second = _unit_rows(first), _unit_rows(second)
    cross = _inner_products(first, second) / temperature
    matched = ops.diagonal(cross)
    batch = ops.shape(cross)[0]
    index = ops.arange(batch)
    other = ops.not_equal(index[:, None], index[None, :])
    everything = ops.ones_like(other)
    directions = []
    for anchors, views in ((first, cross), (second, ops.transpose(cross))):
        logits, mask = views, everything
        if same_view_negatives:
            own = _inner_products(anchors, anchors) / temperature
            logits = ops.concatenate([views, own], axis=1)
            mask = ops.concatenate([everything, other], axis=1)
        log_denominator, _ = _masked_logsumexp(logits, mask)
        directions.append(log_denominator - matched)
    loss = (directions[0] + directions[1]) / 2.0
    both = ops.concatenate([first, second], axis=1)
    return _finish(loss, both, dtype)


# --- Classes -----------------------------------------------------------------


class _MinedLoss(FunctionLoss):
    """A loss whose `distance_metric` may be a callable: the class keeps
    only registered ones, which its config can name."""

    def __init__(self, fn, arguments):
        super().__init__(fn, arguments)
        metric = self._hyperparameters.get("distance_metric")
        if callable(metric):
            raise ValueError(
                f"`distance_metric` of {type(self).__name__} must be one of "
                f"{', '.join(repr(m) for m in METRICS)} or a callable "
                "registered with `keras.saving.register_keras_serializable` "
                "(a saved loss names it in its config). Received: "
                f"distance_metric={metric!r}, which is not registered"
            )


class ContrastiveLoss(FunctionLoss):
    """Contrastive loss of pairs at given distances, as TF Addons.

    `y * d ** 2 + (1 - y) * max(margin - d, 0) ** 2` per pair. See
    `keras_losses.contrastive_loss`.

    Args:
        margin: Distance >= 0 beyond which a dissimilar pair costs nothing.
            Defaults to 1.0.
        {common_args}

    Returns:
        {returns}

    Formula:
        `y d^2 + (1 - y) max(margin - d, 0)^2`

    References:
        Hadsell, Chopra and LeCun, CVPR 2006.

    Examples:
        >>> loss = keras_losses.ContrastiveLoss()
        >>> print(f"{float(loss([1, 0, 0], [0.5, 0.2, 1.5])):.4f}")
        0.2967
    """

    def __init__(
        self,
        margin=1.0,
        reduction="sum_over_batch_size",
        name="contrastive_loss",
        dtype=None,
    ):
        super().__init__(contrastive_loss, locals())


class TripletSemiHardLoss(_MinedLoss):
    """Triplet loss with semi-hard negative mining, as TF Addons.

    One sample is an anchor (a row of the batch): its share of TF Addons'
    mean over positive pairs, times the batch size, so that the default
    reduction gives TF Addons' value and `sample_weight` weights each
    anchor's pairs. Mining is within the batch the loss sees (each replica's
    shard under `tf.distribute`). See `keras_losses.triplet_semihard_loss`.

    Args:
        margin: Margin >= 0. Defaults to 1.0.
        distance_metric: "L2" (default), "squared-L2", "angular", or a
            callable registered with
            `keras.saving.register_keras_serializable`.
        {common_args}

    Returns:
        Called on `(labels, embeddings, sample_weight=None)`: the reduced
        loss, a scalar; with `reduction="none"` or `None`, the loss of each
        anchor, shape (batch,).

    Formula:
        `B / P * sum_p max(d(a, p) - d(a, n_semihard) + margin, 0)`

    References:
        Schroff, Kalenichenko and Philbin, "FaceNet", CVPR 2015.

    Examples:
        >>> loss = keras_losses.TripletSemiHardLoss()
        >>> labels = [0, 0, 1, 1]
        >>> embeddings = [[0.0, 0.0], [0.0, 1.0], [0.5, 0.0], [2.0, 1.0]]
        >>> print(f"{float(loss(labels, embeddings)):.4f}")
        0.8424
    """

    def __init__(
        self,
        margin=1.0,
        distance_metric="L2",
        reduction="sum_over_batch_size",
        name="triplet_semihard_loss",
        dtype=None,
    ):
        super().__init__(triplet_semihard_loss, locals())


class TripletHardLoss(_MinedLoss):
    """Batch-hard triplet loss, as TF Addons.

    One sample is an anchor: `max(hardest positive - hardest negative +
    margin, 0)`, or its softplus without margin if `soft`. Mining is within
    the batch the loss sees. See `keras_losses.triplet_hard_loss`.

    Args:
        margin: Margin >= 0. Defaults to 1.0.
        soft: Whether to use `softplus` instead of the hinge. Defaults to
            False.
        distance_metric: "L2" (default), "squared-L2", "angular", or a
            callable registered with
            `keras.saving.register_keras_serializable`.
        {common_args}

    Returns:
        Called on `(labels, embeddings, sample_weight=None)`: the reduced
        loss, a scalar; with `reduction="none"` or `None`, the loss of each
        anchor, shape (batch,).

    Formula:
        `max(max_p d(a, p) - min_n d(a, n) + margin, 0)`

    References:
        Hermans, Beyer and Leibe, arXiv:1703.07737, 2017.

    Examples:
        >>> loss = keras_losses.TripletHardLoss()
        >>> labels = [0, 0, 1, 1]
        >>> embeddings = [[0.0, 0.0], [0.0, 1.0], [0.5, 0.0], [2.0, 1.0]]
        >>> print(f"{float(loss(labels, embeddings)):.4f}")
        1.3719
    """

    def __init__(
        self,
        margin=1.0,
        soft=False,
        distance_metric="L2",
        reduction="sum_over_batch_size",
        name="triplet_hard_loss",
        dtype=None,
    ):
        super().__init__(triplet_hard_loss, locals())


class LiftedStructLoss(_BatchStatisticLoss):
    """Lifted structured loss, as TF Addons: one value for the whole batch.

    The loss is a statistic of the batch with no value per sample, so
    `sample_weight` must be None or a scalar (which multiplies the loss);
    a per-sample one raises.
    Under `tf.distribute` each replica computes it on its shard and Keras
    averages the replicas. See `keras_losses.lifted_struct_loss`.

    Args:
        margin: Margin >= 0. Defaults to 1.0.
        {common_args}

    Returns:
        Called on `(labels, embeddings, sample_weight=None)`: the loss of
        the batch, a scalar, for every reduction.

    Formula:
        `sum_P max(log(sum_N(i) e^(m - D) + sum_N(j) e^(m - D)) + D_ij, 0)^2
        / (2 |P|)`

    References:
        Oh Song, Xiang, Jegelka and Savarese, CVPR 2016.

    Examples:
        >>> loss = keras_losses.LiftedStructLoss()
        >>> labels = [0, 0, 1, 1]
        >>> embeddings = [[0.0, 0.0], [0.0, 1.0], [0.5, 0.0], [2.0, 1.0]]
        >>> print(f"{float(loss(labels, embeddings)):.4f}")
        3.3656
    """

    def __init__(
        self,
        margin=1.0,
        reduction="sum_over_batch_size",
        name="lifted_struct_loss",
        dtype=None,
    ):
        super().__init__(lifted_struct_loss, locals())

    def pooled_reason(self):
        return (
            "LiftedStructLoss is a statistic of the whole batch (every "
            "positive pair against every negative), with no value per "
            "sample for `sample_weight` to weight. Expected: "
            "sample_weight=None or a scalar."
        )


class NpairsLoss(FunctionLoss):
    """N-pairs loss over a similarity matrix, as TF Addons.

    One sample is an anchor (a row of the similarity matrix). See
    `keras_losses.npairs_loss`.

    Args:
        {common_args}

    Returns:
        Called on `(labels, similarities, sample_weight=None)`: the reduced
        loss, a scalar; with `reduction="none"` or `None`, the loss of each
        anchor, shape (batch,).

    Formula:
        `-sum_j t_ij log_softmax(s_i)_j`, `t_i` uniform over `i`'s label

    References:
        Sohn, NeurIPS 2016.

    Examples:
        >>> loss = keras_losses.NpairsLoss()
        >>> print(f"{float(loss([0, 1], [[2.0, 0.0], [1.0, 1.0]])):.4f}")
        0.4100
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="npairs_loss",
        dtype=None,
    ):
        super().__init__(npairs_loss, locals())


class NpairsMultilabelLoss(FunctionLoss):
    """N-pairs loss with multi-hot labels, as TF Addons.

    One sample is an anchor. `y_true` is dense multi-hot (TF Addons took a
    `SparseTensor`). See `keras_losses.npairs_multilabel_loss`.

    Args:
        {common_args}

    Returns:
        Called on `(multi_hot, similarities, sample_weight=None)`: the
        reduced loss, a scalar; with `reduction="none"` or `None`, the loss
        of each anchor, shape (batch,).

    Formula:
        `-sum_j t_ij log_softmax(s_i)_j`, `t_i` proportional to `Y Y^T`

    References:
        Sohn, NeurIPS 2016.

    Examples:
        >>> loss = keras_losses.NpairsMultilabelLoss()
        >>> labels = [[1, 0], [1, 1]]
        >>> print(f"{float(loss(labels, [[2.0, 0.0], [1.0, 1.0]])):.4f}")
        0.9100
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="npairs_multilabel_loss",
        dtype=None,
    ):
        super().__init__(npairs_multilabel_loss, locals())


class SupervisedContrastiveLoss(FunctionLoss):
    """Supervised contrastive loss (Khosla et al., NeurIPS 2020, `L_out`).

    One sample is an anchor; an anchor without a positive in the batch has
    loss 0. In-batch: each replica's shard under `tf.distribute`. See
    `keras_losses.supervised_contrastive_loss`.

    Args:
        temperature: Temperature > 0. Defaults to 0.1.
        {common_args}

    Returns:
        Called on `(labels, embeddings, sample_weight=None)`: the reduced
        loss, a scalar; with `reduction="none"` or `None`, the loss of each
        anchor, shape (batch,).

    Formula:
        `-1/|P(i)| sum_p log(exp(z_i.z_p / t) / sum_{a != i} exp(z_i.z_a / t))`

    References:
        Khosla et al., "Supervised Contrastive Learning", NeurIPS 2020.

    Examples:
        >>> loss = keras_losses.SupervisedContrastiveLoss(temperature=0.5)
        >>> labels = [0, 0, 1]
        >>> embeddings = [[1.0, 0.0], [1.0, 0.2], [0.0, 1.0]]
        >>> print(f"{float(loss(labels, embeddings)):.4f}")
        0.1069
    """

    def __init__(
        self,
        temperature=0.1,
        reduction="sum_over_batch_size",
        name="supervised_contrastive_loss",
        dtype=None,
    ):
        super().__init__(supervised_contrastive_loss, locals())


class NTXentLoss(FunctionLoss):
    """NT-Xent (SimCLR), or CLIP's symmetric InfoNCE, per pair of views.

    Called on `(view_1, view_2)`, keras-cv's `SimCLRLoss` convention. One
    sample is a pair of views; its loss is the mean of its two anchors'
    cross-entropies (keras-cv's value is twice that). In-batch: each
    replica's shard under `tf.distribute`. See `keras_losses.nt_xent_loss`.

    Args:
        temperature: Temperature > 0. Defaults to 0.1.
        same_view_negatives: True (default): SimCLR, negatives from both
            views; False: CLIP, negatives from the other view only.
        {common_args}

    Returns:
        Called on `(view_1, view_2, sample_weight=None)`: the reduced loss,
        a scalar; with `reduction="none"` or `None`, the loss of each pair,
        shape (batch,).

    Formula:
        `(l(u_i) + l(v_i)) / 2`, with `l(u_i)` the cross-entropy of picking
        `v_i` among `v_i` and `u_i`'s negatives by similarity / temperature

    References:
        Chen et al., "SimCLR", ICML 2020; Radford et al., "CLIP", ICML 2021.

    Examples:
        >>> loss = keras_losses.NTXentLoss(temperature=0.5)
        >>> view_1 = [[1.0, 0.0], [0.0, 1.0]]
        >>> view_2 = [[1.0, 0.1], [0.1, 1.0]]
        >>> print(f"{float(loss(view_1, view_2)):.4f}")
        0.2899
    """

    def __init__(
        self,
        temperature=0.1,
        same_view_negatives=True,
        reduction="sum_over_batch_size",
        name="nt_xent_loss",
        dtype=None,
    ):
        super().__init__(nt_xent_loss, locals())
