"""`python -m keras_losses demo`: see `keras_losses.demo`.

The arguments are read before Keras is imported (in `keras_losses/__init__.py`
via `demo.start_command_line`), so `--help` and argument errors answer at
once, and TensorFlow's start-up log is kept off the screen.
"""

import sys

from keras_losses.demo import main

if __name__ == "__main__":  # not when a docs build imports every module
    sys.exit(main())
