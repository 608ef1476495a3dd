"""Shared expectations for browser tests: what native Python says a form must show."""

from __future__ import annotations

import json
import time

import perfcalc

READ_FORMS = """() => [...document.querySelectorAll('form.perfcalc')].map(f => ({
  calculator: f.dataset.calculator,
  state: f.dataset.state,
  outputs: Object.fromEntries([...f.querySelectorAll('output')].map(o => [o.getAttribute('name'),
             [o.dataset.value, o.textContent, o.dataset.stale || '']])),
  warnings: [...f.querySelectorAll('.perfcalc__warnings li')].map(li => li.textContent),
}))"""


def read_forms(page) -> list:
    """Every form's state, outputs and warnings, once the worker has answered what was typed.

    The page marks a form ``data-pending`` from a keystroke until its answer
    is applied: reading earlier would test the test's speed, not the page.
    """
    settle(page)
    return page.evaluate(READ_FORMS)


def wait_until(page, predicate: str, arg=None, timeout_s: float = 30.0, every_s: float = 0.05):
    """Wait until a JavaScript predicate (a function's source) is true in the page.

    Playwright's wait_for_function evaluates its predicate with eval inside
    the page, which the site's content security policy forbids (as it
    should). page.evaluate goes through the browser's debugging protocol
    instead, which the policy does not govern; so this polls from here.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        value = page.evaluate(predicate, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {timeout_s} s: {predicate[:120]}")
        time.sleep(every_s)


def requests_made(page) -> list:
    """The requests ``page`` makes from now on, as (method, URL), less the browser's own fetch of the tab's icon:
    Chromium asks for the ``<link rel="icon">`` when it gets round to it, which in a busy shared context can be
    after the page went live, and no script of the page asked for it."""
    icons = page.evaluate("[...document.querySelectorAll('link[rel~=\"icon\"]')].map((l) => l.href)")
    seen = []
    page.on("request", lambda r: r.url not in icons and seen.append((r.method, r.url)))
    return seen


def settle(page) -> None:
    """Wait until every form shows the answer to what was last typed into it."""
    wait_until(page, "() => !document.querySelector('form.perfcalc[data-pending]')")


def expected(calculator_id: str, inputs: dict) -> tuple[dict, list]:
    """Outputs as the page must show them: {name: [data-value, text, '']} and the warnings."""
    calc = perfcalc.get(calculator_id)
    result = perfcalc.calculate(calculator_id, **inputs)
    outputs = {o.name: [perfcalc.raw_value(result.outputs[o.name]), perfcalc.format_output(o, result.outputs[o.name]), ""]
               for o in calc.outputs}
    return outputs, result.warnings


# A different valid text for each text field, as a reader would type it.
TEXT_EDITS = {
    "measurements": "1:100 2:185 4:330 8:520 16:640 32:610",
    "tiers": "app:15:2x2, db:3:2:2\ncache:0.3:1:0.5",
}


def changed_inputs(calculator_id: str, start: dict) -> dict:
    """A different, valid value for every field, as the reader would type it.

    Fields are changed in order, each to the first candidate that keeps the
    whole form valid with the ones changed so far (processes must divide the
    workers, say), or left as they were if none does.
    """
    calc = perfcalc.get(calculator_id)
    values = perfcalc.calculate(calculator_id, **start).inputs
    typed = {f.name: perfcalc.format_input(values[f.name]) for f in calc.fields}
    for f in calc.fields:
        v = values[f.name]
        if v is None:
            candidates = [""]
        elif f.kind == "choice":
            candidates = [f.choices[(f.choices.index(v) + 1) % len(f.choices)]]
        elif f.kind == "text":
            candidates = [TEXT_EDITS[f.name]]
        elif f.kind == "int":
            candidates = [str(c) for c in [v + 1, v - 1, *range(v + 2, v + 20)]]
        else:
            candidates = [repr(round(c, 6)) for c in ([v * 1.1, v * 0.9] if v else [1.0, 0.5, 0.001])]
        for c in candidates:
            try:
                perfcalc.calculate(calculator_id, **{**typed, f.name: c})
            except perfcalc.PerfcalcError:
                continue
            typed[f.name] = c
            break
    return typed


def same_outputs(shown: dict, want: dict) -> bool:
    """Equal text, staleness and kind; raw numbers equal to 1e-9 (CPython versions and libm differ in the last bit)."""
    if shown.keys() != want.keys():
        return False
    for name, (raw, text, stale) in shown.items():
        want_raw, want_text, want_stale = want[name]
        if text != want_text or stale != want_stale:
            return False
        if raw != want_raw:
            try:
                a, b = float(raw), float(want_raw)
            except ValueError:
                return False
            if abs(a - b) > 1e-9 * max(abs(a), abs(b)):
                return False
    return True


def assert_forms_match(shown_forms: list, want_forms: list):
    assert len(shown_forms) == len(want_forms)
    for shown, want in zip(shown_forms, want_forms):
        assert shown["calculator"] == want["calculator"]
        assert same_outputs(shown["outputs"], want["outputs"]), (shown["outputs"], want["outputs"])
        assert shown["warnings"] == want["warnings"]


WORKER_SCRIPT = "/runtime/worker.js"

# True once the page Material swapped in is on screen and every calculator on it is mounted.
NEW_PAGE_LIVE = """() => !document.querySelector('[data-md-component=container][data-before-click]')
    && document.documentElement.dataset.perfcalc === 'live'
    && [...document.querySelectorAll('form.perfcalc')].every(f => f.dataset.state !== 'static')"""


def count_workers(page):
    """The Python workers started in the page's browser context, dedicated or shared, counted outside the page.

    Playwright reports dedicated workers; shared workers are seen through Chromium's target discovery.
    """
    created = []
    page.on("worker", lambda w: created.append(w.url) if w.url.endswith(WORKER_SCRIPT) else None)
    cdp = page.context.new_cdp_session(page)
    context_id = cdp.send("Target.getTargetInfo")["targetInfo"]["browserContextId"]

    def seen(event):
        info = event["targetInfo"]
        if (info["type"] == "shared_worker" and info["url"].endswith(WORKER_SCRIPT)
                and info.get("browserContextId") == context_id):
            created.append(info["url"])

    cdp.on("Target.targetCreated", seen)
    cdp.send("Target.setDiscoverTargets", {"discover": True})
    return created


# Without SharedWorker, as in Chrome for Android: each tab starts a dedicated worker of its own.
NO_SHARED_WORKER = "delete window.SharedWorker;"

# What the worker serves: {interpreter, tabs, jobs: {tab, all, dropped}} (protocol.js, STATE).
WORKER_STATE = """() => new Promise((resolve) => {
    const port = window.perfcalcWorker.port;
    const answer = (event) => { if (event.data.op === 'state') { port.removeEventListener('message', answer);
                                                                 resolve(event.data); } };
    port.addEventListener('message', answer);
    port.postMessage({op: 'state'});
})"""


def click_nav(page, href):
    """Click the primary navigation's link to ``href``, as a reader does; wait until its calculators are live."""
    page.evaluate("document.querySelector('[data-md-component=container]').dataset.beforeClick = '1'")
    links = page.locator("nav.md-nav--primary a.md-nav__link[href]")
    index = links.evaluate_all("(els, want) => els.findIndex(a => a.href === want)", href)
    assert index >= 0, f"no navigation link to {href}"
    links.nth(index).click()
    wait_until(page, NEW_PAGE_LIVE)


