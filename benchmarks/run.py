"""Benchmark every loss against its reference; write Markdown and JSON.

    python -m benchmarks.run            # full sizes, every installed backend
    python -m benchmarks.run --quick    # small sizes, 5 repeats: a smoke run

Each backend runs in its own process (`benchmarks.worker`), and the peak
memory measurements of each backend in two others (`benchmarks.memory`: ours,
then the references). Results go to
`<output>/results.json` and `<output>/results.md`; the Markdown is printed.
The targets (issue 7 and the segmentation and box families' issues) are
checked on TensorFlow and reported, not asserted (the triplet losses':
0.5x of TF Addons' algorithm in time and peak memory). Next to each time
stand the passes of ours and of the reference over y_pred and the step's
bytes floor at the CPU's memory bandwidth, measured once here
(`benchmarks.cost`).
"""

import argparse
import datetime
import glob
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import tempfile

from benchmarks import cost
from benchmarks import workloads

BACKENDS = ("tensorflow", "jax", "torch")
HERE = pathlib.Path(__file__).parent

FOCAL = ("BinaryFocalCrossentropy", "CategoricalFocalCrossentropy")
SPARSE_FOCAL = "SparseCategoricalFocalCrossentropy"
SPARSE_OVERLAP = workloads.SPARSE_OVERLAP
BOX = workloads.BOX
IMBALANCE = workloads.IMBALANCE
TRIPLET = workloads.TRIPLET
# Peak memory, ours / reference, on TensorFlow at full size.
MEMORY_TARGETS = {
    SPARSE_FOCAL: 0.6,
    **dict.fromkeys(SPARSE_OVERLAP, 0.7),
    **dict.fromkeys(TRIPLET, 0.5),
}
MATCH_KERAS = (
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "Huber",
)


def _default_memory_limit():
    """3/4 of the machine's memory on Linux without a GPU, else None.

    A GPU runtime reserves far more address space than it uses, which a
    limit on the address space would refuse.
    """
    if glob.glob("/dev/nvidia*") or os.path.exists("/dev/kfd"):
        return None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024 * 3 // 4
    except OSError:
        pass
    return None


def _limit_address_space(limit):
    def limit_it():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return limit_it


def _python(module, backend, *args, memory_limit=None):
    """Run `python -m module args` on `backend`; its stdout.

    `memory_limit` (bytes) caps what the process can allocate, so that a
    step too large fails with the backend's out-of-memory error rather than
    the kernel killing a process: for TensorFlow its CPU allocator's limit
    (`TF_MKL_ALLOC_MAX_BYTES`: a limit on the address space makes
    TensorFlow abort when it next creates a thread), for JAX and PyTorch
    the process's address space.
    """
    env = dict(os.environ, KERAS_BACKEND=backend)
    limit = None
    if memory_limit and backend == "tensorflow":
        env["TF_MKL_ALLOC_MAX_BYTES"] = str(memory_limit)
    elif memory_limit:
        limit = _limit_address_space(memory_limit)
    cmd = [sys.executable, "-m", module, *args]
    result = subprocess.run(
        cmd,
        env=env,
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        preexec_fn=limit,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} (KERAS_BACKEND={backend}) failed with exit "
            f"code {result.returncode}:\n{result.stderr[-3000:]}"
        )
    return result.stdout


def stamp(module, argv):
    """When and with which command a run was made, for its results' meta."""
    words = argv if argv is not None else sys.argv[1:]
    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "command": " ".join([f"python -m {module}", *words]),
    }


def _shape(text):
    try:
        sizes = tuple(int(n) for n in text.lower().split("x"))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            "a shape must be positive integers joined by x, e.g. 4096x1000. "
            f"Received: {text!r}"
        )
    return sizes


def _shape_text(shape):
    return "x".join(str(n) for n in shape)


