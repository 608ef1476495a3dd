"""Bytes in any chunking, numbered lines of text out: the streaming layer under every parser.

The browser reads a file in slices of bytes that may cut a line, a CRLF or
a multi-byte UTF-8 character anywhere; the command line reads it the same
way. :class:`LineReader` keeps the unfinished end of each slice for the
next, so every chunking gives the same lines. Newlines are found in bytes:
the byte 0x0A never occurs inside a UTF-8 sequence, so a line is decoded
only when whole. Memory is bounded by one slice plus the longest line kept
(``MAX_LINE_BYTES``); a longer line is skipped to its end and reported,
not buffered.

At the start of the stream: a UTF-8 byte-order mark is dropped (spreadsheet
exports write one); gzip data (k6 writes ``--out json=…gz``, logrotate
compresses old logs) is inflated as it streams, in bounded pieces; UTF-16
text (Windows PowerShell's ``>`` writes it) is refused with a hint.
"""

from __future__ import annotations

import zlib

from ..spec import PerfcalcError
from .records import LineError

__all__ = ["MAX_LINE_BYTES", "BadLine", "LineReader"]

# A line longer than this is not a log line or a CSV row a tool writes (a
# request line nginx accepts is at most 8 KiB by default); it is skipped
# and reported, and it never holds more than this much memory.
MAX_LINE_BYTES = 1 << 20
# Inflated gzip data is handled in pieces of this size, so a small
# compressed slice that inflates to gigabytes never sits in memory at once.
_INFLATE_PIECE = 4 << 20

_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class BadLine(LineError):
    """A line that is not text at all (not UTF-8, or too long): rejected before any parser sees it."""


def _undecodable(raw: bytes) -> BadLine:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        column = len(raw[:exc.start].decode("utf-8", "replace")) + 1
        bad = BadLine("UTF-8 text", f"byte 0x{raw[exc.start]:02x} at column {column}")
        bad.raw = raw  # a parser that reads legacy encodings (Locust's CSVs on Windows) decodes it itself
        return bad
    raise AssertionError("only called on undecodable lines")


def _may_hold_a_long_line(block: bytes) -> bool:
    """Whether some line of ``block`` (whole lines) may be longer than ``MAX_LINE_BYTES``, found without splitting it.

    Looked for in steps of ``MAX_LINE_BYTES``: each step must hold a newline.
    A line of exactly the limit ending in CRLF is counted as too long here
    (the caller then splits the block and measures each line exactly).

    >>> _may_hold_a_long_line(b"a\\n" * 10), _may_hold_a_long_line(b"a" * (MAX_LINE_BYTES + 1) + b"\\n")
    (False, True)
    """
    end = -1  # the newline before the line being looked at
    while len(block) - end - 1 > MAX_LINE_BYTES:
        found = block.rfind(b"\n", end + 1, end + MAX_LINE_BYTES + 1)
        if found < 0:
            return True
        end = found
    return False


