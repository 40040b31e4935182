"""SSRF guard for URLs that sellers give us: resolve once, check every address, pin the one we use.

A URL passes when its scheme is https (http too when loopback is admitted: the local stack), it has
no user-info, and every address its host resolves to is public: not loopback, private, link-local,
multicast, reserved, unspecified, shared (CGNAT) or a cloud metadata address; IPv4-mapped IPv6
addresses are judged as the IPv4 address they carry. Loopback is admitted only when the settings say
so. The caller connects to the pinned address (no second lookup, so no DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


class UnsafeUrlError(ValueError):
    """The URL may not be called; the message says why, without secrets."""


@dataclass(frozen=True)
class PinnedUrl:
    """A checked URL and the address to connect to, with the host name kept for Host and SNI."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress
    path: str

    @property
    def address_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        host = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return f"{self.scheme}://{host}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        default_port = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default_port else f"{host}:{self.port}"


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def pin_url(url: str, allow_loopback: bool, resolver: Resolver = system_resolver) -> PinnedUrl:
    """Check the URL and every address of its host; raises UnsafeUrlError when any is refused."""
    parts = _parse(url, allow_loopback)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = resolver(host, port)
    except OSError as error:
        raise UnsafeUrlError(f"cannot resolve {host}") from error
    if not found:
        raise UnsafeUrlError(f"{host} has no address")
    addresses = [ipaddress.ip_address(address.split("%", 1)[0]) for address in found]
    for address in addresses:
        refusal = refusal_reason(address, allow_loopback)
        if refusal:
            raise UnsafeUrlError(f"{host} resolves to a {refusal} address")
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return PinnedUrl(url=url, scheme=parts.scheme, host=host, port=port, address=addresses[0], path=path)


def refusal_reason(address: IPAddress, allow_loopback: bool) -> str | None:
    """Why an address may not be called (None: it may)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return refusal_reason(address.ipv4_mapped, allow_loopback)
    if address in METADATA_ADDRESSES:
        return "cloud metadata"
    if address.is_loopback:
        return None if allow_loopback else "loopback"
    checks = (
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-public", not address.is_global),
    )
    return next((name for name, refused in checks if refused), None)


def _parse(url: str, allow_loopback: bool) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a malformed port)
    except ValueError as error:
        raise UnsafeUrlError("malformed URL") from error
    allowed_schemes = ("https", "http") if allow_loopback else ("https",)
    if parts.scheme not in allowed_schemes:
        raise UnsafeUrlError(f"scheme {parts.scheme or 'none'} refused: https only")
    if not parts.hostname:
        raise UnsafeUrlError("URL without a host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrlError("URL with credentials refused")
    return parts
