"""One lab run from start to finish: server up, calibration, load, server down, measurements, predictions.

:func:`run_scenario` returns the run's entry of the ``--json`` output and
writes its raw files (``NAME.requests.csv``, ``NAME.access.log``,
``NAME.error.log``) to the output folder; :func:`run_lab` runs a set of
scenarios and adds where and with what they ran.
"""

from __future__ import annotations

import csv
import math
import os
import platform
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from ..spec import PerfcalcError
from . import measure, predict
from .generator import drive
from .scenarios import WARMUP_FRACTION, Scenario, schedule
from .server import Server

__all__ = ["CALIBRATION", "run_scenario", "run_lab", "machine"]

# Before the load, on the same server: serial /noop and /work requests (what a request costs alone), then
# bursts of twice as many /work requests as the server has slots (each thread serves two in a row, so the
# gap between its two views is the worker's time outside %(D)s). Counts, spacing in s, and the service in ms.
CALIBRATION = {"noop": (30, 0.025), "work": (30, 0.06), "bursts": (5, 0.35), "work_ms": 20.0}
# Extra life the server's watchdog allows beyond the run's own length.
SERVER_MARGIN_S = 300.0


def _calibration_schedule(slots: int) -> list[tuple[float, str, str, float]]:
    """``(offset s, id, path, service ms)`` of the calibration requests."""
    out, t = [], 0.0
    n, gap = CALIBRATION["noop"]
    for i in range(n):
        out.append((t, f"cn{i}", f"/noop?id=cn{i}", 0.0))
        t += gap
    n, gap = CALIBRATION["work"]
    ms = CALIBRATION["work_ms"]
    for i in range(n):
        out.append((t, f"cw{i}", f"/work?id=cw{i}&ms={ms:g}", ms))
        t += gap
    n, gap = CALIBRATION["bursts"]
    for b in range(n):
        t += gap
        for i in range(2 * slots):
            key = f"cb{b}-{i}"
            out.append((t, key, f"/work?id={key}&ms={ms:g}", ms))
    return out


def _calibrate(samples: list[measure.Sample]) -> dict:
    """The per-request costs the lab measures on its own server before the load (medians, ms)."""
    noop = [s for s in samples if s.service_ms == 0.0 and s.ok and s.d_ms is not None]
    serial = [s for s in samples if s.ok and s.d_ms is not None and s.record.index < CALIBRATION["noop"][0]
              + CALIBRATION["work"][0]]
    work = [s for s in serial if s.service_ms > 0]
    burst = [s for s in samples if s.record.index >= CALIBRATION["noop"][0] + CALIBRATION["work"][0]]
    if not noop or not work:
        raise PerfcalcError("the calibration requests were not answered: see the server's error log")

    def median(values):
        return measure.percentiles(values, (50,))[0]

    busy, pairs = measure.busy_overhead_ms(burst)
    client_outside = median([s.record.latency_s * 1000.0 - s.d_ms for s in serial])
    return {
        "noop_d_ms": median([s.d_ms for s in noop]),
        "noop_latency_ms": median([s.record.latency_s * 1000.0 for s in noop]),
        "work_inside_ms": median([s.d_ms - s.service_ms for s in work]),
        "client_outside_ms": client_outside,
        "busy_outside_ms": busy if busy is not None else client_outside,
        "busy_outside_pairs": pairs,
    }


def _write_requests(path: Path, samples: list[measure.Sample], ids: list[str], t0: float) -> None:
    """The raw requests as CSV: times in seconds from the first scheduled send."""

    def rel(t):
        return "" if t is None else f"{t - t0:.6f}"

    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "scheduled_s", "sent_s", "done_s", "status", "error", "service_ms", "pid", "thread",
                    "view_start_s", "view_end_s", "d_ms"])
        for s, key in zip(samples, ids):
            r = s.record
            w.writerow([key, rel(r.scheduled), rel(r.sent), rel(r.done), r.status or "", r.error,
                        f"{s.service_ms:.3f}", s.pid or "", s.tid or "", rel(s.view_start), rel(s.view_end),
                        "" if s.d_ms is None else f"{s.d_ms:.3f}"])


def _measured(scenario: Scenario, samples, window, access, out_dir: Path) -> tuple[dict, object]:
    figures = measure.client_figures(samples, *window)
    lines = [access[f"r{s.record.index}"][1] for s in samples
             if window[0] <= s.record.scheduled < window[1] and f"r{s.record.index}" in access]
    if not lines:
        raise PerfcalcError(f"{scenario.name}: no request of the run is in the access log {out_dir}")
    summary = measure.service_summary(lines, f"{scenario.name}.access.log")
    service = summary.latency
    return {**figures, "service_mean_ms": service.mean_ms, "service_p50_ms": service.p50_ms,
            "service_p99_ms": service.p99_ms, "service_requests": service.count}, summary


