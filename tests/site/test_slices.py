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


# A Blob read with fileSlices from `start`, its end moved to `moveTo` once `after` slices have come (as the
# worker moves it when a helper takes the rest of the file, parts.js): the slices' [offset, length] pairs.
MOVING_END = """
import { fileSlices } from %s;
const [size, max, start, after, moveTo] = JSON.parse(process.argv[1]);
const bytes = new Uint8Array(size).map((_, i) => i %% 251);
let end = size;
const seen = [];
let offset = start;
for await (const slice of fileSlices(new Blob([bytes]), max, start, () => end)) {
  if (!slice.every((b, i) => b === (offset + i) %% 251)) throw new Error(`wrong bytes at ${offset}`);
  seen.push([offset, slice.length]);
  offset += slice.length;
  if (seen.length === after) end = moveTo;
}
console.log(JSON.stringify(seen));
"""


def file_slices(size, max_bytes, start, after, move_to) -> list:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make build installs the site's tools)")
    script = MOVING_END % json.dumps(SLICES.as_uri())
    done = subprocess.run([node, "--input-type=module", "-e", script,
                           json.dumps([size, max_bytes, start, after, move_to])],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("move_to", [25, 30, 31, 45, 100])
def test_a_file_is_read_from_its_start_to_an_end_that_moves_and_never_past_it(move_to):
    """The end moved while the next slice is already being read: the slices stop exactly there."""
    seen = file_slices(size=100, max_bytes=10, start=3, after=2, move_to=move_to)
    assert seen[0] == [3, 10] and all(a + n == b for (a, n), (b, _) in zip(seen, seen[1:]))
    assert seen[-1][0] + seen[-1][1] == move_to


def test_a_file_is_read_from_a_line_boundary_to_its_end():
    assert file_slices(size=95, max_bytes=10, start=41, after=0, move_to=0) == [
        [41, 10], [51, 10], [61, 10], [71, 10], [81, 10], [91, 4]]
