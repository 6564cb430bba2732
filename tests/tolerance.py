"""Comparison with a reference that also records the worst error seen."""

import numpy as np

# reference name -> (largest relative error, case it came from)
WORST = {}


def assert_close(actual, expected, *, rtol, atol, reference, case=""):
    """`np.testing.assert_allclose`, recording the error for the summary.

    The relative error is measured where |expected| > atol (below that only
    the absolute error is meaningful).
    """
    actual = np.asarray(actual, dtype="float64")
    expected = np.asarray(expected, dtype="float64")
    np.testing.assert_allclose(
        actual, expected, rtol=rtol, atol=atol, err_msg=case
    )
    finite = np.isfinite(expected) & (np.abs(expected) > atol)
    if np.any(finite):
        error = np.max(
            np.abs(actual[finite] - expected[finite]) / np.abs(expected[finite])
        )
        if error >= WORST.get(reference, (-1.0, ""))[0]:
            WORST[reference] = (float(error), case)
