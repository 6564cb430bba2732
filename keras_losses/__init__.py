"""Loss functions for Keras 3 that Keras lacks or gets numerically wrong."""

from keras_losses.crossentropy import BinaryCrossentropy
from keras_losses.crossentropy import CategoricalCrossentropy
from keras_losses.crossentropy import SparseCategoricalCrossentropy
from keras_losses.crossentropy import binary_crossentropy
from keras_losses.crossentropy import categorical_crossentropy
from keras_losses.crossentropy import sparse_categorical_crossentropy

__version__ = "0.1.0"

__all__ = [
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
]
