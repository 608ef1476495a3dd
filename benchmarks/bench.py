"""Performance report, native half: `make bench` (the browser half is benchmarks/browser.py).

Every claim is measured against a baseline in the same run, on this machine:
- Che approximation with aggregated ranks versus the full per-item sum;
- Erlang B starting below the load versus the recursion from zero, and the
  textbook factorial formula;
- each calculator's worst case, searched for within its declared bounds:
  random inputs (log-uniform over wide ranges), targeted ones (every bound,
  loads near saturation, the largest counts, the longest text), then a local
  search around the slowest. The slowest answer (``perfcalc.evaluate``, what
  the page runs for each keystroke) is re-timed and set against its budget:
  16 ms, a frame, for every calculator but ``simulate``, whose budget is
  300 ms (ARCHITECTURE.md §3). Charts, drawn once typing pauses, are searched
  the same way and set against a frame.

Nothing lists the calculators: a new one is searched like the others. It
reports; it does not fail. Timings are CPU time (``time.process_time``), the
best of several runs, so other work on a shared machine distorts them less.
"""

from __future__ import annotations

import math
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import perfcalc  # noqa: E402
from perfcalc import caching, networks, queueing, scalability  # noqa: E402
from perfcalc_site import charts as site_charts  # noqa: E402  (the SVG drawing, as the worker runs it)

FRAME_MS = 16.0
# The simulations, allowed to answer slower than a keystroke (their pages say "Computing…").
BUDGET_MS = {"simulate": 300.0, "stack": 300.0}
SEARCH_S = 3.0  # seconds of searching per calculator (a slow one gets at least MIN_TRIES inputs)
MIN_TRIES = 40
RETIME = 5  # the slowest few inputs are timed this many times; the best run counts


def cpu_ms(fn, repeat=1):
    best = math.inf
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, (time.process_time() - start) * 1000)
    return best


# ---------------------------------------------------------------- inputs

def _log_uniform(rng, lo, hi):
    lo = max(lo, hi * 1e-12, 1e-12)
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def _number(rng, f):
    lo, hi = f.minimum, f.maximum
    if rng.random() < 0.15:
        value = rng.choice((lo, hi))
    elif hi > 0 and (lo <= 0 or hi / lo > 100):
        value = _log_uniform(rng, lo, hi) if rng.random() > 0.05 else lo
    else:
        value = rng.uniform(lo, hi)
    if f.kind == "int":
        value = min(max(round(value), math.ceil(lo)), math.floor(hi))
    return value


def _measurements(rng, count):
    sigma, kappa, lam = rng.uniform(0, 0.5), _log_uniform(rng, 1e-9, 0.1), _log_uniform(rng, 1, 1e5)
    top = _log_uniform(rng, 8, 1e7)
    levels = sorted({max(1, round(top ** (k / count))) for k in range(count)} | {1, 2, 3})
    return " ".join(f"{n}:{scalability.usl_throughput(n, sigma, kappa, lam) * rng.uniform(0.9, 1.1):.6g}"
                    for n in levels[:200])


def _tiers(rng, count=None):
    """Tier text anywhere in the syntax's bounds: log-uniform times and visits, pools up to the most servers."""
    parts = []
    for i in range(count or rng.randint(1, networks.MAX_TIERS)):
        service = _log_uniform(rng, 0.001, 1e4)
        if rng.random() < 0.3:
            processes = rng.randint(2, networks.MAX_PROCESSES)
            servers = f"{processes}x{rng.randint(1, networks.MAX_SERVERS // processes)}"
        else:
            servers = str(round(_log_uniform(rng, 1, networks.MAX_SERVERS)))
        visits = _log_uniform(rng, 0.01, 20) if rng.random() < 0.5 else 1
        parts.append(f"t{i}:{service:.6g}:{servers}:{visits:.6g}")
    return ", ".join(parts)


def _text(rng, f):
    return _tiers(rng) if f.name == "tiers" else _measurements(rng, rng.choice((3, 20, 200)))


