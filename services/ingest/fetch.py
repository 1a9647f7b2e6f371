"""Fetching feeds over HTTP: conditional GET, compression, limits and timeouts enforced here, not trusted
to the client library.

aiohttp supplies connections and decompression; this module owns the rules: redirects are followed by hand
(so the limit and the schemes are ours), every hop may only reach the addresses the private-network guard
allows (the host if written as an IP address here, resolved names in the resolver), the body is read in chunks
against the cap (decompressed size, so a gzip bomb is cut off too), and one deadline covers connect, redirects
and body together.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit

import aiohttp

from schemas.feed import VALIDATOR_MAX_LENGTH
from services.ingest.addresses import HINT, AddressPolicy
from services.ingest.config import IngestOptions
from services.ingest.resolver import AddressRefused, GuardedResolver
from streambase import __version__
from streambase.clock import Clock, SystemClock

log = logging.getLogger(__name__)

FetchOutcome = Literal[
    "ok", "not_modified", "http_error", "timeout", "too_large", "connection_error", "blocked"
]

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
RETRY_AFTER_STATUSES = frozenset({429, 503})
CHUNK = 64 * 1024
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True)
class Validators:
    """What the server gave us to ask 'has it changed?' next time."""

    etag: str | None = None
    last_modified: str | None = None

    @classmethod
    def bounded(cls, etag: str | None, last_modified: str | None) -> Validators:
        """The server's validators, less any longer than VALIDATOR_MAX_LENGTH: kept, a hostile one would sit
        in feed health and go back to the server with every poll."""
        return cls(_bounded(etag), _bounded(last_modified))

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class FetchResult:
    outcome: FetchOutcome
    url: str
    status: int | None = None
    body: bytes = b""
    content_type: str | None = None
    validators: Validators = field(default_factory=Validators)
    retry_after: timedelta | None = None
    error: str | None = None
    redirects: int = 0
    moved: bool = False  # every redirect was permanent: `url` is the feed's new address

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


class _Failure(Exception):
    def __init__(self, outcome: FetchOutcome, error: str, status: int | None = None) -> None:
        super().__init__(error)
        self.outcome = outcome
        self.status = status


def parse_retry_after(value: str | None, clock: Clock) -> timedelta | None:
    """Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(timedelta(0), when - clock.now())


