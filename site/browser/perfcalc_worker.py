"""The Python half of the browser runtime: runs in the page's Web Worker.

Every decision the page shows is made here, by the same ``perfcalc`` code
the CLI and the build use: parsing and validating what the reader typed,
computing, formatting, warnings, the results as Markdown, the chart, and
reading a shared link. The main thread (``perfcalc.js`` and its modules) only applies the
answers to the DOM.

Requests and answers are JSON strings, not proxies: nothing crosses the
worker boundary that could hold memory on either side, and this module can
be tested natively (``tests/test_worker_api.py``) without a browser.
"""

from __future__ import annotations

import functools
import json
import re

import perfcalc

# Query parameters that belong to the theme, not to a calculator: Material
# puts the search term in ?q= and the highlighted words in ?h=.
THEME_PARAMETERS = frozenset({"q", "h"})
# How much of a rejected link key is quoted back in a notice.
MAX_SHOWN = 40
# A link with more parameters than this is not a scenario anyone shared by hand.
MAX_PARAMETERS = 200
# Answers kept by view(): a form's values give the same answer every time (the simulation is seeded by
# its seed field), and every tab of the shared worker opens on its page's values, which another tab has
# usually asked for already; then a second tab's first answers cost a lookup, not a computation (the
# simulate form's first view takes ~240 ms in the browser). A few hundred answers of a few KiB each.
VIEW_ANSWERS_KEPT = 256


def _short(text: str) -> str:
    text = str(text)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def view(request: str) -> str:
    """Validate and compute one form; answer with everything the page shows.

    The request is ``{"calculator": ID, "values": {field: text}, "changed": FIELD}``
    (``changed``, optional: the field the reader is typing in). The answer
    holds, per output, ``[data-value, text]``; per field, its error (empty
    when valid); an error about the form as a whole; the warnings; the
    results as Markdown (for "Copy results"); and whether a chart follows.

    >>> answer = json.loads(view(json.dumps({"calculator": "amdahl", "values": {"serial_pct": "10"}})))
    >>> answer["ok"], answer["outputs"]["max_speedup"]
    (True, ['10.0', '10.00×'])
    >>> answer = json.loads(view(json.dumps({"calculator": "amdahl", "values": {"serial_pct": "200"}})))
    >>> answer["ok"], answer["errors"]["serial_pct"]
    (False, 'serial_pct must be a number from 0 to 100, got 200')
    """
    req = json.loads(request)
    return _view(json.dumps([req["calculator"], req.get("values") or {}, req.get("changed")], sort_keys=True))


@functools.lru_cache(maxsize=VIEW_ANSWERS_KEPT)
def _view(key: str) -> str:
    """view()'s answer for ``[calculator, values, changed]`` as canonical JSON (so equal requests share it)."""
    calculator, values, changed = json.loads(key)
    calc = perfcalc.get(calculator)
    result, errors = perfcalc.evaluate(calc.id, values)
    names = {f.name for f in calc.fields}
    errors = {name: message for name, message in errors.items()}
    if changed in names and changed not in errors:
        # A rule between two fields ("worker_memory_mb must be at most memory_mb") is filed under one of
        # them; the reader typing in the other must see it where they are typing too.
        related = [message for message in errors.values() if re.search(rf"\b{re.escape(changed)}\b", message)]
        if related:
            errors[changed] = related[0]
    answer = {
        "ok": result is not None,
        "errors": {name: message for name, message in errors.items() if name in names},
        # A rule about the form, or about a field the form does not show, goes in the form's banner.
        "form_error": " ".join(message for name, message in errors.items() if name not in names),
        "outputs": {},
        "warnings": [],
        "markdown": "",
        "chart": False,
    }
    if result is not None:
        answer["outputs"] = {
            o.name: [perfcalc.raw_value(result.outputs[o.name]), perfcalc.format_output(o, result.outputs[o.name])]
            for o in calc.outputs
        }
        answer["warnings"] = list(result.warnings)
        answer["markdown"] = perfcalc.results_markdown(calc, result)
        answer["chart"] = calc.chart is not None
    return json.dumps(answer, ensure_ascii=False)


def chart(request: str) -> str:
    """Draw a form's chart for these values: ``{"svg", "title", "description"}``, or null when invalid.

    Drawing is the slow part of a keystroke, so the worker asks for it only
    for the latest values of a form (see ``worker.js``).
    """
    from perfcalc_site import charts  # the drawing code is loaded on first use, after the page is live

    req = json.loads(request)
    calc = perfcalc.get(req["calculator"])
    result, errors = perfcalc.evaluate(calc.id, req.get("values") or {})
    if result is None or calc.chart is None:
        return "null"
    data = calc.chart(result.inputs, result.outputs)
    return json.dumps({"svg": charts.render_svg(data), "title": data.title, "description": data.description},
                      ensure_ascii=False)


