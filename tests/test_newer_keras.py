"""Keras 3.16's new sparse losses: ours against them, where Keras has them.

Keras 3.16 adds `keras.losses.SparseCategoricalFocalCrossentropy` (`alpha`,
`gamma`, `from_logits`, `ignore_class`) and `label_smoothing` in
`keras.losses.SparseCategoricalCrossentropy`. On ordinary inputs ours equal
them; at extreme logits Keras's sparse focal loss clips, ours does not; and
the two packages' classes of the same name save and load side by side. On an
older Keras each test skips, naming what is missing.
"""

import inspect
import itertools
import json

import keras
import numpy as np
import pytest

import keras_losses
from tests import reference
from tests.helpers import REDUCTIONS
from tests.helpers import numpy
from tests.helpers import predictions
from tests.helpers import run_in_fresh_process
from tests.helpers import sample_weight
from tests.tolerance import assert_close


def _keras_sparse_focal():
    if not hasattr(keras.losses, "SparseCategoricalFocalCrossentropy"):
        pytest.skip(
            "keras.losses.SparseCategoricalFocalCrossentropy is new in Keras "
            f"3.16; installed: Keras {keras.__version__}"
        )
    return keras.losses.SparseCategoricalFocalCrossentropy


def _keras_sparse_smoothing():
    parameters = inspect.signature(
        keras.losses.SparseCategoricalCrossentropy
    ).parameters
    if "label_smoothing" not in parameters:
        pytest.skip(
            "label_smoothing in keras.losses.SparseCategoricalCrossentropy "
            f"is new in Keras 3.16; installed: Keras {keras.__version__}"
        )
    return keras.losses.SparseCategoricalCrossentropy


def _sparse_case(shape, ignore_class, rng):
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    if ignore_class is not None:
        labels[rng.random(labels.shape) < 0.3] = ignore_class
    return labels


FOCAL_GRID = list(
    itertools.product(
        [(6, 4), (2, 3, 4, 5)],  # shape, classes last
        [False, True],  # from_logits
        [None, -1],  # ignore_class
        [(0.25, 2.0), (0.7, 0.5), (1.0, 0.0)],  # alpha, gamma
        REDUCTIONS,
        [None, "per_sample"],  # sample weighting
    )
)


@pytest.mark.parametrize(
    "shape, from_logits, ignore_class, alpha_gamma, reduction, weighting",
    FOCAL_GRID,
)
def test_sparse_focal_equals_keras_on_ordinary_inputs(
    shape, from_logits, ignore_class, alpha_gamma, reduction, weighting
):
    keras_class = _keras_sparse_focal()
    rng = np.random.default_rng(len(shape) + 7 * from_logits)
    y_pred = predictions(shape, from_logits, rng, axis=-1)
    y_true = _sparse_case(shape, ignore_class, rng)
    weight = sample_weight(weighting, shape[:-1], rng)
    alpha, gamma = alpha_gamma
    kwargs = dict(
        alpha=alpha,
        gamma=gamma,
        from_logits=from_logits,
        ignore_class=ignore_class,
        reduction=reduction,
    )
    ours = keras_losses.SparseCategoricalFocalCrossentropy(**kwargs)
    theirs = keras_class(**kwargs)
    assert_close(
        numpy(ours(y_true, y_pred, sample_weight=weight)),
        numpy(theirs(y_true, y_pred, sample_weight=weight)),
        rtol=1e-6,
        atol=1e-7,
        reference="keras.losses.SparseCategoricalFocalCrossentropy",
        case=f"{shape} logits={from_logits} ignore={ignore_class} "
        f"alpha,gamma={alpha_gamma} {reduction} w={weighting}",
    )


@pytest.mark.parametrize("scale", [50.0, 1e4])
def test_sparse_focal_extreme_logits_where_keras_clips(scale):
    """The README's claim: Keras gives 4.0295 at logits of +-50 and +-1e4.

    A wrong class ahead by 2 * scale: log p_t = -2 * scale and
    1 - p_t = 1 to float64, so the loss is alpha * 2 * scale = scale / 2
    (25 and 5000); Keras's softmax, clip to 1e-7, log gives
    0.25 * -log(1e-7) = 4.0295 for both.
    """
    keras_class = _keras_sparse_focal()
    y_true = np.array([0])
    logits = np.array([[-scale, scale]], "float32")
    expected = reference.sparse_categorical_focal_crossentropy(
        y_true, logits, from_logits=True
    )
    np.testing.assert_allclose(expected, [scale / 2], rtol=1e-12)
    ours = keras_losses.SparseCategoricalFocalCrossentropy(from_logits=True)
    theirs = keras_class(from_logits=True)
    np.testing.assert_allclose(numpy(ours(y_true, logits)), scale / 2, 1e-6)
    np.testing.assert_allclose(
        numpy(theirs(y_true, logits)), 0.25 * -np.log(1e-7), rtol=1e-5
    )


