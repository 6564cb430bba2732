"""A weighted sum of losses that is itself a `keras.losses.Loss`.

Dice plus cross-entropy, Dice plus focal, later focal plus GIoU: users
write these as a Python lambda, which `model.save` cannot serialise. `Sum`
holds its members (keras_losses, Keras built-ins or registered custom
losses) in its config, so a model compiled with it saves and loads like any
other.
"""

import math
import numbers

import keras
from keras import ops

from keras_losses import _base
from keras_losses import _keras_compat


def _member(loss, position, losses):
    """A `keras.losses.Loss` from what the user passed (or a saved config)."""
    expected = (
        "`losses` must hold keras.losses.Loss instances, loss functions or "
        "names that keras.losses.get knows"
    )
    if isinstance(loss, dict):
        loss = keras.saving.deserialize_keras_object(loss)
    elif isinstance(loss, str):
        try:
            loss = keras.losses.get(loss)
        except ValueError as error:
            raise ValueError(
                f"{expected}; losses[{position}]={loss!r} is unknown "
                f"({error}). Received: losses={losses!r}"
            ) from error
    if isinstance(loss, keras.losses.Loss):
        return loss
    if callable(loss):  # a Keras or registered loss function
        return _LossFunction(loss)
    raise ValueError(
        f"{expected}; losses[{position}] is a {type(loss).__name__}. "
        f"Received: losses={losses!r}"
    )


class _LossFunction(keras.losses.Loss):
    """A loss function (Keras's or a registered one) as a `Sum` member.

    Keras's own wrapper for this is not public API.
    """

    def __init__(self, fn, name=None, reduction=None, dtype=None):
        if isinstance(fn, dict):
            fn = keras.saving.deserialize_keras_object(fn)
        super().__init__(name=name or fn.__name__, reduction=reduction)
        self.fn = fn

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred)

    def get_config(self):
        return {
            "fn": keras.saving.serialize_keras_object(self.fn),
            "name": self.name,
        }


def _unreduced(loss, y_true, y_pred):
    """A member's loss of each element, before any reduction (and mask)."""
    if isinstance(loss, _base.FunctionLoss):
        # Its function, not its `call`: `call` adapts masked values to the
        # member's own reduction under tf.distribute.
        return loss._fn(y_true, y_pred, **loss._hyperparameters)
    return loss.call(y_true, y_pred)


def _masked_mean(values, axes):
    """The mean over `axes`; masked values (e.g. `ignore_class`) count in
    neither the sum nor the count, and a mean of nothing is 0."""
    mask = _keras_compat.get_keras_mask(values)
    if mask is None:
        return ops.mean(values, axis=axes)
    mask = ops.cast(mask, values.dtype)
    total = ops.sum(ops.where(mask > 0, values, 0.0), axis=axes)
    return total / ops.maximum(ops.sum(mask, axis=axes), 1.0)


def _pools_batch(loss, values, y_pred):
    """Whether a member's values are statistics of the whole batch."""
    if len(values.shape) == 0:
        return True
    pools_batch = getattr(loss, "pools_batch", None)  # the overlap losses
    return pools_batch is not None and pools_batch(len(y_pred.shape))


def _weights(weights, count):
    expected = f"None or {count} finite numbers >= 0, one per loss in `losses`"
    if weights is None:
        return [1.0] * count
    if not isinstance(weights, (list, tuple)) or len(weights) != count:
        raise ValueError(
            f"`weights` must be {expected}. Received: weights={weights!r}"
        )
    for w in weights:
        if (
            isinstance(w, bool)
            or not isinstance(w, numbers.Real)
            or not math.isfinite(w)
            or w < 0
        ):
            raise ValueError(
                f"`weights` must be {expected}. Received: weights={weights!r}"
            )
    return [float(w) for w in weights]


