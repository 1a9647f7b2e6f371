"""One JSON POST to a webhook, turned into a verdict by the shared classifier (`retry.classify_http`).

Shared by the Teams, Mattermost and signed-webhook receivers. The URL is a secret (its path or query holds
the token), so no verdict, log line or error names it: a network error is reported by kind only, and a
server's answer that echoes the URL has it cut out. Redirects are not followed: a webhook that moved is a
configuration to fix (a 3xx is permanent), and following it could hand the body to another host.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import datetime
from email.message import Message
from urllib.parse import urlsplit

from pydantic import SecretStr

from services.alert.retry import Permanent, Retry, Verdict, classify_http

MAX_DETAIL = 200
"""Characters of a refusal's body kept in the verdict (it goes to logs and delivery records)."""
USER_AGENT = "newsmon-alert/1"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def scrub(text: str, url: SecretStr, *others: SecretStr) -> str:
    """`text` without the URL, the parts of it that carry the token, or the other secrets."""
    raw = url.get_secret_value()
    parts = urlsplit(raw)
    for secret in (raw, parts.path, parts.query, *(s.get_secret_value() for s in others)):
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def post_json(
    url: SecretStr,
    body: bytes,
    service: str,
    now: datetime,
    timeout: float = 10.0,
    headers: Mapping[str, str] | None = None,
    secrets: tuple[SecretStr, ...] = (),
) -> Verdict:
    """POST `body` (JSON) once; never raises for delivery problems. `service` names the far end in a
    refusal's detail ("Teams answered 400: ..."); `secrets` are cut out of it, like the URL."""
    request = urllib.request.Request(  # noqa: S310 (the receivers pass only http(s) URLs)
        url.get_secret_value(),
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **(headers or {})},
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(64 * 1024)
            return classify_http(response.status, response.headers.get("Retry-After"), now)
    except urllib.error.HTTPError as exc:
        return _refused(exc.code, exc.headers, scrub(_read(exc), url, *secrets), service, url, now)
    except urllib.error.URLError as exc:
        return Retry("timeout" if isinstance(exc.reason, TimeoutError) else "connection_error")
    except TimeoutError:
        return Retry("timeout")
    except (OSError, http.client.HTTPException, ValueError):
        return Retry("connection_error")


def _read(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read(4096).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        return ""
    finally:
        exc.close()


def _refused(
    status: int, headers: Message, body: str, service: str, url: SecretStr, now: datetime
) -> Verdict:
    verdict = classify_http(status, headers.get("Retry-After") if headers else None, now)
    if isinstance(verdict, Permanent):
        detail = scrub(" ".join(body.split()), url)[:MAX_DETAIL]
        return Permanent(verdict.reason, f"{service} answered {status}" + (f": {detail}" if detail else ""))
    return verdict
