// A reader's file, and pasted text, cut into slices for the analyze job.
//
// Pasted text is cut as a file is: in
// bytes of UTF-8 (so progress counts what a file's progress counts), and
// never inside a character. JavaScript strings are UTF-16: cutting one by its
// length can split a surrogate pair (an emoji), which reaches Python as a
// lone surrogate that is no text at all. Imported by worker.js and helper.js;
// tested under node (tests/site/test_slices.py).

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

/**
 * A file's bytes from `start` to `end()`, in slices of at most `maxBytes` (Uint8Arrays). `end` is asked
 * again at each slice: the worker moves it once a helper takes the rest of the file (parts.js), and no
 * slice goes past it. The next slice's read starts before this one is parsed; its completion still runs
 * in tasks on the worker's thread after the parse (0.4-0.6 s of waiting over the million-line log's 152
 * slices). Each await also lets a Stop or a keystroke in: FileReaderSync, which never yields, read slower
 * (0.9-1.0 s of reading against 0.5-0.6 s) and left Stop unanswered until the end.
 */
export async function* fileSlices(file, maxBytes, start = 0, end = () => file.size) {
  const read = (at) => {
    const buffer = file.slice(at, at + maxBytes).arrayBuffer();
    buffer.catch(() => {}); // a read left pending by a cancelled job fails quietly; an awaited one still throws
    return buffer;
  };
  let next = read(start);
  for (let at = start; at < end(); at += maxBytes) {
    const bytes = new Uint8Array(await next);
    if (at + maxBytes < end()) next = read(at + maxBytes);
    yield bytes.length > end() - at ? bytes.subarray(0, end() - at) : bytes;
  }
}
