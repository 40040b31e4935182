"""The SSRF guard refuses what a seller's webhook URL must never reach."""

from __future__ import annotations

import ipaddress

import pytest

from trackguard.clients.ssrf import Resolver, UnsafeUrlError, pin_url, refusal_reason


def resolves_to(*addresses: str) -> Resolver:
    return lambda _host, _port: list(addresses)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("192.168.1.20", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("169.254.10.1", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("::ffff:127.0.0.1", "loopback"),
    ],
)
def test_non_public_addresses_are_refused(address: str, reason: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address), allow_loopback=False) == reason


def test_public_addresses_pass() -> None:
    assert refusal_reason(ipaddress.ip_address("93.184.216.34"), allow_loopback=False) is None
    assert refusal_reason(ipaddress.ip_address("2606:4700::1111"), allow_loopback=False) is None


@pytest.mark.parametrize("url", ["https://127.0.0.1/hook", "https://10.0.0.1/hook", "https://[::1]/hook"])
def test_literal_addresses_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrlError):
        pin_url(url, allow_loopback=False)


def test_the_metadata_address_is_refused_even_with_loopback_allowed() -> None:
    with pytest.raises(UnsafeUrlError, match="cloud metadata"):
        pin_url("http://169.254.169.254/latest/meta-data/", allow_loopback=True)


def test_a_name_resolving_to_a_private_address_is_refused() -> None:
    with pytest.raises(UnsafeUrlError, match="private"):
        pin_url("https://hooks.seller.example/r", allow_loopback=False, resolver=resolves_to("10.1.2.3"))


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    with pytest.raises(UnsafeUrlError, match="private"):
        pin_url(
            "https://hooks.seller.example/r",
            allow_loopback=False,
            resolver=resolves_to("93.184.216.34", "192.168.0.7"),
        )


def test_http_is_refused_outside_the_local_stack() -> None:
    with pytest.raises(UnsafeUrlError, match="https only"):
        pin_url("http://hooks.seller.example/r", allow_loopback=False, resolver=resolves_to("93.184.216.34"))


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(UnsafeUrlError, match="credentials"):
        pin_url("https://user:pw@hooks.seller.example/", False, resolver=resolves_to("93.184.216.34"))


def test_loopback_is_admitted_only_when_allowed() -> None:
    with pytest.raises(UnsafeUrlError, match="loopback"):
        pin_url("https://localhost:8080/h", allow_loopback=False, resolver=resolves_to("127.0.0.1"))
    pinned = pin_url("http://localhost:8080/h?x=1", allow_loopback=True, resolver=resolves_to("127.0.0.1"))
    assert pinned.address_url == "http://127.0.0.1:8080/h?x=1"
    assert pinned.host_header == "localhost:8080"


def test_a_public_name_is_pinned_to_its_checked_address() -> None:
    pinned = pin_url("https://hooks.seller.example/r", False, resolver=resolves_to("2606:4700::1111"))
    assert pinned.address_url == "https://[2606:4700::1111]:443/r"
    assert pinned.host_header == "hooks.seller.example"
