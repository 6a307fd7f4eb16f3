"""The fan-out path (decision 0038). core.channel_layer against the real Redis (db 13): a group message is
published once and fanned out inside the process, a socket's full queue drops its oldest message (and says
so once), and a one-off channel can be let go; Redis pub/sub ignores database numbers, so every test names
its own prefix. And a socket relays a change without channels' hop to the sync thread."""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from redis import asyncio as aioredis

from core.channel_layer import BoundedPubSubChannelLayer, DropOldestQueue
from core.consumers import LiveConsumer

REDIS_URL = os.environ.get("REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs Redis: REDIS_URL is not set")


def redis_db13() -> str:
    return urlsplit(REDIS_URL)._replace(path="/13").geturl()


def make_layer(capacity: int = 1000) -> BoundedPubSubChannelLayer:
    return BoundedPubSubChannelLayer(
        hosts=[{"address": redis_db13()}], capacity=capacity, prefix=f"test{uuid.uuid4().hex[:8]}"
    )


def run(scenario: Callable[[BoundedPubSubChannelLayer], Awaitable[None]], capacity: int = 1000) -> None:
    """Run `scenario` on a fresh layer in a loop of its own; closing the loop closes the layer's connections."""
    layer = make_layer(capacity)

    async def main() -> None:
        try:
            await asyncio.wait_for(scenario(layer), timeout=10)
        finally:
            await layer.flush()

    asyncio.run(main())


async def subscribers(channel: str) -> int:
    """How many connections Redis delivers `channel` to."""
    redis = aioredis.Redis.from_url(redis_db13())
    try:
        [(_, count)] = await redis.pubsub_numsub(channel)
        return int(count)
    finally:
        await redis.aclose()


@needs_redis
def test_a_group_message_is_published_once_and_reaches_both_sockets_of_the_process() -> None:
    async def scenario(layer: BoundedPubSubChannelLayer) -> None:
        first, second = await layer.new_channel(), await layer.new_channel()
        await layer.group_add("assessment.x", first)
        await layer.group_add("assessment.x", second)
        loop_layer = layer._get_layer()
        group_channel = loop_layer._get_group_channel_name("assessment.x")
        assert await subscribers(group_channel) == 1  # one subscription for the process, not one per socket

        shard = loop_layer._get_shard(group_channel)
        published: list[str] = []
        publish = shard.publish

        async def counting(channel: str, message: bytes) -> Any:
            published.append(channel)
            return await publish(channel, message)

        shard.publish = counting
        await layer.group_send("assessment.x", {"type": "relay", "message": {"seq": 1}})
        got = [await layer.receive(first), await layer.receive(second)]
        assert got == [{"type": "relay", "message": {"seq": 1}}] * 2
        assert published == [group_channel]

    run(scenario)


@needs_redis
def test_a_full_queue_drops_its_oldest_message_and_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario(layer: BoundedPubSubChannelLayer) -> None:
        slow, marker = await layer.new_channel(), await layer.new_channel()
        for n in range(5):
            await layer.send(slow, {"type": "relay", "n": n})
        # One connection delivers in publish order: once the marker is here, all five were queued.
        await layer.send(marker, {"type": "marker"})
        assert (await layer.receive(marker))["type"] == "marker"
        queue = layer._get_layer().channels[slow]
        assert isinstance(queue, DropOldestQueue) and queue.dropped == 2
        assert [(await layer.receive(slow))["n"] for _ in range(3)] == [2, 3, 4]  # the newest three

    with caplog.at_level(logging.WARNING, logger="core.channel_layer"):
        run(scenario, capacity=3)
    warnings = [r.getMessage() for r in caplog.records if r.name == "core.channel_layer"]
    assert len(warnings) == 1 and "over capacity (3 messages)" in warnings[0]


@needs_redis
def test_discarding_a_one_off_channel_unsubscribes_it() -> None:
    async def scenario(layer: BoundedPubSubChannelLayer) -> None:
        channel = await layer.new_channel("healthz.")
        await layer.send(channel, {"type": "healthz.ping"})
        assert await layer.receive(channel) == {"type": "healthz.ping"}
        assert await subscribers(channel) == 1
        await layer.discard_channel(channel)
        assert channel not in layer._get_layer().channels
        assert await subscribers(channel) == 0

    run(scenario)


def test_a_relay_goes_to_the_socket_without_the_hop_that_other_messages_make(monkeypatch: pytest.MonkeyPatch) -> None:
    import channels.consumer

    hops: list[str] = []

    async def hop() -> None:  # channels' close_old_connections through the one sync thread
        hops.append("hop")

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", hop)
    sent: list[dict[str, Any]] = []
    consumer = LiveConsumer()

    async def base_send(message: dict[str, Any]) -> None:
        sent.append(message)

    consumer.base_send = base_send
    consumer.group = "assessment.x"
    asyncio.run(consumer.dispatch({"type": "relay", "message": {"type": "result.updated", "seq": 7}}))
    assert sent == [{"type": "websocket.send", "text": '{"type": "result.updated", "seq": 7}'}]
    assert hops == []
    consumer.group = ""  # a frame from a socket not let in: ignored, but through channels' dispatch
    asyncio.run(consumer.dispatch({"type": "websocket.receive", "text": '{"type": "ping"}'}))
    assert hops == ["hop"]
