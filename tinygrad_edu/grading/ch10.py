"""Chapter 10, convolutions (solutions/10_convolutions.ipynb): the output size, reading a graph.

The chapter's other tasks are parts of the package (``tinygrad_edu/parts/ch10.py``): im2col,
the convolution's forward as one matrix product, and max pooling's backward. Their cases are
the parts' own tests, registered with the chapter's tasks on first use.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.grading.tasks import Case, task

LIMIT = 3.0  # seconds per check


def _arrays(seed: int, *shapes: tuple) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


# ------------------------------------------------------------------ ch10.conv_output_size
def _conv_output_size(n: int, k: int, stride: int = 1, padding: int = 0,
                      dilation: int = 1) -> int:
    return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1


@task(
    "ch10.conv_output_size",
    points=1,
    reference=_conv_output_size,
    time_limit=LIMIT,
    hint="Pad first (n + 2p), a dilated kernel covers d*(k-1)+1 pixels, and the window "
    "starts at 0, s, 2s, ...: floor((n + 2p - d*(k-1) - 1) / s) + 1. Use // for the floor.",
)
def conv_output_size():
    fits = "How many positions a k-wide window takes in n pixels, sliding one at a time."
    strided = ("Stride s: windows start at 0, s, 2s, ... and only whole windows count; "
               "padding p adds p pixels on each side.")
    dilated = "Dilation d spreads the kernel's taps d pixels apart: the window gets wider."
    yield Case(args=(8, 3), nudge=fits)
    yield Case(args=(28, 5), nudge=fits)
    yield Case(args=(28, 3), kwargs=dict(stride=2, padding=1), nudge=strided)
    yield Case(args=(10, 3), kwargs=dict(dilation=2), nudge=dilated)
    yield Case(args=(7, 2), kwargs=dict(stride=2), hidden=True, nudge=strided)
    yield Case(args=(32, 5), kwargs=dict(stride=3, padding=2, dilation=2), hidden=True,
               nudge=strided + " " + dilated)
    yield Case(args=(3, 3), hidden=True, nudge="A kernel as large as the image fits once.")
    yield Case(args=(1, 1), kwargs=dict(padding=4, stride=4), hidden=True, nudge=strided)


# -------------------------------------------------------------------------- ch10.read_graph
def _graph_answers() -> dict:
    import tinygrad_edu
    import tinygrad_edu.nn.functional as F
    from tinygrad_edu.autograd.engine import topological_order

    tinygrad_edu.manual_seed(0)
    x = tinygrad_edu.arange(16.0).reshape(1, 1, 4, 4)
    conv = tinygrad_edu.nn.Conv2d(1, 2, 2)
    loss = F.max_pool2d(F.relu(conv(x)), 2).sum()
    names = [node.name() for node in topological_order([loss])]
    return {
        "operations": sorted(n for n in names if n != "AccumulateGrad"),
        "accumulate_grad_nodes": names.count("AccumulateGrad"),
    }


@task(
    "ch10.read_graph",
    points=1,
    reference=_graph_answers,
    time_limit=LIMIT,
    hint="Read the boxes' names off the drawing; an AccumulateGrad box sits above each leaf "
    "that requires grad (the conv's weight and bias; the image x does not require grad).",
)
def read_graph():
    from tinygrad_edu.grading.graph_reading import ALL_ASKED, answer, answered_keys, question

    yield Case(
        run=answer("operations"),
        nudge=(
            "Each forward operation leaves one backward node, named after it as PyTorch names "
            "them (ending in Backward0); read them off the grey boxes from the output down."
        ),
        description=question(
            "operations", "the names of the backward nodes other than AccumulateGrad (a list)"
        ),
    )
    yield Case(
        run=answer("accumulate_grad_nodes"),
        nudge=(
            "One AccumulateGrad per leaf that requires grad: count the parameters, not the "
            "input image."
        ),
        description=question("accumulate_grad_nodes", "how many AccumulateGrad nodes"),
    )
    yield Case(run=answered_keys, hidden=True, description=ALL_ASKED)
