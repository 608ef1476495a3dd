"""Browser tests: the built site, served by `python -m http.server` under /guide/, in real Chromium."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests import serving

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the venv's mkdocs and zensical

from perfcalc_site.fences import scan  # noqa: E402
from perfcalc_site.render import parse_fence  # noqa: E402

PREFIX = serving.PREFIX
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
LIVE = 'html[data-perfcalc="live"]'
BOOT_TIMEOUT_MS = 60_000  # a generous cap on a cold Pyodide start on a loaded CI machine; not a measurement


def _pages():
    """Each guide page: its URL path under the prefix and its calculator fences in order, as the build reads them."""
    pages = {}
    for md in sorted((ROOT / "docs").glob("*.md")):
        url = "" if md.stem == "index" else f"{md.stem}/"
        pages[url] = [parse_fence(body) for name, body in scan(md.read_text()) if name == "perfcalc"]
    return pages


PAGES = _pages()
# Where each calculator first appears: (page url, index of its form there, fence inputs).
FIRST_PAGE = {}
for _url, _fences in PAGES.items():
    for _index, (_cid, _inputs) in enumerate(_fences):
        FIRST_PAGE.setdefault(_cid, (_url, _index, _inputs))

def source_date_epoch() -> str:
    """The last commit's time, as the Makefile sets it: builds of the same sources are then identical."""
    done = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "1700000000"


ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": source_date_epoch()}
ENGINES = ("mkdocs", "zensical")
# A site `make test` built just before pytest (make build, make build-zensical), named by the Makefile: the tests
# use it instead of building their own, so every pytest-xdist worker serves the same build, built once.
BUILT = {"mkdocs": "PERFCALC_BUILT_SITE", "zensical": "PERFCALC_BUILT_ZENSICAL_SITE"}


def _run(command: list) -> None:
    """Run a build step; on failure, say which and show what it printed (warnings a strict build refused, say)."""
    done = subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True)
    if done.returncode:
        raise AssertionError(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}")


def build(engine: str, out: Path) -> Path:
    """The guide as readers get it, built by ``engine`` into ``out``, then the bundle step.

    MkDocs: --strict, and not --quiet (which would hide the warnings strict counts, a broken anchor
    among them). Zensical builds only inside its project, so it writes public-zensical/ (git-ignored),
    copied from there; -c drops its cache, so every page is rendered by the current code.
    """
    if engine == "mkdocs":
        _run([str(BIN / "mkdocs"), "build", "--strict", "-d", str(out)])
    else:
        _run([str(BIN / "zensical"), "build", "-c", "-f", "zensical.yml"])
        shutil.copytree(ROOT / "public-zensical", out)
    _run([sys.executable, "-m", "perfcalc_site.bundle", str(out)])
    return out


