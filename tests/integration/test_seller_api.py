"""The seller API end to end through its two functions: the authorizer's verdict, then the routes.

Each request first goes to the authorizer handler with the Bearer key; its context is passed on under
requestContext.authorizer.lambda, as API Gateway does. DynamoDB Local holds the data; reports are in
S3 served by moto.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.support.builders import T0, a_flag, a_package, an_event, an_order
from tests.support.fakes import DictSecrets
from tests.support.lambda_events import (
    FakeLambdaContext,
    api_event,
    authorizer_event,
    json_body,
    load_function,
)
from trackguard.api import seller_routes
from trackguard.domain.flags import Flag
from trackguard.domain.orders import ShipmentState
from trackguard.domain.status import FlagCode, TrackingStatus
from trackguard.services.seller_api import SellerApiService
from trackguard.services.sellers import Authorizer, IssuedKey, SellerSecrets, SellerService
from trackguard.storage.reports import ReportStore, report_key
from trackguard.storage.store import Store
from trackguard.storage.tracking import PackageRef
from trackguard.wiring import on_first_use
from trackguard_dev.local.dynamodb_local import free_port

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

pytestmark = pytest.mark.integration

BUCKET = "trackguard-reports-test"
NUMBER = "1Z5R89390357567127"

authorizer_function = load_function("seller_authorizer")
seller_api_function = load_function("seller_api")


@pytest.fixture(scope="module")
def s3_client() -> Iterator[S3Client]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    client = boto3.client(
        "s3",
        endpoint_url=f"http://{host}:{port}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    yield client
    server.stop()


@pytest.fixture
def reports(s3_client: S3Client) -> Iterator[ReportStore]:
    yield ReportStore(BUCKET, s3_client)
    for entry in s3_client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3_client.delete_object(Bucket=BUCKET, Key=entry["Key"])


@pytest.fixture
def keys(store: Store, reports: ReportStore, monkeypatch: pytest.MonkeyPatch) -> dict[str, IssuedKey]:
    """Both functions wired to this test's table; sellers A and B registered, one key each."""
    monkeypatch.setattr(authorizer_function, "authorizer", lambda: Authorizer(lambda: store.sellers))
    monkeypatch.setattr(seller_routes, "seller_api", on_first_use(lambda: SellerApiService(store, reports)))
    sellers = SellerService(store.sellers, SellerSecrets(DictSecrets()))
    return {seller_id: sellers.register(seller_id) for seller_id in ("shop-a", "shop-b")}


def call(
    method: str, path: str, authorization: str | None, query: dict[str, str] | None = None
) -> tuple[int, Any, dict[str, str]]:
    verdict = authorizer_function.lambda_handler(authorizer_event(path, authorization), FakeLambdaContext())
    assert verdict["isAuthorized"] is True
    answer = seller_api_function.lambda_handler(
        api_event(method, path, verdict["context"], query), FakeLambdaContext()
    )
    content_type = answer["headers"]["Content-Type"]
    body = json_body(answer) if content_type.startswith("application/json") else answer["body"]
    return answer["statusCode"], body, answer["headers"]


def bearer(issued: IssuedKey) -> str:
    return f"Bearer {issued.api_key}"


def raise_flags(store: Store, seller_id: str, count: int) -> list[Flag]:
    flags = [
        a_flag(seller_id=seller_id, package_id=f"p-{index}", detected_at=T0 + timedelta(minutes=index))
        for index in range(count)
    ]
    for flag in flags:
        assert store.flags.raise_flag(flag)
    return flags


