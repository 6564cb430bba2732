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
}


def example(name):
    """`(kwargs, task)` for a loss class, failing the test if it has none."""
    if name not in EXAMPLES:
        pytest.fail(
            f"{name} is in keras_losses.__all__ but has no entry in "
            "tests/examples.py EXAMPLES (non-default arguments and a task)"
        )
    return EXAMPLES[name]


def task_data(task, seed=0, samples=32):
    """Features `(samples, 4)` and labels in `task`'s format, 3 outputs."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, 4)).astype("float32")
    labels = rng.integers(0, 3, size=samples)
    if task == "multilabel":
        y = rng.integers(0, 2, size=(samples, 3)).astype("float32")
    elif task == "regression":
        y = (x[:, :3] * 2.0 + rng.normal(size=(samples, 3))).astype("float32")
    elif task == "one_hot":
        y = np.eye(3, dtype="float32")[labels]
    else:
        labels[::5] = -1  # some ignored
        y = labels
    return x, y
