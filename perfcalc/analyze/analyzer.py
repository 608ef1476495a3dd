"""The streaming analyzer: bytes in, in any chunking; one :class:`~.summary.Summary` out.

The browser's worker reads a file in slices and calls :meth:`Analyzer.feed`
with each (reporting :attr:`Analyzer.progress` between them), then
:meth:`Analyzer.finish`; the command line does the same through
:func:`analyze_path`. No file paths, threads or processes in the streaming
API, so it runs unchanged under Pyodide.

Every line is accounted for: used, ignored (blank, a header, a metric not
needed) or rejected; the first rejected lines are kept with what was
expected there. A file whose format cannot be told from its first line,
an empty file, or one in which no line can be read, is a
:class:`~perfcalc.spec.PerfcalcError` naming the file, the line, what was
expected and what was found.
"""

from __future__ import annotations

import pickle
from typing import NamedTuple

from ..spec import PerfcalcError
from .analysis import IntervalData, RequestData, TotalData
from .detect import FORMATS, detect, known_other, unsupported
from .inputs import calculator_inputs
from .lines import BadLine, LineReader
from .records import LineError, LineResult, refusal, shown
from .summary import LineCounts, Rejected, Summary
from .templates import LayoutLog, compile_layout, sink_options

USED, IGNORED, PENDING = LineResult.USED, LineResult.IGNORED, LineResult.PENDING

__all__ = ["Progress", "Analyzer", "analyze_bytes", "analyze_path", "READ_CHUNK_BYTES", "MAX_REJECTED_SHOWN"]

# The command line reads in slices of this size, as the browser does.
READ_CHUNK_BYTES = 1 << 20
# Rejected lines kept with their message: enough to see the pattern.
MAX_REJECTED_SHOWN = 10
# The most load steps turned into usl-fit measurements (its own limit).
MAX_USL_POINTS = 200
# Above this error rate the run mostly measured failures: warned before any suggested input.
MOSTLY_FAILED_PCT = 50.0
# The format is told from the first line that fits one; this many non-blank lines that fit none refuse the file.
MAX_SNIFF_LINES = 10
# A block that does not read at once is halved down to this many lines; smaller pieces are read line by line.
MIN_BLOCK_LINES = 256
# Failed pieces of one block after which the rest of it is read line by line: about two paths of halving.
MAX_BLOCK_RETRIES = 16


class _Part(NamedTuple):
    """What :meth:`Analyzer.part` hands to :meth:`Analyzer.absorb`: the part's sink and its counts."""

    data: RequestData
    bytes_read: int
    lines_read: int
    used: int
    ignored: int
    rejected: int
    rejected_shown: tuple
    legacy_lines: int
    notes: tuple


class Progress(NamedTuple):
    """How far the analyzer has read: for a progress bar (bytes) and a running count (lines)."""

    bytes_read: int
    lines_read: int
    lines_used: int
    lines_ignored: int
    lines_rejected: int

    def to_json(self) -> dict:
        return self._asdict()


