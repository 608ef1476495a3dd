"""```perfcalc-lab: the guide's table of ``perfcalc lab`` results, rendered from the committed data file.

The fence names the file (``data: lab-results.json``, relative to
``docs/``); ``make lab`` regenerates it. The page shows whatever the file
says: where and how it was measured, one row per run (the cells come from
:mod:`perfcalc.lab.report`, the same as the terminal's table), a summary of
which runs held, and each run's notes. A missing or malformed file fails
the build, naming what is wrong.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from perfcalc import PerfcalcError
from perfcalc.lab import report

from .render import FenceError

__all__ = ["DOCS", "lab_fence", "summary_sentences", "scheduling_words"]

DOCS = Path(__file__).resolve().parents[2] / "docs"
NBSP = "\u00a0"


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _read(src: str) -> tuple[str, dict]:
    options = {}
    for line in src.splitlines():
        if line.strip():
            key, sep, value = line.partition(":")
            if not sep or key.strip() != "data":
                raise FenceError(f"perfcalc-lab takes only 'data: FILE' (a file under docs/), got {line.strip()!r}")
            options["data"] = value.strip()
    if "data" not in options:
        raise FenceError("perfcalc-lab needs 'data: FILE' (the results file make lab writes, under docs/)")
    path = (DOCS / options["data"]).resolve()
    if DOCS.resolve() not in path.parents:
        raise FenceError(f"perfcalc-lab: {options['data']} is not under docs/")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return options["data"], report.check_document(doc)
    except FileNotFoundError:
        raise FenceError(f"perfcalc-lab: {options['data']} does not exist under docs/ (make lab writes it)") from None
    except json.JSONDecodeError as exc:
        raise FenceError(f"perfcalc-lab: {options['data']} is not JSON: {exc}") from None
    except PerfcalcError as exc:
        raise FenceError(f"perfcalc-lab: {options['data']}: {exc}") from None


def scheduling_words(scheduling: str) -> str:
    """How the lab was scheduled, for a reader: a real-time policy means "as on an idle machine".

    >>> scheduling_words("SCHED_FIFO, priority 10")
    'under the real-time policy SCHED_FIFO, priority 10 (chrt -f 10): the lab and Gunicorn ran the instant they woke, as on an idle machine, while other jobs shared it'
    >>> scheduling_words("SCHED_OTHER, nice 0")
    'at normal priority (SCHED_OTHER, nice 0)'
    """
    if scheduling.startswith(("SCHED_FIFO", "SCHED_RR")):
        flag = "-f" if scheduling.startswith("SCHED_FIFO") else "-r"
        priority = scheduling.rsplit(" ", 1)[-1]
        return (f"under the real-time policy {scheduling} (chrt {flag} {priority}): the lab and Gunicorn ran the "
                "instant they woke, as on an idle machine, while other jobs shared it")
    return f"at normal priority ({scheduling or 'the default policy'})"


def summary_sentences(doc: dict) -> list[str]:
    """What the table says, in words: which runs held, which did not and why, which do not count."""
    runs = doc["runs"]
    held = [r["name"] for r in runs if r["holds"] and r["counts"]]
    missed = [f"{r['name']} ({report.verdict(r)[4:]})" for r in runs if not r["holds"] and r["counts"]]
    busy = [r["name"] for r in runs if not r["counts"]]
    out = [f"{len(held)} of {len(runs)} runs held: measured p50, p95 and p99 all inside the ranges that 90 % of "
           "a correct model's runs of the same length fall in" + (f" ({', '.join(held)})." if 0 < len(held) <= 3 else ".")]
    if missed:
        out.append("Did not hold: " + "; ".join(missed) + ".")
    gaps = [abs(r["replay"][k] / r["measured"][k] - 1.0) for r in runs for k in ("p50_ms", "p95_ms", "p99_ms")
            if r["replay"].get(k) and r["measured"].get(k)]
    if gaps:
        out.append(f"The replay (each run's own send times and %(D)s through ideal FCFS servers) came within "
                   f"{100 * max(gaps):.1f} % of every measured percentile.")
    if busy:
        out.append("The generator fell more than a few milliseconds behind its schedule in "
                   + ", ".join(busy) + ": the machine was too busy for those runs to count either way.")
    return out


def lab_fence(src: str, to_root: str = "") -> str:
    """The HTML of a ```perfcalc-lab fence; ``to_root`` leads from the page to the site's root (for the file's link)."""
    name, doc = _read(src)
    m = doc["machine"]
    load = m.get("load_average")
    load_text = f"; load average {load[0]:g} at the start" if load else ""
    where = (f"Measured {_e(m['date'])} on {_e(m['cpu'])} ({_e(m['cores'])} cores), Python {_e(m['python'])}, "
             f"Gunicorn {_e(m['gunicorn'])}, Flask {_e(m['flask'])}, "
             + (f"platform <code>{_e(m['platform'])}</code>" if m.get("platform") else "platform not recorded")
             + f"{_e(load_text)}, "
             f"{_e(scheduling_words(m.get('scheduling', '')))}, with "
             f"<code>{_e(doc['command'])}</code>"
             + (f" ({_e(round(doc['elapsed_s'] / 60))} minutes)." if doc.get("elapsed_s") else ".")
             + f' The data: <a href="{_e(to_root + name)}"><code>{_e(name)}</code></a>.')
    head = "".join(f"<th>{_e(h)}</th>" for h in report.HEADERS)
    body = []
    for run, cells in zip(doc["runs"], report.rows(doc)):
        state = "holds" if run["holds"] else "misses"
        state += "" if run["counts"] else " busy"
        # A number and its unit stay together when a cell wraps (85 %, 2.0 ms).
        tds = "".join(f"<td>{_e(c).replace(' %', NBSP + '%').replace(' ms', NBSP + 'ms')}</td>" for c in cells)
        body.append(f'<tr data-run="{_e(run["name"])}" class="perfcalc-lab__{state.split()[0]}">{tds}</tr>')
    notes = []
    for run in doc["runs"]:
        items = [*run["warnings"]]
        route = run.get("routing")
        if route and len(route.get("shares", [])) > 1:
            items.append("connections per process, in boot order: "
                         + " / ".join(f"{100 * s:.0f} %" for s in route["shares"]))
        items += [n for n in (report.split_note(run), report.stack_note(run), report.busy_note(run)) if n]
        notes.append(f"<li><code>{_e(run['name'])}</code>: " + "; ".join(_e(i) for i in items) + "</li>")
    summary = "".join(f"<p>{_e(s)}</p>" for s in summary_sentences(doc))
    return (f'<div class="perfcalc-lab"><p class="perfcalc-lab__where">{where}</p>'
            f'<div class="perfcalc-lab__scroll" tabindex="0" role="region" aria-label="Lab results">'
            f'<table class="perfcalc-lab__table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>"
            f'{summary}<details class="note"><summary>Each run\'s notes</summary><ul>{"".join(notes)}</ul>'
            "</details></div>")
