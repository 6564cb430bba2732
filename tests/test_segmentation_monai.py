"""Parity with MONAI's segmentation losses (`monai.losses`), numerically.

Each test builds a MONAI loss, translates its options into the
keras_losses loss that docs/migration.md gives for it (`*_translation`
below: the table, as code), and compares the two on the same random
channels-first batch: `(N, C, H, W)` is MONAI's layout, so the class axis is
1 here and the set axes are the spatial ones (`batch=False`) or those and 0
(`batch=True`). Both sides compute in float32.

Every batch holds empty masks: image 0 has every class, image 1 lacks the
last class, image 2 is background only (or, with multi-label targets, has
no positive at all), so an absent class, MONAI's rule for infinite
generalized-Dice weights and all-absent sets are always exercised.

MONAI's smoothing defaults (1e-5) differ from this package's (1e-7): the
translation always passes them. MONAI's `"mean"` reduction is Keras's
default `"sum_over_batch_size"`, its `"sum"` is `"sum"`, its `"none"` is
`"none"` up to trailing axes of size 1.
"""

import inspect

import numpy as np
import pytest

import keras_losses
from tests.helpers import numpy
from tests.helpers import one_hot
from tests.helpers import softmax

monai_losses = pytest.importorskip("monai.losses")
torch = pytest.importorskip("torch")

RTOL, ATOL = 1e-5, 1e-6  # float32 on both sides
SEEDS = [0, 1]
IMAGES, SPATIAL = 3, (5, 6)
REDUCTION = {"mean": "sum_over_batch_size", "sum": "sum", "none": "none"}
# MONAI's `weight` for the classes it keeps; the translation prepends a
# value for the excluded background that must never be used.
CLASS_WEIGHTS = [0.3, 1.7, 2.4, 0.9]
UNUSED_WEIGHT = 7.0


def sigmoid(x):
    return (1.0 / (1.0 + np.exp(-x.astype("float64")))).astype("float32")


def make_batch(seed, target, classes=3, spatial=SPATIAL):
    """(logits, labels or None, dense targets), channels first.

    `target`: "labels" or "onehot" (exclusive classes; labels of shape
    (N, 1, *spatial), MONAI's form for `to_onehot_y=True`) or "multilabel"
    (independent binary channels).
    """
    rng = np.random.default_rng(seed)
    shape = (IMAGES, classes, *spatial)
    logits = rng.normal(0.0, 2.0, size=shape).astype("float32")
    if target == "multilabel":
        dense = (rng.random(shape) < 0.4).astype("float32")
        dense[0, -1] = 0.0  # one empty channel in image 0
        dense[1, 0].flat[0] = 1.0  # channel 0 of image 1 is not empty
        dense[2] = 0.0  # image 2: no positive at all
        return logits, None, dense
    labels = rng.integers(0, classes, size=(IMAGES, 1, *spatial))
    labels[0].flat[:classes] = np.arange(classes)  # every class in image 0
    labels[1][labels[1] == classes - 1] = max(classes - 2, 0)  # one absent
    labels[2] = 0  # image 2: background only
    return logits, labels, one_hot(labels[:, 0], classes, axis=1)


def monai_input(logits, activation, target):
    """MONAI's `input`: logits, or probabilities when it has no activation."""
    if activation != "none":
        return logits
    if target == "multilabel":
        return sigmoid(logits)
    return softmax(logits.astype("float64"), 1).astype("float32")


def call_monai(loss, x, target):
    return loss(torch.from_numpy(x), torch.from_numpy(target)).numpy()


def has_option(monai_class, name):
    return name in inspect.signature(monai_class).parameters


def assert_matches(ours, theirs):
    ours = np.asarray(ours, dtype="float64")
    theirs = np.asarray(theirs, dtype="float64")
    # MONAI's "none" keeps trailing axes of size 1 (Dice: (N, C, 1, 1),
    # generalized Dice: (N, 1, 1, 1)); this package drops the set axes.
    shape = list(theirs.shape)
    while shape and shape[-1] == 1:
        shape.pop()
    assert ours.shape == tuple(shape), (ours.shape, theirs.shape)
    np.testing.assert_allclose(
        ours, theirs.reshape(shape), rtol=RTOL, atol=ATOL
    )


# --- The translation (docs/migration.md, MONAI) ---------------------------


