"""Keras's private symbols that keras_losses uses, and the Keras floor.

`keras_losses/_keras_compat.py` is the one module that imports from
`keras.src`. These tests fail with the symbol's full name when a Keras
release removes or moves one of them, check that nothing else in the
package reaches into `keras.src`, and check the behaviour each symbol is
used for.
"""

import ast
import importlib
import pathlib

import keras
import numpy as np
import pytest

# Spelled out here, not read from keras_losses: the list is the record of
# what was checked. If a symbol is missing, `import keras_losses` (which the
# root conftest.py does first) already fails with an ImportError naming it
# (`_keras_compat._private`); these tests name it when it is only moved.
PRIVATE_SYMBOLS = (
    ("keras.src.losses", "ALL_OBJECTS_DICT"),
    ("keras.src.backend.common.masking", "get_keras_mask"),
    ("keras.src.backend.common.masking", "set_keras_mask"),
)

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "keras_losses"


@pytest.mark.parametrize(
    "module, name", PRIVATE_SYMBOLS, ids=[".".join(s) for s in PRIVATE_SYMBOLS]
)
def test_private_symbol_exists(module, name):
    symbol = f"{module}.{name}"
    try:
        found = importlib.import_module(module)
    except ImportError as error:
        pytest.fail(
            f"Keras {keras.__version__} has no module {module}, so "
            f"keras_losses cannot import the private symbol {symbol} "
            f"({error}); update keras_losses/_keras_compat.py"
        )
    assert hasattr(found, name), (
        f"Keras {keras.__version__} has no private symbol {symbol}, which "
        "keras_losses uses; update keras_losses/_keras_compat.py"
    )


def test_compat_lists_the_same_symbols():
    from keras_losses import _keras_compat

    assert _keras_compat.PRIVATE_SYMBOLS == PRIVATE_SYMBOLS


def _reaches_into_keras_src(tree):
    """Lines of `tree` that import `keras.src` or read `keras.src`."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
            if node.module == "keras":
                modules += [f"keras.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Attribute):
            modules = [ast.unparse(node)]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # importlib.import_module("keras.src...")
            modules = [node.value] if " " not in node.value else []
        else:
            continue
        if any(m == "keras.src" or m.startswith("keras.src.") for m in modules):
            lines.add(node.lineno)
    return sorted(lines)


def test_only_keras_compat_reaches_into_keras_src():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "_keras_compat.py":
            continue
        lines = _reaches_into_keras_src(ast.parse(path.read_text()))
        if lines:
            offenders[str(path.relative_to(PACKAGE.parent))] = lines
    assert not offenders, (
        "Only keras_losses/_keras_compat.py may use Keras's private modules "
        f"(keras.src); found in (file: lines) {offenders}"
    )


def test_the_checker_finds_each_spelling():
    source = (
        "import keras.src.losses\n"
        "from keras.src.backend import get_keras_mask\n"
        "from keras import src\n"
        "x = keras.src.losses\n"
        "importlib.import_module('keras.src.losses')\n"
        "import keras\n"
        "from keras import ops\n"
        "doc = 'see keras.src for details'\n"
    )
    assert _reaches_into_keras_src(ast.parse(source)) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "module, name",
    [
        ("keras.src.no_such_module", "get_keras_mask"),
        ("keras.src.backend.common.masking", "no_such_symbol"),
    ],
)
def test_a_missing_symbol_fails_naming_it(module, name):
    from keras_losses import _keras_compat

    with pytest.raises(ImportError, match=rf"{module}\.{name}") as raised:
        _keras_compat._private(module, name)
    assert keras.__version__ in str(raised.value)


def test_private_resolves_a_present_symbol():
    from keras_losses import _keras_compat

    masking = importlib.import_module("keras.src.backend.common.masking")
    assert (
        _keras_compat._private(
            "keras.src.backend.common.masking", "set_keras_mask"
        )
        is masking.set_keras_mask
    )


class _MaskedLoss(keras.losses.Loss):
    """Returns `y_pred` as the loss, masked where `y_true` is 0."""

    def call(self, y_true, y_pred):
        from keras_losses import _keras_compat

        losses = keras.ops.multiply(keras.ops.convert_to_tensor(y_pred), 1.0)
        _keras_compat.set_keras_mask(
            losses, keras.ops.not_equal(keras.ops.convert_to_tensor(y_true), 0)
        )
        return losses


def test_mask_set_by_compat_is_read_back_and_used_by_keras():
    from keras_losses import _keras_compat

    x = keras.ops.convert_to_tensor([1.0, 2.0, 3.0])
    mask = keras.ops.convert_to_tensor([True, False, True])
    assert _keras_compat.get_keras_mask(x) is None
    _keras_compat.set_keras_mask(x, mask)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(_keras_compat.get_keras_mask(x)),
        [True, False, True],
    )
    # keras.losses.Loss leaves the masked element out of the mean.
    y_true = np.array([1.0, 0.0, 1.0, 1.0], "float32")
    y_pred = np.array([1.0, 100.0, 2.0, 3.0], "float32")
    loss = _MaskedLoss()(y_true, y_pred)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loss), 2.0)


def test_added_loss_name_is_found_by_keras_losses_get():
    from keras_losses import _keras_compat

    name = "keras_losses>TestKerasCompatOnly"
    _keras_compat.add_loss_name(name, keras.losses.Huber)
    try:
        assert isinstance(keras.losses.get(name), keras.losses.Huber)
    finally:
        importlib.import_module("keras.src.losses").ALL_OBJECTS_DICT.pop(name)


@pytest.mark.parametrize("reduction", ["mean", "mean_with_sample_weight"])
def test_keras_has_the_reductions_that_set_its_floor(reduction):
    # Keras 3.7.0 added these; every loss here accepts them and leaves them
    # to keras.losses.Loss, so no Keras before 3.7.0 can be supported (3.8.0
    # is the oldest: see keras_losses/_keras_compat.py).
    y_true = np.array([[0.0], [1.0]], "float32")
    y_pred = np.array([[0.6], [0.4]], "float32")
    weight = np.array([1.0, 3.0], "float32")
    loss = keras.losses.MeanAbsoluteError(reduction=reduction)
    expected = {"mean": (0.6 + 3 * 0.6) / 2, "mean_with_sample_weight": 0.6}
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loss(y_true, y_pred, sample_weight=weight)),
        expected[reduction],
        rtol=1e-6,
    )
