"""Closing Kafka clients during shutdown without letting a slow or absent broker turn it into a crash."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def close_quietly(client: Any, what: str, **kwargs: Any) -> None:
    """Close `client`; kafka-python may raise when it cannot flush or leave a group in time."""
    try:
        client.close(**kwargs)
    except Exception as exc:
        log.warning("closing the %s did not finish cleanly: %s", what, exc)
