"""Chapter 11, your framework (solutions/11_your_framework.ipynb): the capstone.

The notebook trains the digits network on the learner's own parts (``parts.load_mine()``);
its one task is the measurement the capstone reports, test accuracy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tinygrad_edu as torch
from tinygrad_edu.grading.tasks import Case, task

LIMIT = 3.0


def _accuracy(model: Callable, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(x).argmax(dim=1) == y).float().mean())


MEASURE = (
    "Each row is one example; its prediction is the class with the highest score, and accuracy "
    "is the share of examples whose prediction is their label, as a Python float."
)


def _case(logits: list, labels: list, nudge: str, hidden: bool = False) -> Case:
    def run(accuracy: Callable) -> Any:
        scores = torch.tensor(logits, requires_grad=True)
        model = lambda x: x * scores  # noqa: E731  (a "model" whose output needs grad)
        result = accuracy(model, torch.ones(len(labels), len(logits[0])), torch.tensor(labels))
        return round(float(result), 6)

    return Case(run=run, hidden=hidden, description=f"logits {logits}, labels {labels}",
                nudge=f"{MEASURE} {nudge}")


@task(
    "ch11.accuracy",
    points=2,
    reference=_accuracy,
    time_limit=LIMIT,
    hint="Under torch.no_grad(): predictions = model(x).argmax(dim=1); compare with y, "
    "average the matches as floats, and return a Python float.",
)
def accuracy():
    yield _case([[2.0, 1.0], [0.0, 3.0]], [0, 1],
                "The scores come out of a graph (they require grad); a measurement needs none.")
    yield _case([[2.0, 1.0, 0.5], [0.0, 3.0, 9.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], [0, 1, 0, 2],
                "The classes are the columns, however many; a wrong row counts 0.")
    yield _case([[0.1, 0.2]], [0],
                "One example is right or wrong, however close its scores: 1.0 or 0.0.", hidden=True)
    yield _case([[5.0, 1.0], [1.0, 5.0], [5.0, 1.0]], [1, 0, 0],
                "A share, not a count: each of n examples is worth 1/n.", hidden=True)


# -------------------------------------------------------------------------- ch11.read_graph
def _graph_answers() -> dict:
    from tinygrad_edu.autograd.engine import topological_order

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    loss = torch.nn.functional.cross_entropy(model(torch.randn(5, 4)),
                                             torch.tensor([0, 1, 0, 1, 1]))
    names = [node.name() for node in topological_order([loss])]
    return {
        "loss_node": loss.grad_fn.name(),
        "linear_node": model[0](torch.randn(1, 4)).grad_fn.name(),
        "accumulate_grad_nodes": names.count("AccumulateGrad"),
    }


@task(
    "ch11.read_graph",
    points=1,
    reference=_graph_answers,
    time_limit=LIMIT,
    hint="The loss's own node is the top box; a Linear with a bias records one node that adds "
    "and multiplies at once; every weight and bias is a leaf with its own AccumulateGrad.",
)
def read_graph():
    from tinygrad_edu.grading.graph_reading import ALL_ASKED, answer, answered_keys, question

    yield Case(
        run=answer("loss_node"),
        nudge="The loss's node is the one its last operation recorded, the top box; "
        "cross_entropy is two steps, and that box is named after the second step.",
        description=question("loss_node", "the name of the loss's own node (the top box)"),
    )
    yield Case(
        run=answer("linear_node"),
        nudge="A Linear with a bias does its matrix product and its bias addition as one fused "
        "operation, so it records a single node, named after that operation.",
        description=question("linear_node", "the name of the node each Linear records"),
    )
    yield Case(
        run=answer("accumulate_grad_nodes"),
        nudge="One AccumulateGrad per leaf that requires grad: count the layers' weights and "
        "biases, not the input or the labels, which need no gradient.",
        description=question("accumulate_grad_nodes", "how many AccumulateGrad nodes"),
    )
    yield Case(run=answered_keys, hidden=True, description=ALL_ASKED,
               nudge="Answer each question under its own key, and only the questions asked.")
