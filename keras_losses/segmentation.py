"""Overlap losses for segmentation: Dice, Jaccard, Tversky, Lovász.

One scheme for the whole family, and the package's: the label form is in
the name, as in Keras's cross-entropies. `Dice`, `Jaccard`, `Tversky`,
`FocalTversky` and `GeneralizedDice` take labels of `y_pred`'s shape (hard
or soft); their `Sparse*` twins take integer labels, with the class count
read from `y_pred`, and are defined as the dense loss on the one-hot labels,
for every argument, with no one-hot tensor to build (`_overlap`).
`LovaszSoftmax` takes integer labels, `LovaszHinge` binary ones.

What one "sample" of the loss is, is Keras's `axis`: the axes of `y_pred`
whose elements form one set, whose statistics are summed. `axis=None` (the
default, as in Keras) sums everything: one value for the whole batch (batch
pooling), which a per-sample `sample_weight` cannot weight (it raises).
`axis=(1, 2)` on `(batch, height, width, classes)` gives one loss per image
and class (MONAI's default, `batch=False`), which `sample_weight` of shape
`(batch,)` weights per image; `axis=(1, 2, 3)` one per image, classes
pooled; `axis=(0, 1, 2)` one per class over the batch (MONAI's
`batch=True`). `class_axis` says where exclusive classes are: with
`from_logits=True` they get a softmax (without it every element gets a
sigmoid), and `class_weight` and `exclude_classes` apply along it.

Under `tf.distribute` each replica computes its sets from its own part of
the batch: per-image sets give the one-device loss, sets that pool the batch
give the mean of the replicas' pooled values (per-replica statistics; Keras
would scale a one-value loss by the replica count, see
`_keras_compat.average_batch_statistic_across_replicas`).
Under JAX's `keras.distribution.DataParallel` the loss sees the global batch
and pooled sets give the one-device value.

Smoothing: `smooth_nr` is added to the numerator and `smooth_dr` to the
denominator of each index (MONAI's names). Both default to 1e-7, Keras's
epsilon, so the losses equal Keras's (which adds it to the denominator only)
to float32 round-off, except on an empty label predicted empty, where the
loss is 0 here (a perfect prediction) and 1 in Keras. In general an empty
set's loss is `1 - smooth_nr / smooth_dr`.
"""

from keras import ops

from keras_losses import _overlap
from keras_losses import _tensors
from keras_losses._base import _BatchStatisticLoss
from keras_losses._validation import boolean
from keras_losses._validation import class_indices
from keras_losses._validation import hyperparameters
from keras_losses._validation import integer
from keras_losses._validation import one_of
from keras_losses._validation import optional_axes
from keras_losses._validation import optional_integer
from keras_losses._validation import real_at_least
from keras_losses._validation import validate
from keras_losses._validation import weights

_CLASS_WEIGHT = weights(scalar_allowed=False, optional=True)
_SMOOTH = real_at_least(0)
_COMMON = dict(
    from_logits=boolean,
    axis=optional_axes,
    class_weight=_CLASS_WEIGHT,
    exclude_classes=class_indices,
    smooth_nr=_SMOOTH,
    smooth_dr=_SMOOTH,
)
_DENSE = dict(_COMMON, class_axis=optional_integer)
_SPARSE = dict(_COMMON, class_axis=integer, ignore_class=optional_integer)


# Each loss is `1 - (n + smooth_nr) / (d + smooth_dr)` for an index n / d,
# computed as `(d - n + smooth_dr - smooth_nr) / (d + smooth_dr)` with
# `d - n` formed from the sums themselves: exact for hard labels and
# predictions, where `1 - index` rounds a near-perfect set's loss (which
# a focal exponent below 1 then magnifies).


def _dice_terms(stats):
    total = stats.true_sum + stats.pred_sum
    return total - 2.0 * stats.tp, total


def _jaccard_terms(stats):
    union = stats.true_sum + stats.pred_sum - stats.tp
    return union - stats.tp, union


def _tversky_terms(stats, alpha, beta):
    false_pos = stats.pred_sum - stats.tp
    false_neg = stats.true_sum - stats.tp
    errors = alpha * false_pos + beta * false_neg
    return errors, stats.tp + errors


def _power(x, gamma):
    # x ** gamma for x >= 0, 0 for x <= 0 and NaN for NaN, with a finite
    # gradient at 0 (where that of x ** gamma is infinite for gamma < 1):
    # 0 there, the minimum.
    positive = x > 0
    powered = ops.power(ops.where(positive, x, 1.0), gamma)
    return ops.where(positive, powered, ops.where(x <= 0, 0.0, x))


def _statistics(y_true, y_pred, sparse, arguments, classes_always_kept=False):
    """The layout of `y_pred`'s sets and their `Statistics`."""
    y_pred = ops.convert_to_tensor(y_pred)
    layout = _overlap.layout(
        len(y_pred.shape),
        arguments["axis"],
        arguments["class_axis"],
        classes_always_kept,
    )
    options = dict(
        from_logits=arguments["from_logits"],
        exclude_classes=arguments["exclude_classes"],
        squared_pred=arguments.get("squared_pred", False),
    )
    if sparse:
        options["ignore_class"] = arguments["ignore_class"]
    stats = _overlap.statistics(y_true, y_pred, layout, sparse, **options)
    return layout, stats


def _overlap_loss(y_true, y_pred, set_loss, *, sparse, arguments):
    """The loss of each set, `set_loss(Statistics)`, class weights applied."""
    layout, stats = _statistics(y_true, y_pred, sparse, arguments)
    loss = _overlap.class_weighted(
        set_loss(stats),
        arguments["class_weight"],
        arguments["exclude_classes"],
        layout,
        arguments["axis"],
        stats.classes,
    )
    return _overlap.finish(loss, stats, layout)


def _one_minus(terms, arguments, **term_args):
    """The loss `1 - index` of each set, from `terms(stats) = (d - n, d)`."""
    smooth_nr, smooth_dr = arguments["smooth_nr"], arguments["smooth_dr"]

    def set_loss(stats):
        mismatch, denominator = terms(stats, **term_args)
        return (mismatch + (smooth_dr - smooth_nr)) / (denominator + smooth_dr)

    return set_loss


