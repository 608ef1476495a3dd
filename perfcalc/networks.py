"""Networks of tiers: a whole stack as one closed (mva) or open (stack) queueing network.

A Flask request crosses several queues: the proxy, Gunicorn's workers, the
database's cores, Redis. Each is a *tier*: a number of servers (workers,
cores, threads) that serve one visit in a mean service time, and a mean
number of visits per request (three queries per request is three visits to
the database). A tier's *demand* is its service time × visits: the time one
request asks of it. This module offers:

- :func:`parse_tiers`, the one reader of the tier syntax both calculators
  take, ``name:service_ms[:servers[:visits]]`` separated by commas or new
  lines, where servers may be ``PROCESSESxTHREADS`` for a pool split across
  processes that queue separately;
- :func:`mva`, the closed system (a fixed number of users who send a
  request, wait for it, think, and send again: a load test's virtual users),
  solved exactly, and :func:`throughput_curve` for its chart;
- :func:`jackson_network` and :func:`stack`, the open system (visitors
  arriving at a rate): the exact mean response time of a Jackson network and
  the percentiles of a seeded simulation of the same network.

Sources: M. Reiser and S. S. Lavenberg, "Mean-value analysis of closed
multichain queuing networks", J. ACM 27(2), 1980 (exact MVA). J. P. Buzen,
"Computational algorithms for closed queueing networks with exponential
servers", CACM 16(9), 1973, and M. Reiser and H. Kobayashi, "Queueing
networks with multiple closed chains: theory and computational algorithms",
IBM J. Res. Dev. 19(3), 1975 (the normalising constants, load-dependent
stations included). M. Reiser, "Mean-value analysis and convolution method
for queue-dependent servers in closed queueing networks", Performance
Evaluation 1(1), 1981 (why the load-dependent recursion loses its accuracy,
and the ratio to a complementary network that keeps it). E. D. Lazowska,
J. Zahorjan, G. S. Graham and K. C. Sevcik, *Quantitative System
Performance*, Prentice-Hall 1984, ch. 5 (asymptotic bounds, the knee N*).
J. R. Jackson, "Jobshop-like queueing systems", Management Science 10(1),
1963 (open networks). F. Baskett, K. M. Chandy, R. R. Muntz and F. G.
Palacios, "Open, closed, and mixed networks of queues with different classes
of customers", J. ACM 22(2), 1975 (product form with fixed visit counts).
"""

from __future__ import annotations

import math
import random
import re
from collections import deque
from heapq import heappop, heappush, heapreplace
from itertools import accumulate
from operator import mul
from typing import NamedTuple

from . import splitqueues
from .format import format_breakdown
from .spec import PerfcalcError

__all__ = [
    "MAX_TIERS",
    "MAX_SERVERS",
    "MAX_PROCESSES",
    "MAX_VISITS",
    "TIERS_RULE",
    "Tier",
    "parse_tiers",
    "MAX_USERS",
    "ClosedNetwork",
    "solve_closed",
    "Mva",
    "mva",
    "throughput_curve",
    "MAX_SIMULATED_VISITS",
    "MIN_REQUESTS",
    "TierFlow",
    "process_shares",
    "jackson_network",
    "simulate_network",
    "QueueRun",
    "network_run_rules",
    "simulable_rps",
    "max_stack_requests",
    "visit_sigma",
    "Stack",
    "stack",
]

# A stack of more tiers than this is better drawn as a few models; ten keeps every answer a keystroke.
MAX_TIERS = 10
# Servers per tier: more than one host's pool of workers or one database's cores. The exact solution of
# a closed network costs up to a step per server per user (see solve_closed), so this bounds mva's time.
MAX_SERVERS = 200
# Processes per split tier: more than one host's Gunicorn. Processes tied for the bottleneck never let the
# exact solution settle, and each costs a pass over every population (see solve_closed).
MAX_PROCESSES = 16
# Visits per request: the N+1 query pattern makes hundreds; a thousand is a bug, not a design.
MAX_VISITS = 1000.0
MAX_SERVICE_MS = 3_600_000.0  # one hour, as every duration field
MIN_SERVICE_MS = 0.001  # one microsecond
TIERS_RULE = (f"name:service_ms[:servers[:visits]] for each tier, separated by commas or new lines (servers a whole "
              f"number or PROCESSESxTHREADS with at most {MAX_PROCESSES} processes, at most {MAX_SERVERS} in all; "
              f"visits above 0; at most {MAX_TIERS} tiers)")

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,31}")
_SPLIT = re.compile(r"(\d+)\s*[xX×]\s*(\d+)")


class Tier(NamedTuple):
    """One tier of a stack: ``servers`` serve visits of ``service_ms`` each, ``visits`` per request.

    ``processes`` > 1 splits the servers across that many processes, each
    with its own queue and ``servers // processes`` threads (Gunicorn's
    gthread workers: each process accepts connections into its own pool).
    """

    name: str
    service_ms: float
    servers: int
    visits: float
    processes: int = 1

    @property
    def threads(self) -> int:
        """Servers per process (all of them when the tier has one queue)."""
        return self.servers // self.processes

    @property
    def demand_ms(self) -> float:
        """Service time a request asks of the tier: service × visits (the service demand law)."""
        return self.service_ms * self.visits

    @property
    def server_demand_ms(self) -> float:
        """Demand per server: the tier's ceiling is 1 / this requests per millisecond."""
        return self.demand_ms / self.servers


def _number(text: str) -> float | None:
    """A finite number written with the digits 0-9, or None."""
    text = text.strip()
    if not text or not text.isascii() or len(text) > 30:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_tiers(text: str, field: str = "tiers") -> tuple[Tier, ...]:
    """Read tiers written ``name:service_ms[:servers[:visits]]``, separated by commas or new lines.

    servers defaults to 1 and may be ``PxT``: P processes of T threads, each
    process with its own queue; visits defaults to 1 and may be a fraction
    (a cache that misses 20 % of the time sends 0.2 visits on). A
    :class:`PerfcalcError` naming ``field`` says which tier, which part and
    which rule: a name is a letter followed by letters, digits, ``_``, ``-``
    or ``.``; names are distinct; at most 10 tiers.

    >>> [t.name for t in parse_tiers("gunicorn:20:4, postgres:2:2:3\\nredis:0.5")]
    ['gunicorn', 'postgres', 'redis']
    >>> parse_tiers("app:40:2x4")[0]
    Tier(name='app', service_ms=40.0, servers=8, visits=1.0, processes=2)
    >>> parse_tiers("postgres:2:0")
    Traceback (most recent call last):
    ...
    perfcalc.spec.PerfcalcError: tiers must give servers as a whole number from 1 to 200, or PROCESSESxTHREADS with at most 16 processes and 200 servers in all (e.g. 2x4): tier 1 ('postgres:2:0') has servers '0'
    """
    items = [item.strip() for item in re.split(r"[,\n]", text)]
    items = [item for item in items if item]
    if not items:
        raise PerfcalcError(f"{field} must list at least one tier as name:service_ms[:servers[:visits]], "
                            "got nothing", field)
    if len(items) > MAX_TIERS:
        raise PerfcalcError(f"{field} must list at most {MAX_TIERS} tiers (merge the small ones), got {len(items)}",
                            field)
    tiers = []
    for index, item in enumerate(items, 1):
        tier = _parse_tier(item, index, field)
        for earlier, other in enumerate(tiers, 1):
            if other.name == tier.name:
                raise PerfcalcError(f"{field} must have distinct names: tiers {earlier} and {index} are both "
                                    f"named {tier.name!r}", field)
        tiers.append(tier)
    return tuple(tiers)


