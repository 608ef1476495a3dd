"""A large file read on two cores, in the page: odd files, Stop, a new file, navigation,
offline, the compare panel. Each test checks the page against one native reading and that no helper is left."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import wait_live
from .helpers import click_nav, wait_until
from .test_analyze import FIXTURES, PANEL, READ_TABLES, RESULT, _helpers, _two_core_log, native_view, open_panel

STATUS = f"{PANEL} .perfcalc-analyze__status"


def _no_helper_left(page, within_s: float = 10) -> None:
    deadline = time.monotonic() + within_s
    while _helpers(page) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert not _helpers(page), "a helper worker is left running"


def _wait_helper(page, within_s: float = 60) -> None:
    deadline = time.monotonic() + within_s
    while not _helpers(page) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert _helpers(page), "no helper was started"


def _same_as_native(page, panel, path: Path) -> None:
    want = native_view(path)
    tables = page.evaluate(READ_TABLES)
    assert tables[0] == want["rows"]
    assert tables[1] == want["endpoints"]
    shown = [li.inner_text() for li in panel.locator(".perfcalc-analyze__rejected li").all()]
    assert shown == [f"line {line}: expected {what}, found {found}" for line, what, found in want["rejected"]]


@pytest.fixture(scope="module")
def big_log(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "forty.log"
    _two_core_log(path, 300_000)
    assert path.stat().st_size > 32 << 20
    return path


def test_a_large_crlf_file_on_two_cores_as_natively(live_page, base_url, big_log, tmp_path):
    path = tmp_path / "crlf.log"
    path.write_bytes(big_log.read_bytes().replace(b"\n", b"\r\n"))
    panel = open_panel(live_page, base_url, "metrics/")
    panel.locator('input[type="file"]').set_input_files(str(path))
    live_page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=240_000)
    assert panel.locator(".perfcalc-analyze__status").inner_text().endswith(", on two cores.")
    _same_as_native(live_page, panel, path)
    _no_helper_left(live_page)


def test_a_large_gzip_is_read_on_one_core_as_natively_and_lets_its_helper_go_at_once(live_page, base_url, big_log,
                                                                                       tmp_path):
    """A gzip file (like a format that is not splittable) is known from its first slice never to be read in two
    parts: the helper is let go then, even before its Python has started, and its interpreter (about 200 MB,
    README) does not stay while the worker reads the rest alone."""
    path = tmp_path / "stored.log.gz"
    path.write_bytes(gzip.compress(big_log.read_bytes(), compresslevel=0))  # stored blocks: over 32 MiB
    assert path.stat().st_size > 32 << 20
    panel = open_panel(live_page, base_url, "metrics/")
    panel.locator('input[type="file"]').set_input_files(str(path))
    _wait_helper(live_page)
    result = live_page.locator(f"{RESULT}:not([hidden])")
    while _helpers(live_page) and not result.count():
        live_page.wait_for_timeout(20)
    assert not result.count(), "the helper stayed until the worker had read the whole file alone"
    result.wait_for(timeout=240_000)
    assert not panel.locator(".perfcalc-analyze__status").inner_text().endswith("two cores.")
    _same_as_native(live_page, panel, path)
    _no_helper_left(live_page)


def test_a_second_file_chosen_while_the_first_is_read_on_two_cores(live_page, base_url, big_log):
    panel = open_panel(live_page, base_url, "metrics/")
    panel.locator('input[type="file"]').set_input_files(str(big_log))
    _wait_helper(live_page)
    wait_until(live_page, f"() => document.querySelector('{PANEL} progress').value >= 0.3", timeout_s=120)
    small = FIXTURES / "nginx_ramp.log"
    panel.locator('input[type="file"]').set_input_files(str(small))
    live_page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=120_000)
    _same_as_native(live_page, panel, small)
    _no_helper_left(live_page)
    live_page.wait_for_timeout(2000)  # the first job's end, after the second's result: nothing overwrites it
    _same_as_native(live_page, panel, small)


@pytest.mark.parametrize("when", ["at once", "both reading"])
def test_stop_in_each_phase_ends_the_helper_and_the_next_file_is_read(live_page, base_url, big_log, when):
    panel = open_panel(live_page, base_url, "metrics/")
    panel.locator('input[type="file"]').set_input_files(str(big_log))
    if when == "both reading":
        _wait_helper(live_page)
        wait_until(live_page, f"() => document.querySelector('{PANEL} progress').value >= 0.3", timeout_s=120)
    panel.get_by_role("button", name="Stop").click()
    expect(panel.locator(".perfcalc-analyze__status")).to_have_text("Stopped.")
    _no_helper_left(live_page)
    small = FIXTURES / "nginx_ramp.log"
    panel.locator('input[type="file"]').set_input_files(str(small))
    live_page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=120_000)
    _same_as_native(live_page, panel, small)


def test_navigating_away_mid_read_ends_the_helper(live_page, base_url, big_log):
    panel = open_panel(live_page, base_url, "metrics/")
    panel.locator('input[type="file"]').set_input_files(str(big_log))
    _wait_helper(live_page)
    wait_until(live_page, f"() => document.querySelector('{PANEL} progress').value >= 0.2", timeout_s=120)
    click_nav(live_page, base_url + "slo/")
    _no_helper_left(live_page)
    click_nav(live_page, base_url + "metrics/")
    panel = live_page.locator(PANEL)
    small = FIXTURES / "nginx_ramp.log"
    panel.locator('input[type="file"]').set_input_files(str(small))
    live_page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=120_000)
    _same_as_native(live_page, panel, small)


def test_offline_the_helper_starts_from_the_cache(browser, base_url, big_log):
    context = browser.new_context()
    try:
        page = context.new_page()
        errors = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(base_url + "metrics/")
        wait_live(page)
        page.evaluate("navigator.serviceWorker.ready")
        wait_until(page, "() => navigator.serviceWorker.controller !== null", timeout_s=120)
        wait_until(page, "() => caches.open('perfcalc-precache').then(c => c.keys()).then(k => k.length > 100)",
                   timeout_s=120)
        context.set_offline(True)
        panel = open_panel(page, base_url, "metrics/")
        panel.locator('input[type="file"]').set_input_files(str(big_log))
        page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=240_000)
        assert panel.locator(".perfcalc-analyze__status").inner_text().endswith(", on two cores.")
        _same_as_native(page, panel, big_log)
        assert errors == []
    finally:
        context.close()


def test_parts_that_cannot_be_joined_are_read_on_by_the_worker_as_natively(live_page, base_url, tmp_path):
    """Over 200 endpoints in all: the helper's part is refused (Analyzer.absorb), the worker reads it itself,
    the page shows one reading's numbers (the '(other endpoints)' row among them) and says nothing of two cores."""
    path = tmp_path / "many-endpoints.log"
    _two_core_log(path, 300_000)
    data = path.read_bytes()
    # 120 endpoints in the first half, 120 others in the second: 240 in all
    half = data.index(b"\n", len(data) // 2) + 1
    path.write_bytes(data[:half] + data[half:].replace(b"GET /api/e", b"GET /api/f"))
    panel = open_panel(live_page, base_url, "metrics/")
    panel.locator('input[type="file"]').set_input_files(str(path))
    _wait_helper(live_page)
    live_page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=240_000)
    status = panel.locator(".perfcalc-analyze__status").inner_text()
    assert status.startswith("Analysed in ") and "two cores" not in status, status
    _same_as_native(live_page, panel, path)
    assert any(row[0] == "(other endpoints)" for row in live_page.evaluate(READ_TABLES)[1])
    _no_helper_left(live_page)


def test_a_large_file_that_is_no_log_is_refused_and_its_helper_ends(live_page, base_url, tmp_path):
    path = tmp_path / "archive.log"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * (140 << 10))  # 35 MiB of binary
    panel = open_panel(live_page, base_url, "metrics/")
    panel.locator('input[type="file"]').set_input_files(str(path))
    expect(panel.locator(".perfcalc-analyze__status")).to_have_text("The file could not be analysed.",
                                                                    timeout=120_000)
    _no_helper_left(live_page)


def test_without_a_shared_worker_the_helper_still_reads_half(browser, base_url, big_log):
    """As in Chrome for Android: the job's worker is a dedicated one, the helper another."""
    from .helpers import NO_SHARED_WORKER

    context = browser.new_context(service_workers="block")
    context.add_init_script(NO_SHARED_WORKER)
    try:
        page = context.new_page()
        errors = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        panel = open_panel(page, base_url, "metrics/")
        panel.locator('input[type="file"]').set_input_files(str(big_log))
        page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=240_000)
        assert panel.locator(".perfcalc-analyze__status").inner_text().endswith(", on two cores.")
        _same_as_native(page, panel, big_log)
        _no_helper_left(page)
        assert errors == []
    finally:
        context.close()
