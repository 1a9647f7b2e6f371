from __future__ import annotations

from datetime import timedelta

import pytest

from schemas import Severity
from services.alert.config import AlertingOptions, Route
from services.alert.routing import Router, RoutingError
from services.alert.silences import SilenceStore, expired, new_silence, parse_matchers
from tests.unit.alert.factories import T0

LABELS = {"rule": "usw", "topic": "iran_israel", "severity": "high", "kind": "article"}


def test_a_silence_mutes_matching_alerts_only_while_active() -> None:
    silence = new_silence({"topic": "iran_israel"}, timedelta(hours=2), "known situation", "desk", T0)
    store = SilenceStore([silence])
    assert store.muting(LABELS, T0 + timedelta(minutes=1)) == silence
    assert store.muting(LABELS | {"topic": "sudan"}, T0) is None
    assert store.muting(LABELS, T0 + timedelta(hours=2)) is None


def test_an_expired_silence_stops_muting_at_once() -> None:
    silence = new_silence({"rule": "usw"}, timedelta(hours=2), "", "desk", T0)
    store = SilenceStore([silence])
    store.apply(expired(silence, T0 + timedelta(minutes=5)))
    assert store.muting(LABELS, T0 + timedelta(minutes=6)) is None
    assert store.get(silence.id) is not None


def test_matchers_are_parsed_and_bad_ones_named() -> None:
    assert parse_matchers(["topic=iran_israel", "severity=high"]) == {
        "topic": "iran_israel",
        "severity": "high",
    }
    with pytest.raises(ValueError, match="'topic' must look like label=value"):
        parse_matchers(["topic"])


def test_the_first_matching_route_wins() -> None:
    options = AlertingOptions(
        routes=(
            Route(topics=("iran_israel",), min_severity=Severity.CRITICAL, receivers=("email",)),
            Route(rules=("usw",), receivers=("slack",)),
        )
    )
    router = Router(options, ["slack", "email", "console"])
    assert router.receivers_for(LABELS) == ("slack",)
    assert router.receivers_for(LABELS | {"severity": "critical"}) == ("email",)
    assert router.receivers_for(LABELS | {"rule": "other"}) == ("slack", "email")


def test_a_route_with_continue_adds_the_next_matching_route() -> None:
    options = AlertingOptions.model_validate(
        {
            "routes": [
                {"topics": ["iran_israel"], "receivers": ["email"], "continue": True},
                {"receivers": ["slack"]},
            ]
        }
    )
    assert Router(options, ["slack", "email"]).receivers_for(LABELS) == ("email", "slack")


def test_the_console_is_the_default_only_when_nothing_else_is_configured() -> None:
    assert Router(AlertingOptions(), ["console"]).receivers_for(LABELS) == ("console",)
    assert Router(AlertingOptions(), ["slack", "console"]).receivers_for(LABELS) == ("slack",)


def test_a_route_to_an_unconfigured_receiver_is_refused_at_start() -> None:
    options = AlertingOptions(routes=(Route(receivers=("email",)),))
    with pytest.raises(
        RoutingError, match=r"alerting.routes.0.receivers: receiver 'email' is not configured"
    ):
        Router(options, ["slack", "console"])