def _parse_tier(item: str, index: int, field: str) -> Tier:
    shown = item if len(item) <= 40 else item[:37] + "..."

    def refuse(rule: str, found: str) -> PerfcalcError:
        return PerfcalcError(f"{field} must {rule}: tier {index} ({shown!r}) {found}", field)

    parts = [part.strip() for part in item.split(":")]
    if len(parts) > 4:
        raise refuse("have at most four parts per tier, name:service_ms:servers:visits", f"has {len(parts)}")
    name = parts[0]
    if not _NAME.fullmatch(name):
        raise refuse("name each tier with a letter followed by letters, digits, _, - or . (at most 32)",
                     f"is named {name[:32]!r}")
    if len(parts) < 2 or not parts[1]:
        raise refuse("give each tier a service time, as name:service_ms (e.g. gunicorn:20)", "has none")
    service = _number(parts[1])
    if service is None or not MIN_SERVICE_MS <= service <= MAX_SERVICE_MS:
        raise refuse(f"give service_ms as a number from {MIN_SERVICE_MS:g} to {MAX_SERVICE_MS:.0f} "
                     "(milliseconds per visit)", f"has service_ms {parts[1][:20]!r}")
    servers, processes = 1, 1
    if len(parts) > 2 and parts[2]:
        servers, processes = _servers(parts[2], refuse)
    visits = 1.0
    if len(parts) > 3 and parts[3]:
        visits = _number(parts[3])
        if visits is None or not 0 < visits <= MAX_VISITS:
            raise refuse(f"give visits as a number above 0 and at most {MAX_VISITS:.0f} (visits per request, "
                         "e.g. 3 queries)", f"has visits {parts[3][:20]!r}")
    return Tier(name, service, servers, visits, processes)


def _servers(text: str, refuse) -> tuple[int, int]:
    rule = (f"give servers as a whole number from 1 to {MAX_SERVERS}, or PROCESSESxTHREADS with at most "
            f"{MAX_PROCESSES} processes and {MAX_SERVERS} servers in all (e.g. 2x4)")
    split = _SPLIT.fullmatch(text)
    if split:
        processes, threads = int(split.group(1)), int(split.group(2))
        if not 1 <= processes <= MAX_PROCESSES or threads < 1 or processes * threads > MAX_SERVERS:
            raise refuse(rule, f"has servers {text[:20]!r}")
        return processes * threads, processes
    if not re.fullmatch(r"\d+", text) or not 1 <= int(text) <= MAX_SERVERS:
        raise refuse(rule, f"has servers {text[:20]!r}")
    return int(text), 1


# ---------------------------------------------------------------- the closed network, exactly

# The tiers alone, without the think time, make a network whose normalising constants A(m) are
# built one factor at a time as ratios γ(m) = A(m)/A(m − 1), m = 0 … top (see solve_closed). A
# pass stops early once every later ratio is settled, and returns the index from which the ratios
# it returns are constant ("steady").
_NEGLIGIBLE = 2.0 ** -56  # a relative share below half an ulp of 1: adding it changes no float
# A pass whose input is steady has settled when its state moves by less than this, relatively, in one
# step: it contracts towards a fixed point, so what is left to move is of the same order.
_SETTLED = 2.0 ** -44
# Terms of the think-time mixture below this share of the largest are left out: past them the terms
# fall at least geometrically (their ratios only fall), so what is left out is of the same order.
_TAIL = 2.0 ** -70


def _add_geometric(alpha: list[float], steady: int, rho: float) -> tuple[list[float], int, list[float]]:
    """Ratios after adding a geometric factor 1/(1 − ρz): a single-server station of demand ρ.

    With p₀(m) the chance the new station is idle with m customers, and α(m)
    the ratio of the network it joins (0 for the empty network):

        γ(m) = ρ + α(m)·p₀(m − 1)        p₀(m) = α(m)·p₀(m − 1) / γ(m)

    Sums and quotients of positive numbers: nothing cancels. Once ρ + α·p₀
    rounds to ρ it stays there (neither α nor p₀ grows with m: throughput and
    queues do not fall as customers are added); once α is steady and p₀ has
    settled, so has every later ratio. Also returns p₀(m), m = 0 … top.
    """
    top = len(alpha) - 1
    gamma, idle = [0.0], [1.0]
    grow, seen = gamma.append, idle.append
    p0, done, settled = 1.0, top + 1, _SETTLED
    for m, a in enumerate(alpha[1:], 1):
        t = a * p0
        g = rho + t
        if g == rho:  # saturated: the idle share no longer shows
            gamma += [rho] * (top + 1 - m)
            idle += [0.0] * (top + 1 - m)
            done = m
            break
        p = t / g
        grow(g)
        seen(p)
        if m > steady and -settled * p <= p - p0 <= settled * p:
            gamma += [g] * (top - m)
            idle += [p] * (top - m)
            done = m
            break
        p0 = p
    return gamma, done, idle


def _add_polynomial(alpha: list[float], steady: int, ratios: list[float], carried: list,
                    users: int, own_mean: bool = True) -> tuple[list[float], int, list]:
    """Ratios after adding a polynomial factor q₀ + q₁z + … + q_d z^d with positive coefficients.

    ``ratios[j − 1]`` is q_j / q_{j−1}. The new network's constants are
    g(n) = Σ_j q_j·a(n − j), a dot product of the coefficients with the last
    d + 1 constants of the network joined, a(n) = α(n)·a(n − 1): so

        γ(n) = Σ_j q_j·a(n − j) / Σ_j q_j·a(n − 1 − j)

    a ratio of two sums of positive numbers: nothing cancels. The last d + 1
    values a(m) are kept in a queue, rescaled together when the newest
    drifts far from 1 (older ones that fall below 10⁻³⁰⁰ of it are
    negligible in every later sum: they only move towards the end and off).
    The factor is a station that holds at most d users, with
    w_n(j) = q_j·a(n − j)/g(n) the chance it holds j.

    Two ends come early. Once α is steady, a(m) is geometric, so
    g(n) = a(n)·Σ_j q_j/α^j and γ(n) = α exactly from d steps on. And once
    all but the top term is a negligible share, γ(n) = α(n − d) from then on
    (that share only falls, as α does).

    Returns the ratios, their steady index and, if ``own_mean``, this
    factor's mean count [Σ_j j·w_n(j) for n = 0 … users, its steady index].
    ``carried`` means become E'(n) = Σ_j w_n(j)·E(n − j).
    """
    top = len(alpha) - 1
    coefficients = [1.0]
    for r in ratios:
        coefficients.append(coefficients[-1] * r)
    peak = max(coefficients)
    q = [c / peak for c in coefficients]
    # Past its peak a log-concave polynomial only falls, and the network joined only grows (γ ≥ the
    # largest factor's ρ, the unit): a term of q_j < _TAIL·q_max there stays below _TAIL of the peak's term.
    crest = q.index(1.0)
    while len(q) > crest + 1 and q[-1] < _TAIL:
        q.pop()
    degree = len(q) - 1
    jq = [j * c for j, c in enumerate(q)]
    gamma = [0.0] * (top + 1)
    own = [0.0] * (users + 1) if own_mean else None
    news = [[0.0] * (users + 1) for _ in carried]
    recent = deque([1.0], maxlen=degree + 1)  # a(n), a(n − 1), … a(n − d), rescaled together
    newest, total = 1.0, q[0]
    stop = min(top, steady - 1 + degree)  # past it γ(n) = α(n)
    for n in range(1, stop + 1):
        newest *= alpha[n]
        recent.appendleft(newest)
        new_total = sum(map(mul, q, recent))
        gamma[n] = new_total / total
        total = new_total
        if n <= users:
            if own_mean:
                own[n] = sum(map(mul, jq, recent)) / total
            for (means, _), new in zip(carried, news):
                new[n] = _weighted(q, recent, means, n) / total
        if not 1e-100 < newest < 1e100:
            scale = 1.0 / newest
            recent = deque([x * scale for x in recent], maxlen=degree + 1)
            newest, total = 1.0, total * scale
        if n & 31 == 0 and len(recent) > degree and q[-1] * recent[-1] >= total * (1.0 - _NEGLIGIBLE):
            # Only the full shift survives: g(n) = q_d·a(n − d), so γ(n) = α(n − d) from here on.
            gamma[n + 1:] = alpha[n + 1 - degree:top + 1 - degree]
            for entry, new in zip(carried, news):
                new[n + 1:] = entry[0][n + 1 - degree:users + 1 - degree]
                entry[:] = [new, entry[1] + degree]
            if own_mean:
                own[n + 1:] = [float(degree)] * max(0, users - n)
            return gamma, max(steady + degree, n + 1), [own, n + 1]
    gamma[stop + 1:] = alpha[stop + 1:]
    if own_mean:
        own[stop + 1:] = [own[min(stop, users)]] * max(0, users - stop)
    for entry, new in zip(carried, news):
        entry[:] = [new, _settled_means(q, recent, total, entry[0], entry[1], new, stop + 1)]
    return gamma, min(stop + 1, top + 1), [own, stop + 1]


