"""How a loss is run and timed on each backend, in each execution mode.

`steps(loss, y_true, y_pred)` returns `{mode: {kind: callable}}` where kind is
"forward" (the loss value) or "forward+backward" (the value and its gradient
with respect to `y_pred`), each callable running one step to completion
(device work included) when called. Where the step is traced or compiled,
its `program()` returns what runs, for `benchmarks.cost` to count: the
TensorFlow graph (eager runs the same ops one by one), or XLA's optimized
HLO text (jit_compile, JAX).
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

    def run(fn, program):
        def step():
            out = fn(y_true, y_pred)
            if on_gpu:  # GPU kernels run asynchronously; CPU ones do not
                tf.test.experimental.sync_devices()
            return out

        step.program = program
        return step

    def graph(traced):  # the trace the calls made: cached, not traced again
        return lambda: traced.get_concrete_function(y_true, y_pred).graph

    def hlo(compiled):
        return lambda: compiled.experimental_get_compiler_ir(y_true, y_pred)(
            stage="optimized_hlo"
        )

    steps = {"eager": {}, "tf.function": {}, "jit_compile": {}}
    for kind, fn in (
        ("forward", forward),
        ("forward+backward", forward_backward),
    ):
        traced = tf.function(fn)
        compiled = tf.function(fn, jit_compile=True)
        # Eager runs the ops of tf.function's graph one by one.
        steps["eager"][kind] = run(fn, graph(traced))
        steps["tf.function"][kind] = run(traced, graph(traced))
        steps["jit_compile"][kind] = run(compiled, hlo(compiled))
    return steps


def _jax_steps(loss, y_true, y_pred):
    import jax

    y_true, y_pred = jax.device_put(y_true), jax.device_put(y_pred)
    forward = jax.jit(lambda y, x: loss(y, x))
    forward_backward = jax.jit(jax.value_and_grad(lambda x, y: loss(y, x)))

    def run(fn, *args):
        def step():
            return jax.block_until_ready(fn(*args))

        # The executable the calls compiled: cached, not compiled again.
        step.program = lambda: fn.lower(*args).compile().as_text()
        return step

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
