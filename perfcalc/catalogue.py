"""The calculator catalogue: every calculator declared once, as data.

Each entry names its fields (with unit, bounds, default and help), its
outputs (with unit and format), the assumptions a reader must know, and a
small adapter that calls the models in the topic modules. The form in the
browser, the CLI flags, validation and pre-rendered results all come from
these declarations.

Defaults describe a small Flask deployment: a couple of 2-core VMs running
Gunicorn, PostgreSQL behind them, a few million requests a month.
"""

from __future__ import annotations

from . import caching, charts, cost, database, queueing, reliability, scalability, workers
from .spec import Calculator, Field, Output, PerfcalcError

__all__ = ["CALCULATORS", "get"]

# Upper bounds keep every computation fast enough for a keystroke and far
# beyond any real deployment; they are not physical limits.
MAX_MS = 3_600_000.0  # one hour
MAX_RPS = 10_000_000.0
MAX_COUNT = 1_000_000_000_000
# Lower bounds for quantities that divide: realistic floors, so a reader who
# types 1e-300 is told the real limit instead of getting a meaningless number.
MIN_MS = 0.001  # one microsecond
MIN_RPS = 1e-6


def _ms(name, label, default, help, minimum=MIN_MS, optional=False):
    return Field(name, label, "ms", "float", default, minimum, MAX_MS, optional=optional, help=help)


def _pct(name, label, default, help, minimum=0.0):
    return Field(name, label, "%", "float", default, minimum, 100.0, help=help)


def _int(name, label, default, help, minimum=1, maximum=1_000_000, unit=""):
    return Field(name, label, unit, "int", default, minimum, maximum, help=help)


def _money(name, label, default, help, unit="$/hour"):
    return Field(name, label, unit, "float", default, 0.0, 1_000_000.0, help=help)


# --- capacity ---------------------------------------------------------------

def _capacity_warnings(v, r):
    warnings = []
    if r.average_utilization_pct >= cost.SATURATED_PCT:
        warnings.append(
            f"The average load ({r.average_rps:,.1f} requests/s) is at or above the saturation ceiling "
            f"({r.max_rps:,.1f} requests/s): queues grow without bound. Add workers or servers, or cut response time."
        )
    elif r.average_utilization_pct > cost.AVERAGE_UTILIZATION_LIMIT_PCT:
        warnings.append(f"Average utilisation is above {cost.AVERAGE_UTILIZATION_LIMIT_PCT:g} %: queueing delay grows "
                        "steeply from here, and peaks are higher than the average. Check the p99 with the "
                        "worker-pool calculator.")
    if r.successful_requests_per_month == 0 and r.monthly_cost > 0:
        warnings.append("No request succeeds, so the cost per million successful requests is unbounded.")
    return warnings


def _capacity(v):
    r = cost.fleet_capacity(**v)
    return r._asdict(), _capacity_warnings(v, r)


CAPACITY = Calculator(
    id="capacity",
    title="Capacity and monthly cost",
    summary="The saturation ceiling of a server fleet, the average load against it, and what a 730-hour month costs.",
    fields=(
        _ms("response_time_ms", "Mean response time", 120.0, "Mean time a worker spends on one request."),
        _int("workers", "Concurrency slots per server", 4, "Requests one server handles at once: Gunicorn workers × threads."),
        _int("servers", "Servers", 2, "Identical servers behind the load balancer.", maximum=100_000),
        _pct("error_rate_pct", "Error rate", 0.5, "Share of requests that fail (5xx, and 4xx you caused)."),
        Field("requests_per_month", "Requests per month", "requests", "int", 10_000_000, 0, 10**13,
              help="Total requests in a month, successful or not."),
        _money("server_cost_per_hour", "Cost per server-hour", 0.10, "On-demand price of one server."),
        _money("cost_per_million_requests", "Cost per million requests", 0.0,
               "Per-request charges: load balancer, egress, API gateway.", unit="$/million"),
    ),
    outputs=(
        Output("max_rps", "Saturation ceiling", "requests/s", decimals=1,
               help="Every slot busy all the time (Little's law). Plan to stay well below it."),
        Output("successful_rps", "Successful requests at the ceiling", "requests/s", decimals=1),
        Output("successful_requests_per_month", "Successful requests per month", "requests", "int"),
        Output("average_rps", "Average load", "requests/s", decimals=2),
        Output("average_utilization_pct", "Average utilisation", "%", "pct", decimals=1),
        Output("monthly_cost", "Monthly cost (730 h)", "$", "money"),
        Output("cost_per_million_successful", "Cost per million successful requests", "$", "money", none="unbounded"),
    ),
    compute=_capacity,
    assumptions=(
        "The ceiling is workers × servers × 1000 / response time: every slot busy back to back, which is where "
        "queues explode, not a load to plan for. Errors reduce goodput, not capacity (a failed request still "
        "occupies a worker). A month is 730 hours (8760 / 12), not 720."
    ),
    equations=(
        "X_{\\max} = \\frac{c\\,s}{R}\\qquad X_{\\text{good}} = X_{\\max}\\,(1 - e)",
        "\\bar X = \\frac{N_{\\text{month}}}{730 \\times 3600\\ \\text{s}}\\qquad U = \\frac{\\bar X}{X_{\\max}}",
        "C_{\\text{month}} = 730\\,p_{\\text{hour}}\\,s + p_{\\text{req}}\\,N_{\\text{month}}",
    ),
    model="perfcalc.cost.fleet_capacity",
)


# --- littles-law ------------------------------------------------------------

def _littles_law(v):
    return queueing.littles_law(**v)._asdict(), []


