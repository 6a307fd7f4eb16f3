"""The project's settings with the database connection handling the benchmark is asked to try.

BENCH_DB_CONN picks it: `app` (unchanged: persistent connections, CONN_MAX_AGE 60 from
config/env.py), `close` (CONN_MAX_AGE 0: one connection per request) or `pool` (CONN_MAX_AGE 0
and Django's psycopg pool, which needs the psycopg-pool package). Used only by
bench/assessment_bench.py, so that a candidate fix can be measured without touching config/.
"""

from __future__ import annotations

import os
from typing import Any

from config.settings import *  # noqa: F403
from config.settings import DATABASES

BENCH_DB_CONN = os.environ.get("BENCH_DB_CONN", "app")
POOL_MAX_SIZE = int(os.environ.get("BENCH_POOL_MAX_SIZE", "8"))

_default: dict[str, Any] = DATABASES["default"]
if BENCH_DB_CONN in ("close", "pool"):
    _default["CONN_MAX_AGE"] = 0
if BENCH_DB_CONN == "pool":
    _default["OPTIONS"] = {**_default.get("OPTIONS", {}), "pool": {"min_size": 2, "max_size": POOL_MAX_SIZE, "timeout": 10}}
elif BENCH_DB_CONN != "app":
    raise ValueError(f"BENCH_DB_CONN={BENCH_DB_CONN!r}: use app, close or pool")
