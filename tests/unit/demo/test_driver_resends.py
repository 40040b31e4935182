"""The demo sends as the senders do: a 5xx answer is sent again (and counted), a 4xx is not."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from trackguard_dev.demo import driver
from trackguard_dev.demo.day import plan_day
from trackguard_dev.demo.payloads import Request
from trackguard_dev.demo.stack import StackHandle

PATH = "/webhooks/carriers/ups"


class ScriptedReceiver(BaseHTTPRequestHandler):
    """Answers each POST with the next status of ``script``; remembers the bodies it was sent."""

    script: ClassVar[list[int]] = []
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        self.bodies.append(self.rfile.read(int(self.headers["content-length"])))
        status = self.script.pop(0)
        self.send_response(status)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_: object) -> None:
        """Quiet: the test reads what was sent, not the server's log."""


@pytest.fixture
def receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedReceiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ScriptedReceiver.bodies.clear()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def demo_driver(receiver: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[driver.Driver]:
    monkeypatch.setattr(driver, "SENDER_BACKOFF_SECONDS", 0.0)
    handle = StackHandle(api_url=receiver, environment={}, secrets={})
    demo = driver.Driver(handle, plan_day(seed=1, orders=1, now=datetime.now(UTC)))
    yield demo
    demo.close()


def test_a_5xx_is_sent_again_until_it_is_stored(demo_driver: driver.Driver) -> None:
    ScriptedReceiver.script[:] = [500, 503, 200]

    demo_driver.post(Request(PATH, {"credential": "c"}, b'{"n":1}'))

    assert ScriptedReceiver.bodies == [b'{"n":1}'] * 3
    assert demo_driver.observed.resent == {PATH: 2}


def test_a_4xx_is_not_sent_again(demo_driver: driver.Driver) -> None:
    ScriptedReceiver.script[:] = [401]

    with pytest.raises(RuntimeError, match="answered 401"):
        demo_driver.post(Request(PATH, {}, b"{}"))

    assert len(ScriptedReceiver.bodies) == 1
    assert not demo_driver.observed.resent


def test_a_5xx_that_persists_fails_the_demo(demo_driver: driver.Driver) -> None:
    ScriptedReceiver.script[:] = [500] * driver.SENDER_ATTEMPTS

    with pytest.raises(RuntimeError, match="answered 500"):
        demo_driver.post(Request(PATH, {}, b"{}"))

    assert len(ScriptedReceiver.bodies) == driver.SENDER_ATTEMPTS