def warm() -> None:
    """Import what the first keystroke would otherwise wait for (the chart code)."""
    from perfcalc_site import charts  # noqa: F401


def read_link(request: str) -> str:
    """Read a shared scenario from a page's query string.

    The request is ``{"search": "?…", "forms": [{"key", "calculator", "values"}]}``.
    A link names fields as ``FORMKEY.FIELD``. Each form's values from the
    link are validated together with the form's other values, exactly as if
    typed; the answer assigns the *parsed* values (so ``GTHREAD`` becomes
    ``gthread``), or, if any is invalid, none of that form's, with a notice
    on that form saying why. Keys that match no calculator on the page are
    reported in a notice on the first form; the theme's own ``q`` and ``h``
    are left alone. Nothing from the link is ever returned except as a value
    to assign or inside a plain-text notice.

    >>> forms = [{"key": "amdahl", "calculator": "amdahl", "values": {"serial_pct": "5", "concurrency": "16"}}]
    >>> answer = json.loads(read_link(json.dumps({"search": "?amdahl.concurrency=32&q=cache", "forms": forms})))
    >>> answer["assign"], answer["notices"]
    ({'amdahl': {'concurrency': '32'}}, {})
    """
    from urllib.parse import parse_qsl  # only a page opened from a link needs it: not on the way to "ready"

    req = json.loads(request)
    forms = {form["key"]: form for form in req["forms"]}
    pairs = parse_qsl(str(req.get("search", "")).lstrip("?"), keep_blank_values=True)
    wanted: dict[str, dict[str, str]] = {}
    ignored: list[str] = []
    for key, value in pairs[:MAX_PARAMETERS]:
        if key in THEME_PARAMETERS:
            continue
        form_key, _, name = key.partition(".")
        form = forms.get(form_key)
        if form is None or name not in form["values"]:
            ignored.append(key)
            continue
        wanted.setdefault(form_key, {})[name] = value
    unread = max(0, len(pairs) - MAX_PARAMETERS)
    assign: dict[str, dict[str, str]] = {}
    notices: dict[str, list[str]] = {}
    for form_key, values in wanted.items():
        form = forms[form_key]
        result, errors = perfcalc.evaluate(form["calculator"], {**form["values"], **values})
        if result is None:
            notices.setdefault(form_key, []).append(
                "The link's values could not be used, so this calculator shows its defaults: "
                + next(iter(errors.values())))
            continue
        assign[form_key] = {name: perfcalc.format_input(result.inputs[name]) for name in values}
    if (ignored or unread) and forms:
        first = next(iter(forms))
        more = len(ignored) - 3 + unread
        names = ", ".join(_short(k) for k in ignored[:3]) + (f" and {more:,} more" if more > 0 else "")
        notices.setdefault(first, []).append(
            f"Parts of the link match no calculator on this page and were ignored: {names}")
    return json.dumps({"assign": assign, "notices": {k: " ".join(v) for k, v in notices.items()}},
                      ensure_ascii=False)


# --- the reader's own files ---------------------------------------------------
# The worker reads a File in slices and feeds them here; perfcalc.analyze does
# the reading and the statistics, this part only words and draws the result.
# Nothing from the file reaches the page as markup: it travels as text in
# JSON, and the page puts it in with textContent.

_analyses: dict = {}


# What the page says when the analysis itself fails (a bug, never the reader's file): the traceback
# goes to the browser's console, not on the page.
UNEXPECTED = ("The analysis stopped on an unexpected error in perfcalc itself (not a problem with your file's "
              "format). Nothing was sent anywhere: the file stayed on this computer. To report it, run "
              "`perfcalc analyze FILE` on the same file (pip install perfcalc, or python -m perfcalc from the "
              "guide's source) and send its output; the details are in the browser's console.")


def _guarded(analysis_id: str, step) -> str:
    """Run one step of an analysis; a refusal is its message, anything else the plain sentence and a traceback."""
    import traceback

    try:
        return json.dumps(step(), ensure_ascii=False)
    except perfcalc.PerfcalcError as exc:
        _analyses.pop(analysis_id, None)
        return json.dumps({"error": str(exc)}, ensure_ascii=False)
    except Exception:  # noqa: BLE001 — the last resort the page needs: a sentence, never a traceback on the page
        _analyses.pop(analysis_id, None)
        return json.dumps({"error": UNEXPECTED, "traceback": traceback.format_exc()}, ensure_ascii=False)


