"""One example per public loss class, for the cross-cutting tests.

Each entry: constructor arguments other than the defaults, and the task
(label format) the loss fits. The cross-cutting tests run over the classes
found in `keras_losses.__all__` (LOSS_CLASSES) and fail for one that has no
entry here.
"""

import inspect

import keras
import numpy as np
import pytest

import keras_losses

LOSS_CLASSES = {
    name: obj
    for name in keras_losses.__all__
    if inspect.isclass(obj := getattr(keras_losses, name))
    and issubclass(obj, keras.losses.Loss)
}

_WEIGHTS = [1.0, 3.0, 0.5]
DISTANCE_BINS = 5  # the "distances" task: reg_max = 4
EXAMPLES = {
    "BinaryCrossentropy": (
        dict(from_logits=True, label_smoothing=0.1, pos_weight=_WEIGHTS),
        "multilabel",
    ),
    "CategoricalCrossentropy": (
        dict(from_logits=True, label_smoothing=0.1, class_weight=_WEIGHTS),
        "one_hot",
    ),
    "SparseCategoricalCrossentropy": (
        dict(
            from_logits=True,
            label_smoothing=0.1,
            ignore_class=-1,
            class_weight=_WEIGHTS,
        ),
        "sparse",
    ),
    "BinaryFocalCrossentropy": (
        dict(
            apply_class_balancing=True,
            alpha=0.4,
            gamma=1.5,
            from_logits=True,
            label_smoothing=0.1,
        ),
        "multilabel",
    ),
    "CategoricalFocalCrossentropy": (
        dict(alpha=_WEIGHTS, gamma=[2.0, 0.5, 1.0], from_logits=True),
        "one_hot",
    ),
    "SparseCategoricalFocalCrossentropy": (
        dict(
            alpha=_WEIGHTS,
            gamma=0.5,
            from_logits=True,
            label_smoothing=0.1,
            ignore_class=-1,
        ),
        "sparse",
    ),
    "SmoothL1": (dict(beta=0.5), "regression"),
    "Huber": (dict(delta=0.5), "regression"),
    "BalancedL1": (dict(alpha=0.4, gamma=1.2, beta=0.8), "regression"),
    "Pinball": (dict(tau=[0.1, 0.5, 0.9]), "regression"),
    # Overlap losses: `axis=-1` makes each row of the (samples, 3) outputs
    # one set, so that sample weights and data parallelism apply per
    # sample; batch-pooled sets are tested in tests/test_segmentation.py.
    "Dice": (
        dict(axis=-1, from_logits=True, smooth_nr=1.0, squared_pred=True),
        "multilabel",
    ),
    "SparseDice": (
        dict(axis=-1, from_logits=True, exclude_classes=[0], ignore_class=-1),
        "sparse",
    ),
    "Jaccard": (dict(axis=-1, from_logits=True, class_axis=-1), "one_hot"),
    "SparseJaccard": (
        dict(axis=-1, from_logits=True, ignore_class=-1, squared_pred=True),
        "sparse",
    ),
    "Tversky": (
        dict(alpha=0.3, beta=0.7, axis=-1, from_logits=True),
        "multilabel",
    ),
    "SparseTversky": (
        dict(alpha=0.7, beta=0.3, axis=-1, from_logits=True, ignore_class=-1),
        "sparse",
    ),
    "FocalTversky": (dict(gamma=1.5, axis=-1, from_logits=True), "multilabel"),
    "SparseFocalTversky": (
        dict(axis=-1, from_logits=True, ignore_class=-1, smooth_dr=0.1),
        "sparse",
    ),
    "GeneralizedDice": (
        dict(weighting="simple", axis=-1, from_logits=True),
        "one_hot",
    ),
    "SparseGeneralizedDice": (
        dict(axis=-1, from_logits=True, ignore_class=-1),
        "sparse",
    ),
    "LovaszSoftmax": (
        dict(classes="all", axis=-1, from_logits=True, ignore_class=-1),
        "sparse",
    ),
    "LovaszHinge": (dict(axis=-1), "multilabel"),
    "AsymmetricLoss": (
        dict(
            gamma_pos=1.0,
            gamma_neg=3.0,
            clip=0.1,
            from_logits=True,
            label_smoothing=0.1,
        ),
        "multilabel",
    ),
    "BinaryPoly1Crossentropy": (
        dict(epsilon=2.0, from_logits=True, label_smoothing=0.1),
        "multilabel",
    ),
    "CategoricalPoly1Crossentropy": (
        dict(epsilon=-0.5, from_logits=True, label_smoothing=0.1),
        "one_hot",
    ),
    "SparseCategoricalPoly1Crossentropy": (
        dict(
            epsilon=1.5, from_logits=True, label_smoothing=0.1, ignore_class=-1
        ),
        "sparse",
    ),
    "QualityFocalLoss": (dict(beta=1.5, from_logits=True), "quality"),
    "VarifocalLoss": (dict(alpha=0.5, gamma=1.5, from_logits=True), "quality"),
    # Boxes: the task's targets are valid boxes in every format.
    "IoULoss": (dict(bounding_box_format="xywh", mode="quadratic"), "boxes"),
    "GIoULoss": (dict(bounding_box_format="xyxy"), "boxes"),
    "DIoULoss": (dict(bounding_box_format="center_xywh"), "boxes"),
    "CIoULoss": (dict(bounding_box_format="yxyx"), "boxes"),
    "DistributionFocalLoss": (dict(), "distances"),
    # Metric learning: labels and embeddings; NT-Xent's labels are the
    # other view's embeddings (a frozen tower, as in locked-image tuning);
    # the N-pairs losses take a similarity matrix (the "similarities" model
    # ends in a Gram matrix of its embeddings).
    "ContrastiveLoss": (dict(margin=2.0), "pairs"),
    "TripletSemiHardLoss": (dict(margin=0.5), "embeddings"),
    "TripletHardLoss": (
        dict(margin=0.5, distance_metric="squared-L2"),
        "embeddings",
    ),
    "LiftedStructLoss": (dict(margin=0.5), "embeddings"),
    "NpairsLoss": (dict(), "similarities"),
    "NpairsMultilabelLoss": (dict(), "multilabel_similarities"),
    "SupervisedContrastiveLoss": (dict(temperature=0.5), "embeddings"),
    "NTXentLoss": (dict(temperature=0.5), "views"),
    "Sum": (
        dict(
            losses=[
                keras_losses.SparseDice(
                    axis=-1, from_logits=True, ignore_class=-1
                ),
                keras.losses.SparseCategoricalCrossentropy(
                    from_logits=True, ignore_class=-1
                ),
            ],
            weights=[1.0, 0.5],
        ),
        "sparse",
    ),
}

