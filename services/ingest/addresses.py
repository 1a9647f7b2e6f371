"""Which addresses a feed fetch may connect to: the private-network guard's rules, pure and table-driven.

A feed's URL comes from the operator, but its redirects and its DNS answers come from whoever runs the feed's
server; unguarded, a hostile feed could point ingest at the cloud metadata service or at services on the
internal network, and their answers would land in feed health and on the articles topic.

The refused ranges are an explicit table rather than `ipaddress`'s `is_private`/`is_global`: those also cover
ranges that are not ours to refuse (documentation and benchmarking networks, and for IPv6 every IPv4-mapped
address, ::ffff:8.8.8.8 included), and their exact contents have changed between Python releases. The table
refuses what reaches this host, the local network or a cloud provider's metadata service, the same on every
Python. IPv6 forms that carry an IPv4 address to an IPv4 host (mapped, NAT64, the old compatible form) are
judged by that IPv4 address. 6to4 and Teredo addresses are not: they lead to a tunnel, not to the embedded
host. 198.18.0.0/15 stays allowed, as some DNS set-ups answer every name from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

SETTING = "ingest.allow_private_networks"
HINT = f"set {SETTING} to allow it"

_LOOPBACK, _LINK_LOCAL = "a loopback address", "a link-local address"
REFUSED_V4: tuple[tuple[IPv4Network, str], ...] = tuple(
    (IPv4Network(net), why)
    for net, why in (
        ("0.0.0.0/8", "an unspecified address"),  # connecting to 0.0.0.0 reaches this host
        ("127.0.0.0/8", _LOOPBACK),
        ("10.0.0.0/8", "a private (RFC 1918) address"),
        ("172.16.0.0/12", "a private (RFC 1918) address"),
        ("192.168.0.0/16", "a private (RFC 1918) address"),
        ("169.254.0.0/16", _LINK_LOCAL),  # cloud metadata services: 169.254.169.254
        ("100.64.0.0/10", "a shared (carrier-grade NAT) address"),  # some clouds' metadata: 100.100.100.200
        ("224.0.0.0/4", "a multicast address"),
        ("240.0.0.0/4", "a reserved address"),  # 255.255.255.255 included
    )
)
REFUSED_V6: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(net), why)
    for net, why in (
        ("::/128", "an unspecified address"),
        ("::1/128", _LOOPBACK),
        ("fe80::/10", _LINK_LOCAL),
        ("fec0::/10", "a site-local address"),
        ("fc00::/7", "a unique-local address"),  # AWS metadata over IPv6: fd00:ec2::254
        ("ff00::/8", "a multicast address"),
    )
)
EMBEDDING_V4: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(net), form)
    for net, form in (
        ("::ffff:0:0/96", "IPv4-mapped"),
        ("64:ff9b::/96", "NAT64"),
        ("::/96", "IPv4-compatible"),  # after :: and ::1, which REFUSED_V6 judges first
    )
)
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")


def classify(address: IPAddress) -> str | None:
    """Why `address` is refused by default ("a loopback address", ...), or None when it is public."""
    if isinstance(address, IPv6Address):
        for network, why in REFUSED_V6:
            if address in network:
                return why
        embedded = embedded_v4(address)
        if embedded is None:
            return None
        inner = classify(embedded[0])
        return f"{inner} ({embedded[1]} {embedded[0]})" if inner else None
    for network4, why in REFUSED_V4:
        if address in network4:
            return why
    return None


def embedded_v4(address: IPv6Address) -> tuple[IPv4Address, str] | None:
    """The IPv4 address an IPv6 one carries to an IPv4 host, with its form; None for other addresses."""
    for network, form in EMBEDDING_V4:
        if address in network:
            return IPv4Address(int(address) & 0xFFFF_FFFF), form
    return None


def parse_address(text: str) -> IPAddress | None:
    """An IP address written in canonical form (an IPv6 zone such as %eth0 allowed); None otherwise."""
    try:
        return ip_address(text.strip("[]"))
    except ValueError:
        return None


def looks_numeric(host: str) -> bool:
    """Whether the host would be taken for an IP address rather than a name (as aiohttp decides it, which
    then connects without asking the resolver)."""
    return ":" in host or host.replace(".", "").isdigit()


def parse_entry(entry: object) -> IPNetwork | str:
    """One allow-list entry: a network (CIDR or one address) or a host name; ValueError says what is wrong."""
    if not isinstance(entry, str) or not entry.strip():
        raise ValueError(f"{entry!r} is not a host name or CIDR")
    text = entry.strip()
    if "/" in text:
        try:
            return ip_network(text)
        except ValueError as exc:
            raise ValueError(
                f"{text!r} is not a valid CIDR ({exc}); write a network and its prefix length, "
                "e.g. 10.20.0.0/16"
            ) from None
    address = parse_address(text)
    if address is not None:
        return ip_network(address)
    if looks_numeric(text):
        raise ValueError(f"{text!r} is not a valid IP address")
    name = normalise_host(text)
    if not _HOST_NAME.match(name):
        raise ValueError(f"{text!r} is neither a host name nor a CIDR")
    return name


def normalise_host(host: str) -> str:
    return host.strip().rstrip(".").lower()


@dataclass(frozen=True)
class AddressPolicy:
    """What `ingest.allow_private_networks` allows: everything, or these host names and networks."""

    allow_all: bool = False
    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = field(default=())

    @classmethod
    def from_setting(cls, setting: bool | Iterable[str]) -> AddressPolicy:
        if isinstance(setting, bool):
            return cls(allow_all=setting)
        entries = [parse_entry(entry) for entry in setting]
        return cls(
            hosts=frozenset(e for e in entries if isinstance(e, str)),
            networks=tuple(e for e in entries if not isinstance(e, str)),
        )

    def host_allowed(self, host: str) -> bool:
        """A host allowed by name may resolve to any address (an intranet feed's server)."""
        return self.allow_all or normalise_host(host) in self.hosts

    def refusal(self, address: IPAddress) -> str | None:
        """Why a connection to `address` is refused ("a loopback address"), or None when it is allowed."""
        if self.allow_all:
            return None
        why = classify(address)
        if why is None or self._listed(address):
            return None
        return why

    def check_literal(self, host: str) -> str | None:
        """For a URL's host that is an IP address (aiohttp connects to those without resolving them): why it
        is refused ("127.0.0.1 is a loopback address"), or None when it is allowed or a name."""
        if not looks_numeric(host) or self.host_allowed(host):
            return None
        address = parse_address(host)
        if address is None:
            return f"{host} is not an IP address in canonical form"
        why = self.refusal(address)
        return f"{host} is {why}" if why else None

    def check_resolved(self, host: str, addresses: Iterable[str]) -> tuple[list[str], str | None]:
        """The addresses `host` resolved to that may be connected to, and why the first refused one is
        refused ("localhost resolves to 127.0.0.1, a loopback address"), if any was."""
        if self.host_allowed(host):
            return list(addresses), None
        allowed, reason = [], None
        for text in addresses:
            address = parse_address(text)
            why = self.refusal(address) if address is not None else "not an IP address"
            if why is None:
                allowed.append(text)
            elif reason is None:
                reason = f"{host} resolves to {text}, {why}"
        return allowed, reason

    def _listed(self, address: IPAddress) -> bool:
        candidates: list[IPAddress] = [address]
        if isinstance(address, IPv6Address) and (embedded := embedded_v4(address)) is not None:
            candidates.append(embedded[0])
        return any(a in n for a in candidates for n in self.networks if a.version == n.version)
