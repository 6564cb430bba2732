"""How time and peak memory grow with the number of classes and image size.

    python -m benchmarks.scale            # full sweeps, every installed backend
    python -m benchmarks.scale --quick    # three small sizes each: a smoke run

Two sweeps of the sparse focal and sparse cross-entropy losses, each next to
its reference (`benchmarks.references`), forward+backward (gradient with
respect to the logits) in one mode per backend (`MODE`):

- classes: 512 rows of C logits, C from 10 to 100,000 (a language model's
  vocabulary);
- image: one H x H segmentation mask of 21 classes, H from 64 to 1024.

Each backend runs in its own process (`benchmarks.run._python`), which for
every cell measures peak memory (`benchmarks.memory.measure`, before the
step is timed: on PyTorch that method needs the step's first call) and then
times ours and the reference interleaved (`benchmarks.worker.measure`).
Reported per cell: the median times, ns per logit (constant where time grows
linearly) and the growth exponent from the previous size,
log(t2 / t1) / log(n2 / n1) for n logits. An exponent above `SUPERLINEAR`
where the step takes more than `NOISE_MS` is flagged as worse than linear
(below that, per-call overhead dominates). Each cell also counts the bytes
of fresh pages one warm step faults in (`_faulted`): where the allocator
hands freed memory back to the system, every step pays the kernel to zero it
again, which is what bends the PyTorch and JAX curves upwards on a CPU.
Results go to `<output>/scale.json`
and `<output>/scale.md` (printed), the plot to `docs/images/scale.png`
(`<output>/scale.png` with --quick).
"""

import argparse
import gc
import importlib.util
import json
import math
import os
import pathlib
import subprocess
import tempfile
import time

import numpy as np

from benchmarks import run
from benchmarks import workloads

LOSSES = ("SparseCategoricalFocalCrossentropy", "SparseCategoricalCrossentropy")
BATCH = 512  # rows of the classes sweep
SEGMENTATION_CLASSES = 21  # Pascal VOC's, as the segmentation workload's
SWEEPS = {
    "classes": {
        "workload": "classification",
        "full": (10, 100, 1000, 10000, 32000, 100000),
        "quick": (10, 100, 1000),
    },
    "image": {
        "workload": "segmentation",
        "full": (64, 128, 256, 512, 1024),
        "quick": (32, 64, 128),
    },
}
# The mode a user trains in on each backend (one of `backends.steps`').
MODE = {"tensorflow": "tf.function", "jax": "jax.jit", "torch": "eager"}
SUPERLINEAR = 1.15
NOISE_MS = 5.0
PLOT = run.HERE.parent / "docs" / "images" / "scale.png"


def shape(sweep, size):
    if sweep == "classes":
        return (BATCH, size)
    return (1, size, size, SEGMENTATION_CLASSES)


def _case(loss, workload):
    """The `workloads.CASES` row: its data and its reference."""
    return next(
        case
        for case in workloads.CASES
        if case.loss == loss and case.workload == workload
    )


def _plan(steps):
    """`(repeats, warmup)` from one warm call of the slowest step.

    Calls each step twice (compilation, then timed): `worker.measure`'s own
    warm-up then needs only its first, guarded call.
    """
    from benchmarks import worker

    slowest = 0.0
    for step in steps:
        try:
            step()
            start = time.perf_counter()
            step()
            slowest = max(slowest, time.perf_counter() - start)
        except Exception as error:  # noqa: BLE001 - filtered just below
            if not worker.out_of_memory(error):
                raise
            gc.collect()  # measure reports it
    if slowest > 1.0:
        return 3, 1
    if slowest > 0.1:
        return 5, 1
    return 20, 1


def _faulted(step):
    """Bytes of fresh pages one warm call touches (minor page faults, all
    threads): memory the allocator had handed back to the system and asks
    for again, each page zeroed by the kernel on first touch."""
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    step()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    return (after - before) * resource.getpagesize()


