"""``make bench``: every benchmark, one after the other (a few minutes on 2 cores).

* bench_core.py: autograd overhead (200-op chain) and an MLP step written with plain functions;
* chain_floor.py: the same chain in PyTorch, tinygrad_edu, a featureless engine, and NumPy alone;
* bench_nn.py: the same MLP step through nn + optim, and one epoch over the digits;
* bench_conv.py: a LeNet training step on 28x28 images, and conv2d forward+backward per kernel size;
* bench_viz.py: drawing and rendering graphs of up to 10,000 nodes (budget: 2 s each);
* gpu_check.py: CuPy against PyTorch CUDA (prints "skipped" without a GPU);
* bench_grading.py: notebooks graded per minute, --jobs 1 and 2 (a 10-student class here;
  run it alone for the 50-student figures of the README).

Each comparison with PyTorch runs the two frameworks in separate processes, alternating.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    ["bench_core.py"],
    ["chain_floor.py"],
    ["bench_nn.py", "--rounds", "3"],
    ["bench_conv.py", "--rounds", "3"],
    ["bench_viz.py"],
    ["gpu_check.py", "--skip-tests"],
    ["bench_grading.py", "--students", "10"],
]


def main() -> int:
    failed = 0
    for script, *args in SCRIPTS:
        print(f"\n=== {script} {' '.join(args)}".rstrip(), flush=True)
        failed |= subprocess.run([sys.executable, str(HERE / script), *args]).returncode != 0
    return int(failed)


if __name__ == "__main__":
    sys.exit(main())
