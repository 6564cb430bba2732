"""`python -m keras_losses demo`: the package at work in under a minute.

1. Reference values: a few losses computed by keras_losses and by the Keras
   built-ins, side by side (they agree to float32 round-off).
2. A rare-positive task (8-D Gaussian blobs, 1 % positives, fixed seed)
   trained with the same small model, seed and optimizer once per loss:
     bce       BinaryCrossentropy(from_logits=True)
     focal     BinaryFocalCrossentropy(from_logits=True), gamma=2
     weighted  BinaryCrossentropy(from_logits=True, pos_weight=N/P), the
               negative/positive ratio of the training set
     asl       AsymmetricLoss(from_logits=True), gamma_neg=4, clip=0.05:
               only when asked for (--loss bce focal weighted asl)
   One line per epoch while training, then a table on a held-out set of the
   same size: the precision-recall AUC (average precision), the recall at
   the best threshold whose precision is at least 0.5, and the last epoch's
   training loss (each loss on its own scale).
3. The focal model (or, without it, the last one trained) saved as
   `.keras`, reloaded in a fresh Python process that has only run
   `import keras_losses` (no `custom_objects`), and its loss config, loss
   value and predictions compared with the original's. The file is written
   to a temporary folder that is removed at the end, or kept in the folder
   given by --output.

Seeds are fixed: a rerun prints the same numbers on the same machine.
TensorFlow's start-up log is kept off the screen unless TF_CPP_MIN_LOG_LEVEL
is set.
"""

import argparse
import contextlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

LOSS_CHOICES = ("bce", "focal", "weighted", "asl")
DEFAULT_LOSSES = ("bce", "focal", "weighted")
PRECISION_TARGET = 0.5


def _seed_values():
    import keras

    import keras_losses

    cases = [
        (
            "CategoricalCrossentropy",
            [[0, 1, 0], [0, 0, 1]],
            [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]],
        ),
        ("BinaryCrossentropy", [[0.0], [1.0]], [[0.4], [0.6]]),
        (
            "SparseCategoricalCrossentropy",
            [1, 2],
            [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]],
        ),
    ]
    print(f"{'loss':32s} {'keras_losses':>12s} {'keras':>12s}")
    for name, y_true, y_pred in cases:
        y_true, y_pred = np.array(y_true), np.array(y_pred, dtype="float32")
        ours = float(getattr(keras_losses, name)()(y_true, y_pred))
        theirs = float(getattr(keras.losses, name)()(y_true, y_pred))
        print(f"{name:32s} {ours:12.7f} {theirs:12.7f}")


def imbalanced_data(samples, seed):
    """Two Gaussian blobs in 8-D, 1 % positives, overlapping a little."""
    rng = np.random.default_rng(seed)
    labels = (rng.random(samples) < 0.01).astype("float32")
    features = rng.normal(size=(samples, 8)).astype("float32")
    features[:, :2] += 2.0 * labels[:, None]
    return features, labels[:, None]


def precision_recall_curve(labels, scores):
    """Precision and recall at each distinct score used as a threshold.

    A sample is predicted positive when its score is >= the threshold; tied
    scores are one threshold. Returns `(precision, recall)`, highest threshold
    first, or two empty arrays when `labels` has no positive.
    """
    labels = np.asarray(labels, dtype=bool).ravel()
    scores = np.asarray(scores, dtype="float64").ravel()
    if not labels.any():
        return np.zeros(0), np.zeros(0)
    order = np.argsort(-scores, kind="stable")
    scores, hits = scores[order], labels[order]
    last_of_tie = np.r_[scores[1:] != scores[:-1], True]
    true_positives = np.cumsum(hits)[last_of_tie]
    predicted = np.arange(1, len(hits) + 1)[last_of_tie]
    return true_positives / predicted, true_positives / labels.sum()


