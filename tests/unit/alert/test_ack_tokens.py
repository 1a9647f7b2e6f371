"""Acknowledge link tokens: a valid one is read back; a forged, tampered, expired, replayed or malformed one
is refused, and every refusal says the same thing."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from services.alert.ack_tokens import REFUSED, TOKEN_BYTES, Claim, Refusal, issue, read
from tests.unit.alert.factories import T0

SECRET = b"a-secret-of-thirty-two-characters"
SITUATION = "3f1c2a9b8d7e6f50"
NONCE = bytes.fromhex("0011223344556677")
WEEK = timedelta(days=7)


def never_used(_situation: str, _nonce: str) -> bool:
    return False


def test_a_token_names_its_situation_nonce_and_expiry_and_is_short_and_url_safe() -> None:
    token = issue(SECRET, SITUATION, NONCE, T0, WEEK)
    assert len(token) == 50
    assert token.replace("-", "").replace("_", "").isalnum()
    claim = read(SECRET, token, T0 + timedelta(days=6), never_used)
    assert claim == Claim(SITUATION, NONCE.hex(), T0 + WEEK)


def test_a_token_signed_with_another_secret_is_refused_as_forged() -> None:
    token = issue(b"another-secret-entirely-0123456", SITUATION, NONCE, T0, WEEK)
    assert read(SECRET, token, T0, never_used) == Refusal("forged")


def test_a_made_up_token_of_the_right_length_is_refused_as_forged() -> None:
    assert read(SECRET, "A" * 50, T0, never_used) == Refusal("forged")


def test_a_token_whose_situation_was_changed_is_refused_as_forged() -> None:
    raw = bytearray(base64.urlsafe_b64decode(issue(SECRET, SITUATION, NONCE, T0, WEEK) + "=="))
    raw[13:21] = bytes.fromhex("ffffffffffffffff")  # the situation's bytes, after version, expiry and nonce
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    assert read(SECRET, tampered, T0, never_used) == Refusal("forged")


def test_a_token_whose_expiry_was_pushed_back_is_refused_as_forged() -> None:
    raw = bytearray(base64.urlsafe_b64decode(issue(SECRET, SITUATION, NONCE, T0, WEEK) + "=="))
    raw[1:5] = (2**32 - 1).to_bytes(4, "big")
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    assert read(SECRET, tampered, T0, never_used) == Refusal("forged")


def test_a_token_past_its_expiry_is_refused_as_expired() -> None:
    token = issue(SECRET, SITUATION, NONCE, T0, WEEK)
    assert read(SECRET, token, T0 + WEEK, never_used) == Refusal("expired")
    assert isinstance(read(SECRET, token, T0 + WEEK - timedelta(seconds=1), never_used), Claim)


def test_a_token_whose_nonce_was_used_is_refused_as_replayed() -> None:
    token = issue(SECRET, SITUATION, NONCE, T0, WEEK)
    used = {(SITUATION, NONCE.hex())}
    assert read(SECRET, token, T0, lambda s, n: (s, n) in used) == Refusal("replayed")
    other = issue(SECRET, SITUATION, bytes(8), T0, WEEK)
    assert isinstance(read(SECRET, other, T0, lambda s, n: (s, n) in used), Claim)


@pytest.mark.parametrize(
    "token",
    ["", "x", "not a token!", "A" * 49, "A" * 51, "A" * 200, "%2e%2e", "../metrics"],
)
def test_what_is_not_a_token_is_refused_as_malformed(token: str) -> None:
    assert read(SECRET, token, T0, never_used) == Refusal("malformed")


def test_every_refusal_says_only_invalid_or_expired_link() -> None:
    assert {Refusal(r).message for r in ("malformed", "forged", "expired", "replayed")} == {REFUSED}
    assert REFUSED == "invalid or expired link"


def test_a_token_has_the_documented_length() -> None:
    assert TOKEN_BYTES == 37
    with pytest.raises(ValueError, match="not a situation"):
        issue(SECRET, "test", NONCE, T0, WEEK)
