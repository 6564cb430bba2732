"""Times every case on the backend this process runs (`KERAS_BACKEND`).

Run by `benchmarks.run`, one process per backend; writes a JSON list of rows.
Ours and the reference are timed interleaved (ours, reference, reference,
ours, ...), so that a slow spell of the machine hits both alike.
"""

import argparse
import json
import statistics
import time

import numpy as np

from benchmarks import backends
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


def _summary(seconds):
    q1, median, q3 = np.percentile(np.asarray(seconds) * 1e3, [25, 50, 75])
    return {"median_ms": median, "iqr_ms": q3 - q1}


def run_case(case, shapes, repeats, warmup):
    import keras

    shape = tuple(shapes[case.workload])
    y_true, y_pred = case.data(shape)
    ours = backends.steps(case.ours(), y_true, y_pred)
    reference = backends.steps(case.baseline(), y_true, y_pred)
    rows = []
    for mode in ours:
        for kind in ours[mode]:
            ours_step, ref_step = ours[mode][kind], reference[mode][kind]
            times, ratio = interleaved(ours_step, ref_step, repeats, warmup)
            ours_value = backends.value(ours_step())
            ref_value = backends.value(ref_step())
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
                    # The two must compute the same loss for the row to
                    # mean anything.
                    "values": [ours_value, ref_value],
                    "same_value": bool(
                        np.isclose(ours_value, ref_value, rtol=1e-4)
                    ),
                }
            )
            print(
                f"  {case.loss:36s} {case.workload:15s} {mode:12s} "
                f"{kind:17s} ours {rows[-1]['ours']['median_ms']:9.3f} ms "
                f"ref {rows[-1]['baseline']['median_ms']:9.3f} ms "
                f"ratio {ratio:5.2f}",
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
    parser.add_argument("--json", required=True)
    args = parser.parse_args(argv)
    rows = []
    for case in workloads.CASES:
        if args.losses and case.loss not in args.losses:
            continue
        rows += run_case(case, args.shapes, args.repeats, args.warmup)
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
