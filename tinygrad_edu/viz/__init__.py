"""Pictures of computation graphs: the forward graph, and the backward pass step by step.

>>> from tinygrad_edu.scalar import Value
>>> from tinygrad_edu.viz import draw_graph
>>> x = Value(2.0, label="x")
>>> dot = draw_graph(x * x + 1)      # in a notebook, the cell shows the picture
>>> "MulBackward0" in dot.source
True

* ``draw_graph(*roots, ...)``: one graph (``graph.py`` walks it, ``dot.py`` styles it).
* ``draw_backward_steps(*roots)``: the backward pass frame by frame (``frames.py``), as a
  slider or a static page (``stepper.py``).
* ``draw_side_by_side(graphs, titles)``: graphs next to each other (``side_by_side.py``).
* Big models: ``collapse="module"`` (``modules.py``) or ``max_depth=N``. Big graphs
  simplify themselves (``simplify.py``): a repeated loop body is drawn once ("× N"), a box
  used by many operations as small copies, and past ``max_nodes`` only the part nearest
  the output; a note in the picture says so.
* Values: small tensors (up to 8 elements) show data and, after ``backward()``, grad;
  ``show_saved=True`` names saved tensors like PyTorch (``saved.py``).
* Fit the page: left to right when it fits a notebook cell, else top to bottom
  (``layout.py``); a wider picture is shrunk to the cell (labels stay >= 10 px).
* Rendering (``render.py``) never hangs: ``dot`` runs with a time limit in its own process
  group and is killed on timeout or interrupt; without ``dot`` the cell says how to
  install it.
"""

from tinygrad_edu.viz.draw import MAX_OPS, draw_graph
from tinygrad_edu.viz.frames import Frame, backward_frames
from tinygrad_edu.viz.render import Drawing
from tinygrad_edu.viz.side_by_side import draw_side_by_side
from tinygrad_edu.viz.stepper import BackwardStepper, draw_backward_steps

__all__ = [
    "MAX_OPS",
    "BackwardStepper",
    "Drawing",
    "Frame",
    "backward_frames",
    "draw_backward_steps",
    "draw_graph",
    "draw_side_by_side",
]
