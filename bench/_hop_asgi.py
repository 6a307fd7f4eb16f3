"""The project's ASGI application with channels' per-message hop put back before each relay, for the
benchmark's A/B (`--compare-layers`): core.consumers.LiveConsumer.dispatch skips the hop to the process's
one sync thread (close_old_connections) that channels' dispatch makes for every message; this measures
what skipping it saves (docs/decisions/0038-fan-out-per-process.md). Used only by bench/assessment_bench.py.
"""

from __future__ import annotations

from typing import Any

from channels.db import aclose_old_connections

from config.asgi import application
from core.consumers import LiveConsumer

_relay = LiveConsumer.relay


async def _relay_after_hop(self: LiveConsumer, event: dict[str, Any]) -> None:
    await aclose_old_connections()
    await _relay(self, event)


LiveConsumer.relay = _relay_after_hop  # type: ignore[method-assign]

__all__ = ["application"]
