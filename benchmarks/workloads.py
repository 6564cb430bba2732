"""What is timed: workloads (shapes and data) and, per loss, the reference.

Every row pairs one of our losses with what a user has today: the Keras
built-in with the same meaning, `one_hot` + Keras's categorical focal loss for
sparse focal, or a plain `keras.ops` transcription of the formula where Keras
has no such loss (for the sparse overlap losses: one built on a one-hot
tensor of the labels). The classification and segmentation losses take
logits (`from_logits=True`): the setting the focal losses are recommended
with, and the one Keras's focal losses get wrong at large logits. The dense
`Dice` and `Tversky` rows are the exception: Keras's have no `from_logits`,
so both sides get softmax probabilities and one-hot labels.

The overlap losses run per image and class, `axis=(1, 2)` (MONAI's default):
the losses and their references are built with the same hyperparameters
(`Case.options`), so that their values agree. The IoU losses get valid xyxy
boxes on the "boxes" workload (`make_boxes`), the distribution focal loss
distances and logits over 17 bins.

The metric-learning losses get the "embeddings" workload (`make_metric`):
L2-normalised embeddings around one centre per class, 16 samples per class
(every anchor has positives and negatives), and what each loss takes made
from them: integer labels and embeddings (triplet, lifted, supervised
contrastive), a (batch, batch) similarity matrix of anchors and positives
(N-pairs, with integer or multi-hot labels), two views (NT-Xent), or one
distance per pair with 0/1 labels (contrastive).
"""

import dataclasses
import inspect

import numpy as np

# (batch, classes) etc. at full size and in --quick mode.
SIZES = {
    "classification": {"full": (4096, 1000), "quick": (256, 100)},
    "multi-label": {"full": (4096, 80), "quick": (256, 16)},
    # As many labels as ImageNet's classes: 16 MB of logits and as much of
    # labels, more than the caches hold.
    "multi-label-wide": {"full": (4096, 1000), "quick": (256, 64)},
    "segmentation": {"full": (8, 256, 256, 21), "quick": (2, 32, 32, 5)},
    # Lovász-Softmax sorts every (image, class) set: a smaller map.
    "lovasz": {"full": (4, 64, 64, 21), "quick": (2, 16, 16, 5)},
    "boxes": {"full": (65536, 4), "quick": (4096, 4)},
    # Boxes x sides x bins (reg_max 16, as GFL's and YOLOv8's heads).
    "box-distribution": {"full": (65536, 4, 17), "quick": (4096, 4, 17)},
    # Metric learning: batch x embedding size, 16 samples per class.
    "embeddings": {"full": (1024, 128), "quick": (128, 32)},
}

PER_CLASS = 16
METRIC_INPUTS = ("labels", "similarities", "multi-hot", "views", "pairs")