class Sum(keras.losses.Loss):
    """A weighted sum of losses, reduced once: `sum_i weights[i] * losses[i]`.

    One sample of this loss is one batch element (the first axis of
    `y_pred`). For each member, its unreduced loss (the values its
    `reduction="none"` would give) is averaged over every axis but the first
    (masked elements, e.g. `ignore_class`, left out; a sample with none left
    contributes 0), the members' values are weighted and summed, and the
    sum is reduced once by this loss's `reduction` and `sample_weight`,
    exactly as Keras reduces any loss. A member whose loss is a statistic
    of the whole batch (a scalar, e.g. `Dice()` with `axis=None`, or one
    value per class, e.g. `Dice(axis=(0, 1, 2), class_axis=-1)`) adds the
    mean of its values (its own default reduction) to every sample, and a
    per-sample `sample_weight` then raises.

    For losses of one value per sample (e.g. `SparseDice(axis=(1, 2, 3))`
    and sparse cross-entropy, averaged per image), the result is the
    weighted sum of the members' own results when the images are the same
    size and no element is masked. Each member's own `reduction` is not
    used. There is no functional form: the members are objects.

    Args:
        losses: A non-empty list of losses: `keras.losses.Loss` instances
            (keras_losses, Keras built-ins or registered custom ones), loss
            functions, or names `keras.losses.get` knows (e.g.
            `"keras_losses>Dice"`, `"sparse_categorical_crossentropy"`).
        weights: None (every weight 1) or one number >= 0 per loss.
        {common_args}

    Returns:
        Called on `(y_true, y_pred, sample_weight=None)`: the reduced loss, a
        scalar; with `reduction="none"` or `None`, the loss of each sample,
        of shape `(batch,)`.

    Examples:
        Dice per image and class plus half the sparse cross-entropy. Both
        pixels give their class `p = softmax([2, 0])[0] = 0.8808`, so each
        class's Dice loss is `1 - 2p / 2 = 0.1192` and the cross-entropy is
        `-log(p) = 0.1269`: `0.1192 + 0.5 * 0.1269`.

        >>> loss = keras_losses.Sum(
        ...     [
        ...         keras_losses.SparseDice(axis=(1, 2), from_logits=True),
        ...         keras.losses.SparseCategoricalCrossentropy(
        ...             from_logits=True
        ...         ),
        ...     ],
        ...     weights=[1.0, 0.5],
        ... )
        >>> labels = np.array([[[0, 1]]])
        >>> logits = np.array([[[[2.0, 0.0], [0.0, 2.0]]]])
        >>> print(np.round(float(loss(labels, logits)), 4))
        0.1827
    """

    def __init__(
        self,
        losses,
        weights=None,
        reduction="sum_over_batch_size",
        name="sum",
        dtype=None,
    ):
        if not isinstance(losses, (list, tuple)) or not losses:
            raise ValueError(
                "`losses` must be a non-empty list of losses. Received: "
                f"losses={losses!r}"
            )
        super().__init__(**_base.keras_options(name, reduction, dtype))
        self._config_dtype = _base._serialize_dtype(dtype)
        self.losses = [
            _member(loss, i, losses) for i, loss in enumerate(losses)
        ]
        self.weights = _weights(weights, len(self.losses))
        self._per_sample_weight = False

    def __call__(self, y_true, y_pred, sample_weight=None):
        # `call` cannot see `sample_weight`: tell it whether one weights
        # samples, so that a batch-statistic member can refuse it.
        self._per_sample_weight = sample_weight is not None and bool(
            len(getattr(sample_weight, "shape", ()) or ())
            or isinstance(sample_weight, (list, tuple))
        )
        try:
            return super().__call__(y_true, y_pred, sample_weight)
        finally:
            self._per_sample_weight = False

    def call(self, y_true, y_pred):
        batch = ops.shape(y_pred)[0] if len(y_pred.shape) else 1
        total = 0.0
        for loss, weight in zip(self.losses, self.weights, strict=True):
            values = _unreduced(loss, y_true, y_pred)
            if _pools_batch(loss, values, y_pred):
                if self._per_sample_weight:
                    raise ValueError(
                        f"Sum member {loss.name!r} pools the batch: its loss "
                        "is a statistic of the whole batch (or of each class "
                        "over it), which a per-sample `sample_weight` cannot "
                        "weight. Expected: sample_weight=None or a scalar, "
                        "or the member computed per sample (an `axis` "
                        "without the batch axis 0). Received: a per-sample "
                        "sample_weight"
                    )
                axes = tuple(range(len(values.shape)))
                values = ops.broadcast_to(_masked_mean(values, axes), (batch,))
            elif len(values.shape) > 1:
                values = _masked_mean(
                    values, tuple(range(1, len(values.shape)))
                )
            values = ops.cast(values, self.dtype)
            total = total + weight * values
        return total

    def get_config(self):
        return {
            "losses": [
                keras.saving.serialize_keras_object(loss)
                for loss in self.losses
            ],
            "weights": self.weights,
            "reduction": self.reduction,
            "name": self.name,
            "dtype": self._config_dtype,
        }

    def __repr__(self):
        members = ", ".join(type(loss).__name__ for loss in self.losses)
        return f"Sum([{members}], weights={self.weights})"


Sum.__doc__ = _base.fill_markers(Sum.__doc__)
_base.register(Sum)
keras.saving.register_keras_serializable(package="keras_losses")(_LossFunction)