def test_a_key_opens_its_own_sellers_paths_only(store: Store, keys: dict[str, IssuedKey]) -> None:
    [flag] = raise_flags(store, "shop-b", 1)
    routes = [
        ("GET", "/sellers/shop-b/orders/o-1"),
        ("GET", "/sellers/shop-b/flags"),
        ("POST", f"/sellers/shop-b/flags/{flag.flag_id}/acknowledge"),
        ("GET", "/sellers/shop-b/reports/latest"),
    ]

    for method, path in routes:
        status, body, _ = call(method, path, bearer(keys["shop-a"]))
        assert (status, body["error"]) == (403, "forbidden"), path

    assert store.flags.get("shop-b", flag.flag_id).status.value == "open"
    assert call("GET", "/sellers/shop-b/flags", bearer(keys["shop-b"]))[0] == 200


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Basic c2hvcDpwYXNz", "Bearer tg_nothing", "Bearer tg_0123abcd_" + "x" * 43],
)
def test_without_a_valid_key_every_route_answers_401(
    store: Store, keys: dict[str, IssuedKey], authorization: str | None
) -> None:
    status, body, _ = call("GET", "/sellers/shop-a/flags", authorization)

    assert status == 401
    assert body["error"] == "unauthorized"
    assert set(body) == {"error", "message"}


def test_a_revoked_key_answers_401_and_a_rotated_one_works(store: Store, keys: dict[str, IssuedKey]) -> None:
    sellers = SellerService(store.sellers, SellerSecrets(DictSecrets()))
    rotated = sellers.rotate_key("shop-a")
    sellers.revoke_key("shop-a", keys["shop-a"].key_id)

    status, body, _ = call("GET", "/sellers/shop-a/flags", bearer(keys["shop-a"]))

    assert (status, body["message"]) == (401, "the API key has been revoked")
    assert call("GET", "/sellers/shop-a/flags", bearer(rotated))[0] == 200


def test_flags_are_listed_newest_first_across_pages(store: Store, keys: dict[str, IssuedKey]) -> None:
    flags = raise_flags(store, "shop-a", 5)
    raise_flags(store, "shop-b", 2)
    seen: list[str] = []
    cursor: str | None = None

    for _ in range(3):
        query = {"status": "open", "limit": "2", **({"cursor": cursor} if cursor else {})}
        status, page, _ = call("GET", "/sellers/shop-a/flags", bearer(keys["shop-a"]), query)
        assert status == 200
        seen += [flag["flag_id"] for flag in page["flags"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == [flag.flag_id for flag in reversed(flags)]
    assert cursor is None


def test_flags_filter_by_status_and_code(store: Store, keys: dict[str, IssuedKey]) -> None:
    first, second = raise_flags(store, "shop-a", 2)
    customs = a_flag(seller_id="shop-a", package_id="p-9", code=FlagCode.CUSTOMS_HOLD)
    store.flags.raise_flag(customs)
    call("POST", f"/sellers/shop-a/flags/{first.flag_id}/acknowledge", bearer(keys["shop-a"]))

    def ids(query: dict[str, str]) -> set[str]:
        status, page, _ = call("GET", "/sellers/shop-a/flags", bearer(keys["shop-a"]), query)
        assert status == 200
        return {flag["flag_id"] for flag in page["flags"]}

    assert ids({}) == {second.flag_id, customs.flag_id}
    assert ids({"status": "acknowledged"}) == {first.flag_id}
    assert ids({"status": "all"}) == {first.flag_id, second.flag_id, customs.flag_id}
    assert ids({"status": "all", "code": "CUSTOMS_HOLD"}) == {customs.flag_id}
    assert ids({"status": "resolved"}) == set()


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"status": "closed"}, "invalid_request"),
        ({"code": "LATE"}, "invalid_request"),
        ({"limit": "500"}, "invalid_request"),
        ({"cursor": "not-a-cursor"}, "invalid_cursor"),
    ],
)
def test_bad_listing_parameters_answer_400(
    keys: dict[str, IssuedKey], query: dict[str, str], error: str
) -> None:
    status, body, _ = call("GET", "/sellers/shop-a/flags", bearer(keys["shop-a"]), query)

    assert (status, body["error"]) == (400, error)