def test_what_ours_adds_to_keras_sparse_focal():
    """The README's list: Keras's class has no label_smoothing and takes
    one alpha and gamma for all classes; ours takes both per class."""
    keras_class = _keras_sparse_focal()
    theirs = set(inspect.signature(keras_class).parameters)
    ours = set(
        inspect.signature(
            keras_losses.SparseCategoricalFocalCrossentropy
        ).parameters
    )
    assert ours - theirs == {"label_smoothing"}
    # Per-class alpha and gamma: ours equals the float64 reference.
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(8, 3)).astype("float32")
    labels = rng.integers(0, 3, size=8)
    kwargs = dict(alpha=[0.2, 0.5, 0.3], gamma=[0.0, 1.0, 3.0])
    got = keras_losses.sparse_categorical_focal_crossentropy(
        labels, logits, from_logits=True, label_smoothing=0.1, **kwargs
    )
    want = reference.sparse_categorical_focal_crossentropy(
        labels, logits, from_logits=True, label_smoothing=0.1, **kwargs
    )
    np.testing.assert_allclose(numpy(got), want, rtol=1e-5)


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("ignore_class", [None, -1])
def test_sparse_label_smoothing_equals_keras(
    smoothing, from_logits, ignore_class
):
    keras_class = _keras_sparse_smoothing()
    rng = np.random.default_rng(11)
    shape = (4, 5, 6)
    y_pred = predictions(shape, from_logits, rng, axis=-1)
    y_true = _sparse_case(shape, ignore_class, rng)
    kwargs = dict(
        from_logits=from_logits,
        label_smoothing=smoothing,
        ignore_class=ignore_class,
    )
    assert_close(
        numpy(
            keras_losses.SparseCategoricalCrossentropy(**kwargs)(y_true, y_pred)
        ),
        numpy(keras_class(**kwargs)(y_true, y_pred)),
        rtol=1e-6,
        atol=1e-7,
        reference="keras.losses.SparseCategoricalCrossentropy(label_smoothing)",
        case=f"ls={smoothing} logits={from_logits} ignore={ignore_class}",
    )
    # What ours adds: per-class weights (Keras's class has no class_weight).
    parameters = inspect.signature(keras_class).parameters
    assert "class_weight" not in parameters


_RELOAD = """
import json, sys
import keras
import keras_losses
out = {}
for name in sys.argv[2:]:
    loss = keras.models.load_model(f"{sys.argv[1]}/{name}.keras").loss
    out[name] = [type(loss).__module__, type(loss).__name__, loss.get_config()]
print(json.dumps(out))
"""


def test_same_names_save_and_load_apart(tmp_path):
    """A model saved with Keras's class reloads with Keras's; ours, ours."""
    losses = {
        "keras_scce": keras.losses.SparseCategoricalCrossentropy(),
        "ours_scce": keras_losses.SparseCategoricalCrossentropy(),
        "ours_focal": keras_losses.SparseCategoricalFocalCrossentropy(),
    }
    if hasattr(keras.losses, "SparseCategoricalFocalCrossentropy"):
        losses["keras_focal"] = keras.losses.SparseCategoricalFocalCrossentropy(
            gamma=1.5
        )
    for name, loss in losses.items():
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        model.compile(optimizer="sgd", loss=loss)
        model.save(tmp_path / f"{name}.keras")
    reloaded = run_in_fresh_process(_RELOAD, tmp_path, *losses)
    for name, loss in losses.items():
        module, class_name, config = reloaded[name]
        package = "keras_losses" if name.startswith("ours") else "keras"
        assert module.split(".")[0] == package, (name, module)
        assert class_name == type(loss).__name__
        assert config == json.loads(json.dumps(loss.get_config()))
    # Names: Keras's plain name stays Keras's, the prefixed one is ours.
    for name in ("SparseCategoricalCrossentropy",) + (
        ("SparseCategoricalFocalCrossentropy",)
        if "keras_focal" in losses
        else ()
    ):
        assert type(keras.losses.get(name)).__module__.startswith("keras.")
        ours = keras.losses.get(f"keras_losses>{name}")
        assert type(ours) is getattr(keras_losses, name)
    if "keras_focal" not in losses:
        pytest.skip(
            "Keras's SparseCategoricalFocalCrossentropy (Keras 3.16) not "
            f"installed (Keras {keras.__version__}); checked the rest"
        )