def _weighted(q: list[float], recent, means: list[float], n: int) -> float:
    """Σ_j q_j·a(n − j)·E(n − j): a carried mean's numerator once a polynomial factor joins."""
    return sum(map(mul, map(mul, q, recent), reversed(means[max(0, n - len(recent) + 1):n + 1])))


def _settled_means(q: list[float], recent, total: float, means: list[float], constant: int, new: list[float],
                   start: int) -> int:
    """A carried mean after a settled polynomial: the fixed window's average of E, constant once E is."""
    users = len(means) - 1
    for m in range(start, users + 1):
        value = _weighted(q, recent, means, m) / total
        if m - len(recent) + 1 >= constant:
            new[m:] = [value] * (users + 1 - m)
            return m
        new[m] = value
    return users + 1


def _poly_ratios(x: float, threads: int, processes: int) -> list[float]:
    """q_j / q_{j−1} for Q_T(x·z)^P, where Q_T(y) = Σ_{j<T} (1 − j/T)·y^j / j! (see solve_closed).

    One process (P = 1) has them in closed form, (x/j)·(T − j)/(T − j + 1).
    Several multiply the polynomial out, rescaling after each product so no
    coefficient leaves float range.
    """
    if processes == 1:
        return [x / j * (threads - j) / (threads - j + 1) for j in range(1, threads)]
    base = [1.0]
    for j in range(1, threads):
        base.append(base[-1] * x / j * (threads - j) / (threads - j + 1))
    coefficients = [1.0]
    for _ in range(processes):
        product = [0.0] * (len(coefficients) + threads - 1)
        for j, b in enumerate(base):
            product[j:j + len(coefficients)] = map(lambda p, c, b=b: p + b * c,
                                                   product[j:j + len(coefficients)], coefficients)
        peak = max(product)
        coefficients = [c / peak for c in product]
    return [b / a if a > 0 else 0.0 for a, b in zip(coefficients, coefficients[1:])]


class ClosedNetwork(NamedTuple):
    """The exact solution of a closed network (see :func:`solve_closed`)."""

    throughput: dict  # {n: X(n) in requests per ms} for the populations asked
    queue: tuple  # mean requests at each tier (waiting or in service) with ``users`` users


def solve_closed(users: int, think_ms: float, tiers: tuple[Tier, ...], points=None) -> ClosedNetwork:
    """Exact throughput of a closed network at ``users`` (and ``points``), and each tier's mean queue at ``users``.

    The product form (Gordon–Newell; BCMP for fixed visit counts) makes each
    population's normalising constant G(n) the coefficient of zⁿ in a
    product of one generating function per station: e^{Zz} for the think
    time Z, Σ_j D^j z^j / (j!·…) for a tier of demand D on c servers, and
    MVA's throughput is X(n) = G(n − 1)/G(n). The textbook recursion for
    multi-server tiers (Reiser & Lavenberg 1980) needs each tier's chance of
    being idle, p(0 | n) = 1 − Σ_{j≥1} p(j | n): a difference of nearly equal
    numbers once a tier is busy, whose error the next steps multiply by up to
    e^c; with 64 servers it turns probabilities negative within 150 users.
    Reiser (1981) gave the stable form, p(0 | n) = G₋ₖ(n)/G(n), a ratio to
    the network without that tier. Here the network is built one factor at a
    time, so each factor's complement is simply the network built so far,
    and every step adds or divides positive numbers (the ratio form of
    Buzen's convolution, in probabilities so nothing overflows).

    The factors: a tier of demand D on c servers has generating function

        F(z) = Q_c(Dz) / (1 − (D/c)·z),    Q_c(y) = Σ_{j<c} (1 − j/c)·y^j / j!

    (multiply out to check: the coefficients are D^j / j! up to c, then fall
    by D/c a step). So a tier is a geometric factor, a single-server station
    of demand D/c that costs O(1) a step, and a polynomial of degree c − 1
    with positive coefficients, a window of c numbers a step while it
    matters; a tier split into P processes of T threads is P geometric
    factors of demand D/(PT) and Q_T(Dz/P)^P. A tier with at least as many
    threads per process as users never queues and joins the think time.

    The tiers' own network (constants A(m), m customers at the tiers) is
    built first: the largest geometric factor saturates it from the first
    customer, so the polynomials after it settle within their degree and
    the other factors soon after; those tied with the largest, which never
    settle, go last. The think time comes in at the end, exactly, as a
    mixture over the customers m at the tiers, n − m thinking:

        G(n) = Σ_m A(m)·Z^(n−m)/(n − m)!        X(n) = E[n − m]/Z   (Little's law at the think time)

    whose terms are log-concave in m and are summed around their peak, built
    as ratios γ(m + 1)·(n − m)/Z so no logarithm or factorial is needed.

    A tier's mean queue is the same mixture of its means in the tiers' own
    network, and there the sum over its factors: the MVA recursion
    Q(m) = (ρ/γ(m))·(1 + Q(m − 1)) for each geometric one; for each
    polynomial but the first its own window's mean, carried through the
    factors added after it (forwards, and through the tied ones, which never
    settle, backwards: the adjoint of those linear maps costs one pass for
    every mean at once); for the first, what conservation leaves
    (users = X·Z + Σ queues).

    Times are scaled by the largest demand per server, so ratios stay near 1.

    Three users, no think time, one tier of two servers at 1 ms: throughput
    2 per ms once both are busy.

    >>> round(solve_closed(3, 0.0, (Tier("db", 1.0, 2, 1.0),)).throughput[3], 12)
    2.0
    """
    asked = sorted(set(range(1, users + 1) if points is None else points) | {users})
    top = asked[-1]
    unit = max(t.server_demand_ms for t in tiers)
    think = think_ms / unit
    delays, polys, geos = [], [], []
    for index, tier in enumerate(tiers):
        if tier.threads >= top:  # never more users than threads in a process: a pure delay
            think += tier.demand_ms / unit
            delays.append(index)
            continue
        x = tier.demand_ms / tier.processes / unit
        if tier.threads > 1:
            polys.append((index, _poly_ratios(x, tier.threads, tier.processes)))
        geos += [(x / tier.threads, index)] * tier.processes
    # Conservation gives one polynomial's mean as what the others leave: the busiest tier's, whose
    # queue is the longest, so the others' rounding is the smallest share of it.
    polys.sort(key=lambda p: -tiers[p[0]].server_demand_ms)
    gamma, steady, carried, owners, tail = _tiers_network(geos, polys, top, users)
    throughput, weights = {}, None
    for n in asked:
        # No think time, or one so short that n − 1 users at the tiers weigh under _TAIL of all n there
        # (the term Z/γ(n) next to 1; below it Z^k/k! underflows): nobody is seen thinking, X(n) = 1/γ(n).
        start, mix = (n, [1.0]) if think < _TAIL * gamma[n] else _think_mixture(gamma, think, n)
        if start == n:
            throughput[n] = 1.0 / (gamma[n] * unit)
        else:
            throughput[n] = math.fsum(w * (n - m) for m, w in enumerate(mix, start)) / (think * unit)
        if n == users:
            weights = (start, mix)
    queue = [0.0] * len(tiers)
    for index in delays:
        queue[index] = throughput[users] * tiers[index].demand_ms
    start, mix = weights
    mixed = {}  # identical factors (a tier's processes, tied tiers) have the same queue
    for rho, index in geos:
        if rho not in mixed:
            mixed[rho] = math.fsum(map(mul, mix, _geometric_queues(gamma, steady, rho, start, start + len(mix) - 1)))
        queue[index] += mixed[rho]
    if carried:
        first, adjoint = _back_through(tail, weights, users)
        for index, means in zip(owners, carried):
            queue[index] += sum(map(mul, adjoint, means[first:first + len(adjoint)]))  # positive terms
    if polys:  # conservation: every user is thinking or at a tier
        index = polys[0][0]
        queue[index] += users - throughput[users] * think_ms - math.fsum(queue)
    return ClosedNetwork(throughput, tuple(queue))


