"""Builds kafka-python's per-version response classes once, before any client thread starts.

kafka-python 3.0 creates a class per protocol version on first use, from whichever network thread needs it,
and registers each new class by a weak reference that replaces the one before. Two clients of one process
(a consumer and a producer each run their own thread) can build the same version at once: one class is kept,
the other is only weakly registered, and after the next garbage collection every response of that API fails
to parse ("weakly-referenced object no longer exists") until the client times out. Building every version
up front, in one thread, leaves nothing to race for.
"""

from __future__ import annotations

import threading
from typing import Any

from kafka.protocol.api_header import ResponseClassRegistry

_built = False
_lock = threading.Lock()


def prebuild_response_classes() -> None:
    """Create every versioned response class now; later lookups only read the cache. Idempotent."""
    global _built
    with _lock:
        if _built:
            return
        registry = ResponseClassRegistry._response_class_registry
        primaries = [_primary(response_class) for response_class in list(registry.values())]
        for primary in primaries:
            for version in range(primary.min_version, primary.max_version + 1):
                primary[version]
        _built = True


def _primary(response_class: Any) -> Any:
    """The unversioned class behind a registry entry (an entry may already be a versioned class)."""
    versioned: bool = getattr(response_class, "_class_version", None) is not None
    return response_class[None] if versioned else response_class
