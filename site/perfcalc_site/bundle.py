"""The bundle step: ``python -m perfcalc_site.bundle PUBLIC``, run after MkDocs or Zensical has built PUBLIC.

It adds everything the pages need beyond their HTML:

- ``vendor/pyodide/``: the Python runtime, from ``node_modules`` (pinned by
  ``package.json`` and its lock); ``vendor/katex/``: KaTeX's stylesheet and
  fonts (the equations were typeset at build time);
- ``py/perfcalc.whl`` and ``py/site-deps.zip``: the browser's Python, written
  directly from the working tree, each module with its bytecode compiled by
  the browser's own Python (Pyodide under node), byte-identical for identical
  sources;
- ``runtime/``: the page's controller (ES modules and one classic script) and
  the worker, every ``.js`` file of ``site/browser/`` but the service worker;
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

WHEEL = "perfcalc.whl"  # the theme's preload links and the worker use these names
SITE_DEPS = "site-deps.zip"
# What of the npm package the browser needs (no source maps, types or demos).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
SERVICE_WORKER = "sw.js"  # written to the site's root by build-sw.mjs, not copied to runtime/
# perfcalc's subpackages the browser's wheel leaves out: perfcalc.lab starts Gunicorn and sends it load,
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
    """Each module compiled by the browser's Python (Pyodide under node): archive path of the .pyc → bytes."""
    answer = json.loads(_node("compile-pyc.mjs", stdin=json.dumps(sources)))
    out = {}
    for arc, data in answer["pyc"].items():
        folder, _, name = arc.rpartition("/")
        pyc = f"__pycache__/{name[:-3]}.{answer['cache_tag']}.pyc"
        out[f"{folder}/{pyc}" if folder else pyc] = base64.b64decode(data)
    return out


def _write_archive(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for arc in sorted(members):
            archive.writestr(zipfile.ZipInfo(arc, STAMP), members[arc], compress_type=zipfile.ZIP_DEFLATED)


def python_archives(dest: Path, compile_=None) -> None:
    """The browser's Python: a wheel of perfcalc, and site-deps.zip (the worker's module and the chart drawing)."""
    compile_ = compile_ or bytecode
    package = ROOT / "perfcalc"
    wheel = {f"perfcalc/{path.relative_to(package).as_posix()}": path.read_bytes()
             for path in sorted(package.rglob("*.py"))
             if "__pycache__" not in path.parts and path.relative_to(package).parts[0] not in NOT_IN_BROWSER}
    deps = {
        "perfcalc_worker.py": (SITE / "browser" / "perfcalc_worker.py").read_bytes(),
        "perfcalc_site/__init__.py": (SITE / "perfcalc_site" / "__init__.py").read_bytes(),
        "perfcalc_site/charts.py": (SITE / "perfcalc_site" / "charts.py").read_bytes(),
    }
    compiled = compile_({arc: data.decode("utf-8") for arc, data in {**wheel, **deps}.items()})
    wheel.update({arc: data for arc, data in compiled.items() if arc.startswith("perfcalc/")})
    deps.update({arc: data for arc, data in compiled.items() if not arc.startswith("perfcalc/")})

    info = f"perfcalc-{perfcalc.__version__}.dist-info"
    wheel[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: perfcalc\nVersion: {perfcalc.__version__}\n".encode()
    wheel[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: perfcalc-site\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    wheel[f"{info}/RECORD"] = ("".join(f"{arc},,\n" for arc in sorted(wheel)) + f"{info}/RECORD,,\n").encode()
    _write_archive(dest / WHEEL, wheel)
    _write_archive(dest / SITE_DEPS, deps)


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

    python_archives(_fresh(out / "py"))

    runtime = _fresh(out / "runtime")
    for script in sorted((SITE / "browser").glob("*.js")):
        if script.name != SERVICE_WORKER:
            shutil.copy2(script, runtime / script.name)

    for static in sorted((SITE / "static").iterdir()):
        shutil.copy2(static, out / static.name)
    (out / "perfcalc-math.css").write_text(reference.math_stylesheet(), encoding="utf-8")

    # One policy for the whole site: instant navigation swaps pages into the first page's document,
    # whose policy then governs them all.
    pages = sorted(out.rglob("*.html"))
    texts = {page: page.read_text(encoding="utf-8") for page in pages}
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