LITTLES_LAW = Calculator(
    id="littles-law",
    title="Little's law",
    summary="Requests in flight = throughput × time in system. Give any two, get the third.",
    fields=(
        Field("concurrency", "Requests in flight", "requests", "float", None, 1e-6, 1e9,
              optional=True, help="Mean number of requests inside the system. Leave empty to solve for it."),
        Field("throughput_rps", "Throughput", "requests/s", "float", 200.0, MIN_RPS, MAX_RPS,
              optional=True, help="Completed requests per second. Leave empty to solve for it."),
        _ms("response_time_ms", "Mean response time", 150.0, "Mean time in the system. Leave empty to solve for it.",
            optional=True),
    ),
    outputs=(
        Output("concurrency", "Requests in flight", "requests", decimals=2),
        Output("throughput_rps", "Throughput", "requests/s", decimals=2),
        Output("response_time_ms", "Mean response time", "ms", decimals=2),
    ),
    compute=_littles_law,
    assumptions="Holds for any stable system over a long enough window: means, not percentiles; throughput is "
                "completions per second, equal to arrivals when nothing is dropped.",
    equations=(
        "L = \\lambda\\,W",
    ),
    model="perfcalc.queueing.littles_law",
)


# --- worker-pool ------------------------------------------------------------

def _worker_pool_warnings(v, r):
    warnings = []
    if r.offered_load >= v["workers"]:
        warnings.append(
            f"Overloaded: {v['arrival_rps']:g} requests/s need {r.offered_load:.2f} busy workers on average but "
            f"there are {v['workers']}. The queue grows without bound, so waits and percentiles are unbounded (∞)."
        )
    elif r.utilization_pct > queueing.HIGH_UTILIZATION_PCT:
        warnings.append(f"Utilisation is above {queueing.HIGH_UTILIZATION_PCT:g} %: small increases in load now cost "
                        "a lot of latency.")
    target = v["target_p99_ms"]
    if target is not None and r.workers_for_target is None:
        if target <= r.p99_floor_ms:
            warnings.append(
                f"No number of workers meets a p99 of {target:g} ms: with exponential service times the p99 of "
                f"service alone is {r.p99_floor_ms:.1f} ms. Only faster service helps."
            )
        else:
            warnings.append(f"Meeting the p99 target needs more than {queueing.MAX_WORKERS_SEARCHED:,} workers.")
    return warnings


def _worker_pool(v):
    r = queueing.worker_pool(**v)
    return r._asdict(), _worker_pool_warnings(v, r)


WORKER_POOL = Calculator(
    id="worker-pool",
    title="Worker pool (M/M/c queue)",
    summary="Waiting, percentiles and the worker count for a p99 target, for c workers fed by random arrivals.",
    fields=(
        Field("arrival_rps", "Arrival rate", "requests/s", "float", 80.0, MIN_RPS, 1_000_000.0,
              help="Mean requests per second reaching the pool."),
        _ms("service_time_ms", "Mean service time", 50.0, "Mean time a worker spends on one request, excluding waiting."),
        _int("workers", "Workers", 5, "Requests served at once (processes × threads).", maximum=10_000),
        _ms("target_p99_ms", "p99 target (optional)", 250.0,
            "If set, the smallest worker count whose p99 response time meets it.", optional=True),
    ),
    outputs=(
        Output("utilization_pct", "Utilisation", "%", "pct", decimals=1),
        Output("prob_wait_pct", "Requests that wait", "%", "pct", decimals=1, help="Erlang C probability."),
        Output("mean_wait_ms", "Mean wait in queue", "ms", decimals=2, none="unbounded"),
        Output("mean_response_ms", "Mean response time", "ms", decimals=2, none="unbounded"),
        Output("p50_ms", "p50 response time", "ms", decimals=1, none="unbounded"),
        Output("p95_ms", "p95 response time", "ms", decimals=1, none="unbounded"),
        Output("p99_ms", "p99 response time", "ms", decimals=1, none="unbounded"),
        Output("max_rps", "Throughput ceiling", "requests/s", decimals=1),
        Output("workers_for_target", "Workers for the p99 target", "workers", "int"),
    ),
    compute=_worker_pool,
    assumptions=(
        "M/M/c: Poisson arrivals, exponential service times, one FCFS queue in front of identical workers "
        "(Gunicorn's shared listen socket behaves so). Real service times are often more variable than "
        "exponential, which makes the tail worse, so treat these percentiles as optimistic."
    ),
    equations=(
        "A = \\lambda S\\qquad \\rho = \\frac{A}{c}\\qquad X_{\\max} = \\frac{c}{S}",
        "B(0) = 1,\\quad B(k) = \\frac{A\\,B(k-1)}{k + A\\,B(k-1)}\\qquad C(c, A) = \\frac{c\\,B(c)}{c - A\\,\\bigl(1 - B(c)\\bigr)}",
        "W_q = \\frac{C(c, A)\\,S}{c - A}",
        "P(T > t) = (1 - C)\\,e^{-\\mu t} + C\\,\\frac{\\mu\\,e^{-\\delta t} - \\delta\\,e^{-\\mu t}}{\\mu - \\delta},\\qquad \\mu = \\frac{1}{S},\\ \\delta = c\\mu - \\lambda",
        "t_p:\\ P(T > t_p) = 1 - \\frac{p}{100}\\quad\\text{(bisection)}",
    ),
    model="perfcalc.queueing.worker_pool",
    chart=charts.worker_pool_chart,
)


# --- gunicorn ---------------------------------------------------------------

