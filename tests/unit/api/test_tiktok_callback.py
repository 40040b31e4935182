"""The callback function answers every refusal with an HTML page that no browser or proxy keeps."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import SecretStr

from tests.support.lambda_events import FakeLambdaContext, api_event, load_function
from trackguard.clients.tiktok_auth import TokenGrant
from trackguard.clients.tiktok_shop import AuthorizedShop
from trackguard.services.tiktok_authorization import TikTokConnector, sign_state
from trackguard.storage.dynamo import Table
from trackguard.storage.store import Store

SECRET = SecretStr("dev-tiktok-app-secret")
SERVICE_ID = "7310000000000000001"
EVENTS = Path(__file__).resolve().parents[3] / "events"


class NoTikTok:
    """Nothing may reach TikTok when the request itself is refused."""

    def exchange_code(self, auth_code: str) -> TokenGrant:
        raise AssertionError("the code must not be exchanged")

    def get_authorized_shops(self, access_token: SecretStr) -> list[AuthorizedShop]:
        raise AssertionError("the shops must not be read")

    def put(self, shop_id: str, record: object) -> None:
        raise AssertionError("nothing may be stored")

    def release(self, seller_id: str) -> int:
        raise AssertionError("no parked delivery may be released")


@pytest.fixture
def callback(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    function = load_function("tiktok_oauth")
    never = NoTikTok()
    connector = TikTokConnector(
        store=Store.for_table(Table("no-table-is-touched"), due_shards=1),
        tokens=never,
        parked=never,
        auth=never,
        shops=never,
        app_secrets=(SECRET,),
        service_id=SERVICE_ID,
    )
    monkeypatch.setattr(function, "connector", lambda: connector)
    return function


@pytest.mark.filterwarnings("ignore:No application metrics")
@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        (None, 400, "did not carry trackguard&#x27;s state"),
        ({"code": "c", "state": "1.forged.state"}, 400, "did not carry"),
        ({"code": "null", "error": "access_denied", "state": "VALID"}, 403, "Authorisation declined"),
        ({"code": "null", "error": "auth_denied", "state": "VALID"}, 403, "Authorisation declined"),
        ({"error": "<script>alert(1)</script>", "state": "VALID"}, 403, "TikTok Shop answered an error"),
    ],
)
def test_a_refusal_is_an_uncached_html_page(
    callback: ModuleType, query: dict[str, str] | None, status: int, says: str
) -> None:
    if query and query.get("state") == "VALID":
        query = {**query, "state": sign_state(SECRET, SERVICE_ID, datetime.now(UTC))}

    answer = callback.lambda_handler(
        api_event("GET", "/oauth/tiktok-shop/callback", None, query), FakeLambdaContext()
    )

    assert answer["statusCode"] == status
    assert answer["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert answer["headers"]["Cache-Control"] == "no-store"
    assert says in answer["body"]
    assert "Nothing was connected" in answer["body"]


def test_the_sample_event_is_a_callback_request() -> None:
    event = json.loads((EVENTS / "tiktok_oauth_callback.json").read_text())

    assert event["routeKey"] == "GET /oauth/tiktok-shop/callback"
    assert set(event["queryStringParameters"]) == {"code", "state"}
