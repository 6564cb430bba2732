"""The two places where keras_losses reaches into Keras's private modules.

Keras 3 has no public API for either; both are exercised by tests that fail
loudly if a Keras release moves them (tests/test_keras_integration.py and
the `ignore_class` reduction tests in tests/test_crossentropy.py).
"""

from keras.src import losses as _keras_losses_module

# Attaches a loss mask to a tensor. `keras.losses.Loss.__call__` reads it
# back and leaves masked elements out of the mean: this is how Keras's own
# `ignore_class` works, and how ours matches it.
from keras.src.backend import set_keras_mask  # noqa: F401


def add_loss_name(name, obj):
    """Make `keras.losses.get(name)`, and so `compile(loss=name)`, find `obj`.

    `keras.losses.get` resolves a string only through Keras's table of
    built-in losses, not through the registry that
    `register_keras_serializable` fills, so registered names such as
    "keras_losses>BinaryCrossentropy" must be added to that table too.
    """
    _keras_losses_module.ALL_OBJECTS_DICT[name] = obj