@hyperparameters(**_DENSE, squared_pred=boolean)
def dice(
    y_true,
    y_pred,
    *,
    from_logits=False,
    axis=None,
    class_axis=None,
    class_weight=None,
    exclude_classes=None,
    smooth_nr=1e-7,
    smooth_dr=1e-7,
    squared_pred=False,
):
    """Dice loss (Sørensen-Dice, Milletari et al., 2016) of each set.

    With `tp = sum(t * p)`, `true_sum = sum(t)` and `pred_sum = sum(p)` over
    the elements of a set (`axis`), `t` the labels and `p` the
    probabilities,

        loss = 1 - (2 * tp + smooth_nr) / (true_sum + pred_sum + smooth_dr)

    With `squared_pred=True`, `pred_sum = sum(p ** 2)` (V-Net's form, MONAI's
    option). With the defaults it equals `keras.losses.dice`, except that an
    empty label predicted empty gives 0 (Keras: 1). Probabilities are used
    as given, neither clipped nor normalised, as Keras does.

    Args:
        y_true: Labels (0/1 or soft), the shape of `y_pred`.
        y_pred: Probabilities, or logits if `from_logits=True`.
        from_logits: Whether `y_pred` holds logits: a sigmoid per element,
            or a softmax over `class_axis` when it is set.
        axis: The axes summed into one set: None (every axis, one value for
            the batch), an int or a sequence of ints. Defaults to None.
        class_axis: None (channels are independent) or the axis of
            exclusive classes.
        class_weight: None or one weight per class along `class_axis`,
            multiplying each class's loss (the class axis must not be in
            `axis`).
        exclude_classes: None or class indices along `class_axis` left out
            entirely (e.g. `[0]`, the background).
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.
        squared_pred: Whether `pred_sum` sums squared probabilities.

    Returns:
        The loss of each set: `y_pred`'s shape without `axis` (the class
        axis, if kept, without the excluded classes).

    References:
        Milletari, Navab and Ahmadi, "V-Net", 3DV 2016, arXiv:1606.04797.
        Dice, "Measures of the amount of ecologic association between
        species", Ecology 26(3), 1945.

    Examples:
        One set per row: `tp = 0.9 + 0.6`, `true_sum = 2`,
        `pred_sum = 1.8`, so the loss is `1 - 3 / 3.8`.

        >>> loss = keras_losses.dice(
        ...     [[1.0, 1.0, 0.0, 0.0]], [[0.9, 0.6, 0.2, 0.1]], axis=-1
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.2105]
    """
    arguments = validate(dice, locals())
    set_loss = _one_minus(_dice_terms, arguments)
    return _overlap_loss(
        y_true, y_pred, set_loss, sparse=False, arguments=arguments
    )


@hyperparameters(**_SPARSE, squared_pred=boolean)
def sparse_dice(
    y_true,
    y_pred,
    *,
    from_logits=False,
    axis=None,
    class_axis=-1,
    class_weight=None,
    exclude_classes=None,
    ignore_class=None,
    smooth_nr=1e-7,
    smooth_dr=1e-7,
    squared_pred=False,
):
    """Dice loss with integer labels: `dice` on their one-hot form.

    Equal to `dice(one_hot(y_true), y_pred, class_axis=class_axis, ...)` for
    every argument, with no one-hot tensor to build. Elements labelled
    `ignore_class` count in no statistic; a set made only of them has loss
    0 and is masked out of Keras's mean. A label outside `[0, C)` that is
    not `ignore_class` makes its set's loss NaN. With `from_logits=True`
    the classes get a softmax.

    Args:
        y_true: Integer labels, `y_pred`'s shape without `class_axis` (or
            with a 1 in its place).
        y_pred: Probabilities, or logits if `from_logits=True`.
        from_logits: Whether `y_pred` holds logits (softmax over classes).
        axis: The axes of `y_pred` summed into one set, as in `dice`;
            including `class_axis` pools the classes.
        class_axis: The class axis of `y_pred`. Defaults to -1.
        class_weight: None or one weight per class, as in `dice`.
        exclude_classes: None or class indices left out, as in `dice`.
        ignore_class: None or a label value that counts nowhere.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.
        squared_pred: Whether `pred_sum` sums squared probabilities.

    Returns:
        The loss of each set: `y_pred`'s shape without `axis`.

    References:
        Milletari, Navab and Ahmadi, "V-Net", 3DV 2016, arXiv:1606.04797.

    Examples:
        Per image and class (`axis=1` sums the pixels): class 0 has
        `tp = 0.8`, `true_sum = 1`, `pred_sum = 0.8 + 0.3`; class 1
        `tp = 0.7`, `true_sum = 1`, `pred_sum = 0.2 + 0.7`.

        >>> loss = keras_losses.sparse_dice(
        ...     [[0, 1]], [[[0.8, 0.2], [0.3, 0.7]]], axis=1
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [[0.2381 0.2632]]
    """
    arguments = validate(sparse_dice, locals())
    set_loss = _one_minus(_dice_terms, arguments)
    return _overlap_loss(
        y_true, y_pred, set_loss, sparse=True, arguments=arguments
    )


@hyperparameters(**_DENSE, squared_pred=boolean)
def jaccard(
    y_true,
    y_pred,
    *,
    from_logits=False,
    axis=None,
    class_axis=None,
    class_weight=None,
    exclude_classes=None,
    smooth_nr=1e-7,
    smooth_dr=1e-7,
    squared_pred=False,
):
    """Soft Jaccard (IoU) loss of each set.

    With the statistics of `dice`,

        loss = 1 - (tp + smooth_nr) / (true_sum + pred_sum - tp + smooth_dr)

    (Rahman and Wang, 2016). MONAI's `DiceLoss(jaccard=True)` is
    `1 - (2 tp + s_nr) / (2 (true_sum + pred_sum - tp) + s_dr)`: this loss
    with `smooth_nr = s_nr / 2` and `smooth_dr = s_dr / 2`. Arguments as in
    `dice`.

    Args:
        y_true: Labels (0/1 or soft), the shape of `y_pred`.
        y_pred: Probabilities, or logits if `from_logits=True`.
        from_logits: Whether `y_pred` holds logits (see `dice`).
        axis: The axes summed into one set (see `dice`).
        class_axis: None or the axis of exclusive classes.
        class_weight: None or one weight per class.
        exclude_classes: None or class indices left out.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.
        squared_pred: Whether `pred_sum` sums squared probabilities.

    Returns:
        The loss of each set: `y_pred`'s shape without `axis`.

    References:
        Rahman and Wang, "Optimizing Intersection-Over-Union in Deep Neural
        Networks for Image Segmentation", ISVC 2016.

    Examples:
        `tp = 1.5`, union `2 + 1.8 - 1.5 = 2.3`: the loss is `1 - 1.5 / 2.3`.

        >>> loss = keras_losses.jaccard(
        ...     [[1.0, 1.0, 0.0, 0.0]], [[0.9, 0.6, 0.2, 0.1]], axis=-1
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.3478]
    """
    arguments = validate(jaccard, locals())
    set_loss = _one_minus(_jaccard_terms, arguments)
    return _overlap_loss(
        y_true, y_pred, set_loss, sparse=False, arguments=arguments
    )


