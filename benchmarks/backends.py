"""How a loss is run and timed on each backend, in each execution mode.

`steps(loss, y_true, y_pred)` returns `{mode: {kind: callable}}` where kind is
"forward" (the loss value) or "forward+backward" (the value and its gradient
with respect to `y_pred`), each callable running one step to completion
(device work included) when called.
"""

import keras


def backend():
    return keras.backend.backend()


def device():
    """The accelerator the backend computes on, or the CPU, in words."""
    import platform

    name = backend()
    if name == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            details = tf.config.experimental.get_device_details(gpus[0])
            return f"GPU: {details.get('device_name', gpus[0].name)}"
    elif name == "jax":
        import jax

        dev = jax.devices()[0]
        if dev.platform != "cpu":
            return f"{dev.platform.upper()}: {dev.device_kind}"
    elif name == "torch":
        import torch

        if torch.cuda.is_available():
            return f"GPU: {torch.cuda.get_device_name(0)}"
    return f"CPU: {_cpu_name() or platform.processor()}"


def _cpu_name():
    import os

    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    return f"{name}, {os.cpu_count()} cores"
    except OSError:
        pass
    return None


def versions():
    import importlib.metadata
    import platform

    found = {"python": platform.python_version()}
    for package in ("keras", "numpy", "tensorflow", "jax", "torch"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            pass
    return found


MODES = {
    "tensorflow": ("eager", "tf.function", "jit_compile"),
    "jax": ("jax.jit",),
    "torch": ("eager",),
}


def modes():
    """The execution modes `steps` times on this backend."""
    return MODES[backend()]


def steps(loss, y_true, y_pred):
    return {
        "tensorflow": _tensorflow_steps,
        "jax": _jax_steps,
        "torch": _torch_steps,
    }[backend()](loss, y_true, y_pred)


def _tensorflow_steps(loss, y_true, y_pred):
    import tensorflow as tf

    y_true, y_pred = tf.constant(y_true), tf.constant(y_pred)

    def forward(y, x):
        return loss(y, x)

    def forward_backward(y, x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = loss(y, x)
        return value, tape.gradient(value, x)

    on_gpu = bool(tf.config.list_physical_devices("GPU"))

    def run(fn):
        def step():
            out = fn(y_true, y_pred)
            if on_gpu:  # GPU kernels run asynchronously; CPU ones do not
                tf.test.experimental.sync_devices()
            return out

        return step

    modes = {
        "eager": (forward, forward_backward),
        "tf.function": (tf.function(forward), tf.function(forward_backward)),
        "jit_compile": (
            tf.function(forward, jit_compile=True),
            tf.function(forward_backward, jit_compile=True),
        ),
    }
    return {
        mode: {"forward": run(f), "forward+backward": run(fb)}
        for mode, (f, fb) in modes.items()
    }


def _jax_steps(loss, y_true, y_pred):
    import jax

    y_true, y_pred = jax.device_put(y_true), jax.device_put(y_pred)
    forward = jax.jit(lambda y, x: loss(y, x))
    forward_backward = jax.jit(jax.value_and_grad(lambda x, y: loss(y, x)))

    def run(fn, *args):
        return lambda: jax.block_until_ready(fn(*args))

    return {
        "jax.jit": {
            "forward": run(forward, y_true, y_pred),
            "forward+backward": run(forward_backward, y_pred, y_true),
        }
    }


def _torch_steps(loss, y_true, y_pred):
    import torch

    cuda = torch.cuda.is_available()
    dev = "cuda" if cuda else "cpu"
    y_true = torch.as_tensor(y_true, device=dev)
    y_pred = torch.as_tensor(y_pred, device=dev)
    y_pred_grad = y_pred.clone().requires_grad_(True)

    def sync():
        if cuda:
            torch.cuda.synchronize()

    def forward():
        with torch.no_grad():
            value = loss(y_true, y_pred)
        sync()
        return value

    def forward_backward():
        value = loss(y_true, y_pred_grad)
        (grad,) = torch.autograd.grad(value, y_pred_grad)
        sync()
        return value, grad

    return {"eager": {"forward": forward, "forward+backward": forward_backward}}


def value(out):
    """The loss value of a step's output, as a Python float."""
    if isinstance(out, (tuple, list)):
        out = out[0]
    return float(keras.ops.convert_to_numpy(out))