def _tiers_network(geos: list, polys: list, top: int, users: int):
    """The tiers' own network: its ratios γ(m), their steady index, carried polynomial means, the last factors.

    Built from the empty network: the largest geometric factor, the
    polynomials (each one's mean, but the first's, carried through those
    after it), the other geometric factors (the means carried through them
    too: they settle fast), and last those tied with the largest, returned as
    their idle chances p₀(m) for carrying the means through them backwards.
    """
    if not geos:  # every tier is a pure delay: no customer ever waits, A(m) = 0 for m ≥ 1
        return [0.0] * (top + 1), 1, [], [], []
    geos.sort(key=lambda g: -g[0])
    tied = [g for g in geos[1:] if g[0] == geos[0][0]]
    rest = [g for g in geos[1:] if g[0] != geos[0][0]]
    gamma, steady, _ = _add_geometric([0.0] * (top + 1), 1, geos[0][0])
    carried, owners = [], []
    for index, ratios in polys:
        first = index == polys[0][0]  # its mean comes from conservation instead
        gamma, steady, own = _add_polynomial(gamma, steady, ratios, carried, users, own_mean=not first)
        if not first:
            carried.append(own)
            owners.append(index)
    for rho, _ in rest:
        gamma, steady, idle = _add_geometric(gamma, steady, rho)
        for entry in carried:
            entry[1] = _through_geometric(entry[0], entry[1], idle, steady)
    tail = []
    for rho, _ in tied:
        gamma, steady, idle = _add_geometric(gamma, steady, rho)
        tail.append(idle)
    return gamma, steady, [means for means, _ in carried], owners, tail


def _through_geometric(means: list[float], constant: int, idle: list[float], settled: int) -> int:
    """E'(m) = p₀(m)·E(m) + (1 − p₀(m))·E'(m − 1), in place: a factor's mean once a geometric factor joins.

    Past the indices where p₀ and E stop changing, E' moves towards E by a
    constant factor a step; it is filled in once a step leaves it unchanged.
    Returns the index from which E' is constant.
    """
    users = len(means) - 1
    calm = max(constant, settled)
    previous = 0.0
    for m in range(1, users + 1):
        p = idle[m]
        value = p * means[m] + (1.0 - p) * previous
        if m > calm and value == previous:
            means[m:] = [value] * (users + 1 - m)
            return m
        previous = value
        means[m] = value
    return users + 1


def _think_mixture(gamma: list[float], think: float, n: int) -> tuple[int, list[float]]:
    """The chance that m of n users are at the tiers (n − m thinking): (first m, [weights]).

    Terms t(m) ∝ A(m)·Z^(n−m)/(n − m)! have ratios t(m + 1)/t(m) =
    γ(m + 1)·(n − m)/Z that never grow with m, so the terms rise to one peak
    (found by bisection) and fall on both sides; they are built outwards from
    it as products of ratios until they drop below _TAIL of it.
    """
    def ratio(m):
        return gamma[m + 1] * (n - m) / think

    lo, hi = 0, n  # the peak: the first m whose ratio is at most 1 (n if none is)
    while lo < hi:
        mid = (lo + hi) // 2
        if ratio(mid) <= 1.0:
            hi = mid
        else:
            lo = mid + 1
    right, term, m = [1.0], 1.0, lo
    while m < n and term >= _TAIL:
        term *= ratio(m)
        right.append(term)
        m += 1
    left, term, m = [], 1.0, lo
    while m > 0 and term >= _TAIL:
        term /= ratio(m - 1)
        left.append(term)
        m -= 1
    terms = left[::-1] + right
    total = math.fsum(terms)
    return lo - len(left), [t / total for t in terms]


def _back_through(tail: list[list[float]], weights: tuple[int, list[float]], users: int) -> tuple[int, list[float]]:
    """Weights λ(m) with Σ_m λ(m)·E(m) = the mixed mean of E once carried through the ``tail`` factors.

    A geometric factor carries a mean as E'(m) = p₀(m)·E(m) + (1 − p₀(m))·E'(m − 1),
    a linear map; its adjoint, from the last factor back, is
    μ(m) = λ'(m) + (1 − p₀(m + 1))·μ(m + 1), λ(m) = p₀(m)·μ(m): one pass per
    factor for every carried mean at once. Below the weights it starts from,
    μ only shrinks, and the pass stops once it is a negligible share of its
    peak. Returns (first m, [λ from there to the last nonzero one]).
    """
    start, weight = weights
    for idle in reversed(tail):
        back, mu, peak = [], 0.0, 0.0
        for m in range(start + len(weight) - 1, -1, -1):
            own = weight[m - start] if m >= start else 0.0
            mu = own + (1.0 - idle[m + 1]) * mu if m < users else own
            peak = max(peak, mu)
            back.append(idle[m] * mu)
            if m < start and mu < _TAIL * peak:
                break
        back.reverse()
        start, weight = m, back
    return start, weight


