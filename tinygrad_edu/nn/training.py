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

Drawing a matplotlib figure costs far more than a training step on small data, so the live
curve redraws at a bounded rate: at most every ``redraw_every`` seconds, and only while the time
spent drawing stays under ``draw_share`` (10%) of the time elapsed. A slow machine gets fewer
frames, never a slower training. ``fit`` is tinygrad_edu only: in PyTorch you write the loop.
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

    Live, the progress line is refreshed every ``redraw_every`` seconds (cheap: text). The loss
    figure is expensive (a matplotlib draw and a PNG, 0.1-1 s), so it is drawn only while the
    time spent drawing, plus the next draw's expected cost, stays within ``draw_share`` of the
    time elapsed. A short training shows only the line; a long one gets a curve that moves,
    and drawing never costs more than about ``2 * draw_share`` of the training.
    """

    # seconds: the expected cost of the first draw (it also imports and sets up matplotlib)
    FIRST_DRAW_GUESS = 1.0

    def __init__(self, epochs: int, steps_per_epoch: int, live: bool | None = None,
                 redraw_every: float = 0.5, draw_share: float = 0.08) -> None:
        self.epochs, self.steps_per_epoch = epochs, steps_per_epoch
        self.live = _can_show_live() if live is None else live
        self.redraw_every, self.draw_share = redraw_every, draw_share
        self.draw_seconds = 0.0  # time spent drawing the figure so far
        self.draw_cost = self.FIRST_DRAW_GUESS  # the last draw's duration
        self.draws = 0
        self.step_losses: list[float] = []
        self.epoch_losses: list[float] = []
        self.val: list[dict] = []
        self.epoch, self.step_in_epoch = 0, 0
        self.start = self.last_draw = self.last_text = time.perf_counter()
        self._text = self._plot = self._fig = None

    def update(self, loss: float) -> None:
        self.step_losses.append(float(loss))
        self.step_in_epoch += 1
        if self.live:
            self._refresh()

    def end_epoch(self, val: dict | None = None) -> None:
        n = self.step_in_epoch or 1
        self.epoch_losses.append(sum(self.step_losses[-n:]) / n)
        if val is not None:
            self.val.append(val)
        self.epoch += 1
        self.step_in_epoch = 0
        if self.live:
            self._refresh()

    def close(self) -> None:
        if not self.live:
            print(self.line())
            return
        self._show_text()
        if self._fig is not None:  # a curve is on screen: its last frame shows the end
            self._draw()

    def _refresh(self) -> None:
        now = time.perf_counter()
        if now - self.last_text >= self.redraw_every:
            self._show_text()
        if self._may_draw():
            self._draw()

    def _may_draw(self) -> bool:
        """Redraw the figure now? Not sooner than ``redraw_every``, and within the budget."""
        now = time.perf_counter()
        budget = self.draw_share * (now - self.start)
        return (now - self.last_draw >= self.redraw_every
                and self.draw_seconds + self.draw_cost <= budget)

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

    def _show_text(self) -> None:
        from IPython.display import display

        self.last_text = time.perf_counter()
        if self._text is None:
            self._text = display(_Text(self.line()), display_id=True)
        else:
            self._text.update(_Text(self.line()))

    def _draw(self) -> None:
        start = time.perf_counter()
        try:
            self._draw_now()
        finally:
            self.last_draw = time.perf_counter()
            self.draw_cost = self.last_draw - start
            self.draw_seconds += self.draw_cost
            self.draws += 1

    def _draw_now(self) -> None:
        from IPython.display import display

        if self._fig is None:
            import matplotlib.pyplot as plt

            if self._text is None:
                self._show_text()  # the line stays above the figure
            self._fig, self._ax = plt.subplots(figsize=(6, 3))
            plt.close(self._fig)  # we show it ourselves, once, and update that one output
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
        if self._plot is None:
            self._plot = display(self._fig, display_id=True)
        else:
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