def cursor_of(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda key: {name: value for name, value in key.items() if name != "sk"},
        lambda key: {**key, "gsi2sk": {"N": "1"}},
        lambda key: {**key, "extra": {"S": "x"}},
        lambda key: {**key, "pk": {"S": ["ORDER#shop-a#o-1"]}},
        lambda key: [key],
        lambda key: {**key, "gsi2sk": "01JAAAAAAAAAAAAAAAAAAAAAAA"},
    ],
    ids=["missing key", "number key", "extra key", "list value", "not an object", "bare string"],
)
def test_a_tampered_cursor_answers_400_in_the_contracts_error_shape(
    store: Store, keys: dict[str, IssuedKey], tamper: Any
) -> None:
    raise_flags(store, "shop-a", 3)
    _, page, _ = call("GET", "/sellers/shop-a/flags", bearer(keys["shop-a"]), {"limit": "1"})
    key = json.loads(base64.urlsafe_b64decode(page["next_cursor"]))

    status, body, _ = call(
        "GET",
        "/sellers/shop-a/flags",
        bearer(keys["shop-a"]),
        {"limit": "1", "cursor": cursor_of(tamper(key))},
    )

    assert status == 400
    assert set(body) >= {"error", "message"}
    assert body["error"] == "invalid_cursor"


def test_path_parameters_are_decoded_exactly_once(store: Store, keys: dict[str, IssuedKey]) -> None:
    for order_id in ("A/B 1;x", "%41"):
        store.orders.save_order(an_order("shop-a", order_id))

    slashed, order, _ = call(
        "GET", f"/sellers/shop-a/orders/{quote('A/B 1;x', safe='')}", bearer(keys["shop-a"])
    )
    percent, literal, _ = call("GET", "/sellers/shop-a/orders/%2541", bearer(keys["shop-a"]))
    unknown, _, _ = call("GET", "/sellers/shop-a/orders/%41", bearer(keys["shop-a"]))

    assert (slashed, order["order_id"]) == (200, "A/B 1;x")
    assert (percent, literal["order_id"]) == (200, "%41")
    assert unknown == 404, "%41 decodes to A: no such order"


def test_another_sellers_cursor_is_refused(store: Store, keys: dict[str, IssuedKey]) -> None:
    raise_flags(store, "shop-b", 3)
    _, page, _ = call("GET", "/sellers/shop-b/flags", bearer(keys["shop-b"]), {"limit": "1"})

    status, body, _ = call(
        "GET", "/sellers/shop-a/flags", bearer(keys["shop-a"]), {"cursor": page["next_cursor"]}
    )

    assert (status, body["error"]) == (400, "invalid_cursor")


def test_acknowledging_answers_the_flag_now_acknowledged(store: Store, keys: dict[str, IssuedKey]) -> None:
    [flag] = raise_flags(store, "shop-a", 1)

    status, body, _ = call(
        "POST", f"/sellers/shop-a/flags/{flag.flag_id}/acknowledge", bearer(keys["shop-a"])
    )

    assert status == 200
    assert (body["flag_id"], body["status"]) == (flag.flag_id, "acknowledged")
    assert body["acknowledged_at"] is not None
    assert body["evidence"] == {"message": flag.message, "fields": {"hours_without_scan": 30}}
    assert store.flags.get("shop-a", flag.flag_id).status.value == "acknowledged"


def test_acknowledging_an_unknown_or_another_sellers_flag_answers_404(
    store: Store, keys: dict[str, IssuedKey]
) -> None:
    [flag_of_b] = raise_flags(store, "shop-b", 1)

    for flag_id in ("01JUNKNOWNFLAG0000000000000", flag_of_b.flag_id):
        status, body, _ = call("POST", f"/sellers/shop-a/flags/{flag_id}/acknowledge", bearer(keys["shop-a"]))
        assert (status, body["error"]) == (404, "not_found")

    assert store.flags.get("shop-b", flag_of_b.flag_id).status.value == "open"