def _gunicorn_warnings(v, r):
    warnings = []
    if r.worker_class != v["worker_class"]:
        warnings.append("Gunicorn runs the gthread worker when threads > 1 is set with the sync class; computed as gthread.")
    if r.max_workers_by_memory < r.heuristic_workers:
        warnings.append(f"Memory limits the pool to {r.max_workers_by_memory} workers, below the (2 × cores) + 1 = "
                        f"{r.heuristic_workers} start point.")
    if r.worker_class == "gevent" and v["io_wait_pct"] < workers.GEVENT_MIN_IO_WAIT_PCT:
        warnings.append("gevent helps when requests mostly wait on I/O; with mostly CPU work, the GIL binds.")
    if (r.concurrency_slots > workers.USEFUL_THREADS_PER_CORE * v["cores"] and r.bottleneck != "slots"
            and r.worker_class == "gthread"):
        warnings.append("Far more threads than the CPU can use: extra threads add memory and contention, not throughput.")
    return warnings


def _gunicorn(v):
    r = workers.gunicorn_sizing(**v)
    return r._asdict(), _gunicorn_warnings(v, r)


GUNICORN = Calculator(
    id="gunicorn",
    title="Gunicorn workers and throughput ceiling",
    summary="Workers from cores and memory, then the tightest of three ceilings: slots, the GIL, the CPU.",
    fields=(
        _int("cores", "CPU cores", 2, "Cores the container may use (its CPU limit, not the host's count).", maximum=1024),
        Field("memory_mb", "Memory for Gunicorn", "MB", "float", 2048.0, 1.0, 4_194_304.0,
              help="Memory available to the workers after the OS and other processes."),
        Field("worker_memory_mb", "Memory per worker", "MB", "float", 150.0, 1.0, 4_194_304.0,
              help="Resident memory of one worker process under load (measure RSS)."),
        Field("worker_class", "Worker class", "", "choice", "sync", choices=workers.WORKER_CLASSES,
              help="sync: one request per process; gthread: threads per process; gevent: green threads."),
        _int("threads", "Threads per worker", 1, "gthread only (Gunicorn's --threads).", maximum=1000),
        _int("worker_connections", "Connections per gevent worker", 1000, "gevent only (Gunicorn's --worker-connections).",
             maximum=100_000),
        _ms("service_time_ms", "Mean service time", 100.0, "Mean time to serve one request, I/O waits included."),
        _pct("io_wait_pct", "Time waiting on I/O", 70.0,
             "Share of the service time spent waiting on the database, HTTP calls, disk: the GIL is released then."),
    ),
    outputs=(
        Output("heuristic_workers", "(2 × cores) + 1", "workers", "int"),
        Output("max_workers_by_memory", "Workers that fit in memory", "workers", "int"),
        Output("workers", "Workers", "workers", "int"),
        Output("concurrency_slots", "Concurrency slots", "requests", "int"),
        Output("max_rps", "Throughput ceiling", "requests/s", decimals=1, none="unbounded"),
        Output("bottleneck", "Binding limit", "", "text"),
    ),
    compute=_gunicorn,
    assumptions=(
        "Workers = min((2 × cores) + 1, memory / worker memory). Ceilings by Little's law at full occupancy: "
        "slots / S; workers / S_cpu (one GIL per process); cores / S_cpu, with S_cpu = S × (1 − I/O share). "
        "Ceilings, not targets: keep well below them."
    ),
    equations=(
        "w = \\min\\!\\left(2\\,n_{\\text{cores}} + 1,\\ \\left\\lfloor \\frac{M}{m} \\right\\rfloor\\right)\\qquad S_{\\text{cpu}} = S\\,(1 - f_{\\text{io}})",
        "X_{\\max} = \\min\\!\\left(\\frac{\\text{slots}}{S},\\ \\frac{w}{S_{\\text{cpu}}},\\ \\frac{n_{\\text{cores}}}{S_{\\text{cpu}}}\\right)",
    ),
    model="perfcalc.workers.gunicorn_sizing",
)


# --- blocking-io ------------------------------------------------------------

def _blocking_io(v):
    return workers.blocking_io_capacity(**v)._asdict(), []


BLOCKING_IO = Calculator(
    id="blocking-io",
    title="What blocking I/O costs",
    summary="Throughput when workers block on I/O versus when the I/O is offloaded.",
    fields=(
        _ms("cpu_time_ms", "CPU time per request", 20.0, "Time spent running Python: templates, serialisation, logic."),
        _ms("io_wait_ms", "I/O wait per request", 180.0, "Time blocked on a database, an HTTP API, a file.",
            minimum=0.0),
        _int("workers", "Workers", 4, "Single-request workers (sync processes).", maximum=100_000),
    ),
    outputs=(
        Output("max_rps_blocking", "Ceiling, blocking", "requests/s", decimals=1),
        Output("max_rps_offloaded", "Ceiling, I/O offloaded", "requests/s", decimals=1),
        Output("capacity_lost_pct", "Capacity lost to blocking", "%", "pct", decimals=1),
    ),
    compute=_blocking_io,
    assumptions="Offloaded means the worker is free while the I/O is pending (a task queue such as Celery or RQ, or "
                "an event loop); the I/O still takes as long for the request that needs it.",
    equations=(
        "X_{\\text{blocking}} = \\frac{w}{t_{\\text{cpu}} + t_{\\text{io}}}\\qquad X_{\\text{offloaded}} = \\frac{w}{t_{\\text{cpu}}}\\qquad \\text{lost} = \\frac{t_{\\text{io}}}{t_{\\text{cpu}} + t_{\\text{io}}}",
    ),
    model="perfcalc.workers.blocking_io_capacity",
)


# --- cache ------------------------------------------------------------------