class Analyzer:
    """Analyse one file fed as bytes, in any chunking.

    ``name`` names the file in messages; ``format`` is one of
    :data:`~.detect.FORMATS` or ``None`` to detect it from the first
    non-blank line. ``samples=False`` leaves out :attr:`.Summary.samples`
    (the window's requests in time order, which only a comparison reads).

    >>> a = Analyzer("access.log")
    >>> line = '10.0.0.1 - - [10/Oct/2024:13:55:3{} +0000] "GET /api/{} HTTP/1.1" 200 512 "-" "k6" 0.0{}\\n'
    >>> for i in range(9):
    ...     _ = a.feed(line.format(i, i, 40 + i).encode())
    >>> s = a.finish()
    >>> s.format_label, s.detected, s.requests, s.latency.p50_ms, s.endpoints[0].endpoint
    ('nginx combined + $request_time', 'detected from line 1', 9, 44.0, 'GET /api/{id}')
    """

    def __init__(self, name: str = "input", format: str | None = None, log_format: str | None = None,
                 samples: bool = True):
        if format is not None and format not in FORMATS:
            raise PerfcalcError(f"format must be one of {', '.join(FORMATS)}, got {shown(str(format))}")
        self.name = name
        self.format = format
        self.samples = samples
        self.layout = None
        if log_format:
            try:
                self.layout = compile_layout(log_format)
            except ValueError as exc:
                raise PerfcalcError(f"the log format {shown(log_format)} is {exc}; give the log_format (nginx), "
                                    "LogFormat (Apache) or access_log_format (Gunicorn) string the log was written "
                                    "with") from None
            if format not in (None, "access-log"):
                raise PerfcalcError(f"a log format is read as access-log, not {format}: leave --format out")
            self.format = "access-log"
        self._held: list = []     # lines before the format is known: (number, text), re-read once it is
        self._legacy_lines = 0    # lines that were not UTF-8, read in the parser's legacy encoding
        self._reader = LineReader(name, blocks=True)
        self._parser = None
        self._parser_args = None  # (class, arguments) of the parser, for a second part's reader
        self._parse = None
        self._block = None        # the parser's parse_block, if it reads a block of lines at once
        self._data = None
        self._detected = ""
        self._used = self._ignored = self._rejected = 0
        self._rejected_shown: list[Rejected] = []
        self._open_lines = 0      # lines of a CSV record whose quoted field is still open
        self._open_first = 0
        self._whole = False       # a parser that reads one document (k6's summary) sees every line
        self._start_line = 0
        self._finished = False

    @property
    def progress(self) -> Progress:
        return Progress(self._reader.bytes_read, self._reader.lines_read, self._used, self._ignored,
                        self._rejected)

    def feed(self, data) -> Progress:
        """Read the next slice of the file.

        ``data`` is bytes-like; a ``str`` (the page's paste box) is taken as
        its UTF-8 encoding, and a Pyodide proxy of a ``Uint8Array`` or
        ``ArrayBuffer`` (what the worker's ``File.slice()`` gives) as its bytes.
        """
        if self._finished:
            raise PerfcalcError(f"{self.name}: this analysis is finished; start a new one")
        if isinstance(data, str):
            data = data.encode("utf-8")
        elif not isinstance(data, (bytes, bytearray, memoryview)):
            to_bytes = getattr(data, "to_bytes", None)  # pyodide.ffi.JsProxy of a buffer
            if to_bytes is None or isinstance(data, int):
                raise PerfcalcError(f"{self.name}: feed() takes the file's bytes, got {type(data).__name__}")
            data = to_bytes()
        self._reader.feed(data, self._consume)
        return self.progress

    def finish(self) -> Summary:
        """Read the end of the file and summarise it."""
        if self._finished:
            raise PerfcalcError(f"{self.name}: this analysis is finished; start a new one")
        self._finished = True
        self._reader.close(self._consume)
        if self._parser is None and self._held:
            n, why = self._first_refusal
            raise refusal(self.name, n, why)
        if self._parser is None:
            what = "only blank lines" if self._reader.lines_read else "empty"
            raise refusal(self.name, None, f"the file is {what}; there is nothing to read; give {unsupported('', self.name)}")
        try:
            self._parser.end()
        except LineError as exc:
            if self._whole:  # one document: it is whole or it is nothing
                line = self._start_line + getattr(exc, "line", 1) - 1
                raise refusal(self.name, line, line_message(exc, "")) from None
            self._reject(self._open_first or self._reader.lines_read, exc, "")
        if self._open_lines:
            self._rejected += self._open_lines - 1
            self._open_lines = 0
        if not self._used:
            first_bad = self._rejected_shown[0] if self._rejected_shown else None
            detail = (f"line {first_bad.line}, the first, has {first_bad.found} where {first_bad.expected} was "
                      "expected" if first_bad else "no line holds a record")
            raise refusal(self.name, None, f"it looks like {self._parser.label}, but no line could be read: "
                                           f"{detail}; give a file written in that format, or choose its format")
        return self._summary()

    # -- a file read in two parts ---------------------------------------------
    # The page reads a large file with two interpreters on two cores: this
    # analyzer from the start to a line boundary, another (:meth:`part_of`)
    # from there to the end; this one then takes in what the other read
    # (:meth:`absorb`) and finishes as if it had read every line itself: the
    # same summary, line numbers and all (a test holds them equal at many
    # split points). Only for parsers that say so (``splittable``: no state
    # from one line to the next, whole-second times) and only where the merge
    # is exact; anywhere else the caller reads the rest itself.

    @property
    def splits(self) -> bool | None:
        """Whether a second analyzer can read the rest of this file (:meth:`handover`): ``None`` until the format is known."""
        if self._parser is None:
            return None
        return bool(getattr(self._parser, "splittable", False)) and not self._reader.gzip

    def handover(self) -> bytes | None:
        """What :meth:`part_of` needs to read the rest of this file from a line boundary, or ``None`` where it cannot."""
        if not self.splits or self._finished or self._open_lines or self._held:
            return None
        return pickle.dumps((self.name, self.samples, self._detected, *self._parser_args))

    @classmethod
    def part_of(cls, handover: bytes) -> Analyzer:
        """An analyzer for a later part of a file, from a line boundary: read as :meth:`handover`'s analyzer reads.

        Feed it the part's bytes, then hand :meth:`part` to the first analyzer's :meth:`absorb`.
        """
        name, samples, detected, parser_cls, args = pickle.loads(handover)
        analyzer = cls(name, samples=samples)
        analyzer._reader.start_midway()
        analyzer._use(parser_cls, args)
        analyzer._detected = detected
        return analyzer

    def part(self) -> bytes:
        """Read the part's last line and hand over what it read, for :meth:`absorb`; nothing more can be fed."""
        if self._finished:
            raise PerfcalcError(f"{self.name}: this part is finished; start a new one")
        self._finished = True
        self._reader.close(self._consume)
        return pickle.dumps(_Part(self._data, self._reader.bytes_read, self._reader.lines_read, self._used,
                                  self._ignored, self._rejected, tuple(self._rejected_shown), self._legacy_lines,
                                  tuple(self._parser.notes)), protocol=pickle.HIGHEST_PROTOCOL)

    def absorb(self, part: bytes) -> bool:
        """Take in the rest of the file as :meth:`part` read it: ``True``, or ``False`` (nothing taken) if not exactly.

        This analyzer must have been fed the file up to where the part
        begins, and no further; it is then finished as usual.
        """
        try:
            got = pickle.loads(part)
        except Exception:  # noqa: BLE001 — a part that cannot be unpacked (memory, damage) is read again instead
            return False
        reader = self._reader
        if self._finished or self._open_lines or not reader.at_line_end() or not self._data.absorb(got.data):
            return False
        lines_before = reader.lines_read
        reader.bytes_read += got.bytes_read
        reader.lines_read += got.lines_read
        self._used += got.used
        self._ignored += got.ignored
        self._rejected += got.rejected
        room = MAX_REJECTED_SHOWN - len(self._rejected_shown)
        self._rejected_shown += [r._replace(line=r.line + lines_before) for r in got.rejected_shown[:max(room, 0)]]
        self._legacy_lines += got.legacy_lines
        notes = self._parser.notes
        notes += [note for note in got.notes if note not in notes]
        return True

    # -- reading ---------------------------------------------------------------

    def _consume(self, first: int, lines) -> None:
        """Count a batch from the reader: a block of whole lines (``str``) read at once where the parser can, else line by line."""
        if type(lines) is not str:
            self._lines(first, lines)
            return
        block = self._block
        if block is not None and not self._open_lines:
            used = block(lines, self._reader.lines_read - first + 1)  # the reader has counted them
            if used is not None:
                self._used += used
                return
        lines = lines.split("\n")
        lines.pop()  # the empty string after the final newline
        start = 0
        while self._parse is None and start < len(lines):  # the format is told from the first lines that fit one
            self._lines(first + start, lines[start:start + 1])
            start += 1
        rest = lines[start:] if start else lines
        if self._block is None or not rest:
            self._lines(first + start, rest)
        elif block is not None or not self._read_block(rest):  # (a block that has just failed whole is not retried)
            self._halves(first + start, rest)

    def _halves(self, first: int, lines: list, budget: list | None = None) -> None:
        """A block that did not read at once, read in halves, in order: halves that read at once do, the rest go on halving.

        One odd line (a blank, a scanner's request) costs a few more scans of
        C, not the whole block line by line in the interpreter. Pieces under
        ``MIN_BLOCK_LINES``, and every piece once ``MAX_BLOCK_RETRIES`` pieces
        of this block have failed (its odd lines are many and spread out),
        are read line by line.
        """
        budget = budget if budget is not None else [MAX_BLOCK_RETRIES]
        if len(lines) < MIN_BLOCK_LINES or budget[0] <= 0:
            self._lines(first, lines)
            return
        middle = len(lines) // 2
        for n, half in ((first, lines[:middle]), (first + middle, lines[middle:])):
            if not self._read_block(half):
                budget[0] -= 1
                self._halves(n, half, budget)

    def _read_block(self, lines: list) -> bool:
        """Lines read at once by the parser's ``parse_block``; ``False`` (nothing read) if any does not read."""
        if self._open_lines:
            return False
        used = self._block("\n".join(lines) + "\n", len(lines))
        if used is None:
            return False
        self._used += used
        return True

    def _lines(self, first: int, lines: list) -> None:
        """Count lines one by one: the parser's ``parse`` for each, blanks ignored, the format told from the first."""
        parse = self._parse
        used = ignored = 0
        n = first - 1
        for text in lines:
            n += 1
            if type(text) is not str:  # a BadLine: not UTF-8, or too long
                if parse is None:  # no format can be told from it
                    raise refusal(self.name, n, line_message(text, "", "give the text file itself, not a binary or "
                                                                       "an archive (decompress or export it first)"))
                legacy = getattr(self._parser, "legacy_encoding", None)
                if legacy is None or getattr(text, "raw", None) is None:
                    self._reject(n, text, "")
                    continue
                text = text.raw.decode(legacy, "replace")
                self._legacy_lines += 1
            if parse is None:
                if not text or text.isspace():
                    ignored += 1
                    continue
                if not self._start(n, text):
                    continue  # held until a later line tells the format
                parse = self._parse
                used, ignored = self._reread(used, ignored)
            elif (not text or text.isspace()) and not self._open_lines and not self._whole:
                ignored += 1
                continue
            used, ignored = self._count(n, text, parse, used, ignored)
        self._used += used
        self._ignored += ignored

    def _reject(self, n: int, exc: LineError, text: str) -> None:
        self._rejected += 1
        if len(self._rejected_shown) < MAX_REJECTED_SHOWN:
            found = exc.found if exc.found is not None else text
            self._rejected_shown.append(Rejected(n, exc.expected, found if isinstance(exc, BadLine) else shown(found)))

    def _start(self, n: int, text: str) -> bool:
        """Recognise the format from the first lines that parse and set up its parser; ``False`` while unknown.

        A line no format fits is held (at most ``MAX_SNIFF_LINES``) and
        rejected once a later line tells the format: one bad first line
        does not make a whole log unreadable.
        """
        if self.layout is not None:
            cls, args = LayoutLog, {"layout": self.layout}
            if not self.layout.pattern.match(text):
                return self._hold(n, text, f"the line is {shown(text)}, which does not fit the log format given "
                                           f"({shown(self.layout.source)}); give the format the log was written "
                                           "with")
            self._detected = "read with the log format given"
        elif self.format is not None:
            cls = FORMATS[self.format]
            args = cls.sniff(text)
            if args is None:
                return self._hold(n, text, f"the line is {shown(text)}, which is not {cls.first_line_rule()}; "
                                           "choose the file's own format, or leave the format to be detected")
            self._detected = f"given as {self.format}"
        else:
            found = detect(text, self.name)
            if found is None:
                other = known_other(text) if not self._held else None
                if other is not None:
                    raise refusal(self.name, n, f"the line is {shown(text)}: {other[0]}; {other[1]}")
                return self._hold(n, text, f"the line is {shown(text)}; no format read here starts like it; "
                                           f"give {unsupported(text, self.name)}")
            cls, args = found
            self._detected = f"detected from line {n}" + (
                f" (line {self._held[0][0]} did not fit and is listed below)" if len(self._held) == 1 else
                f" (the {len(self._held)} lines before it did not fit and are listed below)" if self._held else "")
        try:
            self._use(cls, args)
        except LineError as exc:
            raise refusal(self.name, n, line_message(exc, text)) from None
        self._start_line = n
        return True

    def _use(self, cls, args: dict) -> None:
        """Read with parser ``cls(sink, **args)`` from now on, into a new sink of its kind."""
        if cls.kind == "requests":
            options = sink_options(args["layout"]) if "layout" in args else {"upstream": args.get("upstream", False)}
            self._data = RequestData(**options, samples=self.samples)
        elif cls.kind == "intervals":
            self._data = IntervalData()
        else:
            self._data = TotalData()
        self._parser = cls(self._data, **args)
        self._parser_args = (cls, args)
        self._parse = self._parser.parse
        self._block = getattr(self._parser, "parse_block", None)
        self._whole = getattr(cls, "whole_document", False)

    def _hold(self, n: int, text: str, message: str) -> bool:
        """Keep a line no format fits yet; refuse the file when the first ``MAX_SNIFF_LINES`` all fail."""
        if not self._held:
            self._first_refusal = (n, message)
        self._held.append((n, text))
        if len(self._held) >= MAX_SNIFF_LINES:
            first, why = self._first_refusal
            more = f" (nor do the {len(self._held) - 1} non-blank lines after it)"
            raise refusal(self.name, first, why.replace("; ", more + "; ", 1) if "; " in why else why)
        return False

    def _count(self, n: int, text: str, parse, used: int, ignored: int) -> tuple:
        """Parse line ``n`` and count it: used, ignored or rejected, or held open with the record it starts."""
        try:
            result = parse(text)
        except LineError as exc:
            self._reject_record(n, exc, text)
            return used, ignored
        if result is USED:
            used += 1
        elif result is IGNORED:
            ignored += 1
        else:  # PENDING: this line opens or continues a record; it is counted when the record ends
            self._pending(n)
            return used, ignored
        if self._open_lines:  # the record these lines belonged to was read
            used += self._record_read()
        return used, ignored

    def _reread(self, used: int, ignored: int) -> tuple:
        """The held lines, now that the format is known, counted as any line is (a quote they open included)."""
        for n, text in self._held:
            used, ignored = self._count(n, text, self._parse, used, ignored)
        self._held = []
        return used, ignored

    def _pending(self, n: int) -> None:
        """Line ``n`` opens or continues a record that ends on a later line: counted when the record ends."""
        if not self._open_lines:
            self._open_first = n
        self._open_lines += 1

    def _record_read(self) -> int:
        """The earlier lines of a record just read, for the count of used lines."""
        lines, self._open_lines, self._open_first = self._open_lines, 0, 0
        return lines

    def _reject_record(self, n: int, exc: LineError, text: str) -> None:
        """A record that does not read: rejected under its first line, with every line it spanned."""
        self._reject(self._open_first or n, exc, text)
        self._rejected += self._open_lines
        self._open_lines = self._open_first = 0

    # -- summarising -----------------------------------------------------------

    def _summary(self) -> Summary:
        parser = self._parser
        m = self._data.summarise(parser, self.name)
        timing = getattr(parser, "timing", None)
        usl = _usl(m.steps)
        inputs, input_notes = calculator_inputs(
            throughput_rps=m.throughput_rps, service_ms=m.service_ms, service_basis=m.service_basis,
            p99_ms=m.p99_for_inputs, error_rate_pct=m.error_rate_pct, usl_measurements=usl,
            requests_in_file=m.requests_in_file, span_s=m.rate_span_s or m.span_s, month_extrapolation=m.month_extrapolation,
            timing=timing)
        warnings = []
        if m.error_rate_pct is not None and m.error_rate_pct > MOSTLY_FAILED_PCT:
            warnings.append(f"Most requests failed ({m.error_rate_pct:.1f} %): the times and the rate describe "
                            "failures (often fast refusals or slow timeouts), not the system serving requests. "
                            "Fix the errors before sizing anything from these numbers.")
        return Summary(
            file=self.name, format=parser.format, format_label=parser.label, detected=self._detected,
            kind=parser.kind,
            lines=LineCounts(self._reader.lines_read, self._used, self._ignored, self._rejected),
            rejected=tuple(self._rejected_shown),
            start_utc=m.start_utc, end_utc=m.end_utc, span_s=m.span_s, window=m.window,
            requests=m.requests, failures=m.failures, error_rate_pct=m.error_rate_pct,
            failure_rule=parser.failure_rule,
            throughput_rps=m.throughput_rps, peak_throughput_rps=m.peak_throughput_rps,
            latency=m.latency, stated_latency=m.stated_latency, upstream_latency=m.upstream_latency,
            mean_concurrency=m.mean_concurrency,
            concurrency_counts=timing.little if timing else "requests in flight (as the load generator saw them)",
            load_name=getattr(parser, "load_name", "") if m.load_max is not None else "",
            load_max=m.load_max, endpoints=m.endpoints, statuses=m.statuses, statuses_scope=m.statuses_scope,
            steps=m.steps, usl_measurements=usl, calculator_inputs=inputs, charts=m.charts,
            warnings=tuple(warnings), notes=tuple(self._notes(m, usl) + input_notes), samples=m.samples,
        )

    def _notes(self, m, usl) -> list:
        parser = self._parser
        notes = list(m.notes) + list(parser.notes)
        if self._reader.gzip:
            notes.append("The file is gzip-compressed; it was read as it inflated.")
        if self._legacy_lines:
            notes.append(f"{self._legacy_lines:,} lines were not UTF-8 and were read as "
                         f"{parser.legacy_encoding} (Windows-1252, which Locust writes with on Windows): names with "
                         "accents may show other characters than the script used.")
        if self._reader.gzip_truncated:
            notes.append("The gzip data ends early (the file is truncated): what it held was read.")
        if self._rejected:
            notes.append(f"{self._rejected:,} lines could not be read and are left out of every number; the first "
                         "are listed with what was expected.")
        if m.steps and not usl:
            notes.append("Fewer than three load levels: not enough for a usl-fit.")
        elif not m.steps and parser.kind != "totals":
            notes.append("No load steps: the file records no load level that holds for 10 s or more, so there "
                         "are no N:X points for usl-fit." if getattr(parser, "load_name", "")
                         else "No load levels in this file (it does not record users, VUs or threads), so there "
                              "are no N:X points for usl-fit.")
        return notes