def analyze_begin(analysis_id: str, name: str, options: str = "{}") -> str:
    """Start reading a file (or pasted text) called ``name`` with the panel's settings.

    ``options`` is a JSON object of the panel's named controls (the page sends
    them all): ``format``, a format id or empty to detect it, and
    ``log_format``, the server's own log-format string (nginx, Apache or
    Gunicorn syntax) for an access log in a layout not recognised alone. A new
    setting is a control in ``perfcalc_site/panel.py`` and its use here.
    ``keep`` (set by the worker's compare job, not a control) marks one run of
    a comparison: :func:`analyze_finish` then keeps its summary for
    :func:`compare_begin` instead of answering a view.

    >>> json.loads(analyze_begin("a-1", "access.log", json.dumps({"format": "nginx"})))
    {'ok': True}
    >>> analyze_cancel("a-1")
    >>> json.loads(analyze_begin("a-2", "x.log", json.dumps({"format": "apache"})))["error"].endswith("got 'apache'")
    True
    """
    from perfcalc.analyze import Analyzer

    settings = json.loads(options)

    def begin():
        _analyses[analysis_id] = Analyzer(name=name, format=settings.get("format") or None,
                                          log_format=(settings.get("log_format") or "").strip() or None,
                                          samples=bool(settings.get("keep")))  # only a comparison reads them
        if settings.get("keep"):
            _keeping.add(analysis_id)
        return {"ok": True}

    return _guarded(analysis_id, begin)


def analyze_feed(analysis_id: str, chunk) -> str:
    """Feed the next slice (a Uint8Array from the file, or text); answer the progress, or the error."""
    return _guarded(analysis_id, lambda: {"progress": _analyses[analysis_id].feed(chunk).to_json()})


def analyze_cancel(analysis_id: str) -> None:
    _analyses.pop(analysis_id, None)


def analyze_finish(analysis_id: str) -> str:
    """Summarise what was read: the page's view of it (tables, notes, charts, the numbers for the calculators).

    A run of a comparison (begun with ``keep``) is kept instead: ``{"ok": true}``.
    """
    if analysis_id in _keeping:
        return _keep(analysis_id)
    return _guarded(analysis_id, lambda: {"view": analysis_view(_analyses.pop(analysis_id).finish())})


# A large file is read by two interpreters (worker.js, helper.js): this one
# from the start, a helper worker's from a line boundary to the end as a
# *part*, which this one then absorbs (perfcalc.analyze.Analyzer.handover).
# Bytes cross between the workers as they are: the page never sees them.
_parts: dict = {}


def _bytes(data) -> bytes:
    """Bytes from Python or from the page's side (a Pyodide proxy of a Uint8Array)."""
    return bytes(data) if isinstance(data, (bytes, bytearray, memoryview)) else data.to_bytes()


def analyze_handover(analysis_id: str):
    """What a helper needs to read the rest of this analysis's file from a line boundary (bytes).

    ``None`` while it cannot yet (the format is not known), ``False`` if it never will (another format, gzip).

    >>> _ = analyze_begin("h-1", "k6.json")
    >>> analyze_handover("h-1") is None  # nothing read yet: the format is not known
    True
    >>> point = b'{"type":"Point","metric":"http_req_duration","data":{"time":"2024-03-10T09:00:00Z","value":41.5}}'
    >>> _ = analyze_feed("h-1", point + b"\\n")
    >>> analyze_handover("h-1")  # k6's JSON lines are read by one interpreter
    False
    >>> analyze_cancel("h-1")
    """
    analysis = _analyses.get(analysis_id)
    if analysis is None or analysis.splits is False:
        return False
    return analysis.handover()


def part_begin(part_id: str, handover) -> None:
    """Begin reading a part of a file as :func:`analyze_handover` said (in the helper's interpreter)."""
    from perfcalc.analyze import Analyzer

    _parts[part_id] = Analyzer.part_of(_bytes(handover))


def part_feed(part_id: str, chunk) -> str:
    """Feed the part's next slice; answer its progress (JSON)."""
    return json.dumps(_parts[part_id].feed(chunk).to_json())


def part_end(part_id: str) -> bytes:
    """The part as read, for :func:`analyze_absorb` in the first interpreter."""
    return _parts.pop(part_id).part()


