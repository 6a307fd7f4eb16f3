"""GET /healthz: whether the database, the Celery broker and the channel layer answer."""

from __future__ import annotations

import asyncio

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _broker() -> str:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def _channel_layer() -> str:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")

    async def round_trip() -> dict[str, object]:
        # A channel of this process, so that it listens before the send: the pub/sub layer only delivers
        # to subscribers (core/channel_layer.py), and it is dropped afterwards (one subscription per check).
        channel = await layer.new_channel("healthz.")
        try:
            await layer.send(channel, {"type": "healthz.ping"})
            return await asyncio.wait_for(layer.receive(channel), timeout=2)
        finally:
            discard = getattr(layer, "discard_channel", None)
            if discard is not None:
                await discard(channel)

    message = async_to_sync(round_trip)()
    if message.get("type") != "healthz.ping":
        raise RuntimeError("channel layer returned a different message")
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database, "broker": _broker, "channel_layer": _channel_layer}
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure is the answer here
            results[name] = f"error: {type(exc).__name__}: {exc}"[:300]
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503)
