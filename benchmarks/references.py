"""The loss a user would reach for instead of ours, as a callable.

Keras built-ins where Keras has the loss. Where it does not, a plain
`keras.ops` transcription of the published formula, written the way a user
would write a custom loss: a `keras.losses.Loss` whose `call` returns the
mean over the last axis, which Keras then reduces over the batch, as it does
ours.
"""

import math

import keras
from keras import ops


class Transcription(keras.losses.Loss):
    def __init__(self, per_element):
        super().__init__()
        self.per_element = per_element

    def call(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.cast(y_true, y_pred.dtype)
        return ops.mean(self.per_element(y_true - y_pred), axis=-1)


def _mean_loss(per_element):
    return Transcription(per_element)


def _smooth_l1(beta=1.0):
    # PyTorch's smooth_l1_loss: 0.5 d^2 / beta below beta, |d| - beta/2 above
    def per_element(error):
        d = ops.abs(error)
        return ops.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)

    return _mean_loss(per_element)


def _balanced_l1(alpha=0.5, gamma=1.5):
    # Pang et al., "Libra R-CNN", CVPR 2019, eq. 8-9 with beta = 1 and
    # b = e^(gamma / alpha) - 1
    b = math.exp(gamma / alpha) - 1.0

    def per_element(error):
        d = ops.abs(error)
        small = alpha / b * (b * d + 1.0) * ops.log(b * d + 1.0) - alpha * d
        large = gamma * d + gamma / b - alpha
        return ops.where(d < 1.0, small, large)

    return _mean_loss(per_element)


def _pinball(tau=0.5):
    # Koenker's check function: tau * d for d >= 0, (tau - 1) * d below
    def per_element(error):
        return ops.maximum(tau * error, (tau - 1.0) * error)

    return _mean_loss(per_element)


def _one_hot_focal():
    focal = keras.losses.CategoricalFocalCrossentropy(from_logits=True)

    def loss(labels, logits):
        classes = logits.shape[-1]
        return focal(ops.one_hot(labels, classes, dtype=logits.dtype), logits)

    return loss


def _keras(name):
    return lambda: getattr(keras.losses, name)(from_logits=True)


REFERENCES = {
    "CategoricalCrossentropy": _keras("CategoricalCrossentropy"),
    "SparseCategoricalCrossentropy": _keras("SparseCategoricalCrossentropy"),
    "BinaryCrossentropy": _keras("BinaryCrossentropy"),
    "CategoricalFocalCrossentropy": _keras("CategoricalFocalCrossentropy"),
    "BinaryFocalCrossentropy": _keras("BinaryFocalCrossentropy"),
    "SparseCategoricalFocalCrossentropy": _one_hot_focal,
    "Huber": keras.losses.Huber,
    "SmoothL1": _smooth_l1,
    "BalancedL1": _balanced_l1,
    "Pinball": _pinball,
}