def _geometric_queues(gamma: list[float], steady: int, rho: float, first: int, last: int) -> list[float]:
    """Mean customers at a geometric factor ρ, for m = first … last: Q(m) = (ρ/γ(m))·(1 + Q(m − 1)).

    Past the index where γ is steady the ratio r = ρ/γ is constant, and Q(m)
    is the recursion summed in closed form, r(1 − r^k)/(1 − r) + r^k·Q(s)
    (k·Q(s) + k when r = 1).
    """
    queues, q = [], 0.0
    stop = min(last, steady - 1)
    for m in range(1, stop + 1):
        q = rho / gamma[m] * (1.0 + q)
        if m >= first:
            queues.append(q)
    if stop < last:
        r = rho / gamma[last]
        log_r = math.log(r)
        for k in range(max(1, first - stop), last - stop + 1):
            # r(1 − r^k)/(1 − r) as r·expm1(k ln r)/expm1(ln r): r is often within rounding of 1
            # (the bottleneck's own factor), where the plain quotient loses every digit.
            partial = r * math.expm1(k * log_r) / math.expm1(log_r) if log_r else float(k)
            queues.append(partial + r ** k * q)
    return [0.0] * (first == 0) + queues


# ---------------------------------------------------------------- mva: the closed system

MAX_USERS = 10_000


class Mva(NamedTuple):
    throughput_rps: float
    response_time_ms: float
    bottleneck: str
    bottleneck_utilization_pct: float
    max_throughput_rps: float
    knee_users: float
    utilization_by_tier: str
    residence_by_tier: str
    # For the warnings, the chart and the tests:
    tier_utilization_pct: tuple  # per server, in the tiers' order
    tier_residence_ms: tuple  # time a request spends at each tier, all its visits, waiting included
    tier_queue: tuple  # mean requests at each tier, waiting or served
    total_demand_ms: float


def _bottleneck(tiers: tuple[Tier, ...]) -> Tier:
    """The tier with the largest demand per server (the first listed, on a tie): the one that saturates first."""
    return max(tiers, key=lambda t: t.server_demand_ms)


def mva(users: int, think_time_ms: float, tiers: tuple[Tier, ...]) -> Mva:
    """Exact mean-value analysis of a closed system: N users, each thinking Z between requests.

    Each request visits every tier (its demand D_k = service × visits, on
    c_k servers). With X(N) the throughput (:func:`solve_closed`, exact for
    exponential service at FCFS tiers, any number of servers), the
    interactive response time law and the utilisation law give

        R(N) = N / X(N) − Z          U_k = X(N)·D_k / c_k
        residence at tier k = Q_k / X(N)   (Little's law; the residences add up to R)

    and the asymptotic bounds (Lazowska et al. 1984, ch. 5), which the exact
    curve approaches at both ends:

        X(N) ≤ min(N / (D + Z), 1 / max_k(D_k / c_k))       D = Σ D_k
        R(N) ≥ max(D, N·max_k(D_k / c_k) − Z)
        knee N* = (D + Z) / max_k(D_k / c_k)

    The bottleneck is the tier with the largest demand per server: its
    utilisation is the highest at every N, and it reaches 100 % first.
    Beyond N* more users add only waiting, almost all of it there.

    Source: Reiser & Lavenberg (1980); Lazowska et al. (1984), ch. 5 and 6.

    A load test of 50 virtual users with a second of think time against
    Gunicorn (4 workers, 20 ms a request), PostgreSQL (2 cores, 3 queries of
    2 ms) and Redis (0.5 ms): about 48.7 requests a second and 27 ms each,
    with Gunicorn, the bottleneck, a quarter busy; 200 requests a second is
    the ceiling and 205 users the knee.

    >>> r = mva(50, 1000, parse_tiers("gunicorn:20:4, postgres:2:2:3, redis:0.5"))
    >>> round(r.throughput_rps, 1), round(r.response_time_ms, 1), r.bottleneck, round(r.bottleneck_utilization_pct, 1)
    (48.7, 26.7, 'gunicorn', 24.3)
    >>> r.max_throughput_rps, round(r.knee_users, 1)
    (200.0, 205.3)
    """
    bottleneck = _bottleneck(tiers)
    solution = solve_closed(users, think_time_ms, tiers, points=())
    x = solution.throughput[users]  # per ms
    total = math.fsum(t.demand_ms for t in tiers)
    utilization = tuple(100.0 * x * t.server_demand_ms for t in tiers)
    residence = tuple(q / x for q in solution.queue)
    names = [t.name for t in tiers]
    return Mva(
        throughput_rps=1000.0 * x,
        # Σ residence, not users/X − Z: with a long think time that difference cancels most digits.
        response_time_ms=math.fsum(residence),
        bottleneck=bottleneck.name,
        bottleneck_utilization_pct=100.0 * x * bottleneck.server_demand_ms,
        max_throughput_rps=1000.0 / bottleneck.server_demand_ms,
        knee_users=(total + think_time_ms) / bottleneck.server_demand_ms,
        utilization_by_tier=format_breakdown(zip(names, utilization), "%", 1),
        residence_by_tier=format_breakdown(zip(names, residence), "ms", 2),
        tier_utilization_pct=utilization,
        tier_residence_ms=residence,
        tier_queue=solution.queue,
        total_demand_ms=total,
    )


def throughput_curve(users: int, think_time_ms: float, tiers: tuple[Tier, ...],
                     points: int = 40) -> tuple[tuple[int, float, float], ...]:
    """(N, throughput in requests/s, response time in ms) at about ``points`` user counts, for the chart.

    From 1 user to twice the knee (at least ``users``, at most 10,000),
    with ``users`` itself among them; one exact solution gives them all.

    >>> curve = throughput_curve(50, 1000, parse_tiers("gunicorn:20:4"), points=5)
    >>> curve[0][0], curve[-1][0], all(x2 >= x1 for (_, x1, _), (_, x2, _) in zip(curve, curve[1:]))
    (1, 408, True)
    """
    bottleneck = _bottleneck(tiers)
    knee = (math.fsum(t.demand_ms for t in tiers) + think_time_ms) / bottleneck.server_demand_ms
    top = min(MAX_USERS, max(users, math.ceil(2.0 * knee), 2))
    chosen = sorted({1, users, top} | {max(1, round(top * k / points)) for k in range(1, points + 1)})
    throughput = solve_closed(users, think_time_ms, tiers, points=chosen).throughput
    return tuple((n, 1000.0 * throughput[n], n / throughput[n] - think_time_ms) for n in chosen)


# ---------------------------------------------------------------- stack: the open system

class TierFlow(NamedTuple):
    """One tier of an open network at an arrival rate (see :func:`jackson_network`)."""

    shares: tuple  # of the tier's visits, per process (one share of 1 for one queue)
    utilization_pct: float  # of the busiest process's threads (of the tier's servers for one queue)
    wait_ms: float  # mean wait in queue per visit (inf when overloaded)
    residence_ms: float  # time per request at the tier: visits × (wait + service)
    max_rps: float  # the arrival rate at which the busiest process saturates


