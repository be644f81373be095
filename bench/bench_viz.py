"""How long does drawing a 1,000-node graph take? Target: under 1 s, build + render.

Builds a scalar MLP (``tinygrad_edu.scalar.Value``) whose picture has about 1,000 boxes,
then times, as the median of several runs:

* ``draw_graph``: walking the graph and writing the ``graphviz.Digraph`` (pure Python);
* rendering that DOT text to SVG with graphviz's ``dot`` program (what a notebook does).

Run: ``.venv/bin/python bench/bench_viz.py``
"""

from __future__ import annotations

import random
import shutil
import statistics
import time
import warnings

from tinygrad_edu.scalar import Value
from tinygrad_edu.viz import draw_graph

RUNS = 5


def scalar_mlp(sizes: list[int], seed: int = 0) -> Value:
    """A micrograd-style MLP on one input; returns the squared-error loss."""
    rng = random.Random(seed)
    xs = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(sizes[0])]
    for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:], strict=False)):
        outs = []
        for j in range(n_out):
            act = Value(0.0, label=f"l{layer}.b{j}")
            for i in range(n_in):
                act = act + Value(rng.uniform(-1, 1), label=f"l{layer}.w{j}_{i}") * xs[i]
            outs.append(act.tanh() if layer < len(sizes) - 2 else act)
        xs = outs
    return sum(((x - 1.0) ** 2 for x in xs), Value(0.0))


def median_seconds(fn: object, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    loss = scalar_mlp([4, 12, 12, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the size warning is the point of this graph
        dot = draw_graph(loss)
        n_nodes = sum(1 for line in dot.body if " [label=" in line) - 1  # minus the legend
        build = median_seconds(lambda: draw_graph(loss))
    print(f"graph: {n_nodes} nodes, {len(dot.source):,} bytes of DOT")
    print(f"build Digraph (walk + DOT text): {build * 1000:8.1f} ms  (median of {RUNS})")
    if shutil.which("dot") is None:
        print("render to SVG: skipped, graphviz's `dot` is not installed")
        return
    render = median_seconds(lambda: dot.pipe(format="svg"))
    total = build + render
    print(f"render to SVG with dot:          {render * 1000:8.1f} ms  (median of {RUNS})")
    print(f"total:                           {total * 1000:8.1f} ms  "
          f"({'under' if total < 1 else 'OVER'} the 1 s target)")


if __name__ == "__main__":
    main()
