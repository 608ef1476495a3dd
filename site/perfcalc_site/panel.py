"""The ```perfcalc-analyze fence: a panel that reads the reader's own file, pre-rendered and disabled until live.

``for: load-tests`` or ``for: logs`` gives the one-file panel; ``for:
compare`` the two-file panel that compares a baseline run with a candidate
(``perfcalc.analyze.compare``). The analysis itself runs in the browser's
worker; the page's controller wires the panel and shows the result. Without
JavaScript the panel says how to get the same numbers from the command line.
"""

from __future__ import annotations

import html

from perfcalc.analyze import FORMATS

from .render import FenceError

# How each format is named in the format menu (the reader picks one only when detection cannot tell).
FORMAT_NAMES = {
    "k6-json": "k6 JSON lines (--out json)",
    "k6-summary": "k6 end-of-test summary (--summary-export, handleSummary)",
    "locust-stats": "Locust statistics (--csv …_stats.csv)",
    "locust-history": "Locust history (--csv …_stats_history.csv)",
    "jmeter-csv": "JMeter CSV results (JTL)",
    "nginx": "nginx access log (combined + $request_time)",
    "gunicorn": "Gunicorn access log (+ %(D)s or %(L)s)",
    "access-log": "access log in another layout (ingress-nginx, combined, Apache, Traefik …)",
    "json-access-log": "JSON access log (Caddy, Traefik, Envoy, nginx escape=json)",
    "envoy": "Envoy / Istio access log",
    "uwsgi": "uWSGI request log",
    "haproxy": "HAProxy HTTP log",
    "iis": "IIS W3C log",
    "aws-alb": "AWS ALB access log",
    "jmeter-xml": "JMeter XML results (JTL)",
    "k6-csv": "k6 CSV (--out csv)",
    "locust-requests": "Locust 0.x requests (--csv …_requests.csv)",
}
KINDS = {
    "load-tests": ("Analyse your load test", "k6, Locust or JMeter results"),
    "logs": ("Analyse your access log", "an access log (nginx, Apache, Gunicorn, Caddy, Traefik, Envoy, HAProxy, "
                                        "uWSGI, IIS, AWS ALB …)"),
}


def format_field(control_id: str, label: str = "Format") -> str:
    """The format menu (``name="format"``): detect it, or one of perfcalc.analyze's formats."""
    formats = "".join(f'<option value="{f}">{html.escape(FORMAT_NAMES[f])}</option>' for f in FORMATS)
    return (f'<div class="perfcalc-analyze__field"><label for="{control_id}">{html.escape(label)}</label>'
            f'<select id="{control_id}" name="format" disabled><option value="">detect it</option>{formats}'
            "</select></div>")


def log_format_field(control_id: str) -> str:
    """The server's own log-format string (``name="log_format"``), for an access log in a layout not recognised alone."""
    return (f'<div class="perfcalc-analyze__field"><label for="{control_id}">Log format, for an access log in '
            "another layout (nginx <code>log_format</code>, Apache <code>LogFormat</code> or Gunicorn "
            f'<code>access_log_format</code>; optional)</label><input type="text" id="{control_id}" '
            'name="log_format" spellcheck="false" autocomplete="off" disabled '
            'placeholder="$remote_addr - $remote_user [$time_local] &quot;$request&quot; $status … '
            'rt=$request_time"></div>')