@hyperparameters(**_SPARSE, squared_pred=boolean)
def sparse_jaccard(
    y_true,
    y_pred,
    *,
    from_logits=False,
    axis=None,
    class_axis=-1,
    class_weight=None,
    exclude_classes=None,
    ignore_class=None,
    smooth_nr=1e-7,
    smooth_dr=1e-7,
    squared_pred=False,
):
    """Soft Jaccard loss with integer labels: `jaccard` on their one-hot form.

    Labels, `ignore_class` and bad labels as in `sparse_dice`.

    Args:
        y_true: Integer labels, `y_pred`'s shape without `class_axis`.
        y_pred: Probabilities, or logits if `from_logits=True`.
        from_logits: Whether `y_pred` holds logits (softmax over classes).
        axis: The axes of `y_pred` summed into one set.
        class_axis: The class axis of `y_pred`. Defaults to -1.
        class_weight: None or one weight per class.
        exclude_classes: None or class indices left out.
        ignore_class: None or a label value that counts nowhere.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.
        squared_pred: Whether `pred_sum` sums squared probabilities.

    Returns:
        The loss of each set: `y_pred`'s shape without `axis`.

    References:
        Rahman and Wang, "Optimizing Intersection-Over-Union in Deep Neural
        Networks for Image Segmentation", ISVC 2016.

    Examples:
        Classes pooled over one image of two pixels: `tp = 0.8 + 0.7`,
        union `2 + 2 - 1.5`.

        >>> loss = keras_losses.sparse_jaccard(
        ...     [[0, 1]], [[[0.8, 0.2], [0.3, 0.7]]], axis=(1, 2)
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.4]
    """
    arguments = validate(sparse_jaccard, locals())
    set_loss = _one_minus(_jaccard_terms, arguments)
    return _overlap_loss(
        y_true, y_pred, set_loss, sparse=True, arguments=arguments
    )


_TVERSKY = dict(alpha=real_at_least(0), beta=real_at_least(0))


@hyperparameters(**_TVERSKY, **_DENSE)
def tversky(
    y_true,
    y_pred,
    *,
    alpha=0.5,
    beta=0.5,
    from_logits=False,
    axis=None,
    class_axis=None,
    class_weight=None,
    exclude_classes=None,
    smooth_nr=1e-7,
    smooth_dr=1e-7,
):
    """Tversky loss (Salehi et al., 2017): Dice with FP and FN weighed apart.

    With `fp = pred_sum - tp = sum((1 - t) * p)` and
    `fn = true_sum - tp = sum(t * (1 - p))` over a set,

        loss = 1 - (tp + smooth_nr) / (tp + alpha * fp + beta * fn + smooth_dr)

    `alpha` weights false positives and `beta` false negatives, as in the
    paper and Keras's docstring (Keras 3.15.1's code applies `alpha` to
    false negatives; its `Tversky(alpha=a, beta=b)` is this loss with
    `alpha=b, beta=a`). `alpha = beta = 0.5` is `dice`. Other arguments as
    in `dice`.

    Args:
        y_true: Labels (0/1 or soft), the shape of `y_pred`.
        y_pred: Probabilities, or logits if `from_logits=True`.
        alpha: Weight of false positives, >= 0. Defaults to 0.5.
        beta: Weight of false negatives, >= 0. Defaults to 0.5.
        from_logits: Whether `y_pred` holds logits (see `dice`).
        axis: The axes summed into one set (see `dice`).
        class_axis: None or the axis of exclusive classes.
        class_weight: None or one weight per class.
        exclude_classes: None or class indices left out.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.

    Returns:
        The loss of each set: `y_pred`'s shape without `axis`.

    References:
        Salehi, Erdogmus and Gholipour, "Tversky loss function for image
        segmentation using 3D fully convolutional deep networks", MLMI
        2017, arXiv:1706.05721.

    Examples:
        `tp = 1.5`, `fp = 0.3`, `fn = 0.5`: with `beta = 0.7` the loss is
        `1 - 1.5 / (1.5 + 0.3 * 0.3 + 0.7 * 0.5)`.

        >>> loss = keras_losses.tversky(
        ...     [[1.0, 1.0, 0.0, 0.0]],
        ...     [[0.9, 0.6, 0.2, 0.1]],
        ...     alpha=0.3,
        ...     beta=0.7,
        ...     axis=-1,
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.2268]
    """
    arguments = validate(tversky, locals())
    set_loss = _one_minus(_tversky_terms, arguments, alpha=alpha, beta=beta)
    return _overlap_loss(
        y_true, y_pred, set_loss, sparse=False, arguments=arguments
    )


@hyperparameters(**_TVERSKY, **_SPARSE)
def sparse_tversky(
    y_true,
    y_pred,
    *,
    alpha=0.5,
    beta=0.5,
    from_logits=False,
    axis=None,
    class_axis=-1,
    class_weight=None,
    exclude_classes=None,
    ignore_class=None,
    smooth_nr=1e-7,
    smooth_dr=1e-7,
):
    """Tversky loss with integer labels: `tversky` on their one-hot form.

    Labels, `ignore_class` and bad labels as in `sparse_dice`.

    Args:
        y_true: Integer labels, `y_pred`'s shape without `class_axis`.
        y_pred: Probabilities, or logits if `from_logits=True`.
        alpha: Weight of false positives, >= 0. Defaults to 0.5.
        beta: Weight of false negatives, >= 0. Defaults to 0.5.
        from_logits: Whether `y_pred` holds logits (softmax over classes).
        axis: The axes of `y_pred` summed into one set.
        class_axis: The class axis of `y_pred`. Defaults to -1.
        class_weight: None or one weight per class.
        exclude_classes: None or class indices left out.
        ignore_class: None or a label value that counts nowhere.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.

    Returns:
        The loss of each set: `y_pred`'s shape without `axis`.

    References:
        Salehi, Erdogmus and Gholipour, MLMI 2017, arXiv:1706.05721.

    Examples:
        Class 1 of the image only (`exclude_classes=[0]`): `tp = 0.7`,
        `fp = 0.2`, `fn = 0.3`.

        >>> loss = keras_losses.sparse_tversky(
        ...     [[0, 1]],
        ...     [[[0.8, 0.2], [0.3, 0.7]]],
        ...     alpha=0.3,
        ...     beta=0.7,
        ...     axis=1,
        ...     exclude_classes=[0],
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [[0.2784]]
    """
    arguments = validate(sparse_tversky, locals())
    set_loss = _one_minus(_tversky_terms, arguments, alpha=alpha, beta=beta)
    return _overlap_loss(
        y_true, y_pred, set_loss, sparse=True, arguments=arguments
    )


def _focal_tversky_loss(arguments, alpha, beta, gamma):
    tversky_loss = _one_minus(_tversky_terms, arguments, alpha=alpha, beta=beta)
    return lambda stats: _power(tversky_loss(stats), gamma)


_FOCAL_TVERSKY = dict(_TVERSKY, gamma=real_at_least(0))


