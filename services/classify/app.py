"""The Faust app of the classify service, made from settings: broker, credentials, partitions, commits.

Tables live in memory and are rebuilt from their changelog topics at start-up and after a rebalance, so no
local state directory is needed and any replica can take over any partition. Faust's own web server stays
off: `/metrics`, `/healthz` and `/readyz` are served by `streambase.health` on the service's metrics port.

The app's consumer hands fetched messages to the streams as Faust's does, except that it races each fetch's
delivery, rather than each message's, against a suspended flow (see `_Consumer`).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import faust
from faust.sensors import Monitor
from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP

from services.classify.config import ClassifyOptions
from streambase.kafka import METADATA_MAX_AGE_MS
from streambase.settings import KafkaSettings
from streambase.topics import Topics


def app_id(kafka: KafkaSettings) -> str:
    """The consumer group and table-topic prefix; replicas of one deployment share it."""
    return f"{Topics.from_settings(kafka).prefix}classify"


def broker_credentials(kafka: KafkaSettings) -> Any:
    """Faust credentials for the configured security protocol; None for PLAINTEXT."""
    protocol = kafka.security_protocol
    context = ssl.create_default_context() if protocol in ("SSL", "SASL_SSL") else None
    if protocol.startswith("SASL"):
        password = kafka.sasl_password.get_secret_value() if kafka.sasl_password else None
        return faust.SASLCredentials(
            username=kafka.sasl_username,
            password=password,
            mechanism=kafka.sasl_mechanism or "PLAIN",
            ssl_context=context,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None


def make_app(
    kafka: KafkaSettings, options: ClassifyOptions, state_dir: Path, identifier: str | None = None
) -> faust.App:
    """A Faust app that waits for every in-sync replica and commits at the configured interval.

    Faust keeps a data directory even with in-memory tables; it goes under newsmon's state directory
    rather than the working directory.
    """
    name = identifier or app_id(kafka)
    datadir = state_dir / "classify" / name
    datadir.mkdir(parents=True, exist_ok=True)
    return _App(
        name,
        Monitor=_Monitor,
        datadir=str(datadir),
        broker=[f"kafka://{server}" for server in kafka.bootstrap_servers],
        broker_credentials=broker_credentials(kafka),
        store="memory://",
        web_enabled=False,
        autodiscover=False,
        topic_partitions=kafka.partitions,
        topic_replication_factor=kafka.replication_factor,
        topic_allow_declare=True,
        producer_acks=-1,
        producer_compression_type=None if kafka.compression == "none" else kafka.compression,
        producer_linger=0.005,
        producer_max_batch_size=512 * 1024,
        broker_commit_interval=options.commit_interval.total_seconds(),
        broker_commit_every=10_000,
        broker_session_timeout=30.0,  # a crashed replica's partitions move on within 30 s, not 60
        consumer_auto_offset_reset="earliest",
        consumer_metadata_max_age_ms=METADATA_MAX_AGE_MS,
        stream_buffer_maxsize=max(4096, options.batch_size * 2),
        table_standby_replicas=0,
    )


Delivered = tuple[TP, Any]
"""(partition, faust Message) as the consumer's `getmany` yields them."""


class _Consumer(faust_aiokafka.Consumer):
    """Faust's aiokafka consumer with a cheaper loop from fetched records to the streams.

    Faust's loop races every message's delivery against a suspended flow (a rebalance) and a stopping or
    crashed consumer: four tasks and an `asyncio.wait` per message, about half the CPU a pass-through
    worker spends. This loop races each fetch's delivery as one task instead. What a suspended flow
    interrupts is the same (the message being delivered, and with it the rest of the fetch, which Faust's
    fetch iterator would drop too once the flow is suspended), a message is marked read before it is
    delivered (Faust marks it after delivery or interruption), and commits every `broker_commit_every`
    acks are checked once per fetch, outside the race, so none is cancelled half-way.
    """

    async def _drain_messages(self, fetcher: Any) -> None:
        consumer_stopped, fetcher_stopped = self._stopped.is_set, fetcher._stopped.is_set
        try:
            while not (consumer_stopped() or fetcher_stopped()):
                self.diag.set_flag(CONSUMER_FETCHING)
                fetched = cast(AsyncIterator[Delivered], self.getmany(timeout=1.0))
                await self.sleep(0)  # getmany may return at once, time after time
                first = None if self.should_stop else await anext(fetched, None)
                if first is not None:
                    await self._commit_if_due()
                    await self.wait_first(self._deliver(first, fetched), self.suspend_flow.wait())
                self.diag.unset_flag(CONSUMER_FETCHING)
        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                return
            raise
        except asyncio.CancelledError:
            if self.transport.app.should_stop:
                return
            raise
        except Exception as exc:
            self.log.exception("Drain messages raised: %r", exc)
            raise
        finally:
            self.diag.unset_flag(CONSUMER_FETCHING)

    async def _commit_if_due(self) -> None:
        if self._commit_every is not None and self._n_acked >= self._commit_every:
            self._n_acked = 0
            await self.commit()

    async def _deliver(self, first: Delivered, rest: AsyncIterator[Delivered]) -> None:
        """Pass one fetch's messages to the streams, in order, yielding to the loop every 100."""
        await self._deliver_one(*first)
        since_yield = 1
        async for tp, message in rest:
            since_yield += 1
            if since_yield > 100:
                await asyncio.sleep(0)
                since_yield = 0
            await self._deliver_one(tp, message)

    async def _deliver_one(self, tp: TP, message: Any) -> None:
        """Faust's per-message step: skip what is behind the read offset, note gaps, call back."""
        offset = message.offset
        read = self._read_offset[tp]
        if read is not None and offset < read:
            return  # behind a seek's position: Faust drops these too
        if read and offset - read > 1 and self.app.topics.acks_enabled_for(message.topic):
            await self._add_gap(tp, read + 1, offset)
        self._read_offset[tp] = offset
        await self.callback(message)


class _Transport(faust_aiokafka.Transport):
    Consumer = _Consumer


class _Monitor(Monitor):
    """Faust's monitor without its per-message and per-event statistics, which nothing here reads (newsmon
    has its own metrics), except when a stream last took an event: Faust's slow-processing warnings ask."""

    def on_message_in(self, tp: TP, offset: int, message: Any) -> None:
        pass

    def on_stream_event_in(self, tp: TP, offset: int, stream: Any, event: Any) -> dict[str, Any] | None:
        self.stream_inbound_time[tp] = time.monotonic()
        return None

    def on_stream_event_out(self, tp: TP, offset: int, stream: Any, event: Any, state: Any = None) -> None:
        pass

    def on_message_out(self, tp: TP, offset: int, message: Any) -> None:
        pass


class _App(faust.App):
    """A Faust app whose consumer is `_Consumer` and whose monitor is `_Monitor`; the rest is Faust's own."""

    def _new_transport(self) -> Any:
        return _Transport(self.conf.broker_consumer, self)
