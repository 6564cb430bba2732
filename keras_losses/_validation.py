"""Hyperparameter checks shared by every loss function and class.

Each public loss function declares, once, which check applies to each of its
keyword-only hyperparameters (`@hyperparameters(...)`) and calls
`validate(fn, locals())` on entry. Loss classes call the same `validate` from
their constructor, so a bad value is rejected when the object is made and
again when the function is called. Checks read Python and NumPy values only,
never tensor values, so they work under `jit` and `tf.function`.
"""

import math
import numbers

import numpy as np


def _fail(name, expected, value):
    raise ValueError(
        f"`{name}` must be {expected}. Received: {name}={value!r} "
        f"(of type {type(value).__name__})"
    )


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(
        value, (bool, np.bool_)
    )


def boolean(name, value):
    """A Python or NumPy bool (truthy strings such as "False" are refused)."""
    if not isinstance(value, (bool, np.bool_)):
        _fail(name, "a bool (True or False)", value)
    return bool(value)


def integer(name, value):
    """A Python or NumPy integer, not a bool."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, numbers.Integral
    ):
        _fail(name, "an int", value)
    return int(value)


def optional_integer(name, value):
    return None if value is None else integer(name, value)


def real_in(low, high):
    """A finite real number in the closed interval [low, high]."""
    interval = f"a finite number in [{low}, {high}]"

    def check(name, value):
        if not _is_real(value) or not math.isfinite(value):
            _fail(name, interval, value)
        if not low <= value <= high:
            _fail(name, interval, value)
        return float(value)

    return check


def real_at_least(low):
    """A finite real number >= low."""
    expected = f"a finite number >= {low}"

    def check(name, value):
        if not _is_real(value) or not math.isfinite(value) or value < low:
            _fail(name, expected, value)
        return float(value)

    return check


def positive(name, value):
    """A finite number > 0."""
    value = real_at_least(0)(name, value)
    if value == 0:
        _fail(name, "a finite number > 0", value)
    return value


def _weight_vector(name, value, expected):
    if isinstance(value, (str, bytes)):
        _fail(name, expected, value)
    try:
        array = np.asarray(value)
    except Exception:  # e.g. a symbolic tensor: its values cannot be read
        _fail(name, expected, value)
    if array.ndim != 1 or array.size == 0 or array.dtype.kind not in "iuf":
        _fail(name, expected, value)
    array = array.astype("float64")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        _fail(name, expected, value)
    return [float(w) for w in array]


def weights(*, scalar_allowed, optional):
    """Non-negative finite weights: one per class, or (if allowed) one for all.

    `optional` admits None (meaning "no weighting").
    """
    vector = "a non-empty 1-D sequence of finite numbers >= 0"
    choices = ["a finite number >= 0"] if scalar_allowed else []
    choices.append(vector)
    if optional:
        choices.insert(0, "None")
    expected = choices[-1]
    if len(choices) > 1:
        expected = ", ".join(choices[:-1]) + " or " + expected

    def check(name, value):
        if value is None and optional:
            return None
        if scalar_allowed and np.ndim(value) == 0:
            scalar = value.item() if isinstance(value, np.ndarray) else value
            if not _is_real(scalar) or not math.isfinite(scalar) or scalar < 0:
                _fail(name, expected, value)
            return float(scalar)
        if value is None:
            _fail(name, expected, value)
        return _weight_vector(name, value, expected)

    return check


def fractions(name, value):
    """A number in [0, 1], or a non-empty 1-D sequence of such numbers."""
    expected = "a number in [0, 1] or a non-empty 1-D sequence of them"
    if np.ndim(value) == 0:
        scalar = value.item() if isinstance(value, np.ndarray) else value
        if not _is_real(scalar) or not 0 <= scalar <= 1:  # NaN fails too
            _fail(name, expected, value)
        return float(scalar)
    vector = _weight_vector(name, value, expected)
    if any(v > 1 for v in vector):
        _fail(name, expected, value)
    return vector


def hyperparameters(relation=None, **checks):
    """Declare the check of each keyword-only hyperparameter of a function.

    `relation`, if given, checks the normalised hyperparameters together
    (e.g. a bound on a ratio of two) and raises `ValueError`. The function
    is returned unchanged (so its doctests and signature stay its own); the
    checks are stored on it for `validate`.
    """

    def register(fn):
        code = fn.__code__
        keyword_only = code.co_varnames[
            code.co_argcount : code.co_argcount + code.co_kwonlyargcount
        ]
        if set(keyword_only) != set(checks):
            raise TypeError(
                f"{fn.__name__}: checks {sorted(checks)} do not match its "
                f"keyword-only arguments {sorted(keyword_only)}"
            )
        fn._hyperparameter_checks = checks
        fn._hyperparameter_relation = relation
        return fn

    return register


def validate(fn, arguments):
    """Check and normalise the hyperparameters of `fn` found in `arguments`.

    `arguments` may hold other names too (a function passes its `locals()`,
    which under AutoGraph include AutoGraph's own); only `fn`'s
    hyperparameters are read. Returns them normalised to plain Python values
    (bool, int, float, list of float or None), fit for a JSON config. Raises
    `ValueError` for a bad value.
    """
    values = {
        name: check(name, arguments[name])
        for name, check in fn._hyperparameter_checks.items()
        if name in arguments
    }
    if fn._hyperparameter_relation is not None:
        fn._hyperparameter_relation(values)
    return values


REDUCTIONS = (
    "sum_over_batch_size",
    "sum",
    "mean",
    "mean_with_sample_weight",
    "none",
    None,
)


def reduction(value):
    """Keras 3's reductions, plus Keras 2's "auto" (= "sum_over_batch_size")."""
    if value == "auto":
        return "sum_over_batch_size"
    if not (value is None or isinstance(value, str)) or value not in REDUCTIONS:
        _fail("reduction", f"one of {REDUCTIONS + ('auto',)}", value)
    return value


def optional_axes(name, value):
    """None (every axis), an int, or a non-empty sequence of distinct ints.

    Returned as None, an int or a list (a JSON-friendly config value).
    """
    expected = "None, an int or a non-empty sequence of distinct ints"
    if value is None:
        return None
    if isinstance(value, numbers.Integral) and not isinstance(
        value, (bool, np.bool_)
    ):
        return int(value)
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        _fail(name, expected, value)
    if not value or any(
        isinstance(a, (bool, np.bool_)) or not isinstance(a, numbers.Integral)
        for a in value
    ):
        _fail(name, expected, value)
    if len(set(int(a) for a in value)) != len(value):
        _fail(name, expected, value)
    return [int(a) for a in value]


def class_indices(name, value):
    """None, or a non-empty sequence of distinct class indices >= 0."""
    expected = "None or a non-empty sequence of distinct ints >= 0"
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        _fail(name, expected, value)
    if not value or any(
        isinstance(c, (bool, np.bool_))
        or not isinstance(c, numbers.Integral)
        or c < 0
        for c in value
    ):
        _fail(name, expected, value)
    if len(set(int(c) for c in value)) != len(value):
        _fail(name, expected, value)
    return sorted(int(c) for c in value)


def one_of(*choices):
    """One of the given strings."""
    expected = "one of " + ", ".join(repr(c) for c in choices)

    def check(name, value):
        if not isinstance(value, str) or value not in choices:
            _fail(name, expected, value)
        return value

    return check
