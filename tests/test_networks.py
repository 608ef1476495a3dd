"""Networks of tiers: the tier syntax, exact MVA against chains and closed forms, Jackson means, the simulation.

The references are computed here, independently of perfcalc's own method:
the closed network's global balance equations solved exactly with fractions
(a brute-force chain), the finite-source multi-server queue's closed form in
fractions (Kleinrock 1975, §3.10; Gross & Harris, *Fundamentals of Queueing
Theory*, §2.8), and the textbook MVA recursion run with 80 significant
digits (160 for the larger networks: with 40 servers it loses over 70), where its cancellations cost nothing.
"""

from __future__ import annotations

import itertools
import math
import re
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import perfcalc
from perfcalc import PerfcalcError, calculate, networks, queueing, simulation
from perfcalc.networks import Tier, parse_tiers, solve_closed


# ---------------------------------------------------------------- references

def chain(users: int, think: Fraction, stations: list[tuple[Fraction, int]]) -> tuple[Fraction, list[Fraction]]:
    """Throughput and mean queue per station of a closed network, from its Markov chain, exactly.

    Users think (exponential, mean ``think``; none if 0), then visit the
    stations in turn, each FCFS with exponential service of mean D on c
    servers, then think again: the global balance equations πQ = 0, Σπ = 1,
    solved by Gaussian elimination in fractions. The product form says only
    each station's demand matters, not the route.
    """
    k = len(stations)
    states = [s for s in itertools.product(range(users + 1), repeat=k)
              if (sum(s) <= users if think else sum(s) == users)]
    index = {s: i for i, s in enumerate(states)}
    size = len(states)
    rows = [[Fraction(0)] * size for _ in range(size)]  # the transposed generator: rows[j][i] = rate i → j
    for s in states:
        i = index[s]
        moves = []
        thinking = users - sum(s)
        if think and thinking:
            moves.append((s[:0] + (s[0] + 1,) + s[1:], Fraction(thinking) / think))
        for station, (demand, servers) in enumerate(stations):
            if s[station]:
                t = list(s)
                t[station] -= 1
                if station + 1 < k:
                    t[station + 1] += 1
                elif not think:
                    t[0] += 1
                moves.append((tuple(t), Fraction(min(s[station], servers)) / demand))
        for target, rate in moves:
            rows[index[target]][i] += rate
            rows[i][i] -= rate
    rows[-1] = [Fraction(1)] * size
    rhs = [Fraction(0)] * (size - 1) + [Fraction(1)]
    for col in range(size):
        pivot = next(r for r in range(col, size) if rows[r][col])
        rows[col], rows[pivot] = rows[pivot], rows[col]
        rhs[col], rhs[pivot] = rhs[pivot], rhs[col]
        scale = rows[col][col]
        rows[col] = [x / scale for x in rows[col]]
        rhs[col] /= scale
        for r in range(size):
            if r != col and rows[r][col]:
                factor = rows[r][col]
                rows[r] = [x - factor * y for x, y in zip(rows[r], rows[col])]
                rhs[r] -= factor * rhs[col]
    pi = rhs
    demand, servers = stations[-1]
    throughput = sum(p * Fraction(min(s[-1], servers)) / demand for p, s in zip(pi, states))
    queues = [sum(p * s[station] for p, s in zip(pi, states)) for station in range(k)]
    return throughput, queues


def finite_source(users: int, think: Fraction, demand: Fraction, servers: int) -> Fraction:
    """Throughput of N users thinking Z in front of one c-server queue: the M/M/c//N closed form, exactly.

    With r = D/Z, P(k at the queue) ∝ C(N, k)·k!/β(k)·r^k, β(k) = k! up to c
    servers and c!·c^(k−c) beyond; throughput = Σ min(k, c)/D·P(k).
    """
    r = demand / think
    weights = []
    for k in range(users + 1):
        beta = math.factorial(k) if k <= servers else math.factorial(servers) * servers ** (k - servers)
        weights.append(Fraction(math.comb(users, k) * math.factorial(k), beta) * r ** k)
    total = sum(weights)
    return sum(w * Fraction(min(k, servers)) / demand for k, w in enumerate(weights)) / total