def average_precision(labels, scores):
    """PR AUC as average precision: sum of (R_k - R_{k-1}) * P_k.

    NaN when `labels` has no positive.
    """
    precision, recall = precision_recall_curve(labels, scores)
    if not len(recall):
        return float("nan")
    return float(np.sum(np.diff(recall, prepend=0.0) * precision))


def recall_at_precision(labels, scores, target):
    """The largest recall of a threshold whose precision is >= `target`.

    0 when no threshold reaches `target`; NaN when `labels` has no positive.
    """
    precision, recall = precision_recall_curve(labels, scores)
    if not len(recall):
        return float("nan")
    return float(recall[precision >= target].max(initial=0.0))


def _losses(chosen, labels):
    import keras_losses

    positives = max(int(labels.sum()), 1)
    ratio = float(round((len(labels) - positives) / positives))
    makers = {
        "bce": (
            "BinaryCrossentropy()",
            lambda: keras_losses.BinaryCrossentropy(from_logits=True),
        ),
        "focal": (
            "BinaryFocalCrossentropy(gamma=2)",
            lambda: keras_losses.BinaryFocalCrossentropy(
                gamma=2.0, from_logits=True
            ),
        ),
        "weighted": (
            f"BinaryCrossentropy(pos_weight={ratio:.0f})",
            lambda: keras_losses.BinaryCrossentropy(
                from_logits=True, pos_weight=ratio
            ),
        ),
        "asl": (
            "AsymmetricLoss(gamma_neg=4, clip=0.05)",
            lambda: keras_losses.AsymmetricLoss(
                gamma_neg=4.0, clip=0.05, from_logits=True
            ),
        ),
    }
    return [(key, *makers[key]) for key in chosen]


def _train(loss, features, labels, epochs, seed):
    import keras

    class EpochLine(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            print(
                f"  epoch {epoch + 1:>{len(str(epochs))}}/{epochs}"
                f"  loss {logs['loss']:.5f}",
                flush=True,
            )

    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss)
    history = model.fit(
        features,
        labels,
        epochs=epochs,
        batch_size=256,
        verbose=0,
        callbacks=[EpochLine()],
    )
    return model, history.history["loss"][-1]


_RELOAD = """
import json, sys
import numpy as np
import keras
import keras_losses  # registers the losses: no custom_objects needed
model = keras.models.load_model(sys.argv[1])
data = np.load(sys.argv[2])
print(json.dumps({
    "class": type(model.loss).__name__,
    "config": model.loss.get_config(),
    "loss": model.evaluate(data["x"], data["y"], batch_size=256, verbose=0),
    "predictions": model.predict(data["x"], verbose=0).ravel().tolist(),
}))
"""