class LineReader:
    """Split bytes fed in any chunking into lines; count the bytes and lines seen.

    :meth:`feed` and :meth:`close` hand each batch of complete lines to
    ``take(first_line_number, lines)`` as soon as it is split, so that
    gzip data inflating to gigabytes is handled a few megabytes at a time.
    Each line is a ``str`` without its line ending, or a :class:`BadLine`
    (not UTF-8, or longer than ``MAX_LINE_BYTES``). Lines are numbered from 1.
    With ``blocks=True``, a batch of lines that are all UTF-8 text of at most
    ``MAX_LINE_BYTES`` is handed as one ``str`` instead: the lines, each
    ending with ``"\\n"`` (``"\\r\\n"`` made ``"\\n"``), for a parser that reads
    a whole block in one pass and never needs the lines split.

    >>> got = []
    >>> take = lambda first, lines: got.append((first, lines))
    >>> r = LineReader("t.log")
    >>> r.feed(b"caf\\xc3", take); r.feed(b"\\xa9\\r\\nsecond", take); r.close(take)
    >>> got
    [(1, ['café']), (2, ['second'])]
    >>> got = []
    >>> r = LineReader("t.log", blocks=True)
    >>> r.feed(b"a\\r\\nb\\nc", take); r.close(take)
    >>> got
    [(1, 'a\\nb\\n'), (3, 'c\\n')]
    """

    def __init__(self, name: str, blocks: bool = False):
        self.name = name
        self.blocks = blocks
        self.bytes_read = 0       # bytes fed, as they are on disk (compressed, if gzip)
        self.lines_read = 0
        self.gzip = False
        self.gzip_truncated = False
        self._started = False
        self._pending = b""       # the unfinished last line
        self._skipping = False    # inside an over-long line: its bytes are dropped up to the next newline
        self._inflater = None

    def feed(self, data, take) -> None:
        """Split ``data`` (bytes-like); call ``take(first_line_number, lines)`` for each batch of whole lines."""
        data = bytes(data)
        self.bytes_read += len(data)
        if not self._started:
            data = self._start(data)
            if data is None:
                return
        if self._inflater is None:
            self._hand(data, take)
        else:
            for piece in self._inflate(data):
                self._hand(piece, take)

    def start_midway(self) -> None:
        """Read from a line boundary inside a file (a second part of it): no magic number, no byte-order mark there."""
        if self.bytes_read:
            raise ValueError("start_midway() comes before the first feed()")
        self._started = True

    def at_line_end(self) -> bool:
        """Whether everything fed so far ended with a whole line (nothing pending, plain text)."""
        return self._started and not self._pending and not self._skipping and self._inflater is None

    def close(self, take) -> None:
        """Hand over the last line (if the data did not end with a newline); finish a gzip stream."""
        if not self._started:
            self._started = True  # fewer than 3 bytes in all: no magic number to look for
            rest, self._pending = self._pending, b""
            self._hand(rest, take)
        if self._inflater is not None:
            for piece in self._inflate(b""):
                self._hand(piece, take)
            self.gzip_truncated = not self._inflater.eof
        if self._skipping:
            self._skipping = False
            self.lines_read += 1
            take(self.lines_read, [self._too_long()])
        elif self._pending:
            rest, self._pending = self._pending, b""
            self._hand(rest + b"\n", take)  # the last line, which had no newline

    def _hand(self, data: bytes, take) -> None:
        first = self.lines_read + 1
        lines = self._split(data)
        if lines:
            take(first, lines)

    def _start(self, data: bytes):
        data = self._pending + data
        if len(data) < 3:
            self._pending = data  # wait for enough bytes to see a magic number
            return None
        self._pending = b""
        self._started = True
        if data.startswith(_GZIP_MAGIC):
            self.gzip = True
            self._inflater = zlib.decompressobj(wbits=31)
        elif data.startswith(_UTF8_BOM):
            data = data[3:]
        elif data.startswith(_UTF16_BOMS):
            raise PerfcalcError(f"{self.name}: the file is UTF-16 text (Windows PowerShell's > writes it); "
                                "save it as UTF-8, e.g. Out-File -Encoding utf8")
        return data

    def _inflate(self, data: bytes):
        """Inflated pieces of at most ``_INFLATE_PIECE`` bytes; several gzip members in a row are one stream."""
        while True:
            try:
                piece = self._inflater.decompress(data, _INFLATE_PIECE)
            except zlib.error as exc:
                raise PerfcalcError(f"{self.name}: the gzip data is damaged after {self.bytes_read:,} bytes "
                                    f"({exc}); expected a gzip stream as gzip or k6 writes it") from None
            if piece:
                yield piece
            data = self._inflater.unconsumed_tail
            if self._inflater.eof and self._inflater.unused_data:
                data = self._inflater.unused_data  # the next member (concatenated .gz files)
                self._inflater = zlib.decompressobj(wbits=31)
                continue
            if not data:
                return

    def _too_long(self) -> BadLine:
        return BadLine(f"a line of at most {MAX_LINE_BYTES:,} bytes", "a longer line")

    def _pending_too_long(self) -> bool:
        """Whether the unfinished line is already too long (a final CR may be half of its CRLF: not counted)."""
        return len(self._pending) - self._pending.endswith(b"\r") > MAX_LINE_BYTES

    def _split(self, data: bytes) -> list:
        lines = []
        if self._skipping:
            end = data.find(b"\n")
            if end < 0:
                return lines
            lines.append(self._too_long())
            self._skipping = False
            data = data[end + 1:]
        end = data.rfind(b"\n")
        if end < 0:
            self._pending += data
            if self._pending_too_long():
                self._skipping, self._pending = True, b""
            self.lines_read += len(lines)  # the too-long line just ended, if any
            return lines
        block = b"".join((self._pending, memoryview(data)[:end + 1]))  # one copy, not a slice and a copy
        self._pending = data[end + 1:]
        if self._pending_too_long():
            self._skipping, self._pending = True, b""
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            block_lines = []
            for raw in block[:-1].split(b"\n"):
                try:
                    block_lines.append(raw.decode("utf-8").removesuffix("\r"))
                except UnicodeDecodeError:
                    block_lines.append(_undecodable(raw.removesuffix(b"\r")))
        else:
            if "\r" in text:
                text = text.replace("\r\n", "\n")
            if self.blocks and not lines and not _may_hold_a_long_line(block):
                self.lines_read += text.count("\n")
                return text
            block_lines = text.split("\n")
            block_lines.pop()  # the empty string after the final newline
        if len(block) > MAX_LINE_BYTES:  # only then can one line be too long
            for i, line in enumerate(block_lines):
                if type(line) is str and len(line) > MAX_LINE_BYTES // 4 and len(line.encode()) > MAX_LINE_BYTES:
                    block_lines[i] = self._too_long()
        if lines:
            lines.extend(block_lines)
        else:
            lines = block_lines
        self.lines_read += len(lines)
        return lines
