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

from typing import NamedTuple

from ..spec import PerfcalcError
from .analysis import IntervalData, RequestData, TotalData
from .csvrows import PENDING
from .detect import FORMATS, detect, unsupported
from .inputs import calculator_inputs
from .lines import BadLine, LineReader
from .records import LineError, shown
from .summary import LineCounts, Rejected, Summary

__all__ = ["Progress", "Analyzer", "analyze_bytes", "analyze_path", "READ_CHUNK_BYTES", "MAX_REJECTED_SHOWN"]

# The command line reads in slices of this size, as the browser does.
READ_CHUNK_BYTES = 1 << 20
# Rejected lines kept with their message: enough to see the pattern.
MAX_REJECTED_SHOWN = 10
# The most load steps turned into usl-fit measurements (its own limit).
MAX_USL_POINTS = 200


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
    non-blank line.

    >>> a = Analyzer("access.log")
    >>> line = '10.0.0.1 - - [10/Oct/2024:13:55:3{} +0000] "GET /api/{} HTTP/1.1" 200 512 "-" "k6" 0.0{}\\n'
    >>> for i in range(9):
    ...     _ = a.feed(line.format(i, i, 40 + i).encode())
    >>> s = a.finish()
    >>> s.format_label, s.detected, s.requests, s.latency.p50_ms, s.endpoints[0].endpoint
    ('nginx combined + $request_time', 'detected from line 1', 9, 44.0, 'GET /api/{id}')
    """

    def __init__(self, name: str = "input", format: str | None = None, samples: bool = False):
        if format is not None and format not in FORMATS:
            raise PerfcalcError(f"format must be one of {', '.join(FORMATS)}, got {shown(str(format))}")
        self.name = name
        self.format = format
        self.samples = samples    # keep the window's requests for compare (Summary.samples)
        self._reader = LineReader(name)
        self._parser = None
        self._parse = None
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
        if self._parser is None:
            what = "only blank lines" if self._reader.lines_read else "empty"
            raise PerfcalcError(f"{self.name}: the file is {what}; expected {unsupported('', self.name)}")
        try:
            self._parser.end()
        except LineError as exc:
            if self._whole:  # one document: it is whole or it is nothing
                line = self._start_line + getattr(exc, "line", 1) - 1
                raise PerfcalcError(f"{self.name} line {line}: expected {exc.expected}, found "
                                    f"{shown(exc.found or '')}") from None
            self._reject(self._open_first or self._reader.lines_read, exc, "")
        if self._open_lines:
            self._rejected += self._open_lines - 1
            self._open_lines = 0
        if not self._used:
            first_bad = self._rejected_shown[0] if self._rejected_shown else None
            detail = (f"; line {first_bad.line}: expected {first_bad.expected}, found {first_bad.found}"
                      if first_bad else "")
            raise PerfcalcError(f"{self.name}: no line could be read as {self._parser.label}{detail}")
        return self._summary()

    # -- reading ---------------------------------------------------------------

    def _consume(self, first: int, lines: list) -> None:
        parse = self._parse
        used = ignored = 0
        n = first - 1
        for text in lines:
            n += 1
            if type(text) is not str:  # a BadLine: not UTF-8, or too long
                if parse is None:  # no format can be told from it
                    raise PerfcalcError(f"{self.name} line {n}: expected {text.expected}, found {text.found}")
                self._reject(n, text, "")
                continue
            if parse is None:
                if not text or text.isspace():
                    ignored += 1
                    continue
                self._start(n, text)
                parse = self._parse
            elif (not text or text.isspace()) and not self._open_lines and not self._whole:
                ignored += 1
                continue
            try:
                result = parse(text)
            except LineError as exc:
                self._reject(self._open_first or n, exc, text)
                if self._open_lines:
                    self._rejected += self._open_lines
                    self._open_lines = self._open_first = 0
                continue
            if result == 1:
                used += 1
            elif result == 0:
                ignored += 1
            else:  # PENDING: this line opens or continues a record; it is counted when the record ends
                if not self._open_lines:
                    self._open_first = n
                self._open_lines += 1
                continue
            if self._open_lines:  # the record these lines belonged to was read
                used += self._open_lines
                self._open_lines = self._open_first = 0
        self._used += used
        self._ignored += ignored

    def _reject(self, n: int, exc: LineError, text: str) -> None:
        self._rejected += 1
        if len(self._rejected_shown) < MAX_REJECTED_SHOWN:
            found = exc.found if exc.found is not None else text
            self._rejected_shown.append(Rejected(n, exc.expected, found if isinstance(exc, BadLine) else shown(found)))

    def _start(self, n: int, text: str) -> None:
        """Recognise the format from the first non-blank line and set up its parser."""
        if self.format is not None:
            cls = FORMATS[self.format]
            args = cls.sniff(text)
            if args is None:
                raise PerfcalcError(f"{self.name} line {n}: expected {cls.first_line_rule()}, found {shown(text)}")
            self._detected = f"given as {self.format}"
        else:
            found = detect(text, self.name)
            if found is None:
                raise PerfcalcError(f"{self.name} line {n}: expected {unsupported(text, self.name)}, "
                                    f"found {shown(text)}")
            cls, args = found
            self._detected = f"detected from line {n}"
        if cls.kind == "requests":
            self._data = RequestData(upstream=args.get("upstream", False))
        elif cls.kind == "intervals":
            self._data = IntervalData()
        else:
            self._data = TotalData()
        try:
            self._parser = cls(self._data, **args)
        except LineError as exc:
            raise PerfcalcError(f"{self.name} line {n}: expected {exc.expected}, found "
                                f"{shown(exc.found if exc.found is not None else text)}") from None
        self._parse = self._parser.parse
        self._whole = getattr(cls, "whole_document", False)
        self._start_line = n

    # -- summarising -----------------------------------------------------------

    def _summary(self) -> Summary:
        parser = self._parser
        found = self._data.summarise(parser, self.name, samples=self.samples)
        steps = found["steps"]
        levels = {s.level for s in steps if s.throughput_rps > 0}
        usl = None
        if len(levels) >= 3:
            usl = " ".join(f"{s.level}:{s.throughput_rps:.6g}" for s in steps[:MAX_USL_POINTS] if s.throughput_rps > 0)
        latency = found["latency"]
        inputs, input_notes = calculator_inputs(
            throughput_rps=found["throughput_rps"], service_ms=found["service_ms"],
            service_basis=found["service_basis"],
            p99_ms=found.get("p99_for_inputs", latency.p99_ms if latency else None),
            error_rate_pct=found["error_rate_pct"], usl_measurements=usl, requests_in_file=found["requests_in_file"],
            span_s=found["span_s"], month_extrapolation=found["month_extrapolation"])
        notes = list(found["notes"]) + list(parser.notes)
        if self._reader.gzip:
            notes.append("The file is gzip-compressed; it was read as it inflated.")
        if self._reader.gzip_truncated:
            notes.append("The gzip data ends early (the file is truncated): what it held was read.")
        if self._rejected:
            notes.append(f"{self._rejected:,} lines could not be read and are left out of every number; the first "
                         "are listed with what was expected.")
        if steps and not usl:
            notes.append("Fewer than three load levels: not enough for a usl-fit.")
        elif not steps and parser.kind != "totals":
            notes.append("No load steps: the file records no load level that holds for 10 s or more, so there "
                         "are no N:X points for usl-fit." if getattr(parser, "load_name", "")
                         else "No load levels in this file (it does not record users, VUs or threads), so there "
                              "are no N:X points for usl-fit.")
        notes += input_notes
        return Summary(
            file=self.name, format=parser.format, format_label=parser.label, detected=self._detected,
            kind=parser.kind,
            lines=LineCounts(self._reader.lines_read, self._used, self._ignored, self._rejected),
            rejected=tuple(self._rejected_shown),
            start_utc=found["start_utc"], end_utc=found["end_utc"], span_s=found["span_s"], window=found["window"],
            requests=found["requests"], failures=found["failures"], error_rate_pct=found["error_rate_pct"],
            failure_rule=parser.failure_rule,
            throughput_rps=found["throughput_rps"], peak_throughput_rps=found["peak_throughput_rps"],
            latency=latency, stated_latency=found.get("stated_latency"),
            upstream_latency=found["upstream_latency"], mean_concurrency=found["mean_concurrency"],
            load_name=getattr(parser, "load_name", "") if found["load_max"] is not None else "",
            load_max=found["load_max"], endpoints=found["endpoints"], statuses=found["statuses"],
            steps=steps, usl_measurements=usl, calculator_inputs=inputs, charts=found["charts"],
            notes=tuple(notes), samples=found.get("samples"),
        )


def analyze_bytes(data, name: str = "input", format: str | None = None, samples: bool = False) -> Summary:
    """Analyse a whole file already in memory (tests, the paste box)."""
    analyzer = Analyzer(name, format, samples)
    analyzer.feed(data)
    return analyzer.finish()


def analyze_path(path, format: str | None = None, samples: bool = False) -> Summary:
    """Analyse a file on disk, read in slices of ``READ_CHUNK_BYTES`` as the browser reads it."""
    name = str(path)
    analyzer = Analyzer(name, format, samples)
    try:
        with open(path, "rb") as f:
            while chunk := f.read(READ_CHUNK_BYTES):
                analyzer.feed(chunk)
    except OSError as exc:
        raise PerfcalcError(f"{name}: cannot read the file: {exc.strerror or exc}") from None
    return analyzer.finish()