def _reload_in_fresh_process(path, features, labels, folder):
    data_path = os.path.join(folder, "demo_check_data.npz")
    np.savez(data_path, x=features, y=labels)
    result = subprocess.run(
        [sys.executable, "-c", _RELOAD, path, data_path],
        capture_output=True,
        text=True,
    )
    os.remove(data_path)
    if result.returncode != 0:
        raise RuntimeError(
            "Reloading the saved model in a fresh process failed with exit "
            f"code {result.returncode}; expected 0. Its stderr ends with:\n"
            + result.stderr[-2000:]
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(epochs=10, samples=50_000, losses=DEFAULT_LOSSES, output=None, seed=0):
    """Runs the demo, printing as it goes; True if the reload check passed."""
    import keras

    start = time.perf_counter()
    print(f"keras {keras.__version__}, backend {keras.backend.backend()}\n")
    print("1. Reference values: keras_losses vs Keras built-ins")
    _seed_values()

    features, labels = imbalanced_data(samples, seed)
    test_features, test_labels = imbalanced_data(samples, seed + 1)
    print(
        f"\n2. Rare positives, {epochs} epochs per loss: {samples} training "
        f"samples ({int(labels.sum())} positive),\n   {samples} test samples "
        f"({int(test_labels.sum())} positive)"
    )
    rows, models = [], {}
    for key, name, make in _losses(losses, labels):
        print(f"training with {name}", flush=True)
        model, final_loss = _train(make(), features, labels, epochs, seed)
        models[key] = model
        scores = model.predict(test_features, batch_size=4096, verbose=0)
        rows.append(
            (
                name,
                average_precision(test_labels, scores),
                recall_at_precision(test_labels, scores, PRECISION_TARGET),
                final_loss,
            )
        )
    recall_header = f"recall@P>={PRECISION_TARGET}"
    width = max([34] + [len(row[0]) + 1 for row in rows])
    print(
        f"\n{'loss':{width}s} {'PR AUC':>7s} {recall_header:>13s} "
        f"{'final loss':>10s}"
    )
    for name, auc, recall, final_loss in rows:
        print(f"{name:{width}s} {auc:7.3f} {recall:13.3f} {final_loss:10.5f}")
    print(
        "PR AUC: average precision on the test set. recall@P>="
        f"{PRECISION_TARGET}: the largest test\nrecall at a threshold whose "
        f"precision is >= {PRECISION_TARGET}. final loss: the last epoch's\n"
        "training loss, each loss on its own scale."
    )

    key = "focal" if "focal" in models else list(models)[-1]
    model = models[key]
    print(
        f"\n3. The {key} model saved as .keras, reloaded in a fresh process "
        "(no custom_objects)"
    )
    # A scratch folder for the reload check's data (and for the model
    # unless --output names a folder to keep it in), removed at the end.
    with tempfile.TemporaryDirectory(prefix="keras_losses_demo_") as scratch:
        folder = output or scratch
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"demo_{key}.keras")
        model.save(path)
        check_features = test_features[:2048]
        check_labels = test_labels[:2048]
        reloaded = _reload_in_fresh_process(
            path, check_features, check_labels, scratch
        )
    original_loss = model.evaluate(
        check_features, check_labels, batch_size=256, verbose=0
    )
    same = {
        "loss config": reloaded["config"] == model.loss.get_config(),
        "loss value": bool(
            np.isclose(reloaded["loss"], original_loss, rtol=1e-6, atol=0)
        ),
        "predictions": bool(
            np.allclose(
                reloaded["predictions"],
                model.predict(check_features, verbose=0).ravel(),
                rtol=1e-6,
                atol=1e-6,
            )
        ),
    }
    if output:
        print(f"saved to {path}")
    else:
        print(
            "saved to a temporary folder, now removed (--output DIR keeps "
            "the file)"
        )
    print(f"reloaded loss: {reloaded['class']}({reloaded['config']})")
    print(
        f"loss on {len(check_labels)} test samples: original "
        f"{original_loss:.7f}, reloaded {reloaded['loss']:.7f}"
    )
    print("; ".join(f"same {what}: {ok}" for what, ok in same.items()))
    print(f"\ndone in {time.perf_counter() - start:.0f} s")
    return all(same.values())


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m keras_losses",
        description="keras_losses: loss functions for Keras 3.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo",
        help="show the package working (under a minute on a CPU)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--epochs", type=int, default=10, help="epochs per loss (default: 10)"
    )
    demo.add_argument(
        "--samples",
        type=int,
        default=50_000,
        help="size of the training set, and of the test set (default: 50000)",
    )
    demo.add_argument(
        "--loss",
        nargs="+",
        choices=LOSS_CHOICES,
        default=list(DEFAULT_LOSSES),
        metavar="LOSS",
        help="which losses to train, among "
        + ", ".join(LOSS_CHOICES)
        + " (default: "
        + " ".join(DEFAULT_LOSSES)
        + ")",
    )
    demo.add_argument(
        "--output",
        help="folder to keep the saved .keras model in (default: none, the "
        "model is saved to a temporary folder that is removed at the end)",
    )
    demo.add_argument(
        "--seed", type=int, default=0, help="data and model seed (default: 0)"
    )
    return parser, demo