def run_scenario(scenario: Scenario, out_dir: Path, host: str = "127.0.0.1", seeds: int = predict.RANGE_SEEDS,
                 say=lambda text: None) -> dict:
    """Run one scenario against a fresh server and return its entry of the ``--json`` output."""
    load = schedule(scenario)
    if not load:
        raise PerfcalcError(f"{scenario.name}: no request falls within {scenario.duration_s:g} s at this load")
    calibration = _calibration_schedule(scenario.slots)
    say(f"{scenario.name}: starting Gunicorn ({scenario.label})")
    server = Server(out_dir, scenario.worker_class, scenario.workers, scenario.threads, host=host,
                    name=scenario.name, lifetime_s=scenario.duration_s + SERVER_MARGIN_S)
    with server:
        say(f"{scenario.name}: calibrating on port {server.port}")
        cal_records = drive(server.host, server.port, [(t, path) for t, _, path, _ in calibration])
        say(f"{scenario.name}: {len(load):,} requests over {scenario.duration_s:g} s")
        records = drive(server.host, server.port,
                        [(t, f"/work?id=r{i}&ms={ms:.3f}") for i, (t, ms) in enumerate(load)], start_in_s=0.2)
        boot_order = list(server.worker_pids)
    access = measure.read_access_log(server.access_log)
    cal = _calibrate(measure.join(cal_records, [ms for *_, ms in calibration], [k for _, k, _, _ in calibration],
                                  access))
    ids = [f"r{i}" for i in range(len(load))]
    samples = measure.join(records, [ms for _, ms in load], ids, access)
    t0 = records[0].scheduled - load[0][0]
    _write_requests(out_dir / f"{scenario.name}.requests.csv", samples, ids, t0)
    window = (t0 + WARMUP_FRACTION * scenario.duration_s, t0 + scenario.duration_s)
    measured, _ = _measured(scenario, samples, window, access, out_dir)
    say(f"{scenario.name}: predicting ({seeds} simulated runs of {len(load):,} requests)")
    return _entry(scenario, samples, measured, cal, window, boot_order, seeds)


# Pairs of requests that waited for a thread, at least, for the run's own measure of the time a worker is busy
# outside %(D)s; with fewer, the calibration before the load is used.
MIN_GAP_PAIRS = 20


def _ratios(measured: dict, predicted: dict) -> dict:
    return {p: (None if not predicted.get(f"{p}_ms") or measured[f"{p}_ms"] is None
                or math.isinf(measured[f"{p}_ms"]) else measured[f"{p}_ms"] / predicted[f"{p}_ms"])
            for p in ("p50", "p95", "p99")}


def _entry(scenario: Scenario, samples, measured: dict, cal: dict, window, boot_order, seeds: int) -> dict:
    s = scenario
    lateness = measure.lateness_p99_ms(samples)
    arrival_rps = len(samples) / s.duration_s
    in_run, pairs = measure.busy_overhead_ms(samples)
    outside = in_run if pairs >= MIN_GAP_PAIRS else cal["busy_outside_ms"]
    busy_ms = measured["service_mean_ms"] + outside
    busy_p99 = (measured["service_p99_ms"] + outside) if s.distribution == "lognormal" else None
    split = s.worker_class == "gthread" and s.workers > 1
    route = measure.routing(samples, boot_order) if s.worker_class == "gthread" else None
    shares = route["shares"] if split else [1.0]
    if split and len(shares) < s.workers:  # a process that took nothing still has its share: 0
        shares = shares + [0.0] * (s.workers - len(shares))
    threads = s.threads if split else s.slots
    if split:
        adjusted = {**predict.split_figures(arrival_rps, busy_ms, threads, shares),
                    "shared_queue": predict.model_figures(s.distribution, arrival_rps, busy_ms, busy_p99, s.slots),
                    "even_split": predict.split_figures(arrival_rps, busy_ms, threads, [1.0 / s.workers] * s.workers)}
    else:
        adjusted = predict.model_figures(s.distribution, arrival_rps, busy_ms, busy_p99, s.slots)
    adjusted["stack"] = predict.stack_figures(s.distribution, arrival_rps, busy_ms, busy_p99, s.workers if split else 1,
                                              threads, shares if split else None)
    adjusted.update(arrival_rps=arrival_rps, busy_ms=busy_ms, busy_outside_ms=outside,
                    busy_outside_from="this run" if pairs >= MIN_GAP_PAIRS else "the calibration")
    adjusted.update(predict.finite_run_ranges(arrival_rps, predict.service_times(s.distribution, busy_ms, busy_p99),
                                              threads, shares, len(samples), seeds))
    nominal = predict.nominal(s)
    replay = predict.replay(samples, outside, threads, split, window)
    checks = {f"p{p}_in_range": adjusted[f"p{p}_range_ms"][0] <= measured[f"p{p}_ms"] <= adjusted[f"p{p}_range_ms"][1]
              for p in (50, 95, 99)}
    finite = {f"{p}_ms": adjusted[f"{p}_median_ms"] for p in ("p50", "p95", "p99")}
    warnings = []
    if lateness > measure.LATENESS_LIMIT_MS:
        warnings.append(f"The generator sent its p99 request {lateness:,.1f} ms late (limit "
                        f"{measure.LATENESS_LIMIT_MS:g} ms): the machine was too busy for this run to count.")
    if measured["failures"]:
        warnings.append(f"{measured['failures']} requests failed or timed out; they count as infinitely slow.")
    return {
        "name": s.name, "label": s.label, "worker_class": s.worker_class, "workers": s.workers,
        "threads": s.threads, "distribution": s.distribution, "service_mean_ms": s.service_mean_ms,
        "service_p99_ms": s.service_p99_ms, "utilization_pct": s.utilization_pct, "duration_s": s.duration_s,
        "seed": s.seed, "requests": len(samples), "lateness_p99_ms": lateness,
        "counts": lateness <= measure.LATENESS_LIMIT_MS,
        "measured": measured,
        "calibration": {**cal, "in_run_busy_outside_ms": in_run, "in_run_pairs": pairs},
        "predicted": nominal, "predicted_adjusted": adjusted, "replay": replay,
        "ratios": {"adjusted": _ratios(measured, adjusted), "finite_run_median": _ratios(measured, finite),
                   "nominal": _ratios(measured, nominal), "replay": _ratios(measured, replay),
                   "stack": _ratios(measured, adjusted["stack"])},
        "routing": route, "checks": checks, "holds": all(checks.values()), "warnings": warnings,
    }


