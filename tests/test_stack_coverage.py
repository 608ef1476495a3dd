"""Is stack's stated 95 % interval true? Its coverage over many seeds, against independently computed p99s.

The claim is simulate's (tests/test_simulation_coverage.py), for the percentiles of a network: wherever
``stack`` states the p99's 95 % interval (``p99_interval_ms``), it holds the true p99 in at least 93 % of 300
seeds, at 50 to 95 % busy, exponential and lognormal, 1 to 50 servers; where the run-length rules withhold
it (``plan.interval_rule``) or refuse the figures, the test checks that they do. The rules are simulate's,
one implementation (:func:`perfcalc.simulation.plan_run`), applied to the stack's slowest queue
(:func:`perfcalc.networks.network_run_rules`).

True values, each computed without the stack's simulator:

- one tier is an M/M/c queue (exponential service): exact percentiles,
  :func:`perfcalc.queueing.mmc_response_percentile`;
- one tier with lognormal service is simulate's M/G/c, whose p99s come from long runs of the independent
  C reference (tests/reference/mgc_reference.c; the table ``LOGNORMAL_P99`` there): with one tier and one
  visit, stack's per-visit σ is the lognormal's own (:func:`perfcalc.networks.visit_sigma`);
- M/M/1 tiers in series (a tandem): a request's sojourn at each is exponential with rate μ_k − λ and the
  sojourns are independent (E. Reich, "Waiting times when queues are in tandem", Ann. Math. Statist. 28(3),
  1957; P. J. Burke, "The output of a queuing system", Operations Research 4(6), 1956), so the end-to-end
  time is their hypoexponential sum, whose survival function is exact (S. M. Ross, *Introduction to
  Probability Models*, 11th ed., Academic Press 2014, §5.2.4). Multi-server tiers in series are not
  independent in this way (Burke, "The dependence of delays in tandem queues", Ann. Math. Statist. 35(2),
  1964), so they are not used as a reference here.

Two grids, as simulate's: ``QUICK_GRID`` runs with ``make check`` and ``make test``; ``GRID``, the whole
claim, is marked slow (``make coverage``). Removing the rules (``plan_run`` stating an interval wherever
the figures are right) turns the quick grid red at its withheld points: there the old interval held the
true p99 in far fewer than 93 % of seeds.
"""

import math

import pytest

from perfcalc import networks, queueing
from .test_simulation_coverage import LOGNORMAL_P99, count_held, judge

MEAN_MS = 50.0
P99_MS = 500.0  # the lognormal's p99 for one visit of 50 ms: σ as in LOGNORMAL_P99


def hypoexponential_quantile(rates, q):
    """The q-quantile of a sum of independent exponentials with distinct rates (per ms), by bisection on
    P(T > t) = Σ_i e^(−a_i t) Π_(j≠i) a_j / (a_j − a_i) (Ross 2014, §5.2.4)."""
    def survival(t):
        return math.fsum(math.exp(-a * t) * math.prod(b / (b - a) for b in rates if b != a) for a in rates)

    low, high = 0.0, 1e3 / min(rates)
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if survival(mid) > 1 - q else (low, mid)
    return (low + high) / 2


def true_p99_ms(tiers, service, arrival_rps):
    """The network's exact (or reference) p99 response time, in ms, computed without its simulator."""
    if len(tiers) == 1:
        (tier,) = tiers
        utilization = arrival_rps * tier.service_ms / 1000 / tier.servers
        if service == "lognormal":
            assert tier.service_ms == MEAN_MS
            return LOGNORMAL_P99[(round(utilization, 2), tier.servers)][0] * MEAN_MS
        return queueing.mmc_response_percentile(tier.servers, arrival_rps, tier.service_ms / 1000, 99) * 1000
    assert service == "exponential" and all(t.servers == 1 and t.visits == 1 for t in tiers)
    rate = arrival_rps / 1000  # per ms
    return hypoexponential_quantile([1 / t.service_ms - rate for t in tiers], 0.99)