def _target(row, size):
    """The issue's target ratio for a TensorFlow row at full size, or None."""
    if size != "full" or row["backend"] != "tensorflow":
        return None
    if row["kind"] != "forward+backward":
        return None
    if row["mode"] == "jit_compile":
        return 1.1
    if row["mode"] != "tf.function":
        return None
    if row["loss"] in MATCH_KERAS:
        return 1.05
    if row["loss"] in FOCAL:
        return 0.6
    if row["loss"] == SPARSE_FOCAL:
        return 0.5
    if row["loss"] in SPARSE_OVERLAP:
        return 0.7
    if row["loss"] in BOX:
        return 1.0
    if row["loss"] in IMBALANCE:
        return 0.8
    if row["loss"] in TRIPLET:
        return 0.5
    return None


def _ms(summary):
    if summary is None:  # that side ran out of memory
        return "out of memory"
    return f"{summary['median_ms']:.3g} ± {summary['iqr_ms']:.2g}"


def _median(summary):
    return "OOM" if summary is None else f"{summary['median_ms']:.3g}"


def _ratio(row):
    return "—" if row["ratio"] is None else f"{row['ratio']:.2f}"


def _count(passes):
    if passes is None:
        return "—"
    return f"{passes:.1f}" if passes < 10 else f"{passes:.0f}"


def _passes(row):
    """Passes as "ours/reference" (rows of older runs have none)."""
    passes = row.get("passes") or {}
    return f"{_count(passes.get('ours'))}/{_count(passes.get('reference'))}"


def _floor(row):
    floor = row.get("floor_ms")
    return "—" if floor is None else f"{floor:.3g}"


def _header(meta):
    return [
        f"Run {meta['date']} with `{meta['command']}`; sizes: "
        f"{meta['size']}"
        + "".join(
            f", {workload} {_shape_text(shape)}"
            for workload, shape in meta.get("shapes", {}).items()
        )
        + f"; {meta['repeats']} timed runs per cell after "
        f"{meta['warmup']} warm-up runs. Times: median ± interquartile range "
        "in ms. Ratio: median over runs of ours / reference, the two timed "
        "alternately. All classification and segmentation losses take "
        "logits, except Dice and Tversky: probabilities, as Keras's do.",
        "",
        "Passes: ours/reference, the memory traffic of one step in passes "
        "over y_pred: each operation that moves data adds the size of the "
        "largest tensor it reads or writes, over y_pred's (1 for an "
        "elementwise op on y_pred or a reduction of it). TF eager and "
        "tf.function count the ops of the traced graph that the outputs "
        "depend on, before Grappler's rewrites (a nested jit_compile "
        "function: its XLA kernels; eager: the same graph's); "
        "TF jit_compile and JAX the kernels of XLA's optimized program (a "
        "fusion is one); PyTorch the aten operators dispatched; views, "
        "reshapes and constants count nothing. — where not counted"
        + (" (--quick skips TF jit_compile)" if meta.get("quick") else "")
        + ". "
        + _floor_text(meta),
        "",
    ]


def _floor_text(meta):
    bandwidth = meta.get("bandwidth_bytes_per_s")
    if not bandwidth:
        return "Floor: not measured."
    return (
        "Floor (ms): the step's bytes at the CPU's memory bandwidth, "
        f"{bandwidth / 1e9:.1f} GB/s (one NumPy copy of 256 MiB, read and "
        "write, best of 10): one read of y_true and y_pred, and for "
        "forward+backward one write of the gradient; CPU rows only."
    )


def _cells(run):
    """`{(loss, workload, reference, mode): {kind: row}}` in the order of
    the cases (a loss can have two rows on one workload, e.g. two modes)."""
    cells = {}
    for row in run["rows"]:
        key = (row["loss"], row["workload"], row["reference"], row["mode"])
        cells.setdefault(key, {})[row["kind"]] = row
    return cells


def _verdict(row, size):
    target = _target(row, size)
    if target is None:
        return ""
    if row["ratio"] is None:
        failed = " and ".join(row.get("errors", {}))
        return f"≤ {target}: not measured ({failed} out of memory)"
    return f"≤ {target}: {'met' if row['ratio'] <= target else '**missed**'}"


