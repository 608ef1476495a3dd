// Pasted text cut into slices for the worker's analyze job, as a file is: in
// bytes of UTF-8 (so progress counts what a file's progress counts), and
// never inside a character. JavaScript strings are UTF-16: cutting one by its
// length can split a surrogate pair (an emoji), which reaches Python as a
// lone surrogate that is no text at all. Imported by worker.js; tested under
// node (tests/site/test_slices.py).

// A byte 10xxxxxx continues a UTF-8 character; any other byte starts one.
const continues = (byte) => (byte & 0xc0) === 0x80;

// The pieces of `bytes` (a Uint8Array of UTF-8), each at most `maxBytes` long
// unless one character alone is longer, each ending where a character ends.
export function* utf8Slices(bytes, maxBytes) {
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + maxBytes, bytes.length);
    while (end > start && end < bytes.length && continues(bytes[end])) end -= 1;
    if (end === start) { // maxBytes is shorter than this character: take it whole
      end = start + 1;
      while (end < bytes.length && continues(bytes[end])) end += 1;
    }
    yield bytes.subarray(start, end);
    start = end;
  }
}

// The text's UTF-8 bytes and their slices: what the analyze job feeds, and the total its progress counts.
export function textSlices(text, maxBytes) {
  const bytes = new TextEncoder().encode(text);
  return { total: bytes.length, slices: utf8Slices(bytes, maxBytes) };
}
