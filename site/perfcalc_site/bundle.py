"""The bundle step: ``python -m perfcalc_site.bundle PUBLIC``, run after MkDocs or Zensical has built PUBLIC.

It adds everything the pages need beyond their HTML:

- ``vendor/pyodide/``: the Python runtime, from ``node_modules`` (pinned by
  ``package.json`` and its lock); ``vendor/katex/``: KaTeX's stylesheet and
  fonts (the equations were typeset at build time);
- ``py/perfcalc.zip``: the browser's Python (perfcalc, the worker's module and
  the chart drawing), written directly from the working tree, each module with
  its bytecode compiled by the browser's own Python (Pyodide under node) beside
  it, so Python imports it straight from the archive (zipimport: nothing to
  unpack); byte-identical for identical sources;
- ``runtime/``: the page's controller (ES modules and one classic script) and
  the worker, every ``.js`` file of ``site/browser/`` but the service worker;
  ``boot.js`` gets the build's id (``stamp_build``), its shared worker's name;
  every page names the modules the controller imports in ``<link
  rel="modulepreload">`` (``preload_modules``), so they are all fetched at once;
- ``py/python-snapshot.gz``: the interpreter's memory once the browser's Python
  is imported, which the worker restores instead of booting Python
  (``site/make-snapshot.mjs``, under node; byte-identical for identical sources);
- the static files (``site/static/``: styles, manifest, icons);
- a content security policy in every page (``csp.py``);
- last, ``sw.js``: the service worker (``site/browser/sw.js``) with the list of
  every file and its content hash (computed by workbox-build).

Either engine's output plus this step is the whole site; neither engine's
plugins or hooks are involved.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import perfcalc

from . import csp, reference

SITE = Path(__file__).resolve().parent.parent
ROOT = SITE.parent
NODE_MODULES = ROOT / "node_modules"

PYTHON_ARCHIVE = "perfcalc.zip"  # runtime/interpreter.js fetches it by this name
# What of the npm package the browser needs (no source maps, types or demos).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
SERVICE_WORKER = "sw.js"  # written to the site's root by build-sw.mjs, not copied to runtime/
# perfcalc's subpackages the browser's archive leaves out: perfcalc.lab starts Gunicorn and sends it load,
# nothing a page can do (nothing else in perfcalc imports it).
NOT_IN_BROWSER = ("lab",)
STAMP = (2020, 1, 1, 0, 0, 0)  # every archive member's date: the same sources give the same bytes


class BundleError(RuntimeError):
    """A bundle step failed; the message says which and why."""


def _node(script: str, *args: str, stdin: str | None = None) -> str:
    try:
        done = subprocess.run(["node", str(SITE / script), *args], input=stdin, capture_output=True, text=True,
                              check=True, cwd=ROOT)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BundleError(f"{script} failed: {getattr(exc, 'stderr', None) or exc}") from exc
    return done.stdout


def bytecode(sources: dict[str, str]) -> dict[str, bytes]:
    """Each module compiled by the browser's Python (Pyodide under node): its archive path → the .pyc's bytes."""
    answer = json.loads(_node("compile-pyc.mjs", stdin=json.dumps(sources)))
    return {arc: base64.b64decode(data) for arc, data in answer["pyc"].items()}


def _write_archive(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for arc in sorted(members):
            archive.writestr(zipfile.ZipInfo(arc, STAMP), members[arc], compress_type=zipfile.ZIP_DEFLATED)


def python_archive(dest: Path, compile_=None) -> None:
    """The browser's Python as one archive Python imports from: perfcalc, the worker's module, the chart drawing.

    Each ``module.py`` has its bytecode beside it as ``module.pyc`` (where
    zipimport looks for it; the bytecode is unchecked-hash, so it is used as
    is), and ``perfcalc-VERSION.dist-info/METADATA`` names the package.
    """
    compile_ = compile_ or bytecode
    package = ROOT / "perfcalc"
    sources = {f"perfcalc/{path.relative_to(package).as_posix()}": path.read_bytes()
               for path in sorted(package.rglob("*.py"))
               if "__pycache__" not in path.parts and path.relative_to(package).parts[0] not in NOT_IN_BROWSER}
    sources.update({
        "perfcalc_worker.py": (SITE / "browser" / "perfcalc_worker.py").read_bytes(),
        "perfcalc_site/__init__.py": (SITE / "perfcalc_site" / "__init__.py").read_bytes(),
        "perfcalc_site/charts.py": (SITE / "perfcalc_site" / "charts.py").read_bytes(),
    })
    compiled = compile_({arc: data.decode("utf-8") for arc, data in sources.items()})
    members = {**sources, **{f"{arc[:-3]}.pyc": data for arc, data in compiled.items()}}
    info = f"perfcalc-{perfcalc.__version__}.dist-info"
    members[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: perfcalc\nVersion: {perfcalc.__version__}\n".encode()
    _write_archive(dest / PYTHON_ARCHIVE, members)


BUILD_PLACEHOLDER = 'const BUILD = "source";'  # in site/browser/boot.js


def worker_build(out: Path) -> str:
    """What the worker runs (its scripts, the browser's Python, the snapshot, Pyodide), as 12 hex digits."""
    digest = hashlib.sha256()
    files = [*sorted((out / "runtime").glob("*.js")), *sorted((out / "py").iterdir()),
             *sorted((out / "vendor" / "pyodide").iterdir())]
    for path in files:
        if path.name != "boot.js":
            digest.update(f"{path.relative_to(out).as_posix()}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:12]


def stamp_build(out: Path) -> None:
    """Name the shared worker after the build in ``runtime/boot.js``.

    Tabs share a worker by its script's URL and name, so without the build in
    the name a page of a new version (after the update prompt's reload) would
    connect to the previous version's worker, still serving the older tabs.
    """
    boot = out / "runtime" / "boot.js"
    text = boot.read_text(encoding="utf-8")
    if BUILD_PLACEHOLDER not in text:
        raise SystemExit(f"{boot}: no `{BUILD_PLACEHOLDER}` line to stamp the build into; "
                         "site/browser/boot.js must name its shared worker after the build with it")
    boot.write_text(text.replace(BUILD_PLACEHOLDER, f'const BUILD = "{worker_build(out)}";'), encoding="utf-8")


ENTRY_MODULE = "perfcalc.js"  # the controller's module, which the theme loads (site/overrides/main.html)
ENTRY_SCRIPT = re.compile(r'<script type="module" src="([^"]*)perfcalc\.js"')  # that module's script in a page
STATIC_IMPORT = re.compile(r'^(?:import|export)\b[^;]*?\bfrom\s+"\./([\w.-]+\.js)";|^import\s+"\./([\w.-]+\.js)";', re.M)


def imports_of(text: str) -> list[str]:
    r"""The sibling modules a module imports statically (``import ... from "./x.js"``), in order.

    >>> imports_of('import { OP } from "./protocol.js";\nimport * as c from\n  "./connection.js";\n// import "./no.js"')
    ['protocol.js', 'connection.js']
    """
    return [a or b for a, b in STATIC_IMPORT.findall(text)]


def module_graph(runtime: Path, entry: str = ENTRY_MODULE) -> list[str]:
    """``entry`` and every module it imports, directly or not, breadth first (dynamic imports and workers aside)."""
    order, queue = [entry], [entry]
    while queue:
        module = queue.pop(0)
        for name in imports_of((runtime / module).read_text(encoding="utf-8")):
            if name not in order:
                if not (runtime / name).is_file():
                    raise BundleError(f"runtime/{module} imports ./{name}, which is not in site/browser/: "
                                      "add the module or fix the import")
                order.append(name)
                queue.append(name)
    return order


def preload_modules(text: str, modules: list[str]) -> str:
    """The page with ``<link rel="modulepreload">`` for each module, just before the controller's module script.

    A module script's imports are only requested once it has been fetched and
    parsed, one level at a time, each behind the main thread's work (Material's
    bundle): named beside the entry module, the whole graph is requested with
    it. Not at the top of <head>: there, they would delay Material's own
    stylesheets and bundle, which the page needs first.

    >>> preload_modules('<p><script type="module" src="../runtime/perfcalc.js"></script>', ["perfcalc.js", "dom.js"])
    '<p><link rel="modulepreload" href="../runtime/dom.js"><script type="module" src="../runtime/perfcalc.js"></script>'
    """
    found = ENTRY_SCRIPT.search(text)
    if found is None:
        return text  # not a page of the theme (a redirect)
    links = "".join(f'<link rel="modulepreload" href="{found.group(1)}{name}">' for name in modules if name != ENTRY_MODULE)
    return text[:found.start()] + links + text[found.start():]


def built_for(out: Path) -> str:
    """The path of the site_url the pages were built for (the 404 page's links start with it)."""
    from urllib.parse import urlsplit

    found = re.search(r'data-site-url="([^"]*)"', (out / "index.html").read_text(encoding="utf-8"))
    if found is None:
        raise BundleError(f"{out / 'index.html'} has no runtime script (data-site-url): is the theme override used?")
    path = urlsplit(found.group(1)).path or "/"
    return path if path.endswith("/") else path + "/"


def _fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def bundle(out: Path) -> None:
    """Add the runtime, the Python, the static files and the service worker to a built site."""
    if not (out / "index.html").is_file():
        raise BundleError(f"{out} is not a built site (no index.html): build with MkDocs or Zensical first")
    if not all((NODE_MODULES / p).exists() for p in ("pyodide/pyodide.mjs", "katex/dist", "workbox-build")):
        raise BundleError("node_modules is missing the runtime: run `npm install` (make build does)")

    pyodide = _fresh(out / "vendor" / "pyodide")
    for name in PYODIDE_FILES:
        shutil.copy2(NODE_MODULES / "pyodide" / name, pyodide / name)
    katex = _fresh(out / "vendor" / "katex")
    (katex / "fonts").mkdir()
    shutil.copy2(NODE_MODULES / "katex" / "dist" / "katex.min.css", katex / "katex.min.css")
    for font in sorted((NODE_MODULES / "katex" / "dist" / "fonts").glob("*.woff2")):
        shutil.copy2(font, katex / "fonts" / font.name)

    python_archive(_fresh(out / "py"))

    runtime = _fresh(out / "runtime")
    for script in sorted((SITE / "browser").glob("*.js")):
        if script.name != SERVICE_WORKER:
            shutil.copy2(script, runtime / script.name)

    # The snapshot runs the built site's own runtime/interpreter.js and vendored Pyodide.
    print(_node("make-snapshot.mjs", str(out)).strip())
    stamp_build(out)

    for static in sorted((SITE / "static").iterdir()):
        shutil.copy2(static, out / static.name)
    (out / "perfcalc-math.css").write_text(reference.math_stylesheet(), encoding="utf-8")

    # One policy for the whole site: instant navigation swaps pages into the first page's document,
    # whose policy then governs them all.
    pages = sorted(out.rglob("*.html"))
    modules = module_graph(out / "runtime")
    texts = {page: preload_modules(page.read_text(encoding="utf-8"), modules) for page in pages}
    theme_sheets = [sheet for script in sorted((out / "assets" / "javascripts").glob("*.js"))
                    for sheet in csp.script_stylesheets(script.read_text(encoding="utf-8"))]
    policy = csp.site_policy(texts.values(), theme_sheets)
    for page, text in texts.items():
        page.write_text(csp.add_policy(text, policy), encoding="utf-8")

    # Last: the service worker precaches the finished site.
    print(_node("build-sw.mjs", str(out), str(SITE / "browser" / SERVICE_WORKER), built_for(out)).strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m perfcalc_site.bundle", description=__doc__.split("\n\n")[0])
    parser.add_argument("public", type=Path, help="the folder MkDocs or Zensical built")
    args = parser.parse_args(argv)
    try:
        bundle(args.public)
    except BundleError as exc:
        print(f"bundle: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
