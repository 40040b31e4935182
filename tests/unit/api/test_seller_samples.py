"""The sample events (sam local invoke -e) are requests the seller functions accept."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.lambda_events import FakeLambdaContext, json_body, load_function
from trackguard.api.seller_routes import access_refusal, openapi_document
from trackguard.services.sellers import KeyRefusal, authenticate, bearer_token
from trackguard.wiring import on_first_use

EVENTS = Path(__file__).resolve().parents[3] / "events"
API_SAMPLES = sorted(EVENTS.glob("seller_api_*.json"))


def load(path: Path) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return event


def documented(method: str, path: str) -> bool:
    for template, operations in json.loads(openapi_document())["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            return True
    return False


def test_there_is_a_sample_for_every_seller_route() -> None:
    assert len(API_SAMPLES) == 4


@pytest.mark.parametrize("sample", API_SAMPLES, ids=lambda path: path.stem)
def test_each_api_sample_is_a_documented_route_its_caller_may_use(sample: Path) -> None:
    event = load(sample)

    assert documented(event["requestContext"]["http"]["method"], event["rawPath"])
    assert access_refusal(event["rawPath"], event["requestContext"]["authorizer"]["lambda"]) is None


def test_the_authorizer_sample_carries_a_well_formed_key_that_no_table_knows() -> None:
    event = load(EVENTS / "seller_authorizer.json")

    class NoKeys:
        def find_key(self, key_hash: str) -> None:
            return None

    assert authenticate(bearer_token(event["headers"]), NoKeys()) is KeyRefusal.UNKNOWN


def test_an_api_sample_reaches_its_route_once_access_is_granted(monkeypatch: pytest.MonkeyPatch) -> None:
    from trackguard.api import seller_routes
    from trackguard.services.seller_api import OrderNotFoundError

    class NoOrders:
        def order(self, seller_id: str, order_id: str) -> None:
            raise OrderNotFoundError(f"no order {order_id} for seller {seller_id}")

    monkeypatch.setattr(seller_routes, "seller_api", on_first_use(NoOrders))
    answer = load_function("seller_api").lambda_handler(
        load(EVENTS / "seller_api_order.json"), FakeLambdaContext()
    )

    assert answer["statusCode"] == 404
    assert json_body(answer)["message"] == "no order 576461413038785752 for seller demo-shop"