def expected_forms(fences):
    """What each form of a page must show, from its fences (PAGES[url])."""
    return [dict(zip(("calculator", "outputs", "warnings"), (cid, *expected(cid, inputs)))) for cid, inputs in fences]


def browser_context_id(context) -> str:
    """Chromium's id for a Playwright browser context, read from a blank tab opened (and closed) for it."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    try:
        return cdp.send("Target.getTargetInfo")["targetInfo"]["browserContextId"]
    finally:
        cdp.detach()
        page.close()


class SharedWorkers:
    """Every shared worker a browser context starts, watched from outside the pages through Chromium's debugging protocol.

    Playwright reports the requests of pages and of their dedicated workers, not
    of a shared worker (which belongs to no page). This discovers each shared
    worker as it is created, attaches to it at once and turns on its Network
    domain; what the worker fetched before that is read from its own Resource
    Timing entries. The gap: the worker's static module graph (worker.js's
    imports), when it loads before the attach, is in neither (Chromium keeps
    no Resource Timing entries for it); every later request is in ``requests``. ``evaluate`` runs an expression in every shared worker of the
    site in that context (the tests use it to make one misbehave). A browser-level session may
    only auto-attach (pausing a worker before it runs) in the flattened protocol,
    whose child sessions Playwright does not expose: so this attaches in the
    older protocol, where commands and events travel inside
    Target.sendMessageToTarget and Target.receivedMessageFromTarget.
    """

    BEFORE = "performance.getEntriesByType('resource').map((e) => e.name)"

    def __init__(self, browser, context):
        self.context_id = browser_context_id(context)  # other contexts' shared workers (a shared one's) are not its
        self.requests: list[str] = []
        self.workers: dict[str, str] = {}  # session id -> the worker script's URL
        self._backfill: dict[int, str] = {}  # id of the command reading a worker's earlier requests -> session
        self._ids = 0
        self.cdp = browser.new_browser_cdp_session()
        self.cdp.on("Target.targetCreated", self._created)
        self.cdp.on("Target.detachedFromTarget", lambda event: self.workers.pop(event.get("sessionId"), None))
        self.cdp.on("Target.receivedMessageFromTarget", self._received)
        self.cdp.send("Target.setDiscoverTargets", {"discover": True})

    def _send(self, session: str, method: str, params: dict | None = None) -> int:
        self._ids += 1
        self.cdp.send("Target.sendMessageToTarget", {"sessionId": session, "message": json.dumps(
            {"id": self._ids, "method": method, "params": params or {}})})
        return self._ids

    def _created(self, event):
        info = event["targetInfo"]
        if info["type"] != "shared_worker" or info.get("browserContextId") != self.context_id:
            return
        session = self.cdp.send("Target.attachToTarget", {"targetId": info["targetId"], "flatten": False})["sessionId"]
        self.workers[session] = info["url"]
        self._send(session, "Network.enable")
        self._backfill[self._send(session, "Runtime.evaluate",
                                  {"expression": self.BEFORE, "returnByValue": True})] = session

    def _received(self, event):
        message = json.loads(event["message"])
        if message.get("method") == "Network.requestWillBeSent":
            self.requests.append(message["params"]["request"]["url"])
        elif message.get("id") in self._backfill:
            del self._backfill[message["id"]]
            earlier = message.get("result", {}).get("result", {}).get("value") or []
            self.requests.extend(u for u in earlier if u not in self.requests)

    def evaluate(self, expression: str) -> list[int]:
        """Run `expression` in every shared worker of the site (not awaited); the ids of the commands sent."""
        return [self._send(session, "Runtime.evaluate", {"expression": expression})
                for session, url in list(self.workers.items()) if url.endswith(WORKER_SCRIPT)]

    def close(self):
        self.cdp.send("Target.setDiscoverTargets", {"discover": False})
        self.cdp.detach()