def set_axes(monai_kwargs, rank):
    spatial = tuple(range(2, rank))
    return (0, *spatial) if monai_kwargs.get("batch", False) else spatial


def overlap_translation(kw, rank, classes, *, class_axis_needed=False):
    """(keras_losses arguments, prepare) for MONAI overlap-loss options `kw`.

    `prepare` is applied to MONAI's input to give this package's `y_pred`
    (None: the same tensor). MONAI's `sigmoid=True` is `from_logits=True`
    without a class axis, unless a class axis is needed here (background
    excluded, class weights, sparse labels, generalized Dice): then the
    model's last layer takes the sigmoid and the loss gets probabilities
    with `class_axis=1`, which `from_logits=False` never normalises.
    """
    exclude = not kw.get("include_background", True)
    weight = kw.get("weight")
    args = dict(
        axis=set_axes(kw, rank),
        smooth_nr=kw.get("smooth_nr", 1e-5),
        smooth_dr=kw.get("smooth_dr", 1e-5),
        reduction=REDUCTION[kw.get("reduction", "mean")],
    )
    prepare = None
    class_axis_needed = (
        class_axis_needed
        or exclude
        or weight is not None
        or kw.get("to_onehot_y", False)
    )
    if kw.get("softmax"):
        args.update(from_logits=True, class_axis=1)
    elif kw.get("sigmoid") and not class_axis_needed:
        args.update(from_logits=True, class_axis=None)
    else:
        args.update(from_logits=False, class_axis=1)
        if kw.get("sigmoid"):
            prepare = sigmoid
    if exclude:
        args["exclude_classes"] = [0]
    if weight is not None:
        if np.ndim(weight) == 0:  # one weight for every class
            args["class_weight"] = [float(weight)] * classes
        elif exclude:  # MONAI's list lacks the background
            args["class_weight"] = [UNUSED_WEIGHT, *weight]
        else:
            args["class_weight"] = list(weight)
    return args, prepare


def dice_translation(kw, rank, classes):
    args, prepare = overlap_translation(kw, rank, classes)
    if kw.get("squared_pred"):
        args["squared_pred"] = True
    name = "Dice"
    if kw.get("jaccard"):
        # MONAI: 1 - (2 tp + nr) / (2 (st + sp - tp) + dr), the Jaccard
        # loss with both smoothing terms halved.
        name = "Jaccard"
        args["smooth_nr"] /= 2
        args["smooth_dr"] /= 2
    if kw.get("to_onehot_y"):
        name = "Sparse" + name
        if "ignore_index" in kw:
            args["ignore_class"] = kw["ignore_index"]
    return getattr(keras_losses, name)(**args), prepare


def tversky_translation(kw, rank, classes):
    args, prepare = overlap_translation(kw, rank, classes)
    args.update(alpha=kw.get("alpha", 0.5), beta=kw.get("beta", 0.5))
    name = "Tversky"
    if kw.get("to_onehot_y"):
        name = "SparseTversky"
        if "ignore_index" in kw:
            args["ignore_class"] = kw["ignore_index"]
    return getattr(keras_losses, name)(**args), prepare


def generalized_dice_translation(kw, rank, classes):
    args, prepare = overlap_translation(
        kw, rank, classes, class_axis_needed=True
    )
    args["weighting"] = kw.get("w_type", "square")
    name = "GeneralizedDice"
    if kw.get("to_onehot_y"):
        name = "SparseGeneralizedDice"
    return getattr(keras_losses, name)(**args), prepare


def expand_weight(kw, classes):
    """MONAI options with the "per_class" placeholder made concrete."""
    kw = dict(kw)
    if kw.get("weight") == "per_class":
        kept = classes - (not kw.get("include_background", True))
        kw["weight"] = CLASS_WEIGHTS[:kept]
    return kw


# (activation, target) pairs: MONAI's to_onehot_y=True is "labels".
COMBOS = [
    ("softmax", "labels"),
    ("softmax", "onehot"),
    ("sigmoid", "labels"),
    ("sigmoid", "multilabel"),
    ("none", "onehot"),
    ("none", "labels"),
]


def monai_kwargs(activation, target, options):
    kw = dict(options)
    if activation != "none":
        kw[activation] = True
    if target == "labels":
        kw["to_onehot_y"] = True
    return kw


