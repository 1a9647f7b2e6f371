"""Every codec the settings offer can be written and read by both Kafka clients newsmon runs."""

from __future__ import annotations

import typing

import aiokafka.codec
import kafka.codec
import pytest

from streambase.settings import KafkaSettings

CODECS = [c for c in typing.get_args(KafkaSettings.model_fields["compression"].annotation) if c != "none"]


def test_the_default_codec_is_zstd() -> None:
    assert KafkaSettings().compression == "zstd"


@pytest.mark.parametrize("codec", CODECS)
def test_each_offered_codec_round_trips_in_kafka_python_and_aiokafka(codec: str) -> None:
    payload = b'{"id": "a1", "title": "Artillery pounded positions overnight"}' * 50
    for client in (kafka.codec, aiokafka.codec):
        assert getattr(client, f"has_{codec}")(), f"{client.__name__} cannot use {codec}"
        for writer in (kafka.codec, aiokafka.codec):
            encoded = getattr(writer, f"{codec}_encode")(payload)
            assert getattr(client, f"{codec}_decode")(encoded) == payload
