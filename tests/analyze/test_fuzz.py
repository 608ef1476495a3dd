"""Nothing crashes: whatever follows a file's first line, the result is a summary or a PerfcalcError."""

import json
import math
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfcalc import PerfcalcError
from perfcalc.analyze import analyze_bytes, summary_table

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "analyze"
SOURCES = ["nginx_ramp.log", "gunicorn_D.log", "jmeter_steps.csv", "jmeter_noheader.csv", "k6_points.json",
           "locust_stats.csv", "locust_stats_history.csv", "locust_full_stats_history.csv", "k6_summary_export.json",
           "k6_handle_summary.json"] + sorted(f"formats/{p.name}" for p in (FIXTURES / "formats").iterdir())
LINES = {name: (FIXTURES / name).read_text(encoding="utf-8", errors="surrogateescape").splitlines() for name in SOURCES}
RAW = {name: (FIXTURES / name).read_bytes() for name in SOURCES}

numbers = st.sampled_from(["0", "-1", "1e400", "nan", "inf", "9" * 40, "0.000", "-0.0", "1" * 400, "", "N/A",
                           "99999999999999999999.5", "٣", "1_000", " 5", "7" * 5000, "0." + "5" * 5000])


@st.composite
def mangled(draw, name):
    """A fixture's lines with some lines cut, spliced, duplicated, emptied or their numbers replaced."""
    lines = list(LINES[name])
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        if not lines:
            lines.append("")
        i = draw(st.integers(min_value=min(1, len(lines) - 1), max_value=len(lines) - 1))
        how = draw(st.sampled_from(["cut", "number", "insert", "drop", "dup", "splice", "quote", "blank"]))
        line = lines[i]
        if how == "cut":
            lines[i] = line[:draw(st.integers(min_value=0, max_value=len(line)))]
        elif how == "number":
            tokens = line.replace(",", " , ").replace('"', ' " ').split(" ")
            digits = [k for k, t in enumerate(tokens) if any(c.isdigit() for c in t)]
            if digits:
                tokens[draw(st.sampled_from(digits))] = draw(numbers)
            lines[i] = " ".join(tokens).replace(" , ", ",").replace(' " ', '"')
        elif how == "insert":
            lines.insert(i, draw(st.text(max_size=80)))
        elif how == "drop":
            del lines[i]
        elif how == "dup":
            lines.insert(i, line)
        elif how == "splice":
            lines[i] = line[:len(line) // 2] + draw(st.sampled_from(LINES[name]))
        elif how == "quote":
            lines[i] = line.replace(",", ',"', 1)
        else:
            lines[i] = ""
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_mangled_files_give_a_summary_or_a_perfcalc_error(data):
    name = data.draw(st.sampled_from(SOURCES))
    text = data.draw(mangled(name))
    try:
        s = analyze_bytes(text.encode("utf-8", "surrogatepass"), name)
    except PerfcalcError as exc:
        assert str(exc).startswith(name)
        return
    payload = s.to_json()
    json.dumps(payload, allow_nan=False)
    assert s.lines.used + s.lines.ignored + s.lines.rejected == s.lines.read
    for lat in (s.latency, s.stated_latency, s.upstream_latency):
        if lat is not None:
            known = [v for v in (lat.min_ms, lat.p50_ms, lat.p90_ms, lat.p95_ms, lat.p99_ms, lat.p999_ms, lat.max_ms)
                     if v is not None]
            assert all(math.isfinite(v) and v >= 0 for v in known)
    summary_table(s)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_give_a_summary_or_a_perfcalc_error(data):
    try:
        analyze_bytes(data, "random.bin")
    except PerfcalcError as exc:
        assert str(exc).startswith("random.bin")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_truncated_byte_flipped_and_mixed_files_give_a_summary_or_a_perfcalc_error(data):
    """Every parser, on real fixtures cut at any byte, with bytes flipped, or with another format's lines mixed in."""
    name = data.draw(st.sampled_from(SOURCES))
    raw = bytearray(RAW[name])
    raw = raw[:data.draw(st.integers(min_value=0, max_value=len(raw)))]
    for _ in range(data.draw(st.integers(min_value=0, max_value=6))):
        if raw:
            i = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
            raw[i] ^= data.draw(st.sampled_from([0x01, 0x20, 0x80, 0xFF, 0x0A ^ raw[i], 0x22 ^ raw[i]]))
    other = data.draw(st.sampled_from(SOURCES))
    for _ in range(data.draw(st.integers(min_value=0, max_value=3))):
        line = data.draw(st.sampled_from(LINES[other] or [""])).encode("utf-8", "surrogateescape") + b"\n"
        at = raw.find(b"\n", data.draw(st.integers(min_value=0, max_value=max(len(raw) - 1, 0)))) + 1
        raw[at:at] = line
    try:
        s = analyze_bytes(bytes(raw), name)
    except PerfcalcError as exc:
        assert str(exc).startswith(name)
        return
    json.dumps(s.to_json(), allow_nan=False)
    assert s.lines.used + s.lines.ignored + s.lines.rejected == s.lines.read
    summary_table(s)
