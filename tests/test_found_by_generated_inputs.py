"""Regression tests for the bugs the property-based tests found.

Each test is named after what it catches; tests/test_properties.py found
them all (issue 6).
"""

import keras
import numpy as np
import pytest

import keras_losses
from tests import reference
from tests.autodiff import finite_difference
from tests.autodiff import value_and_grad
from tests.helpers import numpy


def _half_dtypes(backend):
    return ["float16"] + ([] if backend == "torch" else ["bfloat16"])


def test_top_class_gradient_with_label_smoothing(backend):
    # The focal loss of the class holding more than 3/4 of the mass lost the
    # gradient of its own logit (a stop_gradient on it): the gradient of a
    # softmax loss must sum to 0 over the classes, and match the formula.
    if backend == "jax":
        pytest.skip("JAX computes in float32 unless jax_enable_x64 is set")
    logits = np.array([[1.03675258, 2.46485448], [0.2, -3.0]])
    kwargs = dict(alpha=1.0, gamma=1.0, label_smoothing=1.0, from_logits=True)
    labels = np.array([0, 0])
    _, grad = value_and_grad(
        lambda x: keras.ops.sum(
            keras_losses.sparse_categorical_focal_crossentropy(
                labels, x, **kwargs
            )
        ),
        logits,
    )
    expected = finite_difference(
        lambda x: reference.sparse_categorical_focal_crossentropy(
            labels, x, **kwargs
        ),
        logits,
    )
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(grad.sum(axis=-1), 0.0, atol=1e-12)


@pytest.mark.parametrize(
    "function",
    [keras_losses.binary_crossentropy, keras_losses.binary_focal_crossentropy],
)
def test_half_precision_probabilities_at_0_and_1_are_finite(function, backend):
    # In float16/bfloat16, 1 - 1e-7 rounds to 1: Keras's clip then leaves
    # log(1 - p) = -inf (NaN loss), and 1 / 1e-7 overflows the gradient.
    y_true = np.array([[1.0, 0.0, 0.0, 1.0]])
    for dtype in _half_dtypes(backend):
        value, grad = value_and_grad(
            lambda x, dtype=dtype: keras.ops.cast(
                keras.ops.sum(function(y_true, keras.ops.cast(x, dtype))),
                "float32",
            ),
            np.array([[1.0, 0.0, 1.0, 0.0]], "float32"),
        )
        assert np.isfinite(value) and np.all(np.isfinite(grad)), dtype


def test_balanced_l1_half_precision_large_b():
    # b = exp(gamma / alpha) - 1 = e^16 - 1 = 8.9e6 overflowed float16.
    loss = keras_losses.balanced_l1(
        np.zeros((1, 2)),
        keras.ops.cast([[129.375, 101.25]], "float16"),
        alpha=0.125,
        gamma=2.0,
    )
    expected = reference.balanced_l1(
        np.zeros((1, 2)), [[129.375, 101.25]], alpha=0.125, gamma=2.0
    )
    np.testing.assert_allclose(numpy(loss), expected, rtol=1e-2)


def test_balanced_l1_tiny_beta_stays_finite():
    # With beta = 2e-313 the inlier branch's b * x / beta overflowed (and a
    # reference written as beta * L(x / beta) did too).
    y_true, y_pred = np.array([[0.12573022]]), np.array([[-13.0847559]])
    value, grad = value_and_grad(
        lambda x: keras.ops.sum(
            keras_losses.balanced_l1(
                y_true, x, alpha=1.0, gamma=1.0, beta=2e-313
            )
        ),
        y_pred,
    )
    np.testing.assert_allclose(value, 13.21048612, rtol=1e-6)  # gamma * |d|
    np.testing.assert_allclose(grad, [[-1.0]], rtol=1e-6)


@pytest.mark.parametrize(
    "function",
    [
        keras_losses.binary_crossentropy,
        keras_losses.binary_focal_crossentropy,
        keras_losses.smooth_l1,
        keras_losses.huber,
        keras_losses.balanced_l1,
        keras_losses.pinball,
    ],
)
def test_mean_over_an_empty_axis_is_zero_not_nan(function):
    # Rank-1 inputs of length 0: a sample with no entries has no loss.
    loss = numpy(function(np.zeros((0,)), np.zeros((0,), "float32")))
    assert loss.shape == () and loss == 0.0


@pytest.mark.parametrize(
    "function",
    [
        keras_losses.categorical_focal_crossentropy,
        keras_losses.sparse_categorical_focal_crossentropy,
    ],
)
def test_empty_batch_of_logits(function):
    # Keras's `ops.max` refuses an empty tensor on TensorFlow.
    y_true = np.zeros((0, 3)) if "sparse" not in function.__name__ else []
    y_true = np.asarray(y_true, dtype="float32")
    loss = function(y_true, np.zeros((0, 3), "float32"), from_logits=True)
    assert numpy(loss).shape == (0,)


def test_sparse_ignore_class_keeps_half_dtype():
    # The 0 / NaN put in place of ignored and bad labels promoted the loss.
    loss = keras_losses.sparse_categorical_crossentropy(
        np.array([0, -1]),
        keras.ops.cast([[0.3, 0.7], [0.5, 0.5]], "float16"),
        ignore_class=-1,
    )
    assert keras.backend.standardize_dtype(loss.dtype) == "float16"


def test_half_precision_smoothed_sparse_loss_does_not_overflow():
    # The label-smoothing term summed logs near -1e4 over 35 classes in
    # float16 (65504 at most) before averaging: inf.
    logits = np.zeros((1, 35))
    logits[0, ::3] = 1e4
    logits[0, 1::3] = -1e4
    loss = keras_losses.sparse_categorical_crossentropy(
        np.array([13]),
        keras.ops.cast(logits, "float16"),
        from_logits=True,
        label_smoothing=1.0,
    )
    expected = reference.sparse_categorical_crossentropy(
        np.array([13]), logits, from_logits=True, label_smoothing=1.0
    )
    np.testing.assert_allclose(numpy(loss), expected, rtol=1e-2)


@pytest.mark.parametrize(
    "function, y_true, logits, kwargs",
    [
        # 1 - p of the top class is e^-200: float32 in Keras's torch maximum
        (
            keras_losses.categorical_focal_crossentropy,
            [[1.0, 0.0]],
            [[100.0, -100.0]],
            {"alpha": [0.0, 0.0], "gamma": [0.0, 1.0]},
        ),
        # 1 - p_t underflows to 0; the gradient's 0 / max(0, tiny) was 0 / 0
        (
            keras_losses.binary_focal_crossentropy,
            [[0.0]],
            [[-10000.0]],
            {"gamma": 1.0},
        ),
    ],
)
def test_float64_gradient_where_one_minus_p_underflows(
    function, y_true, logits, kwargs, backend
):
    # The closed-form gradients floor 1 - p at the smallest normal number;
    # Keras's torch `maximum` returned float32 for float64 inputs, flooring
    # at 0 and dividing 0 by 0.
    if backend == "jax":
        pytest.skip("JAX computes in float32 unless jax_enable_x64 is set")
    logits = np.array(logits)
    _, grad = value_and_grad(
        lambda x: keras.ops.sum(
            function(y_true, x, from_logits=True, **kwargs)
        ),
        logits,
    )
    assert grad.dtype == np.float64
    np.testing.assert_array_equal(np.isfinite(grad), True)