def _cache(v):
    warnings = []
    if v["hit_time_ms"] >= v["miss_time_ms"]:
        warnings.append("A hit is no faster than a miss: this cache adds latency and work; it only helps if it protects the origin.")
    return caching.cache_effect(**v)._asdict(), warnings


CACHE = Calculator(
    id="cache",
    title="Cache: latency and origin load",
    summary="Mean response time and origin traffic for a given hit ratio.",
    fields=(
        _pct("hit_ratio_pct", "Hit ratio", 80.0, "Share of requests answered from the cache."),
        _ms("hit_time_ms", "Time on a hit", 2.0, "Cache lookup and response, e.g. a Redis GET.", minimum=0.0),
        _ms("miss_time_ms", "Time on a miss", 120.0, "Full origin work plus the cache lookup and fill."),
        Field("arrival_rps", "Request rate", "requests/s", "float", 100.0, 0.0, MAX_RPS, help="Requests reaching the cache."),
    ),
    outputs=(
        Output("effective_time_ms", "Mean response time", "ms", decimals=2),
        Output("speedup", "Speed-up over no cache", "×", decimals=2, none="unbounded"),
        Output("origin_rps", "Load on the origin", "requests/s", decimals=2),
        Output("origin_load_reduction_pct", "Origin load removed", "%", "pct", decimals=1),
    ),
    compute=_cache,
    assumptions="Mean time h·t_hit + (1 − h)·t_miss; the origin sees (1 − h)·λ. Means only: misses still set the tail "
                "latency, and a cold or flushed cache sends the full load to the origin at once.",
    equations=(
        "\\bar t = h\\,t_{\\text{hit}} + (1 - h)\\,t_{\\text{miss}}\\qquad \\lambda_{\\text{origin}} = (1 - h)\\,\\lambda",
    ),
    model="perfcalc.caching.cache_effect",
)


# --- cache-size -------------------------------------------------------------

def _cache_size(v):
    warnings = []
    if v["cache_items"] >= v["catalog_items"]:
        warnings.append("The cache holds the whole catalogue: after warm-up every request hits (only cold misses remain).")
    return caching.lru_hit_ratio(**v)._asdict(), warnings


CACHE_SIZE = Calculator(
    id="cache-size",
    title="LRU hit ratio from cache size (Che approximation)",
    summary="How many requests an LRU cache of a given size serves when popularity follows Zipf's law.",
    fields=(
        _int("catalog_items", "Distinct items", 100_000, "Distinct cacheable keys (pages, objects, query results).",
             maximum=1_000_000_000),
        _int("cache_items", "Cache capacity", 5_000, "Items the cache holds (memory / item size).", maximum=1_000_000_000),
        Field("zipf_alpha", "Zipf exponent α", "", "float", 0.8, 0.0, 3.0,
              help="Popularity skew: 0 is uniform; web objects measure about 0.6–1.0."),
    ),
    outputs=(
        Output("hit_ratio_pct", "Hit ratio", "%", "pct", decimals=1),
        Output("characteristic_time", "Characteristic time", "requests", decimals=0, none="unbounded",
               help="Requests an item survives in the cache without being asked for."),
    ),
    compute=_cache_size,
    assumptions="Independent requests with fixed Zipf popularity (the independent reference model); LRU eviction; "
                "warm cache. Real traffic has temporal locality, which usually helps LRU.",
    equations=(
        "p_i = \\frac{i^{-\\alpha}}{\\sum_{j=1}^{N} j^{-\\alpha}}",
        "\\sum_{i=1}^{N} \\left(1 - e^{-p_i T}\\right) = C\\qquad h = \\sum_{i=1}^{N} p_i \\left(1 - e^{-p_i T}\\right)",
    ),
    model="perfcalc.caching.lru_hit_ratio",
    chart=charts.cache_size_chart,
)


# --- ttl-cache --------------------------------------------------------------

def _ttl_cache(v):
    return caching.ttl_cache(**v)._asdict(), []


TTL_CACHE = Calculator(
    id="ttl-cache",
    title="TTL cache: hit ratio and staleness",
    summary="Hit ratio and origin load of one key cached for a fixed time after each miss.",
    fields=(
        Field("key_rps", "Requests for the key", "requests/s", "float", 2.0, MIN_RPS, MAX_RPS,
              help="Requests per second for this one key."),
        Field("ttl_s", "TTL", "s", "float", 60.0, 0.001, 1e8,
              help="Time to live set when the value is stored (Redis SET … EX)."),
    ),
    outputs=(
        Output("hit_ratio_pct", "Hit ratio", "%", "pct", decimals=2),
        Output("origin_rps_per_key", "Origin requests for the key", "requests/s", decimals=4),
        Output("max_staleness_s", "Worst-case staleness", "s", decimals=1),
    ),
    compute=_ttl_cache,
    assumptions="Poisson requests; the timer starts on a miss and is not extended by hits; no invalidation on write, "
                "so a value can be up to one TTL old.",
    equations=(
        "h = \\frac{\\lambda T}{1 + \\lambda T}\\qquad \\lambda_{\\text{origin}} = \\frac{\\lambda}{1 + \\lambda T}",
    ),
    model="perfcalc.caching.ttl_cache",
)


# --- n-plus-one -------------------------------------------------------------

def _n_plus_one(v):
    return database.n_plus_one(**v)._asdict(), []


