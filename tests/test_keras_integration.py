"""Every public loss class inside Keras: compile, fit, save, load, export.

The classes are discovered from `keras_losses.__all__` (LOSS_CLASSES); each
needs an entry in tests/examples.py (non-default hyperparameters and a task
it fits), so a new loss cannot skip these checks.
"""

import keras
import numpy as np
import pytest

from tests.examples import EXAMPLES
from tests.examples import LOSS_CLASSES
from tests.examples import REQUIRED
from tests.examples import example
from tests.examples import task_data as _task
from tests.examples import task_model as _model
from tests.examples import task_predictions
from tests.helpers import run_in_fresh_process


def test_every_public_loss_has_an_example():
    assert set(LOSS_CLASSES) == set(EXAMPLES)


_RELOAD = """
import json, sys
import numpy as np
import keras
import keras_losses
import tests.examples  # the Gram layer of the N-pairs test models, no loss
results = {}
for name in sys.argv[2:]:
    model = keras.models.load_model(f"{sys.argv[1]}/{name}.keras")
    data = np.load(f"{sys.argv[1]}/{name}.npz")
    before = model.evaluate(data["x"], data["y"], verbose=0)
    history = model.fit(data["x"], data["y"], shuffle=False, verbose=0)
    results[name] = {
        "config": model.loss.get_config(),
        "class": type(model.loss).__name__,
        "evaluate": before,
        "next_fit": history.history["loss"][-1],
    }
print(json.dumps(results))
"""


def test_fit_save_and_load_in_a_fresh_process(tmp_path):
    expected = {}
    for name in LOSS_CLASSES:
        kwargs, task = example(name)
        x, y = _task(task)
        model = _model(task)
        model.compile(optimizer="adam", loss=LOSS_CLASSES[name](**kwargs))
        model.fit(x, y, epochs=1, shuffle=False, verbose=0)
        model.save(tmp_path / f"{name}.keras")
        np.savez(tmp_path / f"{name}.npz", x=x, y=y)
        before = model.evaluate(x, y, verbose=0)
        history = model.fit(x, y, shuffle=False, verbose=0)
        expected[name] = (model.loss.get_config(), before, history)
    # A fresh process that imports nothing but keras and keras_losses.
    reloaded = run_in_fresh_process(_RELOAD, tmp_path, *LOSS_CLASSES)
    for name, (config, before, history) in expected.items():
        assert reloaded[name]["class"] == name
        assert reloaded[name]["config"] == config
        np.testing.assert_allclose(
            reloaded[name]["evaluate"], before, rtol=1e-6
        )
        # The optimizer state came back too: the next step is the same.
        np.testing.assert_allclose(
            reloaded[name]["next_fit"], history.history["loss"][-1], rtol=1e-5
        )


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_compile_by_registered_name(name):
    # Keras resolves the string itself (it raises for an unknown name).
    if name in REQUIRED:
        pytest.skip(f"{name} has arguments without defaults: none by name")
    kwargs, task = example(name)
    x, y = _task(task)
    if task == "sparse":
        y = np.where(y < 0, 0, y)  # default arguments: no ignore_class
    model = _model(task)
    model.compile(optimizer="sgd", loss=f"keras_losses>{name}")
    history = model.fit(x, y, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][-1])
    by_name = model.evaluate(x, y, verbose=0)
    model.compile(optimizer="sgd", loss=LOSS_CLASSES[name]())
    np.testing.assert_allclose(by_name, model.evaluate(x, y, verbose=0))


def _fit_loss(name, jit_compile):
    kwargs, task = example(name)
    x, y = _task(task)
    model = _model(task)
    model.compile(
        optimizer="sgd",
        loss=LOSS_CLASSES[name](**kwargs),
        jit_compile=jit_compile,
        run_eagerly=not jit_compile and keras.backend.backend() == "jax",
    )
    history = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    return history.history["loss"]


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_xla_fit_matches_plain_fit(name, backend):
    if backend not in ("tensorflow", "jax"):
        pytest.skip(f"XLA compilation is a TensorFlow/JAX feature ({backend})")
    np.testing.assert_allclose(
        _fit_loss(name, jit_compile=True),
        _fit_loss(name, jit_compile=False),
        rtol=1e-5,
    )


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_tf_function_with_unknown_shapes(name, backend):
    if backend != "tensorflow":
        pytest.skip("tf.function is TensorFlow's")
    import tensorflow as tf

    kwargs, task = example(name)
    x, y = _task(task)
    logits = task_predictions(task, x)
    loss = LOSS_CLASSES[name](**kwargs)
    label_spec = tf.TensorSpec([None] * y.ndim, tf.as_dtype(y.dtype))
    logit_spec = tf.TensorSpec([None] * logits.ndim, tf.float32)
    for jit_compile in (False, True):
        graph_loss = tf.function(
            loss,
            input_signature=[label_spec, logit_spec],
            jit_compile=jit_compile,
        )
        np.testing.assert_allclose(
            graph_loss(y, logits).numpy(), loss(y, logits).numpy(), rtol=1e-6
        )


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_mixed_precision_computes_in_float32(policy, name):
    kwargs, task = example(name)
    x, y = _task(task)
    reference_model = _model(task)
    keras.mixed_precision.set_dtype_policy(policy)
    try:
        loss = LOSS_CLASSES[name](**kwargs)
        model = _model(task)
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    model.set_weights(reference_model.get_weights())
    y_pred = model(x)
    assert keras.backend.standardize_dtype(y_pred.dtype) == policy[6:]
    value = loss(y, y_pred)
    assert loss.dtype == "float32"
    assert keras.backend.standardize_dtype(value.dtype) == "float32"
    expected = LOSS_CLASSES[name](**kwargs)(y, reference_model(x))
    tolerance = 1e-2 if policy == "mixed_float16" else 5e-2
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(value),
        keras.ops.convert_to_numpy(expected),
        rtol=tolerance,
    )
    # Trained under the policy: finite float32 losses, and the same loss as
    # the float32 model on the same weights.
    model.compile(optimizer="sgd", loss=loss)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    reference_model.set_weights(model.get_weights())
    reference_model.compile(loss=LOSS_CLASSES[name](**kwargs))
    np.testing.assert_allclose(
        model.evaluate(x, y, verbose=0),
        reference_model.evaluate(x, y, verbose=0),
        rtol=tolerance,
    )


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_export_serves_the_models_predictions(name, backend, tmp_path):
    if backend != "tensorflow":
        pytest.skip("model.export to a TF SavedModel is tested on TensorFlow")
    import tensorflow as tf

    kwargs, task = example(name)
    x, y = _task(task)
    model = _model(task)
    model.compile(optimizer="adam", loss=LOSS_CLASSES[name](**kwargs))
    model.fit(x, y, epochs=1, verbose=0)
    path = str(tmp_path / "exported")
    model.export(path, verbose=False)
    artifact = tf.saved_model.load(path)  # kept alive: it owns the weights
    served = artifact.serve(tf.constant(x))
    np.testing.assert_allclose(
        served.numpy(), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6
    )
