"""Times every case on the backend this process runs (`KERAS_BACKEND`).

Run by `benchmarks.run`, one process per backend; writes a JSON list of rows.
Ours and the reference are timed interleaved (ours, reference, reference,
ours, ...), so that a slow spell of the machine hits both alike. A side
that cannot allocate its step's memory is reported as out of memory in its
row (`errors`), and the other side timed alone. Each row also gets the
passes of both steps over y_pred (`benchmarks.cost`, counted once, after
the timing) and, on a CPU, its bytes floor at the measured bandwidth.
"""

import argparse
import gc
import json
import statistics
import time

import numpy as np

from benchmarks import backends
from benchmarks import cost
from benchmarks import workloads


def interleaved(ours, reference, repeats, warmup):
    """Seconds per call of each, and the median of the paired ratios."""
    for _ in range(warmup):  # compilation, tracing, caches
        ours()
        reference()
    times = {"ours": [], "reference": []}
    for i in range(repeats):
        order = ("ours", "reference") if i % 2 == 0 else ("reference", "ours")
        for name in order:
            fn = ours if name == "ours" else reference
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    ratios = [
        a / b for a, b in zip(times["ours"], times["reference"], strict=True)
    ]
    return times, statistics.median(ratios)


def alone(step, repeats, warmup):
    """Seconds per call of one step (the other side ran out of memory)."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return times


# How each backend says that an allocation failed: TensorFlow's
# ResourceExhaustedError, JAX's RESOURCE_EXHAUSTED, PyTorch's
# "DefaultCPUAllocator: can't allocate memory" or OutOfMemoryError.
_OUT_OF_MEMORY = (
    "ResourceExhausted",
    "RESOURCE_EXHAUSTED",
    "OutOfMemory",
    "can't allocate memory",
    "out of memory",
)


def out_of_memory(error):
    """Whether `error` is a backend's failure to allocate memory."""
    text = f"{type(error).__name__}: {error}"
    return isinstance(error, MemoryError) or any(
        marker in text for marker in _OUT_OF_MEMORY
    )


class _OutOfMemoryError(Exception):
    def __init__(self, side):
        super().__init__(side)
        self.side = side


def _guarded(step, side):
    """`step`, raising `_OutOfMemoryError(side)` where its allocation fails."""

    def call():
        try:
            return step()
        except Exception as error:  # noqa: BLE001 - filtered just below
            if not out_of_memory(error):
                raise
        raise _OutOfMemoryError(side)  # outside the except: no traceback kept

    return call


def measure(ours, reference, repeats, warmup):
    """`(times, ratio, values, errors)` of the two steps.

    A side whose step runs out of memory, on any call, is dropped (its
    times and value None, its error "out of memory") and the other side
    timed again, alone.
    """
    sides = {
        "ours": _guarded(ours, "ours"),
        "reference": _guarded(reference, "reference"),
    }
    errors = {}
    for side, step in sides.items():  # the first warm-up run of each
        try:
            step()
        except _OutOfMemoryError:
            errors[side] = "out of memory"
    if errors:
        gc.collect()  # what the failed step held
    warmup = max(warmup - 1, 0)
    values = {}
    while len(errors) < len(sides):
        live = [side for side in sides if side not in errors]
        times, ratio = dict.fromkeys(sides), None
        try:
            if len(live) == 2:
                measured, ratio = interleaved(
                    sides["ours"], sides["reference"], repeats, warmup
                )
                times.update(measured)
            else:
                times[live[0]] = alone(sides[live[0]], repeats, warmup)
            values = {side: backends.value(sides[side]()) for side in live}
            break
        except _OutOfMemoryError as failed:
            errors[failed.side] = "out of memory"
        gc.collect()  # what the failed step held
    else:
        times, ratio = dict.fromkeys(sides), None
    values = [values.get("ours"), values.get("reference")]
    return times, ratio, values, errors


def _summary(seconds):
    if seconds is None:
        return None
    q1, median, q3 = np.percentile(np.asarray(seconds) * 1e3, [25, 50, 75])
    return {"median_ms": median, "iqr_ms": q3 - q1}


