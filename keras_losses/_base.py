"""The one base class every public loss class derives from."""

import re

import keras
import numpy as np

from keras_losses import _keras_compat
from keras_losses import _validation

# Written once, put into every loss class's docstring in place of the
# markers: `{returns}` for a loss of each sample, `{returns_sparse}` for the
# sparse losses, whose unreduced loss has one value per label. The text is
# indented where its marker stands (Python 3.13 strips docstrings' common
# indentation, older versions keep it).
RETURNS = """\
Called on `(y_true, y_pred, sample_weight=None)`: the reduced loss, a
scalar; with `reduction="none"` or `None`, the loss of each sample, of
shape `y_pred.shape` without `axis`."""
SPARSE_RETURNS = """\
Called on `(y_true, y_pred, sample_weight=None)`: the reduced loss, a
scalar; with `reduction="none"` or `None`, the loss of each label in
`y_true`, of shape `y_pred.shape` without the class axis `axis` (0 where
the label is `ignore_class`)."""
SET_RETURNS = """\
Called on `(y_true, y_pred, sample_weight=None)`: the reduced loss, a
scalar; with `reduction="none"` or `None`, the loss of each set, of
`y_pred`'s shape without `axis` (see the function for the class axis).
A set with no element that counts (all `ignore_class`) is 0 and masked
out of the mean."""
BOX_RETURNS = """\
Called on `(y_true, y_pred, sample_weight=None)`: the reduced loss, a
scalar; with `reduction="none"` or `None`, the loss of each box, of shape
`y_true.shape[:-1]` (NaN where the target is a bad label)."""
COMMON_ARGS = """\
reduction: How the per-sample losses are reduced, exactly as in
    `keras.losses.Loss`: `"sum_over_batch_size"` (the default) and
    `"mean"` divide the weighted sum by the number of elements, `"sum"`
    sums, `"mean_with_sample_weight"` divides by the sum of the sample
    weights, `"none"` or `None` returns the per-sample losses. Keras 2's
    `"auto"` is accepted and means `"sum_over_batch_size"`.
name: Name of the loss instance.
dtype: Dtype of the loss's computations, as in `keras.losses.Loss`:
    `None` means `keras.config.floatx()` (float32 unless changed), also
    under a mixed-precision policy; a `keras.DTypePolicy` uses its compute
    dtype."""
MARKERS = {
    "{common_args}": COMMON_ARGS,
    "{returns}": RETURNS,
    "{returns_sparse}": SPARSE_RETURNS,
    "{returns_sets}": SET_RETURNS,
    "{returns_boxes}": BOX_RETURNS,
}


def fill_markers(doc):
    """`doc` with each marker line replaced by its text, at its indent."""

    def fill(match):
        indent, marker = match.groups()
        lines = MARKERS[marker].splitlines()
        return "\n".join(indent + line if line else line for line in lines)

    pattern = "|".join(re.escape(marker) for marker in MARKERS)
    return re.sub(rf"^([ \t]*)({pattern})[ \t]*$", fill, doc, flags=re.M)


def _serialize_dtype(dtype):
    if dtype is None or isinstance(dtype, (str, dict)):
        return dtype
    return keras.saving.serialize_keras_object(dtype)


def _check_dtype(dtype):
    expected = (
        "None, the name of a float dtype or mixed policy, or a "
        "keras.DTypePolicy computing in a float dtype"
    )
    if dtype is None:
        return
    try:
        policy = keras.dtype_policies.get(dtype)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"`dtype` must be {expected}. Received: dtype={dtype!r}"
        ) from error
    if not keras.backend.is_float_dtype(policy.compute_dtype):
        raise ValueError(
            f"`dtype` must be {expected}. Received: dtype={dtype!r}"
        )


def keras_options(name, reduction, dtype):
    """`name`, `reduction` and `dtype` checked, for `keras.losses.Loss`."""
    if name is not None and (not isinstance(name, str) or not name):
        raise ValueError(
            "`name` must be a non-empty str (or None for a generated "
            f"name). Received: name={name!r}"
        )
    _check_dtype(dtype)  # str, DTypePolicy or its config
    return dict(
        name=name, reduction=_validation.reduction(reduction), dtype=dtype
    )


