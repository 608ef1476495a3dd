"""Bytes in any chunking become the same lines: split characters, CRLF, gzip, BOMs, bad bytes, huge lines."""

import gzip

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfcalc import PerfcalcError
from perfcalc.analyze.lines import MAX_LINE_BYTES, BadLine, LineReader


def read(data: bytes, cuts=()) -> list:
    reader = LineReader("t")
    lines, start = [], 0

    def take(first, got):
        assert first == len(lines) + 1 and got
        lines.extend(got)

    for cut in sorted(set(cuts)) + [len(data)]:
        reader.feed(data[start:cut], take)
        start = cut
    reader.close(take)
    assert reader.lines_read == len(lines)
    assert reader.bytes_read == len(data)
    return [line if isinstance(line, str) else ("BAD", line.expected, line.found) for line in lines]


text_pieces = st.lists(st.sampled_from(["a", "é", "€", "𝄞", "\n", "\r\n", "\r", " ", "\t", "x" * 10, "\xff"]),
                       max_size=60)


@settings(max_examples=300)
@given(text_pieces, st.lists(st.integers(min_value=0, max_value=400), max_size=12))
def test_any_chunking_gives_the_same_lines(pieces, cuts):
    data = b"".join(p.encode("latin-1") if p == "\xff" else p.encode("utf-8") for p in pieces)
    assert read(data, [c % (len(data) + 1) for c in cuts]) == read(data)


def test_multibyte_characters_split_across_chunks():
    data = "café 𝄞\nnext €\n".encode()
    for cut in range(len(data)):
        assert read(data, [cut]) == ["café 𝄞", "next €"]


def test_crlf_bom_and_a_last_line_without_newline():
    assert read(b"\xef\xbb\xbfone\r\ntwo\r\nthree") == ["one", "two", "three"]
    assert read(b"one\r", [3]) == ["one"]
    assert read(b"") == [] and read(b"\n") == [""] and read(b"ab") == ["ab"]


def test_bytes_that_are_not_utf8_reject_that_line_only():
    lines = read(b"good\nbad \xe9t\xe9\nalso good\n")
    assert lines[0] == "good" and lines[2] == "also good"
    assert lines[1] == ("BAD", "UTF-8 text", "byte 0xe9 at column 5")


def test_a_line_too_long_is_skipped_without_being_kept():
    reader, lines = LineReader("t"), []
    for _ in range(3):
        reader.feed(b"x" * (MAX_LINE_BYTES // 2 + 1), lambda first, got: lines.extend(got))
    assert lines == [] and len(reader._pending) <= MAX_LINE_BYTES  # memory stays bounded while it streams in
    reader.feed(b"xx\nnext\n", lambda first, got: lines.extend(got))
    assert isinstance(lines[0], BadLine) and lines[1] == "next"
    assert read(b"a\n" + b"y" * (MAX_LINE_BYTES + 5) + b"\nb\n")[1][0] == "BAD"


def test_gzip_streams_including_concatenated_members():
    data = gzip.compress(b"one\ntwo\n", mtime=0) + gzip.compress(b"three\n", mtime=0)
    assert read(data) == ["one", "two", "three"]
    assert read(data, range(1, len(data), 7)) == ["one", "two", "three"]
    reader = LineReader("t")
    reader.feed(gzip.compress(b"one\ntwo\nthree\n" * 50, mtime=0)[:40], lambda first, got: None)
    reader.close(lambda first, got: None)
    assert reader.gzip_truncated


def test_damaged_gzip_and_utf16_are_clear_errors():
    with pytest.raises(PerfcalcError, match=r"^t: the gzip data is damaged"):
        LineReader("t").feed(b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"garbage that is not deflate", print)
    with pytest.raises(PerfcalcError, match=r"^t: the file is UTF-16 text"):
        LineReader("t").feed("timeStamp,elapsed\n".encode("utf-16"), print)


def test_a_huge_inflation_is_handed_over_in_bounded_batches():
    line = b"x" * 1023 + b"\n"
    bomb = gzip.compress(line * (64 << 10), mtime=0)  # 64 MiB of text in well under 1 MiB
    assert len(bomb) < 1 << 20
    batches = []
    reader = LineReader("t")
    reader.feed(bomb, lambda first, got: batches.append(len(got)))
    reader.close(lambda first, got: batches.append(len(got)))
    assert sum(batches) == 64 << 10
    assert max(batches) * len(line) <= 5 << 20  # never more than one inflated piece of lines at once