N_PLUS_ONE = Calculator(
    id="n-plus-one",
    title="N+1 queries",
    summary="Database time of lazy loading (1 + N queries) against eager loading.",
    fields=(
        _int("items", "Items listed", 50, "Rows on the page whose relationship is touched.", minimum=0),
        _ms("query_time_ms", "Time per query", 2.0, "One round trip: network, parse, plan, fetch."),
        _int("eager_queries", "Queries when eager", 2, "1 for joinedload, 2 for selectinload.", maximum=100),
    ),
    outputs=(
        Output("lazy_queries", "Queries, lazy", "queries", "int"),
        Output("lazy_db_time_ms", "Database time, lazy", "ms", decimals=1),
        Output("eager_db_time_ms", "Database time, eager", "ms", decimals=1),
        Output("time_saved_ms", "Time saved per page", "ms", decimals=1),
        Output("slowdown", "Lazy is slower by", "×", decimals=1),
    ),
    compute=_n_plus_one,
    assumptions="Each query costs about one round trip regardless of rows returned; true for small queries, "
                "where per-query overhead dominates. Eager queries that return far more rows cost more.",
    equations=(
        "Q_{\\text{lazy}} = 1 + n\\qquad t_{\\text{lazy}} = (1 + n)\\,q\\qquad t_{\\text{eager}} = k\\,q",
    ),
    model="perfcalc.database.n_plus_one",
)


# --- connection-pool --------------------------------------------------------

def _connection_pool(v):
    r = database.connection_pool(**v)
    warnings = []
    if not r.fits:
        warnings.append(
            f"The pools may open {r.connections_needed} connections but the database accepts "
            f"{r.connections_available}: under load, new connections fail. Shrink the pools, use fewer workers, "
            "or put PgBouncer in front."
        )
    if r.connections_needed > database.POOL_OVERSUBSCRIPTION_LIMIT * r.hikari_pool_size:
        warnings.append(
            f"More than four times the {r.hikari_pool_size} connections the database can usefully run at once: "
            "extra connections queue inside the database instead of in the pool."
        )
    return r._asdict(), warnings


CONNECTION_POOL = Calculator(
    id="connection-pool",
    title="Connection pools against max_connections",
    summary="Whether every worker's pool fits in the database's connection limit, and how many connections help.",
    fields=(
        _int("app_instances", "App instances", 2, "Servers or containers running the app.", maximum=100_000),
        _int("workers_per_instance", "Worker processes per instance", 5, "Each process has its own pool.", maximum=100_000),
        _int("pool_size_per_worker", "Pool size per worker", 15,
             "pool_size + max_overflow; SQLAlchemy's defaults are 5 + 10 = 15.", maximum=100_000),
        _int("db_max_connections", "Database max_connections", 100, "PostgreSQL's default is 100.", maximum=10_000_000),
        _int("db_reserved_connections", "Reserved connections", 3,
             "Kept for superusers and maintenance (PostgreSQL's superuser_reserved_connections, default 3).",
             minimum=0, maximum=10_000_000),
        _int("db_cores", "Database CPU cores", 4, "Cores of the database server.", maximum=10_000),
        _int("db_effective_spindles", "Effective spindles", 1,
             "Disks seeking at once; 0 when the working set is in memory.", minimum=0, maximum=10_000),
    ),
    outputs=(
        Output("connections_needed", "Connections the pools may open", "connections", "int"),
        Output("connections_available", "Connections available", "connections", "int"),
        Output("headroom", "Headroom", "connections", "int"),
        Output("fits", "Fits", "", "bool"),
        Output("hikari_pool_size", "Useful active connections (HikariCP)", "connections", "int"),
    ),
    compute=_connection_pool,
    assumptions="Every pool can fill at once (a traffic spike does exactly this). HikariCP's (cores × 2) + spindles "
                "is a starting point for total active connections, to be load-tested.",
    equations=(
        "\\text{needed} = i \\cdot w \\cdot p\\qquad \\text{available} = \\text{max\\_connections} - \\text{reserved}",
        "\\text{HikariCP} = 2\\,n_{\\text{cores}} + n_{\\text{spindles}}",
    ),
    model="perfcalc.database.connection_pool",
)


# --- session-size -----------------------------------------------------------

def _session_size(v):
    r = database.session_size(**v)
    warnings = []
    if r.over_browser_limit:
        warnings.append(f"The cookie ({r.cookie_bytes:,} bytes) exceeds the {database.BROWSER_COOKIE_LIMIT_BYTES} bytes "
                        "browsers are required to keep: it will be silently dropped. Move the data to a server-side "
                        "session.")
    return r._asdict(), warnings


SESSION_SIZE = Calculator(
    id="session-size",
    title="Session cookie size",
    summary="How big Flask's signed-cookie session gets, and what it costs to send it with every request.",
    fields=(
        _int("session_bytes", "Session data", 1500, "Size of the session as JSON.", minimum=0, maximum=10_000_000, unit="bytes"),
        Field("requests_per_month", "Requests per month", "requests", "int", 10_000_000, 0, 10**13,
              help="Requests that carry the cookie."),
    ),
    outputs=(
        Output("cookie_bytes", "Cookie size", "bytes", "int"),
        Output("over_browser_limit", "Over the 4096-byte limit", "", "bool"),
        Output("monthly_upload_gb", "Cookie upload per month", "GB", decimals=2),
    ),
    compute=_session_size,
    assumptions="Flask's default session: base64url JSON, uncompressed (worst case), plus timestamp and HMAC-SHA1 "
                "signature. Browsers must support cookies of at least 4096 bytes (RFC 6265).",
    equations=(
        "\\text{cookie} = \\left\\lceil \\tfrac{4}{3}\\,b \\right\\rceil + 43\\ \\text{bytes}\\qquad \\text{upload} = \\text{cookie} \\times N_{\\text{month}}",
    ),
    model="perfcalc.database.session_size",
)


# --- index-scan -------------------------------------------------------------

def _index_scan(v):
    return database.index_vs_scan(**v)._asdict(), []


