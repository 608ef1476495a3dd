"""The calculator catalogue: every calculator declared once, as data.

One module per topic, mirroring the model modules: each declares its
calculators' fields (with unit, bounds, default and help), outputs (with unit
and format), assumptions, equations, the model function itself, and a small
function that words the warnings. The form in the browser, the CLI flags,
validation, the pre-rendered results and the model reference all come from
these declarations. :mod:`.fields` holds the helpers and bounds they share.

Defaults describe a small Flask deployment: a couple of 2-core VMs running
Gunicorn, PostgreSQL behind them, a few million requests a month.
"""

from __future__ import annotations

from ..spec import Calculator, PerfcalcError
from .caching import CACHE, CACHE_SIZE, TTL_CACHE
from .cost import CAPACITY, INSTANCES, SERVERLESS_VS_VM
from .database import CONNECTION_POOL, INDEX_SCAN, N_PLUS_ONE, SESSION_SIZE
from .distributed import FAN_OUT, RETRIES
from .networks import MVA, STACK
from .queueing import BACKGROUND_JOBS, LITTLES_LAW, WORKER_POOL
from .reliability import LOAD_TEST, SLO
from .scalability import AMDAHL, USL, USL_FIT
from .simulation import SIMULATE
from .workers import BLOCKING_IO, GUNICORN

__all__ = ["CALCULATORS", "get"]

# In the order the CLI lists them and the model reference shows them.
CALCULATORS: dict[str, Calculator] = {
    c.id: c
    for c in (
        CAPACITY, LITTLES_LAW, WORKER_POOL, SIMULATE, BACKGROUND_JOBS, MVA, STACK, GUNICORN, BLOCKING_IO, CACHE, CACHE_SIZE,
        TTL_CACHE, N_PLUS_ONE,
        CONNECTION_POOL, SESSION_SIZE, INDEX_SCAN, INSTANCES, SERVERLESS_VS_VM, LOAD_TEST, USL_FIT, USL, AMDAHL, SLO,
        FAN_OUT, RETRIES,
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
