"""Routing: which receivers get an alert, by rule, topic, severity and labels. First match wins."""

from __future__ import annotations

from collections.abc import Iterable

from schemas import Severity
from services.alert.config import AlertingOptions, Route
from services.alert.receiver_specs import LEGACY


class RoutingError(ValueError):
    """A route names a receiver this deployment has not configured."""


def route_matches(route: Route, labels: dict[str, str]) -> bool:
    if route.rules and labels.get("rule") not in route.rules:
        return False
    if route.topics and labels.get("topic") not in route.topics:
        return False
    if route.min_severity is not None:
        severity = labels.get("severity", "")
        if severity not in {s.value for s in Severity} or Severity(severity) < route.min_severity:
            return False
    return all(labels.get(k) == v for k, v in route.match.items())


class Router:
    def __init__(
        self, options: AlertingOptions, configured: Iterable[str], digest_only: Iterable[str] = ()
    ) -> None:
        self._routes = options.routes
        self.configured = tuple(configured)
        self.default = options.receivers or default_receivers(self.configured)
        self.digest_only = frozenset(digest_only)
        """Receivers that take only their digest: routes choose what goes into it, nothing goes at once."""
        self._check(options)

    def receivers_for(self, labels: dict[str, str]) -> tuple[str, ...]:
        """Who gets an alert's immediate message."""
        return tuple(r for r in self.routed_to(labels) if r not in self.digest_only)

    def routed_to(self, labels: dict[str, str]) -> tuple[str, ...]:
        """Every receiver an alert's labels route to, digest-only ones included."""
        chosen: list[str] = []
        for route in self._routes:
            if route_matches(route, labels):
                chosen.extend(r for r in route.receivers if r not in chosen)
                if not route.continue_:
                    return tuple(chosen)
        return tuple(chosen) if chosen else self.default

    def _check(self, options: AlertingOptions) -> None:
        problems = []
        for where, names in [("alerting.receivers", options.receivers)] + [
            (f"alerting.routes.{i}.receivers", r.receivers) for i, r in enumerate(options.routes)
        ]:
            for name in names:
                if name not in self.configured:
                    how = LEGACY.get(name, "no receiver of that name in `receivers:`")
                    problems.append(f"{where}: receiver {name!r} is not configured ({how})")
        if problems:
            raise RoutingError("\n".join(problems))


def default_receivers(configured: Iterable[str]) -> tuple[str, ...]:
    """Every configured receiver; the console only when there is nothing else."""
    names = tuple(configured)
    real = tuple(n for n in names if n != "console")
    return real or ("console",)