INDEX_SCAN = Calculator(
    id="index-scan",
    title="Index lookup versus full scan",
    summary="Pages read to find one row with and without a B-tree index.",
    fields=(
        _int("rows", "Rows in the table", 1_000_000, "", maximum=MAX_COUNT),
        _int("rows_per_page", "Rows per page", 100, "8 KB pages hold roughly 50–200 typical rows.", maximum=100_000),
        _ms("page_read_ms", "Time per page read", 0.1, "0.1 ms is a fast SSD; a cached page is far less."),
        _int("fanout", "Index fan-out", 300, "Keys per index page: hundreds for short keys.", minimum=2, maximum=100_000),
    ),
    outputs=(
        Output("scan_pages", "Pages scanned", "pages", "int"),
        Output("scan_ms", "Full scan", "ms", decimals=2),
        Output("btree_levels", "B-tree levels", "levels", "int"),
        Output("index_ms", "Index lookup", "ms", decimals=2),
        Output("speedup", "Index is faster by", "×", decimals=0),
    ),
    compute=_index_scan,
    assumptions="One matching row; every page read costs the same. Sequential scans read faster than random pages, "
                "and hot pages are cached, so the real gap is smaller for small tables; EXPLAIN ANALYZE decides.",
    equations=(
        "P_{\\text{scan}} = \\left\\lceil \\frac{r}{r_{\\text{page}}} \\right\\rceil\\qquad L = \\min\\{\\ell : f^{\\ell} \\ge r\\}\\qquad t_{\\text{index}} = (L + 1)\\,t_{\\text{page}}",
    ),
    model="perfcalc.database.index_vs_scan",
)


# --- instances --------------------------------------------------------------

def _instances(v):
    return cost.instances_for_peak(**v)._asdict(), []


INSTANCES = Calculator(
    id="instances",
    title="Instances for a peak",
    summary="How many instances carry the peak at a target utilisation, with spares, and their monthly cost.",
    fields=(
        Field("peak_rps", "Peak load", "requests/s", "float", 300.0, MIN_RPS, MAX_RPS),
        Field("instance_max_rps", "Instance ceiling", "requests/s", "float", 100.0, MIN_RPS, MAX_RPS,
              help="Measured saturation throughput of one instance (from a load test)."),
        _pct("target_utilization_pct", "Target utilisation", 70.0, "Highest utilisation you accept at peak.",
             minimum=1.0),
        _int("spare_instances", "Spare instances", 1, "N+1: capacity to lose one instance or deploy.", minimum=0, maximum=10_000),
        _money("instance_cost_per_hour", "Cost per instance-hour", 0.10, "On-demand price."),
    ),
    outputs=(
        Output("instances", "Instances", "instances", "int"),
        Output("utilization_at_peak_pct", "Utilisation at peak, all serving", "%", "pct", decimals=1),
        Output("monthly_cost", "Monthly cost (730 h)", "$", "money"),
    ),
    compute=_instances,
    assumptions="Load balances evenly; instance ceiling measured, not estimated; always-on instances (autoscaling "
                "would lower the average cost but not the peak count).",
    equations=(
        "n = \\left\\lceil \\frac{X_{\\text{peak}}}{X_{\\text{instance}}\\,u} \\right\\rceil + n_{\\text{spare}}\\qquad C_{\\text{month}} = 730\\,n\\,p_{\\text{hour}}",
    ),
    model="perfcalc.cost.instances_for_peak",
)


# --- serverless-vs-vm -------------------------------------------------------

def _serverless_vs_vm(v):
    r = cost.serverless_vs_vm(**v)
    warnings = ["The VM cost assumes the VMs can carry this load; check with the capacity calculator."] if r.cheaper == "vm" else []
    return r._asdict(), warnings


SERVERLESS_VS_VM = Calculator(
    id="serverless-vs-vm",
    title="Serverless versus always-on VMs",
    summary="Monthly cost of a function-as-a-service against a fixed fleet of VMs, and where they cross.",
    fields=(
        Field("requests_per_month", "Requests per month", "requests", "int", 10_000_000, 0, 10**13),
        _ms("duration_ms", "Billed duration per request", 200.0, "Mean billed time of one invocation."),
        Field("memory_mb", "Function memory", "MB", "float", 512.0, 128.0, 10_240.0, help="Memory configured for the function."),
        Field("price_per_million_requests", "Price per million requests", "$", "float", 0.20, 0.0, 1000.0),
        Field("price_per_gb_second", "Price per GB-second", "$", "float", 0.0000166667, 0.0, 1.0),
        Field("free_requests", "Free requests per month", "requests", "float", 1_000_000.0, 0.0, 1e12),
        Field("free_gb_seconds", "Free GB-seconds per month", "GB-s", "float", 400_000.0, 0.0, 1e12),
        _money("vm_cost_per_hour", "VM cost per hour", 0.0416, "e.g. a 2-vCPU, 4 GB general-purpose VM."),
        _int("vm_count", "VMs", 2, "Always-on VMs (two for redundancy).", maximum=100_000),
    ),
    outputs=(
        Output("gb_seconds", "GB-seconds", "GB-s", decimals=0),
        Output("serverless_compute_cost", "Serverless compute", "$", "money"),
        Output("serverless_request_cost", "Serverless requests", "$", "money"),
        Output("serverless_monthly_cost", "Serverless per month", "$", "money"),
        Output("vm_monthly_cost", "VMs per month (730 h)", "$", "money"),
        Output("break_even_requests_per_month", "Break-even volume", "requests/month", "int", none="unbounded"),
        Output("cheaper", "Cheaper", "", "text"),
    ),
    compute=_serverless_vs_vm,
    assumptions="Lambda-style billing with the free tier applied; prices are inputs (check your provider's sheet). "
                "Leaves out API gateway, egress, and cold-start latency; VMs are billed 730 h a month.",
    equations=(
        "\\text{GB-s} = N\\,d\\,\\frac{m}{1024}",
        "C_{\\text{serverless}} = \\max(0,\\ \\text{GB-s} - F_{\\text{GB-s}})\\,p_{\\text{GB-s}} + \\max(0,\\ N - F_N)\\,p_N\\qquad C_{\\text{VM}} = 730\\,k\\,p_{\\text{hour}}",
    ),
    model="perfcalc.cost.serverless_vs_vm",
    chart=charts.serverless_chart,
)