def parse_arguments(argv=None):
    """The command line's arguments; exits on `--help` or a bad argument.

    Needs neither Keras nor its backend, so both answers are immediate.
    """
    parser, demo = _parser()
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.samples < 1000:
        demo.error(
            "--epochs must be >= 1 and --samples >= 1000. Received: "
            f"--epochs={args.epochs}, --samples={args.samples}"
        )
    return args


# What TensorFlow (and other absl/glog C++ code) writes while it starts: the
# notice printed before absl's logging is set up, lines such as
# "I0000 00:00:1795976347.743609    3356 port.cc:153] oneDNN custom ..." or
# "E0000 00:00:1795976350.713486    3356 cuda_platform.cc:52] failed call to
# cuInit: ...", older TensorFlow's "2024-05-02 11:45:17.907378: I
# tensorflow/core/...:44] ...", and the second line of the CPU-instructions
# notice.
_START_UP_LOG = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [^ :\]]+:\d+\] "
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] [^ :\]]+:\d+\] "
    r"|To enable the following instructions: "
)


@contextlib.contextmanager
def _start_up_log_filtered():
    """Drops the backend's start-up log from the process's standard error.

    C++ code writes to file descriptor 2 directly, past `sys.stderr`, and
    TensorFlow writes some lines before it reads `TF_CPP_MIN_LOG_LEVEL`, so
    the descriptor itself is redirected to a temporary file for the block.
    Other lines (Python warnings, say) are written out afterwards; if the
    block raises, every line is, so that nothing explaining it is lost.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no usable descriptor 2
        yield
        return
    failed = True
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
            failed = False
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode(errors="replace")
            lines = lines.splitlines(keepends=True)
            if not failed:
                lines = [x for x in lines if not _START_UP_LOG.match(x)]
            sys.stderr.write("".join(lines))
            sys.stderr.flush()


def import_backend_quietly():
    """Imports Keras and starts its backend without the start-up log.

    Unless the user has set `TF_CPP_MIN_LOG_LEVEL` (then nothing is
    hidden), TensorFlow's INFO and WARNING lines are turned off for the run
    (errors still show) and the lines written while the backend imports and
    finds its devices are dropped. A no-op once Keras is imported.
    """
    if "keras" in sys.modules:
        return
    if "TF_CPP_MIN_LOG_LEVEL" in os.environ:
        import keras  # noqa: F401

        return
    # Inherited by the reload check's fresh process too.
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    with _start_up_log_filtered():
        import keras

        # The first tensor makes the backend look for devices (CUDA's
        # `cuInit` on TensorFlow), which logs too.
        keras.ops.convert_to_tensor(0.0)
        # On the other backends, `keras.utils.set_random_seed` (and saving)
        # import TensorFlow too when it is installed: do it here.
        if importlib.util.find_spec("tensorflow") is not None:
            import tensorflow as tf

            if keras.backend.backend() == "tensorflow":
                # The first XLA compilation (the focal losses' kernels are
                # compiled) logs its start-up too on TensorFlow 2.16.
                tf.function(lambda x: x + 1.0, jit_compile=True)(
                    tf.constant(0.0)
                )


def start_command_line(argv):
    """Run by `keras_losses/__init__.py` under `python -m keras_losses`.

    Checks the arguments (answering `--help` and bad arguments at once, as
    the package's import would otherwise load Keras first), then imports
    Keras quietly, before the package's own imports.
    """
    parse_arguments(argv)
    import_backend_quietly()


def main(argv=None):
    args = parse_arguments(argv)
    import_backend_quietly()
    losses = list(dict.fromkeys(args.loss))  # in order, without repeats
    ok = run(args.epochs, args.samples, losses, args.output, args.seed)
    return 0 if ok else 1


if __name__ == "__main__":  # python -m keras_losses.demo
    sys.exit(main())
