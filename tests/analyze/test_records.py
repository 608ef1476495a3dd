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


@pytest.mark.parametrize("name", ["nginx_ramp.log", "nginx_forwarded.log", "gunicorn_D.log", "gunicorn_L.log",
                                  "formats/gunicorn_lab_sync_D.log"])
def test_a_batch_read_at_once_gives_the_same_records_as_line_by_line(name):
    from pathlib import Path
    lines = (Path(__file__).resolve().parent.parent / "fixtures" / "analyze" / name).read_text().splitlines()
    cls, args = FORMATS["nginx" if "nginx" in name else "gunicorn"], None
    args = cls.sniff(lines[0])
    one, many = Recorder(), Recorder()
    parser = cls(one, **args)
    for line in lines:
        assert parser.parse(line) is LineResult.USED
    assert cls(many, **args).parse_many(lines) == len(lines)
    assert many.records == one.records
    assert cls(Recorder(), **args).parse_many(lines[:3] + ["not a line"]) is None  # handed back: parse() says why


def test_an_unexpected_failure_in_the_cli_is_a_plain_message(monkeypatch, capsys, tmp_path):
    import json

    import perfcalc.analyze.analyzer as analyzer_module
    from perfcalc.cli import main

    monkeypatch.setattr(analyzer_module.Analyzer, "finish", lambda self: 1 / 0)
    log = tmp_path / "a.log"
    log.write_text('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "ua" 0.001\n')
    assert main(["analyze", str(log), "--json"]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "ZeroDivisionError" in captured.err
    assert "this is a bug" in json.loads(captured.out)["error"]["message"]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


_REQUESTS = st.one_of(
    st.builds(lambda m, segs, q, proto: f"{m} /{'/'.join(segs)}{q}{proto}",
              st.sampled_from(["GET", "POST", "get", "PUT", "GÉT", ""]),
              st.lists(st.sampled_from(["users", "42", "0123456789abcdef", "9f1c2b3a-1d2e-4f5a-8b9c-0a1b2c3d4e5f", "",
                                        "a.b", "7x", "x7", "a b", "\t"]), max_size=4),
              st.sampled_from(["", "?q=1", "?a=/1", "?", "?a?b"]), st.sampled_from([" HTTP/1.1", " HTTP/2.0", " ", ""])),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters='"\n'), max_size=30))
_LOG_LINES = st.builds(
    lambda request, stamp, status, duration, rest: (f'10.0.0.1 - - [{stamp}] "{request}" {status} 5 "-" "ua" '
                                                    f'{duration}{rest}'),
    _REQUESTS, st.sampled_from(["10/Mar/2024:09:00:01 +0100", "10/Mar/2024:09:00:02 +0100", "99/Mar/2024:09:00:01 +0100",
                                "10/Mar/1024:09:00:01 +0100"]),
    st.sampled_from(["200", "502", "20"]), st.sampled_from(["0.046", "12", "0.5", "1e3"]),
    st.sampled_from(["", " 0.045", " -", " 0.1, 0.2", " soon", " ", "\r"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_LOG_LINES, st.just(""), st.just("not a line")), min_size=1, max_size=12),
       st.sampled_from(["nginx", "nginx-upstream", "gunicorn-us"]))
def test_a_block_reads_as_its_lines_do_or_is_handed_back(lines, variant):
    """parse_block gives parse()'s records for every line, or None exactly when some line does not read."""
    from perfcalc.analyze.accesslog import GunicornLog, NginxLog

    cls, args = {"nginx": (NginxLog, dict(unit="s", upstream=False, label="n")),
                 "nginx-upstream": (NginxLog, dict(unit="s", upstream=True, label="n")),
                 "gunicorn-us": (GunicornLog, dict(unit="us", upstream=False, label="g"))}[variant]
    one, many = Recorder(), Recorder()
    parser = cls(one, **args)
    every_line_reads = True
    for line in lines:
        try:
            parser.parse(line)
        except LineError:
            every_line_reads = False
    read = cls(many, **args).parse_block("".join(line + "\n" for line in lines))
    if every_line_reads:
        assert read == len(lines)
        assert many.records == one.records
    else:
        assert read is None and many.records == []
