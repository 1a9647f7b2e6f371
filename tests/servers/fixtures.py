"""Pytest fixtures for the stand-in receivers: a fake Slack webhook, JSON webhooks (Teams, Mattermost, a
signed-webhook target) and a real SMTP server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.servers.slack import FakeSlack
from tests.servers.smtp import SmtpServer, self_signed
from tests.servers.teams import fake_teams
from tests.servers.webhook import WebhookServer


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Plain SMTP, no login."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("smtp-tls"))


@pytest.fixture
def smtp_server_factory(smtp_certificate: tuple[Path, Path]) -> Iterator[Callable[..., SmtpServer]]:
    """SMTP servers with a login (`username`, `password`), STARTTLS (`tls`) or implicit TLS (`ssl`)."""
    made: list[SmtpServer] = []

    def make(
        username: str | None = None, password: str | None = None, tls: bool = False, ssl: bool = False
    ) -> SmtpServer:
        server = SmtpServer(
            username, password, smtp_certificate if tls or ssl else None, implicit_tls=ssl
        ).start()
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()


@pytest.fixture
def webhook_factory() -> Iterator[Callable[..., WebhookServer]]:
    """Running stand-ins for JSON webhooks (Teams with `teams=True`: it refuses an invalid card)."""
    made: list[WebhookServer] = []

    def make(teams: bool = False, path: str | None = None) -> WebhookServer:
        server = fake_teams() if teams else WebhookServer(path or "/hooks/secret-hook-token-7f3a9c")
        made.append(server.start())
        return server

    yield make
    for server in made:
        server.stop()
