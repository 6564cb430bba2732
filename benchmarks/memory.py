"""Peak memory of one forward+backward step, in a process of its own.

One process measures one side (ours or the references) of every row asked
for, one row after the other; each measurement counts only what its step
allocates:
- TensorFlow (CPU or GPU): the allocator's peak during the step
  (`tf.config.experimental.reset_memory_stats` before it, then
  `get_memory_info(device)["peak"]`), less what was allocated before it (the
  inputs). The step is a traced `tf.function`, run once before measuring.
- JAX: the compiled step's own accounting (`memory_analysis()` of the jitted
  value-and-grad: temporaries plus outputs).
- PyTorch: on a GPU, `torch.cuda.max_memory_allocated` during the step less
  the allocation before it; on a CPU, the rise of the process's peak resident
  set size (Linux `VmHWM`, reset through `/proc/self/clear_refs`) during the
  step, the step's first call, after the earlier rows' memory has been handed
  back to the system (`gc.collect` and glibc's `malloc_trim`).
A step that cannot allocate what it needs (beyond the machine or
`benchmarks.run`'s `--memory-limit`) is reported with `peak_bytes` None.
Prints one JSON object per row, one a line.
"""

import argparse
import json

from benchmarks import backends
from benchmarks import workloads
from benchmarks.worker import out_of_memory


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


def _release_freed_memory():
    import ctypes
    import gc

    gc.collect()
    gc.freeze()  # the next collection skips what survived this one (0.2 s)
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _torch(step):
    import torch

    if torch.cuda.is_available():
        step()
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
        step()
        peak = torch.cuda.max_memory_allocated() - before
        return peak, "torch.cuda.max_memory_allocated during the step"
    _release_freed_memory()  # what earlier rows freed counts for nothing
    baseline = _status_kib("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # VmHWM := VmRSS (Linux >= 4.0)
    step()  # the first call: nothing cached by the allocator yet
    peak = (_status_kib("VmHWM") - baseline) * 1024
    return peak, "rise of the process's peak RSS (VmHWM) during the step"


def measure(case, shapes, which):
    shape = tuple(shapes[case.workload])
    y_true, y_pred = case.data(shape)
    loss = case.ours() if which == "ours" else case.baseline()
    name = backends.backend()
    if name == "jax":
        peak, method = _jax(loss, y_true, y_pred)
        mode = "jax.jit"
    else:
        mode = "tf.function" if name == "tensorflow" else "eager"
        step = backends.steps(loss, y_true, y_pred)[mode]["forward+backward"]
        try:
            peak, method = (_tensorflow if name == "tensorflow" else _torch)(
                step
            )
        except Exception as error:  # noqa: BLE001 - filtered just below
            if not out_of_memory(error):
                raise
            peak, method = None, "out of memory"
    return {
        "loss": case.loss,
        "workload": case.workload,
        "shape": list(shape),
        "reference": case.reference,
        "which": which,
        "backend": name,
        "mode": mode,
        "peak_bytes": None if peak is None else int(peak),
        "method": method,
    }


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--shapes", type=json.loads, required=True, help="workload -> shape"
    )
    parser.add_argument("--which", choices=("ours", "reference"), required=True)
    parser.add_argument(
        "--cases",
        type=int,
        nargs="+",
        help="indices into workloads.MEMORY_CASES (default: every one)",
    )
    args = parser.parse_args(argv)
    cases = workloads.MEMORY_CASES
    for index in args.cases if args.cases is not None else range(len(cases)):
        print(json.dumps(measure(cases[index], args.shapes, args.which)))


if __name__ == "__main__":
    main()
