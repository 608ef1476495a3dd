"""The built guide served as readers host it: plain `http.server`, under a sub-path, on a random port.

One helper for the browser tests (tests/browser/conftest.py and the tests
that serve a changed copy of the site) and for `make bench`
(benchmarks/browser.py, which puts the repository on ``sys.path`` to import
it). Everything listens on 127.0.0.1 only and is stopped by its caller.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

PREFIX = "/guide/"  # where the site is mounted: a host's sub-path, so no link may assume the root
READY_TIMEOUT_S = 10.0  # a cap on the server's start-up on a loaded machine; not a measurement


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the kernel's choice), for a server to bind next.

    >>> 1024 <= free_port() <= 65535
    True
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mount(site: Path, docroot: Path, prefix: str = PREFIX) -> Path:
    """Make ``docroot`` (created if missing) serve ``site`` at ``prefix``, through a symlink; return ``docroot``."""
    docroot.mkdir(parents=True, exist_ok=True)
    # Not resolved: a test may repoint ``site`` (a symlink itself) to serve another build at the same address.
    (docroot / prefix.strip("/")).symlink_to(site, target_is_directory=True)
    return docroot


def linked_copy(site: Path, to: Path, apart: str) -> Path:
    """A copy of ``site`` at ``to`` made of symlinks but for the folder ``apart``, left empty to be filled.

    Tests change one part of a built site (its Python, its snapshot) and
    serve the rest untouched.
    """
    to.mkdir(parents=True)
    for entry in site.iterdir():
        if entry.name != apart:
            (to / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    (to / apart).mkdir()
    return to


RUNTIME_IN_PAGE = re.compile(r'<script [^>]*src="[^"]*runtime/[a-z]+\.js"[^>]*></script>', re.S)


def without_runtime(site: Path, to: Path, leave_out: tuple[str, ...] = ()) -> Path:
    """A copy of ``site`` at ``to`` whose pages load none of the runtime's scripts: the same guide, never live.

    The baseline a measurement of the runtime compares with (memory, paint).
    ``leave_out`` names top-level folders not copied (what only the runtime loads).
    """
    shutil.copytree(site, to, ignore=lambda folder, names: [n for n in names if Path(folder) == site and n in leave_out])
    for page in to.rglob("*.html"):
        page.write_text(RUNTIME_IN_PAGE.sub("", page.read_text()))
    return to


def start(docroot: Path, ready: str = PREFIX) -> tuple[subprocess.Popen, str]:
    """Start `python -m http.server` on ``docroot``; return it and its origin once ``ready`` answers."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(docroot)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    origin = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        try:
            urllib.request.urlopen(origin + ready, timeout=1).close()
            return server, origin
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                stop(server)
                raise RuntimeError(f"the static server on {docroot} did not answer {origin + ready} "
                                   f"within {READY_TIMEOUT_S:g} s (exit status {server.returncode})") from None
            time.sleep(0.1)


def stop(server: subprocess.Popen) -> None:
    """Stop a server from :func:`start` and wait for it to exit."""
    server.terminate()
    server.wait(timeout=10)


@contextlib.contextmanager
def serving(site: Path, docroot: Path) -> Iterator[str]:
    """Serve ``site`` under :data:`PREFIX` from a new ``docroot``; yield the site's URL, stop on leaving."""
    server, origin = start(mount(site, docroot))
    try:
        yield origin + PREFIX
    finally:
        stop(server)