def process_shares(tier: Tier, busiest_pct: float | None, field: str = "busiest_process_pct") -> tuple:
    """Each process's share of a tier's visits: even, or the busiest given and the rest split evenly.

    >>> process_shares(Tier("app", 50, 4, 1.0, 2), None), process_shares(Tier("app", 50, 4, 1.0, 2), 90)
    ((0.5, 0.5), (0.9, 0.1))
    """
    p = tier.processes
    if p == 1:
        return (1.0,)
    if busiest_pct is None:
        return splitqueues.even_shares(p)
    busiest = busiest_pct / 100.0
    if busiest * p < 1.0 - 1e-12:
        raise PerfcalcError(f"{field} must be at least {100.0 / p:.4g} for {tier.name}'s {p} processes (an even "
                            f"split gives each {100.0 / p:.4g} %), got {busiest_pct:g}", field)
    return (busiest,) + ((100.0 - busiest_pct) / (100.0 * (p - 1)),) * (p - 1)


def jackson_network(arrival_rps: float, tiers: tuple[Tier, ...],
                    busiest_process_pct: float | None = None) -> tuple[TierFlow, ...]:
    """Each tier of an open network of M/M/c queues: utilisation, wait per visit, residence per request.

    Requests arrive at λ and visit tier k v_k times; Jackson's theorem (with
    BCMP's extension to fixed visit counts) makes each tier an independent
    M/M/c queue at rate λ·v_k, so its mean wait is Erlang C's,
    Wq = C(c, A)·S / (c − A) with A = λ·v_k·S, and a request's mean response
    time is Σ_k v_k·(Wq_k + S_k): exact for exponential service. A tier split
    into P processes of T threads with its own queue each is P M/M/T queues
    fed λ·v_k·s_p (a random split of a Poisson stream is Poisson; Kleinrock
    1975, §2.6), with shares s_p even unless the busiest is given
    (:func:`perfcalc.splitqueues.split_waits`).

    Source: Jackson (1963); Baskett et al. (1975); Kleinrock (1975) §3.5.

    80 requests/s on 5 workers of 50 ms: the worker-pool calculator's M/M/5.

    >>> round(jackson_network(80, parse_tiers("app:50:5"))[0].residence_ms, 2)
    77.71
    """
    flows = []
    for tier in tiers:
        shares = process_shares(tier, busiest_process_pct)
        rate = arrival_rps * tier.visits / 1000.0  # visits per ms
        threads, service = tier.threads, tier.service_ms
        wait = splitqueues.split_waits(rate, service, threads, shares).mean
        busiest = max(shares)
        flows.append(TierFlow(
            shares=shares,
            utilization_pct=100.0 * rate * busiest * service / threads,
            wait_ms=wait,
            residence_ms=tier.visits * (wait + service),
            max_rps=1000.0 * threads / (tier.visits * busiest * service),
        ))
    return tuple(flows)


def simulate_network(arrival_rps: float, tiers: tuple[Tier, ...], shares: tuple, sigma: float | None,
                     requests: int, seed: int) -> list[float]:
    """Response times (ms) of a seeded run of an open network of FCFS tiers, in arrival order.

    Poisson arrivals at λ; each request visits the tiers in the order given,
    each tier its number of visits in a row (⌊v⌋ or ⌈v⌉ for a fractional v,
    with mean v), queueing afresh for every visit, as a query does at the
    database. A tier with one queue serves it on its earliest-free server
    (the Kiefer–Wolfowitz recursion); a split tier sends each visit to
    process p with probability ``shares[p]``, whatever the processes hold
    (how gthread's processes take connections: see :func:`stack`), and that
    process serves it the same way (:func:`perfcalc.splitqueues.route` and
    :func:`perfcalc.splitqueues.fcfs_finish_times`, the split queues the
    worker-pool calculator and the lab model). Service times are exponential
    with the tier's mean (``sigma`` None) or lognormal with that mean and
    shape σ (:func:`perfcalc.simulation.service_times`).

    Randomness: ``random.Random(seed).random()``, drawn in a fixed order (the
    gaps, then per tier the visit counts if fractional, the service times,
    the processes), so the same inputs give the same run everywhere.

    One server of 100 ms at 1 request/s is M/M/1: response times are
    exponential with rate μ − λ = 9 per second, so the median is
    ln 2 × 1000/9 ≈ 77 ms.

    >>> times = simulate_network(1.0, parse_tiers("app:100"), ((1.0,),), None, 20_000, seed=1)
    >>> len(times), 72 < sorted(times)[10_000] < 82
    (20000, True)
    """
    from .simulation import HALF_STEP, service_times

    uniform, half = random.Random(seed).random, HALF_STEP
    mean_gap = 1000.0 / arrival_rps
    log = math.log
    arrivals = list(accumulate(-log(uniform() or half) * mean_gap for _ in range(requests)))
    reached = arrivals
    for tier, tier_shares in zip(tiers, shares):
        whole, fraction = divmod(tier.visits, 1.0)
        if fraction:
            counts = [int(whole) + (uniform() < fraction) for _ in range(requests)]
        else:
            counts = [int(whole)] * requests
        visits = sum(counts)
        services = service_times([uniform() or half for _ in range(visits)], tier.service_ms, sigma)
        routes = splitqueues.route([uniform() for _ in range(visits)], tier_shares) if len(tier_shares) > 1 else None
        reached = _serve(reached, counts, services, routes, tier.threads, len(tier_shares))
    return [done - start for done, start in zip(reached, arrivals)]


def _serve(reached: list[float], counts: list[int], services: list[float], routes: list[int] | None,
           threads: int, processes: int) -> list[float]:
    """When each request leaves a tier: it arrives at ``reached[i]`` and makes ``counts[i]`` visits in a row.

    Visits are served in the order they reach the tier, each on its
    process's earliest-free thread. First visits come in the order of
    ``reached``; a request's next visit joins the queue when its last one
    ends (a heap of those, merged with the first visits by time).
    """
    order = sorted(range(len(reached)), key=reached.__getitem__)
    if counts.count(1) == len(counts):  # one visit each: no repeat visits to merge
        return splitqueues.fcfs_finish_times(reached, services, threads, routes, order)
    free = [[0.0] * threads for _ in range(processes)]  # each process's threads' next free times: heaps
    done = list(reached)
    replace = heapreplace
    first = list(accumulate(counts, initial=0))  # request i's visits are services[first[i]:first[i + 1]]
    nxt = first[:-1]
    order = [i for i in order if counts[i]]
    repeats = []  # (time, request) of visits after a request's first
    pop, push = heappop, heappush
    k, total = 0, len(order)
    while k < total or repeats:
        if k < total and (not repeats or reached[order[k]] <= repeats[0][0]):
            i = order[k]
            time = reached[i]
            k += 1
        else:
            time, i = pop(repeats)
        visit = nxt[i]
        nxt[i] = visit + 1
        heap = free[routes[visit]] if routes is not None else free[0]
        earliest = heap[0]
        end = (time if earliest <= time else earliest) + services[visit]
        replace(heap, end)
        if visit + 1 < first[i + 1]:
            push(repeats, (end, i))
        else:
            done[i] = end
    return done


# A run of stack simulates at most this many visits (requests × visits per request): under 0.3 s natively.
MAX_SIMULATED_VISITS = 200_000
MIN_REQUESTS = 2_000  # the fewest requests a run may have: 400 in each of simulation.BATCHES (5) batches