@hyperparameters(**_FOCAL_TVERSKY, **_DENSE)
def focal_tversky(
    y_true,
    y_pred,
    *,
    alpha=0.3,
    beta=0.7,
    gamma=0.75,
    from_logits=False,
    axis=None,
    class_axis=None,
    class_weight=None,
    exclude_classes=None,
    smooth_nr=1e-7,
    smooth_dr=1e-7,
):
    """Focal Tversky loss (Abraham and Khan, 2019) of each set.

        loss = tversky_loss ** gamma

    with `tversky_loss` as in `tversky`. The exponent convention: the
    paper writes `(1 - TI) ** (1 / gamma')` with `gamma'` in [1, 3] and its
    best results at `gamma' = 4/3`; here `gamma` is the exponent itself,
    `1 / gamma'`, so that `gamma = 1` is the Tversky loss and the default
    0.75 is the paper's choice. (MONAI has no focal Tversky loss.) Likewise
    the paper's `alpha = 0.7` weights false negatives: here that is
    `beta = 0.7`, with `alpha = 0.3` on false positives. For `gamma < 1` the
    derivative of `x ** gamma` is infinite at a perfect set (`x = 0`); the
    gradient there is 0 (the minimum) rather than NaN.

    Args:
        y_true: Labels (0/1 or soft), the shape of `y_pred`.
        y_pred: Probabilities, or logits if `from_logits=True`.
        alpha: Weight of false positives, >= 0. Defaults to 0.3.
        beta: Weight of false negatives, >= 0. Defaults to 0.7.
        gamma: The exponent, >= 0. Defaults to 0.75.
        from_logits: Whether `y_pred` holds logits (see `dice`).
        axis: The axes summed into one set (see `dice`).
        class_axis: None or the axis of exclusive classes.
        class_weight: None or one weight per class.
        exclude_classes: None or class indices left out.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.

    Returns:
        The loss of each set: `y_pred`'s shape without `axis`.

    References:
        Abraham and Khan, "A Novel Focal Tversky loss function with
        improved Attention U-Net for lesion segmentation", ISBI 2019,
        arXiv:1810.07842.

    Examples:
        The Tversky loss of `tversky`'s example, 0.226804, to the power
        0.75.

        >>> loss = keras_losses.focal_tversky(
        ...     [[1.0, 1.0, 0.0, 0.0]], [[0.9, 0.6, 0.2, 0.1]], axis=-1
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.3287]
    """
    arguments = validate(focal_tversky, locals())
    set_loss = _focal_tversky_loss(arguments, alpha, beta, gamma)
    return _overlap_loss(
        y_true, y_pred, set_loss, sparse=False, arguments=arguments
    )


@hyperparameters(**_FOCAL_TVERSKY, **_SPARSE)
def sparse_focal_tversky(
    y_true,
    y_pred,
    *,
    alpha=0.3,
    beta=0.7,
    gamma=0.75,
    from_logits=False,
    axis=None,
    class_axis=-1,
    class_weight=None,
    exclude_classes=None,
    ignore_class=None,
    smooth_nr=1e-7,
    smooth_dr=1e-7,
):
    """Focal Tversky loss with integer labels, on their one-hot form.

    Labels, `ignore_class` and bad labels as in `sparse_dice`; the loss as
    in `focal_tversky`.

    Args:
        y_true: Integer labels, `y_pred`'s shape without `class_axis`.
        y_pred: Probabilities, or logits if `from_logits=True`.
        alpha: Weight of false positives, >= 0. Defaults to 0.3.
        beta: Weight of false negatives, >= 0. Defaults to 0.7.
        gamma: The exponent, >= 0. Defaults to 0.75.
        from_logits: Whether `y_pred` holds logits (softmax over classes).
        axis: The axes of `y_pred` summed into one set.
        class_axis: The class axis of `y_pred`. Defaults to -1.
        class_weight: None or one weight per class.
        exclude_classes: None or class indices left out.
        ignore_class: None or a label value that counts nowhere.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.

    Returns:
        The loss of each set: `y_pred`'s shape without `axis`.

    References:
        Abraham and Khan, ISBI 2019, arXiv:1810.07842.

    Examples:
        `sparse_tversky`'s example, 0.278351, to the power 0.75.

        >>> loss = keras_losses.sparse_focal_tversky(
        ...     [[0, 1]],
        ...     [[[0.8, 0.2], [0.3, 0.7]]],
        ...     axis=1,
        ...     exclude_classes=[0],
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [[0.3832]]
    """
    arguments = validate(sparse_focal_tversky, locals())
    set_loss = _focal_tversky_loss(arguments, alpha, beta, gamma)
    return _overlap_loss(
        y_true, y_pred, set_loss, sparse=True, arguments=arguments
    )


def _generalized_dice_loss(arguments):
    weighting = arguments["weighting"]

    def set_loss(stats):
        present = stats.true_sum > 0
        count = ops.where(present, stats.true_sum, 1.0)
        if weighting == "uniform":
            weight = ops.ones_like(count)
        else:
            weight = 1.0 / (
                ops.square(count) if weighting == "square" else count
            )
            # A class absent from a set would weigh 1 / 0: it takes the
            # largest weight of the set's present classes instead (MONAI's
            # rule), 0 if none is present.
            weight = ops.where(present, weight, 0.0)
            largest = ops.max(weight, axis=-1, keepdims=True, initial=0.0)
            weight = ops.where(present, weight, largest)
        numerator = 2.0 * ops.sum(weight * stats.tp, axis=-1)
        denominator = ops.sum(weight * (stats.true_sum + stats.pred_sum), -1)
        return 1.0 - (numerator + arguments["smooth_nr"]) / (
            denominator + arguments["smooth_dr"]
        )

    return set_loss


def _generalized_dice(y_true, y_pred, sparse, arguments):
    layout, stats = _statistics(
        y_true, y_pred, sparse, arguments, classes_always_kept=True
    )
    loss = _generalized_dice_loss(arguments)(stats)
    return _overlap.finish(loss, stats, layout, classes_in_loss=False)


_GENERALIZED = dict(
    weighting=one_of("square", "simple", "uniform"),
    from_logits=boolean,
    axis=optional_axes,
    class_axis=integer,
    exclude_classes=class_indices,
    smooth_nr=_SMOOTH,
    smooth_dr=_SMOOTH,
)


@hyperparameters(**_GENERALIZED)
def generalized_dice(
    y_true,
    y_pred,
    *,
    weighting="square",
    from_logits=False,
    axis=None,
    class_axis=-1,
    exclude_classes=None,
    smooth_nr=1e-7,
    smooth_dr=1e-7,
):
    """Generalized Dice loss (Sudre et al., 2017) of each set.

    With per-class statistics `tp_c`, `true_sum_c`, `pred_sum_c` of a set
    (`axis`; the classes are never summed by it, this loss combines them),

        loss = 1 - (2 * sum_c w_c * tp_c + smooth_nr)
                   / (sum_c w_c * (true_sum_c + pred_sum_c) + smooth_dr)

    with `w_c = 1 / true_sum_c ** 2` (`weighting="square"`, the paper's),
    `1 / true_sum_c` (`"simple"`) or 1 (`"uniform"`). A class absent from a
    set's labels takes the largest weight of the set's present classes
    (MONAI's rule; `"uniform"` weights stay 1), so the loss stays finite;
    a set with no class present is decided by the smoothing (0 for an
    empty prediction).

    Args:
        y_true: Labels (0/1 or soft), the shape of `y_pred`.
        y_pred: Probabilities, or logits if `from_logits=True` (softmax
            over `class_axis`).
        weighting: `"square"`, `"simple"` or `"uniform"`.
        from_logits: Whether `y_pred` holds logits.
        axis: The axes summed into one set (None: every axis).
        class_axis: The class axis. Defaults to -1.
        exclude_classes: None or class indices left out.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.

    Returns:
        The loss of each set: `y_pred`'s shape without `axis` and without
        `class_axis`.

    References:
        Sudre, Li, Vercauteren, Ourselin and Cardoso, "Generalised Dice
        overlap as a deep learning loss function for highly unbalanced
        segmentations", DLMIA 2017, arXiv:1707.03237.

    Examples:
        One image, two pixels, classes 0 and 1 each once: both weights are
        1, so `1 - 2 * (0.8 + 0.7) / (2 + 2)`.

        >>> loss = keras_losses.generalized_dice(
        ...     [[[1.0, 0.0], [0.0, 1.0]]], [[[0.8, 0.2], [0.3, 0.7]]], axis=1
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.25]
    """
    arguments = validate(generalized_dice, locals())
    return _generalized_dice(y_true, y_pred, False, arguments)


