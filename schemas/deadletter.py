"""What a service writes to the dead-letter topic when a message cannot be processed."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.common import AwareDatetime, Message


class DeadLetter(Message):
    schema_version: Literal[1] = 1
    service: str
    topic: str
    partition: int = Field(ge=0)
    offset: int = Field(ge=0)
    key: str | None = None
    reason: str = Field(description="Short machine-readable cause, e.g. 'invalid_json', 'schema'")
    error: str = Field(description="What was wrong, for a person")
    payload: str = Field(description="The original value, decoded as UTF-8 with replacement, truncated")
    failed_at: AwareDatetime
