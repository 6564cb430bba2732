"""`python -m keras_losses demo`: the package at work in under a minute.

1. The seed values of the contract, side by side with Keras's built-ins.
2. A rare-positive task (1 % positives, fixed seed) trained twice with the
   same model and seed: plain binary cross-entropy, and with `pos_weight`
   set to the negative/positive ratio. Recall at a 0.5 threshold and the
   precision-recall AUC are printed for both.
3. The weighted model saved as `.keras`, reloaded in a fresh Python process
   that has only run `import keras_losses` (no `custom_objects`), and its
   loss config and predictions compared with the original's.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


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


def _imbalanced_data(samples, seed):
    """Two Gaussian blobs in 8-D, 1 % positives, overlapping a little."""
    rng = np.random.default_rng(seed)
    labels = (rng.random(samples) < 0.01).astype("float32")
    features = rng.normal(size=(samples, 8)).astype("float32")
    features[:, :2] += 2.0 * labels[:, None]
    return features, labels[:, None]


def _model(seed):
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1),
        ]
    )


def _pr_auc(labels, scores):
    """Area under the precision-recall curve (average precision)."""
    order = np.argsort(-scores)
    hits = labels[order]
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(np.sum(precision * hits) / max(hits.sum(), 1))


def _train(loss, features, labels, epochs, seed):
    import keras

    model = _model(seed)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss)
    history = model.fit(
        features, labels, epochs=epochs, batch_size=256, verbose=2
    )
    return model, history.history["loss"][-1]


_RELOAD = """
import json, sys
import numpy as np
import keras
import keras_losses  # registers the losses: no custom_objects needed
model = keras.models.load_model(sys.argv[1])
features = np.load(sys.argv[2])
print(json.dumps({
    "config": model.loss.get_config(),
    "predictions": model.predict(features, verbose=0).ravel().tolist(),
}))
"""


def _reload_in_fresh_process(model, features, folder):
    path = os.path.join(folder, "pos_weighted_bce.keras")
    model.save(path)
    features_path = os.path.join(folder, "features.npy")
    np.save(features_path, features)
    result = subprocess.run(
        [sys.executable, "-c", _RELOAD, path, features_path],
        capture_output=True,
        text=True,
        check=True,
    )
    return path, json.loads(result.stdout.strip().splitlines()[-1])


def run(epochs=5, samples=20_000, output=None, seed=0):
    import keras

    import keras_losses

    print(f"keras {keras.__version__}, backend {keras.backend.backend()}\n")
    print("1. Seed values")
    _seed_values()

    print(
        f"\n2. Rare positives: {samples} samples, 1% positive, {epochs} epochs"
    )
    features, labels = _imbalanced_data(samples, seed)
    test_features, test_labels = _imbalanced_data(samples // 2, seed + 1)
    ratio = float((labels == 0).sum() / max((labels == 1).sum(), 1))
    losses = {
        "BinaryCrossentropy()": keras_losses.BinaryCrossentropy(
            from_logits=True
        ),
        f"BinaryCrossentropy(pos_weight={ratio:.0f})": (
            keras_losses.BinaryCrossentropy(from_logits=True, pos_weight=ratio)
        ),
    }
    rows = []
    for name, loss in losses.items():
        print(f"\ntraining with {name}")
        model, final_loss = _train(loss, features, labels, epochs, seed)
        scores = model.predict(test_features, verbose=0).ravel()
        positives = test_labels.ravel() == 1
        recall = float(np.mean(scores[positives] > 0.0))  # p > 0.5
        rows.append((name, final_loss, recall, _pr_auc(positives, scores)))
    print(f"\n{'loss':34s} {'final loss':>10s} {'recall':>7s} {'PR AUC':>7s}")
    for name, final_loss, recall, auc in rows:
        print(f"{name:34s} {final_loss:10.4f} {recall:7.3f} {auc:7.3f}")

    print("\n3. Save as .keras, reload in a fresh process")
    folder = output or tempfile.mkdtemp(prefix="keras_losses_demo_")
    os.makedirs(folder, exist_ok=True)
    path, reloaded = _reload_in_fresh_process(
        model, test_features[:256], folder
    )
    same_config = reloaded["config"] == model.loss.get_config()
    same_predictions = np.allclose(
        reloaded["predictions"],
        model.predict(test_features[:256], verbose=0).ravel(),
        rtol=1e-6,
        atol=1e-6,
    )
    print(f"saved to {path}")
    print(f"reloaded loss: {reloaded['config']}")
    print(
        f"same loss config: {same_config}; same predictions: {same_predictions}"
    )
    return same_config and same_predictions


def main(argv=None):
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
    demo.add_argument("--epochs", type=int, default=5, help="default: 5")
    demo.add_argument(
        "--samples", type=int, default=20_000, help="training set size"
    )
    demo.add_argument(
        "--output", help="folder for the saved model (default: a temp folder)"
    )
    demo.add_argument("--seed", type=int, default=0, help="default: 0")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.samples < 200:
        parser.error(
            "--epochs must be >= 1 and --samples >= 200. Received: "
            f"--epochs={args.epochs}, --samples={args.samples}"
        )
    ok = run(args.epochs, args.samples, args.output, args.seed)
    return 0 if ok else 1