@hyperparameters(**_GENERALIZED, ignore_class=optional_integer)
def sparse_generalized_dice(
    y_true,
    y_pred,
    *,
    weighting="square",
    from_logits=False,
    axis=None,
    class_axis=-1,
    exclude_classes=None,
    ignore_class=None,
    smooth_nr=1e-7,
    smooth_dr=1e-7,
):
    """Generalized Dice loss with integer labels, on their one-hot form.

    Labels, `ignore_class` and bad labels as in `sparse_dice`; the loss as
    in `generalized_dice`.

    Args:
        y_true: Integer labels, `y_pred`'s shape without `class_axis`.
        y_pred: Probabilities, or logits if `from_logits=True`.
        weighting: `"square"`, `"simple"` or `"uniform"`.
        from_logits: Whether `y_pred` holds logits (softmax over classes).
        axis: The axes of `y_pred` summed into one set.
        class_axis: The class axis of `y_pred`. Defaults to -1.
        exclude_classes: None or class indices left out.
        ignore_class: None or a label value that counts nowhere.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.

    Returns:
        The loss of each set: `y_pred`'s shape without `axis` and without
        `class_axis`.

    References:
        Sudre et al., DLMIA 2017, arXiv:1707.03237.

    Examples:
        >>> loss = keras_losses.sparse_generalized_dice(
        ...     [[0, 1]], [[[0.8, 0.2], [0.3, 0.7]]], axis=1
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.25]
    """
    arguments = validate(sparse_generalized_dice, locals())
    return _generalized_dice(y_true, y_pred, True, arguments)


def _lovasz_finish(loss, kept_shape, valid, bad, dtype, layout):
    loss = ops.reshape(loss, kept_shape)
    stats = _overlap.Statistics(None, None, None, valid, bad, dtype)
    return _overlap.finish(loss, stats, layout, classes_in_loss=False)


@hyperparameters(
    classes=one_of("present", "all"),
    from_logits=boolean,
    axis=optional_axes,
    class_axis=integer,
    exclude_classes=class_indices,
    ignore_class=optional_integer,
)
def lovasz_softmax(
    y_true,
    y_pred,
    *,
    classes="present",
    from_logits=False,
    axis=None,
    class_axis=-1,
    exclude_classes=None,
    ignore_class=None,
):
    """Lovász-Softmax loss (Berman et al., 2018): a convex surrogate of IoU.

    For each set (`axis`) and class `c`, with `e_i = |[y_i = c] - p_ic|`
    over the set's elements sorted so that `e_(1) >= e_(2) >= ...`,

        loss_c = sum_i e_(i) * (J(i) - J(i - 1))

    where `J(i)` is the Jaccard loss of class `c` when the first `i`
    elements are wrong: the Lovász extension of the Jaccard loss, equal to
    it on hard predictions. A set's loss is the mean of `loss_c` over the
    classes present in its labels (`classes="present"`, Berman's default;
    0 if none) or over all classes (`"all"`), in both cases without
    `exclude_classes` (Berman's `classes` given as a list: the others).
    Berman's `per_image=True` is `axis` = every axis but the batch and class
    axes; `per_image=False` is `axis=None`. Elements labelled
    `ignore_class` are left out. Sorting is `keras.ops.argsort`, so the
    loss jit-compiles on every backend.

    Args:
        y_true: Integer labels, `y_pred`'s shape without `class_axis` (or
            with a 1 in its place).
        y_pred: Probabilities, or logits if `from_logits=True` (softmax).
        classes: `"present"` or `"all"`: the classes averaged.
        from_logits: Whether `y_pred` holds logits.
        axis: The axes of `y_pred` whose elements form one set (None:
            every axis, one value for the batch). The class axis is never
            part of a set.
        class_axis: The class axis of `y_pred`. Defaults to -1.
        exclude_classes: None or class indices left out of the mean (e.g.
            `[0]`, the background).
        ignore_class: None or a label value that counts nowhere.

    Returns:
        The loss of each set: `y_pred`'s shape without `axis` and without
        `class_axis`.

    References:
        Berman, Triki and Blaschko, "The Lovász-Softmax loss: A tractable
        surrogate for the optimization of the intersection-over-union
        measure in neural networks", CVPR 2018, arXiv:1705.08790.

    Examples:
        Hard predictions: the loss is the mean Jaccard loss of the present
        classes, here class 0 (IoU 1/2) and class 1 (IoU 1/2).

        >>> loss = keras_losses.lovasz_softmax(
        ...     [[0, 1, 1]], [[[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]], axis=1
        ... )
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.5]
    """
    validate(lovasz_softmax, locals())
    y_pred = ops.convert_to_tensor(y_pred)
    layout = _overlap.layout(
        len(y_pred.shape), axis, class_axis, classes_always_kept=True
    )
    targets = _tensors.sparse_targets(y_true, y_pred, class_axis, ignore_class)
    p = _overlap.probabilities(targets.y_pred, from_logits, -1)
    _tensors.check_several_classes(p, -1)
    valid = ops.cast(targets.in_range, p.dtype)
    count = _tensors.num_classes(p, -1)
    fg = ops.one_hot(targets.labels, count, dtype=p.dtype)
    fg = fg * ops.expand_dims(valid, -1)
    errors = ops.abs(fg - p) * ops.expand_dims(valid, -1)
    rank = len(targets.labels.shape)
    axes = _overlap.without_class(layout.set_axes, layout.class_axis)
    fg, kept_shape = _overlap.element_sets(fg, axes, rank)
    errors, _ = _overlap.element_sets(errors, axes, rank)
    # (sets, classes, elements): each class's errors sorted on their own.
    fg, errors = ops.swapaxes(fg, 1, 2), ops.swapaxes(errors, 1, 2)
    per_class = _overlap.lovasz_extension(errors, fg)
    if classes == "present":
        averaged = ops.cast(ops.sum(fg, axis=-1) > 0, p.dtype)
    else:
        averaged = ops.ones_like(per_class)
    if exclude_classes:
        _overlap.check_classes(exclude_classes, count)
        index = ops.arange(count, dtype="int32")
        for excluded in exclude_classes:
            averaged = averaged * ops.cast(index != excluded, p.dtype)
    loss = ops.sum(per_class * averaged, axis=-1) / ops.maximum(
        ops.sum(averaged, axis=-1), 1.0
    )
    bad = ops.logical_not(targets.in_range)
    if targets.ignored is not None:
        bad = ops.logical_and(bad, ops.logical_not(targets.ignored))
    return _lovasz_finish(
        loss,
        kept_shape,
        None if ignore_class is None else ops.sum(valid, axis=axes),
        ops.any(bad, axis=axes),
        targets.dtype,
        layout,
    )


