"""Report webhooks: signed as Standard Webhooks receivers verify, pinned, never redirected, retried on 5xx,
and finished by a hard deadline whatever the receiver does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypedDict, Unpack

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.support.receiver import receiver
from trackguard.clients.seller_webhooks import SellerWebhookSender, WebhookPolicy, sign
from trackguard.clients.ssrf import Resolver

SECRET = "whsec_" + base64.b64encode(b"report-webhook-test-secret-32byt").decode()
BODY = json.dumps({"type": "report.daily", "data": {"report": {"seller_id": "shop-1"}}}).encode()


class SenderOptions(TypedDict, total=False):
    resolver: Resolver
    policy: WebhookPolicy
    clock: Callable[[], float]


def sender(
    delays: list[float] | None = None, allow_loopback: bool = True, **options: Unpack[SenderOptions]
) -> SellerWebhookSender:
    sleeps = delays if delays is not None else []
    return SellerWebhookSender(allow_loopback=allow_loopback, sleep=sleeps.append, **options)


def test_a_receiver_verifies_the_signature_with_the_standardwebhooks_package() -> None:
    with receiver((200, {})) as seller:
        result = sender().send(seller.url, SECRET, "msg_1", BODY)
    assert result.delivered
    assert result.status_code == 200
    [request] = seller.received
    assert request.path == "/hooks/report"
    assert request.headers["webhook-id"] == "msg_1"
    assert request.headers["webhook-signature"].startswith("v1,")
    assert Webhook(SECRET).verify(request.body, request.headers) == json.loads(BODY)


def test_a_wrong_secret_does_not_verify() -> None:
    other = "whsec_" + base64.b64encode(b"another-secret-another-secret-32").decode()
    with receiver((200, {})) as seller:
        sender().send(seller.url, SECRET, "msg_1", BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(seller.received[0].body, seller.received[0].headers)


def test_signature_is_over_id_timestamp_and_body() -> None:
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, b"msg_1.1700000000." + BODY, hashlib.sha256).digest()).decode()
    assert sign(SECRET, "msg_1", 1700000000, BODY) == f"v1,{expected}"


def test_the_connection_goes_to_the_checked_address_with_the_host_name_kept() -> None:
    looked_up: list[str] = []

    def resolver(host: str, _port: int) -> list[str]:
        looked_up.append(host)
        return ["127.0.0.1"]

    with receiver((204, {})) as seller:
        url = f"http://reports.seller.test:{seller.port}/hooks/report"
        result = sender(resolver=resolver).send(url, SECRET, "msg_1", BODY)
    assert result.delivered
    assert looked_up == ["reports.seller.test"], "resolved once, then pinned"
    assert seller.received[0].headers["host"] == f"reports.seller.test:{seller.port}"


def test_5xx_is_retried_with_backoff_until_success() -> None:
    delays: list[float] = []
    with receiver((503, {}), (500, {}), (200, {})) as seller:
        result = sender(delays).send(seller.url, SECRET, "msg_1", BODY)
    assert result.delivered
    assert len(seller.received) == 3
    assert len(delays) == 2
    assert {request.headers["webhook-id"] for request in seller.received} == {"msg_1"}


def test_a_receiver_failing_every_time_is_reported_with_the_last_status() -> None:
    with receiver((502, {})) as seller:
        result = sender(policy=WebhookPolicy(attempts=3)).send(seller.url, SECRET, "msg_1", BODY)
    assert not result.delivered
    assert result.status_code == 502
    assert "failed 3 times" in (result.reason or "")
    assert len(seller.received) == 3


def test_a_4xx_is_final() -> None:
    with receiver((410, {})) as seller:
        result = sender().send(seller.url, SECRET, "msg_1", BODY)
    assert not result.delivered
    assert result.reason == "receiver answered HTTP 410"
    assert len(seller.received) == 1


def test_a_redirect_is_refused_not_followed() -> None:
    with receiver((200, {})) as target, receiver((302, {"location": "http://127.0.0.1/x"})) as seller:
        seller.answers = [(302, {"location": target.url})]
        result = sender().send(seller.url, SECRET, "msg_1", BODY)
    assert not result.delivered
    assert result.reason == "redirect refused (HTTP 302)"
    assert len(seller.received) == 1
    assert target.received == []


def test_loopback_is_refused_unless_allowed_and_nothing_is_sent() -> None:
    with receiver((200, {})) as seller:
        result = sender(allow_loopback=False).send(seller.url, SECRET, "msg_1", BODY)
    assert not result.delivered
    assert (result.reason or "").startswith("refused: ")
    assert seller.received == []


def test_a_private_name_is_refused_before_connecting() -> None:
    result = sender(allow_loopback=False, resolver=lambda _h, _p: ["10.0.0.1"]).send(
        "https://hooks.seller.example/r", SECRET, "msg_1", BODY
    )
    assert not result.delivered
    assert result.reason == "refused: hooks.seller.example resolves to a private address"


def test_network_errors_are_retried_then_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    delays: list[float] = []
    result = sender(delays, policy=WebhookPolicy(attempts=2)).send(
        f"http://127.0.0.1:{closed_port}/h", SECRET, "msg_1", BODY
    )
    assert not result.delivered
    assert result.status_code is None
    assert "ConnectError" in (result.reason or "")
    assert len(delays) == 1


def test_a_secret_that_is_not_whsec_base64_is_refused() -> None:
    with receiver((200, {})) as seller:
        result = sender().send(seller.url, "not-a-secret", "msg_1", BODY)
    assert not result.delivered
    assert seller.received == []


@contextmanager
def raw_receiver(answer: Iterator[bytes]) -> Iterator[str]:
    """A loopback server that reads the request, then writes ``answer`` chunk by chunk until it ends."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(65536)
                try:
                    for chunk in answer:
                        if stop.is_set():
                            break
                        connection.sendall(chunk)
                except OSError:
                    continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hooks/report"
    finally:
        stop.set()
        thread.join()
        server.close()


