"""Two runs compared in the page: the CLI's verdicts and numbers, nothing sent, markup from files kept as text.

Each test gives the built site's compare panel two files and checks what the
page shows against ``perfcalc_worker.comparison_view`` run natively on the
same bytes (the function the worker runs) and, for the real fixture logs,
against ``perfcalc compare --json`` run as a reader would.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from perfcalc.analyze import analyze_bytes
from perfcalc.analyze.compare import Change, Comparison, RunInfo, compare
from perfcalc.format import comparison_cells

from .conftest import ROOT, wait_live
from .helpers import requests_made, wait_until

sys.path.insert(0, str(ROOT / "site" / "browser"))
import perfcalc_worker  # noqa: E402  (the worker's Python, run natively)

FIXTURES = ROOT / "tests" / "fixtures" / "analyze"
SYNC = FIXTURES / "compare" / "gunicorn-sync-w4-85pct.access.log.gz"
GTHREAD = FIXTURES / "compare" / "gunicorn-gthread-w2-t2-70pct.access.log.gz"
PANEL = "section.perfcalc-compare"
RESULT = f"{PANEL} .perfcalc-analyze__result"
READ_TABLE = """() => [...document.querySelectorAll('section.perfcalc-compare table tbody tr')].map(r =>
  [...r.children].map(c => c.textContent))"""


def native_view(baseline: tuple, candidate: tuple) -> dict:
    """(name, bytes) of each run, as the worker reads them."""
    return perfcalc_worker.comparison_view(compare(analyze_bytes(baseline[1], baseline[0]),
                                                   analyze_bytes(candidate[1], candidate[0])))


def cli_cells(baseline: Path, candidate: Path) -> list:
    """The table's cells from ``perfcalc compare --json``: its numbers, worded by perfcalc.format as the page's are."""
    done = subprocess.run([sys.executable, "-m", "perfcalc", "compare", "--json", str(baseline), str(candidate)],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    answer = json.loads(done.stdout)
    runs = [RunInfo(**answer[role]) for role in ("baseline", "candidate")]
    changes = tuple(Change(**metric) for metric in answer["metrics"])
    return [list(row) for row in comparison_cells(Comparison(*runs, changes, answer["method"], tuple(answer["notes"])))]


def open_panel(page, base_url):
    page.goto(base_url + "load-testing/")
    wait_live(page)
    panel = page.locator(PANEL)
    expect(panel).to_have_attribute("data-state", "live")
    return panel


def give(panel, which: str, path_or_payload):
    panel.locator(f'input[name="{which}"]').set_input_files(path_or_payload)


def test_two_real_runs_are_compared_as_natively_and_nothing_is_sent(live_page, base_url):
    panel = open_panel(live_page, base_url)
    sent = requests_made(live_page)
    give(panel, "baseline", str(SYNC))
    expect(panel.locator('[data-run="baseline"] .perfcalc-compare__chosen')).to_contain_text(SYNC.name)
    expect(panel.locator(".perfcalc-analyze__status")).to_contain_text("Now the candidate")
    give(panel, "candidate", str(GTHREAD))
    live_page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=120_000)
    want = native_view((SYNC.name, SYNC.read_bytes()), (GTHREAD.name, GTHREAD.read_bytes()))
    assert live_page.evaluate(READ_TABLE) == want["rows"] == cli_cells(SYNC, GTHREAD)
    header = [th.inner_text() for th in panel.locator("table thead th").all()]
    assert header == want["header"]
    assert [li.inner_text() for li in panel.locator(".perfcalc-compare__verdicts li").all()] == want["verdicts"]
    assert [li.inner_text() for li in panel.locator(".perfcalc-compare__runs-read li").all()] == want["runs"]
    assert panel.locator("td[data-verdict='slower']").count() == 1  # the throughput: the tests sent 68/s and 56/s
    assert sent == [], "the comparison made requests"


DROP = """([selector, name, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name));
  const target = document.querySelector(selector);
  target.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: data}));
  return target.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: data}));
}"""


def drop(page, selector: str, path: Path) -> bool:
    """Drop a file on an element as a browser does; False when the page took it (its default prevented)."""
    return page.evaluate(DROP, [selector, path.name, base64.b64encode(path.read_bytes()).decode()])


def test_runs_dropped_on_their_boxes_are_compared_as_the_cli_does(live_page, base_url):
    panel = open_panel(live_page, base_url)
    assert drop(live_page, f"{PANEL} .perfcalc-compare__runs", SYNC) is False  # beside the boxes: kept, not opened
    expect(panel.locator(".perfcalc-analyze__status")).to_have_text(re.compile("^Drop the file on the baseline"))
    assert drop(live_page, f'{PANEL} [data-run="candidate"]', GTHREAD) is False
    expect(panel.locator(".perfcalc-analyze__status")).to_contain_text("Now the baseline")
    expect(panel.locator('[data-run="candidate"] .perfcalc-compare__chosen')).to_have_text(GTHREAD.name)
    assert drop(live_page, f'{PANEL} [data-run="baseline"]', SYNC) is False
    live_page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=120_000)
    assert live_page.evaluate(READ_TABLE) == cli_cells(SYNC, GTHREAD)


def test_copy_results_puts_the_markdown_on_the_clipboard(fresh_page, base_url):
    fresh_page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=re.match(r"https?://[^/]+", base_url)[0])
    panel = open_panel(fresh_page, base_url)
    give(panel, "baseline", str(SYNC))
    give(panel, "candidate", str(SYNC))
    fresh_page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=120_000)
    want = native_view((SYNC.name, SYNC.read_bytes()), (SYNC.name, SYNC.read_bytes()))
    panel.get_by_role("button", name="Copy results (Markdown)").click()
    expect(panel.locator(".perfcalc-analyze__result [role=status]")).to_have_text(re.compile("^Copied"))
    assert fresh_page.evaluate("navigator.clipboard.readText()") == want["markdown"]
    assert "| p99 |" in want["markdown"]


def test_without_the_clipboard_the_markdown_is_selected_to_copy_by_hand(live_page, base_url):
    panel = open_panel(live_page, base_url)
    live_page.evaluate("() => { navigator.clipboard.writeText = () => Promise.reject(new Error('denied')); }")
    give(panel, "baseline", str(SYNC))
    give(panel, "candidate", str(GTHREAD))
    live_page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=120_000)
    panel.get_by_role("button", name="Copy results (Markdown)").click()
    box = panel.locator("textarea.perfcalc-compare__markdown")
    expect(box).to_be_visible()
    want = native_view((SYNC.name, SYNC.read_bytes()), (GTHREAD.name, GTHREAD.read_bytes()))
    assert box.input_value() == want["markdown"]
    assert live_page.evaluate("document.activeElement.className") == "perfcalc-compare__markdown"


def test_swap_compares_the_other_way(live_page, base_url):
    panel = open_panel(live_page, base_url)
    give(panel, "baseline", str(SYNC))
    give(panel, "candidate", str(GTHREAD))
    live_page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=120_000)
    expect(panel.locator("td[data-verdict='slower']")).to_have_count(1)
    panel.get_by_role("button", name="Swap the two").click()
    expect(panel.locator("td[data-verdict='faster']")).to_have_count(1, timeout=120_000)
    want = native_view((GTHREAD.name, GTHREAD.read_bytes()), (SYNC.name, SYNC.read_bytes()))
    assert live_page.evaluate(READ_TABLE) == want["rows"] == cli_cells(GTHREAD, SYNC)
    expect(panel.locator('[data-run="baseline"] .perfcalc-compare__chosen')).to_have_text(GTHREAD.name)


@pytest.mark.parametrize("name", ["binary.bin", "empty.log"])
def test_a_run_that_cannot_be_read_says_which_and_why(live_page, base_url, name):
    panel = open_panel(live_page, base_url)
    bad = FIXTURES / "hostile" / name
    give(panel, "baseline", str(SYNC))
    give(panel, "candidate", str(bad))
    error = panel.locator(".perfcalc-analyze__error")
    expect(error).not_to_be_empty(timeout=120_000)
    with pytest.raises(Exception) as native:
        analyze_bytes(bad.read_bytes(), name)
    assert error.text_content() == f"The candidate ({name}): {native.value}"
    assert "Traceback" not in panel.inner_text()
    cli = subprocess.run([sys.executable, "-m", "perfcalc", "compare", "--json", str(SYNC), str(bad)], cwd=ROOT,
                         capture_output=True, text=True)
    assert cli.returncode == 2 and json.loads(cli.stdout)["error"]["message"] in str(native.value)
    expect(panel.locator(".perfcalc-analyze__result")).to_be_hidden()
    expect(panel.locator(".perfcalc-analyze__status")).to_have_text("The two runs could not be compared.")


def test_markup_in_a_file_name_stays_text(live_page, base_url):
    panel = open_panel(live_page, base_url)
    payload = "<img src=x onerror=window.__pwned=1>.log"
    data = gzip.decompress(SYNC.read_bytes())
    give(panel, "baseline", {"name": payload, "mimeType": "text/plain", "buffer": data})
    give(panel, "candidate", str(GTHREAD))
    live_page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=120_000)
    assert payload in live_page.locator(RESULT).inner_text()
    assert live_page.locator(f"{PANEL} img").count() == 0
    assert live_page.evaluate("window.__pwned") is None


def large_runs(tmp_path) -> list:
    """Two 100,000-line access logs (a second of requests per 100 lines), a little apart."""
    line = '10.0.0.1 - - [10/Mar/2024:10:{m:02d}:{s:02d} +0000] "GET /x HTTP/1.1" 200 5 "-" "k6" 0.0{d}{e}\n'
    paths = []
    for run in (0, 1):
        path = tmp_path / f"run{run}.log"
        path.write_text("".join(line.format(m=i // 6000, s=i // 100 % 60, d=(i * 7 + run) % 9 + 1, e=i % 10)
                                for i in range(100_000)))
        paths.append(path)
    return paths


def test_progress_is_shown_while_two_large_runs_are_read(live_page, base_url, tmp_path):
    """Two 100,000-line logs: the bar moves while reading, then while resampling; the result arrives."""
    panel = open_panel(live_page, base_url)
    paths = large_runs(tmp_path)
    give(panel, "baseline", str(paths[0]))
    give(panel, "candidate", str(paths[1]))
    seen = wait_until(live_page, """() => { const p = document.querySelector('section.perfcalc-compare progress');
        return !p.hidden && p.value > 0 && p.value < 1 ? p.value : null; }""")
    assert 0 < seen < 1
    live_page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=180_000)
    expect(panel.locator("progress")).to_be_hidden()
    assert live_page.evaluate(READ_TABLE)[0][0] == "p50"


STOP_AT = """(stage) => {
  const panel = document.querySelector('section.perfcalc-compare');
  const status = panel.querySelector('.perfcalc-analyze__status');
  new MutationObserver((changes, observer) => {
    if (!status.textContent.startsWith(stage)) return;
    observer.disconnect();
    window.__stoppedAt = status.textContent;
    panel.querySelector("[data-action='analyze-cancel']").click();
  }).observe(status, {childList: true, characterData: true, subtree: true});
}"""


@pytest.mark.parametrize("stage", ["The candidate: Read", "Comparing:"])
def test_stop_cancels_a_comparison_and_the_next_one_runs(live_page, base_url, tmp_path, stage):
    """Stopped while a file is read or while resampling: no result, no error; the next comparison is whole."""
    panel = open_panel(live_page, base_url)
    paths = large_runs(tmp_path)
    # Stop is pressed the moment the status line names the stage: a click from here could come after the end.
    live_page.evaluate(STOP_AT, stage)
    give(panel, "baseline", str(paths[0]))
    give(panel, "candidate", str(paths[1]))
    stop = panel.get_by_role("button", name="Stop")
    expect(stop).to_be_hidden(timeout=120_000)
    assert live_page.evaluate("window.__stoppedAt").startswith(stage)
    expect(panel.locator(".perfcalc-analyze__status")).to_have_text("Stopped.")
    expect(panel.locator(".perfcalc-analyze__result")).to_be_hidden()
    expect(panel.locator(".perfcalc-analyze__error")).to_be_empty()
    give(panel, "baseline", str(SYNC))
    give(panel, "candidate", str(GTHREAD))
    live_page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=120_000)
    assert live_page.evaluate(READ_TABLE) == cli_cells(SYNC, GTHREAD)


def test_each_run_has_its_own_format_choice(live_page, base_url, tmp_path):
    """A baseline in a key=value layout no detection knows, read with the log_format typed into its own box;
    the candidate, plain nginx, detected: compared as natively, and the choices follow their files on a swap."""
    panel = open_panel(live_page, base_url)
    fmt = '$remote_addr [$time_local] "$request" $status request_time=$request_time'
    custom = tmp_path / "kv.log"
    custom.write_text("".join(f'10.0.0.{i % 7} [10/Mar/2024:10:{i // 60:02d}:{i % 60:02d} +0000] "GET /api/{i % 5} '
                              f'HTTP/1.1" 200 request_time=0.0{i % 9 + 1}2\n' for i in range(600)))
    nginx = FIXTURES / "nginx_ramp.log"
    baseline = panel.locator('[data-run="baseline"]')
    expect(baseline.locator('select[name="format"]')).to_be_enabled()
    assert baseline.locator('select[name="format"] option').count() == panel.locator(
        '[data-run="candidate"] select[name="format"] option').count() > 10  # the single-file panel's menu
    give(panel, "baseline", str(custom))
    give(panel, "candidate", str(nginx))
    expect(panel.locator(".perfcalc-analyze__error")).to_contain_text("The baseline (kv.log)")  # not detected alone
    baseline.locator('input[name="log_format"]').fill(fmt)
    baseline.locator('input[name="log_format"]').blur()  # its change event: compared again
    live_page.locator(f"{RESULT}:not([hidden])").wait_for(timeout=120_000)
    want = perfcalc_worker.comparison_view(compare(analyze_bytes(custom.read_bytes(), custom.name, log_format=fmt),
                                                   analyze_bytes(nginx.read_bytes(), nginx.name)))
    assert live_page.evaluate(READ_TABLE) == want["rows"]
    assert [li.inner_text() for li in panel.locator(".perfcalc-compare__runs-read li").all()] == want["runs"]
    panel.locator("[data-action='compare-swap']").click()
    expect(panel.locator('[data-run="candidate"] input[name="log_format"]')).to_have_value(fmt)
    expect(baseline.locator('input[name="log_format"]')).to_have_value("")
    swapped = perfcalc_worker.comparison_view(compare(analyze_bytes(nginx.read_bytes(), nginx.name),
                                                      analyze_bytes(custom.read_bytes(), custom.name, log_format=fmt)))
    wait_until(live_page, f"(want) => JSON.stringify(({READ_TABLE})()) === JSON.stringify(want)", swapped["rows"],
               timeout_s=120)
