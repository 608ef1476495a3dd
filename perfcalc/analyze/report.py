"""The summary as text for a terminal or a CI log: what ``perfcalc analyze FILE`` prints.

It prints :func:`~.present.present`'s presentation, the same one the page
shows, laid out for a fixed-width font.
"""

from __future__ import annotations

import shlex

from .present import Presentation, Table, present
from .summary import Summary

__all__ = ["summary_table", "render_text"]


def _table(t: Table) -> list[str]:
    widths = [max(len(str(r[i])) for r in [t.head, *t.rows]) for i in range(len(t.head))]
    out = ["", t.title]
    for r in [t.head, *t.rows]:
        cells = [f"{str(c):<{w}}" if i == 0 else f"{str(c):>{w}}" for i, (c, w) in enumerate(zip(r, widths))]
        out.append("  " + "  ".join(cells).rstrip())
    return out


def render_text(p: Presentation) -> str:
    """A presentation as lines of text."""
    lines = [p.heading, f"Lines: {p.lines}"] + [f"  {r}" for r in p.rejected]
    lines += [f"{label}: {value}" for label, value in p.context]
    for block in p.blocks:
        lines += ["", f"{block.title} ({block.basis})" if block.basis else block.title]
        if block.style == "latency":
            lines += [f"  {k:<8}{v:>14}" for k, v in block.rows]
        else:
            lines += [f"  {k:<20}{v}" for k, v in block.rows]
    for table in (p.endpoints, p.steps):
        if table is not None:
            lines += _table(table)
    if p.usl:
        lines += ["", f"For usl-fit: {p.usl}"]
    if p.statuses:
        lines += ["", p.statuses]
    if p.warnings:
        lines += ["", "Warnings"] + [f"  ! {w}" for w in p.warnings]
    if p.inputs:
        lines += ["", "Calculator inputs"]
        for cid, values in p.inputs:
            lines.append(f"  {cid}: " + " ".join(f"--{k.replace('_', '-')} {shlex.quote(v)}" for k, v in values))
    if p.notes:
        lines += ["", "Notes"] + [f"  - {n}" for n in p.notes]
    return "\n".join(lines)


def summary_table(s: Summary) -> str:
    """The summary as text: the same presentation as the page, for a terminal or a CI log."""
    return render_text(present(s))
