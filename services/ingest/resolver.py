"""The private-network guard where it cannot be raced: inside the resolver aiohttp connects with.

aiohttp connects to exactly the addresses its resolver returns, so refusing them here leaves no gap between
the check and the connection for a second, different DNS answer (DNS rebinding). aiohttp never asks the
resolver about a host written as an IP address; the fetcher checks those itself (AddressPolicy.check_literal).
"""

from __future__ import annotations

import socket

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from services.ingest.addresses import AddressPolicy


class AddressRefused(OSError):
    """A host resolved only to addresses the policy refuses. An OSError, so that aiohttp reports it as a
    connection failure (ClientConnectorError.os_error) rather than as a crash."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GuardedResolver(AbstractResolver):
    """aiohttp's default resolver, less the addresses `policy` refuses."""

    def __init__(self, policy: AddressPolicy, inner: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._inner = inner if inner is not None else aiohttp.DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        allowed, reason = self._policy.check_resolved(host, [r["host"] for r in results])
        if not allowed:
            raise AddressRefused(reason or f"{host} resolves to no address")
        return [r for r in results if r["host"] in allowed]

    async def close(self) -> None:
        await self._inner.close()