def textbook_mva(users: int, think, stations, number=float, queues_too=False):
    """Exact MVA as the textbooks write it (Reiser & Lavenberg 1980; Menascé et al. 2004, ch. 12, 15).

    Multi-server stations keep their marginal probabilities, with
    p(0 | n) = 1 − Σ_{j≥1} p(j | n): the subtraction that loses digits.
    Run with ``number=Decimal`` and enough digits it is a reference; with
    floats it shows the instability. Returns X(n), n = 0 … users (and, with
    ``queues_too``, also each station's mean queue at ``users``).
    """
    one, zero = number(1), number(0)
    queues = [zero] * len(stations)
    marginals = [[one] + [zero] * users for _ in stations]
    throughput = [zero]
    for n in range(1, users + 1):
        residence = []
        for (demand, servers), q, p in zip(stations, queues, marginals):
            if servers == 1:
                residence.append(demand * (one + q))
            else:
                residence.append(sum(demand * number(j) / number(min(j, servers)) * p[j - 1] for j in range(1, n + 1)))
        x = number(n) / (think + sum(residence))
        throughput.append(x)
        for k, ((demand, servers), r) in enumerate(zip(stations, residence)):
            queues[k] = x * r
            if servers > 1:
                p = marginals[k]
                new = [zero] * (users + 1)
                for j in range(1, n + 1):
                    new[j] = demand * x / number(min(j, servers)) * p[j - 1]
                new[0] = one - sum(new[1:n + 1])
                marginals[k] = new
    return (throughput, queues) if queues_too else throughput


def _stations(tiers: tuple[Tier, ...]) -> list[tuple[Fraction, int]]:
    """Each tier as the chain's stations: a split tier is one station per process with its share of the demand."""
    out = []
    for t in tiers:
        demand = Fraction(t.service_ms) * Fraction(t.visits) / t.processes
        out += [(demand, t.threads)] * t.processes
    return out


# ---------------------------------------------------------------- the tier syntax

def test_the_syntax_and_its_defaults():
    tiers = parse_tiers("gunicorn:20:4, postgres:2:2:3\nredis:0.5,\n\n cache : 0.1 : 1 : 0.2 ,")
    assert tiers == (Tier("gunicorn", 20.0, 4, 1.0), Tier("postgres", 2.0, 2, 3.0), Tier("redis", 0.5, 1, 1.0),
                     Tier("cache", 0.1, 1, 0.2))
    assert tiers[1].demand_ms == 6.0 and tiers[1].server_demand_ms == 3.0
    app = parse_tiers("app:40:2x4")[0]
    assert (app.servers, app.processes, app.threads, app.server_demand_ms) == (8, 2, 4, 5.0)
    assert parse_tiers("a:1:3X2, b:1:2×2")[1].processes == 2


@pytest.mark.parametrize("text,message", [
    ("", "tiers must be name:service_ms[:servers[:visits]] for each tier, separated by commas or new lines (servers "
         "a whole number or PROCESSESxTHREADS with at most 16 processes, at most 200 in all; visits above 0; at most "
         "10 tiers), got nothing"),
    (" , ,", "tiers must list at least one tier as name:service_ms[:servers[:visits]], got nothing"),
    ("gunicorn", "tiers must give each tier a service time, as name:service_ms (e.g. gunicorn:20): tier 1 "
                 "('gunicorn') has none"),
    ("1:20", "tiers must name each tier with a letter followed by letters, digits, _, - or . (at most 32): tier 1 "
             "('1:20') is named '1'"),
    ("app:20, db:fast", "tiers must give service_ms as a number from 0.001 to 3600000 (milliseconds per visit): "
                        "tier 2 ('db:fast') has service_ms 'fast'"),
    ("app:0", "tiers must give service_ms as a number from 0.001 to 3600000 (milliseconds per visit): tier 1 "
              "('app:0') has service_ms '0'"),
    ("app:20:0", "tiers must give servers as a whole number from 1 to 200, or PROCESSESxTHREADS with at most 16 "
                 "processes and 200 servers in all (e.g. 2x4): tier 1 ('app:20:0') has servers '0'"),
    ("app:20:2.5", "tiers must give servers as a whole number from 1 to 200, or PROCESSESxTHREADS with at most 16 "
                   "processes and 200 servers in all (e.g. 2x4): tier 1 ('app:20:2.5') has servers '2.5'"),
    ("app:20:10x30", "tiers must give servers as a whole number from 1 to 200, or PROCESSESxTHREADS with at most "
                     "16 processes and 200 servers in all (e.g. 2x4): tier 1 ('app:20:10x30') has servers '10x30'"),
    ("app:20:17x1", "tiers must give servers as a whole number from 1 to 200, or PROCESSESxTHREADS with at most "
                    "16 processes and 200 servers in all (e.g. 2x4): tier 1 ('app:20:17x1') has servers '17x1'"),
    ("app:20:1:0", "tiers must give visits as a number above 0 and at most 1000 (visits per request, e.g. 3 "
                   "queries): tier 1 ('app:20:1:0') has visits '0'"),
    ("app:20:1:nan", "tiers must give visits as a number above 0 and at most 1000 (visits per request, e.g. 3 "
                     "queries): tier 1 ('app:20:1:nan') has visits 'nan'"),
    ("app:20:1:1:1", "tiers must have at most four parts per tier, name:service_ms:servers:visits: tier 1 "
                     "('app:20:1:1:1') has 5"),
    ("db:1, app:2, db:3", "tiers must have distinct names: tiers 1 and 3 are both named 'db'"),
    (",".join(f"t{i}:1" for i in range(11)), "tiers must list at most 10 tiers (merge the small ones), got 11"),
])
def test_every_refusal_names_the_tier_the_part_and_the_rule(text, message):
    with pytest.raises(PerfcalcError) as err:
        calculate("mva", tiers=text)
    assert err.value.field == "tiers"
    assert str(err.value) == message


