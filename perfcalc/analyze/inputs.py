"""Measured numbers as inputs for the calculators: "use these numbers" on the page.

Each suggestion is named exactly as the calculator's field (see
``perfcalc/catalogue/``), and is checked by that field's own rule when the
calculator exists, so a button never fills a value the form would refuse;
a value outside a field's bounds is left out with a note.

- ``usl-fit``: ``measurements``, the ``N:X`` pairs of the load steps, when
  the file has three or more load levels.
- ``worker-pool`` and ``simulate``: ``arrival_rps`` (the steady window's
  throughput), ``service_time_ms`` (the mean measured time), and for
  ``simulate`` ``service_p99_ms``, offered only with a measured p99 that a
  lognormal can have (at most ~15 × the mean). The number of workers is the server's,
  which none of these files records, so it is never suggested.
- ``capacity``: ``response_time_ms`` and ``error_rate_pct``; and, for an
  access log of at least an hour, ``requests_per_month``: the log's average
  rate held for a 730-hour month. A load test's rate is the load chosen for
  the test, not traffic, so it is never extrapolated to a month.
"""

from __future__ import annotations

from ..catalogue import CALCULATORS
from ..cost import SECONDS_PER_MONTH
from ..simulation import MAX_P99_TO_MEAN, lognormal_sigma
from ..spec import PerfcalcError
from .records import CLIENT, PROXY, SERVICE, UPSTREAM

__all__ = ["MIN_SPAN_FOR_MONTH_S", "calculator_inputs"]

# Less than an hour of traffic says little about a month: the daily cycle alone swings it severalfold.
MIN_SPAN_FOR_MONTH_S = 3600.0


def _round(x: float) -> float:
    """Four significant digits: more than any measurement here supports, few enough to read."""
    return float(f"{x:.4g}")


def calculator_inputs(*, throughput_rps, service_ms, service_basis, p99_ms, error_rate_pct, usl_measurements,
                      requests_in_file, span_s, month_extrapolation, timing=None) -> tuple[dict, list]:
    """``({calculator id: {field: value}}, notes)`` from the measured numbers; missing ones are left out.

    ``timing`` (a :class:`~.records.Timing`) says what the measured time is,
    and so how well it stands for ``service_time_ms``.
    """
    inputs, notes = {}, []
    if usl_measurements:
        inputs["usl-fit"] = {"measurements": usl_measurements}
    if throughput_rps and service_ms:
        pool = {"arrival_rps": _round(throughput_rps), "service_time_ms": _round(service_ms)}
        inputs["worker-pool"] = dict(pool)
        if p99_ms:
            inputs["simulate"] = {**pool, "service_p99_ms": _round(p99_ms)}
            try:
                lognormal_sigma(inputs["simulate"]["service_time_ms"], inputs["simulate"]["service_p99_ms"])
            except PerfcalcError:
                # A tail heavier than any lognormal's: filling only some of simulate's fields would pair the
                # measured mean with a p99 that was never measured.
                del inputs["simulate"]
                notes.append(f"Not suggested for simulate: the measured p99 ({_round(p99_ms):g} ms) is "
                             f"{p99_ms / service_ms:.3g} × the mean ({_round(service_ms):g} ms), and no lognormal "
                             f"has a p99 more than {MAX_P99_TO_MEAN:.4g} × its mean. Such a tail usually means a "
                             "second kind of request: look at the endpoints one by one.")
        else:
            notes.append("Not suggested for simulate: its point is the tail, and this file gives no p99 of the "
                         "steady window to fit it to.")
        notes.append(f"Suggested service_time_ms is {service_basis}. {_service_caveat(timing)}")
    if service_ms:
        inputs["capacity"] = {"response_time_ms": _round(service_ms)}
        if error_rate_pct is not None:
            inputs["capacity"]["error_rate_pct"] = _round(error_rate_pct)
        if month_extrapolation and span_s and span_s >= MIN_SPAN_FOR_MONTH_S and requests_in_file:
            per_month = round(requests_in_file / span_s * SECONDS_PER_MONTH)
            inputs["capacity"]["requests_per_month"] = per_month
            notes.append(f"Suggested requests_per_month = {requests_in_file:,} requests in {span_s / 3600:,.1f} h "
                         f"of log × 730 h / {span_s / 3600:,.1f} h: the log's average rate held for a month.")
    return _checked(inputs, notes), notes


def _service_caveat(timing) -> str:
    """How far the measured time stands for the service time worker-pool asks for."""
    kind = timing.kind if timing else CLIENT
    if kind == SERVICE:
        return (f"{timing.field} is the server's own time after it read the request, which is what service_time_ms "
                "means; the time requests waited in the listen backlog is not in it, so it does not show how "
                "loaded the server was: compare with the calculator's predicted wait.")
    if kind == UPSTREAM:
        return (f"{timing.field} includes any time the request waited in the upstream's listen backlog, so under "
                "load it overstates the service time; the least loaded period is the closest to it.")
    if kind == PROXY:
        return (f"{timing.field} is the proxy's whole time, the wait for the upstream and the client's reading "
                "included, so under load it overstates the service time; log $upstream_response_time (or the "
                "application server's own time) for a closer figure.")
    return ("Measured times include any time spent queued in the server and the network, so under load they "
            "overstate the service time; a step test's lowest step is the closest to it.")


def _checked(inputs: dict, notes: list) -> dict:
    for cid, values in inputs.items():
        calc = CALCULATORS.get(cid)
        if calc is None:
            continue  # a calculator this version of the catalogue does not have yet
        fields = {f.name: f for f in calc.fields}
        for name in list(values):
            if name not in fields:  # the catalogue renamed a field: a test fails on this
                del values[name]
                notes.append(f"Not suggested for {cid}: it has no field {name}.")
                continue
            try:
                fields[name].parse(values[name])
            except PerfcalcError as exc:
                del values[name]
                notes.append(f"Not suggested for {cid}: {exc}.")
    return {cid: values for cid, values in inputs.items() if values}
