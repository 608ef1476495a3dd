"""The command line: ``perfcalc list``, ``perfcalc ID --field VALUE … [--json]``, ``perfcalc analyze FILE``, ``perfcalc lab``.

Flags are the input names with ``-`` for ``_``; omitted inputs take their
defaults; an empty value (``--concurrency ""``) leaves an optional field
empty. ``perfcalc analyze FILE [--format F] [--log-format S] [--json]`` summarises a load
test's results or an access log (``-`` reads standard input);
``perfcalc compare BASELINE CANDIDATE [--json]`` sets two runs side by side
with an interval and a verdict per metric (``--format`` and ``--log-format``
for both runs, ``--baseline-format``, ``--candidate-log-format`` and the
like for one); ``perfcalc lab [--quick] [--json]``
measures Flask under Gunicorn on this machine and sets the models beside it
(:mod:`perfcalc.lab`; it needs the ``lab`` extra). Bad input exits with
status 2, the message on stderr and nothing on stdout; with ``--json``,
``analyze`` and ``compare`` print ``{"error": {"file", "line", "message"}}``
on stdout as well.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from . import CALCULATORS, PerfcalcError, calculate
from .analyze import FORMATS, READ_CHUNK_BYTES, Analyzer, analyze_path, summary_table
from .format import comparison_table, format_input, input_rows, output_rows
from .spec import Calculator, Field


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _field_help(f: Field) -> str:
    unit = f" [{f.unit}]" if f.unit else ""
    default = "empty" if f.default is None else f.default
    return f"{f.label}{unit}: {f.rule()}; default {default}. {f.help}".strip().replace("%", "%%")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="perfcalc",
        description="Performance calculators for Flask/WSGI services. `perfcalc list` shows them all; "
                    "`perfcalc ID --help` shows one calculator's fields, units, defaults and bounds.",
    )
    sub = parser.add_subparsers(dest="command", metavar="{list,analyze,compare,lab," + ",".join(CALCULATORS) + "}")
    sub.add_parser("list", help="list the calculators")
    analyze = sub.add_parser(
        "analyze", help="summarise a load test's results or an access log",
        description="Throughput, errors, exact latency percentiles, requests in flight, the steady window, load "
                    "steps and calculator inputs from k6 (--out json, summary JSON), Locust (--csv _stats.csv, "
                    "_stats_history.csv), JMeter (CSV results) or an nginx/Gunicorn access log with request times. "
                    "The format is detected from the first line unless given.")
    analyze.add_argument("file", metavar="FILE", help="the file to read (gzip is fine); - reads standard input")
    analyze.add_argument("--format", choices=list(FORMATS), help="the file's format (default: detected)")
    analyze.add_argument("--log-format", metavar="FORMAT",
                         help="the log_format (nginx), LogFormat (Apache) or access_log_format (Gunicorn) string "
                              "the access log was written with, e.g. '$remote_addr - $remote_user [$time_local] "
                              "\"$request\" $status $body_bytes_sent rt=$request_time'")
    analyze.add_argument("--json", action="store_true",
                         help="print the summary as JSON; a file that cannot be read prints "
                              "{\"error\": {\"file\", \"line\", \"message\"}} and exits 2")
    compare = sub.add_parser(
        "compare", help="did the candidate run get slower than the baseline, or is it noise?",
        description="Compare two runs (any two files analyze reads, even of different formats), each over its "
                    "steady window: p50, p95, p99, mean, throughput and error rate, the change, a simultaneous 95%% "
                    "interval for it (block bootstrap over time, so requests that queued together are resampled "
                    "together) and a verdict: slower, faster or no significant change (worse or better for errors). "
                    "Whole-run summaries (k6 summary, Locust _stats.csv) are compared as stated, untested."
                    .replace("%%", "%"))
    compare.add_argument("baseline", metavar="BASELINE", help="the run before the change (gzip is fine)")
    compare.add_argument("candidate", metavar="CANDIDATE", help="the run after it")
    # The runs may differ in format (a k6 run against a Gunicorn log): each can be given its own, or both one.
    for run in ("", "baseline-", "candidate-"):
        whose = {"": "both runs'", "baseline-": "the baseline's", "candidate-": "the candidate's"}[run]
        compare.add_argument(f"--{run}format", choices=list(FORMATS),
                             help=f"{whose} format (default: detected{'' if run == '' else '; overrides --format'})")
        compare.add_argument(f"--{run}log-format", metavar="FORMAT",
                             help=f"{whose} access-log layout, as analyze --log-format takes it"
                                  f"{'' if run == '' else ' (overrides --log-format)'}")
    compare.add_argument("--json", action="store_true",
                         help='print {"metrics": [{"metric", "baseline", "candidate", "change_pct", "ci_low_pct", '
                              '"ci_high_pct", "verdict"}, …], …}')
    _lab_parser(sub)
    for calc in CALCULATORS.values():
        # argparse %-formats help strings but prints descriptions as they are: only help needs %% for %.
        p = sub.add_parser(calc.id, help=calc.title, description=f"{calc.title}: {calc.summary} "
                           f"Assumptions: {calc.assumptions}")
        for f in calc.fields:
            p.add_argument(_flag(f.name), dest=f.name, metavar="VALUE", default=argparse.SUPPRESS, help=_field_help(f))
        p.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def _lab_parser(sub) -> None:
    lab = sub.add_parser(
        "lab", help="measure Flask under Gunicorn on this machine and set the models beside it",
        description="Starts Gunicorn serving a small Flask app on a loopback address, sends it open-loop Poisson "
                    "load (a new connection per request, latency from each scheduled start), reads its access log, "
                    "and sets the catalogue's predictions beside what it measured: nominal, adjusted to what the "
                    "run really offered, with the range a run this long leaves, and the run replayed through an "
                    "ideal queue. Needs Flask and Gunicorn: pip install 'perfcalc[lab]'. The full set takes about "
                    "30 minutes; --quick under 3.")
    lab.add_argument("--quick", action="store_true", help="a few short scenarios (under 3 minutes)")
    lab.add_argument("--json", action="store_true", help="print the results as JSON")
    lab.add_argument("--out", metavar="DIR", help="folder for the raw files: each run's requests, access and error "
                                                  "logs, and results.json (default: perfcalc-lab-DATE-TIME)")
    lab.add_argument("--scenario", metavar="NAME", action="append",
                     help="run only this scenario (repeat for more); --list shows them")
    lab.add_argument("--duration-s", metavar="S", type=float, help="run each scenario for S seconds instead")
    lab.add_argument("--host", metavar="ADDRESS", default="127.0.0.1",
                     help="the loopback address to serve and load (127.0.0.1 or ::1; nothing else is accepted)")
    lab.add_argument("--list", action="store_true", help="list the scenarios and exit")


def _table(calc: Calculator, result) -> str:
    lines = [calc.title, "", "Inputs"]
    width = max(len(f.name) for f in calc.fields)
    lines += [f"  {f.name:<{width}}  {text}" for f, text in input_rows(calc, result)]
    lines += ["", "Outputs"]
    width = max(len(o.label) for o in calc.outputs)
    lines += [f"  {o.label:<{width}}  {text}" for o, text in output_rows(calc, result)]
    if result.warnings:
        lines += ["", "Warnings"] + [f"  ! {w}" for w in result.warnings]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = _parser()
    args = vars(parser.parse_args(argv))
    command = args.pop("command")
    if command is None:
        parser.print_help()
        return 0
    if command == "list":
        width = max(len(c) for c in CALCULATORS)
        for calc in CALCULATORS.values():
            print(f"{calc.id:<{width}}  {calc.title}")
        return 0
    as_json = args.pop("json")
    if command == "compare":
        runs = [(args[run], args[f"{run}_format"] or args["format"], args[f"{run}_log_format"] or args["log_format"])
                for run in ("baseline", "candidate")]
        return _compare(runs, as_json)
    if command == "analyze":
        return _report(command, lambda: _analyze(args["file"], args["format"], args["log_format"]), as_json,
                       summary_table, json_errors=True)
    if command == "lab":
        from .lab.cli import main as lab_main  # the lab (and its subprocesses) only when asked for
        return lab_main(args, as_json, argv)
    return _report(command, lambda: _calculate(CALCULATORS[command], args), as_json,
                   lambda result: _table(CALCULATORS[command], result))


def _calculate(calc: Calculator, args: dict):
    """``calculate``; when a rule about the whole form (``littles-law``'s "exactly two of …") names an optional
    field the reader did not give, the message adds that it took its default and how to empty it (``""``)."""
    try:
        return calculate(calc.id, **args)
    except PerfcalcError as exc:
        defaulted = [f for f in calc.fields
                     if f.optional and f.default is not None and f.name not in args and f.name in str(exc)]
        if exc.field or not defaulted:
            raise
        names = " and ".join(f.name for f in defaulted)
        values = " and ".join(format_input(f.default) for f in defaulted)
        flags = " or ".join(f'{_flag(f.name)} ""' for f in defaulted)
        if len(defaulted) == 1:
            note = f"{names} was not given, so it took its default, {values}: to leave it empty, pass {flags}"
        else:
            note = (f"{names} were not given, so they took their defaults, {values}: to leave one empty, "
                    f"pass {flags}")
        raise PerfcalcError(f"{exc} ({note})") from None


def _report(command: str, compute, as_json: bool, table, json_errors: bool = False) -> int:
    """Print what ``compute()`` gives, as JSON or a table; bad input: status 2, the message on stderr.

    With ``json_errors`` (``analyze``): a refusal is also printed on stdout
    as ``{"error": {"file", "line", "message"}}`` under ``--json``, and an
    unexpected failure is a plain message too, never a traceback.
    """
    try:
        result = compute()
    except PerfcalcError as exc:
        return _refused(command, exc, as_json and json_errors)
    except Exception as exc:  # noqa: BLE001 — the last resort: a reader never sees a traceback
        if not json_errors:
            raise
        return _refused(command, PerfcalcError(
            f"the analysis stopped on an unexpected error in perfcalc ({type(exc).__name__}: {exc}); this is a bug, "
            "not a problem with the file: please report it with the command and the file's first lines"), as_json)
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=2) if as_json else table(result))
    return 0


def _refused(command: str, exc: PerfcalcError, as_json: bool) -> int:
    print(f"perfcalc {command}: error: {exc}", file=sys.stderr)
    if as_json:
        error = {"file": getattr(exc, "file", None), "line": getattr(exc, "line", None),
                 "message": getattr(exc, "message", str(exc))}
        print(json.dumps({"error": error}, ensure_ascii=False, indent=2))
    return 2


def _analyze(path: str, format: str | None, log_format: str | None = None):
    if path != "-":
        return analyze_path(path, format, log_format, samples=False)  # only compare reads them
    analyzer = Analyzer("<stdin>", format, log_format, samples=False)
    while chunk := sys.stdin.buffer.read(READ_CHUNK_BYTES):
        analyzer.feed(chunk)
    return analyzer.finish()


def _compare(runs: list[tuple[str, str | None, str | None]], as_json: bool) -> int:
    """Compare the baseline with the candidate, each given as (path, format or None, log format or None)."""
    from .analyze.compare import compare

    summaries = []
    for path, format, log_format in runs:
        try:
            summaries.append(analyze_path(path, format, log_format))
        except PerfcalcError as exc:
            print(f"perfcalc compare: error: {exc}", file=sys.stderr)
            if as_json:
                print(json.dumps({"error": _error_json(path, exc)}, ensure_ascii=False, indent=2))
            return 2
    result = compare(*summaries)
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=2) if as_json else comparison_table(result))
    return 0


def _error_json(path: str, exc: PerfcalcError) -> dict:
    """A refused file as data: the file, the line (or None) and the message, as analysis.records.refusal keeps them."""
    return {"file": getattr(exc, "file", path), "line": getattr(exc, "line", None),
            "message": getattr(exc, "message", str(exc))}
