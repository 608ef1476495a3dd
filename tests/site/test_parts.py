"""site/browser/parts.js under node: how the job's worker shares a large file with the page's helper.

The worker reads from the start; the helper reads segments claimed from the
end backwards, two ahead, each from just after a newline; the worker stops
where the lowest claim begins and joins the segments in file order. A
helper that fails only costs time: the worker reads the segments it did
not deliver, and the progress it reports counts no failed reading. A fake
port, file (every byte a newline) and Python api stand in for the helper,
the File and Pyodide.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

PARTS = Path(__file__).resolve().parents[2] / "site" / "browser" / "parts.js"
PROTOCOL = PARTS.with_name("protocol.js")

SCENARIO = """
const { parts } = await import(%s);
const { HELPER } = await import(%s);
const MiB = 1 << 20, size = 40 * MiB;
const file = new Blob([new Uint8Array(size).fill(10)]);
const sent = [], calls = [], fed = {};
const port = { onmessage: null, postMessage: (m) => sent.push({ op: m.op, start: m.start, end: m.end }), close() {} };
const proxy = (bytes) => ({ toJs: () => bytes, destroy() {} });
const api = {
  analyze_handover: () => proxy(new Uint8Array([1, 2, 3])),
  analyze_absorb: (key, part) => { calls.push(["absorb", part[0]]); return JSON.stringify({ absorbed: true }); },
  part_begin: (id) => calls.push(["begin", id]),
  part_feed: (id, slice) => JSON.stringify({ lines_read: (fed[id] = (fed[id] || 0) + slice.length) }),
  part_end: (id) => proxy(new Uint8Array([Number(id.split("/")[1]) / MiB])),
  part_cancel: () => {},
};
const two = parts(port, file, api, "k");
const wait = () => new Promise((resolve) => setTimeout(resolve, 20));
port.onmessage({ data: { op: HELPER.READY } });
await two.offer(1 * MiB);
await wait();
const firstClaims = sent.slice();
const scenario = process.argv[1];
let rest;
if (scenario === "delivers") {
  // The helper delivers each segment; the worker reads on meanwhile; claims go on until they meet it.
  let worker = 1 * MiB;
  while (sent.filter((m) => m.op === HELPER.PART).length > calls.length && worker < two.end()) {
    const next = sent.filter((m) => m.op === HELPER.PART)[calls.length];
    calls.push(["delivered", next.start]);
    port.onmessage({ data: { op: HELPER.PROGRESS, done: next.end - next.start, lines: 7 } });
    port.onmessage({ data: { op: HELPER.PART, start: next.start, part: new Uint8Array([next.start / MiB]) } });
    worker = Math.min(worker + 2 * MiB, two.end());
    await two.offer(worker);
    await wait();
  }
  calls.length = 0;
  rest = await two.rest(() => false, () => {});
} else {
  port.onmessage({ data: { op: HELPER.PROGRESS, done: 3 * MiB, lines: 3000 } });
  port.onmessage({ data: { op: HELPER.FAILED, message: "out of memory" } });
  rest = await two.rest(() => false, () => {});
}
const shown = two.progress({ done: two.end(), total: size, progress: { lines_read: 5 } });
console.log(JSON.stringify({ firstClaims, sent, calls, rest, end: two.end(), shown, count: two.count() }));
"""

MiB = 1 << 20


def run(scenario: str) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make build installs the site's tools)")
    script = SCENARIO % (json.dumps(PARTS.as_uri()), json.dumps(PROTOCOL.as_uri()))
    done = subprocess.run([node, "--input-type=module", "-e", script, scenario], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_segments_are_claimed_from_the_end_backwards_two_ahead_and_joined_in_file_order():
    got = run("delivers")
    first = got["firstClaims"]
    assert [m["op"] for m in first] == ["helper-part", "helper-part"]  # two ahead, once the helper is ready
    assert first[0] == {"op": "helper-part", "start": 36 * MiB + 1, "end": 40 * MiB}  # after the first newline
    assert first[1]["end"] == first[0]["start"]
    claims = [m for m in got["sent"] if m["op"] == "helper-part"]
    assert all(a["start"] == b["end"] for a, b in zip(claims, claims[1:]))  # contiguous, going down
    assert got["end"] == claims[-1]["start"] > 3 * MiB  # the worker stops where the lowest claim begins
    assert got["calls"] == [["absorb", c["start"] // MiB] for c in reversed(claims)]  # joined in file order
    assert got["rest"] == {"from": None} and got["count"] == 2


def test_a_helper_that_fails_leaves_its_segments_to_the_worker_and_its_reading_out_of_the_progress():
    got = run("fails")
    claims = [m for m in got["sent"] if m["op"] == "helper-part"]
    assert len(claims) == 2
    # read here, each into a part of its own, then all joined in file order
    assert got["calls"] == [["begin", f"k/{claims[1]['start']}"], ["begin", f"k/{claims[0]['start']}"],
                            ["absorb", claims[1]["start"] // MiB], ["absorb", claims[0]["start"] // MiB]]
    assert got["rest"] == {"from": None} and got["count"] == 1  # the helper read none of it
    shown = got["shown"]
    assert shown["done"] == got["end"] + sum(c["end"] - c["start"] for c in claims) == 40 * MiB  # not 3 MiB more
    assert shown["progress"]["lines_read"] == 5 + sum(c["end"] - c["start"] for c in claims)
