"""Python starts from the build's memory snapshot; a snapshot that cannot be used means a cold start, not a broken page.

The worker says how it started (``<html data-perfcalc-start>``: ``snapshot``
or ``cold``). The broken snapshots are served from copies of the built site
that differ only in ``py/python-snapshot.gz``, so nothing but the snapshot
can explain a cold start. The restored interpreter itself is also driven
under Node, with the built site's own ``runtime/interpreter.js``.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess

import pytest

from tests import serving

from .conftest import wait_live
from .helpers import expected, read_forms, same_outputs

SNAPSHOT = "py/python-snapshot.gz"
COLD_START = "Python started without its snapshot"


def _with_snapshot(built_site, tmp_path_factory, change):
    """A copy of the built site (links, but for py/) whose snapshot bytes went through ``change``."""
    site = serving.linked_copy(built_site, tmp_path_factory.mktemp("snapshot") / "public", apart="py")
    shutil.copytree(built_site / "py", site / "py", dirs_exist_ok=True)
    data = change((built_site / SNAPSHOT).read_bytes())
    if data is None:
        (site / SNAPSHOT).unlink()
    else:
        (site / SNAPSHOT).write_bytes(data)
    return site


def _corrupted(data):
    middle = len(data) // 2
    return data[:middle] + bytes(b ^ 0x5A for b in data[middle:middle + 64]) + data[middle + 64:]


def _other_build(data):
    """The same memory, labelled as made by another Pyodide build (bytes 16-47 of the header: its build id)."""
    memory = bytearray(gzip.decompress(data))
    memory[16:48] = bytes(range(32))
    return gzip.compress(bytes(memory), mtime=0)


BROKEN = {
    "corrupted": (_corrupted, "is damaged"),
    "truncated": (lambda data: data[: len(data) // 3], "is damaged"),
    "made by another build": (_other_build, "build id mismatch"),
    "missing": (lambda data: None, "404"),
}


def test_python_starts_from_the_snapshot(browser, base_url):
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.goto(base_url + "wsgi/")
    wait_live(page)
    assert page.evaluate("document.documentElement.dataset.perfcalcStart") == "snapshot"
    assert not [w for w in warnings if COLD_START in w]
    form = page.locator('form.perfcalc[data-key="worker-pool"]')
    form.locator('input[name="workers"]').fill("9")
    want, _ = expected("worker-pool", {"workers": "9"})
    shown = next(f for f in read_forms(page) if f["calculator"] == "worker-pool")
    assert same_outputs(shown["outputs"], want)
    context.close()


@pytest.mark.parametrize("broken", list(BROKEN))
def test_a_snapshot_that_cannot_be_used_means_a_cold_start(browser, built_site, tmp_path_factory, broken):
    change, reason = BROKEN[broken]
    site = _with_snapshot(built_site, tmp_path_factory, change)
    with serving.serving(site, tmp_path_factory.mktemp("docroot")) as url:
        context = browser.new_context(service_workers="block")
        page = context.new_page()
        messages, errors = [], []
        page.on("console", lambda m: messages.append((m.type, m.text)))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "wsgi/")
        wait_live(page)
        assert page.evaluate("document.documentElement.dataset.perfcalcStart") == "cold"
        said = [text for kind, text in messages if COLD_START in text]
        assert len(said) == 1 and reason in said[0], messages  # once, with the reason
        assert [kind for kind, text in messages if COLD_START in text] == ["warning"]
        # A working page: typing computes exactly as native Python does.
        form = page.locator('form.perfcalc[data-key="worker-pool"]')
        form.locator('input[name="workers"]').fill("9")
        want, _ = expected("worker-pool", {"workers": "9"})
        shown = next(f for f in read_forms(page) if f["calculator"] == "worker-pool")
        assert shown["state"] == "live" and same_outputs(shown["outputs"], want)
        assert errors == [] and [text for kind, text in messages if kind == "error"] == []
        context.close()


RESTORE_TWICE = """
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { pathToFileURL } from "node:url";
const site = process.argv[1];
const { restore } = await import(pathToFileURL(`${site}/runtime/interpreter.js`).href);
const snapshot = new Uint8Array(gunzipSync(readFileSync(`${site}/py/python-snapshot.gz`)));
const python = new Uint8Array(readFileSync(`${site}/py/perfcalc.zip`));
const answers = [];
for (let run = 0; run < 2; run += 1) {
  const { pyodide, api } = await restore(snapshot.slice(), python);
  answers.push({
    draws: JSON.parse(pyodide.runPython(
      "import json, random, tempfile; json.dumps([random.random(), str(random.getrandbits(64)), next(tempfile._get_candidate_names())])")),
    simulate: JSON.parse(api.view(JSON.stringify({ calculator: "simulate", values: { seed: "7", requests: "10000" } }))),
  });
}
console.log(JSON.stringify(answers));
"""


def test_a_restored_interpreter_draws_its_own_random_numbers_and_simulate_keeps_its_seeds(built_site):
    """Two restores of the same snapshot: different draws (reseeded), the same seeded simulation as native Python."""
    done = subprocess.run(["node", "--input-type=module", "-e", RESTORE_TWICE, str(built_site)],
                          capture_output=True, text=True, check=True, timeout=600)
    first, second = json.loads(done.stdout.strip().splitlines()[-1])
    for a, b in zip(first["draws"], second["draws"]):
        assert a != b  # a snapshot restored without reseeding gives every reader the same numbers
    want, _ = expected("simulate", {"seed": "7", "requests": "10000"})
    for answer in (first["simulate"], second["simulate"]):
        assert answer["ok"]
        assert same_outputs({name: [raw, text, ""] for name, (raw, text) in answer["outputs"].items()}, want)
