"""JMeter results saved as CSV (a CSV "JTL"): one row per sample.

Format implemented, as the JMeter User's Manual ("Listeners", "CSV Log
format"; properties ``jmeter.save.saveservice.*`` in ``jmeter.properties``)
defines it: with a header row (``print_field_names=true``, the default) the
columns are named by it, in any order and subset, separated by the
``default_delimiter`` (comma; tab, semicolon and ``|`` are recognised from
the header); without one, the row must hold the 17 default columns, in
order::

    timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,
    failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect

Needed: ``timeStamp`` (milliseconds since the epoch,
``timestamp_format=ms``, the default) and ``elapsed`` (ms). Used when
present: ``label`` (the endpoint), ``responseCode``, ``success`` (a sample
failed when it is ``false``, as JMeter's assertions decided; without it, a
response code outside 200–399 fails), ``allThreads`` (else ``grpThreads``:
the load level), ``responseMessage`` (to recognise Transaction Controller
samples, below).

``timeStamp`` is the sample's start with the ``sampleresult.timestamp.start=true``
that JMeter's shipped ``bin/jmeter.properties`` sets (without that file, the
end). A Transaction Controller that does not "generate parent sample"
writes an extra row per transaction whose ``responseMessage`` starts with
"Number of samples in transaction"; its time is the sum of its children's,
so it is skipped (and counted) to keep every request once.
"""

from __future__ import annotations

import re

from .csvrows import CsvRows
from .records import CLIENT, LineError, LineResult, Request, Sample, Timing, plausible_duration, plausible_time

__all__ = ["DEFAULT_COLUMNS", "JMeterCsv", "JMeterXml"]

DEFAULT_COLUMNS = ("timeStamp", "elapsed", "label", "responseCode", "responseMessage", "threadName", "dataType",
                   "success", "failureMessage", "bytes", "sentBytes", "grpThreads", "allThreads", "URL", "Latency",
                   "IdleTime", "Connect")
_TRANSACTION = "Number of samples in transaction"
_HEADERLESS = re.compile(r"\d{13},\d+,", re.ASCII)
_DIGITS = re.compile(r"[0-9]{1,16}\Z")  # 16 digits: past any timestamp, short of float overflow


class JMeterCsv:
    """Read a CSV JTL row by row into :class:`~perfcalc.analyze.records.Request` calls."""

    format = "jmeter-csv"
    kind = "requests"
    time_resolution_s = 0.001
    time_meaning = ("each sample's timeStamp: its start with JMeter's shipped jmeter.properties "
                    "(sampleresult.timestamp.start=true), else its end")
    failure_rule = "success = false (JMeter's assertions)"
    load_name = "threads"
    samples = (  # JMeter 5.6 CSV with its default columns and header (jmeter.properties as shipped)
        Sample("1710061200000,51,GET /api/items,200,OK,Shop 1-1,text,true,,555,180,1,1,http://shop.test/api/items,48,0,1",
               (Request(1710061200.0, 51.0, False, "200", "GET /api/items", 1),), before=(",".join(DEFAULT_COLUMNS),)),
        Sample('1710061201000,12,GET /api/cart,500,Internal Server Error,Shop 1-2,text,false,"Test failed: code '
               'expected 200",120,180,2,2,http://shop.test/api/cart,12,0,0',
               (Request(1710061201.0, 12.0, True, "500", "GET /api/cart", 2),), before=(",".join(DEFAULT_COLUMNS),)),
        Sample("1710061200000,-5,home,200,OK,t,text,true,,1,1,1,1,u,1,0,0", "elapsed in whole milliseconds",
               before=(",".join(DEFAULT_COLUMNS),)),
    )
    timing = Timing("elapsed", CLIENT, "JMeter's elapsed: from just before sending the request to just after the "
                                       "response's last byte, as the load generator saw it (connecting included)")

    def __init__(self, sink, delimiter: str, columns: tuple, header: bool):
        missing = [c for c in ("timeStamp", "elapsed") if c not in columns]
        if missing:
            raise LineError("a header naming the timeStamp and elapsed columns", ",".join(columns))
        self.sink = sink
        self.label = "JMeter CSV results (JTL)" + ("" if header else " without a header row: the 17 default columns")
        self.notes = []
        self.rows = CsvRows(delimiter, len(columns), header, "as in the header" if header else
                            "JMeter's default columns, as there is no header row")
        self._transactions = 0
        index = {name: i for i, name in enumerate(columns)}
        self._time, self._elapsed = index["timeStamp"], index["elapsed"]
        self._label = index.get("label")
        self._code = index.get("responseCode")
        self._success = index.get("success")
        self._message = index.get("responseMessage")
        self._threads = index.get("allThreads", index.get("grpThreads"))
        if self._success is None:
            self.notes.append("The file has no success column: a sample failed when its response code is "
                              "outside 200–399.")
        if self._threads is None:
            self.notes.append("The file has no allThreads or grpThreads column: no load levels, so no load steps.")

    @classmethod
    def sniff(cls, line: str):
        for delimiter in (",", "\t", ";", "|"):
            if line.startswith("timeStamp" + delimiter):
                return dict(delimiter=delimiter, columns=tuple(CsvRows(delimiter).row(line) or ()), header=True)
        if _HEADERLESS.match(line):
            return dict(delimiter=",", columns=DEFAULT_COLUMNS, header=False)
        return None

    @classmethod
    def first_line_rule(cls):
        return ("JMeter CSV results: a header row starting timeStamp,elapsed,… or, without one, JMeter's 17 "
                "default columns (" + ",".join(DEFAULT_COLUMNS) + ")")

    def parse(self, line: str) -> LineResult:
        fields = self.rows.fields(line)
        if type(fields) is LineResult:  # the header, or a row whose quoted field goes on
            return fields
        stamp, elapsed = fields[self._time], fields[self._elapsed]
        if not _DIGITS.match(stamp):
            raise LineError("timeStamp in milliseconds since the epoch (jmeter.save.saveservice.timestamp_format"
                            "=ms, the default)", stamp)
        if not _DIGITS.match(elapsed):
            raise LineError("elapsed in whole milliseconds", elapsed)
        if self._message is not None and fields[self._message].startswith(_TRANSACTION):
            self._transactions += 1
            return LineResult.IGNORED
        code = fields[self._code] if self._code is not None else ""
        if self._success is not None:
            success = fields[self._success].lower()
            if success not in ("true", "false"):
                raise LineError("success: true or false", fields[self._success])
            failed = success == "false"
        else:
            failed = not ("200" <= code <= "399" and len(code) == 3)
        threads = None
        if self._threads is not None:
            text = fields[self._threads]
            if not _DIGITS.match(text):
                raise LineError("a whole number of threads (allThreads or grpThreads)", text)
            threads = int(text)
        label = fields[self._label] if self._label is not None else ""
        self.sink.request(plausible_time(int(stamp) / 1000.0, stamp), plausible_duration(float(elapsed), elapsed),
                          failed, code, label, threads)
        return LineResult.USED

    def end(self) -> None:
        if self._transactions:
            self.notes.append(f"Skipped {self._transactions:,} Transaction Controller samples (their time is the "
                              "sum of their children's, which are counted themselves).")
        self.rows.close()


