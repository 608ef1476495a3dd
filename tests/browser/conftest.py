"""Browser tests: the built site, served by `python -m http.server` under /guide/, in real Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the venv's mkdocs and zensical

from perfcalc_site.fences import scan  # noqa: E402
from perfcalc_site.render import parse_fence  # noqa: E402


PREFIX = "/guide/"
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


def _bundle(out: Path) -> None:
    subprocess.run([sys.executable, "-m", "perfcalc_site.bundle", str(out)], cwd=ROOT, check=True, env=ENV,
                   stdout=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The guide as readers get it: MkDocs + Material, then the bundle step."""
    out = tmp_path_factory.mktemp("site") / "public"
    subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "--quiet", "-d", str(out)], cwd=ROOT, check=True,
                   env=ENV)
    _bundle(out)
    return out


@pytest.fixture(scope="session")
def zensical_site(tmp_path_factory):
    """The same guide built by Zensical (zensical.yml: mkdocs.yml into public-zensical/), then the bundle step.

    Zensical builds only inside its project, so it writes public-zensical/ (git-ignored), copied from there;
    -c drops its cache, so every page is rendered by the current code.
    """
    subprocess.run([str(BIN / "zensical"), "build", "-c", "-f", "zensical.yml"], cwd=ROOT, check=True, env=ENV,
                   stdout=subprocess.DEVNULL)
    out = tmp_path_factory.mktemp("zensical") / "public"
    shutil.copytree(ROOT / "public-zensical", out)
    _bundle(out)
    return out


def _serve(site: Path, tmp_path_factory):
    """The plain standard-library server, the site mounted at a sub-path (a symlink), on a random port."""
    docroot = tmp_path_factory.mktemp("docroot")
    (docroot / PREFIX.strip("/")).symlink_to(site, target_is_directory=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(docroot)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}{PREFIX}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return server, url


@pytest.fixture(scope="session")
def zensical_url(zensical_site, tmp_path_factory):
    server, url = _serve(zensical_site, tmp_path_factory)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def base_url(built_site, tmp_path_factory):
    server, url = _serve(built_site, tmp_path_factory)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if DEBIAN_CHROMIUM.exists():  # Playwright cannot download its own browser here
        args["executable_path"] = str(DEBIAN_CHROMIUM)
    return args


@dataclass
class Monitor:
    """Everything a context did that a test must fail on: its pages', dedicated and shared workers' requests."""

    origins: set
    requests: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    shared_workers: object = None  # helpers.SharedWorkers: what Playwright does not see

    def attach_page(self, page):
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def outside(self):
        seen = self.requests + (self.shared_workers.requests if self.shared_workers else [])
        return [u for u in seen if not u.startswith(tuple(self.origins))
                and not u.startswith(("data:", "blob:", "about:"))]

    def check(self):
        assert self.outside() == [], f"requests left the site: {self.outside()[:5]}"
        assert self.errors == [], self.errors


def origin_of(url: str) -> str:
    return url.split(PREFIX)[0]


@pytest.fixture
def monitor(context, request):
    """Watches every request and error; the site under test is the MkDocs build or, if the test uses it, Zensical's.

    Requests are seen from the context (pages, dedicated workers). A shared worker's are not: watching them
    (helpers.SharedWorkers, test_shared_worker.py) stalled the page's start in a context with a service worker
    (test_security's policy test never went live), so the monitor does not attach them yet.
    """
    sites = [request.getfixturevalue(name) for name in ("base_url", "zensical_url") if name in request.fixturenames]
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
