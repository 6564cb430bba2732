"""Test configuration: the backend under test and the error report.

The backend is Keras's own choice, `KERAS_BACKEND` (tensorflow by default):
`.ci/run` runs the suite once per backend. At the end of a run the largest
relative errors seen against each reference are printed, for the record.
"""

import keras
import pytest

from tests import tolerance


def pytest_report_header(config):
    return f"keras {keras.__version__}, backend {keras.backend.backend()}"


def pytest_terminal_summary(terminalreporter):
    if tolerance.WORST:
        terminalreporter.section("worst relative error per reference")
        for reference, (error, case) in sorted(tolerance.WORST.items()):
            terminalreporter.write_line(f"{reference}: {error:.3g} ({case})")


@pytest.fixture(scope="session")
def backend():
    return keras.backend.backend()
