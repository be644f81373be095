"""``parts.status()``: a table of every part, whose code runs, and whether its check passed."""

from __future__ import annotations

import html
from dataclasses import dataclass

from . import registry


@dataclass
class StatusTable:
    """Rows of (part, chapter, task, "yours"/"reference", passing). Prints as a text table and
    shows as an HTML table in a notebook."""

    rows: list[tuple[str, int, str, str, str]]

    HEADER = ("part", "chapter", "check", "running", "passing")

    def __repr__(self) -> str:
        cells = [self.HEADER] + [(r[0], f"{r[1]:02d}", *r[2:]) for r in self.rows]
        widths = [max(len(str(c[i])) for c in cells) for i in range(len(self.HEADER))]
        lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
        yours = sum(r[3] == "yours" for r in self.rows)
        lines.append(f"{yours} of {len(self.rows)} parts are yours.")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in self.HEADER)
        rows = [(r[0], f"{r[1]:02d}", *r[2:]) for r in self.rows]
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
            for row in rows
        )
        return f"<table><tr>{head}</tr>{body}</table>"

    @property
    def yours(self) -> list[str]:
        return [r[0] for r in self.rows if r[3] == "yours"]


def status() -> StatusTable:
    """Every part: its chapter, the check that tests it, whose code runs, and its last check."""
    from . import names

    rows = []
    for name in names():
        part = registry.PARTS[name]
        running = "yours" if name in registry.INSTALLED else "reference"
        passing = {True: "yes", False: "no"}.get(registry.PASSING.get(name), "not checked")
        rows.append((name, part.chapter, part.task, running, passing))
    return StatusTable(rows)
