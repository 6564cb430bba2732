"""The README's first command, in its quick form, and the demo's metrics."""

import math
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from keras_losses import demo

NUMBER = r"\d+\.\d+"

# TensorFlow's start-up log (absl/glog lines such as "I0000 00:00:17959...
# 3356 port.cc:153] oneDNN custom operations are on", "E0000 ...
# cuda_platform.cc:52] failed call to cuInit"), which the demo keeps off the
# screen unless the user sets TF_CPP_MIN_LOG_LEVEL.
LOG_LINE = re.compile(
    r"^[IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\]"
    r"|absl::InitializeLog|cuInit|cudart_stub|oneDNN|cpu_feature_guard",
    re.M,
)


def run_demo(*args, python_options=(), **env):
    environment = dict(os.environ, **env)
    environment.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the user's choice
    return subprocess.run(
        [sys.executable, *python_options, "-m", "keras_losses", "demo", *args],
        capture_output=True,
        text=True,
        env=environment,
    )


def assert_no_start_up_log(result):
    assert not LOG_LINE.search(result.stdout), result.stdout
    assert not LOG_LINE.search(result.stderr), result.stderr


def test_demo_prints_table_and_reload_check(tmp_path):
    result = run_demo(
        "--epochs", "2", "--samples", "2000", "--output", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert_no_start_up_log(result)
    out = result.stdout
    # Reference values, ours and Keras's side by side, under a title a user
    # can read.
    assert "1. Reference values: keras_losses vs Keras built-ins" in out
    assert "contract" not in out
    assert re.search(
        r"CategoricalCrossentropy\s+1\.176939\d\s+1\.176939\d", out
    )
    assert re.search(r"BinaryCrossentropy\s+0\.51082\d\d\s+0\.51082\d\d", out)
    # A progress line per epoch, for each of the three losses.
    assert len(re.findall(r"epoch 1/2\s+loss " + NUMBER, out)) == 3
    assert len(re.findall(r"epoch 2/2\s+loss " + NUMBER, out)) == 3
    # The table: a header and one row per loss, PR AUC and recall in [0, 1].
    assert re.search(r"PR AUC\s+recall@P>=0\.5\s+final loss", out)
    rows = {}
    for name in (
        r"BinaryCrossentropy\(\)",
        r"BinaryFocalCrossentropy\(gamma=2\)",
        r"BinaryCrossentropy\(pos_weight=\d+\)",
    ):
        match = re.search(
            name + r"\s+(\d\.\d{3})\s+(\d\.\d{3})\s+(\d+\.\d{5})\n", out
        )
        assert match, (name, out)
        rows[name] = [float(value) for value in match.groups()]
        assert 0 <= rows[name][0] <= 1 and 0 <= rows[name][1] <= 1
    assert "average precision" in out
    assert "AsymmetricLoss" not in out  # asl only when asked for
    # The focal model, reloaded in a fresh process.
    assert "The focal model saved as .keras" in out
    assert "reloaded loss: BinaryFocalCrossentropy(" in out
    loss_line = re.search(
        rf"original ({NUMBER}), reloaded ({NUMBER})", out
    ).groups()
    assert loss_line[0] == loss_line[1]
    assert "same loss config: True; same loss value: True; " in out
    assert "same predictions: True" in out
    assert f"saved to {tmp_path / 'demo_focal.keras'}" in out
    assert (tmp_path / "demo_focal.keras").exists()
    # Only the model is kept in the --output folder.
    assert sorted(os.listdir(tmp_path)) == ["demo_focal.keras"]


def test_demo_without_output_leaves_no_file_behind(tmp_path):
    # Every temporary file goes under TMPDIR: the demo's must be gone.
    temp = tmp_path / "temp"
    temp.mkdir()
    result = run_demo(
        "--loss",
        "focal",
        "--epochs",
        "1",
        "--samples",
        "1000",
        TMPDIR=str(temp),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert_no_start_up_log(result)
    assert "same predictions: True" in result.stdout
    assert "saved to a temporary folder, now removed" in result.stdout
    left = [str(path.relative_to(temp)) for path in temp.rglob("*")]
    assert not [p for p in left if "keras_losses" in p or ".keras" in p], left


def test_demo_trains_only_the_chosen_losses(tmp_path):
    result = run_demo(
        "--loss",
        "weighted",
        "bce",
        "--epochs",
        "1",
        "--samples",
        "1000",
        "--output",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "BinaryFocalCrossentropy" not in out
    rows = re.findall(r"^(BinaryCrossentropy\(.*?\))\s+\d\.\d{3}", out, re.M)
    assert rows[0].startswith("BinaryCrossentropy(pos_weight=")
    assert rows[1] == "BinaryCrossentropy()"
    assert len(rows) == 2
    # Without the focal model, the last one trained is reloaded.
    assert "The bce model saved as .keras" in out
    assert "same predictions: True" in out
    assert (tmp_path / "demo_bce.keras").exists()


def test_demo_trains_asl_when_asked(tmp_path):
    result = run_demo(
        "--loss",
        "bce",
        "asl",
        "--epochs",
        "1",
        "--samples",
        "1000",
        "--output",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    table = re.search(r"^loss .*\n((?:.+\n)+?)PR AUC: ", out, re.M)
    assert table, out
    header = table.group(0).splitlines()[0]
    rows = table.group(1).splitlines()
    names = [re.match(r"(.+?\))\s+\d\.\d{3}\s", row).group(1) for row in rows]
    assert names == [
        "BinaryCrossentropy()",
        "AsymmetricLoss(gamma_neg=4, clip=0.05)",
    ]
    # The longer name widens the column: every line of the table lines up.
    assert {len(row) for row in rows} == {len(header)}
    # The last model trained, ASL, reloads after only `import keras_losses`.
    assert "The asl model saved as .keras" in out
    assert "reloaded loss: AsymmetricLoss(" in out
    assert "same loss config: True; same loss value: True; " in out
    assert "same predictions: True" in out
    assert (tmp_path / "demo_asl.keras").exists()


@pytest.mark.parametrize(
    "args, code", [(["--help"], 0), (["--epochs", "0"], 2), (["--x"], 2)]
)
def test_demo_help_and_bad_options_answer_before_keras_loads(args, code):
    # `-X importtime` lists every module the process imports, on stderr:
    # neither Keras nor a backend may be among them.
    result = run_demo(*args, python_options=["-X", "importtime"])
    assert result.returncode == code, result.stderr[-3000:]
    assert ("usage: python -m keras_losses demo" in result.stdout) == (
        code == 0
    )
    imported = re.findall(r"^import time:.*\|\s+(\S+)$", result.stderr, re.M)
    assert "argparse" in imported  # the listing works
    heavy = {"keras", "tensorflow", "jax", "torch"}
    assert not heavy & set(imported), sorted(heavy & set(imported))
    assert_no_start_up_log(result)


def test_demo_help_explains_the_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        demo.main(["demo", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--epochs", "--samples", "--loss", "--output", "--seed"):
        assert option in out
    for choice in ("bce", "focal", "weighted", "pos_weight", "asl"):
        assert choice in out
    assert "AsymmetricLoss" in out
    # ASL is a choice, not a default: the default run keeps its three.
    assert demo.parse_arguments(["demo"]).loss == ["bce", "focal", "weighted"]


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--epochs", "0"],
            "--epochs must be >= 1 and --samples >= 1000. Received: "
            "--epochs=0, --samples=50000$",
        ),
        (
            ["--samples", "999"],
            "Received: --epochs=10, --samples=999",
        ),
        (
            ["--loss", "dice"],
            # Python 3.12 quotes the choices, 3.10 and 3.11 do not.
            r"argument --loss: invalid choice: 'dice' \(choose from "
            r"'?bce'?, '?focal'?, '?weighted'?, '?asl'?\)",
        ),
        (["--epochs", "ten"], "argument --epochs: invalid int value: 'ten'"),
    ],
)
def test_demo_rejects_bad_options(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        demo.main(["demo", *args])
    assert exit_info.value.code == 2
    assert re.search(message, capsys.readouterr().err)


# Five samples, scores falling: labels 1 0 1 0 0. Predicting the top k
# positive gives (precision, recall) = (1, .5), (.5, .5), (2/3, 1),
# (.5, 1), (.4, 1). Average precision sums the recall gains times the
# precision where they happen: .5 * 1 + .5 * 2/3 = 5/6.
FIVE = ([1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5])


def test_average_precision_hand_derived():
    assert math.isclose(demo.average_precision(*FIVE), 5 / 6)
    # Perfect ranking: precision 1 wherever recall grows.
    assert demo.average_precision([0, 1, 1], [0.1, 0.5, 0.7]) == 1.0


def test_average_precision_counts_tied_scores_as_one_threshold():
    # Scores .9 .5 .5 .1 with labels 1 1 0 0: the tie at .5 is one
    # threshold, where 2 of 3 predicted are positive and recall reaches 1,
    # so AP = .5 * 1 + .5 * 2/3 = 5/6. Splitting the tie in the order given
    # would wrongly give 1.
    labels, scores = [1, 1, 0, 0], [0.9, 0.5, 0.5, 0.1]
    assert math.isclose(demo.average_precision(labels, scores), 5 / 6)
    precision, recall = demo.precision_recall_curve(labels, scores)
    np.testing.assert_allclose(precision, [1, 2 / 3, 1 / 2])
    np.testing.assert_allclose(recall, [0.5, 1, 1])


def test_recall_at_precision_hand_derived():
    # From FIVE's curve: precision >= .5 holds up to recall 1 (top 4);
    # >= .7 only for the top 1 (recall .5); nothing reaches 1.01.
    assert demo.recall_at_precision(*FIVE, 0.5) == 1.0
    assert demo.recall_at_precision(*FIVE, 0.7) == 0.5
    assert demo.recall_at_precision(*FIVE, 1.01) == 0.0


def test_metrics_without_positives_are_nan():
    assert math.isnan(demo.average_precision([0, 0], [0.3, 0.2]))
    assert math.isnan(demo.recall_at_precision([0, 0], [0.3, 0.2], 0.5))
