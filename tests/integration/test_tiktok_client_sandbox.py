"""The TikTok Shop client against the sandbox over real HTTP on loopback (no local stack needed)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr

from trackguard.clients.http import RetryingHttp, RetryPolicy
from trackguard.clients.tiktok_shop import (
    ShopCredentials,
    TikTokRateLimitedError,
    TikTokShopClient,
    TikTokSignatureError,
    TikTokUnavailableError,
    sign_request,
)
from trackguard_dev.local.sandboxes import SandboxRequest
from trackguard_dev.local.sandboxes.tiktok_shop import TikTokShopSandbox, create

PREFIX = "/_sandbox/tiktok-shop"
SECRETS = {"tiktok_shop": {"app_key": "dev-tiktok-app-key", "app_secret": "dev-tiktok-app-secret"}}
SHOP = ShopCredentials(shop_id="7494049642642441621", shop_cipher="ROW_cipher", access_token=SecretStr("tok"))


class Recorder:
    def __init__(self, sandbox: TikTokShopSandbox) -> None:
        self.sandbox = sandbox
        self.api_paths: list[str] = []
        self.base_url = ""


def serve(recorder: Recorder) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._delegate()

        def do_PUT(self) -> None:
            self._delegate()

        def _delegate(self) -> None:
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            request = SandboxRequest(
                method=self.command,
                path=url.path.removeprefix(PREFIX),
                query=parse_qs(url.query),
                headers={name.lower(): value for name, value in self.headers.items()},
                body=body,
            )
            recorder.api_paths.append(request.path)
            response = recorder.sandbox.handle(request)
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture
def recorder(tmp_path: Path) -> Iterator[Recorder]:
    recorder = Recorder(create(tmp_path, SECRETS))
    server = serve(recorder)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    recorder.base_url = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    yield recorder
    server.shutdown()
    server.server_close()


def client(
    recorder: Recorder, app_secret: str = "dev-tiktok-app-secret", attempts: int = 3
) -> TikTokShopClient:
    http = RetryingHttp(
        httpx.Client(base_url=recorder.base_url), RetryPolicy(attempts=attempts), sleep=lambda _: None
    )
    return TikTokShopClient(recorder.base_url, "dev-tiktok-app-key", SecretStr(app_secret), http)


def put(recorder: Recorder, path: str, document: dict[str, Any]) -> httpx.Response:
    return httpx.put(recorder.base_url + path, content=json.dumps(document))


def order(order_id: str) -> dict[str, Any]:
    return {
        "id": order_id,
        "status": "AWAITING_COLLECTION",
        "create_time": 1700000000,
        "update_time": 1700003600,
        "shipping_type": "SELLER",
        "packages": [{"id": f"pkg-{order_id}"}],
        "line_items": [
            {
                "id": f"li-{order_id}",
                "package_id": f"pkg-{order_id}",
                "tracking_number": "1Z999AA10123456784",
                "shipping_provider_name": "UPS",
            }
        ],
        "recipient_address": {"postal_code": "95110", "region_code": "US", "name": "Buyer Name"},
    }


def api_calls(recorder: Recorder) -> int:
    return sum(path == "/order/202309/orders" for path in recorder.api_paths)


def test_a_stored_order_comes_back_through_the_client(recorder: Recorder) -> None:
    assert put(recorder, "/orders/576461413038785752", order("576461413038785752")).json() == {
        "stored": "576461413038785752"
    }
    (fetched,) = client(recorder).get_orders(SHOP, ["576461413038785752", "404000000000000000"])
    assert fetched.status == "AWAITING_COLLECTION"
    assert [package.tracking_number for package in fetched.packages()] == ["1Z999AA10123456784"]


def test_stored_orders_survive_a_restart(recorder: Recorder, tmp_path: Path) -> None:
    put(recorder, "/orders/1001", order("1001"))
    recorder.sandbox = create(tmp_path, SECRETS)
    assert [o.id for o in client(recorder).get_orders(SHOP, ["1001"])] == ["1001"]


def test_a_wrong_app_secret_is_a_signature_error(recorder: Recorder) -> None:
    with pytest.raises(TikTokSignatureError) as caught:
        client(recorder, app_secret="not-the-secret").get_orders(SHOP, ["1"])
    assert (caught.value.http_status, caught.value.code) == (401, 106001)
    assert api_calls(recorder) == 1


def test_a_429_is_retried(recorder: Recorder) -> None:
    put(recorder, "/orders/2002", order("2002"))
    put(recorder, "/_faults", {"status": 429, "count": 1})
    assert [o.id for o in client(recorder).get_orders(SHOP, ["2002"])] == ["2002"]
    assert api_calls(recorder) == 2


def test_500s_beyond_the_attempt_budget(recorder: Recorder) -> None:
    put(recorder, "/_faults", {"status": 500, "count": 5})
    with pytest.raises(TikTokUnavailableError):
        client(recorder, attempts=3).get_orders(SHOP, ["1"])
    assert api_calls(recorder) == 3


def test_429s_beyond_the_attempt_budget(recorder: Recorder) -> None:
    put(recorder, "/_faults", {"status": 429, "count": 2})
    with pytest.raises(TikTokRateLimitedError):
        client(recorder, attempts=2).get_orders(SHOP, ["1"])


def test_sixty_ids_take_two_calls(recorder: Recorder) -> None:
    ids = [str(3000 + n) for n in range(60)]
    for order_id in ids[::7]:
        put(recorder, f"/orders/{order_id}", order(order_id))
    fetched = client(recorder).get_orders(SHOP, ids)
    assert api_calls(recorder) == 2
    assert [o.id for o in fetched] == ids[::7]


def signed_query(ids: str, timestamp: int) -> dict[str, str]:
    query = {"app_key": "dev-tiktok-app-key", "ids": ids, "shop_cipher": "c", "timestamp": str(timestamp)}
    return {**query, "sign": sign_request("dev-tiktok-app-secret", "/order/202309/orders", query)}


@pytest.mark.parametrize(
    ("ids", "age", "token", "status", "code"),
    [
        (",".join(str(n) for n in range(51)), 0, "tok", 400, 36009004),
        ("1", 301, "tok", 401, 106002),
        ("1", 0, "", 401, 105001),
    ],
)
def test_the_sandbox_refuses_like_tiktok(
    recorder: Recorder, ids: str, age: int, token: str, status: int, code: int
) -> None:
    response = httpx.get(
        recorder.base_url + "/order/202309/orders",
        params=signed_query(ids, int(time.time()) - age),
        headers={"x-tts-access-token": token},
    )
    assert response.status_code == status
    assert response.json()["code"] == code
