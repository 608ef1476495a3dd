"""Feeding a parser a fixture's lines, as the analyzer does: shared by the per-format tests."""

from pathlib import Path

from perfcalc.analyze.detect import FORMATS
from perfcalc.analyze.records import Recorder

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "analyze"


def records(format_id: str, path: str, **kw):
    """Every record the parser makes from a fixture, by feeding it its lines as the analyzer does."""
    sink = Recorder()
    lines = (FIXTURES / path).read_text().splitlines()
    cls = FORMATS[format_id]
    parser = cls(sink, **cls.sniff(lines[0]))
    for line in lines:
        parser.parse(line)
    parser.end()
    return sink.records, parser
