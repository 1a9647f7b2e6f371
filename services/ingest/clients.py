"""Closing Kafka clients during shutdown without letting a slow or absent broker turn it into a crash."""

from __future__ import annotations

import logging
import socket
from typing import Any

log = logging.getLogger(__name__)


def close_quietly(client: Any, what: str, **kwargs: Any) -> None:
    """Close `client`; kafka-python may raise when it cannot flush or leave a group in time."""
    try:
        client.close(**kwargs)
    except Exception as exc:
        log.warning("closing the %s did not finish cleanly: %s", what, exc)


def reachable(servers: list[str], timeout: float = 3.0) -> bool:
    """Whether any bootstrap server accepts a TCP connection; checked before clients that block for long."""
    for server in servers:
        host, _, port = server.rpartition(":")
        try:
            with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=timeout):
                return True
        except (OSError, ValueError):
            continue
    return False
