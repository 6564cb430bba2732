"""Loss functions for Keras 3 that Keras lacks or gets numerically wrong."""

import sys as _sys

# While `python -m NAME` locates NAME, sys.argv[0] is "-m", and the word in
# sys.orig_argv before the script's own arguments is NAME (or "-mNAME").
if _sys.argv[:1] == ["-m"] and _sys.orig_argv[
    : len(_sys.orig_argv) - len(_sys.argv) + 1
][-1:] in (["keras_losses"], ["-mkeras_losses"]):
    # `python -m keras_losses ...` imports this package before it runs
    # __main__: read the arguments first, so that --help and bad arguments
    # answer at once, and quiet TensorFlow's start-up log before Keras loads.
    from keras_losses import demo as _demo

    _demo.start_command_line(_sys.argv[1:])

from keras_losses import config  # noqa: F401  (keras_losses.config)
from keras_losses.crossentropy import BinaryCrossentropy
from keras_losses.crossentropy import CategoricalCrossentropy
from keras_losses.crossentropy import SparseCategoricalCrossentropy
from keras_losses.crossentropy import binary_crossentropy
from keras_losses.crossentropy import categorical_crossentropy
from keras_losses.crossentropy import sparse_categorical_crossentropy
from keras_losses.focal import BinaryFocalCrossentropy
from keras_losses.focal import CategoricalFocalCrossentropy
from keras_losses.focal import SparseCategoricalFocalCrossentropy
from keras_losses.focal import binary_focal_crossentropy
from keras_losses.focal import categorical_focal_crossentropy
from keras_losses.focal import sparse_categorical_focal_crossentropy
from keras_losses.regression import BalancedL1
from keras_losses.regression import Huber
from keras_losses.regression import Pinball
from keras_losses.regression import SmoothL1
from keras_losses.regression import balanced_l1
from keras_losses.regression import huber
from keras_losses.regression import pinball
from keras_losses.regression import smooth_l1

__version__ = "0.1.0"

__all__ = [
    "BalancedL1",
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "Huber",
    "Pinball",
    "SmoothL1",
    "SparseCategoricalCrossentropy",
    "SparseCategoricalFocalCrossentropy",
    "balanced_l1",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "huber",
    "pinball",
    "smooth_l1",
    "sparse_categorical_crossentropy",
    "sparse_categorical_focal_crossentropy",
]