def random_inputs(rng, calc):
    values = {}
    for f in calc.fields:
        if f.optional and rng.random() < 0.2:
            values[f.name] = None
        elif f.kind == "choice":
            values[f.name] = rng.choice(f.choices)
        elif f.kind == "text":
            values[f.name] = _text(rng, f)
        else:
            values[f.name] = _number(rng, f)
    return values


def targeted_inputs(calc):
    """Bounds, near-saturation loads, the largest counts and texts: found from the fields' names and bounds."""
    fields = {f.name: f for f in calc.fields}
    defaults = {f.name: f.default for f in calc.fields}
    numeric = [f for f in calc.fields if f.kind in ("int", "float")]
    yield dict(defaults)
    for f in numeric:  # each bound alone
        for bound in (f.minimum, f.maximum):
            yield {**defaults, f.name: bound}
    for pick in (min, max):  # all at one end
        yield {**defaults, **{f.name: pick(f.minimum, f.maximum) for f in numeric}}
    for f in calc.fields:
        if f.kind == "choice":
            for choice in f.choices:
                yield {**defaults, f.name: choice}
        if f.kind == "text":
            rng = random.Random(f.name)
            for _ in range(5):
                yield {**defaults, f.name: _text(rng, f)}
    if "tiers" in fields:
        yield from _network_cases(defaults, fields)
    # A queue near saturation: a rate, a time per item and a number of servers.
    for rate, busy, scale in (("arrival_rps", "service_time_ms", 1000.0), ("jobs_per_s", "job_time_s", 1.0)):
        if not {rate, busy, "workers"} <= fields.keys():
            continue
        for workers in sorted({1, 7, 100, 2000, int(fields["workers"].maximum)}):
            for service in (fields[busy].minimum, 1.0 * scale / 1000 * 50, fields[busy].maximum / 100,
                            fields[busy].maximum):
                for rho in (0.5, 0.9, 0.99, 0.9999, 0.999999, 1.0, 3.0):
                    lam = rho * workers * scale / service
                    if not fields[rate].minimum <= lam <= fields[rate].maximum:
                        continue
                    case = {**defaults, rate: lam, busy: service, "workers": workers}
                    for target_name in ("target_p99_ms", "target_wait_s"):
                        if target_name in fields:  # a target just above what can be met
                            floor = service * math.log(100) if target_name == "target_p99_ms" else 0.0
                            for factor in (1.0001, 1.1, 3.0):
                                target = max(floor * factor, fields[target_name].minimum)
                                if target <= fields[target_name].maximum:
                                    yield {**case, target_name: target}
                    for name in ("requests",):
                        if name in fields:
                            case[name] = int(fields[name].maximum)
                    yield case