_SUMMARY_MODES = (
    ("tensorflow", "jit_compile", "TF jit_compile"),
    ("jax", "jax.jit", "JAX jit"),
    ("torch", "eager", "PyTorch eager"),
)


def summary(results):
    """Forward+backward on every backend, one row per case."""
    meta = results["meta"]
    runs = {run["backend"]: _cells(run) for run in results["backends"]}
    devices = "; ".join(
        f"{run['backend']}: {run['device']}" for run in results["backends"]
    )
    lines = [
        f"Forward+backward (gradient with respect to `y_pred`), ratio ours /"
        f" reference; in parentheses, passes ours/reference. Devices: "
        f"{devices}.",
        "",
        "| loss | workload | reference | TF tf.function: ours, reference "
        "(ms) | passes | floor (ms) | ratio | target | "
        + " | ".join(label for _, _, label in _SUMMARY_MODES)
        + " |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | --- | "
        + " | ".join("---:" for _ in _SUMMARY_MODES)
        + " |",
    ]
    keys = []
    for cells in runs.values():
        for *case, _ in cells:
            if tuple(case) not in keys:
                keys.append(tuple(case))
    for case in keys:
        loss, workload, reference = case
        tf_row = runs.get("tensorflow", {}).get((*case, "tf.function"))
        first = next(  # any row of the case, for its shape
            cell["forward+backward"]
            for cells in runs.values()
            for (*key, _), cell in cells.items()
            if tuple(key) == case
        )
        cells = [loss, f"{workload} {tuple(first['shape'])}", reference]
        if tf_row:
            fb = tf_row["forward+backward"]
            cells += [
                f"{_median(fb['ours'])}, {_median(fb['baseline'])}",
                _passes(fb),
                _floor(fb),
                _ratio(fb),
                _verdict(fb, meta["size"]),
            ]
        else:
            cells += ["", "", "", "", ""]
        for backend, mode, _ in _SUMMARY_MODES:
            cell = runs.get(backend, {}).get((*case, mode))
            if cell is None:
                cells.append("")
                continue
            fb = cell["forward+backward"]
            verdict = _verdict(fb, meta["size"])
            cells.append(
                (_ratio(fb) if fb["ratio"] is not None else "OOM")
                + (f" ({_passes(fb)})" if "passes" in fb else "")
                + (" (target missed)" if "missed" in verdict else "")
            )
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def _mib(peak, limit):
    if peak is not None:
        return f"{peak / 2**20:.1f}"
    if limit:
        return f"out of memory (> {limit / 2**30:.1f} GiB)"
    return "out of memory"


def _memory(results):
    meta = results["meta"]
    if not results["memory"]:
        return []
    lines = [
        "Peak memory of one forward+backward step:",
        "",
        "| backend | loss | workload | reference | mode | ours (MiB) | "
        "reference (MiB) | ratio | target | how measured |",
        "| --- | --- | --- | --- | --- | ---: | ---: | ---: | --- | --- |",
    ]
    limit = meta.get("memory_limit_bytes")
    for pair in results["memory"]:
        ours, ref = pair["ours"], pair["reference"]
        mine, theirs = ours["peak_bytes"], ref["peak_bytes"]
        goal = MEMORY_TARGETS.get(ours["loss"])
        if mine is None:
            ratio, met = "—", "**missed**"
        elif theirs is None:  # the reference needs more than the limit
            bound = mine / limit if limit else None
            ratio = "—" if bound is None else f"< {bound:.2g}"
            met = "met" if bound is not None and bound <= (goal or 0) else ""
        else:
            # A quick run's tensors can fit in pages the process already has.
            value = mine / max(theirs, 1)
            ratio = f"{value:.2f}"
            met = "met" if goal and value <= goal else "**missed**"
        target = ""
        if ours["backend"] == "tensorflow" and meta["size"] == "full" and goal:
            target = f"≤ {goal}: {met or 'not measured'}"
        method = ours["method"]
        if ref["method"] != method:
            method = f"{method}; reference: {ref['method']}"
        lines.append(
            f"| {ours['backend']} | {ours['loss']} | {ours['workload']} "
            f"{tuple(ours['shape'])} | {ours.get('reference', '')} | "
            f"{ours['mode']} | {_mib(mine, limit)} | {_mib(theirs, limit)} "
            f"| {ratio} | {target} | {method} |"
        )
    lines.append("")
    return lines