# --- load-test --------------------------------------------------------------

def _load_test(v):
    return reliability.load_test(**v)._asdict(), []


LOAD_TEST = Calculator(
    id="load-test",
    title="Load test sizing",
    summary="Virtual users for a target rate in closed and open models, and the requests a run sends.",
    fields=(
        Field("target_rps", "Target rate", "requests/s", "float", 200.0, MIN_RPS, 1_000_000.0),
        _ms("response_time_ms", "Expected response time", 150.0, "Mean response time at the target rate."),
        _ms("think_time_ms", "Think time", 1000.0, "Pause between a user's requests (closed model).", minimum=0.0),
        Field("duration_s", "Duration", "s", "float", 600.0, 1.0, 31_536_000.0),
    ),
    outputs=(
        Output("virtual_users", "Virtual users, closed model", "users", "int"),
        Output("open_model_vus", "VUs in flight, open model", "users", "int"),
        Output("total_requests", "Requests in the run", "requests", "int"),
    ),
    compute=_load_test,
    assumptions="Little's law applied to the test loop; if the system slows down, a closed model offers less load "
                "(coordinated omission), so prefer an arrival-rate executor for latency tests.",
    equations=(
        "N_{\\text{closed}} = \\bigl\\lceil X\\,(R + Z) \\bigr\\rceil\\qquad N_{\\text{open}} = \\lceil X R \\rceil\\qquad \\text{requests} = X\\,D",
    ),
    model="perfcalc.reliability.load_test",
)


# --- usl-fit ----------------------------------------------------------------

def _usl_fit(v):
    points = scalability.parse_measurements(v["measurements"])
    fit = scalability.usl_fit(points)
    warnings = []
    if fit.r_squared is not None and fit.r_squared < scalability.POOR_FIT_R_SQUARED:
        warnings.append(f"The fit is poor (R² = {fit.r_squared:.3f}): more points, or steadier measurements, are needed.")
    largest_measured = max(n for n, _ in points)
    if fit.peak_concurrency is not None and fit.peak_concurrency > scalability.EXTRAPOLATION_LIMIT * largest_measured:
        warnings.append("The peak lies far beyond the measured range: an extrapolation, not a measurement.")
    return fit._asdict(), warnings


USL_FIT = Calculator(
    id="usl-fit",
    title="Fit the Universal Scalability Law",
    summary="σ, κ and λ from load-test measurements, and where throughput peaks.",
    fields=(
        Field("measurements", "Measurements (N:X)", "", "text", "1:98 2:192 4:341 8:585 16:850 32:1045 64:1032",
              help="Concurrency:throughput pairs from a load test, separated by spaces, commas or new lines.",
              max_length=20_000,
              text_rule="N:X pairs (concurrency:throughput) for at least 3 distinct concurrency levels"),
    ),
    outputs=(
        Output("sigma", "σ (contention)", "", decimals=5),
        Output("kappa", "κ (coherency)", "", decimals=7),
        Output("lambda_rps", "λ (throughput of one)", "requests/s", decimals=2),
        Output("peak_concurrency", "Peak concurrency", "clients", decimals=1, none="unbounded"),
        Output("peak_throughput_rps", "Peak throughput", "requests/s", decimals=1, none="unbounded"),
        Output("r_squared", "R²", "", decimals=4),
    ),
    compute=_usl_fit,
    assumptions="Non-linear least squares on throughput, λ free (no N = 1 point needed). Steady-state measurements "
                "at each concurrency; extrapolation far beyond the data is a guess.",
    equations=(
        "\\min_{\\sigma,\\,\\kappa,\\,\\lambda}\\ \\sum_i \\left(X_i - \\frac{\\lambda N_i}{1 + \\sigma (N_i - 1) + \\kappa N_i (N_i - 1)}\\right)^{2}",
        "R^2 = 1 - \\frac{\\sum_i (X_i - \\hat X_i)^2}{\\sum_i (X_i - \\bar X)^2}",
    ),
    model="perfcalc.scalability.usl_fit",
    chart=charts.usl_fit_chart,
)


# --- usl --------------------------------------------------------------------

def _usl(v):
    r = scalability.usl_scaling(**v)
    warnings = []
    if r.peak_concurrency is not None and v["concurrency"] > r.peak_concurrency:
        warnings.append(f"Past the peak at N = {r.peak_concurrency:.1f}: more concurrency now lowers throughput "
                        "(retrograde scaling).")
    return r._asdict(), warnings