@hyperparameters(axis=optional_axes, ignore_class=optional_integer)
def lovasz_hinge(y_true, y_pred, *, axis=None, ignore_class=None):
    """Lovász hinge loss (Berman et al., 2018) for binary segmentation.

    For each set (`axis`), with signs `s_i = 2 y_i - 1` and hinge errors
    `e_i = 1 - s_i * y_pred_i` sorted so that `e_(1) >= e_(2) >= ...`,

        loss = sum_i max(e_(i), 0) * (J(i) - J(i - 1))

    with `J` the Jaccard loss of the positive class, as in
    `lovasz_softmax`. `y_pred` holds real-valued scores (logits): the hinge
    is defined on them, so there is no `from_logits`. Berman's
    `per_image=True` (his default) is `axis` = every axis but the batch;
    `per_image=False` is `axis=None`. Elements labelled `ignore_class` are
    left out; a label that is neither 0, 1 nor `ignore_class` makes its
    set's loss NaN.

    Args:
        y_true: Labels 0 or 1 (or `ignore_class`), the shape of `y_pred`.
        y_pred: Scores (logits), any real numbers.
        axis: The axes whose elements form one set (None: every axis).
        ignore_class: None or a label value that counts nowhere.

    Returns:
        The loss of each set: `y_pred`'s shape without `axis`.

    References:
        Berman, Triki and Blaschko, CVPR 2018, arXiv:1705.08790.

    Examples:
        Errors `1 - 2 = -1` (right, margin 2) and `1 + 0.5 = 1.5` (a wrong
        negative). Sorted: (1.5, -1) with labels (0, 1). Getting the first
        wrong is one false positive beside one true positive, Jaccard loss
        1/2; both wrong, 1. The gradient is (1/2, 1/2), the loss
        `1.5 * 1/2`.

        >>> loss = keras_losses.lovasz_hinge([[1.0, 0.0]], [[2.0, 0.5]], axis=1)
        >>> print(np.round(keras.ops.convert_to_numpy(loss), 4))
        [0.75]
    """
    validate(lovasz_hinge, locals())
    labels, y_pred, dtype = _tensors.paired_inputs(y_true, y_pred)
    binary = ops.logical_or(labels == 0, labels == 1)
    valid, bad = binary, ops.logical_not(binary)
    if ignore_class is not None:
        ignored = labels == ignore_class
        valid = ops.logical_and(valid, ops.logical_not(ignored))
        bad = ops.logical_and(bad, ops.logical_not(ignored))
    fg = ops.where(valid, labels, 0.0)
    errors = 1.0 - y_pred * (2.0 * fg - 1.0)
    # Left-out elements sort after every positive error and add nothing.
    errors = ops.where(valid, errors, -1.0)
    rank = len(y_pred.shape)
    layout = _overlap.layout(rank, axis, None)
    errors, kept_shape = _overlap.element_sets(errors, layout.set_axes, rank)
    fg, _ = _overlap.element_sets(fg, layout.set_axes, rank)
    loss = _overlap.lovasz_extension(ops.relu(errors), fg)
    return _lovasz_finish(
        loss,
        kept_shape,
        None
        if ignore_class is None
        else ops.sum(ops.cast(valid, y_pred.dtype), axis=layout.set_axes),
        ops.any(bad, axis=layout.set_axes),
        dtype,
        layout,
    )


class _SetLoss(_BatchStatisticLoss):
    """A loss over sets: a per-sample `sample_weight` needs per-sample sets.

    When `axis` sums over the batch axis (0), the loss of a set is a
    statistic of several samples; weighting it per sample has no meaning,
    so Keras's broadcasting of `sample_weight` against it is refused.
    """

    def pools_batch(self, rank):
        """Whether, on a rank-`rank` `y_pred`, sets span several samples."""
        layout = _overlap.layout(rank, self._hyperparameters["axis"], None)
        return 0 in layout.set_axes

    def pooled_reason(self):
        axis = self._hyperparameters["axis"]
        return (
            f"{type(self).__name__} with axis={axis} sums the batch "
            "axis (0) into its sets: its loss is a statistic of the "
            "whole batch (or of each class over it), with no value "
            "per sample for `sample_weight` to weight. Expected: "
            "sample_weight=None or a scalar, or an `axis` without 0 "
            "(e.g. axis=(1, 2) for one loss per image and class)."
        )


class Dice(_SetLoss):
    """Dice loss (Milletari et al., 2016): Keras's `Dice`, and more.

    Keras's arguments, order and defaults (`reduction`, `name`, `axis`,
    `dtype`) and values; beyond Keras: logits, exclusive classes, class
    weights and exclusion, smoothing, squared predictions. See
    `keras_losses.dice`; `keras_losses.SparseDice` takes integer labels.

    Args:
        {common_args}
        axis: The axes summed into one set: None (every axis: one value for
            the batch; `sample_weight` must then be None or a scalar), an
            int or a sequence of ints.
        from_logits: Whether `y_pred` holds logits (sigmoid per element, or
            softmax over `class_axis` when it is set).
        class_axis: None (independent channels) or the class axis.
        class_weight: None or one weight per class along `class_axis`.
        exclude_classes: None or class indices left out.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.
        squared_pred: Whether the prediction sum squares `p` (V-Net).

    Returns:
        {returns_sets}

    Examples:
        >>> loss = keras_losses.Dice(axis=(1, 2))
        >>> y_true = np.array([[[1.0], [0.0]], [[0.0], [0.0]]])
        >>> y_pred = np.array([[[0.8], [0.2]], [[0.0], [0.0]]])
        >>> print(np.round(float(loss(y_true, y_pred)), 4))
        0.1
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="dice",
        axis=None,
        dtype=None,
        from_logits=False,
        class_axis=None,
        class_weight=None,
        exclude_classes=None,
        smooth_nr=1e-7,
        smooth_dr=1e-7,
        squared_pred=False,
    ):
        super().__init__(dice, locals())


class SparseDice(_SetLoss):
    """Dice loss with integer labels: `Dice` on their one-hot form.

    See `keras_losses.sparse_dice`.

    Args:
        {common_args}
        axis: The axes of `y_pred` summed into one set (None: every axis;
            `sample_weight` must then be None or a scalar). Including
            `class_axis` pools the classes.
        from_logits: Whether `y_pred` holds logits (softmax over classes).
        class_axis: The class axis of `y_pred`. Defaults to -1.
        class_weight: None or one weight per class.
        exclude_classes: None or class indices left out (e.g. `[0]`).
        ignore_class: None or a label value that counts nowhere (e.g. 255).
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.
        squared_pred: Whether the prediction sum squares `p` (V-Net).

    Returns:
        {returns_sets}

    Examples:
        One loss per image and class, void pixels (255) left out:

        >>> loss = keras_losses.SparseDice(
        ...     axis=(1, 2), from_logits=True, ignore_class=255
        ... )
        >>> labels = np.array([[[0, 1], [1, 255]]])
        >>> logits = np.array(
        ...     [[[[9.0, 0.0], [0.0, 9.0]], [[0.0, 9.0], [5.0, 0.0]]]]
        ... )
        >>> print(np.round(float(loss(labels, logits)), 4))
        0.0001
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="sparse_dice",
        axis=None,
        dtype=None,
        from_logits=False,
        class_axis=-1,
        class_weight=None,
        exclude_classes=None,
        ignore_class=None,
        smooth_nr=1e-7,
        smooth_dr=1e-7,
        squared_pred=False,
    ):
        super().__init__(sparse_dice, locals())


