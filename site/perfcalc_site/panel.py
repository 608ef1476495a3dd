"""The ```perfcalc-analyze fence: a panel that reads the reader's own file, pre-rendered and disabled until live.

The analysis itself runs in the browser's worker (``perfcalc.analyze``); the
page's controller wires the panel and shows the result. Without JavaScript
the panel says how to get the same numbers from the command line.
"""

from __future__ import annotations

import html

from perfcalc.analyze import FORMATS

from .render import FenceError, parse_fence

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


def render_panel(body: str, key: str) -> str:
    """The panel's HTML; ``body`` is ``for: load-tests`` or ``for: logs`` (what the reader is asked for)."""
    values: dict[str, str] = {"for": "load-tests"}
    if body.strip():
        options = dict(line.split(":", 1) for line in body.strip().splitlines() if ":" in line)
        values.update({k.strip(): v.strip() for k, v in options.items()})
        unknown = set(values) - {"for"}
        if unknown or values["for"] not in KINDS or len(options) != len(body.strip().splitlines()):
            raise FenceError(f"perfcalc-analyze takes 'for: {' or '.join(KINDS)}', got {body.strip()!r}")
    if set(FORMAT_NAMES) != set(FORMATS):
        raise FenceError(f"perfcalc-analyze: name every format of perfcalc.analyze: {', '.join(FORMATS)}")
    title, asked = KINDS[values["for"]]
    pid = f"pa-{key}"
    formats = "".join(f'<option value="{f}">{html.escape(FORMAT_NAMES[f])}</option>' for f in FORMATS)
    return "\n".join([
        f'<section class="perfcalc-analyze" id="{pid}" data-key="{key}" data-state="static" aria-labelledby="{pid}-title">',
        f'<p class="perfcalc-analyze__title" id="{pid}-title">{html.escape(title)}</p>',
        f'<p class="perfcalc-analyze__privacy">Give it {html.escape(asked)}: it is read here, in your browser, by '
        "the same Python as the calculators, and never sent anywhere, not even to this site.</p>",
        '<div class="perfcalc-analyze__inputs">',
        f'<div class="perfcalc-analyze__field"><label for="{pid}-file">Choose a file, or drop it on this box</label>'
        f'<input type="file" id="{pid}-file" name="file" disabled></div>',
        f'<div class="perfcalc-analyze__field"><label for="{pid}-format">Format</label>'
        f'<select id="{pid}-format" name="format" disabled><option value="">detect it</option>{formats}</select></div>',
        "</div>",
        f'<div class="perfcalc-analyze__field"><label for="{pid}-log-format">Log format, for an access log in '
        "another layout (nginx <code>log_format</code>, Apache <code>LogFormat</code> or Gunicorn "
        f'<code>access_log_format</code>; optional)</label><input type="text" id="{pid}-log-format" '
        'name="log_format" spellcheck="false" autocomplete="off" disabled '
        """placeholder="$remote_addr - $remote_user [$time_local] &quot;$request&quot; $status … rt=$request_time"></div>""",
        f'<div class="perfcalc-analyze__field"><label for="{pid}-text">Or paste lines</label>'
        f'<textarea id="{pid}-text" name="text" rows="4" spellcheck="false" disabled></textarea></div>',
        '<div class="perfcalc-analyze__actions">'
        '<button type="button" class="md-button" data-action="analyze-text" disabled>Analyse the pasted lines</button>'
        '<button type="button" class="md-button" data-action="analyze-cancel" hidden>Stop</button></div>',
        f'<progress class="perfcalc-analyze__progress" id="{pid}-progress" max="1" value="0" hidden '
        f'aria-labelledby="{pid}-status"></progress>',
        f'<p class="perfcalc-analyze__status" id="{pid}-status" role="status">Reading a file here needs '
        "JavaScript; <code>perfcalc analyze FILE</code> prints the same numbers.</p>",
        f'<p class="perfcalc-analyze__error" role="alert"></p>',
        '<div class="perfcalc-analyze__result" hidden></div>',
        "</section>",
    ])


def panel_fence(body: str, key: str) -> str:
    try:
        return render_panel(body, key)
    except ValueError as exc:
        raise FenceError(str(exc)) from exc