# ---------------------------------------------------------------- exact MVA

def test_textbook_recursion_by_hand():
    """Two stations, D = 0.5 s and 1 s, think 1 s, two users (MVA by hand, as in Menascé et al. 2004, §12.3).

    n = 1: R = 0.5 + 1 = 1.5, X = 1/2.5 = 0.4, Q = 0.2 and 0.4.
    n = 2: R = 0.5·1.2 + 1·1.4 = 2.0, X = 2/3.
    """
    r = networks.mva(2, 1000.0, parse_tiers("cpu:500, disk:1000"))
    assert r.response_time_ms == pytest.approx(2000.0, rel=1e-14)
    assert r.throughput_rps == pytest.approx(2 / 3, rel=1e-14)
    assert r.tier_residence_ms == pytest.approx((600.0, 1400.0), rel=1e-14)


@pytest.mark.parametrize("users,think,demand,servers", [
    (5, 10, 2, 1),  # Kleinrock's machine repairman: five machines, one repairer
    (20, 30, 4, 3), (50, 100, 9, 8), (120, 50, 20, 40), (200, 1, 1, 64),
])
def test_one_tier_behind_a_think_time_is_the_finite_source_queue(users, think, demand, servers):
    """M/M/c//N (Kleinrock 1975, §3.10; Gross & Harris §2.8), in exact fractions: the same throughput."""
    want = finite_source(users, Fraction(think), Fraction(demand), servers)
    got = solve_closed(users, float(think), (Tier("q", float(demand), servers, 1.0),)).throughput[users]
    assert got == pytest.approx(float(want), rel=1e-12)


def test_where_the_textbook_recursion_fails_this_one_does_not():
    """64 servers, 200 users: float MVA's idle probabilities cancel, go negative and the throughput with them.

    The same recursion with 80 digits, and the closed form in fractions, agree with solve_closed.
    """
    users, think, stations = 200, 100.0, [(60.0, 64), (1.0, 1)]
    naive = textbook_mva(users, think, stations)
    assert min(naive) < 0  # the failure this method exists to avoid
    with localcontext() as ctx:
        ctx.prec = 80
        exact = textbook_mva(users, Decimal(think), [(Decimal(d), c) for d, c in stations], Decimal)
    got = solve_closed(users, think, (Tier("a", 60.0, 64, 1.0), Tier("b", 1.0, 1, 1.0))).throughput
    for n in (50, 100, 150, 200):
        assert got[n] == pytest.approx(float(exact[n]), rel=1e-13), n
    one = solve_closed(users, think, (Tier("a", 60.0, 64, 1.0),)).throughput[users]
    assert one == pytest.approx(float(finite_source(users, Fraction(100), Fraction(60), 64)), rel=1e-13)