def _full_tables(results):
    meta = results["meta"]
    lines = []
    for run in results["backends"]:
        versions = ", ".join(f"{k} {v}" for k, v in run["versions"].items())
        lines += [
            f"### {run['backend']} on {run['device']}",
            "",
            f"{versions}.",
            "",
            "| loss | workload | reference | mode | forward: ours | "
            "reference | ratio | passes | floor | fwd+bwd: ours | reference "
            "| ratio | passes | floor | target |",
            "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | "
            "---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for (loss, workload, _, mode), cell in _cells(run).items():
            fwd, fb = cell["forward"], cell["forward+backward"]
            differ = fwd["same_value"] is False or fb["same_value"] is False
            lines.append(
                f"| {loss} | {workload} {tuple(fb['shape'])} | "
                f"{fb['reference']} | {mode} | {_ms(fwd['ours'])} | "
                f"{_ms(fwd['baseline'])} | {_ratio(fwd)} | {_passes(fwd)} | "
                f"{_floor(fwd)} | {_ms(fb['ours'])} | {_ms(fb['baseline'])} "
                f"| {_ratio(fb)} | {_passes(fb)} | {_floor(fb)} | "
                f"{_verdict(fb, meta['size'])}"
                + (" (values differ!)" if differ else "")
                + " |"
            )
        lines.append("")
    return lines


def markdown(results):
    """The summary and memory tables (the README's), then every timing."""
    return "\n".join(
        _header(results["meta"])
        + summary(results)
        + _memory(results)
        + ["## Every timing", ""]
        + _full_tables(results)
    )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Time keras_losses against Keras's built-ins and plain "
        "keras.ops transcriptions, forward and forward+backward, on every "
        "installed backend; measure peak memory of the sparse focal, sparse "
        "overlap, box and metric-learning losses.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes and 5 repeats, the metric-learning rows without "
        "XLA or memory: checks the suite runs (CI)",
    )
    parser.add_argument(
        "--backends",
        nargs="+",
        choices=BACKENDS,
        default=[b for b in BACKENDS if importlib.util.find_spec(b)],
        help="backends to run (default: every installed one)",
    )
    parser.add_argument(
        "--repeats", type=int, help="timed runs per cell (default 20; 5 quick)"
    )
    parser.add_argument(
        "--losses", nargs="+", help="only these keras_losses classes"
    )
    for workload, sizes in workloads.SIZES.items():
        parser.add_argument(
            f"--{workload}",
            type=_shape,
            metavar="x".join("N" * len(sizes["full"])),
            help=f"shape of the {workload} workload (default "
            f"{_shape_text(sizes['full'])}; --quick "
            f"{_shape_text(sizes['quick'])})",
        )
    default_limit = _default_memory_limit()
    here = ""
    if default_limit is not None:
        here = f", here {default_limit / 2**30:.1f}"
    parser.add_argument(
        "--memory-limit",
        type=float,
        metavar="GIB",
        default=None if default_limit is None else default_limit / 2**30,
        help="memory each benchmark process may allocate, in GiB (0: no "
        "limit), so that a step too large for the machine reports out of "
        "memory instead of being killed: TensorFlow's CPU allocator limit, "
        "the address space of the JAX and PyTorch processes (default: 3/4 "
        f"of the memory of a Linux machine without a GPU{here})",
    )
    parser.add_argument(
        "--output",
        default=str(HERE / "results"),
        help="folder for results.json and results.md (default %(default)s)",
    )
    parser.add_argument(
        "--render",
        metavar="RESULTS_JSON",
        help="only print the Markdown of an earlier run's results.json",
    )
    args = parser.parse_args(argv)
    if args.render:
        with open(args.render) as f:
            print(markdown(json.load(f)))
        return
    repeats = args.repeats or (5 if args.quick else 20)
    if repeats < 1:
        parser.error(f"--repeats must be >= 1. Received: --repeats={repeats}")
    preset = "quick" if args.quick else "full"
    shapes = {
        workload: list(
            getattr(args, workload.replace("-", "_")) or sizes[preset]
        )
        for workload, sizes in workloads.SIZES.items()
    }
    for workload, shape in shapes.items():
        rank = len(workloads.SIZES[workload]["full"])
        if len(shape) != rank:
            parser.error(
                f"--{workload} needs {rank} sizes. Received: --{workload}="
                f"{_shape_text(shape)}"
            )
    presets = {
        name: {w: list(s[name]) for w, s in workloads.SIZES.items()}
        for name in ("full", "quick")
    }
    # Targets are judged at the sizes only.
    size = next((n for n, p in presets.items() if p == shapes), "custom")
    warmup = 3
    memory_limit = int(args.memory_limit * 2**30) if args.memory_limit else None
    # Before the backends load the machine: the floor's bandwidth.
    bandwidth = cost.bandwidth()
    results = {
        "meta": {
            **stamp("benchmarks.run", argv),
            "size": size,
            "quick": args.quick,
            "shapes": shapes,
            "repeats": repeats,
            "warmup": warmup,
            "memory_limit_bytes": memory_limit,
            "bandwidth_bytes_per_s": bandwidth,
        },
        "backends": [],
        "memory": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends:
            print(f"== {backend}", flush=True)
            out = pathlib.Path(tmp) / f"{backend}.json"
            extra = ["--losses", *args.losses] if args.losses else []
            extra += ["--quick"] if args.quick else []
            _python(
                "benchmarks.worker",
                backend,
                "--shapes",
                json.dumps(shapes),
                "--repeats",
                str(repeats),
                "--warmup",
                str(warmup),
                "--bandwidth",
                str(bandwidth),
                "--json",
                str(out),
                *extra,
                memory_limit=memory_limit,
            )
            results["backends"].append(json.loads(out.read_text()))
    memory_cases = [
        str(i)
        for i, case in enumerate(workloads.MEMORY_CASES)
        if (not args.losses or case.loss in args.losses)
        and (case.quick_memory or not args.quick)
    ]
    for backend in args.backends if memory_cases else ():
        print(f"== {backend}: peak memory", flush=True)
        measured = {}
        for which in ("ours", "reference"):
            stdout = _python(
                "benchmarks.memory",
                backend,
                "--shapes",
                json.dumps(shapes),
                "--which",
                which,
                "--cases",
                *memory_cases,
                memory_limit=memory_limit,
            )
            lines = stdout.strip().splitlines()[-len(memory_cases) :]
            measured[which] = [json.loads(line) for line in lines]
        results["memory"] += [
            {"ours": ours, "reference": reference}
            for ours, reference in zip(
                measured["ours"], measured["reference"], strict=True
            )
        ]
    output = pathlib.Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "results.json").write_text(json.dumps(results, indent=1))
    table = markdown(results)
    (output / "results.md").write_text(table + "\n")
    print(table)
    print(f"wrote {output / 'results.md'} and {output / 'results.json'}")
    differ = [
        f"{row['backend']} {row['loss']} {row['workload']} {row['mode']} "
        f"{row['kind']}: ours {row['values'][0]}, reference {row['values'][1]}"
        for run in results["backends"]
        for row in run["rows"]
        if row["same_value"] is False
    ]
    if differ:  # the rows would compare two different losses
        sys.exit(
            "Ours and the reference computed different losses (rtol 1e-4):\n"
            + "\n".join(differ)
        )


if __name__ == "__main__":
    main()
