"""Generated bad deliveries for every ingestion route, each with the answer the contract requires."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from tests.reliability.senders import (
    CARRIER_ROUTES,
    SHOP_ROUTES,
    Delivery,
    Headers,
    good_document,
    signature,
    signed,
)

ONE_MIB = 1024 * 1024
DEPTH = 10_000
PLACEHOLDER = "@@RAW@@"

REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "tiktok-shop": ("type", "shop_id", "timestamp", "data"),
    "shopify": ("id", "created_at", "updated_at"),
    "17track": ("data",),
    "ship24": ("trackings",),
    "aftership": ("event",),
    "ups": ("trackingNumber", "gmtActivityDate", "activityStatus"),
    "fedex": ("trackingNumber",),
    "dhl": ("shipments",),
    "usps": ("payload",),
    "generic": ("events",),
}
STATIC_TOKEN_ROUTES = frozenset({"ship24", "ups", "dhl"})
"""Their credential is a static token: it signs no body, so another body with it is simply accepted."""
TEXT_SIGNED_ROUTES = frozenset({"generic"})
"""Standard Webhooks signs text: a body that is not UTF-8 cannot carry a valid signature (401, see below)."""
WRONG_TYPED_VALUES = ("[[1]]", "1e999", '{"nested": [[[]]]}')
NOT_JSON_CONTENT_TYPES = ("text/plain", "application/xml", "multipart/form-data; boundary=x", "text/json")
EXTRA_FIELDS = {f"unexpected_{index}": {"deep": [index, None, "ø\u0000"]} for index in range(20)}


@dataclass(frozen=True)
class Case:
    delivery: Delivery
    status: int
    error: str
    raw_body: str | None = None

    @property
    def label(self) -> str:
        return f"{self.delivery.route}: {self.delivery.label}"


def _sender_headers(route: str) -> Headers:
    return good_document(route)[1]


def _signed_body(route: str, body: bytes, now: datetime, label: str) -> Delivery:
    return replace(signed(route, body, now, _sender_headers(route)), label=label)


def _with_raw(document: dict[str, Any], key: str, raw: str) -> bytes:
    return json.dumps({**document, key: PLACEHOLDER}).replace(f'"{PLACEHOLDER}"', raw).encode()


def invalid_payloads(route: str, now: datetime) -> Iterator[Case]:
    """Validly signed, but not JSON or not the sender's schema: 400."""
    document, _ = good_document(route)
    good = json.dumps(document).encode()
    bodies: list[tuple[str, bytes]] = [(f"truncated at {n}/6", good[: len(good) * n // 6]) for n in range(6)]
    bodies += [
        ("trailing comma", good[:-1] + b",}"),
        ("single quotes", good.replace(b'"', b"'")),
        ("raw NUL byte", good[:1] + b"\x00" + good[1:]),
        ("5000-digit integer", b'{"n": ' + b"9" * 5000 + b"}"),
        ("JSON null", b"null"),
        ("JSON array", b"[]"),
        ("JSON number", b"42"),
        ("JSON string", b'"hello"'),
        ("JSON true", b"true"),
        ("empty object", b"{}"),
        ("10000-deep arrays", b"[" * DEPTH + b"]" * DEPTH),
        ("10000-deep objects", b'{"a":' * DEPTH + b"1" + b"}" * DEPTH),
        ("10000-deep inside the document", _with_raw(document, "deep", "[" * DEPTH + "]" * DEPTH)),
    ]
    if route not in TEXT_SIGNED_ROUTES:
        bodies.append(("invalid UTF-8", good[:-1] + b', "x": "\xff\xfe"}'))
    for key in REQUIRED_KEYS[route]:
        missing = {name: value for name, value in document.items() if name != key}
        bodies.append((f"missing {key}", json.dumps(missing).encode()))
        bodies.append((f"missing {key}, extra fields", json.dumps({**missing, **EXTRA_FIELDS}).encode()))
        bodies += [(f"{key} = {raw[:12]}", _with_raw(document, key, raw)) for raw in WRONG_TYPED_VALUES]
    for label, body in bodies:
        yield Case(_signed_body(route, body, now, label), 400, "invalid_payload")
    if route not in TEXT_SIGNED_ROUTES:
        text = '{"x": "\ud800"}'
        lone = _signed_body(route, text.encode("utf-8", "surrogatepass"), now, "lone surrogate")
        yield Case(lone, 400, "invalid_payload", raw_body=text)


def bad_signatures(route: str, now: datetime) -> Iterator[Case]:
    """A well-formed body with a missing, wrong or stale signature: 401."""
    document, sender = good_document(route)
    good = signed(route, document, now, sender)
    signature_names = set(signature(route, good.body, now))
    unsigned = {name: value for name, value in good.headers.items() if name not in signature_names}
    variants: list[tuple[str, bytes, Headers]] = [
        ("no signature", good.body, unsigned),
        ("empty signature", good.body, {**unsigned, **dict.fromkeys(signature_names, "")}),
        ("garbage signature", good.body, {**unsigned, **dict.fromkeys(signature_names, "v1,AAAA Bearer x")}),
    ]
    if route not in STATIC_TOKEN_ROUTES:
        other = signed(route, altered(route, document), now, sender)
        variants += [
            ("another body's signature", good.body, {**unsigned, **_signature_of(other, signature_names)}),
            ("body changed after signing", other.body, good.headers),
        ]
    if route in TEXT_SIGNED_ROUTES:
        for text_label, text in (
            ("invalid UTF-8", b'{"x": "\xff"}'),
            ("encoded surrogate", b'{"x": "\xed\xa0\x80"}'),
        ):
            variants.append((text_label, text, signed(route, text, now, sender).headers))
        for label, shift in (("6 minutes old", -6), ("6 minutes ahead", 6)):
            stale = signed(route, document, now + timedelta(minutes=shift), sender)
            variants.append((f"timestamp {label}", stale.body, stale.headers))
    for label, body, headers in variants:
        yield Case(Delivery(route, body, headers, label), 401, "invalid_signature")


def altered(route: str, document: dict[str, Any]) -> dict[str, Any]:
    """The document changed where its signature covers it (USPS signs only timestamp and payload)."""
    if route == "usps":
        return {**document, "payload": document["payload"].replace("AUSTIN", "DALLAS")}
    return {**document, "tampered": True}


def _signature_of(delivery: Delivery, names: set[str]) -> Headers:
    return {name: value for name, value in delivery.headers.items() if name in names}


def refused_before_reading(route: str, now: datetime) -> Iterator[Case]:
    """Too large (413) or not JSON by its content type (415), whatever the signature."""
    document, sender = good_document(route)
    big = json.dumps({**document, "padding": ""}).encode()
    big = big[:-2] + b"x" * (ONE_MIB + 1 - len(big)) + b'"}'
    assert len(big) == ONE_MIB + 1
    yield Case(_signed_body(route, big, now, "1 MiB + 1"), 413, "payload_too_large")
    good = signed(route, document, now, sender)
    for content_type in NOT_JSON_CONTENT_TYPES:
        delivery = Delivery(route, good.body, {**good.headers, "content-type": content_type}, content_type)
        yield Case(delivery, 415, "unsupported_media_type")
    headers = {name: value for name, value in good.headers.items() if name != "content-type"}
    yield Case(Delivery(route, good.body, headers, "no content type"), 415, "unsupported_media_type")


BAD_SHOP_DOMAINS = (
    "beta.myshopify.com#FLAGS",
    "beta.myshopify.com.evil.example",
    "shop.example.com",
    "-beta.myshopify.com",
    "myshopify.com",
    "beta.myshopify.com/admin",
    "b\u0435ta.myshopify.com",
)


def bad_tenants(now: datetime) -> Iterator[Case]:
    """A signed Shopify body whose unsigned shop header is not a shop, or not the body's shop: 400."""
    document, sender = good_document("shopify")
    for domain in BAD_SHOP_DOMAINS:
        delivery = signed("shopify", document, now, {**sender, "x-shopify-shop-domain": domain})
        yield Case(replace(delivery, label=f"shop domain {domain!r}"), 400, "invalid_payload")
    redact = {"shop_id": 1, "shop_domain": "victim.myshopify.com"}
    headers = {**sender, "x-shopify-topic": "shop/redact", "x-shopify-shop-domain": "attacker.myshopify.com"}
    mismatch = signed("shopify", redact, now, headers)
    yield Case(replace(mismatch, label="shop/redact for another shop"), 400, "invalid_payload")


def unknown_sources(now: datetime) -> Iterator[Case]:
    for source in ("17TRACK", "canada-post", "unknown", "ups ", "..%2f"):
        document, _ = good_document("ups")
        delivery = replace(signed("ups", document, now), route=source, label=f"unknown source {source!r}")
        yield Case(delivery, 404, "unknown_source")


def corpus(now: datetime) -> list[Case]:
    cases: list[Case] = []
    for route in (*SHOP_ROUTES, *CARRIER_ROUTES):
        cases += [
            *invalid_payloads(route, now),
            *bad_signatures(route, now),
            *refused_before_reading(route, now),
        ]
    return [*cases, *bad_tenants(now), *unknown_sources(now)]