def render_panel(body: str, key: str) -> str:
    """The panel's HTML; ``body`` is ``for: load-tests`` or ``for: logs`` (what the reader is asked for)."""
    values: dict[str, str] = {"for": "load-tests"}
    if body.strip():
        options = dict(line.split(":", 1) for line in body.strip().splitlines() if ":" in line)
        values.update({k.strip(): v.strip() for k, v in options.items()})
        unknown = set(values) - {"for"}
        if unknown or values["for"] not in (*KINDS, "compare") or len(options) != len(body.strip().splitlines()):
            raise FenceError(f"perfcalc-analyze takes 'for: {' or '.join((*KINDS, 'compare'))}', "
                             f"got {body.strip()!r}")
    if set(FORMAT_NAMES) != set(FORMATS):
        raise FenceError(f"perfcalc-analyze: name every format of perfcalc.analyze: {', '.join(FORMATS)}")
    if values["for"] == "compare":
        return render_compare_panel(key)
    title, asked = KINDS[values["for"]]
    pid = f"pa-{key}"
    return "\n".join([
        f'<section class="perfcalc-analyze" id="{pid}" data-key="{key}" data-state="static" aria-labelledby="{pid}-title">',
        f'<p class="perfcalc-analyze__title" id="{pid}-title">{html.escape(title)}</p>',
        f'<p class="perfcalc-analyze__privacy">Give it {html.escape(asked)}: it is read here, in your browser, by '
        "the same Python as the calculators, and never sent anywhere, not even to this site.</p>",
        '<div class="perfcalc-analyze__inputs">',
        f'<div class="perfcalc-analyze__field"><label for="{pid}-file">Choose a file, or drop it on this box</label>'
        f'<input type="file" id="{pid}-file" name="file" disabled></div>',
        format_field(f"{pid}-format"),
        "</div>",
        log_format_field(f"{pid}-log-format"),
        f'<div class="perfcalc-analyze__field"><label for="{pid}-text">Or paste lines</label>'
        f'<textarea id="{pid}-text" name="text" rows="4" spellcheck="false" disabled></textarea></div>',
        '<div class="perfcalc-analyze__actions">'
        '<button type="button" class="md-button" data-action="analyze-text" disabled>Analyse the pasted lines</button>'
        '<button type="button" class="md-button" data-action="analyze-cancel" hidden>Stop</button></div>',
        f'<progress class="perfcalc-analyze__progress" id="{pid}-progress" max="1" value="0" hidden '
        f'aria-labelledby="{pid}-status"></progress>',
        f'<p class="perfcalc-analyze__status" id="{pid}-status" role="status">Reading a file here needs '
        "JavaScript; <code>perfcalc analyze FILE</code> prints the same numbers.</p>",
        '<p class="perfcalc-analyze__error" role="alert"></p>',
        '<div class="perfcalc-analyze__result" hidden></div>',
        "</section>",
    ])


# The two runs of the compare panel: the control's name, its label, and what the box says when empty.
RUNS = (("baseline", "Baseline: the run before the change", "No baseline yet"),
        ("candidate", "Candidate: the run after it", "No candidate yet"))


def render_compare_panel(key: str) -> str:
    """The two-file panel: a baseline and a candidate (each chosen or dropped), then the comparison.

    Each run has the single-file panel's format menu and log-format field
    (detection, unless the reader chooses). Pre-rendered disabled, with the
    command that prints the same table:

    >>> html_text = render_compare_panel("analyze")
    >>> 'class="perfcalc-compare"' in html_text, html_text.count('type="file"'), "perfcalc compare" in html_text
    (True, 2, True)
    >>> html_text.count('name="format"'), html_text.count('name="log_format"')
    (2, 2)
    """
    pid = f"pc-{key}"
    runs = "".join(
        f'<div class="perfcalc-analyze__field perfcalc-compare__run" data-run="{name}">'
        f'<label for="{pid}-{name}">{html.escape(label)}</label>'
        f'<input type="file" id="{pid}-{name}" name="{name}" disabled>'
        f'<p class="perfcalc-compare__chosen" id="{pid}-{name}-chosen">{html.escape(empty)}</p>'
        f'{format_field(f"{pid}-{name}-format", f"Format of the {name}")}{log_format_field(f"{pid}-{name}-log-format")}'
        "</div>"
        for name, label, empty in RUNS)
    return "\n".join([
        f'<section class="perfcalc-compare" id="{pid}" data-key="{key}" data-state="static" '
        f'aria-labelledby="{pid}-title">',
        f'<p class="perfcalc-analyze__title" id="{pid}-title">Compare two runs</p>',
        '<p class="perfcalc-analyze__privacy">Give it two runs of the same test, before and after a change: k6, '
        "Locust or JMeter results, or access logs, even of different kinds. Both are read here, in your browser, "
        "and never sent anywhere.</p>",
        f'<div class="perfcalc-analyze__inputs perfcalc-compare__runs">{runs}</div>',
        '<div class="perfcalc-analyze__actions">'
        '<button type="button" class="md-button" data-action="compare-swap" disabled>Swap the two</button>'
        '<button type="button" class="md-button" data-action="analyze-cancel" hidden>Stop</button></div>',
        f'<progress class="perfcalc-analyze__progress" id="{pid}-progress" max="1" value="0" hidden '
        f'aria-labelledby="{pid}-status"></progress>',
        f'<p class="perfcalc-analyze__status" id="{pid}-status" role="status">Comparing two files here needs '
        "JavaScript; <code>perfcalc compare BASELINE CANDIDATE</code> prints the same table.</p>",
        '<p class="perfcalc-analyze__error" role="alert"></p>',
        '<div class="perfcalc-analyze__result" hidden></div>',
        "</section>",
    ])


def panel_fence(body: str, key: str) -> str:
    try:
        return render_panel(body, key)
    except ValueError as exc:
        raise FenceError(str(exc)) from exc
