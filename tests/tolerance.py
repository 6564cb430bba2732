"""Comparison with a reference that also records the worst error seen."""

import numpy as np

# reference name -> (largest relative error, case it came from)
WORST = {}


def assert_close(actual, expected, *, rtol, atol, reference, case=""):
    """`np.testing.assert_allclose`, recording the error for the summary.

    The recorded error is relative to max(|expected|, atol / rtol).
    """
    actual = np.asarray(actual, dtype="float64")
    expected = np.asarray(expected, dtype="float64")
    np.testing.assert_allclose(
        actual, expected, rtol=rtol, atol=atol, err_msg=case
    )
    floor = atol / rtol if rtol else 0.0
    record(reference, relative_error(actual, expected, floor), case)


def relative_error(actual, expected, floor=0.0):
    """max |actual - expected| / max(|expected|, floor), over finite entries.

    `floor` (atol / rtol in `assert_close`) keeps values so small that only
    their absolute error is asserted from dominating the figure.
    """
    actual = np.asarray(actual, dtype="float64")
    expected = np.asarray(expected, dtype="float64")
    finite = np.isfinite(expected) & np.isfinite(actual)
    if not np.any(finite):
        return 0.0
    scale = np.maximum(np.abs(expected[finite]), floor)
    scale = np.where(scale > 0, scale, 1.0)
    return float(np.max(np.abs(actual[finite] - expected[finite]) / scale))


def record(reference, error, case=""):
    """Record an error that is reported, not asserted (e.g. Keras's own)."""
    if error >= WORST.get(reference, (-1.0, ""))[0]:
        WORST[reference] = (float(error), case)


# loss -> {"generated": cases run, "bad": bad inputs tried}
COUNTS = {}


def count(loss, what, number=1):
    """Count a generated case or a bad input tried, for the summary."""
    COUNTS.setdefault(loss, {"generated": 0, "bad": 0})[what] += number
