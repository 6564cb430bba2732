"""The README's first command, in its quick form."""

import os
import re
import subprocess
import sys


def test_demo_prints_seed_values_and_reloads(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "keras_losses",
            "demo",
            "--epochs",
            "1",
            "--samples",
            "2000",
            "--output",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    # The contract's seed values, ours and Keras's side by side.
    assert re.search(
        r"CategoricalCrossentropy\s+1\.176939\d\s+1\.176939\d", out
    )
    assert re.search(r"BinaryCrossentropy\s+0\.51082\d\d\s+0\.51082\d\d", out)
    assert re.search(
        r"pos_weight=\d+\)\s+\d+\.\d{4}\s+\d\.\d{3}\s+\d\.\d{3}", out
    )
    assert "same loss config: True; same predictions: True" in out
    assert (tmp_path / "pos_weighted_bce.keras").exists()


def test_demo_rejects_bad_options():
    result = subprocess.run(
        [sys.executable, "-m", "keras_losses", "demo", "--epochs", "0"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "--epochs must be >= 1" in result.stderr
    assert "Received: --epochs=0" in result.stderr
