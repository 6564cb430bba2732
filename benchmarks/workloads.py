"""What is timed: workloads (shapes and data) and, per loss, the reference.

Every row pairs one of our losses with what a user has today: the Keras
built-in with the same meaning, `one_hot` + Keras's categorical focal loss for
sparse focal, or a plain `keras.ops` transcription of the formula where Keras
has no such loss. All losses take logits (`from_logits=True`): the setting
the focal losses are recommended with, and the one Keras's focal losses get
wrong at large logits.
"""

import dataclasses

import numpy as np

# (batch, classes) etc. at full size and in --quick mode.
SIZES = {
    "classification": {"full": (4096, 1000), "quick": (256, 100)},
    "multi-label": {"full": (4096, 80), "quick": (256, 16)},
    "segmentation": {"full": (8, 256, 256, 21), "quick": (2, 32, 32, 5)},
    "boxes": {"full": (65536, 4), "quick": (4096, 4)},
}


def make_data(workload, shape, seed=0):
    """`(y_true, y_pred)` as NumPy arrays (float32 / int32)."""
    rng = np.random.default_rng(seed)
    if workload == "boxes":
        y_true = rng.normal(size=shape).astype("float32")
        noise = rng.normal(scale=0.5, size=shape)
        outliers = rng.random(shape) < 0.05  # a few large errors
        noise[outliers] *= 20.0
        return y_true, (y_true + noise).astype("float32")
    # Unit-scale logits: ordinary inputs, where Keras's clipped focal losses
    # and ours agree (see the `same_value` check of each row).
    logits = rng.normal(size=shape).astype("float32")
    if workload == "multi-label":
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

    def ours(self):
        import keras_losses

        cls = getattr(keras_losses, self.loss)
        if self.workload == "boxes":
            return cls()
        return cls(from_logits=True)

    def baseline(self):
        from benchmarks import references

        return references.REFERENCES[self.loss]()


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
    Case("Huber", "boxes", "keras.losses.Huber"),
    Case("SmoothL1", "boxes", "keras.ops transcription (beta=1)"),
    Case("BalancedL1", "boxes", "keras.ops transcription (Libra R-CNN)"),
    Case("Pinball", "boxes", "keras.ops transcription (tau=0.5)"),
]

# The sparse focal loss's peak memory is measured on this row.
MEMORY_CASE = CASES[6]
