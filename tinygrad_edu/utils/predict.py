"""Lesson helper for "predict, then run" cells: compare the learner's guess with the answer.

A lesson asks a question, the learner writes a guess into a variable, and the next cell
calls ``reveal(guess, answer)``. It prints both and whether they agree; it never raises, so
a wrong guess (or none) does not stop the notebook. tinygrad_edu only: PyTorch has no such
helper, it is a teaching device.

>>> reveal("float32", "float32")
your guess: 'float32'   answer: 'float32'   right!
True
>>> reveal(None, (3, 1))
your guess: (none written)   answer: (3, 1)
False
"""

from __future__ import annotations

import math
from typing import Any


def _same(guess: Any, answer: Any) -> bool:
    if isinstance(guess, str) and not isinstance(answer, str):
        answer = str(answer)
    if isinstance(guess, str):
        return guess.strip().removeprefix("torch.") == str(answer).removeprefix("torch.")
    if isinstance(guess, (int, float)) and isinstance(answer, (int, float)):
        return math.isclose(guess, answer, rel_tol=1e-3, abs_tol=1e-6)
    if isinstance(guess, (list, tuple)) and isinstance(answer, (list, tuple)):
        return len(guess) == len(answer) and all(_same(g, a) for g, a in zip(guess, answer))
    return guess == answer


def reveal(guess: Any, answer: Any, why: str = "") -> bool:
    """Print the guess next to the answer (and ``why`` when the guess is wrong); True if equal."""
    if guess is None:
        print(f"your guess: (none written)   answer: {answer!r}")
        if why:
            print(why)
        return False
    right = _same(guess, answer)
    print(f"your guess: {guess!r}   answer: {answer!r}   {'right!' if right else 'not quite.'}")
    if not right and why:
        print(why)
    return right
