"""The project's settings with the candidate fixes the benchmark can measure, without touching config/.

BENCH_DB_CONN: `app` (unchanged: persistent connections, CONN_MAX_AGE 60 from config/env.py),
`close` (CONN_MAX_AGE 0: one connection per request) or `pool` (CONN_MAX_AGE 0 and Django's
psycopg pool, which needs the psycopg-pool package).
BENCH_REDIS_SOCKET_TIMEOUT: when set, the channel layer's Redis connections get this read timeout
in seconds instead of redis-py 8's default of 5 s, which is the same as channels-redis's 5 s
blocking pop and so ends every socket that hears nothing for 5 s.
BENCH_CHANNEL_LAYER: when set, the Redis channel layer's backend (`core` for channels-redis's
RedisChannelLayer, `bounded` for core.channel_layer.BoundedPubSubChannelLayer), to compare the two
(docs/decisions/0038-fan-out-per-process.md).
Used only by bench/assessment_bench.py.
"""

from __future__ import annotations

import os
from typing import Any

from config.settings import *  # noqa: F403
from config.settings import CHANNEL_LAYERS, DATABASES, REDIS_URL

BENCH_DB_CONN = os.environ.get("BENCH_DB_CONN", "app")
POOL_MAX_SIZE = int(os.environ.get("BENCH_POOL_MAX_SIZE", "8"))

if BENCH_DB_CONN not in ("app", "close", "pool"):
    raise ValueError(f"BENCH_DB_CONN={BENCH_DB_CONN!r}: use app, close or pool")
_default: dict[str, Any] = DATABASES["default"]
if BENCH_DB_CONN in ("close", "pool"):
    _default["CONN_MAX_AGE"] = 0
if BENCH_DB_CONN == "pool":
    pool = {"min_size": 2, "max_size": POOL_MAX_SIZE, "timeout": 10}
    _default["OPTIONS"] = {**_default.get("OPTIONS", {}), "pool": pool}

_socket_timeout = os.environ.get("BENCH_REDIS_SOCKET_TIMEOUT", "")
if _socket_timeout and REDIS_URL:
    _layer: dict[str, Any] = CHANNEL_LAYERS["default"]
    _layer["CONFIG"] = {**_layer["CONFIG"], "hosts": [{"address": REDIS_URL, "socket_timeout": float(_socket_timeout)}]}

_LAYERS = {"core": "channels_redis.core.RedisChannelLayer", "bounded": "core.channel_layer.BoundedPubSubChannelLayer"}
_channel_layer = os.environ.get("BENCH_CHANNEL_LAYER", "")
if _channel_layer and REDIS_URL:
    CHANNEL_LAYERS["default"]["BACKEND"] = _LAYERS[_channel_layer]