def test_an_order_shows_its_packages_timeline_newest_first_and_flags(
    store: Store, keys: dict[str, IssuedKey]
) -> None:
    store.orders.save_order(an_order("shop-a", "o-1"))
    store.orders.save_package(a_package("shop-a", "o-1", "p-1", detected_carrier="ups"), None)
    events = [
        an_event(TrackingStatus.INFO_RECEIVED, T0 + timedelta(hours=1), code="MP"),
        an_event(TrackingStatus.OUT_FOR_DELIVERY, T0 + timedelta(hours=30), code="OT"),
        an_event(TrackingStatus.IN_TRANSIT, T0 + timedelta(hours=8), code="I"),
    ]
    store.tracking.put_events(events)
    state = ShipmentState(status=TrackingStatus.OUT_FOR_DELIVERY, event_count=3)
    store.orders.update_state(PackageRef("shop-a", "o-1", "p-1"), NUMBER, state)
    older, newer = raise_flags(store, "shop-a", 2)

    status, order, _ = call("GET", "/sellers/shop-a/orders/o-1", bearer(keys["shop-a"]))

    assert status == 200
    assert (order["order_id"], order["status"]) == ("o-1", "AWAITING_SHIPMENT")
    assert order["destination"] == {"postal_code": "95110", "country": "US"}
    [package] = order["packages"]
    assert package["tracking_number"] == NUMBER
    assert (package["declared_carrier"], package["detected_carrier"]) == ("ups", "ups")
    assert package["tracking_status"] == "OUT_FOR_DELIVERY"
    assert [entry["source_code"] for entry in package["timeline"]] == ["OT", "I", "MP"]
    assert package["timeline"][0] == {
        "time": "2026-11-03T15:00:00Z",
        "status": "OUT_FOR_DELIVERY",
        "reason": None,
        "source_code": "OT",
        "description": "Out For Delivery",
        "location": "Louisville, US",
    }
    assert [flag["flag_id"] for flag in order["flags"]] == [newer.flag_id, older.flag_id]


def test_an_unknown_order_answers_404(keys: dict[str, IssuedKey]) -> None:
    status, body, _ = call("GET", "/sellers/shop-a/orders/o-404", bearer(keys["shop-a"]))

    assert (status, body["error"]) == (404, "not_found")


def test_the_latest_report_is_404_until_one_exists(keys: dict[str, IssuedKey]) -> None:
    status, body, _ = call("GET", "/sellers/shop-a/reports/latest", bearer(keys["shop-a"]))

    assert (status, body["error"]) == (404, "not_found")


def test_the_latest_report_is_the_newest_in_the_format_asked(
    keys: dict[str, IssuedKey], s3_client: S3Client
) -> None:
    objects = {
        report_key("shop-a", "2026-11-01", "json"): json.dumps({"date": "2026-11-01"}),
        report_key("shop-a", "2026-11-02", "json"): json.dumps({"date": "2026-11-02"}),
        report_key("shop-a", "2026-11-02", "csv"): "order_id,code\no-1,NO_CARRIER_SCAN\n",
        report_key("shop-a", "2026-11-03", "html"): "<h1>3 Nov</h1>",
        report_key("shop-ab", "2026-12-31", "json"): json.dumps({"date": "not mine"}),
    }
    for key, body in objects.items():
        s3_client.put_object(Bucket=BUCKET, Key=key, Body=body.encode())
    key = bearer(keys["shop-a"])

    json_status, json_report, _ = call("GET", "/sellers/shop-a/reports/latest", key)
    csv_status, csv_report, csv_headers = call(
        "GET", "/sellers/shop-a/reports/latest", key, {"format": "csv"}
    )
    html_status, html_report, _ = call("GET", "/sellers/shop-a/reports/latest", key, {"format": "html"})

    assert (json_status, json_report) == (200, {"date": "2026-11-02"})
    assert (csv_status, csv_report) == (200, "order_id,code\no-1,NO_CARRIER_SCAN\n")
    assert csv_headers["Content-Type"].startswith("text/csv")
    assert "2026-11-02.csv" in csv_headers["Content-Disposition"]
    assert (html_status, html_report) == (200, "<h1>3 Nov</h1>")
    assert call("GET", "/sellers/shop-a/reports/latest", key, {"format": "pdf"})[0] == 400
