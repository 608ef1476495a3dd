"""CSV rows from lines, for the CSV formats (JMeter, Locust), one line at a time.

RFC 4180 lets a quoted field hold the delimiter, doubled quotes and line
breaks; JMeter's CSVSaveService and Python's ``csv`` module (which Locust
uses) quote exactly so. A line with no quote is split directly (the common
case, and fast); a line with quotes goes through :mod:`csv`; a line that
leaves a quote open waits for the next lines, up to ``MAX_RECORD_LINES``.
"""

from __future__ import annotations

import csv

from .records import LineError, LineResult

__all__ = ["MAX_RECORD_LINES", "CsvRows"]

# A quoted field spanning more lines than this is a stray quote, not a message.
MAX_RECORD_LINES = 50


class CsvRows:
    """Turn lines into lists of fields; ``None`` while a quoted field is still open.

    >>> rows = CsvRows(",")
    >>> rows.row('1,"a, b",3'), rows.row('4,"two'), rows.row('lines",6')
    (['1', 'a, b', '3'], None, ['4', 'two\\nlines', '6'])
    """

    def __init__(self, delimiter: str = ",", columns: int = 0, header: bool = False, where: str = "as in the header"):
        self.delimiter = delimiter
        self.columns = columns   # for fields(): how many a data row has, and where that comes from
        self.where = where
        self._skip_header = header
        self._open = None        # the lines of a record whose quoted field is not closed yet
        self._open_lines = 0

    def fields(self, line: str):
        """A data row's fields, checked against ``columns``; ``LineResult.IGNORED`` for the header row, ``PENDING`` while a quote is open."""
        if self._skip_header:
            self._skip_header = False
            return LineResult.IGNORED
        fields = self.row(line)
        if fields is None:
            return LineResult.PENDING
        if len(fields) != self.columns:
            raise LineError(f"{self.columns} columns ({self.where})", f"{len(fields)} columns: {line}")
        return fields

    @property
    def open(self) -> bool:
        return self._open is not None

    def row(self, line: str):
        if self._open is None:
            if '"' not in line:
                return line.split(self.delimiter)
        else:
            line = self._open + "\n" + line
            self._open_lines += 1
        if line.count('"') % 2:
            if self._open_lines + 1 >= MAX_RECORD_LINES:
                self._open, self._open_lines = None, 0
                raise LineError(f"a closing quote within {MAX_RECORD_LINES} lines", line.split("\n", 1)[0])
            self._open = line
            return None
        self._open, self._open_lines = None, 0
        try:
            return next(csv.reader([line], delimiter=self.delimiter, strict=True))
        except csv.Error as exc:
            raise LineError(f"a CSV row quoted as RFC 4180 says ({exc})", line.split("\n", 1)[0]) from None

    def close(self) -> None:
        """At the end of the file: a record still open is truncated."""
        if self._open is not None:
            first = self._open.split("\n", 1)[0]
            self._open = None
            raise LineError("the closing quote of a quoted field (the file ends inside it)", first)