@pytest.mark.parametrize("text,think", [
    ("app:100:40, db:30:24, cache:2", 500.0),  # two large pools, the second by conservation
    ("app:80:8x4, db:1:4:2", 1000.0),  # a split bottleneck: eight processes tied
    ("a:5:3, b:4:2:2, c:9:6, d:1", 0.0),  # three polynomials: two carried through the rest
    ("a:20:4, b:10:2", 0.0),  # an exact tie between two pools
    ("app:40:4x3, db:10:3, c:30:5, d:1:1:2", 2000.0),  # polynomials carried back through tied processes
])
def test_larger_networks_against_the_textbook_recursion_with_160_digits(text, think):
    """With 80 digits the recursion itself is off by 1e-10 on the first network: it needs twice that."""
    tiers = parse_tiers(text)
    users = 300
    with localcontext() as ctx:
        ctx.prec = 160
        stations = [(Decimal(str(float(d))), c) for d, c in _stations(tiers)]
        exact, queues = textbook_mva(users, Decimal(think), stations, Decimal, queues_too=True)
    got = solve_closed(users, think, tiers)
    worst = max(abs(got.throughput[n] / float(exact[n]) - 1) for n in range(1, users + 1))
    assert worst < 1e-12
    k = 0
    for tier, q in zip(tiers, got.queue):  # every tier's queue: conservation, carried means, the adjoint
        assert q == pytest.approx(float(sum(queues[k:k + tier.processes])), rel=1e-11), tier.name
        k += tier.processes


