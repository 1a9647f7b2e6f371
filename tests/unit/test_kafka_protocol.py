"""kafka-python's lazily built response classes must not be built by two client threads at once."""

from __future__ import annotations

import gc
import sys
import threading

from kafka.protocol.api_header import ResponseClassRegistry

from streambase.kafka_protocol import prebuild_response_classes


def _primaries() -> list[type]:
    entries = list(ResponseClassRegistry._response_class_registry.values())
    return [entry[None] if entry._class_version is not None else entry for entry in entries]


def test_every_response_version_exists_before_any_client_asks_for_it() -> None:
    prebuild_response_classes()
    for primary in _primaries():
        wanted = set(range(primary.min_version, primary.max_version + 1))
        assert wanted <= set(primary._VERSIONS), primary.__name__


def test_registered_response_classes_survive_lookups_from_many_threads_and_a_collection() -> None:
    prebuild_response_classes()
    primaries = _primaries()

    def look_up_every_version() -> None:
        for primary in primaries:
            for version in range(primary.min_version, primary.max_version + 1):
                primary[version]

    threads = [threading.Thread(target=look_up_every_version) for _ in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # interleave the threads as finely as two clients' network threads can
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    gc.collect()
    for api_key, entry in ResponseClassRegistry._response_class_registry.items():
        assert entry.__name__, api_key  # a dead weak proxy raises ReferenceError here
