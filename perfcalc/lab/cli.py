"""``perfcalc lab``: choose the scenarios, run them, print the table or the JSON.

Progress goes to stderr, the results to stdout (and to ``results.json`` in
the output folder, beside the raw files). Exit status: 0 when the runs
finished (whether or not the models held), 2 for bad arguments or a
missing requirement, 1 when a run could not be made (Gunicorn would not
start, …), 130 when interrupted. Ctrl-C, ``SIGTERM`` and ``SIGHUP`` stop
the server before the lab exits.
"""

from __future__ import annotations

import json
import shlex
import signal
import sys
from datetime import datetime, timezone
from pathlib import Path

from ..spec import PerfcalcError
from .report import lab_table
from .run import plain, run_lab
from .scenarios import FULL, QUICK, Scenario
from .server import check_loopback, missing_requirements

__all__ = ["main", "choose"]


def choose(quick: bool, names: list[str] | None, duration_s: float | None) -> list[Scenario]:
    """The scenarios to run: the quick or full set, or those named (from either), each possibly shortened."""
    chosen = list(QUICK if quick else FULL)
    if names:
        known = {s.name: s for s in (*FULL, *QUICK) if s.name not in {q.name for q in chosen}}
        known.update({s.name: s for s in chosen})
        unknown = [n for n in names if n not in known]
        if unknown:
            raise PerfcalcError(f"no scenario named {', '.join(unknown)}; scenarios are "
                                + ", ".join(sorted(known)), "scenario")
        chosen = [known[n] for n in dict.fromkeys(names)]
    if duration_s is not None:
        chosen = [s.with_(duration_s=duration_s) for s in chosen]
    return chosen


def _stop_on(signum, frame):
    raise SystemExit(128 + signum)


def main(args: dict, as_json: bool, argv) -> int:
    """Run ``perfcalc lab`` with the parsed ``args``; returns the exit status."""
    if args["list"]:
        for title, group in (("--quick", QUICK), ("full set (default)", FULL)):
            print(title)
            for s in group:
                print(f"  {s.name:<20} {s.label}, {s.duration_s:g} s")
        return 0
    try:
        host = check_loopback(args["host"])
        scenarios = choose(args["quick"], args["scenario"], args["duration_s"])
        missing = missing_requirements()
        if missing:
            raise PerfcalcError(f"perfcalc lab needs {' and '.join(missing)} in this Python ({sys.executable}): "
                                "pip install 'perfcalc[lab]'")
    except PerfcalcError as exc:
        print(f"perfcalc lab: error: {exc}", file=sys.stderr)
        return 2
    out = Path(args["out"] or datetime.now(timezone.utc).strftime("perfcalc-lab-%Y%m%d-%H%M%S"))
    words = list(sys.argv[1:] if argv is None else argv)
    command = "python -m perfcalc " + " ".join(shlex.quote(w) for w in words)
    previous = {sig: signal.signal(sig, _stop_on) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        doc = plain(run_lab(scenarios, out, command, host,
                            say=lambda text: print(f"perfcalc lab: {text}", file=sys.stderr, flush=True)))
    except KeyboardInterrupt:
        print("perfcalc lab: interrupted; the server it started is stopped", file=sys.stderr)
        return 130
    except PerfcalcError as exc:
        print(f"perfcalc lab: {exc}", file=sys.stderr)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    (out / "results.json").write_text(text + "\n", encoding="utf-8")
    print(text if as_json else lab_table(doc))
    return 0
