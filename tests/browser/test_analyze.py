"""The reader's own files, analysed in the page: the numbers native Python gives, nothing sent, nothing run.

Each test selects or pastes a file in the built site's panel and compares
what the page shows with ``perfcalc_worker.analysis_view`` run natively on
the same bytes, the function the worker runs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from perfcalc.analyze import analyze_bytes

from .conftest import ROOT, wait_live
from .helpers import expected, requests_made, settle, wait_until

sys.path.insert(0, str(ROOT / "site" / "browser"))
import perfcalc_worker  # noqa: E402  (the worker's Python, run natively)

FIXTURES = ROOT / "tests" / "fixtures" / "analyze"
PANEL = "section.perfcalc-analyze"
RESULT = f"{PANEL} .perfcalc-analyze__result"

READ_TABLES = """() => [...document.querySelectorAll('.perfcalc-analyze__result table')].map(t =>
  [...t.querySelectorAll('tbody tr')].map(r => [...r.children].map(c => c.textContent)))"""


def native_view(path: Path, name: str | None = None) -> dict:
    return perfcalc_worker.analysis_view(analyze_bytes(path.read_bytes(), name or path.name))


def open_panel(page, base_url, url):
    page.goto(base_url + url)
    wait_live(page)
    panel = page.locator(PANEL)
    expect(panel).to_have_attribute("data-state", "live")
    return panel


def analyse_file(page, panel, path: Path):
    panel.locator('input[type="file"]').set_input_files(str(path))
    page.locator(f"{RESULT}:not([hidden])").wait_for()


def test_a_step_test_is_summarised_as_natively_and_nothing_is_sent(live_page, base_url):
    panel = open_panel(live_page, base_url, "load-testing/")
    sent = requests_made(live_page)
    fixture = FIXTURES / "jmeter_steps.csv"
    analyse_file(live_page, panel, fixture)
    want = native_view(fixture)
    summary, steps = live_page.evaluate(READ_TABLES)[:2]
    assert summary == want["rows"]
    assert steps == want["steps"]
    assert panel.locator(".perfcalc-analyze__file").inner_text() == f"{want['file']}: {want['format']}."
    assert panel.locator("figure.perfcalc__chart").count() == len(want["charts"]) > 0
    assert [li.inner_text() for li in panel.locator(".perfcalc-analyze__notes li").all()] == want["notes"]
    assert sent == [], "the analysis made requests"  # the file never leaves the page; nothing else is needed


def test_use_these_numbers_fills_the_calculators_and_they_answer(live_page, base_url):
    panel = open_panel(live_page, base_url, "load-testing/")
    fixture = FIXTURES / "jmeter_steps.csv"
    analyse_file(live_page, panel, fixture)
    fills = native_view(fixture)["fills"]
    assert {"usl-fit", "worker-pool", "capacity"} <= set(fills)
    for calculator in ("usl-fit", "worker-pool", "capacity"):
        forms = live_page.locator(f'form.perfcalc[data-calculator="{calculator}"]')
        title = forms.first.locator(".perfcalc__title").inner_text()
        panel.get_by_role("button", name=f"Use these numbers in “{title}”").click()
        settle(live_page)
        # The panel's own calculators follow it; the USL fit is above it.
        form = forms.last if calculator != "usl-fit" else forms.first
        for name, value in fills[calculator].items():
            assert form.locator(f'[name="{name}"]').input_value() == value
        inputs = {f.get_attribute("name"): f.input_value() for f in form.locator("input, textarea, select").all()}
        want, _ = expected(calculator, inputs)
        for name, (value, text, _) in want.items():
            expect(form.locator(f'output[name="{name}"]')).to_have_attribute("data-value", value)
        assert f"now uses the numbers from {fixture.name}" in panel.locator(".perfcalc-analyze__status").inner_text()


def test_pasted_access_log_lines_on_the_metrics_page(live_page, base_url):
    panel = open_panel(live_page, base_url, "metrics/")
    fixture = FIXTURES / "nginx_ramp.log"
    panel.locator("textarea").fill(fixture.read_text())
    panel.get_by_role("button", name="Analyse the pasted lines").click()
    live_page.locator(f"{RESULT}:not([hidden])").wait_for()
    name = panel.locator(".perfcalc-analyze__file").inner_text().split(":")[0]
    want = perfcalc_worker.analysis_view(analyze_bytes(fixture.read_bytes(), name))
    assert live_page.evaluate(READ_TABLES)[0] == want["rows"]


@pytest.mark.parametrize("name", ["binary.bin", "empty.log", "k6_summary_truncated.json", "nested.json"])
def test_a_file_that_cannot_be_read_says_why_and_shows_no_numbers(live_page, base_url, name):
    panel = open_panel(live_page, base_url, "load-testing/")
    path = FIXTURES / "hostile" / name
    panel.locator('input[type="file"]').set_input_files(str(path))
    error = panel.locator(".perfcalc-analyze__error")
    expect(error).not_to_be_empty()
    try:
        analyze_bytes(path.read_bytes(), name)
    except Exception as exc:  # the message the worker shows is the one native Python raises
        assert error.text_content() == str(exc)
    else:
        pytest.fail(f"{name} is read natively; pick a file that fails")
    expect(panel.locator(".perfcalc-analyze__result")).to_be_hidden()


def test_markup_in_a_file_stays_text(live_page, base_url, tmp_path):
    """Request paths and agents come from the file: they reach the page as text, never as markup."""
    panel = open_panel(live_page, base_url, "metrics/")
    payload = "<svg/onload=window.__pwned=1>"  # no spaces: a request path cannot hold one
    lines = [f'10.0.0.{i % 9} - - [10/Mar/2024:10:00:{i % 60:02d} +0000] "GET /a{payload}{i % 3} HTTP/1.1" 200 5 '
             f'"-" "{payload}" 0.0{i % 9 + 1}0' for i in range(120)]
    path = tmp_path / "hostile.log"
    path.write_text("\n".join(lines) + "\n")
    analyse_file(live_page, panel, path)
    assert payload in live_page.locator(RESULT).inner_text()  # shown, as text
    assert live_page.locator(f"{RESULT} table svg").count() == 0
    assert live_page.evaluate("window.__pwned") is None


def test_a_large_log_shows_progress_and_the_page_stays_live(live_page, base_url, tmp_path):
    """About 300,000 lines: progress is reported as the slices are read, and a calculator answers meanwhile."""
    panel = open_panel(live_page, base_url, "metrics/")
    line = '10.0.0.1 - - [10/Mar/2024:10:{m:02d}:{s:02d} +0000] "GET /items/{k} HTTP/1.1" 200 512 "-" "k6" 0.0{d}5\n'
    path = tmp_path / "big.log"
    with path.open("w") as out:
        for i in range(300_000):
            out.write(line.format(m=(i // 5000) % 60, s=(i // 84) % 60, k=i % 50, d=i % 9 + 1))
    panel.locator('input[type="file"]').set_input_files(str(path))
    progress = panel.locator("progress")
    seen = wait_until(live_page, """() => { const p = document.querySelector('section.perfcalc-analyze progress');
        return !p.hidden && p.value > 0 && p.value < 1 ? p.value : null; }""")
    assert 0 < seen < 1
    form = live_page.locator("form.perfcalc").first  # typed into while the file is being read
    field = form.locator("input[type=text], input[inputmode]").first
    field.fill(field.input_value())
    live_page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=120_000)
    expect(progress).to_be_hidden()
    rows = dict(live_page.evaluate(READ_TABLES)[0])
    assert rows["Lines"].startswith("300,000 read, 300,000 used")


def _two_core_log(path: Path, lines: int) -> None:
    """An nginx log of ``lines`` lines over more than MAX_PAGES seconds (the pages widen), 120 endpoints met in a
    shuffled order, a mix of statuses, and an odd line every 100,000 (rejected, numbered across both parts)."""
    import random
    from datetime import datetime, timezone

    rng = random.Random(16)
    stamps = [datetime.fromtimestamp(1_710_061_200 + s, timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000")
              for s in range(lines // 100 + 1)]
    with path.open("w") as out:
        for i in range(lines):
            if i % 100_000 == 99_999:
                out.write("GET /not-a-log-line HTTP/1.1\n")
                continue
            out.write(f'10.0.{i % 7}.{i % 251} - - [{stamps[i // 100]}] "GET /api/e{rng.randrange(120)}/'
                      f'{rng.randrange(10**6)}?q=1 HTTP/1.1" {rng.choice(("200", "200", "200", "404", "503"))} 512 '
                      f'"-" "Mozilla/5.0 (X11; Linux x86_64) k6/0.49.0" {rng.randrange(1, 900) / 1000:.3f} '
                      f"{rng.randrange(1, 800) / 1000:.3f}\n")


def _helpers(page) -> list[str]:
    return [w.url for w in page.workers if w.url.endswith("/helper.js")]


def test_a_large_file_is_read_on_two_cores_as_natively(live_page, base_url, tmp_path):
    """About 73 MB: a helper worker with its own Python reads the second half; the page shows what one native
    reading of the whole file gives (rows, endpoints, rejected lines with their numbers), and the helper ends."""
    panel = open_panel(live_page, base_url, "metrics/")
    path = tmp_path / "two-cores.log"
    _two_core_log(path, 500_000)
    assert path.stat().st_size > 64 << 20
    panel.locator('input[type="file"]').set_input_files(str(path))
    result = live_page.locator(f"{RESULT}:not([hidden])")
    deadline = time.monotonic() + 30
    while not _helpers(live_page) and not result.count() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _helpers(live_page), "the page starts a helper with the job"
    result.wait_for(timeout=240_000)
    status = panel.locator(".perfcalc-analyze__status").inner_text()
    assert status.startswith("Analysed in ") and status.endswith(", on two cores."), status
    want = native_view(path)
    tables = live_page.evaluate(READ_TABLES)
    assert tables[0] == want["rows"]
    assert tables[1] == want["endpoints"]
    shown = [li.inner_text() for li in panel.locator(".perfcalc-analyze__rejected li").all()]
    assert shown == [f"line {line}: expected {what}, found {found}" for line, what, found in want["rejected"]]
    assert [line for line, _, _ in want["rejected"]] == [100_000 * k for k in range(1, 6)]
    deadline = time.monotonic() + 10
    while _helpers(live_page) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _helpers(live_page), "the helper ends with its job"


# A stand-in for runtime/helper.js (protocol.js, HELPER): ready at once; given a part, it fails (or never answers).
FAKE_HELPER = """self.onmessage = (event) => {
  const port = event.ports[0];
  port.onmessage = ({ data }) => {
    if (data.op === "helper-part" && %s) port.postMessage({ op: "helper-failed", message: "a test's failure" });
  };
  port.postMessage({ op: "helper-ready" });
};"""


def _with_fake_helper(browser, base_url, fails: bool):
    from .helpers import NO_SHARED_WORKER

    context = browser.new_context(service_workers="block")  # (routes do not see a service worker's fetches)
    context.add_init_script(NO_SHARED_WORKER)  # nor a shared worker's
    context.route("**/runtime/helper.js", lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=FAKE_HELPER % ("true" if fails else "false")))
    page = context.new_page()
    return context, page, open_panel(page, base_url, "metrics/")


def test_a_helper_that_fails_midway_leaves_the_worker_to_read_its_part(browser, base_url, tmp_path):
    """The helper takes the second half and fails: the worker reads it itself, and the numbers are still exact."""
    path = tmp_path / "forty.log"
    _two_core_log(path, 300_000)
    assert path.stat().st_size > 40 << 20
    context, page, panel = _with_fake_helper(browser, base_url, fails=True)
    try:
        analyse_file(page, panel, path)
        assert panel.locator(".perfcalc-analyze__status").inner_text().endswith(" s.")  # one core: no "two cores"
        want = native_view(path)
        assert page.evaluate(READ_TABLES)[:2] == [want["rows"], want["endpoints"]]
    finally:
        context.close()


def test_stop_while_waiting_for_a_helper_stops_and_ends_it(browser, base_url, tmp_path):
    path = tmp_path / "forty.log"
    _two_core_log(path, 300_000)
    context, page, panel = _with_fake_helper(browser, base_url, fails=False)  # it never sends its part
    try:
        panel.locator('input[type="file"]').set_input_files(str(path))
        wait_until(page, """() => document.querySelector('section.perfcalc-analyze progress').value >= 0.5""",
                   timeout_s=120)  # the worker's half read (the helper's progress never comes): it waits
        assert _helpers(page)
        panel.get_by_role("button", name="Stop").click()
        expect(panel.locator(".perfcalc-analyze__status")).to_have_text("Stopped.")
        expect(panel.locator(".perfcalc-analyze__result")).to_be_hidden()
        deadline = time.monotonic() + 10
        while _helpers(page) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _helpers(page)
    finally:
        context.close()


def test_stop_cancels_and_a_new_file_is_read(live_page, base_url, tmp_path):
    panel = open_panel(live_page, base_url, "metrics/")
    line = '10.0.0.1 - - [10/Mar/2024:10:00:{s:02d} +0000] "GET /x HTTP/1.1" 200 5 "-" "ua" 0.050\n'
    big = tmp_path / "big.log"
    big.write_text("".join(line.format(s=i % 60) for i in range(400_000)))
    panel.locator('input[type="file"]').set_input_files(str(big))
    stop = panel.get_by_role("button", name="Stop")
    stop.click()
    expect(stop).to_be_hidden()
    expect(panel.locator(".perfcalc-analyze__result")).to_be_hidden()
    fixture = FIXTURES / "gunicorn_D.log"
    analyse_file(live_page, panel, fixture)
    assert live_page.evaluate(READ_TABLES)[0] == native_view(fixture)["rows"]


def test_a_damaged_file_is_read_as_far_as_it_goes_and_says_where_it_stopped(live_page, base_url):
    """A truncated gzip: the requests before the break are analysed, the broken line is listed."""
    panel = open_panel(live_page, base_url, "load-testing/")
    fixture = FIXTURES / "hostile" / "gzip_truncated.json.gz"
    analyse_file(live_page, panel, fixture)
    want = native_view(fixture)
    assert live_page.evaluate(READ_TABLES)[0] == want["rows"]
    shown = [li.inner_text() for li in panel.locator(".perfcalc-analyze__rejected li").all()]
    assert shown == [f"line {line}: expected {what}, found {found}" for line, what, found in want["rejected"]] != []


@pytest.mark.parametrize("name", ["formats/nginx_combined_plain.log", "formats/caddy.json.log",
                                  "formats/jmeter_results.xml", "formats/ingress_nginx.log"])
def test_real_formats_are_read_on_the_page_as_natively(live_page, base_url, name):
    """Plain combined (no latency), a JSON access log, JMeter XML and ingress-nginx's default, detected alone."""
    panel = open_panel(live_page, base_url, "metrics/")
    fixture = FIXTURES / name
    analyse_file(live_page, panel, fixture)
    want = native_view(fixture)
    assert live_page.evaluate(READ_TABLES)[0] == want["rows"]
    assert panel.locator(".perfcalc-analyze__file").inner_text() == f"{want['file']}: {want['format']}."
    assert [li.inner_text() for li in panel.locator(".perfcalc-analyze__notes li").all()] == want["notes"]


def test_an_nginx_log_format_given_on_the_page(live_page, base_url, tmp_path):
    """A key=value layout no detection knows, read with the log_format typed into the panel's field."""
    panel = open_panel(live_page, base_url, "metrics/")
    fmt = '$remote_addr [$time_local] "$request" $status request_time=$request_time upstream=$upstream_response_time'
    path = tmp_path / "kv.log"
    path.write_text("".join(f'10.0.0.{i % 7} [10/Mar/2024:10:00:{i % 60:02d} +0000] "GET /api/{i % 5} HTTP/1.1" 200 '
                            f"request_time=0.0{i % 9 + 1}2 upstream=0.0{i % 9 + 1}0\n" for i in range(120)))
    panel.locator('input[name="log_format"]').fill(fmt)
    analyse_file(live_page, panel, path)
    want = perfcalc_worker.analysis_view(analyze_bytes(path.read_bytes(), path.name, log_format=fmt))
    assert live_page.evaluate(READ_TABLES)[0] == want["rows"]
    assert "read with the log format given" in panel.locator(".perfcalc-analyze__file").inner_text()
