"""Root pytest configuration: quiet backends and the doctest namespace.

Docstring examples assume `np`, `keras` and `keras_losses` are imported, as
the Keras documentation does.
"""

import os

# Before any backend is imported: hide TensorFlow's start-up log lines.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import keras_losses  # noqa: E402


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    doctest_namespace.update(np=np, keras=keras, keras_losses=keras_losses)