class QueueRun(NamedTuple):
    """The queue of a stack that governs its run-length rules (see :func:`network_run_rules`)."""

    tier: str  # the tier's name
    utilization_pct: float  # of that queue's servers
    servers: int  # of that queue (a split tier's threads per process)
    visits_per_request: float  # arrivals at that queue per request reaching the stack: visits × share
    relaxation_requests: float  # its relaxation time, in requests reaching the stack
    burst_load_pct: float  # the load on its other servers while two hold long requests (inf for one or two)


class Stack(NamedTuple):
    mean_response_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    p99_interval_ms: tuple  # (low, high): the p99's 95 % interval, as simulate states it; (nan, nan) when not stated
    max_rps: float
    bottleneck: str
    bottleneck_utilization_pct: float
    utilization_by_tier: str
    wait_by_tier: str
    # For the warnings, the chart and the tests:
    jackson_mean_ms: float  # exact for exponential service
    simulated_mean_ms: float
    p99_low_ms: float  # sectioning's own ends (simulation.quantile_interval), whatever the rules say
    p99_high_ms: float
    p99_ci_ms: float  # the larger of p99 − low and high − p99, whatever the rules say (not stated to readers)
    sigma: float  # each visit's lognormal σ (nan for exponential service)
    service_cv: float  # each visit's coefficient of variation (1 for exponential)
    flows: tuple  # TierFlow per tier
    plan: object  # simulation.RunPlan: warm-up, kept requests, the interval's rule (None when overloaded)
    slowest: QueueRun | None  # the queue whose relaxation time governs the run (None when overloaded)
    bursty: QueueRun | None  # the first queue the bursts rule withholds the interval for, if any


def visit_sigma(tiers: tuple[Tier, ...], service_p99_ms: float) -> float:
    """σ of each visit's lognormal service time, so a request's total service time has the p99 given.

    A request's service time (no waiting) is the sum of its visits' times,
    mean M = Σ v_k·S_k. Every visit gets the same coefficient of variation
    cv, so the sum has cv_total² = cv²·Σ v_k·S_k² / M² (independent visits;
    counted as if each tier saw exactly v_k). cv_total is set to that of the
    lognormal with mean M and the p99 given (:func:`simulation.lognormal_sigma`),
    and σ² = ln(1 + cv²). The sum of lognormals is not lognormal, so the
    simulated sum's p99 comes close to the one given, not exactly (Fenton
    1960 matches moments the same way).

    One tier, one visit: the lognormal with that mean and p99 itself.

    >>> round(visit_sigma(parse_tiers("app:50"), 500), 4)
    1.4282
    """
    from .simulation import lognormal_sigma

    total = math.fsum(t.demand_ms for t in tiers)
    squares = math.fsum(t.visits * t.service_ms * t.service_ms for t in tiers)
    sigma_total = lognormal_sigma(total, service_p99_ms)
    cv2 = math.expm1(sigma_total * sigma_total) * total * total / squares
    return math.sqrt(math.log1p(cv2))