def _usl(steps) -> str | None:
    """``N:X`` points for usl-fit from three or more load levels with requests."""
    levels = {s.level for s in steps if s.throughput_rps > 0}
    if len(levels) < 3:
        return None
    return " ".join(f"{s.level}:{s.throughput_rps:.6g}" for s in steps[:MAX_USL_POINTS] if s.throughput_rps > 0)


def line_message(exc: LineError, text: str, todo: str = "give the file whole, as the tool wrote it") -> str:
    """A refused line in the refusal order: what is there, what is missing there, what to do."""
    found = exc.found if exc.found is not None else text
    return f"it has {found if isinstance(exc, BadLine) else shown(found)} where {exc.expected} is needed; {todo}"


def analyze_bytes(data, name: str = "input", format: str | None = None, log_format: str | None = None) -> Summary:
    """Analyse a whole file already in memory (tests, the paste box)."""
    analyzer = Analyzer(name, format, log_format)
    analyzer.feed(data)
    return analyzer.finish()


def analyze_path(path, format: str | None = None, log_format: str | None = None, samples: bool = True) -> Summary:
    """Analyse a file on disk, read in slices of ``READ_CHUNK_BYTES`` as the browser reads it."""
    name = str(path)
    analyzer = Analyzer(name, format, log_format, samples)
    try:
        with open(path, "rb") as f:
            while chunk := f.read(READ_CHUNK_BYTES):
                analyzer.feed(chunk)
    except OSError as exc:
        raise refusal(name, None, f"cannot read the file: {exc.strerror or exc}; check the path and that it "
                                  "can be read") from None
    return analyzer.finish()
