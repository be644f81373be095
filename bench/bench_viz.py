"""Graph pictures within budget: every case drawn + rendered in under 2 s (issue 17).

For each case, the median of several runs of:

* ``draw``: ``draw_graph`` (walk, simplify, write DOT text: pure Python);
* ``render``: DOT text to SVG with graphviz's ``dot`` (what a notebook cell does), through
  ``viz.render.run_dot``, the time-limited subprocess the notebook uses.

and the node counts: boxes walked, boxes drawn after simplification. Cases:

* ``chain``: 1,000 tanh in a row (2,001 boxes; nothing to fold but the loop itself);
* ``fan_in``: one leaf read by 300 operations (``sum of x * i``);
* ``loop``: chapter 06's ``y = x; for i in range(333): y = (y * 1.001).tanh() if i % 2
  else y + x`` (1,000 boxes, a leaf used 167 times: took minutes before issue 17);
* ``mlp``: chapter 08's model (2-16-16-2, cross-entropy), modules collapsed;
* ``random5k``: 5,000 boxes of random steps, nothing repeats: the cap does the work;
* ``mlp10k``: a micrograd-style scalar MLP of about 10,000 boxes.

Run: ``.venv/bin/python bench/bench_viz.py``   (``--runs N``, default 3)
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import time
from collections.abc import Callable
from typing import Any

import tinygrad_edu as tg
from tinygrad_edu.scalar import Value
from tinygrad_edu.viz import draw_graph
from tinygrad_edu.viz.draw import build_graph
from tinygrad_edu.viz.render import run_dot

BUDGET_S = 2.0


def chain() -> Any:
    y = tg.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(1000):
        y = y.tanh()
    return y


def fan_in() -> Any:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    x.name = "x"
    total = x * 0.0
    for i in range(1, 300):
        total = total + x * float(i)
    return total.sum()


def loop() -> Any:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    x.name = "x"
    y = x
    for i in range(333):
        y = (y * 1.001).tanh() if i % 2 else y + x
    return y


def mlp() -> Any:
    from tinygrad_edu import nn

    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                          nn.Linear(16, 2))
    x, target = tg.randn(300, 2), tg.tensor([i % 2 for i in range(300)])
    return nn.CrossEntropyLoss()(model(x), target)


def random5k() -> Any:
    rng = random.Random(0)
    steps = [lambda v: (v * 1.0001).tanh(), lambda v: (v + 0.01).relu() + v * 0.5,
             lambda v: v.exp() * 0.1, lambda v: v - 0.2]
    y = Value(0.5, label="x")
    for _ in range(900):
        y = rng.choice(steps)(y)
    return y


def scalar_mlp(sizes: list[int] = (16, 40, 32, 1), seed: int = 0) -> Value:  # type: ignore[assignment]
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


CASES: dict[str, tuple[Callable[[], Any], dict[str, Any]]] = {
    "chain": (chain, {}),
    "fan_in": (fan_in, {}),
    "loop": (loop, {}),
    "mlp": (mlp, {"collapse": "module"}),
    "random5k": (random5k, {}),
    "mlp10k": (scalar_mlp, {}),
}


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def boxes(dot_source: str) -> int:
    """Boxes drawn: node statements, minus the legend and the note."""
    return sum(1 for line in dot_source.splitlines()
               if re.match(r"\s+\w+ \[label=", line) and not re.match(r"\s+(legend|notes) ", line))


def measure(name: str, runs: int) -> dict[str, Any]:
    make, options = CASES[name]
    root = make()
    walked = len(build_graph([root], simplify_big=False, **options).nodes)
    drawing = draw_graph(root, **options)
    draw = median_seconds(lambda: draw_graph(root, **options), runs)
    render = None
    if shutil.which("dot"):
        render = median_seconds(lambda: run_dot(drawing.source, timeout=60), runs)
    return {"case": name, "walked": walked, "drawn": boxes(drawing.source), "draw": draw,
            "render": render}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("cases", nargs="*", default=list(CASES))
    args = parser.parse_args()
    print(f"{'case':10s} {'boxes':>7s} {'drawn':>6s} {'draw ms':>8s} {'render ms':>10s} "
          f"{'total ms':>9s}  budget {BUDGET_S:g} s   (median of {args.runs})")
    for name in args.cases:
        r = measure(name, args.runs)
        if r["render"] is None:
            print(f"{name:10s} {r['walked']:7,d} {r['drawn']:6,d} {r['draw'] * 1e3:8.1f} "
                  "   skipped: graphviz's dot is not installed")
            continue
        total = r["draw"] + r["render"]
        print(f"{name:10s} {r['walked']:7,d} {r['drawn']:6,d} {r['draw'] * 1e3:8.1f} "
              f"{r['render'] * 1e3:10.1f} {total * 1e3:9.1f}  "
              f"{'ok' if total < BUDGET_S else 'OVER'}")


if __name__ == "__main__":
    main()