def _ms(summary):
    return "      OOM" if summary is None else f"{summary['median_ms']:9.3f}"


def floor_bytes(y_true, y_pred, kind):
    """Bytes a step must move at least: one read of the inputs, and for
    forward+backward one write of the gradient (y_pred's size)."""
    grad = np.asarray(y_pred).nbytes if kind == "forward+backward" else 0
    return np.asarray(y_true).nbytes + np.asarray(y_pred).nbytes + grad


def run_case(case, shapes, repeats, warmup, quick=False, bandwidth=None):
    import keras

    shape = tuple(shapes[case.workload])
    modes = case.quick_modes if quick else None
    if modes is not None and not set(modes) & set(backends.modes()):
        return []  # --quick runs this row in none of this backend's modes
    y_true, y_pred = case.data(shape)
    ours = backends.steps(case.ours(), y_true, y_pred)
    reference = backends.steps(case.baseline(), y_true, y_pred)
    on_cpu = backends.device().startswith("CPU")
    rows = []
    for mode in ours:
        if modes is not None and mode not in modes:
            continue
        for kind in ours[mode]:
            ours_step, ref_step = ours[mode][kind], reference[mode][kind]
            # A step too large for the machine (TF Addons' B^2 x B tensors
            # at B = 1024) is reported as such.
            times, ratio, values, errors = measure(
                ours_step, ref_step, repeats, warmup
            )
            # --quick leaves TF's jit_compile uncounted: its HLO costs a
            # second compilation of each step (~0.5 s).
            counted = not (quick and mode == "jit_compile")
            passes = {
                side: cost.passes(step, np.size(y_pred))
                if counted and side not in errors
                else None
                for side, step in (("ours", ours_step), ("reference", ref_step))
            }
            nbytes = int(floor_bytes(y_true, y_pred, kind))
            rows.append(
                {
                    "loss": case.loss,
                    "workload": case.workload,
                    "shape": list(shape),
                    "reference": case.reference,
                    "backend": keras.backend.backend(),
                    "mode": mode,
                    "kind": kind,
                    "repeats": repeats,
                    "ours": _summary(times["ours"]),
                    "baseline": _summary(times["reference"]),
                    "ratio": ratio,
                    "errors": {k: v for k, v in errors.items() if v},
                    # The two must compute the same loss for the row to
                    # mean anything (None: one side could not run).
                    "values": values,
                    "same_value": None
                    if None in values
                    else bool(np.isclose(*values, rtol=1e-4)),
                    "passes": passes,
                    "floor_bytes": nbytes,
                    # The CPU's bandwidth: no floor for an accelerator's row.
                    "floor_ms": nbytes / bandwidth * 1e3
                    if bandwidth and on_cpu
                    else None,
                }
            )
            print(
                f"  {case.loss:36s} {case.workload:15s} {mode:12s} "
                f"{kind:17s} ours {_ms(rows[-1]['ours'])} ms "
                f"ref {_ms(rows[-1]['baseline'])} ms "
                + ("" if ratio is None else f"ratio {ratio:5.2f} ")
                + "passes "
                + "/".join(
                    "—" if p is None else f"{p:.1f}" for p in passes.values()
                ),
                flush=True,
            )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--shapes", type=json.loads, required=True, help="workload -> shape"
    )
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--losses", nargs="*", default=None)
    parser.add_argument(
        "--quick", action="store_true", help="each case's quick_modes only"
    )
    parser.add_argument(
        "--bandwidth", type=float, help="the CPU's memory bandwidth, bytes/s"
    )
    parser.add_argument("--json", required=True)
    args = parser.parse_args(argv)
    rows = []
    for case in workloads.CASES:
        if args.losses and case.loss not in args.losses:
            continue
        rows += run_case(
            case,
            args.shapes,
            args.repeats,
            args.warmup,
            args.quick,
            args.bandwidth,
        )
    with open(args.json, "w") as f:
        json.dump(
            {
                "backend": backends.backend(),
                "device": backends.device(),
                "versions": backends.versions(),
                "rows": rows,
            },
            f,
            indent=1,
        )


if __name__ == "__main__":
    main()