class Fetcher:
    """Concurrent, polite fetching with a global and a per-host limit; use as an async context manager."""

    def __init__(self, options: IngestOptions, clock: Clock | None = None) -> None:
        self._options = options
        self._clock = clock or SystemClock()
        self._global = asyncio.Semaphore(options.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._session: aiohttp.ClientSession | None = None
        self._policy = AddressPolicy.from_setting(options.allow_private_networks)
        self._resolver: GuardedResolver | None = None  # made inside the event loop, in __aenter__
        self.user_agent = options.user_agent.replace("{version}", __version__)

    async def __aenter__(self) -> Fetcher:
        self._resolver = GuardedResolver(self._policy)
        connector = aiohttp.TCPConnector(
            limit=0,
            ttl_dns_cache=300,
            enable_cleanup_closed=True,
            resolver=self._resolver,
        )
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=self._options.connect_timeout.total_seconds(),
            sock_read=self._options.read_timeout.total_seconds(),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=timeout,
            headers={"User-Agent": self.user_agent, "Accept": ACCEPT},
            auto_decompress=True,
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._resolver is not None:
            await self._resolver.close()  # ours, so the connector leaves it open
            self._resolver = None

    async def fetch(self, url: str, validators: Validators | None = None) -> FetchResult:
        """Fetch `url`; never raises for network or server trouble: the outcome says what happened."""
        host = urlsplit(url).netloc.lower()
        async with self._global, self._host_slot(host):
            try:
                async with asyncio.timeout(self._options.total_timeout.total_seconds()):
                    return await self._follow(url, validators or Validators())
            except _Failure as failure:
                return FetchResult(failure.outcome, url, failure.status, error=str(failure))
            except TimeoutError:
                limit = self._options.total_timeout.total_seconds()
                return FetchResult("timeout", url, error=f"no complete answer within {limit:g}s")
            except aiohttp.ServerTimeoutError as exc:
                return FetchResult("timeout", url, error=f"read or connect timeout: {exc}")
            except (aiohttp.ClientError, OSError, ValueError) as exc:
                return FetchResult("connection_error", url, error=f"{type(exc).__name__}: {exc}")

    @asynccontextmanager
    async def _host_slot(self, host: str) -> AsyncIterator[None]:
        semaphore = self._hosts.get(host)
        if semaphore is None:
            semaphore = self._hosts[host] = asyncio.Semaphore(self._options.per_host_concurrency)
        async with semaphore:
            yield

    async def _follow(self, url: str, validators: Validators) -> FetchResult:
        assert self._session is not None, "use Fetcher as an async context manager"
        permanent = True
        for hop in range(self._options.max_redirects + 1):
            self._guard(url, hop)
            try:
                async with self._session.get(
                    url, headers=validators.headers(), allow_redirects=False
                ) as response:
                    if response.status in REDIRECTS:
                        permanent = permanent and response.status in PERMANENT_REDIRECTS
                        url = self._next_hop(url, response)
                        continue
                    result = await self._finish(url, response, hop)
                    return replace(result, moved=hop > 0 and permanent)
            except aiohttp.ClientConnectorError as exc:
                if isinstance(exc.os_error, AddressRefused):
                    raise _Failure("blocked", _refused(exc.os_error.reason, hop)) from None
                raise
        raise _Failure("http_error", f"more than {self._options.max_redirects} redirects")

    def _guard(self, url: str, hop: int) -> None:
        """Refuse a host written as an IP address that the policy refuses: aiohttp would connect to it
        without asking the resolver, where names are checked."""
        reason = self._policy.check_literal(urlsplit(url).hostname or "")
        if reason is not None:
            raise _Failure("blocked", _refused(reason, hop))

    def _next_hop(self, url: str, response: aiohttp.ClientResponse) -> str:
        location = response.headers.get("Location")
        if not location:
            raise _Failure("http_error", f"HTTP {response.status} without a Location", response.status)
        target = urljoin(url, location)
        if urlsplit(target).scheme not in ("http", "https"):
            raise _Failure("http_error", f"redirect to a non-HTTP URL: {target[:200]}", response.status)
        return target

    async def _finish(self, url: str, response: aiohttp.ClientResponse, hops: int) -> FetchResult:
        status = response.status
        validators = Validators.bounded(response.headers.get("ETag"), response.headers.get("Last-Modified"))
        if status == 304:
            return FetchResult("not_modified", url, status, validators=validators, redirects=hops)
        if status >= 400 or status < 200:
            retry = (
                parse_retry_after(response.headers.get("Retry-After"), self._clock)
                if status in RETRY_AFTER_STATUSES
                else None
            )
            reason = response.reason or "error"
            return FetchResult("http_error", url, status, retry_after=retry, error=f"HTTP {status} {reason}")
        body = await self._read_capped(response)
        return FetchResult(
            "ok", url, status, body, response.headers.get("Content-Type"), validators, redirects=hops
        )

    async def _read_capped(self, response: aiohttp.ClientResponse) -> bytes:
        cap = self._options.max_body_bytes
        declared = response.content_length
        if declared is not None and declared > cap and "Content-Encoding" not in response.headers:
            raise _Failure("too_large", f"body of {declared} bytes exceeds the cap of {cap}", response.status)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(CHUNK):
            size += len(chunk)
            if size > cap:
                raise _Failure("too_large", f"body exceeds the cap of {cap} bytes; cut off", response.status)
            chunks.append(chunk)
        return b"".join(chunks)


def _bounded(validator: str | None) -> str | None:
    return validator if validator and len(validator) <= VALIDATOR_MAX_LENGTH else None


def _refused(reason: str, hop: int) -> str:
    where = f"refused at redirect {hop}" if hop else "refused"
    return f"{where}: {reason}; {HINT}"
