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
    """Everything a context did that a test must fail on."""

    origins: set
    requests: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def attach_page(self, page):
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def outside(self):
        return [u for u in self.requests if not u.startswith(tuple(self.origins))
                and not u.startswith(("data:", "blob:", "about:"))]

    def check(self):
        assert self.outside() == [], f"requests left the site: {self.outside()[:5]}"
        assert self.errors == [], self.errors


def origin_of(url: str) -> str:
    return url.split(PREFIX)[0]


@pytest.fixture
def monitor(context, request):
    """Watches every request and error; the sites under test are those the test uses (MkDocs', Zensical's)."""
    sites = [request.getfixturevalue(name) for name in ("base_url", "zensical_url", "site_url")
             if name in request.fixturenames]
    m = Monitor(origins={origin_of(url) for url in sites})
    context.on("request", lambda r: m.requests.append(r.url))
    context.on("page", m.attach_page)
    yield m
    m.check()


@pytest.fixture
def live_page(page, monitor):
    """A page whose console and requests are watched; the monitor checks them at teardown."""
    monitor.attach_page(page)
    return page


def wait_live(page):
    page.wait_for_selector(LIVE, state="attached", timeout=BOOT_TIMEOUT_MS)