# (tiers, service, arrival_rps, requests, stated): stated says whether the rules state an interval there.
QUICK_GRID = [
    ("app:50:5", "exponential", 50.0, 20_000, True),  # M/M/5 at 50 %
    ("a:10, b:8", "exponential", 50.0, 20_000, True),  # a tandem at 50 % and 40 %
    ("a:10, b:8", "exponential", 80.0, 20_000, False),  # 80 % and 64 %: right figures, too short for an interval
    ("app:50:5", "lognormal", 60.0, 40_000, False),  # bursts: two long visits leave three servers 100 % busy
]
GRID = [
    ("app:50:1", "exponential", 10.0, 20_000, True),
    ("app:50:5", "exponential", 50.0, 20_000, True),
    ("app:50:50", "exponential", 500.0, 20_000, True),
    ("app:50:1", "exponential", 14.6, 100_000, True),  # 73 %: the busiest one tier 100,000 requests state one for
    ("app:50:50", "exponential", 730.0, 100_000, True),
    ("a:10, b:8", "exponential", 50.0, 20_000, True),
    ("a:10, b:8", "exponential", 70.0, 100_000, True),  # 70 % and 56 %
    ("a:10, b:8, c:12", "exponential", 55.0, 60_000, True),  # 55 %, 44 % and 66 %; three visits: 66,666 at most
    ("app:50:5", "lognormal", 50.0, 100_000, True),
    ("app:50:50", "lognormal", 500.0, 100_000, True),
    ("app:50:5", "exponential", 80.0, 100_000, False),  # 80 %: too slow to settle for an interval
    ("a:10, b:8", "exponential", 90.0, 100_000, False),
    ("app:50:50", "exponential", 950.0, 100_000, False),  # 95 %: the figures are refused
    ("app:50:5", "lognormal", 60.0, 100_000, False),
    ("app:50:50", "lognormal", 800.0, 100_000, False),
]


def _ids(grid):
    return [f"{t.replace(', ', '+')}-{s}-{lam:g}rps-{n // 1000}k" for t, s, lam, n, _ in grid]


def check_coverage(tiers_text, service, arrival_rps, requests, stated):
    tiers = networks.parse_tiers(tiers_text)
    p99 = P99_MS if service == "lognormal" else None
    n_stated, held = count_held(lambda seed: networks.stack(arrival_rps, tiers, service, p99, None, requests, seed),
                                true_p99_ms(tiers, service, arrival_rps))
    judge(f"stack {tiers_text} {service} at {arrival_rps:g} requests/s, {requests:,} requests", n_stated, held, stated)


@pytest.mark.parametrize("tiers,service,arrival_rps,requests,stated", QUICK_GRID, ids=_ids(QUICK_GRID))
def test_the_stated_p99_interval_of_a_stack_is_true(tiers, service, arrival_rps, requests, stated):
    check_coverage(tiers, service, arrival_rps, requests, stated)


@pytest.mark.slow
@pytest.mark.parametrize("tiers,service,arrival_rps,requests,stated", GRID, ids=_ids(GRID))
def test_the_stated_p99_interval_of_a_stack_is_true_over_the_whole_claim(tiers, service, arrival_rps, requests,
                                                                         stated):
    check_coverage(tiers, service, arrival_rps, requests, stated)


def test_the_grid_spans_the_claim():
    """50 to 95 % busy, exponential and lognormal, 1 to 50 servers, one tier and several, with intervals stated
    for each; every lognormal point has its reference."""
    def busiest(tiers_text, lam):
        return max(lam * t.service_ms / 1000 / t.servers for t in networks.parse_tiers(tiers_text))

    assert {s for _, s, *_ in GRID} == {"exponential", "lognormal"}
    assert min(busiest(t, lam) for t, _, lam, *_ in GRID) == pytest.approx(0.5)
    assert max(busiest(t, lam) for t, _, lam, *_ in GRID) == pytest.approx(0.95)
    assert {networks.parse_tiers(t)[0].servers for t, *_, stated in GRID if stated} >= {1, 5, 50}
    assert any(len(networks.parse_tiers(t)) > 1 for t, *_, stated in GRID if stated)
    for t, s, lam, _, _ in GRID + QUICK_GRID:
        if s == "lognormal":
            (tier,) = networks.parse_tiers(t)
            assert (round(lam * tier.service_ms / 1000 / tier.servers, 2), tier.servers) in LOGNORMAL_P99


def test_the_tandem_reference_is_exact():
    """Two stages of equal rate would divide by zero; distinct rates: the sum's mean is Σ 1/a_i, and one stage
    is the exponential's own quantile, ln 100 / a."""
    assert hypoexponential_quantile([0.05], 0.99) == pytest.approx(math.log(100) / 0.05, rel=1e-12)
    assert true_p99_ms(networks.parse_tiers("app:50:5"), "exponential", 50.0) == pytest.approx(
        queueing.worker_pool(50, 50, 5).p99_ms, rel=1e-12)
