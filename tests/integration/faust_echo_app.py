"""A trivial Faust app for the foundation test: validates raw articles and echoes their ids.

Configured from the environment because the test runs it as a real `faust worker` process.
"""

from __future__ import annotations

import os

import faust

from schemas import InvalidMessage, RawArticle, decode

app = faust.App(
    os.environ["ECHO_APP_ID"],
    broker=f"kafka://{os.environ['ECHO_BOOTSTRAP']}",
    store="memory://",
    datadir=os.environ["ECHO_DATADIR"],
    web_enabled=False,
    topic_partitions=3,
)
source = app.topic(os.environ["ECHO_SOURCE"], value_type=bytes, value_serializer="raw")
sink = app.topic(os.environ["ECHO_SINK"], value_type=bytes, value_serializer="raw")


@app.agent(source)
async def echo(stream: faust.StreamT[bytes]) -> None:
    async for value in stream:
        try:
            article = decode(RawArticle, value)
        except InvalidMessage as exc:
            await sink.send(key=b"invalid", value=exc.reason.encode())
            continue
        await sink.send(key=article.id.encode(), value=article.title.encode())