def part_cancel(part_id: str) -> None:
    _parts.pop(part_id, None)


def analyze_absorb(analysis_id: str, part) -> str:
    """Take in a helper's part: ``{"absorbed": true}``, or false if it cannot be joined exactly (read the rest here)."""
    return _guarded(analysis_id, lambda: {"absorbed": _analyses[analysis_id].absorb(_bytes(part))})


def analysis_view(summary) -> dict:
    """What the page shows for a summary: the shared presentation and charts (``perfcalc.analyze.present``), drawn."""
    from perfcalc.analyze.present import clean, figures, present
    from perfcalc_site import charts as drawing

    shown = present(summary)
    # Warnings first: the page shows this table before the buttons that fill the calculators.
    rows = [["Warning", w] for w in shown.warnings] + [["Lines", shown.lines]] + [list(r) for r in shown.context]
    for block in shown.blocks:
        prefix = "" if block.style == "figures" else f"{block.title}: "
        rows += [[prefix + label, value] for label, value in block.rows]
        if block.basis:
            rows.append([f"{prefix}how they were got, and what they measure", block.basis])
    if shown.statuses:
        label, _, value = shown.statuses.partition(": ")
        rows.append([label, value])
    return {
        "file": clean(summary.file),
        "format": f"{summary.format_label} ({summary.detected})",
        "rows": rows,
        "warnings": list(shown.warnings),
        "endpoints": [list(r) for r in shown.endpoints.rows] if shown.endpoints else [],
        "steps": [list(r) for r in shown.steps.rows] if shown.steps else [],
        "usl": shown.usl,
        "notes": list(shown.notes),
        "rejected": [[r.line, r.expected, r.found] for r in summary.rejected],
        "fills": {cid: dict(values) for cid, values in shown.inputs},
        "charts": [{"svg": drawing.render_svg(chart), "title": chart.title, "description": chart.description}
                   for chart in figures(summary)],
    }


# --- two runs compared ---------------------------------------------------------
# The worker's compare job reads its two files as two analyses begun with
# ``keep`` (analyze_begin, analyze_feed, analyze_finish, which keeps their
# summaries), then compares them in steps (compare_begin, compare_step) so the
# worker posts progress and answers keystrokes between steps, and always ends
# with compare_cancel. perfcalc.analyze.compare does the statistics and
# perfcalc.format the wording; this part only gathers the view.

_keeping: set = set()     # analyses begun for a comparison: analyze_finish keeps them
_kept: dict = {}          # finished analyses waiting for their comparison, by analysis id
_comparisons: dict = {}   # comparisons under way: id -> perfcalc.analyze.compare.compare_steps


# The same last resort as UNEXPECTED, for the comparison's own steps.
UNEXPECTED_COMPARE = UNEXPECTED.replace("The analysis stopped", "The comparison stopped").replace(
    "your file's format", "your files' format").replace("`perfcalc analyze FILE` on the same file",
                                                        "`perfcalc compare BASELINE CANDIDATE` on the same files")


def _keep(analysis_id: str) -> str:
    """Finish an analysis and keep its summary for a comparison: ``{"ok": true}`` or ``{"error": message}``."""
    def keep():
        _keeping.discard(analysis_id)
        _kept[analysis_id] = _analyses.pop(analysis_id).finish()
        return {"ok": True}

    return _guarded(analysis_id, keep)


def _compare_guarded(compare_id: str, step) -> str:
    """Run one step of a comparison: a refusal is its message, anything else the plain sentence and a traceback."""
    import traceback

    try:
        return json.dumps(step(), ensure_ascii=False)
    except perfcalc.PerfcalcError as exc:
        _comparisons.pop(compare_id, None)
        return json.dumps({"error": str(exc)}, ensure_ascii=False)
    except Exception:  # noqa: BLE001 — as _guarded: a sentence on the page, the traceback in the console
        _comparisons.pop(compare_id, None)
        return json.dumps({"error": UNEXPECTED_COMPARE, "traceback": traceback.format_exc()}, ensure_ascii=False)


def compare_begin(compare_id: str, baseline_id: str, candidate_id: str) -> str:
    """Start comparing two kept analyses (they are handed over: a second comparison needs new ones)."""
    from perfcalc.analyze.compare import compare_steps

    def begin():
        _comparisons[compare_id] = compare_steps(_kept.pop(baseline_id), _kept.pop(candidate_id))
        return {"ok": True}

    return _compare_guarded(compare_id, begin)