def _site(engine: str, tmp_path_factory) -> Path:
    """The site ``make test`` built for ``engine`` if it names one, else one built now, once for the whole run.

    Under pytest-xdist every worker has a session of its own: the first to need the site builds it
    in the run's shared temporary folder, under a lock the others wait on, and all use that build.
    """
    given = os.environ.get(BUILT[engine])
    if given:
        site = Path(given).resolve()
        assert (site / "runtime" / "perfcalc.js").exists(), f"{BUILT[engine]}={given} is not a built site"
        return site
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each worker's own
    out = shared / f"site-{engine}"
    with open(shared / f"site-{engine}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (out / "runtime" / "perfcalc.js").exists():
            shutil.rmtree(out, ignore_errors=True)  # what a failed build left
            build(engine, out)
    return out


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The guide built by MkDocs + Material, then the bundle step."""
    return _site("mkdocs", tmp_path_factory)


@pytest.fixture(scope="session")
def zensical_site(tmp_path_factory):
    """The same guide built by Zensical (zensical.yml: mkdocs.yml into public-zensical/), then the bundle step."""
    return _site("zensical", tmp_path_factory)


@pytest.fixture(scope="session")
def base_url(built_site, tmp_path_factory):
    """The MkDocs build, served under PREFIX on a random port."""
    with serving.serving(built_site, tmp_path_factory.mktemp("docroot")) as url:
        yield url


@pytest.fixture(scope="session")
def zensical_url(zensical_site, tmp_path_factory):
    """Zensical's build, served under PREFIX on a random port."""
    with serving.serving(zensical_site, tmp_path_factory.mktemp("docroot")) as url:
        yield url


@pytest.fixture(params=ENGINES)
def site_url(request):
    """The guide served as built by each engine in turn: for the tests that check the same thing of both."""
    return request.getfixturevalue({"mkdocs": "base_url", "zensical": "zensical_url"}[request.param])


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if DEBIAN_CHROMIUM.exists():  # Playwright cannot download its own browser here
        args["executable_path"] = str(DEBIAN_CHROMIUM)
    return args


@dataclass
class Monitor:
    """Everything a context did that a test must fail on: its pages', dedicated and shared workers' requests.

    It listens only while its test runs (``listen``, ``detach``), so a context shared by many tests
    blames each request or error on the test during which it happened.
    """

    origins: set
    requests: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    shared_workers: object = None  # helpers.SharedWorkers: what Playwright does not see
    listening: list = field(default_factory=list)  # (emitter, event, handler), removed by detach

    def listen(self, emitter, event: str, handler) -> None:
        emitter.on(event, handler)
        self.listening.append((emitter, event, handler))

    def attach_page(self, page):
        if any(emitter is page for emitter, _, _ in self.listening):
            return  # a keeper opened during the test: attached when the context announced it
        self.listen(page, "console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.listen(page, "pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def attach_context(self, context):
        """Every request of the context's pages and dedicated workers, every page it opens from now on."""
        self.listen(context, "request", lambda r: self.requests.append(r.url))
        self.listen(context, "page", self.attach_page)

    def detach(self):
        for emitter, event, handler in reversed(self.listening):
            emitter.remove_listener(event, handler)
        self.listening.clear()

    def outside(self):
        seen = self.requests + (self.shared_workers.requests if self.shared_workers else [])
        return [u for u in seen if not u.startswith(tuple(self.origins))
                and not u.startswith(("data:", "blob:", "about:"))]

    def check(self):
        assert self.outside() == [], f"requests left the site: {self.outside()[:5]}"
        assert self.errors == [], self.errors


def origin_of(url: str) -> str:
    return url.split(PREFIX)[0]


def _sites(request) -> list:
    """The served sites a test uses (MkDocs', Zensical's, or either through ``site_url``): their URLs."""
    return [request.getfixturevalue(name) for name in ("base_url", "zensical_url", "site_url")
            if name in request.fixturenames]


@dataclass
class Reader:
    """One browser context per pytest worker, for the tests that only read the site, with Python kept running.

    Each site it has visited keeps one live tab open (``keepers``): the SharedWorker, and the interpreter in
    it, lives as long as a tab uses it, so every test's new tab joins a warm interpreter instead of starting
    Pyodide again. The service worker installs once per site, as for a reader who comes back.
    """

    context: object
    keepers: dict = field(default_factory=dict)  # site URL -> its open live tab

    def keep_warm(self, url: str):
        """The open live tab of the site at ``url``, opened (and made live) if there is none."""
        page = self.keepers.get(url)
        if page is None or page.is_closed():
            page = self.context.new_page()
            page.goto(url)
            wait_live(page)  # a tab that did not go live is not kept: close_tabs closes it
            self.keepers[url] = page
        return page

    def close_tabs(self):
        """Close every tab but the keepers: what a test opened."""
        for page in self.context.pages:
            if page not in self.keepers.values():
                page.close()


@pytest.fixture(scope="session")
def reader(browser, browser_context_args):
    """The shared context (Reader) of this pytest worker; closed when the worker's session ends."""
    shared = Reader(browser.new_context(**browser_context_args))
    yield shared
    shared.context.close()


@pytest.fixture
def live_page(reader, request):
    """A new tab in the shared context: for a test that only reads and types; it may not change the context.

    The monitor listens to the context and to every tab in it (the keepers too) for this test only, and
    fails the test at teardown on any request outside the sites it uses and any console error or uncaught
    exception. A test that changes the context (an init script, a permission, offline, a route) or needs a
    cold start or a count of workers uses ``fresh_page``.
    """
    sites = _sites(request)
    m = Monitor(origins={origin_of(url) for url in [*sites, *reader.keepers]})  # a keeper's own site is no leak
    m.attach_context(reader.context)
    try:
        for url in sites:
            reader.keep_warm(url)
        for keeper in reader.keepers.values():  # what this test makes them do is this test's
            m.attach_page(keeper)
        yield reader.context.new_page()
    finally:
        reader.close_tabs()  # closed before the check: what the page was still sending is seen
        m.detach()
    m.check()


@pytest.fixture(scope="session")
def static_context(browser, browser_context_args):
    """One context per pytest worker with JavaScript off: the pages as built, as a reader without JavaScript gets them."""
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    yield context
    context.close()


@pytest.fixture
def static_page(static_context):
    """A new tab with JavaScript off, closed after the test (no script runs: nothing carries over between tests)."""
    page = static_context.new_page()
    yield page
    page.close()


@pytest.fixture
def fresh_page(context, request):
    """A page in a browser context of its own (pytest-playwright's, closed after the test), watched as ``live_page``.

    Requests are seen from the context (pages, dedicated workers). A shared worker's are not: watching them
    (helpers.SharedWorkers, test_shared_worker.py) stalled the page's start in a context with a service worker
    (test_security's policy test never went live), so the monitor does not attach them yet.
    """
    m = Monitor(origins={origin_of(url) for url in _sites(request)})
    m.attach_context(context)
    yield context.new_page()
    m.check()


def wait_live(page):
    page.wait_for_selector(LIVE, state="attached", timeout=BOOT_TIMEOUT_MS)
