"""site/browser/slices.js under node: pasted text is cut in bytes of UTF-8, never inside a character (issue 21).

The worker feeds pasted text to the analyzer in slices; cut by JavaScript's
string length (UTF-16 units), a slice can end between the two halves of an
emoji, which reaches Python as a lone surrogate. Here every character of a
text of one-, two-, three- and four-byte characters (emoji among them) falls
on a slice boundary for some slice size.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SLICES = Path(__file__).resolve().parents[2] / "site" / "browser" / "slices.js"

# For every slice size from 1 to 12 bytes: each slice decoded strictly (a cut character is an error), the
# slices' sizes, and the text they make together.
CUT_EVERYWHERE = """
import { textSlices } from %s;
const text = process.argv[1];
const answer = [];
for (let size = 1; size <= 12; size += 1) {
  const { total, slices } = textSlices(text, size);
  const strict = new TextDecoder("utf-8", { fatal: true });
  const pieces = [];
  for (const slice of slices) pieces.push([slice.length, strict.decode(slice)]);
  answer.push({ size, total, pieces });
}
console.log(JSON.stringify(answer));
"""


def cut(text: str) -> list:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make build installs the site's tools)")
    script = CUT_EVERYWHERE % json.dumps(SLICES.as_uri())
    done = subprocess.run([node, "--input-type=module", "-e", script, text], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_pasted_text_is_cut_in_utf8_bytes_and_never_inside_a_character():
    text = "a😀b é€\n😀😀x\U0001F9D1\u200D\U0001F4BB🏳️‍🌈\n" * 3  # 1-, 2-, 3- and 4-byte characters, a ZWJ sequence
    encoded = text.encode("utf-8")
    for run in cut(text):
        size, pieces = run["size"], run["pieces"]
        assert run["total"] == len(encoded)  # progress counts bytes of UTF-8, as a file's does
        assert "".join(piece for _, piece in pieces) == text
        assert all(0 < n <= max(size, 4) for n, _ in pieces)
        # As full as the characters allow: a slice stops short only when the next character would not fit.
        ends = [sum(n for n, _ in pieces[:i + 1]) for i in range(len(pieces) - 1)]
        assert all(n > size - 4 for n, _ in pieces[:-1]) and len(set(ends)) == len(ends)


def test_empty_text_has_no_slice():
    assert all(run["pieces"] == [] and run["total"] == 0 for run in cut(""))