def option_id(options):
    return ",".join(f"{k}={v}" for k, v in options.items()) or "defaults"


def check_overlap(monai_class, translation, activation, target, options, seed):
    logits, labels, dense = make_batch(seed, target)
    classes, rank = logits.shape[1], logits.ndim
    kw = expand_weight(monai_kwargs(activation, target, options), classes)
    x = monai_input(logits, activation, target)
    y_monai = labels if target == "labels" else dense
    theirs = call_monai(monai_class(**kw), x, y_monai)
    loss, prepare = translation(kw, rank, classes)
    y_pred = x if prepare is None else prepare(x)
    ours = numpy(loss(y_monai, y_pred))
    assert_matches(ours, theirs)


# --- DiceLoss (and its jaccard=True) --------------------------------------

DICE_OPTIONS = [
    {},
    {"include_background": False},
    {"batch": True},
    {"squared_pred": True},
    {"jaccard": True},
    {"jaccard": True, "smooth_nr": 0.5, "smooth_dr": 2.0},
    {
        "jaccard": True,
        "squared_pred": True,
        "batch": True,
        "include_background": False,
    },
    {"weight": "per_class"},
    {"weight": "per_class", "include_background": False},
    {"weight": "per_class", "include_background": False, "batch": True},
    {"weight": 2.5},
    {"smooth_nr": 0.5, "smooth_dr": 2.0, "reduction": "sum"},
    {"reduction": "none"},
    {"reduction": "none", "include_background": False, "batch": True},
]


@pytest.mark.parametrize("activation,target", COMBOS)
@pytest.mark.parametrize("options", DICE_OPTIONS, ids=option_id)
def test_dice_loss(activation, target, options):
    check_overlap(
        monai_losses.DiceLoss,
        dice_translation,
        activation,
        target,
        options,
        seed=0,
    )


# --- TverskyLoss ----------------------------------------------------------

TVERSKY_OPTIONS = [
    {},
    {"alpha": 0.3, "beta": 0.7},
    {"alpha": 0.8, "beta": 0.2, "include_background": False},
    {"alpha": 0.7, "beta": 0.3, "batch": True},
    {"smooth_nr": 0.5, "smooth_dr": 2.0, "reduction": "sum"},
    {"reduction": "none", "include_background": False},
]


@pytest.mark.parametrize("activation,target", COMBOS)
@pytest.mark.parametrize("options", TVERSKY_OPTIONS, ids=option_id)
def test_tversky_loss(activation, target, options):
    check_overlap(
        monai_losses.TverskyLoss,
        tversky_translation,
        activation,
        target,
        options,
        seed=1,
    )


# --- GeneralizedDiceLoss --------------------------------------------------

GDL_OPTIONS = [
    {"w_type": w_type, "batch": batch, "include_background": background}
    for w_type in ["square", "simple", "uniform"]
    for batch in [False, True]
    for background in [True, False]
] + [
    {"reduction": "sum", "smooth_nr": 0.5, "smooth_dr": 2.0},
    {"reduction": "none"},
    {"reduction": "none", "batch": True, "include_background": False},
]
GDL_COMBOS = [
    ("softmax", "labels"),
    ("softmax", "onehot"),
    ("sigmoid", "multilabel"),
    ("none", "onehot"),
]


@pytest.mark.parametrize("activation,target", GDL_COMBOS)
@pytest.mark.parametrize("options", GDL_OPTIONS, ids=option_id)
def test_generalized_dice_loss(activation, target, options):
    check_overlap(
        monai_losses.GeneralizedDiceLoss,
        generalized_dice_translation,
        activation,
        target,
        options,
        seed=2,
    )


def test_generalized_dice_set_without_any_class():
    # Background excluded, image 2 is all background: every weight of its
    # set is infinite, MONAI sets them all to 0 and the loss to
    # 1 - smooth_nr / smooth_dr.
    kw = dict(softmax=True, to_onehot_y=True, include_background=False)
    kw.update(reduction="none", smooth_nr=0.5, smooth_dr=2.0)
    logits, labels, _ = make_batch(3, "labels")
    theirs = call_monai(monai_losses.GeneralizedDiceLoss(**kw), logits, labels)
    loss, _ = generalized_dice_translation(kw, 4, 3)
    ours = numpy(loss(labels, logits))
    assert ours[2] == pytest.approx(0.75)
    assert_matches(ours, theirs)


