"""What a step costs, counted rather than timed: passes and a bytes floor.

`passes(step, elements)` is the memory traffic of one step (a callable of
`backends.steps`) in passes over y_pred (`elements` elements): each
operation that moves data adds the elements of the largest tensor it reads
or writes, over `elements`. An elementwise op on y_pred or a reduction of
it adds 1, one on a box loss's x1 column (a quarter of y_pred) 0.25, one on
a metric loss's B x B x B tensor B^3 / elements; scalar bookkeeping adds
next to nothing. What an operation is depends on how the step runs:

- TensorFlow eager and tf.function: the ops of the traced graph
  (`get_concrete_function`, before Grappler's rewrites) that its outputs
  depend on, through nested functions (a custom gradient's; one compiled
  with jit_compile counts as XLA's kernels of it, as below), less
  placeholders, constants, identities, reshapes and shape queries. Eager
  runs the same ops one by one, so its count is the graph's (a lower
  bound: eager cannot prune what a nested function computes for nothing).
- TensorFlow jit_compile and JAX: the kernels of XLA's optimized entry
  computation (a fusion is one), less parameters, constants, tuples and
  bitcasts.
- PyTorch eager: the aten operators dispatched during one call (forward
  and autograd's backward), less views and empty allocations.

A loop's body counts once, whatever its trip count, and a conditional's
branches both.

`bandwidth()` measures the memory bandwidth of the CPU with a NumPy copy:
the floor of a step is its bytes (one read of the inputs, one write of the
gradient) at that rate.
"""

import re
import time

import numpy as np

# TensorFlow ops that move no data (or only shapes).
_TF_FREE = {
    "Placeholder",
    "Const",
    "Identity",
    "IdentityN",
    "NoOp",
    "Reshape",
    "ExpandDims",
    "Squeeze",
    "StopGradient",
    "PreventGradient",
    "Shape",
    "ShapeN",
    "Size",
    "Rank",
    "BroadcastGradientArgs",
    "ReadVariableOp",
}
# XLA instructions that launch no kernel.
_HLO_FREE = {
    "parameter",
    "constant",
    "tuple",
    "get-tuple-element",
    "bitcast",
    "after-all",
    "opt-barrier",
}


def passes(step, elements):
    """Passes of `step` over `elements` elements (see above), or None.

    `step.program` (set by
    `backends.steps`), when there is one, returns the step's traced graph
    or its XLA HLO text; a step without one (PyTorch) is run once under a
    dispatch mode that sees each operator. None where the count cannot be
    taken (e.g. the step runs out of memory): a count is a reader's aid,
    never a reason to fail a run.
    """
    try:
        program = getattr(step, "program", None)
        if program is None:
            return _torch_passes(step) / elements
        traced = program()
        if isinstance(traced, str):
            return _hlo_passes(traced) / elements
        return _graph_passes(traced, traced.outputs, elements) / elements
    except Exception:  # noqa: BLE001 - see the docstring
        return None


def _graph_passes(graph, outputs, unknown):
    """Elements the ops of `graph` that `outputs` depend on touch.

    Only those run: TensorFlow prunes the rest (e.g. a gradient nobody
    asked for). A nested function (a custom gradient's) is counted through
    for the outputs of it that are used; a loop's body once.
    """

    def size(tensor):
        n = tensor.shape.num_elements()
        return unknown if n is None else n  # unknown: assume y_pred's

    wanted = {id(t) for t in outputs}  # Tensor's == is elementwise
    live, stack = set(), [t.op for t in outputs]
    while stack:
        op = stack.pop()
        if op not in live:
            live.add(op)
            stack += [t.op for t in op.inputs] + list(op.control_inputs)
    total = 0
    for op in live:
        called = [v.func.name for v in op.node_def.attr.values() if v.func.name]
        used = [
            i
            for i, t in enumerate(op.outputs)
            if id(t) in wanted or any(c in live for c in t.consumers())
        ]
        for name in called:
            function = graph._get_function(name)
            if _xla_compiled(function):  # runs as one XLA program
                total += _xla_function_passes(name, op.inputs)
                continue
            body = function.graph
            outs = body.outputs  # a loop's condition: all of it
            if len(outs) == len(op.outputs):  # a call's, a branch's, a body's
                outs = [outs[i] for i in used]
            total += _graph_passes(body, outs, unknown)
        if not called and op.type not in _TF_FREE:
            total += max(map(size, [*op.inputs, *op.outputs]), default=0)
    return total