def trickle() -> Iterator[bytes]:
    """A 200 answer, one byte at a time with a pause between: per-read timeouts never fire."""
    for byte in b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok":
        time.sleep(0.3)
        yield bytes([byte])


def endless_body() -> Iterator[bytes]:
    yield b"HTTP/1.1 200 OK\r\ncontent-length: 1000000000\r\n\r\n"
    while True:
        yield b"\0" * 65536


def test_a_trickling_receiver_is_cut_off_at_the_deadline_and_not_counted_as_delivered() -> None:
    delays: list[float] = []
    policy = WebhookPolicy(attempts=2, attempt_seconds=0.6, total_seconds=1.5)
    with raw_receiver(trickle()) as url:
        result = sender(delays, policy=policy).send(url, SECRET, "msg_1", BODY)
    assert not result.delivered
    assert result.status_code is None
    assert result.reason == "failed 2 times (last: ReadTimeout)"
    assert result.attempts == 2


def test_the_deadline_bounds_the_attempts_and_their_backoff_together() -> None:
    ticks = iter(range(100))
    policy = WebhookPolicy(attempts=10, attempt_seconds=1, total_seconds=3, base_delay=0)
    with receiver((503, {})) as seller:
        result = sender(policy=policy, clock=lambda: float(next(ticks))).send(seller.url, SECRET, "m", BODY)
    assert not result.delivered
    assert result.attempts < 10
    assert "does not fit before the deadline" in (result.reason or "")


def test_a_huge_answer_is_not_read_past_the_cap() -> None:
    with raw_receiver(endless_body()) as url:
        result = sender().send(url, SECRET, "msg_1", BODY)
    assert result.delivered
    assert result.status_code == 200


def test_a_retry_after_within_the_deadline_is_honoured() -> None:
    delays: list[float] = []
    with receiver((429, {"retry-after": "1"}), (200, {})) as seller:
        result = sender(delays).send(seller.url, SECRET, "msg_1", BODY)
    assert result.delivered
    assert delays == [1.0]


def test_a_retry_after_beyond_the_deadline_ends_the_delivery_without_waiting() -> None:
    delays: list[float] = []
    with receiver((429, {"retry-after": "120"}), (200, {})) as seller:
        result = sender(delays).send(seller.url, SECRET, "msg_1", BODY)
    assert not result.delivered
    assert delays == []
    assert len(seller.received) == 1
    assert result.status_code == 429
    assert result.reason == (
        "failed once (last: HTTP 429); Retry-After 120 s does not fit before the deadline"
    )
