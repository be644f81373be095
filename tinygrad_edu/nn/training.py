"""A small training recipe for notebooks: ``fit`` runs the loop, ``LiveLoss`` shows progress.

``fit`` is nothing more than the loop you would write yourself::

    for epoch in range(epochs):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()

plus bookkeeping: it records the losses, evaluates on ``val_loader`` after each epoch, and shows a
progress line and a live loss curve. In a Jupyter notebook the line and the figure are *updated
in place* (one output each, however long the training); elsewhere, or with ``MPLBACKEND=Agg``,
it prints a single summary line at the end.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from ..autograd.grad_mode import no_grad
from .module import Module


def accuracy(logits: Any, target: Any) -> float:
    """The fraction of rows whose largest score is at the true class."""
    return float((logits.argmax(1).array == target.array).mean())


def evaluate(model: Module, loader: Iterable, loss_fn: Callable | None = None) -> dict:
    """Mean loss (if ``loss_fn``) and accuracy over ``loader``, in eval mode without a graph."""
    was_training = model.training
    model.eval()
    total, correct, loss_sum = 0, 0.0, 0.0
    with no_grad():
        for xb, yb in loader:
            out = model(xb)
            n = len(yb)
            if loss_fn is not None:
                loss_sum += loss_fn(out, yb).item() * n
            if out.ndim == 2 and out.shape[1] > 1 and not yb.is_floating_point():
                correct += accuracy(out, yb) * n
            total += n
    model.train(was_training)
    result = {"accuracy": correct / max(total, 1)}
    if loss_fn is not None:
        result["loss"] = loss_sum / max(total, 1)
    return result


class LiveLoss:
    """Progress display: ``update(loss)`` after each step, ``end_epoch(...)`` after each epoch.

    ``live=None`` decides by itself: live (in-place updates) inside a Jupyter kernel whose
    matplotlib backend can show figures, else one printed line at ``close()``.
    """

    def __init__(self, epochs: int, steps_per_epoch: int, live: bool | None = None,
                 redraw_every: float = 0.5) -> None:
        self.epochs, self.steps_per_epoch = epochs, steps_per_epoch
        self.live = _can_show_live() if live is None else live
        self.redraw_every = redraw_every
        self.step_losses: list[float] = []
        self.epoch_losses: list[float] = []
        self.val: list[dict] = []
        self.epoch, self.step_in_epoch = 0, 0
        self.start = self.last_draw = time.perf_counter()
        self._text = self._plot = self._fig = None

    def update(self, loss: float) -> None:
        self.step_losses.append(float(loss))
        self.step_in_epoch += 1
        if self.live and time.perf_counter() - self.last_draw > self.redraw_every:
            self._draw()

    def end_epoch(self, val: dict | None = None) -> None:
        n = self.step_in_epoch or 1
        self.epoch_losses.append(sum(self.step_losses[-n:]) / n)
        if val is not None:
            self.val.append(val)
        self.epoch += 1
        self.step_in_epoch = 0
        if self.live:
            self._draw()

    def close(self) -> None:
        if self.live:
            self._draw()
        else:
            print(self.line())

    def line(self) -> str:
        """``epoch 3/5 [######----] 12/20  loss 0.3412  val_loss 0.29  val_acc 0.912  (2.1 s)``."""
        width = 20
        done = min(self.epoch + self.step_in_epoch / max(self.steps_per_epoch, 1), self.epochs)
        filled = int(width * done / max(self.epochs, 1))
        shown_epoch = min(self.epoch + 1, self.epochs) if self.step_in_epoch else self.epoch
        text = f"epoch {shown_epoch}/{self.epochs} [{'#' * filled}{'-' * (width - filled)}]"
        if self.step_in_epoch:
            text += f" {self.step_in_epoch}/{self.steps_per_epoch}"
        recent = self.step_losses[-max(self.step_in_epoch, 1):]
        loss = self.epoch_losses[-1] if not self.step_in_epoch and self.epoch_losses else (
            sum(recent) / len(recent) if recent else float("nan"))
        text += f"  loss {loss:.4f}"
        if self.val:
            text += "".join(f"  val_{k[:3] if k == 'accuracy' else k} {v:.4f}"
                            for k, v in self.val[-1].items())
        return text + f"  ({time.perf_counter() - self.start:.1f} s)"

    def _draw(self) -> None:
        from IPython.display import display

        self.last_draw = time.perf_counter()
        if self._text is None:
            import matplotlib.pyplot as plt

            self._fig, self._ax = plt.subplots(figsize=(6, 3))
            plt.close(self._fig)  # we show it ourselves, once, and update that one output
            self._text = display(_Text(self.line()), display_id=True)
            self._plot = display(self._fig, display_id=True)
        self._text.update(_Text(self.line()))
        ax = self._ax
        ax.clear()
        ax.plot(self.step_losses, lw=0.8, alpha=0.5, label="loss per step")
        if self.epoch_losses:
            xs = [(i + 1) * self.steps_per_epoch - 1 for i in range(len(self.epoch_losses))]
            ax.plot(xs, self.epoch_losses, "o-", label="mean per epoch")
            if self.val and "loss" in self.val[0]:
                ax.plot(xs[:len(self.val)], [v["loss"] for v in self.val], "s-", label="validation")
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.legend(loc="upper right", fontsize=8)
        self._fig.tight_layout()
        self._plot.update(self._fig)


class _Text:
    """Plain text for IPython's display (its repr is the text, with no quotes)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _can_show_live() -> bool:
    if os.environ.get("MPLBACKEND", "").lower() == "agg":
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def fit(model: Module, loader: Iterable, loss_fn: Callable, optimizer: Any, epochs: int = 1,
        val_loader: Iterable | None = None, live_plot: bool = True) -> dict:
    """Train ``model`` for ``epochs`` passes over ``loader``; returns the history.

    ``history["loss"]``: mean training loss per epoch; ``history["step_loss"]``: every step's
    loss; with ``val_loader``, ``history["val_loss"]`` and ``history["val_accuracy"]``.
    ``live_plot=True``: a live curve where it can be shown (Jupyter), else one summary line;
    ``live_plot=False``: always just the summary line.
    """
    steps = len(loader) if hasattr(loader, "__len__") else 0  # type: ignore[arg-type]
    progress = LiveLoss(epochs, steps, live=None if live_plot else False)
    history: dict[str, list] = {"loss": [], "step_loss": progress.step_losses}
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            progress.update(loss.item())
        val = evaluate(model, val_loader, loss_fn) if val_loader is not None else None
        progress.end_epoch(val)
        history["loss"].append(progress.epoch_losses[-1])
        if val is not None:
            history.setdefault("val_loss", []).append(val["loss"])
            history.setdefault("val_accuracy", []).append(val["accuracy"])
    progress.close()
    return history
