"""Acknowledge links: a signed, expiring, single-use token naming one situation. Pure: time, secret and
nonce are passed in; which nonces were used already is asked of the caller.

A token is 37 bytes, URL-safe base64 without padding (50 characters): a version byte, the expiry (unix
seconds, 4 bytes), a random nonce (8 bytes), the situation (the alert fingerprint, 8 bytes) and the first
16 bytes of an HMAC-SHA256 over everything before it. Whoever holds the secret can make links; anyone else
can only copy one. A refusal says why for metrics (`reason`), but what a person is shown is only
`REFUSED`, whichever it was: a forger learns nothing from the answer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

VERSION = 1
NONCE_BYTES = 8
SITUATION_BYTES = 8
MAC_BYTES = 16
_HEAD = struct.Struct(">BI")
TOKEN_BYTES = _HEAD.size + NONCE_BYTES + SITUATION_BYTES + MAC_BYTES
SITUATION = re.compile(r"^[0-9a-f]{16}$")
"""What a situation looks like: the 16 hex digits of `fingerprint.fingerprint`."""
REFUSED = "invalid or expired link"
"""The only thing a refused link is told."""
MIN_SECRET = 16
"""Characters a secret needs at least; `openssl rand -hex 32` gives 64."""

RefusalReason = Literal["malformed", "forged", "expired", "replayed"]
REFUSAL_REASONS: tuple[RefusalReason, ...] = ("malformed", "forged", "expired", "replayed")


@dataclass(frozen=True)
class Claim:
    """What a valid token says: acknowledging `situation` is allowed until `expires_at`, once."""

    situation: str
    nonce: str
    expires_at: datetime


@dataclass(frozen=True)
class Refusal:
    reason: RefusalReason

    @property
    def message(self) -> str:
        return REFUSED


def _mac(secret: bytes, signed: bytes) -> bytes:
    return hmac.new(secret, signed, hashlib.sha256).digest()[:MAC_BYTES]


def issue(secret: bytes, situation: str, nonce: bytes, now: datetime, valid_for: timedelta) -> str:
    """A token for `situation`, valid from `now` for `valid_for`. `nonce` comes from the caller (random)."""
    if not SITUATION.match(situation):
        raise ValueError(f"not a situation id: {situation!r}")
    if len(nonce) != NONCE_BYTES:
        raise ValueError(f"the nonce must be {NONCE_BYTES} bytes")
    expires = int((now + valid_for).timestamp())
    signed = _HEAD.pack(VERSION, expires) + nonce + bytes.fromhex(situation)
    return base64.urlsafe_b64encode(signed + _mac(secret, signed)).rstrip(b"=").decode("ascii")


def read(secret: bytes, token: str, now: datetime, used: Callable[[str, str], bool]) -> Claim | Refusal:
    """The claim of a token that is well-formed, signed with `secret`, not expired at `now`, and whose
    nonce `used(situation, nonce)` does not know yet; otherwise why not."""
    raw = _decode(token)
    if raw is None:
        return Refusal("malformed")
    signed, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
    if not hmac.compare_digest(mac, _mac(secret, signed)):
        return Refusal("forged")
    version, expires = _HEAD.unpack_from(signed)
    if version != VERSION:
        return Refusal("malformed")
    nonce = signed[_HEAD.size : _HEAD.size + NONCE_BYTES].hex()
    situation = signed[_HEAD.size + NONCE_BYTES :].hex()
    expires_at = datetime.fromtimestamp(expires, UTC)
    if now >= expires_at:
        return Refusal("expired")
    if used(situation, nonce):
        return Refusal("replayed")
    return Claim(situation, nonce, expires_at)


def _decode(token: str) -> bytes | None:
    if len(token) > 2 * TOKEN_BYTES or not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == TOKEN_BYTES else None
