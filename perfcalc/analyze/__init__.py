"""Your own measurements in, a capacity answer out: load-test results and access logs.

Reads, streaming and with bounded memory, the files load generators and
servers write — k6 (JSON lines, summary JSON), Locust (``--csv`` stats and
history), JMeter (CSV results), nginx and Gunicorn access logs — and
answers with throughput and error rate over time, exact latency
percentiles from raw samples (and, from pre-aggregated files, what they
state and what they cannot tell), requests in flight by Little's law, per
endpoint figures, the steady state, the load steps of a step test as
``N:X`` points for ``usl-fit``, and inputs for the calculators.

The same code runs natively and in the browser's worker; the file never
leaves the machine it is read on.

>>> from perfcalc.analyze import analyze_bytes
>>> log = "".join(
...     f'10.0.0.1 - - [10/Oct/2024:13:55:{s:02d} +0000] "GET /health HTTP/1.1" 200 2 "-" "curl" 0.0{10 + s % 5}\\n'
...     for s in range(20))
>>> summary = analyze_bytes(log, "access.log")
>>> summary.requests, summary.throughput_rps, summary.latency.p99_ms, summary.calculator_inputs["worker-pool"]
(20, 1.0, 14.0, {'arrival_rps': 1.0, 'service_time_ms': 12.0})
"""

from .analyzer import MAX_REJECTED_SHOWN, READ_CHUNK_BYTES, Analyzer, Progress, analyze_bytes, analyze_path
from .detect import FORMATS
from .report import summary_table
from .summary import Charts, EndpointStats, Latency, LineCounts, Rejected, Step, Summary, Window

__all__ = [
    "FORMATS",
    "MAX_REJECTED_SHOWN",
    "READ_CHUNK_BYTES",
    "Analyzer",
    "Charts",
    "EndpointStats",
    "Latency",
    "LineCounts",
    "Progress",
    "Rejected",
    "Step",
    "Summary",
    "Window",
    "analyze_bytes",
    "analyze_path",
    "summary_table",
]