def _cell(sweep, loss, size, quick):
    """One row: peak memory, then interleaved times, of ours and the
    reference on this process's backend."""
    from benchmarks import backends
    from benchmarks import memory
    from benchmarks import worker

    case = _case(loss, SWEEPS[sweep]["workload"])
    dims = shape(sweep, size)
    peaks = {
        which: memory.measure(case, {case.workload: dims}, which)
        for which in ("ours", "reference")
    }
    gc.collect()
    y_true, y_pred = case.data(dims)
    mode = MODE[backends.backend()]
    ours, reference = (
        backends.steps(loss_fn, y_true, y_pred)[mode]["forward+backward"]
        for loss_fn in (case.ours(), case.baseline())
    )
    repeats, warmup = (5, 2) if quick else _plan((ours, reference))
    times, ratio, values, errors = worker.measure(
        ours, reference, repeats, warmup
    )
    faulted = {
        side: None if side in errors else _faulted(step)
        for side, step in (("ours", ours), ("reference", reference))
    }
    row = {
        "sweep": sweep,
        "loss": loss,
        "reference": case.reference,
        "size": size,
        "shape": list(dims),
        "logits": math.prod(dims),
        "mode": mode,
        "repeats": repeats,
        "ours": worker._summary(times["ours"]),
        "baseline": worker._summary(times["reference"]),
        "ratio": ratio,
        "errors": errors,
        "peak_bytes": {w: p["peak_bytes"] for w, p in peaks.items()},
        "memory_method": peaks["ours"]["method"],
        "faulted_bytes": faulted,
        "values": values,
        "same_value": None
        if None in values
        else bool(np.isclose(*values, rtol=1e-4)),
    }
    print(
        f"  {sweep:7s} {size:6d} {loss:36s} ours {_median(row['ours']):>8s} "
        f"ref {_median(row['baseline']):>8s} ms ({repeats} runs)",
        flush=True,
    )
    return row


def _worker(args):
    from benchmarks import backends

    preset = "quick" if args.quick else "full"
    load = [os.getloadavg()[0]]  # other processes slow the times down
    rows = [
        _cell(sweep, loss, size, args.quick)
        for sweep, spec in SWEEPS.items()
        for loss in LOSSES
        for size in spec[preset]
    ]
    with open(args.json, "w") as f:
        json.dump(
            {
                "backend": backends.backend(),
                "device": backends.device(),
                "versions": backends.versions(),
                "load": [*load, os.getloadavg()[0]],
                "cpus": os.cpu_count(),
                "rows": rows,
            },
            f,
            indent=1,
        )


def _ms(summary):
    return None if summary is None else summary["median_ms"]


def _median(summary):
    return "OOM" if summary is None else f"{summary['median_ms']:.3g}"


def add_growth(results):
    """Per row: ns per logit and the growth exponent from the previous size
    of its sweep, loss and backend, for ours and the reference."""
    for run_ in results["backends"]:
        previous = {}
        for row in run_["rows"]:
            key = (row["sweep"], row["loss"])
            before = previous.get(key)
            for side in ("ours", "baseline"):
                ms = _ms(row[side])
                row[f"ns_per_logit_{side}"] = (
                    None if ms is None else ms * 1e6 / row["logits"]
                )
                last = None if before is None else _ms(before[side])
                row[f"growth_{side}"] = (
                    None
                    if ms is None or last is None
                    else math.log(ms / last)
                    / math.log(row["logits"] / before["logits"])
                )
                growth = row[f"growth_{side}"]
                row[f"worse_than_linear_{side}"] = bool(
                    growth is not None
                    and growth > SUPERLINEAR
                    and ms > NOISE_MS
                )
            previous[key] = row
    return results


def _mib(peak):
    return "OOM" if peak is None else f"{peak / 2**20:.1f}"


def _growth(row, side):
    growth = row[f"growth_{side}"]
    if growth is None:
        return "—"
    text = f"{growth:.2f}"
    return f"**{text}**" if row[f"worse_than_linear_{side}"] else text


def _per_logit(row, side):
    faulted = row.get("faulted_bytes", {}).get(side)
    return "—" if faulted is None else f"{faulted / row['logits']:.0f}"


