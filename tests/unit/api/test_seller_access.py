"""Who may use the seller API: key parsing, the authorizer's verdict, and 401/403 before anything else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.lambda_events import FakeLambdaContext, api_event, json_body, load_function
from trackguard.api.seller_routes import access_refusal
from trackguard.domain.sellers import ApiKey, KeyStatus, hash_api_key, new_api_key
from trackguard.services.sellers import (
    Caller,
    KeyRefusal,
    authenticate,
    authorizer_answer,
    bearer_token,
    caller_from_context,
)

seller_api = load_function("seller_api")

SELLER_ROUTES = [
    ("GET", "/sellers/shop-b/orders/o-1"),
    ("GET", "/sellers/shop-b/flags"),
    ("POST", "/sellers/shop-b/flags/01JBFLAG/acknowledge"),
    ("GET", "/sellers/shop-b/reports/latest"),
]


class KeysInMemory:
    def __init__(self, *keys: ApiKey) -> None:
        self._keys = {key.key_hash: key for key in keys}
        self.lookups = 0

    def find_key(self, key_hash: str) -> ApiKey | None:
        self.lookups += 1
        return self._keys.get(key_hash)


def stored(api_key: str, key_id: str, status: KeyStatus = KeyStatus.ACTIVE) -> ApiKey:
    return ApiKey(
        key_id=key_id,
        seller_id="shop-a",
        key_hash=hash_api_key(api_key),
        status=status,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("headers", "token"),
    [
        ({"authorization": "Bearer tg_x"}, "tg_x"),
        ({"Authorization": "bearer  tg_x "}, "tg_x"),
        ({"authorization": "Basic dXNlcjpwYXNz"}, ""),
        ({"authorization": "tg_x"}, ""),
        ({}, None),
        (None, None),
    ],
)
def test_the_bearer_token_is_read_from_the_authorization_header(
    headers: dict[str, str] | None, token: str | None
) -> None:
    assert bearer_token(headers) == token


def test_an_active_key_names_its_seller_and_key() -> None:
    api_key, key_id = new_api_key()

    assert authenticate(api_key, KeysInMemory(stored(api_key, key_id))) == Caller("shop-a", key_id)


@pytest.mark.parametrize("token", ["", "tg_", "tg_abcd_secret", "sk_live_123", "tg_0123abcd_short"])
def test_a_malformed_key_is_refused_without_a_lookup(token: str) -> None:
    keys = KeysInMemory()

    assert authenticate(token, keys) is KeyRefusal.MALFORMED
    assert keys.lookups == 0


def test_a_missing_unknown_or_revoked_key_is_refused_with_its_reason() -> None:
    revoked_key, revoked_id = new_api_key()
    keys = KeysInMemory(stored(revoked_key, revoked_id, KeyStatus.REVOKED))
    unknown_key, _ = new_api_key()

    assert authenticate(None, keys) is KeyRefusal.MISSING
    assert authenticate(unknown_key, keys) is KeyRefusal.UNKNOWN
    assert authenticate(revoked_key, keys) is KeyRefusal.REVOKED


def test_a_stored_key_under_another_id_is_not_accepted() -> None:
    api_key, key_id = new_api_key()
    keys = KeysInMemory(stored(api_key, "ffffffff" if key_id != "ffffffff" else "00000000"))

    assert authenticate(api_key, keys) is KeyRefusal.UNKNOWN


def test_the_authorizer_lets_every_request_through_with_its_verdict() -> None:
    api_key, key_id = new_api_key()
    keys = KeysInMemory(stored(api_key, key_id))

    accepted = authorizer_answer({"authorization": f"Bearer {api_key}"}, keys)
    refused = authorizer_answer({"authorization": "Bearer nonsense"}, keys)

    assert accepted == {"isAuthorized": True, "context": {"seller_id": "shop-a", "key_id": key_id}}
    assert refused == {"isAuthorized": True, "context": {"refusal": "malformed_key"}}
    assert caller_from_context(accepted["context"]) == Caller("shop-a", key_id)
    assert caller_from_context(refused["context"]) is KeyRefusal.MALFORMED


@pytest.mark.parametrize("context", [None, {}, {"refusal": "made_up"}, {"seller_id": "shop-a"}])
def test_without_a_verdict_of_the_authorizer_nothing_is_open(context: dict[str, str] | None) -> None:
    assert isinstance(caller_from_context(context), KeyRefusal)


def test_access_is_checked_on_seller_paths_only() -> None:
    own = {"seller_id": "shop-a", "key_id": "k"}

    assert access_refusal("/health", {}) is None
    assert access_refusal("/sellers/shop-a/flags", own) is None
    refused = access_refusal("/sellers/shop-a/flags", {"refusal": "revoked_key"})
    forbidden = access_refusal("/sellers/shop-b/flags", own)
    assert refused is not None
    assert (refused.status, refused.code) == (401, "unauthorized")
    assert forbidden is not None
    assert (forbidden.status, forbidden.code) == (403, "forbidden")


@pytest.mark.parametrize(("method", "path"), SELLER_ROUTES)
def test_every_seller_route_answers_401_without_a_valid_key(method: str, path: str) -> None:
    for context in (None, {"refusal": "missing_key"}, {"refusal": "revoked_key"}):
        answer = seller_api.lambda_handler(api_event(method, path, context), FakeLambdaContext())

        assert answer["statusCode"] == 401
        assert json_body(answer)["error"] == "unauthorized"


@pytest.mark.parametrize(("method", "path"), SELLER_ROUTES)
def test_every_seller_route_answers_403_to_another_sellers_key(method: str, path: str) -> None:
    context = {"seller_id": "shop-a", "key_id": "0123abcd"}

    answer = seller_api.lambda_handler(api_event(method, path, context), FakeLambdaContext())

    assert answer["statusCode"] == 403
    assert json_body(answer) == {
        "error": "forbidden",
        "message": "this API key opens its own seller's paths only",
    }


def test_access_is_refused_before_the_query_is_validated() -> None:
    bad_query = {"status": "bogus", "limit": "0"}
    own = {"seller_id": "shop-b", "key_id": "0123abcd"}

    unauthorised = api_event("GET", "/sellers/shop-b/flags", {"refusal": "unknown_key"}, bad_query)
    forbidden = api_event("GET", "/sellers/shop-b/flags", {"seller_id": "shop-a", "key_id": "k"}, bad_query)
    invalid = api_event("GET", "/sellers/shop-b/flags", own, bad_query)

    assert seller_api.lambda_handler(unauthorised, FakeLambdaContext())["statusCode"] == 401
    assert seller_api.lambda_handler(forbidden, FakeLambdaContext())["statusCode"] == 403
    answer = seller_api.lambda_handler(invalid, FakeLambdaContext())
    assert answer["statusCode"] == 400
    body = json_body(answer)
    assert body["error"] == "invalid_request"
    assert {problem["field"] for problem in body["details"]} == {"status", "limit"}


def test_health_needs_no_key() -> None:
    answer = seller_api.lambda_handler(api_event("GET", "/health", None), FakeLambdaContext())

    assert (answer["statusCode"], json_body(answer)) == (200, {"status": "ok"})