# --- Volumes (N, C, D, H, W) and label shapes -----------------------------


@pytest.mark.parametrize(
    "monai_class,translation",
    [
        (monai_losses.DiceLoss, dice_translation),
        (monai_losses.TverskyLoss, tversky_translation),
        (monai_losses.GeneralizedDiceLoss, generalized_dice_translation),
    ],
    ids=["dice", "tversky", "generalized_dice"],
)
@pytest.mark.parametrize("batch", [False, True])
def test_volumes(monai_class, translation, batch):
    kw = dict(softmax=True, to_onehot_y=True, batch=batch)
    kw["include_background"] = False
    logits, labels, _ = make_batch(4, "labels", classes=4, spatial=(3, 4, 2))
    theirs = call_monai(monai_class(**kw), logits, labels)
    loss, _ = translation(kw, 5, 4)
    assert_matches(numpy(loss(labels, logits)), theirs)


def test_sparse_labels_without_the_unit_class_axis():
    # MONAI wants (N, 1, H, W); the sparse losses also take (N, H, W).
    kw = dict(softmax=True, to_onehot_y=True, include_background=False)
    logits, labels, _ = make_batch(5, "labels")
    theirs = call_monai(monai_losses.DiceLoss(**kw), logits, labels)
    loss, _ = dice_translation(kw, 4, 3)
    assert_matches(numpy(loss(labels[:, 0], logits)), theirs)


# --- ignore_index (MONAI 1.6.1+) ------------------------------------------


def ignored_labels(seed, ignore, all_of_image_2=False):
    logits, labels, _ = make_batch(seed, "labels")
    rng = np.random.default_rng(seed + 100)
    labels = labels.copy()
    labels[rng.random(labels.shape) < 0.3] = ignore
    if all_of_image_2:
        labels[2] = ignore
    return logits, labels


IGNORE_OPTIONS = [
    {},
    {"include_background": False, "batch": True},
    {"reduction": "none"},
]


@pytest.mark.parametrize(
    "monai_class,translation",
    [
        (monai_losses.DiceLoss, dice_translation),
        (monai_losses.TverskyLoss, tversky_translation),
    ],
    ids=["dice", "tversky"],
)
@pytest.mark.parametrize("ignore", [255, -1, 1])
@pytest.mark.parametrize("options", IGNORE_OPTIONS, ids=option_id)
def test_ignore_index(monai_class, translation, ignore, options):
    if not has_option(monai_class, "ignore_index"):
        pytest.skip("this MONAI has no ignore_index")
    kw = dict(options, softmax=True, to_onehot_y=True, ignore_index=ignore)
    if monai_class is monai_losses.TverskyLoss:
        kw.update(alpha=0.3, beta=0.7)
    logits, labels = ignored_labels(6, ignore)
    theirs = call_monai(monai_class(**kw), logits, labels)
    loss, _ = translation(kw, 4, 3)
    assert_matches(numpy(loss(labels, logits)), theirs)


@pytest.mark.parametrize(
    "monai_class,translation",
    [
        (monai_losses.DiceLoss, dice_translation),
        (monai_losses.TverskyLoss, tversky_translation),
    ],
    ids=["dice", "tversky"],
)
@pytest.mark.parametrize("reduction", ["sum", "none"])
def test_ignore_index_whole_image(monai_class, translation, reduction):
    # Image 2 entirely ignored: MONAI's sets there have tp = st = sp = 0, so
    # 1 - smooth_nr / smooth_dr = 0, which it counts in its "mean"; this
    # package gives 0 and masks those sets out of Keras's mean, so only
    # "sum" and "none" agree (the guide says so).
    if not has_option(monai_class, "ignore_index"):
        pytest.skip("this MONAI has no ignore_index")
    kw = dict(softmax=True, to_onehot_y=True, ignore_index=255)
    kw["reduction"] = reduction
    logits, labels = ignored_labels(7, 255, all_of_image_2=True)
    theirs = call_monai(monai_class(**kw), logits, labels)
    loss, _ = translation(kw, 4, 3)
    ours = numpy(loss(labels, logits))
    if reduction == "none":
        np.testing.assert_array_equal(ours[2], 0.0)
    assert_matches(ours, theirs)


