"""Every parser against the sample lines it carries (lnav-style): one test, every format, every sample.

A parser's ``samples`` are lines as its tool writes them, each with what
it must yield: records, a LineResult, or the LineError text it is refused
with. The variant is the one its first sample (or that sample's header)
is detected as.
"""

import pytest

from perfcalc.analyze import FORMATS
from perfcalc.analyze.records import LineError, LineResult, Parser, Recorder, Sample, refusal

SAMPLES = [(format_id, i) for format_id, cls in FORMATS.items() for i in range(len(cls.samples))]


def parser_for(cls, sink):
    first = cls.samples[0]
    return cls(sink, **cls.sniff(first.before[0] if first.before else first.line))


@pytest.mark.parametrize("format_id, index", SAMPLES, ids=[f"{f}-{i}" for f, i in SAMPLES])
def test_each_sample_line_yields_what_it_declares(format_id, index):
    cls = FORMATS[format_id]
    sample: Sample = cls.samples[index]
    sink = Recorder()
    parser = parser_for(cls, sink)
    for line in sample.before:
        parser.parse(line)
    if isinstance(sample.yields, str):
        with pytest.raises(LineError, match=sample.yields):
            parser.parse(sample.line)
        return
    result = parser.parse(sample.line)
    if isinstance(sample.yields, LineResult):
        assert result is sample.yields and sink.records == []
    else:
        assert result is LineResult.USED
        assert sink.records == list(sample.yields)


@pytest.mark.parametrize("format_id", list(FORMATS))
def test_every_format_follows_the_protocol_and_carries_samples_or_says_why(format_id):
    cls = FORMATS[format_id]
    assert cls.format == format_id and cls.kind in ("requests", "intervals", "totals")
    assert callable(cls.sniff) and callable(cls.first_line_rule) and isinstance(cls.first_line_rule(), str)
    assert isinstance(cls.samples, tuple)
    if not cls.samples:
        assert getattr(cls, "whole_document", False), f"{format_id} carries no sample lines"
        return
    parser = parser_for(cls, Recorder())
    members = [name for name in Parser.__annotations__] + ["parse", "end", "sniff", "first_line_rule"]
    assert all(hasattr(parser, name) for name in members), [n for n in members if not hasattr(parser, n)]
    assert any(not isinstance(s.yields, str) for s in cls.samples), "at least one sample is read"


def test_refusal_keeps_file_and_line_for_the_json_error():
    e = refusal("x.log", 7, "it is half a line; the rest is missing; give the whole file")
    assert (e.file, e.line, e.message) == ("x.log", 7, "it is half a line; the rest is missing; give the whole file")
    assert str(e) == "x.log line 7: it is half a line; the rest is missing; give the whole file"
    assert str(refusal("x.log", None, "empty")) == "x.log: empty"
