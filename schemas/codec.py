"""The one place where messages become bytes and bytes become messages."""

from __future__ import annotations

from typing import TypeVar

from pydantic import ValidationError

from schemas.common import Message

M = TypeVar("M", bound=Message)

MAX_DEAD_LETTER_PAYLOAD = 64 * 1024


class InvalidMessage(ValueError):
    """A message that cannot be decoded into its schema. `reason` is short and fit for a metric label."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def encode(message: Message) -> bytes:
    return message.model_dump_json().encode("utf-8")


def decode(model: type[M], data: bytes | None) -> M:
    """Validate `data` as `model`; raise InvalidMessage with the reason otherwise."""
    if data is None:
        raise InvalidMessage("empty", "the message has no value (tombstone)")
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        raise InvalidMessage(_reason(exc), _describe(exc)) from None


def _reason(exc: ValidationError) -> str:
    kinds = {e["type"] for e in exc.errors()}
    if kinds & {"json_invalid", "json_type"}:
        return "invalid_json"
    if any(k.startswith("literal") for k in kinds) and any(
        e["loc"] and e["loc"][0] == "schema_version" for e in exc.errors()
    ):
        return "unsupported_schema_version"
    return "schema"


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(part) for part in error["loc"]) or "message"
        problems.append(f"{where}: {error['msg']}")
    more = exc.error_count() - len(problems)
    return "; ".join(problems) + (f" (+{more} more)" if more > 0 else "")


def payload_preview(data: bytes | None) -> str:
    """The payload as text a person can read in a dead letter, bounded in size."""
    if data is None:
        return ""
    return data[:MAX_DEAD_LETTER_PAYLOAD].decode("utf-8", errors="replace")