# --- DiceCELoss: Sum([dice, cross-entropy]) -------------------------------


def dice_ce_translation(kw, rank, classes, spatial_size):
    """keras_losses.Sum for MONAI's DiceCELoss options `kw` (batch=False).

    MONAI's cross-entropy ignores `sigmoid`, `softmax` and
    `include_background`: it is `nn.CrossEntropyLoss` on the logits over
    every channel when there are several (even with `sigmoid=True`), and
    `nn.BCEWithLogitsLoss(pos_weight=weight)` for one channel. Its `weight`
    has one entry per channel, background included, and the Dice part
    takes `weight[1:]` without the background: `class_weight=weight` here.
    """
    weight = kw.get("weight")
    dice_kw = {
        k: v
        for k, v in kw.items()
        if k not in ("weight", "label_smoothing") and not k.startswith("lambda")
    }
    if weight is not None and classes > 1:
        # What MONAI hands its DiceLoss (which ignores it for one channel).
        exclude = not kw.get("include_background", True)
        dice_kw["weight"] = weight[1:] if exclude else weight
    dice, _ = dice_translation(dice_kw | {"reduction": "mean"}, rank, classes)
    smoothing = kw.get("label_smoothing", 0.0)
    if classes == 1:
        ce = keras_losses.BinaryCrossentropy(
            from_logits=True,
            axis=1,
            pos_weight=None if weight is None else float(weight[0]),
        )
    elif kw.get("to_onehot_y"):
        ce = keras_losses.SparseCategoricalCrossentropy(
            from_logits=True,
            axis=1,
            label_smoothing=smoothing,
            class_weight=None if weight is None else list(map(float, weight)),
        )
    else:
        ce = keras_losses.CategoricalCrossentropy(
            from_logits=True,
            axis=1,
            label_smoothing=smoothing,
            class_weight=None if weight is None else list(map(float, weight)),
        )
    weights = [kw.get("lambda_dice", 1.0), kw.get("lambda_ce", 1.0)]
    reduction = kw.get("reduction", "mean")
    if reduction == "sum":
        # MONAI sums the Dice over the kept classes and the cross-entropy
        # over the pixels; Sum adds each member's per-image mean.
        kept = classes - (not kw.get("include_background", True))
        weights = [weights[0] * kept, weights[1] * spatial_size]
    return keras_losses.Sum(
        [dice, ce], weights=weights, reduction=REDUCTION[reduction]
    )


DICE_CE_CASES = [
    # (activation, target, classes, options)
    ("softmax", "labels", 3, {}),
    ("softmax", "labels", 3, {"lambda_dice": 0.7, "lambda_ce": 1.6}),
    ("softmax", "labels", 3, {"include_background": False}),
    ("softmax", "labels", 3, {"label_smoothing": 0.1}),
    ("softmax", "labels", 3, {"jaccard": True, "squared_pred": True}),
    ("softmax", "labels", 3, {"reduction": "sum"}),
    # CrossEntropyLoss's weighted "mean" divides by the labels' weights:
    # only "sum" maps with class-index targets.
    ("softmax", "labels", 3, {"reduction": "sum", "weight": "full"}),
    ("softmax", "onehot", 3, {}),
    ("softmax", "onehot", 3, {"weight": "full"}),
    ("softmax", "onehot", 3, {"weight": "full", "include_background": False}),
    ("softmax", "onehot", 3, {"label_smoothing": 0.2, "lambda_ce": 0.5}),
    ("softmax", "onehot", 3, {"reduction": "sum", "include_background": False}),
    ("sigmoid", "multilabel", 3, {}),
    ("sigmoid", "multilabel", 3, {"lambda_dice": 2.0, "squared_pred": True}),
    ("sigmoid", "multilabel", 1, {}),
    ("sigmoid", "multilabel", 1, {"weight": "full"}),
    ("sigmoid", "multilabel", 1, {"reduction": "sum", "jaccard": True}),
]


