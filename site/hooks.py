"""MkDocs hook: the whole build-side integration of perfcalc with the site.

- ```perfcalc fences become forms whose results are computed here, natively,
  so correct numbers are on the page before (and without) JavaScript;
- the ```perfcalc-reference fence becomes the model reference, from the
  catalogue and the model docstrings;
- after the build: the perfcalc wheel (from the working tree), the
  browser-side Python (the worker's module and the chart drawing), the Pyodide
  runtime (from node_modules), the page controller and its worker, the web
  app manifest, and finally the Workbox service worker that precaches all of it.

Everything browser-specific lives in site/; formulas stay in perfcalc/.
"""

from __future__ import annotations

import base64
import inspect
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from mkdocs.exceptions import PluginError

SITE = Path(__file__).resolve().parent
ROOT = SITE.parent
sys.path.insert(0, str(SITE))
sys.path.insert(0, str(ROOT))

import perfcalc  # noqa: E402
from render import FenceError, parse_fence, render_fence  # noqa: E402

FENCE = re.compile(r"^```perfcalc[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
REFERENCE_FENCE = re.compile(r"^```perfcalc-reference[ \t]*\n```[ \t]*$", re.M)
PLACEHOLDER = re.compile(r"<!--perfcalc-form:(\d+)-->")
CLI_FENCE = re.compile(r"^```perfcalc-cli[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
EXPECT = re.compile(r"\s+#\s*exits\s+(\d+)\s*$")

# What of the npm packages the browser needs (no source maps, types or demos).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")


def _typeset(tex: list[str]) -> list[str]:
    """TeX to HTML with KaTeX (node, from node_modules), in one batch; a TeX error fails the build."""
    try:
        done = subprocess.run(["node", str(SITE / "katex-render.mjs")], input=json.dumps(tex), capture_output=True,
                              text=True, check=True, cwd=ROOT)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise PluginError(f"typesetting the model equations failed: {getattr(exc, 'stderr', exc)}") from exc
    return json.loads(done.stdout)


def _reference_markdown() -> str:
    """One section per calculator: equations, assumptions, inputs, outputs, the model's docstring."""
    calcs = list(perfcalc.CALCULATORS.values())
    typeset = iter(_typeset([tex for calc in calcs for tex in calc.equations]))
    out = []
    for calc in calcs:
        equations = "\n".join(f'<div class="perfcalc-equation">{next(typeset)}</div>' for _ in calc.equations)
        func, module = calc.model, inspect.getmodule(calc.model)
        # The function's docstring, then its module's, which lists the sources.
        doc = (inspect.getdoc(func) or "") + "\n\n" + (inspect.getdoc(module) or "")
        fields = "\n".join(f"| `{f.name}` | {f.label} | {f.unit or '—'} | {f.rule()} |" for f in calc.fields)
        outputs = "\n".join(f"| `{o.name}` | {o.label} | {o.unit or '—'} |" for o in calc.outputs)
        out.append(
            f"## {calc.title} {{#{calc.id}}}\n\n{calc.summary}\n\n"
            f"{equations}\n\n"
            f"**Assumptions.** {calc.assumptions}\n\n"
            f"| input | meaning | unit | rule |\n|---|---|---|---|\n{fields}\n\n"
            f"| output | meaning | unit |\n|---|---|---|\n{outputs}\n\n"
            f"Model: `{func.__module__}.{func.__qualname__}`\n\n```text\n{doc}\n```\n"
        )
    return "\n".join(out)


WHEEL = f"perfcalc-{perfcalc.__version__}-py3-none-any.whl"
SITE_DEPS = "site-deps.zip"  # the worker's module and site/charts.py, unpacked into the worker's Python path


def on_config(config):
    # The theme template names the wheel for the worker and its preload hint.
    config["extra"]["perfcalc_wheel"] = WHEEL
    config["extra"]["perfcalc_site_deps"] = SITE_DEPS
    return config


def _run_cli(line: str, where: str) -> str:
    """Run one documented command through the real CLI; its output goes in the page.

    A line may end with "# exits N" when the example shows a failure; any
    other exit status fails the build, so the docs cannot drift from the code.
    """
    import contextlib
    import io
    import shlex

    from perfcalc.cli import main

    expected = EXPECT.search(line)
    command = EXPECT.sub("", line).strip()
    argv = shlex.split(command)
    if not argv or argv[0] != "perfcalc":
        raise PluginError(f"{where}: perfcalc-cli lines must start with 'perfcalc', got {command!r}")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv[1:])
        except SystemExit as exc:  # argparse's own exits (usage errors, --help)
            status = exc.code or 0
    want = int(expected.group(1)) if expected else 0
    if status != want:
        raise PluginError(f"{where}: `{command}` exited {status}, the page says {want}:\n{err.getvalue()}")
    shown = f"$ {command}\n{out.getvalue()}{err.getvalue()}".rstrip("\n")
    if status:
        shown += f"\n$ echo $?\n{status}"
    return shown


def on_page_markdown(markdown, page, config, files):
    forms = page.meta.setdefault("_perfcalc_forms", [])
    reference_url = _relative(page, "reference/")

    seen: dict[str, int] = {}

    def replace(match):
        n = len(forms) + 1
        try:
            # Readable, stable keys: they name fields in shared links (?worker-pool.workers=7).
            calculator_id, _ = parse_fence(match.group(1))
            seen[calculator_id] = seen.get(calculator_id, 0) + 1
            key = calculator_id if seen[calculator_id] == 1 else f"{calculator_id}-{seen[calculator_id]}"
            forms.append(render_fence(match.group(1), key, reference_url))
        except FenceError as exc:
            raise PluginError(f"{page.file.src_path}: {exc}") from exc
        # A comment survives Markdown untouched; the form replaces it after conversion.
        return f"\n<!--perfcalc-form:{n - 1}-->\n"

    markdown = FENCE.sub(replace, markdown)
    markdown = CLI_FENCE.sub(
        lambda m: "```console\n" + "\n\n".join(
            _run_cli(line, page.file.src_path) for line in m.group(1).splitlines() if line.strip()) + "\n```",
        markdown,
    )
    return REFERENCE_FENCE.sub(lambda _m: _reference_markdown(), markdown)


def on_page_content(html, page, config, files):
    forms = page.meta.get("_perfcalc_forms", [])
    return PLACEHOLDER.sub(lambda m: forms[int(m.group(1))], html)


def _relative(page, target: str) -> str:
    """A link from this page to a site path, relative so the site works under any prefix."""
    depth = page.url.count("/") if page.url else 0
    return "../" * depth + target


STAMP = (2020, 1, 1, 0, 0, 0)  # every archive member's date: the same sources give the same bytes


def _bytecode(sources: dict[str, str]) -> dict[str, bytes]:
    """Each module compiled by the browser's Python (Pyodide under node): archive path of the .pyc -> bytes."""
    try:
        done = subprocess.run(["node", str(SITE / "compile-pyc.mjs")], input=json.dumps(sources), capture_output=True,
                              text=True, check=True, cwd=ROOT)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise PluginError(f"compiling the browser's Python failed: {getattr(exc, 'stderr', exc)}") from exc
    answer = json.loads(done.stdout)
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


def _build_python(dest: Path) -> None:
    """The browser's Python: a wheel of perfcalc, and site-deps.zip (the worker's module and the chart drawing).

    Both are written directly (a wheel is a zip with a dist-info folder): no
    build backend, no network, byte-identical for identical sources. Each
    module travels with its bytecode for the browser's Python version, so the
    worker imports without compiling.
    """
    package = ROOT / "perfcalc"
    wheel = {f"perfcalc/{path.relative_to(package).as_posix()}": path.read_bytes()
             for path in sorted(package.rglob("*.py")) if "__pycache__" not in path.parts}
    deps = {"charts.py": (SITE / "charts.py").read_bytes(),
            "perfcalc_worker.py": (SITE / "browser" / "perfcalc_worker.py").read_bytes()}
    compiled = _bytecode({arc: data.decode("utf-8") for arc, data in {**wheel, **deps}.items()})
    wheel.update({arc: data for arc, data in compiled.items() if arc.startswith("perfcalc/")})
    deps.update({arc: data for arc, data in compiled.items() if not arc.startswith("perfcalc/")})

    info = f"perfcalc-{perfcalc.__version__}.dist-info"
    wheel[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: perfcalc\nVersion: {perfcalc.__version__}\n".encode()
    wheel[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: perfcalc-site\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    wheel[f"{info}/RECORD"] = ("".join(f"{arc},,\n" for arc in sorted(wheel)) + f"{info}/RECORD,,\n").encode()
    _write_archive(dest / WHEEL, wheel)
    _write_archive(dest / SITE_DEPS, deps)


def on_post_build(config):
    out = Path(config["site_dir"])
    modules = ROOT / "node_modules"
    if not all((modules / p).exists() for p in ("pyodide/pyodide.mjs", "katex/dist")):
        raise PluginError("node_modules is missing the runtime: run `npm ci` (make build does)")

    vendor = out / "vendor"
    shutil.rmtree(vendor, ignore_errors=True)
    (vendor / "pyodide").mkdir(parents=True)
    for name in PYODIDE_FILES:
        shutil.copy2(modules / "pyodide" / name, vendor / "pyodide" / name)
    # KaTeX typesets at build time; the browser needs only its stylesheet and fonts (woff2 is enough).
    (vendor / "katex" / "fonts").mkdir(parents=True)
    shutil.copy2(modules / "katex" / "dist" / "katex.min.css", vendor / "katex" / "katex.min.css")
    for font in (modules / "katex" / "dist" / "fonts").glob("*.woff2"):
        shutil.copy2(font, vendor / "katex" / "fonts" / font.name)

    py = out / "py"
    shutil.rmtree(py, ignore_errors=True)
    py.mkdir()
    _build_python(py)

    runtime = out / "runtime"
    shutil.rmtree(runtime, ignore_errors=True)
    runtime.mkdir()
    for name in ("perfcalc.js", "worker.js"):
        shutil.copy2(SITE / "browser" / name, runtime / name)

    for static in (SITE / "static").iterdir():
        shutil.copy2(static, out / static.name)

    # Last: the service worker precaches the finished build.
    try:
        subprocess.run(["node", str(SITE / "build-sw.mjs"), str(out)], check=True, cwd=ROOT)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise PluginError(f"service worker build failed: {exc}") from exc
