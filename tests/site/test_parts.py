"""site/browser/parts.js under node: a helper that fails while reading only costs time.

When the helper fails after it has reported progress on its part, the
worker reads that part itself; the progress it then reports must count the
worker's own reading only, not the failed helper's bytes and lines on top
(the bar went past the file's size, the line count ran ahead). A fake
port, file and Python api stand in for the helper, the Blob and Pyodide.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

PARTS = Path(__file__).resolve().parents[2] / "site" / "browser" / "parts.js"
PROTOCOL = PARTS.with_name("protocol.js")

HELPER_FAILS_MIDWAY = """
const { parts } = await import(%s);
const { HELPER } = await import(%s);
const size = 64 << 20;
const file = new Blob([new Uint8Array(size).fill(10)]);  // every byte a newline: the cut is the middle
const sent = [];
const port = { onmessage: null, postMessage: (m) => sent.push(m.op), close() {} };
const api = {
  analyze_handover: () => ({ toJs: () => new Uint8Array([1, 2, 3]), destroy() {} }),
  analyze_absorb: () => JSON.stringify({ absorbed: true }),
};
const two = parts(port, file, api, "k");
port.onmessage({ data: { op: HELPER.READY } });
await two.offer(1 << 20);
const at = two.end();
port.onmessage({ data: { op: HELPER.PROGRESS, done: 5 << 20, lines: 5000 } });
port.onmessage({ data: { op: HELPER.FAILED, message: "out of memory" } });
const rest = await two.rest(() => false, () => {});
// the worker has read on up to the cut and a slice past it: what the page is told
const shown = two.progress({ done: at + (1 << 20), total: size, progress: { lines_read: at + (1 << 20) } });
console.log(JSON.stringify({ at, rest, sent, shown, count: two.count() }));
"""


def test_after_a_helper_fails_midway_the_progress_counts_the_workers_reading_only():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make build installs the site's tools)")
    script = HELPER_FAILS_MIDWAY % (json.dumps(PARTS.as_uri()), json.dumps(PROTOCOL.as_uri()))
    done = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    at = got["at"]
    assert 0 < at < 64 << 20 and got["sent"] == ["helper-part"]
    assert got["rest"] == {"from": at}  # the worker reads the helper's part itself
    assert got["count"] == 1
    assert got["shown"]["done"] == at + (1 << 20) <= 64 << 20, got  # not the failed helper's 5 MiB on top
    assert got["shown"]["progress"]["lines_read"] == at + (1 << 20), got