def _unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def make_metric(shape, inputs="labels", seed=0):
    """`(y_true, y_pred)` of a metric-learning loss on `shape` embeddings.

    Embeddings `(batch, dim)`: a random unit centre per class plus noise
    1.5 times its size, L2-normalised (as TF Addons expects), as a model's
    in training: positives at L2 distance about 1.17, negatives about 1.41,
    overlapping. Labels: `batch // 16` classes of 16 samples, shuffled.
    `inputs` says what the loss takes:

    - "labels": `(labels (batch,) int32, embeddings)`;
    - "similarities": `(labels, anchors @ positives^T)`, the positives a
      second sample of each anchor's class (a second draw of the noise);
    - "multi-hot": `(multi-hot (batch, classes), similarities)`: each
      sample's class, and a second random one for three samples in ten;
    - "views": `(view 1, view 2)`, the embeddings and their second draw;
    - "pairs": `(0/1 labels (batch,), distances (batch,))`: the distance of
      each sample to a partner of its class (half the rows, label 1) or of
      another class (label 0).
    """
    if inputs not in METRIC_INPUTS:
        raise ValueError(f"inputs must be one of {METRIC_INPUTS}: {inputs!r}")
    batch, dim = shape
    rng = np.random.default_rng(seed)
    classes = max(batch // PER_CLASS, 2)
    labels = rng.permutation(np.arange(batch) % classes).astype("int32")
    centres = _unit(rng.normal(size=(classes, dim)))

    def draw():
        noise = rng.normal(scale=1.5 / np.sqrt(dim), size=(batch, dim))
        return _unit(centres[labels] + noise).astype("float32")

    embeddings, second = draw(), draw()
    if inputs == "labels":
        return labels, embeddings
    if inputs == "views":
        return embeddings, second
    if inputs == "pairs":
        similar = np.arange(batch) % 2 == 0
        partner = np.empty(batch, dtype=int)
        for i in range(batch):
            same = labels == labels[i]
            pool = same & (np.arange(batch) != i) if similar[i] else ~same
            partner[i] = rng.choice(np.flatnonzero(pool))
        distances = np.linalg.norm(embeddings - embeddings[partner], axis=1)
        return similar.astype("float32"), distances.astype("float32")
    similarities = (embeddings @ second.T).astype("float32")
    if inputs == "similarities":
        return labels, similarities
    multi_hot = np.eye(classes, dtype="float32")[labels]
    extra = rng.random(batch) < 0.3
    multi_hot[extra, rng.integers(0, classes, batch)[extra]] = 1.0
    return multi_hot, similarities


def make_boxes(shape, seed=0):
    """`(y_true, y_pred)`: valid xyxy boxes `(..., 4)` as float32.

    Targets of every aspect ratio (none square) on a 640-pixel image;
    predictions around them, as a detector's during training: most overlap
    their target (centre and size off by ~30 %), one in five lies beside it
    (disjoint), and a few are many times too large or too small.
    """
    if shape[-1] != 4:
        raise ValueError(f"boxes need 4 coordinates. Received: {shape}")
    rng = np.random.default_rng(seed)
    size = shape[:-1]
    width = 64.0 * np.exp(rng.normal(scale=0.6, size=size))
    height = width * np.exp(
        rng.uniform(0.1, 1.0, size) * rng.choice([-1, 1], size)
    )
    cx = rng.uniform(0.0, 640.0, size)
    cy = rng.uniform(0.0, 640.0, size)
    pred_w = width * np.exp(rng.normal(scale=0.3, size=size))
    pred_h = height * np.exp(rng.normal(scale=0.3, size=size))
    scale = rng.random(size) < 0.05
    factor = np.exp(rng.choice([-2.0, 2.0], size))
    pred_w = np.where(scale, pred_w * factor, pred_w)
    pred_h = np.where(scale, pred_h * factor, pred_h)
    pred_cx = cx + rng.normal(scale=0.3, size=size) * width
    pred_cy = cy + rng.normal(scale=0.3, size=size) * height
    # Disjoint: moved sideways by more than half of both widths.
    beside = rng.random(size) < 0.2
    gap = (width + pred_w) / 2 * rng.uniform(1.05, 3.0, size)
    pred_cx = np.where(beside, cx + rng.choice([-1, 1], size) * gap, pred_cx)

    def corners(x, y, w, h):
        box = np.stack([x - w / 2, y - h / 2, x + w / 2, y + h / 2], -1)
        return box.astype("float32")

    return (
        corners(cx, cy, width, height),
        corners(pred_cx, pred_cy, pred_w, pred_h),
    )


# 0/1 labels, 5 % of them positive, and unit-normal logits.
MULTI_LABEL = ("multi-label", "multi-label-wide")


def make_data(workload, shape, seed=0):
    """`(y_true, y_pred)` as NumPy arrays (float32 / int32)."""
    rng = np.random.default_rng(seed)
    if workload == "box-distribution":
        # Distances in bin units, strictly inside [0, reg_max]; logits.
        reg_max = shape[-1] - 1
        y_true = rng.uniform(0.0, reg_max - 0.01, size=shape[:-1])
        logits = rng.normal(scale=2.0, size=shape)
        return y_true.astype("float32"), logits.astype("float32")
    if workload == "boxes":
        y_true = rng.normal(size=shape).astype("float32")
        noise = rng.normal(scale=0.5, size=shape)
        outliers = rng.random(shape) < 0.05  # a few large errors
        noise[outliers] *= 20.0
        return y_true, (y_true + noise).astype("float32")
    # Unit-scale logits: ordinary inputs, where Keras's clipped focal losses
    # and ours agree (see the `same_value` check of each row).
    logits = rng.normal(size=shape).astype("float32")
    if workload in MULTI_LABEL:
        return (rng.random(shape) < 0.05).astype("float32"), logits
    labels = rng.integers(0, shape[-1], size=shape[:-1]).astype("int32")
    return labels, logits


@dataclasses.dataclass(frozen=True)
class Case:
    """One row: our loss against its reference on one workload."""

    loss: str  # the keras_losses class name
    workload: str
    reference: str  # what the reference is, in words
    one_hot_labels: bool = False  # categorical losses: labels as one-hot
    # Softmax probabilities instead of logits (losses without from_logits).
    probabilities: bool = False
    # "boxes" workload: valid xyxy boxes (`make_boxes`), not regression
    # targets.
    xyxy_boxes: bool = False
    # "multi-label" workload: soft quality targets (an IoU-like score in
    # (0, 1] where the 0/1 labels are 1, 0 elsewhere), as the quality and
    # varifocal losses get them, instead of 0/1 labels.
    soft_targets: bool = False
    # "embeddings" workload: what the loss takes (`make_metric`'s `inputs`).
    metric_inputs: str = "labels"
    # --quick (CI's smoke run): the modes this row runs in (None: every
    # mode of the backend; a backend with none of them skips the row), and
    # whether its peak memory is measured.
    quick_modes: tuple = None
    quick_memory: bool = True
    # Hyperparameters of ours and of the reference alike. For `Sum`,
    # "losses": its members as (class name, options) pairs, with logits.
    options: dict = dataclasses.field(default_factory=dict, hash=False)

    def data(self, shape):
        """`(y_true, y_pred)` of the workload, as this row feeds them."""
        if self.xyxy_boxes:
            return make_boxes(shape)
        if self.workload == "embeddings":
            return make_metric(shape, self.metric_inputs)
        y_true, y_pred = make_data(self.workload, shape)
        if self.soft_targets:
            scores = np.random.default_rng(1).uniform(0.1, 1.0, shape)
            y_true = (y_true * scores).astype("float32")
        if self.one_hot_labels:
            y_true = np.eye(shape[-1], dtype="float32")[y_true]
        if self.probabilities:
            shifted = np.exp(y_pred - y_pred.max(axis=-1, keepdims=True))
            y_pred = shifted / shifted.sum(axis=-1, keepdims=True)
        return y_true, y_pred

    def ours(self):
        logits = self.workload != "boxes" and not self.probabilities
        return _ours(self.loss, self.options, logits)

    def baseline(self):
        from benchmarks import references

        return references.REFERENCES[self.loss](**self.options)


def _ours(name, options, logits):
    import keras_losses

    cls = getattr(keras_losses, name)
    if name == "Sum":
        return cls([_ours(*member, logits) for member in options["losses"]])
    # LovaszHinge takes scores (logits) without a from_logits argument.
    takes_flag = "from_logits" in inspect.signature(cls).parameters
    return cls(
        **options, **({"from_logits": True} if logits and takes_flag else {})
    )


PER_IMAGE_AND_CLASS = {"axis": (1, 2)}
# Salehi et al.'s best weights (false positives, false negatives): a Tversky
# row that is not Dice's.
TVERSKY = dict(PER_IMAGE_AND_CLASS, alpha=0.3, beta=0.7)


CASES = [
    Case(
        "CategoricalCrossentropy",
        "classification",
        "keras.losses.CategoricalCrossentropy",
        one_hot_labels=True,
    ),
    Case(
        "SparseCategoricalCrossentropy",
        "classification",
        "keras.losses.SparseCategoricalCrossentropy",
    ),
    Case(
        "SparseCategoricalCrossentropy",
        "segmentation",
        "keras.losses.SparseCategoricalCrossentropy",
    ),
    Case(
        "BinaryCrossentropy",
        "multi-label",
        "keras.losses.BinaryCrossentropy",
    ),
    Case(
        "CategoricalFocalCrossentropy",
        "classification",
        "keras.losses.CategoricalFocalCrossentropy",
        one_hot_labels=True,
    ),
    Case(
        "SparseCategoricalFocalCrossentropy",
        "classification",
        "one_hot + keras.losses.CategoricalFocalCrossentropy",
    ),
    Case(
        "SparseCategoricalFocalCrossentropy",
        "segmentation",
        "one_hot + keras.losses.CategoricalFocalCrossentropy",
    ),
    Case(
        "BinaryFocalCrossentropy",
        "multi-label",
        "keras.losses.BinaryFocalCrossentropy",
    ),
    Case(
        "BinaryCrossentropy",
        "multi-label-wide",
        "keras.losses.BinaryCrossentropy",
    ),
    Case(
        "BinaryFocalCrossentropy",
        "multi-label-wide",
        "keras.losses.BinaryFocalCrossentropy",
    ),
    Case("Huber", "boxes", "keras.losses.Huber"),
    Case("SmoothL1", "boxes", "keras.ops transcription (beta=1)"),
    Case("BalancedL1", "boxes", "keras.ops transcription (Libra R-CNN)"),
    Case("Pinball", "boxes", "keras.ops transcription (tau=0.5)"),
    Case(
        "Dice",
        "segmentation",
        "keras.losses.Dice (probabilities, one-hot labels)",
        one_hot_labels=True,
        probabilities=True,
        options=PER_IMAGE_AND_CLASS,
    ),
    Case(
        "Tversky",
        "segmentation",
        "keras.losses.Tversky (probabilities, one-hot labels)",
        one_hot_labels=True,
        probabilities=True,
        options=TVERSKY,
    ),
    Case(
        "SparseDice",
        "segmentation",
        "one_hot + keras.ops transcription",
        options=PER_IMAGE_AND_CLASS,
    ),
    Case(
        "SparseJaccard",
        "segmentation",
        "one_hot + keras.ops transcription",
        options=PER_IMAGE_AND_CLASS,
    ),
    Case(
        "SparseTversky",
        "segmentation",
        "one_hot + keras.ops transcription (alpha=0.3, beta=0.7)",
        options=TVERSKY,
    ),
    Case(
        "SparseFocalTversky",
        "segmentation",
        "one_hot + keras.ops transcription (gamma=0.75)",
        options=dict(TVERSKY, gamma=0.75),
    ),
    Case(
        "SparseGeneralizedDice",
        "segmentation",
        "one_hot + keras.ops transcription (MONAI's weights)",
        options=dict(PER_IMAGE_AND_CLASS, weighting="square"),
    ),
    Case(
        "LovaszSoftmax",
        "lovasz",
        "one_hot + keras.ops transcription (Berman's, per image)",
        options=PER_IMAGE_AND_CLASS,
    ),
    # Dense overlap losses: one-hot labels the user already holds, logits.
    Case(
        "Jaccard",
        "segmentation",
        "keras.ops transcription (one-hot labels)",
        one_hot_labels=True,
        options=dict(PER_IMAGE_AND_CLASS, class_axis=-1),
    ),
    Case(
        "FocalTversky",
        "segmentation",
        "keras.ops transcription (one-hot labels, gamma=0.75)",
        one_hot_labels=True,
        options=dict(TVERSKY, gamma=0.75, class_axis=-1),
    ),
    Case(
        "GeneralizedDice",
        "segmentation",
        "keras.ops transcription (one-hot labels, MONAI's weights)",
        one_hot_labels=True,
        options=dict(PER_IMAGE_AND_CLASS, weighting="square", class_axis=-1),
    ),
    Case(
        "LovaszHinge",
        "multi-label",
        "keras.ops transcription (Berman's, one set per row)",
        options={"axis": -1},
    ),
    Case(
        "Sum",
        "segmentation",
        "one_hot Dice transcription + keras.losses sparse cross-entropy",
        options={
            "losses": (
                ("SparseDice", PER_IMAGE_AND_CLASS),
                ("SparseCategoricalCrossentropy", {}),
            )
        },
    ),
    # Box regression: valid xyxy boxes against a torchvision-style keras.ops
    # transcription (an eps of 1e-7 added to each denominator).
    *(
        Case(
            loss,
            "boxes",
            f"keras.ops transcription (torchvision-style{detail})",
            xyxy_boxes=True,
            options=dict(options, bounding_box_format="xyxy"),
        )
        for loss, detail, options in (
            ("IoULoss", ", linear mode", {"mode": "linear"}),
            ("IoULoss", ", log mode", {"mode": "log"}),
            ("GIoULoss", "", {}),
            ("DIoULoss", "", {}),
            ("CIoULoss", "", {}),
        )
    ),
    Case(
        "DistributionFocalLoss",
        "box-distribution",
        "keras.ops transcription (log_softmax + take_along_axis)",
    ),
    # Imbalance and detection-head classification losses, from logits.
    Case(
        "AsymmetricLoss",
        "multi-label",
        "keras.ops transcription (sigmoid, log_sigmoid; gamma-=4, clip=0.05)",
    ),
    Case(
        "BinaryPoly1Crossentropy",
        "multi-label",
        "keras.losses binary cross-entropy + epsilon (1 - p_t)",
    ),
    Case(
        "QualityFocalLoss",
        "multi-label",
        "keras.ops transcription (mmdet's; soft targets)",
        soft_targets=True,
    ),
    Case(
        "VarifocalLoss",
        "multi-label",
        "keras.ops transcription (mmdet's; soft targets)",
        soft_targets=True,
    ),
    Case(
        "CategoricalPoly1Crossentropy",
        "classification",
        "keras.losses categorical cross-entropy + epsilon (1 - p_t)",
        one_hot_labels=True,
    ),
    Case(
        "SparseCategoricalPoly1Crossentropy",
        "classification",
        "one_hot + keras.ops sparse cross-entropy + epsilon (1 - p_t)",
    ),
    # Metric learning: TF Addons' losses against a keras.ops transcription
    # of TF Addons' algorithm, the contrastive-learning ones against one of
    # keras-cv's SimCLRLoss and of Khosla et al.'s SupConLoss. Under --quick
    # they skip XLA (TensorFlow's jit_compile, JAX) and their memory:
    # compiling their 32 XLA programs per backend (ours and the reference,
    # forward and forward+backward) takes about a minute on 2 cores.
    *(
        Case(
            loss,
            "embeddings",
            reference,
            metric_inputs=inputs,
            options=options,
            quick_modes=("eager", "tf.function"),
            quick_memory=False,
        )
        for loss, reference, inputs, options in (
            (
                "TripletSemiHardLoss",
                "TF Addons' algorithm in keras.ops (tiled B^2 x B mask)",
                "labels",
                {},
            ),
            (
                "TripletHardLoss",
                "TF Addons' algorithm in keras.ops (masked max / min)",
                "labels",
                {},
            ),
            (
                "LiftedStructLoss",
                "TF Addons' algorithm in keras.ops (tiled B^2 x B log-sum-exp)",
                "labels",
                {},
            ),
            (
                "NpairsLoss",
                "TF Addons' algorithm in keras.ops (similarities B x B)",
                "similarities",
                {},
            ),
            (
                "NpairsMultilabelLoss",
                "TF Addons' algorithm in keras.ops (similarities, multi-hot)",
                "multi-hot",
                {},
            ),
            (
                # Negatives lie about 1.4 apart: margin 2 weights both terms.
                "ContrastiveLoss",
                "TF Addons' formula in keras.ops (B distances, margin 2)",
                "pairs",
                {"margin": 2.0},
            ),
            (
                "SupervisedContrastiveLoss",
                "Khosla et al.'s SupConLoss in keras.ops (one view)",
                "labels",
                {},
            ),
            (
                "NTXentLoss",
                "keras-cv's SimCLRLoss in keras.ops, halved (two views)",
                "views",
                {},
            ),
        )
    ),
]

# The losses with integer labels that the issue holds to 0.7x of a one-hot
# transcription in time and peak memory.
SPARSE_OVERLAP = (
    "SparseDice",
    "SparseJaccard",
    "SparseTversky",
    "SparseFocalTversky",
    "SparseGeneralizedDice",
)

# The box-regression losses, held to 1.0x of their transcription under
# tf.function.
BOX = ("IoULoss", "GIoULoss", "DIoULoss", "CIoULoss", "DistributionFocalLoss")

# The imbalance losses, held to 0.8x of their reference under tf.function.
IMBALANCE = (
    "AsymmetricLoss",
    "BinaryPoly1Crossentropy",
    "CategoricalPoly1Crossentropy",
    "SparseCategoricalPoly1Crossentropy",
    "QualityFocalLoss",
    "VarifocalLoss",
)

# The triplet losses, held to 0.5x of TF Addons' algorithm in time (under
# tf.function) and peak memory.
TRIPLET = ("TripletSemiHardLoss", "TripletHardLoss")

# Peak memory is measured on these rows: the sparse focal loss's and the
# sparse overlap losses', each against its one-hot reference, the box
# losses', against their transcriptions, and the metric-learning losses'.
MEMORY_CASES = [
    case
    for case in CASES
    if (
        case.workload == "segmentation"
        and case.loss in ("SparseCategoricalFocalCrossentropy", *SPARSE_OVERLAP)
    )
    or case.loss in BOX
    or case.workload == "embeddings"
]