@pytest.mark.parametrize(
    "activation,target,classes,options",
    DICE_CE_CASES,
    ids=[f"{a}-{t}-C{c}-{option_id(o)}" for a, t, c, o in DICE_CE_CASES],
)
def test_dice_ce_loss(activation, target, classes, options):
    if "label_smoothing" in options and not has_option(
        monai_losses.DiceCELoss, "label_smoothing"
    ):
        pytest.skip("this MONAI's DiceCELoss has no label_smoothing")
    logits, labels, dense = make_batch(8, target, classes=classes)
    kw = monai_kwargs(activation, target, options)
    if kw.get("weight") == "full":
        kw["weight"] = CLASS_WEIGHTS[:classes]
    monai_kw = dict(kw)
    if "weight" in kw:
        monai_kw["weight"] = torch.tensor(kw["weight"], dtype=torch.float32)
    y_monai = labels if target == "labels" else dense
    theirs = call_monai(monai_losses.DiceCELoss(**monai_kw), logits, y_monai)
    loss = dice_ce_translation(
        kw, logits.ndim, classes, int(np.prod(logits.shape[2:]))
    )
    assert_matches(numpy(loss(y_monai, logits)), theirs)


# --- DiceFocalLoss: Sum([dice, binary focal]) -----------------------------


def dice_focal_translation(kw, rank, classes):
    """keras_losses.Sum for MONAI's DiceFocalLoss options `kw`.

    MONAI's focal part is always the sigmoid focal loss of each channel on
    the logits (`FocalLoss(use_softmax=False)`), whatever `softmax` says:
    BinaryFocalCrossentropy(from_logits=True), with
    `apply_class_balancing=True, alpha=alpha` for a MONAI `alpha`. Its
    labels are dense: one-hot them where MONAI has `to_onehot_y=True`. Its
    `include_background=False` drops channel 0 from the focal term too,
    which no binary focal loss here does (not translated), and a per-class
    `weight` has no focal counterpart; a scalar `weight` scales both terms.
    """
    dice_kw = {
        k: v
        for k, v in kw.items()
        if k not in ("gamma", "alpha", "weight", "to_onehot_y")
        and not k.startswith("lambda")
    }
    dice, _ = dice_translation(dice_kw | {"reduction": "mean"}, rank, classes)
    alpha = kw.get("alpha")
    focal = keras_losses.BinaryFocalCrossentropy(
        from_logits=True,
        gamma=kw.get("gamma", 2.0),
        apply_class_balancing=alpha is not None,
        alpha=0.25 if alpha is None else alpha,
        axis=1,
    )
    scale = float(kw.get("weight", 1.0))
    weights = [
        scale * kw.get("lambda_dice", 1.0),
        scale * kw.get("lambda_focal", 1.0),
    ]
    reduction = kw.get("reduction", "mean")
    if reduction == "sum":
        # MONAI sums the Dice over the classes and, for the focal term, the
        # per-channel spatial means over the channels; Sum adds each
        # member's per-image mean.
        weights = [weights[0] * classes, weights[1] * classes]
    return keras_losses.Sum(
        [dice, focal], weights=weights, reduction=REDUCTION[reduction]
    )


DICE_FOCAL_OPTIONS = [
    {},
    {"gamma": 0.0},
    {"gamma": 0.5, "alpha": 0.25},
    {"alpha": 0.8, "lambda_dice": 0.4, "lambda_focal": 2.0},
    {"jaccard": True, "squared_pred": True},
    {"weight": 2.5},
    {"reduction": "sum", "gamma": 1.5},
]
DICE_FOCAL_COMBOS = [
    ("softmax", "labels"),
    ("softmax", "onehot"),
    ("sigmoid", "multilabel"),
]


@pytest.mark.parametrize("activation,target", DICE_FOCAL_COMBOS)
@pytest.mark.parametrize("options", DICE_FOCAL_OPTIONS, ids=option_id)
def test_dice_focal_loss(activation, target, options):
    if "alpha" in options and not has_option(
        monai_losses.DiceFocalLoss, "alpha"
    ):
        pytest.skip("this MONAI's DiceFocalLoss has no alpha")
    logits, labels, dense = make_batch(9, target)
    kw = monai_kwargs(activation, target, options)
    y_monai = labels if target == "labels" else dense
    theirs = call_monai(monai_losses.DiceFocalLoss(**kw), logits, y_monai)
    loss = dice_focal_translation(kw, logits.ndim, logits.shape[1])
    # This package's binary focal loss takes dense labels.
    assert_matches(numpy(loss(dense, logits)), theirs)