def _network_cases(defaults, fields):
    """Where the whole-stack models work hardest: the knee at the most users, ties that never settle, big pools."""
    most = networks.MAX_SERVERS
    split = networks.MAX_PROCESSES
    stacks = [f"app:{most}:{most}, db:0.5", f"app:20:{split}x{most // split}, db:1:4:2", f"a:20:4, b:10:2, c:30:6",
              f"app:80:{split}x{most // split}, db:{most}:{most}", ", ".join(f"t{i}:{5 * (i + 1)}:{i + 1}" for i in range(10)),
              f"a:{most}:{most}, b:{most // 2}:{most // 2}, c:{most // 4}:{most // 4}"]
    for text in stacks:
        tiers = networks.parse_tiers(text)
        slowest = max(t.server_demand_ms for t in tiers)
        total = sum(t.demand_ms for t in tiers)
        if "users" in fields:  # mva: the knee near the most users, or well past it
            for knee in (0.5, 1.0, 1.2):
                think = max(0.0, knee * networks.MAX_USERS * slowest - total)
                if think <= fields["think_time_ms"].maximum:
                    yield {**defaults, "tiers": text, "users": networks.MAX_USERS, "think_time_ms": think}
            yield {**defaults, "tiers": text, "users": networks.MAX_USERS, "think_time_ms": 0.0}
        if "arrival_rps" in fields:  # stack: near the ceiling, with as many requests as the run allows
            ceiling = min(f.max_rps for f in networks.jackson_network(1.0, tiers))
            visits = sum(math.ceil(t.visits) for t in tiers)
            requests = min(fields["requests"].maximum, networks.MAX_SIMULATED_VISITS // visits)
            for busy in (0.5, 0.9, 0.99):
                yield {**defaults, "tiers": text, "arrival_rps": busy * ceiling, "requests": requests}


def _varied(rng, calc, values):
    """One field of an input nudged: a step of the local search."""
    f = rng.choice([f for f in calc.fields if f.kind in ("int", "float")] or list(calc.fields))
    if f.kind not in ("int", "float") or values.get(f.name) is None:
        return random_inputs(rng, calc)
    value = values[f.name] * rng.choice((0.5, 0.9, 0.99, 1.01, 1.1, 2.0)) + rng.choice((-1, 0, 1)) * (f.kind == "int")
    value = min(max(value, f.minimum), f.maximum)
    return {**values, f.name: round(value) if f.kind == "int" else value}


# ---------------------------------------------------------------- the search

def _answer(cid, values):
    result, errors = perfcalc.evaluate(cid, values)
    return result


def _draw(calc, result):
    return site_charts.render_svg(calc.chart(result.inputs, result.outputs))


def worst_case(cid, seed=1):
    """The slowest answer and chart found for one calculator: {(kind): (ms, inputs)}, and how many inputs were tried."""
    calc = perfcalc.get(cid)
    rng = random.Random(seed)
    tried = []  # (answer ms, chart ms, inputs)

    def attempt(values):
        start = time.process_time()
        result = _answer(cid, values)
        answer = (time.process_time() - start) * 1000
        if result is None:
            return
        chart = cpu_ms(lambda: _draw(calc, result)) if calc.chart else 0.0
        tried.append((answer, chart, values))

    deadline = time.process_time() + SEARCH_S
    for values in targeted_inputs(calc):
        attempt(values)
    while time.process_time() < deadline or len(tried) < MIN_TRIES:
        attempt(random_inputs(rng, calc))
        if tried and rng.random() < 0.5:  # climb from one of the slowest so far
            slowest = sorted(tried, key=lambda t: -t[0])[:5]
            attempt(_varied(rng, calc, rng.choice(slowest)[2]))
        if len(tried) > 5000:
            break
    report = {}
    for kind, index in (("answer", 0), ("chart", 1)):
        if kind == "chart" and not calc.chart:
            continue
        best = (0.0, None)
        for entry in sorted(tried, key=lambda t: -t[index])[:3]:  # re-time the three slowest: noise decides less
            values = entry[2]
            if kind == "answer":
                ms = cpu_ms(lambda: _answer(cid, values), RETIME)
            else:
                result = _answer(cid, values)
                ms = cpu_ms(lambda: _draw(calc, result), RETIME)
            best = max(best, (ms, values), key=lambda b: b[0])
        report[kind] = best
    return report, len(tried)


def _shown(values):
    parts = []
    for name, value in values.items():
        if name == "tiers":
            value = repr(value if len(value) <= 120 else value[:117] + "...")
        elif isinstance(value, str) and len(value) > 24:
            value = f"<{len(value.split())} points>"
        elif isinstance(value, float):
            value = f"{value:.4g}"
        parts.append(f"{name}={value}")
    return " ".join(parts)


# ---------------------------------------------------------------- baselines

def erlang_c_factorial(c, a):
    """The textbook formula: overflows (OverflowError) once a**c or c! leaves float range."""
    top = a ** c / math.factorial(c) * c / (c - a)
    return top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)