# Arguments without a default: what a test that makes a class with its
# defaults passes.
REQUIRED = {
    "Sum": dict(losses=["keras_losses>Dice", "mean_squared_error"]),
    **{
        name: dict(bounding_box_format="xyxy")
        for name in ("IoULoss", "GIoULoss", "DIoULoss", "CIoULoss")
    },
}


def instance(loss_name, **kwargs):
    """The class `loss_name` made with `kwargs` and what it cannot default."""
    required = REQUIRED.get(loss_name, {})
    return LOSS_CLASSES[loss_name](**{**required, **kwargs})


# Overlap losses pool the whole batch by default (`axis=None`): tests that
# need one loss per sample pass these.
PER_SAMPLE = {
    name: dict(axis=-1)
    for name in (
        "Dice",
        "SparseDice",
        "Jaccard",
        "SparseJaccard",
        "Tversky",
        "SparseTversky",
        "FocalTversky",
        "SparseFocalTversky",
        "GeneralizedDice",
        "SparseGeneralizedDice",
        "LovaszSoftmax",
        "LovaszHinge",
    )
}


def example(name):
    """`(kwargs, task)` for a loss class, failing the test if it has none."""
    if name not in EXAMPLES:
        pytest.fail(
            f"{name} is in keras_losses.__all__ but has no entry in "
            "tests/examples.py EXAMPLES (non-default arguments and a task)"
        )
    return EXAMPLES[name]


