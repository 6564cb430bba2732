"""Loss functions for Keras 3 that Keras lacks or gets numerically wrong."""

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

__version__ = "0.1.0"

__all__ = [
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "SparseCategoricalCrossentropy",
    "SparseCategoricalFocalCrossentropy",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "sparse_categorical_crossentropy",
    "sparse_categorical_focal_crossentropy",
]
