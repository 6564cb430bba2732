"""Peak memory of one forward+backward step, in a process of its own.

- TensorFlow (CPU or GPU): the allocator's peak during the step
  (`tf.config.experimental.reset_memory_stats` before it, then
  `get_memory_info(device)["peak"]`), less what was allocated before it (the
  inputs). The step is a traced `tf.function`, run once before measuring.
- JAX: the compiled step's own accounting (`memory_analysis()` of the jitted
  value-and-grad: temporaries plus outputs).
- PyTorch: on a GPU, `torch.cuda.max_memory_allocated` during the step less
  the allocation before it; on a CPU, the rise of the process's peak resident
  set size (Linux `VmHWM`, reset through `/proc/self/clear_refs`) during the
  step.
Prints one JSON object.
"""

import argparse
import json

import numpy as np

from benchmarks import backends
from benchmarks import workloads


def _tensorflow(step):
    import tensorflow as tf

    dev = "GPU:0" if tf.config.list_physical_devices("GPU") else "CPU:0"
    step()
    tf.config.experimental.reset_memory_stats(dev)
    before = tf.config.experimental.get_memory_info(dev)["current"]
    step()
    peak = tf.config.experimental.get_memory_info(dev)["peak"] - before
    return peak, f"TensorFlow allocator peak on {dev} during the step"


def _jax(loss, y_true, y_pred):
    import jax

    grad = jax.value_and_grad(lambda x, y: loss(y, x))
    analysis = jax.jit(grad).lower(y_pred, y_true).compile().memory_analysis()
    peak = analysis.temp_size_in_bytes + analysis.output_size_in_bytes
    return peak, "XLA memory analysis of the jitted step: temporaries + outputs"


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def _torch(step):
    import torch

    if torch.cuda.is_available():
        step()
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
        step()
        peak = torch.cuda.max_memory_allocated() - before
        return peak, "torch.cuda.max_memory_allocated during the step"
    baseline = _status_kib("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # VmHWM := VmRSS (Linux >= 4.0)
    step()  # the first call: nothing cached by the allocator yet
    peak = (_status_kib("VmHWM") - baseline) * 1024
    return peak, "rise of the process's peak RSS (VmHWM) during the step"


def measure(case, shapes, which):
    shape = tuple(shapes[case.workload])
    y_true, y_pred = workloads.make_data(case.workload, shape)
    if case.one_hot_labels:
        y_true = np.eye(shape[-1], dtype="float32")[y_true]
    loss = case.ours() if which == "ours" else case.baseline()
    name = backends.backend()
    if name == "jax":
        peak, method = _jax(loss, y_true, y_pred)
        mode = "jax.jit"
    else:
        mode = "tf.function" if name == "tensorflow" else "eager"
        step = backends.steps(loss, y_true, y_pred)[mode]["forward+backward"]
        peak, method = (_tensorflow if name == "tensorflow" else _torch)(step)
    return {
        "loss": case.loss,
        "workload": case.workload,
        "shape": list(shape),
        "which": which,
        "backend": name,
        "mode": mode,
        "peak_bytes": int(peak),
        "method": method,
    }


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--shapes", type=json.loads, required=True, help="workload -> shape"
    )
    parser.add_argument("--which", choices=("ours", "reference"), required=True)
    args = parser.parse_args(argv)
    print(json.dumps(measure(workloads.MEMORY_CASE, args.shapes, args.which)))


if __name__ == "__main__":
    main()
