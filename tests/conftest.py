"""Test configuration: the backend under test and the error report.

The backend is Keras's own choice, `KERAS_BACKEND` (tensorflow by default):
`.ci/run` runs the suite once per backend. At the end of a run the largest
relative errors seen against each reference are printed, for the record.
"""

import os

import keras
import pytest
from hypothesis import HealthCheck
from hypothesis import settings

from tests import tolerance

# Hypothesis example counts: "ci" keeps the suite fast; KERAS_LOSSES_PROFILE=
# large runs many more, by hand. On JAX every generated shape compiles each
# op anew (about ten times a case's cost on TensorFlow), and its CI lane is
# the longest: it runs half the cases. The losses are the same keras.ops
# code, generated at the full count on TensorFlow and PyTorch.
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile(
    "ci",
    max_examples=15 if keras.backend.backend() == "jax" else 30,
    deadline=None,
    suppress_health_check=_SLOW_OK,
)
settings.register_profile(
    "large", max_examples=1000, deadline=None, suppress_health_check=_SLOW_OK
)
settings.load_profile(os.environ.get("KERAS_LOSSES_PROFILE", "ci"))


def pytest_report_header(config):
    return f"keras {keras.__version__}, backend {keras.backend.backend()}"


def pytest_terminal_summary(terminalreporter):
    if tolerance.COUNTS:
        terminalreporter.section(
            "generated cases per property test, and bad inputs, per loss "
            "(class and function)"
        )
        for loss, counts in sorted(tolerance.COUNTS.items()):
            parts = []
            if counts["generated"]:
                parts.append(
                    "generated cases "
                    + ", ".join(
                        f"{cases} in {test}"
                        for test, cases in sorted(counts["generated"].items())
                    )
                )
            if counts["bad"]:
                parts.append(f"{counts['bad']} bad inputs")
            terminalreporter.write_line(f"{loss}: " + "; ".join(parts))
    if tolerance.WORST:
        terminalreporter.section(
            "worst relative error per reference (a keras.losses row is "
            "Keras's own error, recorded where a test documents it)"
        )
        for reference, (error, case) in sorted(tolerance.WORST.items()):
            terminalreporter.write_line(f"{reference}: {error:.3g} ({case})")


@pytest.fixture(scope="session")
def backend():
    return keras.backend.backend()
