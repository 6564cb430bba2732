"""Configs of every public loss class: complete, round-tripping, loadable."""

import inspect

import keras
import numpy as np
import pytest

from tests.examples import LOSS_CLASSES
from tests.examples import REQUIRED
from tests.examples import example
from tests.examples import instance
from tests.examples import task_data
from tests.examples import task_predictions


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_default_config_holds_every_argument(name):
    cls = LOSS_CLASSES[name]
    config = instance(name).get_config()
    assert set(inspect.signature(cls).parameters) == set(config)
    assert "dtype" in config
    rebuilt = cls.from_config(config)
    assert rebuilt.get_config() == config


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_config_holds_every_argument_and_round_trips(name):
    cls = LOSS_CLASSES[name]
    kwargs, task = example(name)
    loss = cls(**kwargs, reduction="sum", name="custom", dtype="float64")
    config = loss.get_config()
    assert set(inspect.signature(cls).parameters) == set(config)
    assert config["name"] == "custom" and config["dtype"] == "float64"
    for argument, value in kwargs.items():
        # Objects (Sum's members) are held as their serialised configs.
        assert config[argument] == keras.saving.serialize_keras_object(value)
    rebuilt = cls.from_config(config)
    assert rebuilt.get_config() == config
    x, y = task_data(task)
    y_pred = task_predictions(task, x)
    np.testing.assert_array_equal(
        _numpy(rebuilt(y, y_pred)), _numpy(loss(y, y_pred))
    )
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(loss)
    )
    assert type(restored) is cls and restored.get_config() == config


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_hyperparameters_read_as_attributes(name):
    kwargs, _ = example(name)
    loss = LOSS_CLASSES[name](**kwargs)
    for argument, value in kwargs.items():
        assert getattr(loss, argument) == value
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        loss.nonsense  # noqa: B018


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_keras2_auto_reduction_config_loads(name):
    cls = LOSS_CLASSES[name]
    config = dict(instance(name).get_config(), reduction="auto")
    assert cls.from_config(config).reduction == "sum_over_batch_size"
    assert instance(name, reduction="auto").get_config()["reduction"] == (
        "sum_over_batch_size"
    )


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_found_by_keras_string_lookup(name):
    if name in REQUIRED:
        pytest.skip(f"{name} has arguments without defaults: none by name")
    loss = keras.losses.get(f"keras_losses>{name}")
    assert type(loss) is LOSS_CLASSES[name]


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_dtype_policy_object_round_trips(name):
    policy = keras.DTypePolicy("mixed_bfloat16")
    loss = instance(name, dtype=policy)
    assert loss.dtype == "bfloat16"
    rebuilt = LOSS_CLASSES[name].from_config(loss.get_config())
    assert rebuilt.dtype == "bfloat16"


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
@pytest.mark.parametrize("bad", ["", 3])
def test_bad_name_raises(name, bad):
    with pytest.raises(ValueError, match="`name` must be a non-empty str"):
        instance(name, name=bad)


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_name_none_is_generated_as_keras_does(name):
    assert instance(name, name=None).name