# Losses whose value for a sample depends on the other samples of the batch
# (in-batch mining and batch statistics): under tf.distribute each replica
# sees its own shard (tests/test_distribution.py).
IN_BATCH = {
    "TripletSemiHardLoss",
    "TripletHardLoss",
    "LiftedStructLoss",
    "NpairsLoss",
    "NpairsMultilabelLoss",
    "SupervisedContrastiveLoss",
    "NTXentLoss",
}

# The shape of one sample's predictions: 3 outputs unless listed.
OUTPUT_SHAPES = {"boxes": (4,), "distances": (4, DISTANCE_BINS), "pairs": (1,)}
SIMILARITIES = ("similarities", "multilabel_similarities")


@keras.saving.register_keras_serializable(package="keras_losses_tests")
class Gram(keras.layers.Layer):
    """Similarities (batch, batch) of a batch of embeddings: `x @ x.T`.

    A test model's layer (not a loss): the fresh-process tests import this
    module to load models that end in it.
    """

    def call(self, x):
        return keras.ops.matmul(x, keras.ops.transpose(x))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[0])


def output_shape(task):
    return OUTPUT_SHAPES.get(task, (3,))


def task_model(task, seed=1):
    """A linear model from the 4 features to the task's predictions."""
    keras.utils.set_random_seed(seed)
    shape = output_shape(task)
    layers = [keras.Input((4,)), keras.layers.Dense(int(np.prod(shape)))]
    if len(shape) > 1:
        layers.append(keras.layers.Reshape(shape))
    if task in SIMILARITIES:
        layers.append(Gram())
    return keras.Sequential(layers)


def task_predictions(task, x):
    """Fixed predictions of the task's shape, made from the features `x`."""
    if task == "boxes":
        return x[:, :4]  # boxes of every kind, inverted ones included
    if task == "distances":  # logits over the bins of each side
        return x[:, :, None] * np.linspace(-1.0, 1.0, DISTANCE_BINS, "float32")
    if task == "pairs":
        return np.abs(x[:, :1])
    if task in SIMILARITIES:
        return x[:, :3] @ x[:, :3].T
    return x[:, :3]


def task_data(task, seed=0, samples=32):
    """Features `(samples, 4)` and labels in `task`'s format.

    "quality": a score in [0.2, 1] at one of 3 classes, 0 at the others;
    "boxes": valid boxes in every format (all four numbers > 0, the third
    and fourth above the first and second); "distances": 4 distances in
    `[0, DISTANCE_BINS - 1]` per sample; "embeddings", "similarities": an
    integer label in [0, 3) per sample; "pairs": 0 or 1 per pair; "views":
    the other view's embeddings (samples, 3).
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, 4)).astype("float32")
    labels = rng.integers(0, 3, size=samples)
    if task == "boxes":
        corner = rng.uniform(0.0, 2.0, size=(samples, 2))
        size = rng.uniform(0.5, 3.0, size=(samples, 2))
        return x, np.concatenate([corner, corner + size], -1).astype("float32")
    if task == "distances":
        y = rng.uniform(0.0, DISTANCE_BINS - 1, size=(samples, 4))
        return x, y.astype("float32")
    if task == "quality":  # an IoU-like score at one class, 0 elsewhere
        quality = rng.uniform(0.2, 1.0, size=(samples, 1))
        return x, (np.eye(3)[labels] * quality).astype("float32")
    if task in ("multilabel", "multilabel_similarities"):
        y = rng.integers(0, 2, size=(samples, 3)).astype("float32")
    elif task in ("embeddings", "similarities"):
        y = labels.astype("float32")  # Keras passes labels as floats
    elif task == "pairs":  # 1 for a similar pair, 0 for a dissimilar one
        y = rng.integers(0, 2, size=(samples, 1)).astype("float32")
    elif task == "views":  # the other view's embeddings
        y = (x[:, :3] + 0.3 * rng.normal(size=(samples, 3))).astype("float32")
    elif task == "regression":
        y = (x[:, :3] * 2.0 + rng.normal(size=(samples, 3))).astype("float32")
    elif task == "one_hot":
        y = np.eye(3, dtype="float32")[labels]
    else:
        labels[::5] = -1  # some ignored
        y = labels
    return x, y