class Jaccard(_SetLoss):
    """Soft Jaccard (IoU) loss; see `keras_losses.jaccard`.

    Arguments as in `keras_losses.Dice`.

    Args:
        {common_args}
        axis: The axes summed into one set (None: every axis, one value for
            the batch; `sample_weight` must then be None or a scalar).
        from_logits: Whether `y_pred` holds logits (sigmoid, or softmax
            over `class_axis`).
        class_axis: None (independent channels) or the class axis.
        class_weight: None or one weight per class along `class_axis`.
        exclude_classes: None or class indices left out.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.
        squared_pred: Whether the prediction sum squares `p`.

    Returns:
        {returns_sets}

    Examples:
        >>> loss = keras_losses.Jaccard(axis=-1)
        >>> y_true = np.array([[1.0, 1.0, 0.0, 0.0]])
        >>> print(np.round(float(loss(y_true, [[0.9, 0.6, 0.2, 0.1]])), 4))
        0.3478
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="jaccard",
        axis=None,
        dtype=None,
        from_logits=False,
        class_axis=None,
        class_weight=None,
        exclude_classes=None,
        smooth_nr=1e-7,
        smooth_dr=1e-7,
        squared_pred=False,
    ):
        super().__init__(jaccard, locals())


class SparseJaccard(_SetLoss):
    """Soft Jaccard loss with integer labels; see `keras_losses.sparse_jaccard`.

    Arguments as in `keras_losses.SparseDice`.

    Args:
        {common_args}
        axis: The axes of `y_pred` summed into one set (None: every axis).
        from_logits: Whether `y_pred` holds logits (softmax over classes).
        class_axis: The class axis of `y_pred`. Defaults to -1.
        class_weight: None or one weight per class.
        exclude_classes: None or class indices left out.
        ignore_class: None or a label value that counts nowhere.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.
        squared_pred: Whether the prediction sum squares `p`.

    Returns:
        {returns_sets}

    Examples:
        >>> loss = keras_losses.SparseJaccard(axis=(1, 2))
        >>> y_pred = [[[0.8, 0.2], [0.3, 0.7]]]
        >>> print(np.round(float(loss([[0, 1]], y_pred)), 4))
        0.4
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="sparse_jaccard",
        axis=None,
        dtype=None,
        from_logits=False,
        class_axis=-1,
        class_weight=None,
        exclude_classes=None,
        ignore_class=None,
        smooth_nr=1e-7,
        smooth_dr=1e-7,
        squared_pred=False,
    ):
        super().__init__(sparse_jaccard, locals())


class Tversky(_SetLoss):
    """Tversky loss (Salehi et al., 2017): Keras's `Tversky`, and more.

    Keras's arguments, order and defaults (`alpha`, `beta`, `reduction`,
    `name`, `axis`, `dtype`). `alpha` weights false positives and `beta`
    false negatives, as Keras's docstring and the paper say; Keras 3.15.1's
    code swaps them. See `keras_losses.tversky`.

    Args:
        alpha: Weight of false positives, >= 0. Defaults to 0.5.
        beta: Weight of false negatives, >= 0. Defaults to 0.5.
        {common_args}
        axis: The axes summed into one set (None: every axis, one value for
            the batch; `sample_weight` must then be None or a scalar).
        from_logits: Whether `y_pred` holds logits (sigmoid, or softmax
            over `class_axis`).
        class_axis: None (independent channels) or the class axis.
        class_weight: None or one weight per class along `class_axis`.
        exclude_classes: None or class indices left out.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.

    Returns:
        {returns_sets}

    Examples:
        >>> loss = keras_losses.Tversky(alpha=0.3, beta=0.7, axis=-1)
        >>> y_true = np.array([[1.0, 1.0, 0.0, 0.0]])
        >>> print(np.round(float(loss(y_true, [[0.9, 0.6, 0.2, 0.1]])), 4))
        0.2268
    """

    def __init__(
        self,
        alpha=0.5,
        beta=0.5,
        reduction="sum_over_batch_size",
        name="tversky",
        axis=None,
        dtype=None,
        from_logits=False,
        class_axis=None,
        class_weight=None,
        exclude_classes=None,
        smooth_nr=1e-7,
        smooth_dr=1e-7,
    ):
        super().__init__(tversky, locals())


class SparseTversky(_SetLoss):
    """Tversky loss with integer labels; see `keras_losses.sparse_tversky`.

    Args:
        alpha: Weight of false positives, >= 0. Defaults to 0.5.
        beta: Weight of false negatives, >= 0. Defaults to 0.5.
        {common_args}
        axis: The axes of `y_pred` summed into one set (None: every axis).
        from_logits: Whether `y_pred` holds logits (softmax over classes).
        class_axis: The class axis of `y_pred`. Defaults to -1.
        class_weight: None or one weight per class.
        exclude_classes: None or class indices left out.
        ignore_class: None or a label value that counts nowhere.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.

    Returns:
        {returns_sets}

    Examples:
        >>> loss = keras_losses.SparseTversky(
        ...     alpha=0.3, beta=0.7, axis=1, exclude_classes=[0]
        ... )
        >>> y_pred = [[[0.8, 0.2], [0.3, 0.7]]]
        >>> print(np.round(float(loss([[0, 1]], y_pred)), 4))
        0.2784
    """

    def __init__(
        self,
        alpha=0.5,
        beta=0.5,
        reduction="sum_over_batch_size",
        name="sparse_tversky",
        axis=None,
        dtype=None,
        from_logits=False,
        class_axis=-1,
        class_weight=None,
        exclude_classes=None,
        ignore_class=None,
        smooth_nr=1e-7,
        smooth_dr=1e-7,
    ):
        super().__init__(sparse_tversky, locals())


