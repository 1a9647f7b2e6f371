"""The private-network guard's rules: which addresses are refused, why, and what the setting allows."""

from __future__ import annotations

import asyncio
import re
import socket
from ipaddress import ip_address
from pathlib import Path

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from newsmon.config import load_config
from services.ingest.addresses import AddressPolicy, classify, parse_entry
from services.ingest.resolver import AddressRefused, GuardedResolver
from streambase.yamlconf import ConfigError

LOOPBACK, LINK_LOCAL, RFC1918 = "a loopback address", "a link-local address", "a private (RFC 1918) address"


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("127.0.0.1", LOOPBACK),
        ("127.255.255.254", LOOPBACK),
        ("0.0.0.0", "an unspecified address"),
        ("10.1.2.3", RFC1918),
        ("172.16.0.1", RFC1918),
        ("172.31.255.255", RFC1918),
        ("192.168.1.1", RFC1918),
        ("169.254.169.254", LINK_LOCAL),
        ("100.100.100.200", "a shared (carrier-grade NAT) address"),
        ("224.0.0.1", "a multicast address"),
        ("255.255.255.255", "a reserved address"),
        ("::1", LOOPBACK),
        ("::", "an unspecified address"),
        ("fe80::1", LINK_LOCAL),
        ("fe80::1%eth0", LINK_LOCAL),
        ("fc00::1", "a unique-local address"),
        ("fd00:ec2::254", "a unique-local address"),
        ("ff02::1", "a multicast address"),
        ("::ffff:127.0.0.1", "a loopback address (IPv4-mapped 127.0.0.1)"),
        ("::ffff:169.254.169.254", "a link-local address (IPv4-mapped 169.254.169.254)"),
        ("::ffff:10.0.0.1", "a private (RFC 1918) address (IPv4-mapped 10.0.0.1)"),
        ("64:ff9b::a9fe:a9fe", "a link-local address (NAT64 169.254.169.254)"),
        ("::127.0.0.1", "a loopback address (IPv4-compatible 127.0.0.1)"),
        # public, or not ours to refuse
        ("8.8.8.8", None),
        ("172.32.0.1", None),
        ("100.128.0.1", None),
        ("198.18.0.1", None),
        ("192.0.2.1", None),
        ("2001:4860:4860::8888", None),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::808:808", None),
        ("2002:7f00:1::1", None),  # 6to4 leads to a tunnel, not to 127.0.0.1
    ],
)
def test_each_address_is_refused_for_its_reason_or_allowed(address: str, refused: str | None) -> None:
    assert classify(ip_address(address)) == refused


def test_a_literal_host_is_judged_as_written() -> None:
    policy = AddressPolicy()
    assert policy.check_literal("169.254.169.254") == "169.254.169.254 is a link-local address"
    assert (
        policy.check_literal("::ffff:127.0.0.1")
        == "::ffff:127.0.0.1 is a loopback address (IPv4-mapped 127.0.0.1)"
    )
    assert policy.check_literal("2130706433") == "2130706433 is not an IP address in canonical form"
    assert policy.check_literal("127.1") == "127.1 is not an IP address in canonical form"
    assert policy.check_literal("93.184.215.14") is None
    assert policy.check_literal("feeds.example.org") is None  # a name: judged once resolved


def test_a_resolved_name_keeps_only_the_addresses_it_may_reach() -> None:
    policy = AddressPolicy()
    assert policy.check_resolved("mixed.example", ["93.184.215.14", "127.0.0.1"]) == (
        ["93.184.215.14"],
        "mixed.example resolves to 127.0.0.1, a loopback address",
    )
    assert policy.check_resolved("internal.example", ["10.0.0.7"]) == (
        [],
        "internal.example resolves to 10.0.0.7, a private (RFC 1918) address",
    )


def test_an_allow_list_allows_its_names_and_networks_and_nothing_else() -> None:
    policy = AddressPolicy.from_setting(["Intranet.Example.org.", "10.20.0.0/16", "fd00::/8"])
    assert policy.check_resolved("intranet.example.org", ["10.9.9.9"]) == (["10.9.9.9"], None)
    assert policy.refusal(ip_address("10.20.1.1")) is None
    assert policy.refusal(ip_address("::ffff:10.20.1.1")) is None  # the mapped form of an allowed address
    assert policy.refusal(ip_address("fd00::5")) is None
    assert policy.refusal(ip_address("10.21.0.1")) == RFC1918
    assert policy.refusal(ip_address("127.0.0.1")) == LOOPBACK
    assert AddressPolicy.from_setting(True).refusal(ip_address("169.254.169.254")) is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("10.0.0.0/33", "'10.0.0.0/33' is not a valid CIDR"),
        ("10.0.0.1/8", "10.0.0.1/8 has host bits set"),
        ("300.1.2.3", "'300.1.2.3' is not a valid IP address"),
        ("not a host", "'not a host' is neither a host name nor a CIDR"),
        ("", "'' is not a host name or CIDR"),
    ],
)
def test_a_bad_allow_list_entry_says_what_is_wrong(entry: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_entry(entry)


def test_a_bad_cidr_is_refused_at_config_load_with_its_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "newsmon.yaml"
    path.write_text("ingest:\n  allow_private_networks: [intranet.example.org, 10.0.0.0/33]\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "newsmon.yaml:2: ingest.allow_private_networks: '10.0.0.0/33' is not a valid CIDR" in str(
        raised.value
    )


def test_a_single_cidr_instead_of_a_list_is_refused_with_an_example(tmp_path: Path) -> None:
    path = tmp_path / "newsmon.yaml"
    path.write_text("ingest:\n  allow_private_networks: 10.0.0.0/8\n")
    with pytest.raises(
        ConfigError, match=r"must be false, true or a list of host names and CIDRs, e\.g\. \["
    ):
        load_config(path)


class FixedAnswers(AbstractResolver):
    """A stand-in DNS server: every name resolves to these addresses."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            {"hostname": host, "host": a, "port": port, "family": family, "proto": 0, "flags": 0}
            for a in self.addresses
        ]

    async def close(self) -> None:
        return None


def test_the_resolver_hands_aiohttp_only_the_allowed_addresses() -> None:
    resolver = GuardedResolver(AddressPolicy(), FixedAnswers("127.0.0.1", "93.184.215.14"))
    results = asyncio.run(resolver.resolve("rebinding.example", 80))
    assert [r["host"] for r in results] == ["93.184.215.14"]


def test_the_resolver_refuses_a_name_with_only_private_addresses() -> None:
    resolver = GuardedResolver(AddressPolicy(), FixedAnswers("169.254.169.254"))
    with pytest.raises(
        AddressRefused, match=re.escape("metadata.example resolves to 169.254.169.254, a link-local")
    ):
        asyncio.run(resolver.resolve("metadata.example", 80))


def test_the_real_resolver_refuses_localhost_and_allows_it_by_name() -> None:
    async def go(policy: AddressPolicy) -> list[str]:
        resolver = GuardedResolver(policy)
        try:
            return [r["host"] for r in await resolver.resolve("localhost", 80)]
        finally:
            await resolver.close()

    with pytest.raises(
        AddressRefused, match=re.escape("localhost resolves to 127.0.0.1, a loopback address")
    ):
        asyncio.run(go(AddressPolicy()))
    assert "127.0.0.1" in asyncio.run(go(AddressPolicy.from_setting(["localhost"])))