def _xla_compiled(function):
    attrs = function.definition.attr
    return "_XlaMustCompile" in attrs and attrs["_XlaMustCompile"].b


_XLA_PASSES = {}  # (function name, input shapes) -> elements


def _xla_function_passes(name, inputs):
    """Elements the kernels of a nested jit_compile function touch, from
    XLA's optimized HLO of it at the shapes of `inputs` (with every output,
    as XLA computes them all). TensorFlow's private API, as
    `experimental_get_compiler_ir` calls it: the nested function has no
    public handle."""
    key = (name, tuple((tuple(t.shape), t.dtype.name) for t in inputs))
    if key not in _XLA_PASSES:
        import tensorflow as tf
        from tensorflow.python.eager import context
        from tensorflow.python.eager.polymorphic_function import compiler_ir

        hlo = context.context().get_compiler_ir(
            device_name=compiler_ir.maybe_get_device_name(None),
            platform_name=None,
            function_name=name,
            flat_args=[tf.zeros(t.shape, t.dtype) for t in inputs],
            captured_inputs=[],
            stage="optimized_hlo",
        )
        _XLA_PASSES[key] = _hlo_passes(hlo.decode())
    return _XLA_PASSES[key]


_SHAPE = re.compile(r"\b[a-z]+\d*\[([\d,]*)\]")
_INSTRUCTION = re.compile(
    r"^(?:ROOT )?%?(\S+) = (\(.*?\)|\S+) ([\w-]+)\((.*?)\)(?:,|$)"
)


def _elements(shapes):
    """The largest element count of the shapes in `shapes` (HLO text)."""
    return max(
        (
            int(np.prod([int(d) for d in dims.split(",") if d]))
            for dims in _SHAPE.findall(shapes)
        ),
        default=0,
    )


def _hlo_passes(text):
    """Elements the kernels of the entry computation touch (a fusion is
    one kernel, a loop counted once)."""
    entry = text[text.index("\nENTRY") :].splitlines()[1:]
    sizes, total = {}, 0  # instruction name -> its output's elements
    for line in entry:
        # "name = <shape> <opcode>(<operands>), <attributes>"
        match = _INSTRUCTION.match(line.strip())
        if not match:
            continue  # the closing brace
        name, shape, opcode, operands = match.groups()
        sizes[name] = _elements(shape)
        if opcode in _HLO_FREE:
            continue
        read = [sizes.get(n, 0) for n in re.findall(r"%([\w.-]+)", operands)]
        # Some printers write operand shapes inline, others only names.
        total += max([sizes[name], _elements(operands), *read])
    return total


def _torch_passes(step):
    """Elements the aten operators of one call of `step` touch."""
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_leaves

    class Count(TorchDispatchMode):
        total = 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            # Views and empty allocations move no data.
            if not func.is_view and not func.__name__.startswith("empty"):
                Count.total += max(
                    (
                        t.numel()
                        for t in tree_leaves((args, kwargs, out))
                        if isinstance(t, torch.Tensor)
                    ),
                    default=0,
                )
            return out

    with Count():  # autograd's backward runs under it as well
        step()
    return Count.total


def bandwidth(nbytes=256 * 2**20, repeats=10):
    """Bytes per second the CPU moves: one read and one write per byte of a
    NumPy copy of `nbytes` (far larger than any cache), best of `repeats`.

    One thread, as NumPy copies; the backends' kernels may use more and so
    beat it a little, but the floor is an order of magnitude, not a bound
    to the percent.
    """
    src = np.ones(nbytes // 4, dtype=np.float32)
    dst = np.empty_like(src)
    np.copyto(dst, src)  # the first write maps dst's pages: not timed
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - start)
    return 2 * nbytes / best