USL = Calculator(
    id="usl",
    title="Universal Scalability Law",
    summary="Throughput at a concurrency, given contention σ, coherency κ and single-client throughput λ.",
    fields=(
        Field("sigma", "σ (contention)", "", "float", 0.05, 0.0, 1.0, help="Serialised share, 0–1."),
        Field("kappa", "κ (coherency)", "", "float", 0.0005, 0.0, 1.0, help="Crosstalk cost per pair, 0–1."),
        Field("lambda_rps", "λ (throughput of one)", "requests/s", "float", 100.0, MIN_RPS, MAX_RPS),
        Field("concurrency", "Concurrency N", "clients", "float", 32.0, 1.0, 10_000_000.0),
    ),
    outputs=(
        Output("throughput_rps", "Throughput", "requests/s", decimals=1),
        Output("efficiency_pct", "Efficiency vs linear", "%", "pct", decimals=1),
        Output("peak_concurrency", "Peak concurrency", "clients", decimals=1, none="unbounded"),
        Output("peak_throughput_rps", "Peak throughput", "requests/s", decimals=1, none="unbounded"),
    ),
    compute=_usl,
    assumptions="X(N) = λN / (1 + σ(N − 1) + κN(N − 1)); with κ = 0 it is Amdahl's law and never peaks.",
    equations=(
        "X(N) = \\frac{\\lambda N}{1 + \\sigma (N - 1) + \\kappa N (N - 1)}\\qquad N^{*} = \\sqrt{\\frac{1 - \\sigma}{\\kappa}}",
    ),
    model="perfcalc.scalability.usl_scaling",
    chart=charts.usl_chart,
)


# --- amdahl -----------------------------------------------------------------

def _amdahl(v):
    return scalability.amdahl_speedup(**v)._asdict(), []


AMDAHL = Calculator(
    id="amdahl",
    title="Amdahl's law",
    summary="The speed-up N workers give when part of the work is serial.",
    fields=(
        _pct("serial_pct", "Serial share", 5.0, "Share of the work that cannot run in parallel."),
        Field("concurrency", "Workers N", "", "float", 16.0, 1.0, 1e9),
    ),
    outputs=(
        Output("speedup", "Speed-up", "×", decimals=2),
        Output("max_speedup", "Limit for any N", "×", decimals=2, none="unbounded"),
    ),
    compute=_amdahl,
    assumptions="Fixed problem size; the parallel part divides perfectly; no coherency cost (see the USL for that).",
    equations=(
        "S(N) = \\frac{1}{s + (1 - s)/N}\\qquad S_{\\infty} = \\frac{1}{s}",
    ),
    model="perfcalc.scalability.amdahl_speedup",
)


# --- slo --------------------------------------------------------------------

def _slo(v):
    r = reliability.slo_budget(**v)
    warnings = []
    if r.burn_rate >= reliability.PAGE_BURN_RATE:
        warnings.append(f"Burn rate ≥ {reliability.PAGE_BURN_RATE:g}: the SRE Workbook's threshold to page someone now.")
    elif r.burn_rate > reliability.SUSTAINABLE_BURN_RATE:
        warnings.append("Burn rate above 1: the budget runs out before the window ends.")
    return r._asdict(), warnings


SLO = Calculator(
    id="slo",
    title="SLO error budget and burn rate",
    summary="What an availability target allows, and how fast the current error rate spends it.",
    fields=(
        Field("slo_pct", "SLO", "%", "float", 99.9, 0.0, 100.0, exclusive_maximum=True,
              help="Share of requests that must succeed, e.g. 99.9."),
        Field("window_days", "SLO window", "days", "float", 30.0, 0.01, 3660.0),
        Field("requests_per_window", "Requests in the window", "requests", "int", 10_000_000, 0, 10**13),
        _pct("error_rate_pct", "Current error rate", 0.5, "Share of requests failing now."),
        Field("alert_window_hours", "Alert window", "hours", "float", 1.0, 0.01, 87_840.0,
              help="How long the current error rate is assumed to last."),
    ),
    outputs=(
        Output("error_budget_pct", "Error budget", "%", "pct", decimals=3),
        Output("allowed_downtime_min", "Allowed full downtime", "min", decimals=1),
        Output("allowed_failed_requests", "Allowed failed requests", "requests", "int"),
        Output("burn_rate", "Burn rate", "×", decimals=2),
        Output("budget_consumed_pct", "Budget spent in the alert window", "%", "pct", decimals=2),
        Output("hours_to_exhaustion", "Budget exhausted in", "hours", decimals=1, none="unbounded"),
    ),
    compute=_slo,
    assumptions="Request-based SLO: budget = 100 − SLO; burn rate = error rate / budget. Downtime assumes total "
                "outage; a partial outage spends the budget more slowly.",
    equations=(
        "B = 100 - \\text{SLO}\\qquad \\text{burn} = \\frac{e}{B}",
        "\\text{spent} = \\text{burn} \\cdot \\frac{t_{\\text{alert}}}{t_{\\text{window}}}\\qquad t_{\\text{exhausted}} = \\frac{t_{\\text{window}}}{\\text{burn}}",
    ),
    model="perfcalc.reliability.slo_budget",
)


CALCULATORS: dict[str, Calculator] = {
    c.id: c
    for c in (
        CAPACITY, LITTLES_LAW, WORKER_POOL, GUNICORN, BLOCKING_IO, CACHE, CACHE_SIZE, TTL_CACHE, N_PLUS_ONE,
        CONNECTION_POOL, SESSION_SIZE, INDEX_SCAN, INSTANCES, SERVERLESS_VS_VM, LOAD_TEST, USL_FIT, USL, AMDAHL, SLO,
    )
}


def get(calculator_id: str) -> Calculator:
    """The calculator with this id, or a :class:`PerfcalcError` listing the ids."""
    try:
        return CALCULATORS[calculator_id]
    except (KeyError, TypeError):
        shown = calculator_id if isinstance(calculator_id, str) else repr(calculator_id)
        raise PerfcalcError(
            f"calculator must be one of {', '.join(CALCULATORS)}, got {shown[:40]!r}", "calculator"
        ) from None
