"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records every message it accepts, parsed.

Optionally requires a login and offers STARTTLS with a throw-away self-signed certificate, so the email
receiver is tested over the same protocol steps as against a production relay.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass(frozen=True)
class ReceivedMail:
    envelope_from: str
    envelope_to: list[str]
    raw: bytes
    message: EmailMessage

    def part(self, subtype: str) -> str:
        found = self.message.get_body(preferencelist=(subtype,))
        assert found is not None, f"no text/{subtype} part"
        return str(found.get_content())


class _Handler:
    def __init__(self, box: SmtpServer) -> None:
        self._box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._box.lock:
            self._box.messages.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), bytes(raw), parsed)
            )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1 made with the openssl tool."""
    cert, key = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


class SmtpServer:
    def __init__(
        self,
        username: str | None = None,
        password: str | None = None,
        tls: tuple[Path, Path] | None = None,
        implicit_tls: bool = False,
    ) -> None:
        """`tls`: certificate and key; offered by STARTTLS, or from the first byte with `implicit_tls`."""
        self.messages: list[ReceivedMail] = []
        self.logins: list[str] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.cert = tls[0] if tls else None
        options: dict[str, Any] = {}
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            if implicit_tls:
                options["ssl_context"] = context
            else:
                options |= {"tls_context": context, "require_starttls": True}
        if username is not None:
            # Without TLS, login is offered but not required: aiosmtpd warns (in its own thread, where a
            # test's warnings-as-errors would break the connection) when AUTH is required over plain text.
            options |= {"authenticator": self._authenticator(username, password or "")}
            secure = tls is not None and not implicit_tls
            options |= {"auth_required": secure, "auth_require_tls": secure}
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **options)

    def client_tls_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's certificate."""
        context = ssl.create_default_context(cafile=str(self.cert) if self.cert else None)
        return context

    def _authenticator(self, username: str, password: str) -> Any:
        def check(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == username
                and auth_data.password.decode() == password
            )
            if ok:
                self.logins.append(username)
            return AuthResult(success=ok, handled=False)

        return check

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
