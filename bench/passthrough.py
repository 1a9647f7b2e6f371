"""A bare pass-through Faust worker: the ceiling the stream runtime allows the classify worker.

It runs the classify service's own Faust app (`services/classify/app.py`: same consumer, producer, acks,
compression and commit settings) with one agent that reads the articles topic in the same batches as the
classify agent and produces each message's bytes, under its key, to OUTPUT_ROLE, through the same batch
sender; it lets Faust ack a batch only once the broker acknowledged all of it. No decoding, no table, no
metrics: what is left is what consuming and producing cost.

    NEWSMON_KAFKA_TOPIC_PREFIX=bench-x. python -m bench.passthrough   # the bench starts it; SIGTERM stops it
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import faust

from services.classify.agents import raw_topic
from services.classify.app import make_app
from services.classify.config import ClassifyOptions
from services.classify.produce import BatchSender, Record
from services.classify.worker import run_worker
from streambase.settings import KafkaSettings
from streambase.topics import Topics

OUTPUT_ROLE = "passthrough.out"
"""The output topic's name after the deployment's prefix; the bench creates it with the pipeline's topics."""


def build(kafka: KafkaSettings, options: ClassifyOptions, state_dir: Path) -> faust.App:
    """The classify app's configuration under a group of its own, with the one pass-through agent."""
    topics = Topics.from_settings(kafka)
    app = make_app(kafka, options, state_dir, identifier=f"{topics.prefix}passthrough")
    source = raw_topic(app, topics.articles)
    sender = BatchSender(app)
    output = topics.prefix + OUTPUT_ROLE

    async def forward(events: Sequence[faust.types.EventT[Any]]) -> None:
        records = [Record(output, e.message.key, e.message.value) for e in events]
        await asyncio.gather(*await sender.send(records))

    async def agent(stream: Any) -> None:  # a faust.Stream; its stubs lack take_events
        async for events in stream.take_events(options.batch_size, within=options.batch_wait.total_seconds()):
            await forward(events)

    app.agent(source, name="passthrough")(agent)
    return app


def main() -> None:
    logging.basicConfig(level=os.environ.get("NEWSMON_LOG_LEVEL", "WARNING"))
    with tempfile.TemporaryDirectory(prefix="passthrough-") as state:
        run_worker(build(KafkaSettings(), ClassifyOptions(), Path(state)))


if __name__ == "__main__":
    main()