def compare_step(compare_id: str) -> str:
    """One step of a comparison: ``{"progress": 0–1}`` while it resamples, then ``{"view": …}`` (or an error)."""
    from perfcalc.analyze.compare import Comparison

    def step():
        item = next(_comparisons[compare_id])
        if isinstance(item, Comparison):
            _comparisons.pop(compare_id, None)
            return {"view": comparison_view(item)}
        return {"progress": item}

    return _compare_guarded(compare_id, step)


def compare_cancel(compare_id: str, *analysis_ids: str) -> None:
    """Forget a comparison and the analyses read for it, wherever it stopped."""
    _comparisons.pop(compare_id, None)
    for analysis_id in analysis_ids:
        _analyses.pop(analysis_id, None)
        _kept.pop(analysis_id, None)
        _keeping.discard(analysis_id)


def comparison_view(comparison) -> dict:
    """What the page shows for a comparison: plain strings (the same cells as the CLI's table) and the Markdown.

    >>> from perfcalc.analyze import analyze_bytes
    >>> from perfcalc.analyze.compare import compare
    >>> line = '10.0.0.1 - - [10/Mar/2024:09:{:02d}:{:02d} +0000] "GET /a HTTP/1.1" 200 5 "-" "k6" {:.3f}\\n'
    >>> log = "".join(line.format(i // 600, i // 10 % 60, 0.02 + i % 7 / 100) for i in range(3000))
    >>> view = comparison_view(compare(analyze_bytes(log, "a.log"), analyze_bytes(log, "b.log")))
    >>> view["header"][4], view["rows"][0][5], view["verdicts"][0]
    ('95 % interval', 'no significant change', 'p50: no significant change (0.0 %, between 0.0 % and 0.0 %, within the noise of these runs).')
    """
    from perfcalc.format import comparison_cells, comparison_markdown, comparison_runs, verdict_sentences

    return {
        "runs": comparison_runs(comparison, aligned=False),
        "header": ["Metric", "Baseline", "Candidate", "Change", f"{comparison.confidence_pct:g} % interval",
                   "Verdict"],
        "rows": [list(cells) for cells in comparison_cells(comparison)],
        "verdicts": verdict_sentences(comparison),
        "method": comparison.method,
        "notes": list(comparison.notes),
        "markdown": comparison_markdown(comparison),
    }


# --- the memory snapshot ------------------------------------------------------
# The worker starts from a snapshot of this interpreter's memory taken at build
# time (site/make-snapshot.mjs) right after prepare(); restored() runs once in
# the browser after the snapshot is restored.


def _generators() -> list:
    """The random generators the standard library keeps between calls: ``random``'s, and ``tempfile``'s once used."""
    import random
    import sys

    found = [random._inst]
    tempfile = sys.modules.get("tempfile")
    names = getattr(tempfile, "_name_sequence", None)
    if names is not None and getattr(names, "_rng", None) is not None:
        found.append(names._rng)  # made when a temporary file is first named
    return found


def prepare() -> str:
    """Import ahead what the first answers need; run at build time, just before the snapshot is taken.

    Everything imported here is in the snapshot, so no page waits for it: the
    catalogue and the views (already imported with this module), the chart
    drawing, the file analysis and what reading a shared link uses. It fails
    if the interpreter holds a random generator restored() would not reseed.
    The answer, for the build's log: ``{"modules": N}``.
    """
    import gc
    import random
    import sys
    import urllib.parse  # noqa: F401  (read_link)

    import perfcalc.analyze  # noqa: F401
    import perfcalc.analyze.compare  # noqa: F401  (the compare panel)
    from perfcalc_site import charts  # noqa: F401

    gc.collect()
    known = {id(g) for g in _generators()}
    unknown = [type(o).__qualname__ for o in gc.get_objects()
               if isinstance(o, random.Random) and not isinstance(o, random.SystemRandom) and id(o) not in known]
    if unknown:
        raise RuntimeError(f"the snapshot would freeze random generators restored() does not reseed: {unknown}")
    return json.dumps({"modules": len(sys.modules)})


def restored() -> None:
    """After a restore: reseed every random generator from this reader's entropy, not the build's.

    A snapshot freezes the generators' state as the build left it, so every
    reader would draw the same numbers (and the same temporary file names).
    ``simulate`` is not affected: it draws from its own ``random.Random(seed)``,
    so the same seed gives the same figures here, in a cold start and in the CLI.
    """
    for generator in _generators():
        generator.seed()  # from os.urandom: the browser's crypto.getRandomValues
