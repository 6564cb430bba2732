"""Input makers and converters shared by the loss tests."""

import keras
import numpy as np

REDUCTIONS = [
    "sum_over_batch_size",
    "sum",
    "mean",
    "mean_with_sample_weight",
    "none",
    None,
]
WEIGHTINGS = [None, "scalar", "per_sample", "per_element"]


def numpy(x):
    if keras.backend.standardize_dtype(x.dtype) == "bfloat16":
        x = keras.ops.cast(x, "float32")  # not every backend exports it
    return np.asarray(keras.ops.convert_to_numpy(x), dtype="float64")


def sample_weight(kind, loss_shape, rng):
    if kind is None:
        return None
    if kind == "scalar":
        return 2.3
    shape = loss_shape
    if kind == "per_sample":  # (N, 1, ..., 1): broadcasts over the rest
        shape = loss_shape[:1] + (1,) * (len(loss_shape) - 1)
    return rng.uniform(0.0, 3.0, size=shape).astype("float32")


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def predictions(shape, from_logits, rng, axis=None):
    """Logits, or probabilities (per class along `axis`, else independent)."""
    logits = rng.normal(0.0, 3.0, size=shape)
    if from_logits:
        return logits.astype("float32")
    if axis is None:
        return rng.uniform(0.01, 0.99, size=shape).astype("float32")
    return softmax(logits, axis).astype("float32")


def one_hot(labels, classes, axis):
    return np.moveaxis(np.eye(classes, dtype="float32")[labels], -1, axis)


def run_in_fresh_process(script, *arguments):
    """Run `script` in a new Python process; its last line of JSON, parsed.

    A fresh process imports nothing but what `script` does: how a user
    loads a saved model.
    """
    import json
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", script, *map(str, arguments)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