def main(only=()):
    print("perfcalc benchmark, native (milliseconds of CPU, best of several runs)\n")
    if only:  # `python benchmarks/bench.py worker-pool simulate`: just the search, for those calculators
        return search(only)

    print("Che approximation: aggregated ranks vs the full sum")
    print(f"  {'catalogue':>13}  {'aggregated':>10}  {'full sum':>10}  {'speed-up':>8}  {'rel. diff':>9}")
    for n in (10_000, 100_000, 1_000_000):
        c = n // 100
        fast = cpu_ms(lambda: caching.zipf_che_hit_ratio(n, c, 0.8), 5)
        slow = cpu_ms(lambda: caching.zipf_che_hit_ratio_exact(n, c, 0.8), 1 if n >= 1_000_000 else 3)
        diff = abs(caching.zipf_che_hit_ratio(n, c, 0.8)[0] / caching.zipf_che_hit_ratio_exact(n, c, 0.8)[0] - 1)
        print(f"  {n:>13,}  {fast:>10.2f}  {slow:>10.1f}  {slow / fast:>7.0f}×  {diff:>9.1e}")
    for n in (10_000_000, 1_000_000_000):
        fast = cpu_ms(lambda: caching.zipf_che_hit_ratio(n, n // 100, 0.8), 5)
        print(f"  {n:>13,}  {fast:>10.2f}  {'(skipped)':>10}")

    print("\nErlang B: from √(128·A) below the load vs from zero; Erlang C vs the factorial formula")
    for c in (10, 100, 170, 5_000, 75_000):
        a = 0.95 * c
        fast = cpu_ms(lambda: queueing.erlang_b(c, a), 5)
        full = cpu_ms(lambda: queueing._erlang_b_from_zero(c, a), 3)
        same = abs(queueing.erlang_b(c, a) / queueing._erlang_b_from_zero(c, a) - 1)
        try:
            naive_value = erlang_c_factorial(c, a)
            naive = f"{cpu_ms(lambda: erlang_c_factorial(c, a), 3):.3f} ms, diff {abs(naive_value - queueing.erlang_c(c, a)):.1e}"
        except OverflowError:
            naive = "OverflowError"
        print(f"  c = {c:>6,}: below the load {fast:7.3f}, from zero {full:7.3f} (rel. diff {same:.0e}); factorial: {naive}")

    search(perfcalc.CALCULATORS)


def search(ids):
    print("\nWorst case per calculator, searched within its declared bounds "
          f"(about {SEARCH_S:.0f} s each: bounds, near-saturation, large counts, random, local search)")
    print(f"  {'calculator':<18} {'tried':>6} {'answer':>9} {'budget':>7}  {'chart':>7}  slowest answer's inputs")
    over, slow_charts = [], []
    slowest = {}
    for cid in ids:
        report, tried = worst_case(cid)
        budget = BUDGET_MS.get(cid, FRAME_MS)
        answer_ms, values = report["answer"]
        chart_ms = report.get("chart", (None,))[0]
        flag = "" if answer_ms <= budget else "  OVER BUDGET"
        if flag:
            over.append(cid)
        if chart_ms is not None and chart_ms > FRAME_MS:
            flag += "  (chart over a frame)"
            slow_charts.append(cid)
        slowest[cid] = answer_ms
        chart_text = f"{chart_ms:7.2f}" if chart_ms is not None else f"{'—':>7}"
        print(f"  {cid:<18} {tried:>6} {answer_ms:9.2f} {budget:7.0f}  {chart_text}  {_shown(values)}{flag}")
        if chart_ms is not None and report["chart"][1] != values:
            print(f"  {'':<18} {'':>6} {'':>9} {'':>7}  {'':>7}  slowest chart's inputs: {_shown(report['chart'][1])}")
    keystroke = max((ms for cid, ms in slowest.items() if cid not in BUDGET_MS), default=0.0)
    print(f"\nSlowest keystroke: {keystroke:.2f} ms (budget {FRAME_MS:.0f} ms); "
          + "; ".join(f"{cid} {slowest[cid]:.1f} ms (budget {BUDGET_MS[cid]:.0f} ms)" for cid in BUDGET_MS if cid in slowest))
    print("Every answer within its budget natively." if not over else f"Answers over budget: {', '.join(over)}")
    if slow_charts:
        print(f"Charts slower than a frame at their worst (drawn once typing pauses, not per keystroke): "
              f"{', '.join(slow_charts)}")


if __name__ == "__main__":
    main(sys.argv[1:])