def markdown(results):
    meta = results["meta"]
    devices = "; ".join(
        f"{r['backend']} ({MODE[r['backend']]}): {r['device']}, "
        + ", ".join(f"{k} {v}" for k, v in r["versions"].items())
        for r in results["backends"]
    )
    loads = ", ".join(
        f"{r['backend']} {r['load'][0]:.1f} to {r['load'][1]:.1f}"
        for r in results["backends"]
    )
    cpus = results["backends"][0]["cpus"] if results["backends"] else 0
    lines = [
        f"Run {meta['date']} with `{meta['command']}` (code "
        f"{meta.get('git') or 'unknown'}). Forward+backward (gradient with "
        f"respect to the logits), from logits. Devices: {devices}.",
        "",
        "Times: median ms over interleaved runs (3 to 20 by step time, after "
        "warm-up); ratio: median over runs of ours / reference. ns/logit: "
        "ours per logit (constant under linear growth). Growth: "
        "log(t2 / t1) / log(n2 / n1) from the previous size, n logits; bold "
        f"where above {SUPERLINEAR} at more than {NOISE_MS:g} ms (worse than "
        "linear). Peak: memory of one step, ours / reference "
        f"({'; '.join(sorted(set(meta['memory_methods'])))}). Faulted: bytes "
        "per logit of fresh pages one warm step touches (minor page faults), "
        "memory the allocator returned to the system and takes back, zeroed "
        "by the kernel, on every step.",
        "",
        f"Load average (1 min) at the start and end of each backend: {loads}"
        f" on {cpus} CPUs"
        + (
            ": other processes shared the CPUs, times are inflated (memory "
            "and page faults are not)."
            if any(
                max(r["load"]) > r["cpus"] * 0.75 for r in results["backends"]
            )
            else "."
        ),
        "",
    ]
    titles = {
        "classes": f"Classes: ({BATCH}, C) logits, C classes",
        "image": f"Image size: (1, H, H, {SEGMENTATION_CLASSES}) logits, "
        "H x H mask",
    }
    for sweep in SWEEPS:
        for loss in LOSSES:
            rows = [
                (r_["backend"], row)
                for r_ in results["backends"]
                for row in r_["rows"]
                if row["sweep"] == sweep and row["loss"] == loss
            ]
            if not rows:
                continue
            lines += [
                f"### {titles[sweep]}: {loss} vs {rows[0][1]['reference']}",
                "",
                "| backend | size | logits | ours ms | ref ms | ratio | "
                "ns/logit ours | peak MiB ours / ref | faulted B/logit ours "
                "/ ref | growth ours / ref |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
                "| ---: |",
            ]
            for backend, row in rows:
                size = row["size"]
                if sweep == "image":
                    size = f"{size}x{size}"
                ns = row["ns_per_logit_ours"]
                lines.append(
                    f"| {backend} | {size} | {row['logits']:,} | "
                    f"{_median(row['ours'])} | {_median(row['baseline'])} | "
                    + ("—" if row["ratio"] is None else f"{row['ratio']:.2f}")
                    + f" | {'—' if ns is None else f'{ns:.2f}'} | "
                    f"{_mib(row['peak_bytes']['ours'])} / "
                    f"{_mib(row['peak_bytes']['reference'])} | "
                    f"{_per_logit(row, 'ours')} / "
                    f"{_per_logit(row, 'reference')} | "
                    f"{_growth(row, 'ours')} / {_growth(row, 'baseline')} |"
                )
            lines.append("")
    return "\n".join(lines)


