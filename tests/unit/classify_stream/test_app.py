"""The classify worker's Faust app: its own consumer loop and a monitor without per-event statistics."""

from __future__ import annotations

from pathlib import Path

from faust.types import TP

from services.classify.app import _Consumer, _Monitor, make_app
from services.classify.config import ClassifyOptions
from streambase.settings import KafkaSettings


def test_the_classify_app_delivers_with_its_own_consumer_and_monitor(tmp_path: Path) -> None:
    app = make_app(KafkaSettings(bootstrap="127.0.0.1:1"), ClassifyOptions(), tmp_path)
    assert app.transport.Consumer is _Consumer
    assert isinstance(app.monitor, _Monitor)


def test_the_monitor_still_tells_fausts_slow_processing_check_when_a_stream_last_took_an_event() -> None:
    monitor = _Monitor()
    tp = TP("newsmon.articles.raw", 2)
    state = monitor.on_stream_event_in(tp, 41, object(), object())
    monitor.on_stream_event_out(tp, 41, object(), object(), state)
    assert tp in monitor.stream_inbound_time
    assert (monitor.events_total, monitor.events_active, list(monitor.events_runtime)) == (0, 0, [])