def max_stack_requests(tiers: tuple[Tier, ...]) -> int:
    """The most requests a run of these tiers may simulate: the longest run, or fewer if each makes many visits.

    >>> max_stack_requests(parse_tiers("app:20")), max_stack_requests(parse_tiers("gunicorn:20:4, postgres:2:2:3, redis:0.5"))
    (100000, 40000)
    """
    from .simulation import MAX_REQUESTS

    return min(MAX_REQUESTS, MAX_SIMULATED_VISITS // sum(math.ceil(t.visits) for t in tiers))


def _queues(arrival_rps: float, tiers: tuple[Tier, ...], flows: tuple) -> list[tuple]:
    """Each queue of a stack: (tier, threads, arrivals at it per request, utilisation), one per process."""
    out = []
    for tier, flow in zip(tiers, flows):
        for share in flow.shares:
            if share > 0:
                per_request = tier.visits * share
                out.append((tier, tier.threads, per_request, arrival_rps * per_request * tier.service_ms / 1000.0
                            / tier.threads))
    return out


def network_run_rules(arrival_rps: float, tiers: tuple[Tier, ...], flows: tuple, cv: float,
                      requests: int) -> tuple:
    """simulate's run-length rules applied to a stack: ``(plan, slowest queue, first bursty queue or None)``.

    Each queue of the stack (a tier, or a split tier's process) relaxes in
    τ_k = ρ_k²(1 + cv²)/(1 − ρ_k)² of its own arrivals
    (:func:`simulation.relaxation_requests`), which is τ_k / a_k requests
    reaching the stack when each request brings it a_k = v_k·s_p visits.
    The slowest queue, almost always the busiest tier's, governs: the
    warm-up, the figures' and the interval's rules of
    :func:`simulation.plan_run` take the largest τ_k / a_k. The bursts rule
    (:func:`simulation.bursts_rule`) withholds the interval if any queue
    trips it: its long episodes reach every request's end-to-end time.

    Source: Abate & Whitt (1987); Whitt (1989); as :func:`simulation.simulate`.

    At 150 requests/s the default tiers' Gunicorn (4 workers, 75 % busy)
    relaxes in 18 requests; 20,000 requests are too few for an interval:

    >>> tiers = parse_tiers("gunicorn:20:4, postgres:2:2:3, redis:0.5")
    >>> plan, slowest, bursty = network_run_rules(150, tiers, jackson_network(150, tiers), 1.0, 20_000)
    >>> slowest.tier, round(slowest.relaxation_requests), plan.interval_rule, bursty
    ('gunicorn', 18, 'relaxation', None)
    """
    from . import simulation

    runs, bursty = [], None
    for tier, threads, per_request, rho in _queues(arrival_rps, tiers, flows):
        load = rho * threads
        runs.append(QueueRun(tier.name, 100.0 * rho, threads, per_request,
                             simulation.relaxation_requests(rho, cv) / per_request,
                             100.0 * load / (threads - 2) if threads > 2 else math.inf))
        if bursty is None and simulation.bursts_rule(cv, load, threads):
            bursty = runs[-1]
    slowest = max(runs, key=lambda q: q.relaxation_requests)
    plan = simulation.plan_run(requests, slowest.relaxation_requests, bursty is not None)
    return plan, slowest, bursty


def simulable_rps(arrival_rps: float, tiers: tuple[Tier, ...], flows: tuple, cv: float,
                  max_requests: int) -> tuple[float, str]:
    """The most requests/s a run of ``max_requests`` can simulate, to 0.1 below, and the tier that sets it.

    Every queue's utilisation grows in proportion to the arrival rate, so
    queue k can be simulated up to λ·ρ_max,k/ρ_k, where ρ_max,k is
    :func:`simulation.busiest_simulable` for its arrivals per request; the
    stack can up to the least of these. The queue slowest at λ need not be
    the one that binds lower down: a rarely visited tier relaxes slowly per
    request reaching the stack, and its limit can come first.

    >>> tiers = parse_tiers("app:10:1, batch:400:1:0.02")
    >>> simulable_rps(96, tiers, jackson_network(96, tiers), 1.0, 100_000)
    (71.6, 'batch')
    """
    from . import simulation

    limits = []
    for tier, threads, per_request, rho in _queues(arrival_rps, tiers, flows):
        busiest = simulation.busiest_simulable(max_requests, cv, per_request)
        limits.append((math.floor(10 * arrival_rps * busiest / rho) / 10, tier.name))
    return min(limits)


def _refuse_short_stack(plan, slowest: QueueRun, requests: int, tiers: tuple[Tier, ...], flows: tuple,
                        arrival_rps: float, cv: float) -> None:
    """Raise the error that says why this run of the stack is too short to be right, and what would be."""
    from . import simulation

    max_requests = max_stack_requests(tiers)
    max_rps, binding = simulable_rps(arrival_rps, tiers, flows, cv, max_requests)
    then = "" if binding == slowest.tier else f", where {binding} sets the limit"
    raise simulation.short_run_error(
        plan, requests, f"at {slowest.tier}, {slowest.utilization_pct:.2f} % busy with service times this variable "
        f"(cv {cv:.2f}),", max_requests,
        f"At {max_rps:,.1f} requests/s or less it can{then}; with exponential "
        f"service times the mean response time is exact at any load below the ceiling; or add servers to "
        f"{slowest.tier}.")


def stack(arrival_rps: float, tiers: tuple[Tier, ...], service_distribution: str, service_p99_ms: float | None,
          busiest_process_pct: float | None, requests: int, seed: int) -> Stack:
    """An open system: visitors arrive at λ and each request visits every tier, in order.

    The mean response time is the Jackson network's (:func:`jackson_network`),
    exact for exponential service; its percentiles come from a seeded
    simulation of the same network (:func:`simulate_network`), with
    :func:`simulation.simulate`'s rules for how long is long enough, applied
    to the stack's slowest queue (:func:`network_run_rules`): the warm-up is
    max(10 % of the run, 20 τ) requests, the figures are refused below
    500 τ after it, and the p99's 95 % interval (sectioning over 5 batches,
    :func:`simulation.quantile_interval`, stated as
    :func:`simulation.stated_interval`) only from 6,000 τ, and not where
    rare bursts of long requests at any tier set the tail. A coverage test
    (tests/test_stack_coverage.py: exact M/M/c and M/M/1-tandem p99s, and the
    C reference's lognormal ones) found it holding the true p99 in at least
    93 % of 300 seeds wherever it is stated. With lognormal service
    (``service_p99_ms``: the p99 of a request's total service time, as
    measured at low load; :func:`visit_sigma`) the mean is the simulation's.
    The ceiling is the arrival rate that saturates the busiest process of
    some tier:

        max_rps = min_k T_k / (v_k·s_k·S_k)   (s_k its share; c_k / (v_k·S_k) for one queue)

    At or beyond it the stack is overloaded: waits grow for as long as the
    run lasts, so nothing is simulated and every wait and percentile is
    ``inf``.

    A split tier's processes each get a share of its visits whatever they
    hold (Bernoulli routing). That is how Gunicorn's gthread processes take
    connections: each accepts from the shared socket into its own thread
    pool's queue, and the one the kernel wakes first wins; measured on real
    Gunicorn 27 (the guide's "Do the models hold?" lab runs), 85 % and 90 % of
    them to one of two processes in the committed runs (and close to an even
    split in an unpublished run on a busier host). ``busiest_process_pct`` gives that share (the others split the
    rest evenly); empty is the even split, the best case.

    Source: Jackson (1963); Kleinrock (1975) §2.6, §3.5; Law (2015) ch. 9.

    150 requests/s through Gunicorn (4 workers at 20 ms), PostgreSQL (2
    cores, 3 queries of 2 ms) and Redis: the exact mean is 38.3 ms, and the
    simulation's mean agrees within its noise.

    >>> r = stack(150, parse_tiers("gunicorn:20:4, postgres:2:2:3, redis:0.5"), "exponential", None, None, 20_000, 1)
    >>> round(r.mean_response_ms, 1), r.bottleneck, round(r.max_rps), abs(r.simulated_mean_ms / r.mean_response_ms - 1) < 0.05
    (38.3, 'gunicorn', 200, True)
    """
    from . import simulation

    flows = jackson_network(arrival_rps, tiers, busiest_process_pct)
    ceiling = min(f.max_rps for f in flows)
    worst = next(k for k, f in enumerate(flows) if f.max_rps == ceiling)
    visits = sum(math.ceil(t.visits) for t in tiers)
    if visits * MIN_REQUESTS > MAX_SIMULATED_VISITS:
        raise PerfcalcError(f"tiers must make at most {MAX_SIMULATED_VISITS // MIN_REQUESTS} visits per request for "
                            f"the simulation (it runs at most {MAX_SIMULATED_VISITS:,} visits), got {visits}: use "
                            "mva or fewer, longer visits", "tiers")
    if visits * requests > MAX_SIMULATED_VISITS:
        raise PerfcalcError(f"requests must be at most {MAX_SIMULATED_VISITS // visits:,} for these tiers (a request "
                            f"makes {visits} visits, and a run simulates at most {MAX_SIMULATED_VISITS:,}), "
                            f"got {requests}", "requests")
    sigma = None
    if service_distribution == "lognormal":
        if service_p99_ms is None:
            raise PerfcalcError("service_p99_ms must be given for lognormal service: the p99 of a request's "
                                "service time, no waiting (or choose exponential)", "service_p99_ms")
        sigma = visit_sigma(tiers, service_p99_ms)
    cv = 1.0 if sigma is None else simulation.service_cv(sigma)
    names = [t.name for t in tiers]
    shared = dict(max_rps=ceiling, bottleneck=tiers[worst].name,
                  bottleneck_utilization_pct=flows[worst].utilization_pct,
                  utilization_by_tier=format_breakdown(zip(names, (f.utilization_pct for f in flows)), "%", 1),
                  wait_by_tier=format_breakdown(zip(names, (t.visits * f.wait_ms for t, f in zip(tiers, flows))),
                                                "ms", 2),
                  jackson_mean_ms=math.fsum(f.residence_ms for f in flows),
                  sigma=math.nan if sigma is None else sigma, service_cv=cv, flows=flows)
    if arrival_rps >= ceiling:
        inf = math.inf
        return Stack(mean_response_ms=inf, p50_ms=inf, p95_ms=inf, p99_ms=inf, p99_interval_ms=(inf, inf),
                     simulated_mean_ms=inf, p99_low_ms=inf, p99_high_ms=inf, p99_ci_ms=inf, plan=None, slowest=None, bursty=None,
                     **shared)
    plan, slowest, bursty = network_run_rules(arrival_rps, tiers, flows, cv, requests)
    if requests < plan.figures_requests:
        _refuse_short_stack(plan, slowest, requests, tiers, flows, arrival_rps, cv)
    times = simulate_network(arrival_rps, tiers, tuple(f.shares for f in flows), sigma, requests, seed)
    kept = times[plan.warmup_requests:]
    ordered = sorted(kept)
    p50, p95, p99 = (simulation.quantile_interval(kept, q, ordered=ordered) for q in (0.50, 0.95, 0.99))
    simulated_mean = math.fsum(kept) / len(kept)
    nan = math.nan
    return Stack(
        mean_response_ms=shared["jackson_mean_ms"] if sigma is None else simulated_mean,
        p50_ms=p50.estimate, p95_ms=p95.estimate, p99_ms=p99.estimate,
        p99_interval_ms=(nan, nan) if plan.interval_rule else simulation.stated_interval(p99),
        simulated_mean_ms=simulated_mean, p99_low_ms=p99.low, p99_high_ms=p99.high, p99_ci_ms=p99.half_width,
        plan=plan, slowest=slowest,
        bursty=bursty, **shared)