class FocalTversky(_SetLoss):
    """Focal Tversky loss (Abraham and Khan, 2019): `Tversky ** gamma`.

    See `keras_losses.focal_tversky` for the exponent convention.

    Args:
        alpha: Weight of false positives, >= 0. Defaults to 0.3.
        beta: Weight of false negatives, >= 0. Defaults to 0.7.
        gamma: The exponent, >= 0. Defaults to 0.75.
        {common_args}
        axis: The axes summed into one set (None: every axis, one value for
            the batch; `sample_weight` must then be None or a scalar).
        from_logits: Whether `y_pred` holds logits (sigmoid, or softmax
            over `class_axis`).
        class_axis: None (independent channels) or the class axis.
        class_weight: None or one weight per class along `class_axis`.
        exclude_classes: None or class indices left out.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.

    Returns:
        {returns_sets}

    Examples:
        >>> loss = keras_losses.FocalTversky(axis=-1)
        >>> y_true = np.array([[1.0, 1.0, 0.0, 0.0]])
        >>> print(np.round(float(loss(y_true, [[0.9, 0.6, 0.2, 0.1]])), 4))
        0.3287
    """

    def __init__(
        self,
        alpha=0.3,
        beta=0.7,
        gamma=0.75,
        reduction="sum_over_batch_size",
        name="focal_tversky",
        axis=None,
        dtype=None,
        from_logits=False,
        class_axis=None,
        class_weight=None,
        exclude_classes=None,
        smooth_nr=1e-7,
        smooth_dr=1e-7,
    ):
        super().__init__(focal_tversky, locals())


class SparseFocalTversky(_SetLoss):
    """Focal Tversky loss with integer labels.

    See `keras_losses.sparse_focal_tversky`.

    Args:
        alpha: Weight of false positives, >= 0. Defaults to 0.3.
        beta: Weight of false negatives, >= 0. Defaults to 0.7.
        gamma: The exponent, >= 0. Defaults to 0.75.
        {common_args}
        axis: The axes of `y_pred` summed into one set (None: every axis).
        from_logits: Whether `y_pred` holds logits (softmax over classes).
        class_axis: The class axis of `y_pred`. Defaults to -1.
        class_weight: None or one weight per class.
        exclude_classes: None or class indices left out.
        ignore_class: None or a label value that counts nowhere.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.

    Returns:
        {returns_sets}

    Examples:
        >>> loss = keras_losses.SparseFocalTversky(axis=1, exclude_classes=[0])
        >>> y_pred = [[[0.8, 0.2], [0.3, 0.7]]]
        >>> print(np.round(float(loss([[0, 1]], y_pred)), 4))
        0.3832
    """

    def __init__(
        self,
        alpha=0.3,
        beta=0.7,
        gamma=0.75,
        reduction="sum_over_batch_size",
        name="sparse_focal_tversky",
        axis=None,
        dtype=None,
        from_logits=False,
        class_axis=-1,
        class_weight=None,
        exclude_classes=None,
        ignore_class=None,
        smooth_nr=1e-7,
        smooth_dr=1e-7,
    ):
        super().__init__(sparse_focal_tversky, locals())


class GeneralizedDice(_SetLoss):
    """Generalized Dice loss (Sudre et al., 2017).

    See `keras_losses.generalized_dice`.

    Args:
        weighting: `"square"` (the paper's `1 / count ** 2`), `"simple"` or
            `"uniform"`.
        {common_args}
        axis: The axes summed into one set (None: every axis, one value for
            the batch; `sample_weight` must then be None or a scalar). The
            classes are always combined by the weights.
        from_logits: Whether `y_pred` holds logits (softmax over classes).
        class_axis: The class axis. Defaults to -1.
        exclude_classes: None or class indices left out.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.

    Returns:
        {returns_sets}

    Examples:
        >>> loss = keras_losses.GeneralizedDice(axis=1)
        >>> y_true = np.array([[[1.0, 0.0], [0.0, 1.0]]])
        >>> print(np.round(float(loss(y_true, [[[0.8, 0.2], [0.3, 0.7]]])), 4))
        0.25
    """

    def __init__(
        self,
        weighting="square",
        reduction="sum_over_batch_size",
        name="generalized_dice",
        axis=None,
        dtype=None,
        from_logits=False,
        class_axis=-1,
        exclude_classes=None,
        smooth_nr=1e-7,
        smooth_dr=1e-7,
    ):
        super().__init__(generalized_dice, locals())


class SparseGeneralizedDice(_SetLoss):
    """Generalized Dice loss with integer labels.

    See `keras_losses.sparse_generalized_dice`.

    Args:
        weighting: `"square"`, `"simple"` or `"uniform"`.
        {common_args}
        axis: The axes of `y_pred` summed into one set (None: every axis).
        from_logits: Whether `y_pred` holds logits (softmax over classes).
        class_axis: The class axis of `y_pred`. Defaults to -1.
        exclude_classes: None or class indices left out.
        ignore_class: None or a label value that counts nowhere.
        smooth_nr: Added to the numerator, >= 0. Defaults to 1e-7.
        smooth_dr: Added to the denominator, >= 0. Defaults to 1e-7.

    Returns:
        {returns_sets}

    Examples:
        >>> loss = keras_losses.SparseGeneralizedDice(axis=1)
        >>> y_pred = [[[0.8, 0.2], [0.3, 0.7]]]
        >>> print(np.round(float(loss([[0, 1]], y_pred)), 4))
        0.25
    """

    def __init__(
        self,
        weighting="square",
        reduction="sum_over_batch_size",
        name="sparse_generalized_dice",
        axis=None,
        dtype=None,
        from_logits=False,
        class_axis=-1,
        exclude_classes=None,
        ignore_class=None,
        smooth_nr=1e-7,
        smooth_dr=1e-7,
    ):
        super().__init__(sparse_generalized_dice, locals())


class LovaszSoftmax(_SetLoss):
    """Lovász-Softmax loss (Berman et al., 2018), integer labels.

    See `keras_losses.lovasz_softmax`.

    Args:
        classes: `"present"` (Berman's default) or `"all"`.
        {common_args}
        axis: The axes of `y_pred` whose elements form one set (None: every
            axis, one value for the batch, Berman's `per_image=False`;
            `sample_weight` must then be None or a scalar).
        from_logits: Whether `y_pred` holds logits (softmax over classes).
        class_axis: The class axis of `y_pred`. Defaults to -1.
        exclude_classes: None or class indices left out of the mean.
        ignore_class: None or a label value that counts nowhere.

    Returns:
        {returns_sets}

    Examples:
        >>> loss = keras_losses.LovaszSoftmax(axis=1)
        >>> y_pred = [[[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]]
        >>> print(np.round(float(loss([[0, 1, 1]], y_pred)), 4))
        0.5
    """

    def __init__(
        self,
        classes="present",
        reduction="sum_over_batch_size",
        name="lovasz_softmax",
        axis=None,
        dtype=None,
        from_logits=False,
        class_axis=-1,
        exclude_classes=None,
        ignore_class=None,
    ):
        super().__init__(lovasz_softmax, locals())


class LovaszHinge(_SetLoss):
    """Lovász hinge loss (Berman et al., 2018), binary labels, logits.

    See `keras_losses.lovasz_hinge`.

    Args:
        {common_args}
        axis: The axes whose elements form one set (None: every axis, one
            value for the batch; `sample_weight` must then be None or a
            scalar).
        ignore_class: None or a label value that counts nowhere.

    Returns:
        {returns_sets}

    Examples:
        >>> loss = keras_losses.LovaszHinge(axis=1)
        >>> print(np.round(float(loss([[1.0, 0.0]], [[2.0, 0.5]])), 4))
        0.75
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="lovasz_hinge",
        axis=None,
        dtype=None,
        ignore_class=None,
    ):
        super().__init__(lovasz_hinge, locals())
