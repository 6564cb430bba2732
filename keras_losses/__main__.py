import os
import sys

# Quiet TensorFlow's start-up log lines; set before keras is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from keras_losses.demo import main  # noqa: E402

sys.exit(main())
