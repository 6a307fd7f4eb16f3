"""The Redis channel layer of the web processes: one publish per group message, fanned out inside each
process, with a bounded queue per socket (docs/decisions/0038-fan-out-per-process.md).

channels-redis's core layer writes a group message into one Redis list per member socket, and every
process pops its sockets' copies one by one: a change on an assessment with 100 sockets open costs 100
Redis writes and 100 reads. Its pub/sub layer publishes once; Redis hands the message to each subscribed
process once, and the process puts it in the queue of each of its own sockets. But those queues are
unbounded, so a socket that stops reading (a stalled browser, a saturated server) grows the process's
memory without limit. Here each queue holds at most `capacity` messages and, when full, drops the OLDEST:
a browser then sees a gap in the assessment's sequence numbers and catches up through the changes
endpoint (docs/live-protocol.md), so the newest state always wins and nothing piles up.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer
from channels_redis.utils import _wrap_close

logger = logging.getLogger(__name__)

DEFAULT_CAPACITY = 1000


class DropOldestQueue(asyncio.Queue[Any]):
    """A socket's queue of layer messages: when full, the oldest message makes room for the new one.

    The layer's receiver task calls `put_nowait` for every message; the stock queue would raise
    QueueFull at capacity (and the receiver would log and lose the new one, the one that matters)."""

    def __init__(self, maxsize: int, channel: str) -> None:
        super().__init__(maxsize)
        self.channel = channel
        self.dropped = 0

    def put_nowait(self, item: Any) -> None:
        if self.full():
            self.get_nowait()
            self.dropped += 1
            if self.dropped == 1:  # once per socket: a slow reader would otherwise flood the log
                logger.warning(
                    "channel %s over capacity (%d messages): dropping its oldest; the browser catches up by seq",
                    self.channel,
                    self.maxsize,
                )
        super().put_nowait(item)


class BoundedPubSubLoopLayer(RedisPubSubLoopLayer):
    """channels-redis's per-event-loop pub/sub layer, with `DropOldestQueue`s for its channels."""

    def __init__(self, *args: Any, capacity: int = DEFAULT_CAPACITY, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.capacity = capacity

    async def _subscribe_to_channel(self, channel: str) -> None:
        self.channels[channel] = DropOldestQueue(self.capacity, channel)
        await self._get_shard(channel).subscribe(channel)

    async def discard_channel(self, channel: str) -> None:
        """Unsubscribe from a channel of this process and drop its queue. A socket's channel goes when its
        receive is cancelled at disconnect; a one-off such as the health check's round trip has no such
        end and would otherwise stay subscribed for the life of the process."""
        if self.channels.pop(channel, None) is not None:
            await self._get_shard(channel).unsubscribe(channel)


class BoundedPubSubChannelLayer(RedisPubSubChannelLayer):
    """CHANNEL_LAYERS backend: RedisPubSubChannelLayer whose loop layers bound their queues.
    CONFIG takes the pub/sub layer's options plus `capacity` (messages per socket, default 1,000)."""

    def _get_layer(self) -> BoundedPubSubLoopLayer:
        loop = asyncio.get_running_loop()
        layer: BoundedPubSubLoopLayer | None = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = BoundedPubSubLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)  # the loop's connections close with it (async_to_sync's short-lived loops)
        return layer