_XML_SAMPLE = re.compile(r"<(httpSample|sample)\s([^>]*?)(/?)>|</(httpSample|sample)>", re.ASCII)
_XML_ATTR = re.compile(r'(\w+)="([^"]*)"', re.ASCII)


class JMeterXml:
    """JMeter results saved as XML (``jmeter.save.saveservice.output_format=xml``): one element per sample.

    ``<httpSample t="elapsed ms" ts="timeStamp ms" s="success" lb="label"
    rc="code" na="allThreads" ng="grpThreads" …>`` (``<sample>`` for
    samplers other than HTTP); sub-samples (redirects, a Transaction
    Controller's children) are nested inside their parent and are not
    counted again: the top-level samples are the requests, as JMeter's own
    listeners count them. An element may span lines (a response body
    saved inside it): lines are read until it closes.
    """

    format = "jmeter-xml"
    kind = "requests"
    label = "JMeter XML results (JTL)"
    time_resolution_s = 0.001
    time_meaning = JMeterCsv.time_meaning
    failure_rule = 's = "false" (JMeter\'s assertions)'
    load_name = "threads"
    timing = JMeterCsv.timing
    samples = (
        Sample('<httpSample t="51" it="0" lt="48" ct="1" ts="1710061200000" s="true" lb="GET /api/items" rc="200" '
               'rm="OK" tn="Shop 1-1" dt="text" by="555" sby="180" ng="1" na="1"/>',
               (Request(1710061200.0, 51.0, False, "200", "GET /api/items", 1),),
               before=('<?xml version="1.0" encoding="UTF-8"?>', '<testResults version="1.2">')),
        Sample('<httpSample t="x" ts="1710061200000" s="true" lb="home" rc="200"/>', "t: elapsed in whole milliseconds",
               before=('<?xml version="1.0" encoding="UTF-8"?>', '<testResults version="1.2">')),
    )

    def __init__(self, sink):
        self.sink = sink
        self.notes = []
        self._depth = 0
        self._transactions = 0

    @classmethod
    def sniff(cls, line: str):
        text = line.lstrip()
        if text.startswith("<?xml") or text.startswith("<testResults"):
            return {}
        return None

    @classmethod
    def first_line_rule(cls) -> str:
        return '<?xml …?> and <testResults …>: JMeter results saved as XML'

    def parse(self, line: str) -> LineResult:
        used = False
        for m in _XML_SAMPLE.finditer(line):
            if m.group(4):  # a closing tag
                self._depth = max(0, self._depth - 1)
                continue
            if self._depth == 0:
                used = self._sample(dict(_XML_ATTR.findall(m.group(2)))) or used
            if not m.group(3):
                self._depth += 1
        return LineResult.USED if used else LineResult.IGNORED

    def _sample(self, attrs: dict) -> bool:
        stamp, elapsed = attrs.get("ts", ""), attrs.get("t", "")
        if not _DIGITS.match(stamp):
            raise LineError("ts: timeStamp in milliseconds since the epoch", stamp)
        if not _DIGITS.match(elapsed):
            raise LineError("t: elapsed in whole milliseconds", elapsed)
        if attrs.get("rm", "").startswith(_TRANSACTION):
            self._transactions += 1
            return False
        threads = attrs.get("na") or attrs.get("ng")
        self.sink.request(plausible_time(int(stamp) / 1000.0, stamp), plausible_duration(float(elapsed), elapsed),
                          attrs.get("s", "true") == "false", attrs.get("rc", ""), attrs.get("lb", ""),
                          int(threads) if threads and threads.isdigit() else None)
        return True

    def end(self) -> None:
        if self._transactions:
            self.notes.append(f"Skipped {self._transactions:,} Transaction Controller samples (their time is the "
                              "sum of their children's, which are counted themselves).")
        self.notes.append("Sub-samples nested in a sample (redirects, a transaction's children) are part of it and "
                          "are not counted again.")
