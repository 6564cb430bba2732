"""Fit every public loss on one device and data-parallel on two; print both.

Run as `python -m tests.distributed_fit` in a fresh process (the device
count must be set before the backend starts): on TensorFlow it makes two
logical CPU devices and uses `tf.distribute.MirroredStrategy`; on JAX it
needs `XLA_FLAGS=--xla_force_host_platform_device_count=2` and uses
`keras.distribution.DataParallel`. Prints one JSON line: for each loss, the
per-step losses and final weights of both runs.
"""

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_losses  # noqa: E402
from tests.examples import EXAMPLES  # noqa: E402
from tests.examples import IN_BATCH  # noqa: E402
from tests.examples import LOSS_CLASSES  # noqa: E402
from tests.examples import task_data  # noqa: E402
from tests.examples import task_model  # noqa: E402

BATCH = 8  # global batch: 4 per device
STEPS = 3


def _data(task):
    x, y = task_data(task, seed=3, samples=BATCH * STEPS)
    # Uneven weights, and (sparse tasks) ignored labels unevenly spread, so
    # a per-device reduction that is not the global one shows.
    weights = np.linspace(0.2, 2.0, len(x)).astype("float32")
    if task == "sparse":
        y = y.copy()
        y[[0, 1, 2, 9]] = -1
    return x, y, weights


def _weights(name, weights):
    # A batch statistic takes no per-sample weights (it raises).
    return None if name == "LiftedStructLoss" else weights


def _fit(name, strategy_scope):
    kwargs, task = EXAMPLES[name]
    x, y, weights = _data(task)
    weights = _weights(name, weights)
    with strategy_scope():
        model = task_model(task, seed=0)
        model.compile(optimizer="sgd", loss=LOSS_CLASSES[name](**kwargs))
    losses = []
    for step in range(STEPS):  # one fit per global batch: per-step losses
        batch = slice(step * BATCH, (step + 1) * BATCH)
        history = model.fit(
            x[batch],
            y[batch],
            sample_weight=None if weights is None else weights[batch],
            batch_size=BATCH,
            shuffle=False,
            verbose=0,
        )
        losses.append(history.history["loss"][0])
    weights_out = [w.tolist() for w in model.get_weights()]
    return {"losses": losses, "weights": weights_out}


def _scopes():
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import contextlib

        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2
        )
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        return contextlib.nullcontext, strategy.scope, 2
    if backend == "jax":
        import contextlib

        import jax

        devices = jax.devices()

        @contextlib.contextmanager
        def data_parallel():
            keras.distribution.set_distribution(
                keras.distribution.DataParallel(devices=devices)
            )
            try:
                yield
            finally:
                keras.distribution.set_distribution(None)

        return contextlib.nullcontext, data_parallel, len(devices)
    raise SystemExit(f"no data-parallel engine tested for {backend}")


def _pooled(strategy_scope):
    """Dice over the whole batch (`axis=None`): the first step's loss.

    Also the two values it could be computed from the same initial model:
    over the global batch, and the mean of each device's half.
    """
    x, y, _ = _data("multilabel")
    x, y = x[:BATCH], y[:BATCH]
    with strategy_scope():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        model.compile(optimizer="sgd", loss=keras_losses.Dice(from_logits=True))
    logits = model.predict(x, verbose=0)
    dice = keras_losses.Dice(from_logits=True)
    half = BATCH // 2
    history = model.fit(x, y, batch_size=BATCH, shuffle=False, verbose=0)
    return {
        "loss": history.history["loss"][0],
        "global": float(dice(y, logits)),
        "per_replica": float(
            (dice(y[:half], logits[:half]) + dice(y[half:], logits[half:])) / 2
        ),
    }


def _first_step(name):
    """An in-batch loss's first step, over the global batch and per half.

    From the initial model: the loss of the global batch, and the mean of
    the two devices' halves (what tf.distribute's replicas compute).
    """
    kwargs, task = EXAMPLES[name]
    x, y, weights = _data(task)
    x, y, weights = x[:BATCH], y[:BATCH], _weights(name, weights)
    predictions = task_model(task, seed=0)

    def loss(part):
        w = None if weights is None else weights[part]
        return float(
            LOSS_CLASSES[name](**kwargs)(y[part], predictions(x[part]), w)
        )

    half = BATCH // 2
    return {
        "global": loss(slice(0, BATCH)),
        "per_replica": (loss(slice(0, half)) + loss(slice(half, BATCH))) / 2,
    }


def main():
    single, parallel, devices = _scopes()
    results = {"devices": devices, "pooled Dice": _pooled(parallel)}
    for name in sorted(LOSS_CLASSES):
        results[name] = {
            "one_device": _fit(name, single),
            "data_parallel": _fit(name, parallel),
        }
        if name in IN_BATCH:
            results[name]["first_step"] = _first_step(name)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