small_tier = st.builds(
    lambda name, service, visits, processes, threads: f"{name}:{service}:{processes}x{threads}:{visits}"
    if processes > 1 else f"{name}:{service}:{threads}:{visits}",
    st.just("t"), st.sampled_from(["0.5", "1", "2", "3", "7.5"]), st.sampled_from(["1", "2", "0.5", "3"]),
    st.sampled_from([1, 1, 2]), st.integers(1, 3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(small_tier, min_size=1, max_size=3), users=st.integers(1, 3),
       think=st.sampled_from([0, 1, 4, 10]))
def test_exact_mva_is_the_markov_chain(texts, users, think):
    """Throughput and every tier's mean queue equal the chain's (global balance, fractions) to rounding."""
    text = ", ".join(t.replace("t:", f"t{i}:", 1) for i, t in enumerate(texts))
    tiers = parse_tiers(text)
    stations = _stations(tiers)
    if len(stations) > 4:
        return  # the chain's states grow as users^stations; four stations is plenty
    throughput, queues = chain(users, Fraction(think), stations)
    got = solve_closed(users, float(think), tiers)
    assert got.throughput[users] == pytest.approx(float(throughput), rel=1e-12)
    k = 0
    for tier, q in zip(tiers, got.queue):
        assert q == pytest.approx(float(sum(queues[k:k + tier.processes])), rel=1e-11, abs=1e-13)
        k += tier.processes


tiers_text = st.lists(
    st.tuples(st.floats(0.01, 500.0), st.integers(1, 40), st.floats(0.05, 5.0), st.sampled_from([1, 1, 1, 2, 4])),
    min_size=1, max_size=5).map(lambda ts: ", ".join(
        f"t{i}:{s!r}:{p}x{max(1, c // p)}:{v!r}" if p > 1 else f"t{i}:{s!r}:{c}:{v!r}"
        for i, (s, c, v, p) in enumerate(ts)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=tiers_text, users=st.integers(1, 3000), think=st.sampled_from([0.0, 10.0, 1000.0, 30_000.0]))
# Found by Hypothesis: users/X − Z with a 30-s think time lost the last digits of a 6.8-µs response time.
@example(text="t0:0.125:1:0.0546875", users=1, think=30_000.0)
def test_invariants(text, users, think):
    """Bounds hold; throughput never falls as users are added; Little's law and conservation; the bottleneck leads."""
    tiers = parse_tiers(text)
    r = networks.mva(users, think, tiers)
    x = solve_closed(users, think, tiers).throughput
    total = sum(t.demand_ms for t in tiers)
    slowest = max(t.server_demand_ms for t in tiers)
    for n in range(1, users + 1):
        assert x[n] * 1000 <= min(1000 * n / (total + think), 1000 / slowest) * (1 + 1e-9)
        assert x[n] >= x.get(n - 1, 0.0) * (1 - 1e-12)
    assert r.response_time_ms >= max(total, users * slowest - think) * (1 - 1e-9)
    assert r.throughput_rps <= r.max_throughput_rps * (1 + 1e-9)
    assert sum(r.tier_residence_ms) == pytest.approx(r.response_time_ms, rel=1e-7, abs=1e-9)
    assert r.throughput_rps / 1000 * (r.response_time_ms + think) == pytest.approx(users, rel=1e-9)
    assert all(q >= -1e-9 * users for q in r.tier_queue)
    assert r.bottleneck_utilization_pct == pytest.approx(max(r.tier_utilization_pct), rel=1e-12)
    assert r.bottleneck_utilization_pct <= 100 * (1 + 1e-9)


def test_the_bottleneck_saturates_first():
    tiers = parse_tiers("gunicorn:20:4, postgres:2:2:3, redis:0.5")
    for users in (50, 205, 400, 2000):
        r = networks.mva(users, 1000.0, tiers)
        assert r.bottleneck == "gunicorn" and r.tier_utilization_pct[0] == max(r.tier_utilization_pct)
    assert networks.mva(2000, 1000.0, tiers).bottleneck_utilization_pct > 99.99
    assert networks.mva(2000, 1000.0, tiers).tier_utilization_pct[1] == pytest.approx(60.0, rel=1e-6)


def test_a_tier_with_more_threads_than_users_is_a_delay():
    with_pool = networks.mva(30, 500.0, parse_tiers("app:20:4, db:40:64"))
    as_think = networks.mva(30, 540.0, parse_tiers("app:20:4"))
    assert with_pool.throughput_rps == pytest.approx(as_think.throughput_rps, rel=1e-13)
    assert with_pool.tier_residence_ms[1] == pytest.approx(40.0, rel=1e-13)


def test_the_default_fence_and_the_knee():
    r = calculate("mva").outputs
    assert r["bottleneck"] == "gunicorn"
    assert r["max_throughput_rps"] == 200.0
    assert r["knee_users"] == pytest.approx((20 + 6 + 0.5 + 1000) / 5)
    assert r["utilization_by_tier"] == "gunicorn\u00a024.3\u00a0%, postgres\u00a014.6\u00a0%, redis\u00a02.4\u00a0%"


def test_a_think_time_too_short_to_matter_is_no_think_time():
    """Hypothesis found 5e-311 ms of think time divided by zero: the mixture's terms underflowed to nothing."""
    for tiers in ("tier0:1.0", "gunicorn:20:4, postgres:2:2:3, redis:0.5"):
        none = calculate("mva", users=2, think_time_ms=0, tiers=tiers).outputs
        for think_ms in (2.225073858507e-311, 1e-300, 1e-20):
            r = calculate("mva", users=2, think_time_ms=think_ms, tiers=tiers).outputs
            assert r["throughput_rps"] == pytest.approx(none["throughput_rps"], rel=1e-12), think_ms
            assert r["response_time_ms"] == pytest.approx(none["response_time_ms"], rel=1e-12), think_ms


def test_past_the_knee_the_warning_says_so():
    r = calculate("mva", users=1000)
    assert r.outputs["throughput_rps"] == pytest.approx(200.0, rel=1e-6)
    assert r.warnings[0].startswith("Past the knee: 1,000 users are more than N* ≈ 205, so gunicorn is saturated")


# ---------------------------------------------------------------- the open network

def test_one_tier_is_the_worker_pool():
    for text, rate in (("app:50:5", 80.0), ("app:50:2x2", 56.0), ("db:2:2:3", 150.0)):
        tier = parse_tiers(text)[0]
        flow = networks.jackson_network(rate, (tier,))[0]
        pool = queueing.worker_pool(rate * tier.visits, tier.service_ms, tier.servers, processes=tier.processes)
        assert flow.residence_ms == pytest.approx(tier.visits * pool.mean_response_ms, rel=1e-14)
        assert flow.utilization_pct == pytest.approx(pool.utilization_pct, rel=1e-14)


def test_jackson_means_add_up_over_tiers():
    """Σ visits × (Erlang C wait + service), each tier's M/M/c computed here from its own formula."""
    def mmc_response(rate, service, c):
        a = rate * service
        b = 1.0
        for k in range(1, c + 1):
            b = a * b / (k + a * b)
        wait = c * b / (c - a * (1 - b)) * service / (c - a)
        return wait + service

    r = calculate("stack", arrival_rps=150).outputs
    want = mmc_response(0.15, 20, 4) + 3 * mmc_response(0.45, 2, 2) + mmc_response(0.15, 0.5, 1)
    assert r["mean_response_ms"] == pytest.approx(want, rel=1e-12)
    assert r["max_rps"] == 200.0 and r["bottleneck"] == "gunicorn"


def test_a_skewed_split_is_a_mixture_of_queues():
    """Two processes, 90 % of visits to one: M/M/2 at 0.9λ and at 0.1λ, weighted by their shares."""
    flow = networks.jackson_network(30, parse_tiers("app:50:2x2"), 90)[0]
    heavy, light = (queueing.worker_pool(30 * s, 50, 2) for s in (0.9, 0.1))
    assert flow.residence_ms == pytest.approx(0.9 * heavy.mean_response_ms + 0.1 * light.mean_response_ms)
    assert flow.max_rps == pytest.approx(2 / 0.9 / 0.05)
    assert calculate("stack", tiers="app:50:2x2", arrival_rps=45, busiest_process_pct=90).outputs["p99_ms"] is None


def test_the_simulation_agrees_with_exact_results():
    """Exponential service: simulated mean near Jackson's; one tier's p99 interval around M/M/c's exact p99."""
    r = networks.stack(150, parse_tiers("gunicorn:20:4, postgres:2:2:3, redis:0.5"), "exponential", None, None,
                       40_000, 3)
    assert abs(r.simulated_mean_ms / r.jackson_mean_ms - 1) < 0.03
    one = networks.stack(80, parse_tiers("app:50:5"), "exponential", None, None, 100_000, 7)
    assert one.p99_low_ms <= queueing.worker_pool(80, 50, 5).p99_ms <= one.p99_high_ms


def test_a_tandem_of_single_servers_has_independent_sojourns():
    """M/M/1 queues in series: each sojourn is exponential (rate μ − λ) and independent (Reich 1957), so the
    end-to-end time is their hypoexponential sum, whose p99 the simulation's interval must hold."""
    rate = 0.05  # per ms
    mus = [1 / 10, 1 / 8]
    a, b = (m - rate for m in mus)

    def survival(t):
        return (b * math.exp(-a * t) - a * math.exp(-b * t)) / (b - a)

    lo, hi = 0.0, 1e4
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if survival(mid) > 0.01 else (lo, mid)
    r = networks.stack(50, parse_tiers("a:10, b:8"), "exponential", None, None, 100_000, 11)
    assert r.p99_low_ms <= lo <= r.p99_high_ms
    assert r.mean_response_ms == pytest.approx(1 / a + 1 / b)


def test_an_even_split_simulates_as_independent_queues():
    """Poisson thinning: two processes of two threads at λ are two M/M/2 queues at λ/2."""
    r = networks.stack(56, parse_tiers("app:50:2x2"), "exponential", None, None, 100_000, 5)
    exact = queueing.worker_pool(28, 50, 2).p99_ms
    assert r.p99_low_ms <= exact <= r.p99_high_ms
    shared = queueing.worker_pool(56, 50, 4).p99_ms
    assert r.p99_low_ms > shared  # the split costs: beyond the shared queue's p99, with 95 % confidence


def test_each_visit_of_a_split_tier_is_routed():
    """Two visits a request to two processes of two threads: each visit takes its share's queue (mean, Jackson)."""
    tiers = parse_tiers("app:20:2x2:2.5")
    r = networks.stack(40, tiers, "exponential", None, None, 40_000, 9)
    assert abs(r.simulated_mean_ms / r.jackson_mean_ms - 1) < 0.03
    skewed = networks.stack(40, tiers, "exponential", None, 70, 40_000, 9)
    assert skewed.jackson_mean_ms > r.jackson_mean_ms
    assert abs(skewed.simulated_mean_ms / skewed.jackson_mean_ms - 1) < 0.05


def test_the_same_seed_gives_the_same_run():
    args = dict(arrival_rps=120, tiers="app:20:2x2, db:2:2:3.5", requests=5000)
    assert calculate("stack", seed=4, **args).outputs == calculate("stack", seed=4, **args).outputs
    assert calculate("stack", seed=4, **args).outputs != calculate("stack", seed=5, **args).outputs


def test_lognormal_visits_give_the_request_the_p99_asked():
    """Every visit shares a coefficient of variation chosen from the request's p99 (see visit_sigma)."""
    tiers = parse_tiers("app:20, db:2:1:3")
    sigma = networks.visit_sigma(tiers, 120.0)
    one = networks.visit_sigma(parse_tiers("app:26"), 120.0)
    assert sigma > one  # the sum of several visits is steadier than one: each must vary more
    samples = networks.simulate_network(1e-3, tiers, ((1.0,), (1.0,)), sigma, 100_000, 2)
    ordered = sorted(samples)  # one request at a time: response time = service time
    assert ordered[99_000] == pytest.approx(120.0, rel=0.15)
    assert sum(samples) / len(samples) == pytest.approx(26.0, rel=0.02)


def test_overload_is_a_result():
    r = calculate("stack", arrival_rps=250)
    assert r.outputs["mean_response_ms"] is None and r.outputs["p99_ms"] is None
    assert r.outputs["bottleneck_utilization_pct"] == pytest.approx(125.0)
    assert r.outputs["wait_by_tier"].startswith("gunicorn\u00a0∞, postgres\u00a0")
    assert r.warnings[0].startswith("Overloaded: 250 requests/s is at or above the stack's ceiling of 200.0")


@pytest.mark.parametrize("inputs,field,message", [
    (dict(service_distribution="lognormal", service_p99_ms=""), "service_p99_ms",
     "service_p99_ms must be given for lognormal service: the p99 of a request's service time, no waiting (or "
     "choose exponential)"),
    (dict(service_distribution="lognormal", service_p99_ms=20), "service_p99_ms",
     "service_p99_ms must be at least the mean service time (a measured p99 is above the mean), got 20 with a mean "
     "of 26.5"),
    (dict(tiers="app:50:2x2", busiest_process_pct=40), "busiest_process_pct",
     "busiest_process_pct must be at least 50 for app's 2 processes (an even split gives each 50 %), got 40"),
    (dict(requests=50_000), "requests",
     "requests must be at most 40,000 for these tiers (a request makes 5 visits, and a run simulates at most "
     "200,000), got 50000"),
    (dict(tiers="app:20, db:1:1:200"), "tiers",
     "tiers must make at most 100 visits per request for the simulation (it runs at most 200,000 visits), got "
     "201: use mva or fewer, longer visits"),
])
def test_stack_refusals(inputs, field, message):
    with pytest.raises(PerfcalcError) as err:
        calculate("stack", **inputs)
    assert err.value.field == field
    assert str(err.value) == message


# ---------------------------------------------------------------- worker-pool's processes

def test_one_process_is_the_shared_queue_as_before():
    r = calculate("worker-pool").outputs
    assert (round(r["p99_ms"], 1), r["workers_for_target"]) == (304.0, 6)
    assert calculate("worker-pool", processes=1).outputs == r


def test_processes_split_the_pool_into_queues():
    """The lab's case: 2 processes × 2 threads at 70 % are two M/M/2 queues (p50/p95/p99 73/277/413 ms)."""
    r = calculate("worker-pool", arrival_rps=56, service_time_ms=50, workers=4, processes=2, target_p99_ms=300)
    assert [round(r.outputs[k]) for k in ("p50_ms", "p95_ms", "p99_ms")] == [73, 277, 413]
    assert r.outputs["max_rps"] == 80.0
    assert r.outputs["workers_for_target"] % 2 == 0
    per_process = queueing.workers_for_p99(28, 0.05, 0.3)
    assert r.outputs["workers_for_target"] == 2 * per_process
    assert "one queue shared by all 4 workers would give 274.6 ms" in r.warnings[0]


def test_processes_must_divide_the_workers():
    with pytest.raises(PerfcalcError) as err:
        calculate("worker-pool", workers=5, processes=2)
    assert err.value.field == "processes"
    assert str(err.value) == ("processes must divide workers evenly (each process runs workers / processes threads), "
                              "got 2 processes for 5 workers")


@pytest.mark.parametrize("think_ms", [2.2250738585e-313, 5e-324, 1e-300, 1e-17])
def test_a_think_time_below_float_resolution_is_none(think_ms):
    """A subnormal think time once gave X = 0 (its mixture ratios overflowed) and a division by zero."""
    tiers = networks.parse_tiers("tier0:1.0")
    r, none = networks.mva(2, think_ms, tiers), networks.mva(2, 0.0, tiers)
    assert r.throughput_rps == none.throughput_rps and r.response_time_ms == pytest.approx(none.response_time_ms)


def test_stack_refuses_a_run_too_short_near_saturation_and_says_what_works():
    """simulate's rule, for the slowest queue: Gunicorn 95 % busy relaxes in 722 requests, which no run of these
    tiers (40,000 requests at most) spans 556 times; the error names the tier and the busiest traffic that works."""
    tiers = "gunicorn:20:4, postgres:2:2:3, redis:0.5"
    with pytest.raises(PerfcalcError) as err:
        calculate("stack", arrival_rps=190, tiers=tiers, requests=30_000)
    assert err.value.field == "arrival_rps"
    assert str(err.value).startswith("arrival_rps is too close to capacity to simulate: at gunicorn, 95.00 % busy "
                                     "with service times this variable (cv 1.00), the queue takes about 722 requests")
    ceiling = float(re.search(r"At ([\d.,]+) requests/s or less it can", str(err.value))[1].replace(",", ""))
    assert calculate("stack", arrival_rps=ceiling, tiers=tiers, requests=40_000).outputs["p99_ms"] is not None
    with pytest.raises(PerfcalcError):
        calculate("stack", arrival_rps=ceiling + 0.2, tiers=tiers, requests=40_000)
    with pytest.raises(PerfcalcError) as err:  # a longer run would do: the error names requests and how many
        calculate("stack", arrival_rps=170, tiers=tiers, requests=10_000)
    assert err.value.field == "requests" and "requests must be at least" in str(err.value)


@pytest.mark.parametrize("tiers, rps", [
    ("app:10:1, batch:400:1:0.02", 96),  # app slowest at 96/s; the rarely visited batch binds lower down
    ("gunicorn:20:4, postgres:2:2:3, redis:0.5", 190),
    ("gunicorn:50:2x2", 75),
])
def test_the_traffic_a_refusal_offers_is_simulable_by_every_tier(tiers, rps):
    """The refusal's "At X requests/s or less it can" holds for every queue of the stack, not only the one slowest
    at the traffic refused: X works at the longest run, X + 0.2 does not."""
    longest = networks.max_stack_requests(networks.parse_tiers(tiers))
    with pytest.raises(PerfcalcError) as err:
        calculate("stack", arrival_rps=rps, tiers=tiers, requests=longest)
    ceiling = float(re.search(r"At ([\d.,]+) requests/s or less it can", str(err.value))[1].replace(",", ""))
    assert calculate("stack", arrival_rps=ceiling, tiers=tiers, requests=longest).outputs["p99_ms"] is not None
    with pytest.raises(PerfcalcError):
        calculate("stack", arrival_rps=ceiling + 0.2, tiers=tiers, requests=longest)


def test_stack_states_its_interval_only_where_simulates_rules_would():
    """The relaxation rule (the busiest queue's τ in requests) and the bursts rule (lognormal, any tier) withhold
    the interval, with a warning naming the tier; where both pass, it is stated as [low, high]."""
    calm = calculate("stack", arrival_rps=120, requests=30_000)
    low, high = calm.outputs["p99_interval_ms"]
    assert low < calm.outputs["p99_ms"] < high and calm.warnings == []
    slow = calculate("stack", arrival_rps=150, requests=20_000)
    assert slow.outputs["p99_interval_ms"] is None
    assert slow.warnings[-1].startswith("No interval for the p99: at gunicorn, 75.0 % busy, the queue swings slowly "
                                        "(it takes about 18 requests to forget its state)")
    bursts = calculate("stack", arrival_rps=120, requests=30_000, service_distribution="lognormal")
    assert bursts.outputs["p99_interval_ms"] is None
    assert "two long requests holding servers at gunicorn at once leave the others 120 % busy" in bursts.warnings[0]
    one_server = calculate("stack", arrival_rps=10, tiers="app:20:8, cache:1", requests=30_000,
                           service_distribution="lognormal", service_p99_ms=100)
    assert "with one or two servers at cache, a long request or two hold them all" in one_server.warnings[0]


def test_the_rules_are_simulates_own(monkeypatch):
    """One implementation: tightening simulate's interval rule withholds stack's interval too."""
    assert calculate("stack").outputs["p99_interval_ms"] is not None
    monkeypatch.setattr(simulation, "INTERVAL_RELAXATIONS", 10 ** 6)
    assert calculate("stack").outputs["p99_interval_ms"] is None
    assert calculate("simulate", service_distribution="exponential").outputs["p99_interval_ms"] is None


def test_a_split_tiers_process_relaxes_on_its_own_share():
    """A process taking 90 % of a tier's visits at 79 % busy governs; its τ in requests is τ ÷ (visits × share)."""
    tiers = parse_tiers("app:50:2x2")
    flows = networks.jackson_network(35, tiers, 90)
    plan, slowest, _ = networks.network_run_rules(35, tiers, flows, 1.0, 50_000)
    rho = 35 * 0.9 * 0.05 / 2
    assert slowest.utilization_pct == pytest.approx(100 * rho)
    assert slowest.relaxation_requests == pytest.approx(simulation.relaxation_requests(rho, 1.0) / 0.9)
    assert plan.warmup_requests == max(5_000, math.ceil(20 * slowest.relaxation_requests))