def plot(results, path):
    """Log-log time against classes and against pixels: one colour per
    backend, ours solid, the reference dashed, one marker per loss."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 6))
    colours = dict(zip(run.BACKENDS, ("C0", "C1", "C2"), strict=True))
    markers = dict(zip(LOSSES, ("o", "s"), strict=True))
    short = {LOSSES[0]: "sparse focal", LOSSES[1]: "sparse CE"}
    for ax, sweep in zip(axes, SWEEPS, strict=True):
        largest = []
        for r_ in results["backends"]:
            for loss in LOSSES:
                rows = [
                    row
                    for row in r_["rows"]
                    if row["sweep"] == sweep and row["loss"] == loss
                ]
                # The x axis: classes, or pixels of the mask.
                x = [
                    row["size"] ** (1 if sweep == "classes" else 2)
                    for row in rows
                ]
                for side, style in (("ours", "-"), ("baseline", "--")):
                    ms = [_ms(row[side]) for row in rows]
                    ax.plot(
                        x,
                        [np.nan if t is None else t for t in ms],
                        linestyle=style,
                        marker=markers[loss],
                        color=colours[r_["backend"]],
                        label=f"{r_['backend']} {short[loss]}"
                        + (" (ours)" if side == "ours" else " (reference)"),
                    )
                    largest += [(x[-1], t) for t in ms[-1:] if t is not None]
        if largest:  # slope 1 through the geometric mean at the largest x
            end = largest[0][0]
            top = math.exp(np.mean([math.log(t) for _, t in largest]))
            start = min(ax.get_lines()[0].get_xdata())
            ax.plot(
                [start, end],
                [top * start / end, top],
                ":",
                color="grey",
                label="linear growth",
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
        ax.set_ylabel("forward+backward, ms")
        ax.set_xlabel(
            f"classes C (batch {BATCH})"
            if sweep == "classes"
            else f"pixels H x H ({SEGMENTATION_CLASSES} classes)"
        )
    axes[0].set_title("Time vs number of classes")
    axes[1].set_title("Time vs segmentation mask size")
    fig.legend(
        *axes[0].get_legend_handles_labels(),
        loc="lower center",
        ncol=4,
        fontsize=8,
    )
    fig.tight_layout(rect=(0, 0.13, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scale",
        description="Time and peak memory of the sparse focal and sparse "
        "cross-entropy losses (and their references) as the number of "
        "classes and the segmentation mask grow.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="three small sizes per sweep, 5 repeats: checks the mode runs "
        "(the plot goes to the output folder, not docs/images)",
    )
    parser.add_argument(
        "--backends",
        nargs="+",
        choices=run.BACKENDS,
        default=[b for b in run.BACKENDS if importlib.util.find_spec(b)],
        help="backends to run (default: every installed one)",
    )
    parser.add_argument(
        "--output",
        default=str(run.HERE / "results"),
        help="folder for scale.json and scale.md (default %(default)s)",
    )
    parser.add_argument(
        "--plot",
        help=f"where the plot goes (default {PLOT.relative_to(run.HERE.parent)}"
        "; with --quick, scale.png in the output folder)",
    )
    parser.add_argument(
        "--render",
        metavar="SCALE_JSON",
        help="only rewrite the Markdown and plot of an earlier scale.json",
    )
    # Internal: the per-backend process.
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args)
        return
    output = pathlib.Path(args.output)
    if args.render:
        with open(args.render) as f:
            results = add_growth(json.load(f))
    else:
        results = _measure(args, argv)
    output.mkdir(parents=True, exist_ok=True)
    (output / "scale.json").write_text(json.dumps(results, indent=1))
    table = markdown(results)
    (output / "scale.md").write_text(table + "\n")
    image = pathlib.Path(
        args.plot
        or (output / "scale.png" if results["meta"]["quick"] else PLOT)
    )
    plot(results, image)
    print(table)
    print(f"wrote {output / 'scale.md'}, {output / 'scale.json'} and {image}")


def _git():
    """The commit measured, `-dirty` with uncommitted edits; None without
    git."""
    try:
        return subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=run.HERE.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _measure(args, argv):
    start = time.perf_counter()
    limit = run._default_memory_limit()
    results = {
        "meta": {
            **run.stamp("benchmarks.scale", argv),
            "quick": args.quick,
            "sweeps": {
                sweep: [
                    shape(sweep, size)
                    for size in spec["quick" if args.quick else "full"]
                ]
                for sweep, spec in SWEEPS.items()
            },
            "memory_limit_bytes": limit,
            "git": _git(),
        },
        "backends": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends:
            print(f"== {backend}", flush=True)
            out = pathlib.Path(tmp) / f"{backend}.json"
            stdout = run._python(
                "benchmarks.scale",
                backend,
                "--worker",
                "--json",
                str(out),
                *(["--quick"] if args.quick else []),
                memory_limit=limit,
            )
            print(stdout, end="", flush=True)
            results["backends"].append(json.loads(out.read_text()))
    results["meta"]["memory_methods"] = sorted(
        {
            f"{r_['backend']}: {row['memory_method']}"
            for r_ in results["backends"]
            for row in r_["rows"]
        }
    )
    results["meta"]["seconds"] = round(time.perf_counter() - start, 1)
    differ = [
        f"{r_['backend']} {row['loss']} {row['size']}: {row['values']}"
        for r_ in results["backends"]
        for row in r_["rows"]
        if row["same_value"] is False
    ]
    if differ:  # reported, not fatal: the times still stand
        print("Ours and the reference differ (rtol 1e-4):", *differ, sep="\n")
    return add_growth(results)


if __name__ == "__main__":
    main()