def machine() -> dict:
    """Where the lab ran: date, CPU, cores, kernel, Python, Gunicorn and Flask versions, load average."""
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "cpu": cpu_name(),
            "scheduling": scheduling(),
            "cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "gunicorn": _version("gunicorn"), "flask": _version("flask"),
            "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None}


def cpu_name(cpuinfo: str | None = None) -> str:
    r"""The CPU as /proc/cpuinfo names it, with its family, model and clock.

    A virtual machine often names only a brand ("AMD EPYC"); family and
    model tell the generation (AMD's family 25 is Zen 3 and Zen 4).

    >>> cpu_name("model name\t: AMD EPYC\ncpu family\t: 25\nmodel\t\t: 17\ncpu MHz\t\t: 2596.142\n")
    'AMD EPYC (family 25, model 17, 2596 MHz)'
    """
    if cpuinfo is None:
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as f:
                cpuinfo = f.read()
        except OSError:
            return platform.processor() or platform.machine()
    fields = {}
    for line in cpuinfo.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip(), value.strip())
    name = fields.get("model name") or platform.processor() or platform.machine()
    extra = [f"{label} {fields[key]}" for key, label in (("cpu family", "family"), ("model", "model"))
             if fields.get(key)]
    if fields.get("cpu MHz"):
        extra.append(f"{float(fields['cpu MHz']):.0f} MHz")
    return f"{name} ({', '.join(extra)})" if extra else name


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def scheduling() -> str:
    """How the lab (and the server it starts, which inherits it) is scheduled: the policy and its priority or nice.

    A real-time policy (``chrt -f 10 …``) runs the lab the instant it wakes, as on an idle machine, whatever
    else the machine runs; the page says so beside the results.
    """
    if not hasattr(os, "sched_getscheduler"):
        return "default"
    policy = os.sched_getscheduler(0)
    names = {getattr(os, n): n for n in ("SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_IDLE")
             if hasattr(os, n)}
    name = names.get(policy, str(policy))
    if policy in (getattr(os, "SCHED_FIFO", None), getattr(os, "SCHED_RR", None)):
        return f"{name}, priority {os.sched_getparam(0).sched_priority}"
    return f"{name}, nice {os.nice(0)}"


def run_lab(scenarios: list[Scenario], out_dir: Path, command: str, host: str = "127.0.0.1",
            seeds: int = predict.RANGE_SEEDS, say=lambda text: None) -> dict:
    """Run every scenario in turn; the whole ``--json`` document."""
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    where = machine()
    runs = [run_scenario(s, out_dir, host, seeds, say) for s in scenarios]
    where["load_average_after"] = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    return {"command": command, "machine": where, "elapsed_s": round(time.monotonic() - started, 1),
            "output_folder": str(out_dir), "runs": runs}


def _finite(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


def plain(value):
    """JSON-ready: infinities as ``None``, tuples as lists."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return _finite(value)