def register(cls):
    """Register a loss class for saving and for `keras.losses.get`."""
    keras.saving.register_keras_serializable(package="keras_losses")(cls)
    _keras_compat.add_loss_name(f"keras_losses>{cls.__name__}", cls)
    return cls


class FunctionLoss(keras.losses.Loss):
    """A `keras.losses.Loss` that forwards stored hyperparameters to a function.

    A subclass writes its constructor signature in Keras's argument order and
    calls `super().__init__(fn, locals())`. This class validates the
    hyperparameters with the function's own checks, keeps them once, passes
    them to `fn` in `call`, builds `get_config()` from them (plus `name`,
    `reduction` and `dtype`) and registers the subclass for saving under
    `"keras_losses>ClassName"`. Reduction, `sample_weight` and masks are left
    to `keras.losses.Loss.__call__`, so they behave as for Keras built-ins,
    except that under `tf.distribute` a mask is counted over all replicas
    (see `_keras_compat.count_mask_across_replicas`).
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__doc__:
            cls.__doc__ = fill_markers(cls.__doc__)
        if not cls.__name__.startswith("_"):  # shared private bases aren't
            register(cls)

    def __init__(self, fn, arguments):
        arguments = dict(arguments)
        for implicit in ("self", "__class__"):
            arguments.pop(implicit, None)
        name, reduction, dtype = (
            arguments.pop(key) for key in ("name", "reduction", "dtype")
        )
        super().__init__(**keras_options(name, reduction, dtype))
        self._config_dtype = _serialize_dtype(dtype)
        self._fn = fn
        self._hyperparameters = _validation.validate(fn, arguments)
        if set(arguments) != set(self._hyperparameters):  # a coding error
            raise TypeError(
                f"{type(self).__name__} takes {sorted(arguments)}, but "
                f"{fn.__name__} checks {sorted(self._hyperparameters)}"
            )

    def call(self, y_true, y_pred):
        losses = self._fn(y_true, y_pred, **self._hyperparameters)
        return _keras_compat.count_mask_across_replicas(losses, self.reduction)

    def get_config(self):
        return {
            "name": self.name,
            "reduction": self.reduction,
            "dtype": self._config_dtype,
            **self._hyperparameters,
        }

    def __getattr__(self, attribute):
        # Hyperparameters read as attributes (`loss.from_logits`), as on
        # Keras's classes. Only reached when normal lookup fails.
        hyperparameters = self.__dict__.get("_hyperparameters", {})
        if attribute in hyperparameters:
            return hyperparameters[attribute]
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {attribute!r}"
        )

    def __repr__(self):
        arguments = ", ".join(
            f"{key}={value!r}" for key, value in self.get_config().items()
        )
        return f"{type(self).__name__}({arguments})"


def _shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


class _BatchStatisticLoss(FunctionLoss):
    """A loss whose value may be a statistic of several samples of the batch.

    Where it is (`pools_batch`), there is no value per sample for
    `sample_weight` to weight: a per-sample one is refused with
    `pooled_reason()` (what is pooled, and what is expected), rather than
    broadcast by Keras. Under `tf.distribute` a 0-d loss is averaged over
    the replicas (see `_keras_compat.average_batch_statistic_across_replicas`).
    """

    def pools_batch(self, rank):
        """Whether, on a rank-`rank` `y_pred`, the loss pools samples."""
        return True

    def pooled_reason(self):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None and len(_shape(sample_weight)) > 0:
            if self.pools_batch(len(_shape(y_pred))):
                raise ValueError(
                    f"{self.pooled_reason()} Received: sample_weight of "
                    f"shape {tuple(_shape(sample_weight))}"
                )
        return super().__call__(y_true, y_pred, sample_weight=sample_weight)

    def call(self, y_true, y_pred):
        return _keras_compat.average_batch_statistic_across_replicas(
            super().call(y_true, y_pred), self.reduction
        )
