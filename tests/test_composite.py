"""Sum: a weighted sum of losses reduced once, that saves with its members.

Saving a compiled model and loading it in a fresh process, XLA, data
parallelism and configs are covered for Sum by the cross-cutting tests
(its entry in tests/examples.py); here: its arithmetic and its members.
"""

import keras
import numpy as np
import pytest

import keras_losses
from tests.helpers import numpy
from tests.helpers import run_in_fresh_process

RNG = np.random.default_rng(0)
LABELS = RNG.integers(0, 3, size=(4, 5, 6))
LOGITS = RNG.normal(size=(4, 5, 6, 3)).astype("float32")


def test_weighted_sum_of_per_sample_members():
    dice = keras_losses.SparseDice(axis=(1, 2, 3), from_logits=True)
    focal = keras_losses.SparseCategoricalFocalCrossentropy(from_logits=True)
    total = keras_losses.Sum([dice, focal], weights=[2.0, 0.5])
    # Images of one size, nothing masked: the sum of the members' results.
    expected = 2.0 * numpy(dice(LABELS, LOGITS)) + 0.5 * numpy(
        focal(LABELS, LOGITS)
    )
    np.testing.assert_allclose(numpy(total(LABELS, LOGITS)), expected, 1e-6)
    weights = np.array([0.5, 1.0, 2.0, 0.0])
    for reduction in ("sum", "mean_with_sample_weight", None):
        per_image = 2.0 * numpy(
            keras_losses.sparse_dice(
                LABELS, LOGITS, axis=(1, 2, 3), from_logits=True
            )
        ) + 0.5 * numpy(
            keras_losses.sparse_categorical_focal_crossentropy(
                LABELS, LOGITS, from_logits=True
            )
        ).mean(axis=(1, 2))
        total = keras_losses.Sum([dice, focal], [2.0, 0.5], reduction)
        ours = numpy(total(LABELS, LOGITS, sample_weight=weights))
        weighted = per_image * weights
        expected = {
            "sum": weighted.sum(),
            "mean_with_sample_weight": weighted.sum() / weights.sum(),
            None: weighted,
        }[reduction]
        np.testing.assert_allclose(ours, expected, rtol=1e-6)


def test_masked_elements_count_in_neither_sum_nor_count():
    labels = LABELS.copy()
    labels[0, :2] = 255
    labels[1] = 255  # an image with nothing that counts: 0
    ce = keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=255
    )
    ours = numpy(keras_losses.Sum([ce], reduction=None)(labels, LOGITS))
    per_pixel = numpy(
        keras.losses.sparse_categorical_crossentropy(
            np.where(labels == 255, 0, labels), LOGITS, from_logits=True
        )
    )
    kept = labels != 255
    expected = [
        per_pixel[n][kept[n]].mean() if kept[n].any() else 0.0 for n in range(4)
    ]
    np.testing.assert_allclose(ours, expected, rtol=1e-6)


@pytest.mark.parametrize("axis", [None, (0, 1, 2)])
def test_batch_statistic_members(axis):
    dice = keras_losses.SparseDice(axis=axis, from_logits=True)
    total = keras_losses.Sum([dice, "sparse_categorical_crossentropy"])
    ce = keras.losses.SparseCategoricalCrossentropy()
    # The member's own (default) reduction, added to every sample.
    expected = numpy(dice(LABELS, LOGITS)) + numpy(ce(LABELS, LOGITS))
    np.testing.assert_allclose(
        numpy(total(LABELS, LOGITS)), expected, rtol=1e-6
    )
    numpy(total(LABELS, LOGITS, sample_weight=2.0))  # a scalar weight is fine
    with pytest.raises(ValueError, match="pools the batch"):
        total(LABELS, LOGITS, sample_weight=np.ones(4))


def test_members_by_name_function_and_object_round_trip():
    members = [
        "keras_losses>Dice",
        keras.losses.mean_absolute_error,
        "MeanSquaredError",
        keras_losses.Huber(delta=0.5),
    ]
    total = keras_losses.Sum(members, weights=[1.0, 2.0, 0.5, 3.0])
    y_true = RNG.uniform(size=(4, 3)).astype("float32")
    y_pred = RNG.uniform(size=(4, 3)).astype("float32")
    expected = (
        numpy(keras.losses.Dice()(y_true, y_pred))
        + 2.0 * numpy(keras.losses.MeanAbsoluteError()(y_true, y_pred))
        + 0.5 * numpy(keras.losses.MeanSquaredError()(y_true, y_pred))
        + 3.0 * numpy(keras_losses.Huber(delta=0.5)(y_true, y_pred))
    )
    np.testing.assert_allclose(numpy(total(y_true, y_pred)), expected, 1e-5)
    config = total.get_config()
    rebuilt = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(total)
    )
    assert rebuilt.get_config() == config
    np.testing.assert_allclose(
        numpy(rebuilt(y_true, y_pred)), numpy(total(y_true, y_pred)), 1e-6
    )


_RELOAD = """
import json, sys
import keras
import keras_losses
model = keras.models.load_model(sys.argv[1])
print(json.dumps({"members": [type(m).__name__ for m in model.loss.losses],
                  "weights": model.loss.weights}))
"""


def test_saved_model_with_a_custom_member_loads_after_import(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3)])
    model.compile(
        loss=keras_losses.Sum(
            [
                keras_losses.LovaszHinge(axis=-1),
                keras.losses.BinaryCrossentropy(from_logits=True),
                keras.losses.mean_squared_error,
            ],
            weights=[1.0, 0.25, 0.1],
        )
    )
    model.save(tmp_path / "model.keras")
    loaded = run_in_fresh_process(_RELOAD, tmp_path / "model.keras")
    assert loaded == {
        "members": ["LovaszHinge", "BinaryCrossentropy", "_LossFunction"],
        "weights": [1.0, 0.25, 0.1],
    }


def test_nan_and_empty_batch():
    labels = LABELS.copy()
    logits = LOGITS.copy()
    logits[2, 0, 0, 0] = np.nan
    total = keras_losses.Sum(
        [
            keras_losses.SparseDice(axis=(1, 2)),
            keras.losses.SparseCategoricalCrossentropy(),
        ],
        reduction=None,
    )
    values = numpy(total(labels, logits))
    assert np.isnan(values[2]) and np.all(np.isfinite(values[[0, 1, 3]]))
    empty = total(labels[:0], logits[:0])
    assert numpy(empty).shape == (0,)
    total = keras_losses.Sum(
        [keras_losses.SparseDice(axis=(1, 2))], reduction="sum_over_batch_size"
    )
    np.testing.assert_array_equal(numpy(total(labels[:0], logits[:0])), 0.0)


def test_bad_members_say_which():
    with pytest.raises(ValueError, match=r"losses\[1\]='no_such_loss'"):
        keras_losses.Sum(["mse", "no_such_loss"])
    with pytest.raises(ValueError, match=r"losses\[0\] is a int"):
        keras_losses.Sum([3])
    with pytest.raises(ValueError, match="one per loss"):
        keras_losses.Sum(["mse", "mae"], weights=[1.0])
