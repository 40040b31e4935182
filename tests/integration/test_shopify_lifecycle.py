"""Shopify's lifecycle topics through ingestion and processing, checked in the table (DynamoDB Local),
in S3, Secrets Manager and SES (moto server), and at a real loopback webhook receiver."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

import boto3
import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from tests.support.builders import T0, a_flag, an_event
from tests.support.fakes import DictSecrets, RecordingPublisher
from tests.support.payloads import shopify_fulfillment, shopify_order
from tests.support.receiver import receiver
from tests.support.shops import RecordingRelease, dev_webhook_secrets, register, shop_sync_for, signed_shopify
from trackguard.clients.email import SesMailer, outbox
from trackguard.clients.secret_store import SecretStore
from trackguard.clients.seller_webhooks import SellerWebhookSender, WebhookPolicy
from trackguard.domain.status import ExceptionReason, FlagCode, FlagStatus, TrackingStatus
from trackguard.rules.thresholds import Thresholds
from trackguard.services.data_requests import DataRequestAnswer
from trackguard.services.erasure import SellerErasure
from trackguard.services.ingest import ShopIngestService
from trackguard.services.judging import OrderJudge
from trackguard.services.messages import ShopDeliveryMessage, TrackingUpdateMessage
from trackguard.services.processing import Processor
from trackguard.services.reconcile import ReconcileMessage, ReconcileWorker
from trackguard.services.sellers import SellerChanges, SellerSecrets, SellerService
from trackguard.services.shipments import ShipmentUpdater
from trackguard.services.shop_lifecycle import ShopifyLifecycle
from trackguard.storage.deliveries import DeliveryStatus
from trackguard.storage.dynamo import from_attributes
from trackguard.storage.erasure import ErasureRepository
from trackguard.storage.reports import ReportStore
from trackguard.storage.store import Store

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_secretsmanager.client import SecretsManagerClient
    from mypy_boto3_ses.client import SESClient

pytestmark = pytest.mark.integration

SHOP = "acme.myshopify.com"
OTHER = "other-shop.myshopify.com"
BUCKET = "trackguard-reports"
SENDER = "reports@trackguard.test"
ORDER_A, ORDER_B = 820982911946154508, 820982911946154509
CUSTOMER: dict[str, Any] = {"id": 207119551, "email": "jane.buyer@example.com", "phone": "+12025550143"}


def aws_client(service: Literal["s3", "secretsmanager", "ses"], endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@dataclass
class Aws:
    s3: S3Client
    secrets: SecretsManagerClient
    ses: SESClient


@pytest.fixture
def aws(moto_endpoint: str) -> Aws:
    httpx.post(f"{moto_endpoint}/moto-api/reset")
    clients = Aws(
        aws_client("s3", moto_endpoint),
        aws_client("secretsmanager", moto_endpoint),
        aws_client("ses", moto_endpoint),
    )
    clients.s3.create_bucket(Bucket=BUCKET)
    clients.ses.verify_email_identity(EmailAddress=SENDER)
    return clients


class Pipeline:
    """Webhook ingestion and the processor, wired as deployed but for the TikTok API and the queue."""

    def __init__(self, store: Store, aws: Aws) -> None:
        self.store = store
        self.seller_secrets = DictSecrets()
        self.token_secrets = SecretStore("test/shop-tokens/", aws.secrets)
        self.webhook_secrets = SecretStore("test/seller-secrets/", aws.secrets)
        self.objects = ReportStore(BUCKET, aws.s3)
        self.release = RecordingRelease()
        self.sellers = SellerService(store.sellers, SellerSecrets(self.webhook_secrets))
        erasure = SellerErasure(
            ErasureRepository(store.table), self.objects, (self.token_secrets, self.webhook_secrets)
        )
        answer = DataRequestAnswer(
            store=store,
            objects=self.objects,
            webhooks=SellerWebhookSender(
                allow_loopback=True, policy=WebhookPolicy(attempts=1), sleep=lambda _seconds: None
            ),
            mailer=SesMailer(aws.ses),
            sender_email=SENDER,
            webhook_secret=SellerSecrets(self.webhook_secrets).webhook_secret,
        )
        publisher = RecordingPublisher()
        updater = self.updater = ShipmentUpdater(store, publisher)
        lifecycle = ShopifyLifecycle(store, lambda: erasure, lambda: answer)
        self.ingest = ShopIngestService(store.deliveries, dev_webhook_secrets)
        self.processor = Processor(
            store=store,
            build_shop_sync=lambda: shop_sync_for(store, updater, NoTikTok(), lifecycle, self.release),
            updater=updater,
            judge=OrderJudge(store, publisher, Thresholds()),
            clock=lambda: T0 + timedelta(hours=1),
        )

    def send(
        self, topic: str, document: dict[str, Any], event_id: str, shop: str = SHOP, hours: float = 0
    ) -> str:
        raw = signed_shopify(topic, document, shop, event_id, triggered_at=T0 + timedelta(hours=hours))
        delivery_id = self.ingest.accept("shopify", raw).delivery_id
        assert delivery_id is not None
        self.processor.handle(ShopDeliveryMessage(source="shopify", delivery_id=delivery_id))
        return delivery_id

    def status(self, delivery_id: str) -> DeliveryStatus | None:
        stored = self.store.deliveries.get("shopify", delivery_id)
        return stored.status if stored else None


class NoTikTok:
    def fetch(self, shop_id: str, order_ids: Any) -> list[Any]:
        raise AssertionError("no TikTok order is fetched in these tests")


@pytest.fixture
def pipeline(store: Store, aws: Aws) -> Pipeline:
    return Pipeline(store, aws)


def table_items(store: Store) -> list[dict[str, Any]]:
    """Every item of the test's own table, bodies decompressed (a Scan is fine in a test)."""
    items = []
    for page in store.table.client.get_paginator("scan").paginate(TableName=store.table.name):
        for raw in page["Items"]:
            item = from_attributes(raw)
            if isinstance(item.get("body"), bytes):
                item["body"] = json.loads(zlib.decompress(item["body"]))
            items.append(item)
    return items


def mentions(item: dict[str, Any], text: str) -> bool:
    return text in json.dumps(item, default=str)


def orders_of_two_customers(pipeline: Pipeline) -> None:
    register(pipeline.store, SHOP)
    pipeline.send("orders/create", shopify_order(ORDER_A, "10001"), "a-create")
    pipeline.send("fulfillments/create", shopify_fulfillment(255858046, ORDER_A), "a-fulfil")
    pipeline.send("orders/create", shopify_order(ORDER_B, "94107"), "b-create")


def test_stored_shopify_deliveries_keep_no_buyer_name_street_or_contact(pipeline: Pipeline) -> None:
    orders_of_two_customers(pipeline)
    pipeline.send(
        "customers/data_request",
        {"shop_domain": SHOP, "customer": CUSTOMER, "orders_requested": [], "data_request": {"id": 9}},
        "dr-empty",
    )

    deliveries = [item for item in table_items(pipeline.store) if item["pk"].startswith("DELIVERY#")]

    assert len(deliveries) == 4
    for item in deliveries:
        for personal in ("Jane Buyer", "1 Main St", CUSTOMER["email"], CUSTOMER["phone"]):
            assert not mentions(item, personal), item["pk"]
    order_body = next(item["body"] for item in deliveries if item["delivery_id"] == "a-create")
    assert order_body["shipping_address"] == {"zip": "10001", "country_code": "US"}


def test_customers_redact_erases_the_listed_orders_buyer_data_only(pipeline: Pipeline) -> None:
    orders_of_two_customers(pipeline)
    flag = a_flag(seller_id=SHOP, order_id=str(ORDER_A), code=FlagCode.DESTINATION_MISMATCH)
    pipeline.store.flags.raise_flag(
        flag.model_copy(
            update={
                "message": "Tracking 1Z… was delivered to 94107 US, but the buyer's address is 10001 US.",
                "evidence": {"buyer_postal_code": "10001", "carrier_postal_code": "94107", "hours": 2},
            }
        )
    )
    redact = {"shop_domain": SHOP, "customer": CUSTOMER, "orders_to_redact": [ORDER_A]}

    first = pipeline.send("customers/redact", redact, "redact-1")
    second = pipeline.send("customers/redact", redact, "redact-2")

    items = table_items(pipeline.store)
    order_a = next(i for i in items if i["pk"] == f"ORDER#{SHOP}#{ORDER_A}" and i["sk"] == "ORDER")
    order_b = next(i for i in items if i["pk"] == f"ORDER#{SHOP}#{ORDER_B}" and i["sk"] == "ORDER")
    assert "destination" not in order_a
    assert order_b["destination"] == {"postal_code": "94107", "country": "US"}
    stored_flag = next(i for i in items if i["sk"] == f"FLAG#{flag.flag_id}")
    assert stored_flag["evidence"] == {"hours": 2}
    assert not mentions(stored_flag, "10001")
    remaining = {i["delivery_id"] for i in items if i["pk"].startswith("DELIVERY#")}
    assert remaining == {"b-create", "redact-1", "redact-2"}, "order A's deliveries are gone, B's stay"
    assert pipeline.status(first) is pipeline.status(second) is DeliveryStatus.PROCESSED
    assert not any(mentions(i, CUSTOMER["email"]) or mentions(i, CUSTOMER["phone"]) for i in items)


def test_shop_redact_erases_everything_of_the_shop_and_nothing_of_another(
    pipeline: Pipeline, aws: Aws
) -> None:
    orders_of_two_customers(pipeline)
    pipeline.sellers.rotate_key(SHOP)
    pipeline.sellers.configure(SHOP, SellerChanges(new_webhook_secret=True))
    pipeline.store.flags.raise_flag(a_flag(seller_id=SHOP, order_id=str(ORDER_A)))
    pipeline.objects.put(SHOP, "2026-11-02", "json", b"{}", "application/json")
    pipeline.token_secrets.put(SHOP, "{}", "a token that must go with the shop")
    register(pipeline.store, OTHER)
    pipeline.send("orders/create", shopify_order(ORDER_A, "10001"), "other-create", shop=OTHER)
    pipeline.objects.put(OTHER, "2026-11-02", "json", b"{}", "application/json")
    before = [item for item in table_items(pipeline.store) if mentions(item, OTHER)]

    first = pipeline.send("shop/redact", {"shop_id": 954889, "shop_domain": SHOP}, "shop-redact")
    again = pipeline.send("shop/redact", {"shop_id": 954889, "shop_domain": SHOP}, "shop-redact-again")

    left = [item for item in table_items(pipeline.store) if mentions(item, SHOP)]
    assert [(item["pk"], item["status"]) for item in left] == [
        ("DELIVERY#shopify#shop-redact-again", "processed")
    ], "only the last redaction's own record stays (the first was erased by the second)"
    assert pipeline.status(first) is None
    assert pipeline.status(again) is DeliveryStatus.PROCESSED
    assert [item for item in table_items(pipeline.store) if mentions(item, OTHER)] == before
    objects = [entry["Key"] for entry in aws.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert objects == [f"reports/{OTHER}/2026-11-02.json"]
    names = {entry["Name"] for entry in aws.secrets.list_secrets()["SecretList"]}
    assert names == set()


def test_a_data_request_is_exported_and_sent_by_webhook_and_email(pipeline: Pipeline, aws: Aws) -> None:
    orders_of_two_customers(pipeline)
    with receiver((204, {})) as seller_hook:
        pipeline.sellers.configure(
            SHOP,
            SellerChanges(email="owner@acme.test", webhook_url=seller_hook.url, new_webhook_secret=True),
        )
        request = {
            "shop_domain": SHOP,
            "customer": CUSTOMER,
            "orders_requested": [ORDER_A],
            "data_request": {"id": 9999},
        }
        first = pipeline.send("customers/data_request", request, "dr-1")
        second = pipeline.send("customers/data_request", request, "dr-2")

    secret = pipeline.webhook_secrets.get(SHOP)
    assert secret is not None
    assert len(seller_hook.received) == 2, "each delivery of the request is answered"
    posted = seller_hook.received[0]
    payload = Webhook(secret).verify(posted.body, posted.headers)
    assert payload["type"] == "customer.data_request"
    export = payload["data"]["export"]
    assert [order["order_id"] for order in export["orders"]] == [str(ORDER_A)]
    [order] = export["orders"]
    assert order["order"]["destination"] == {"postal_code": "10001", "country": "US"}
    assert [package["tracking_number"] for package in order["packages"]] == ["1Z5R89390357567127"]
    assert len(order["deliveries"]) == 2
    assert CUSTOMER["email"] not in posted.body.decode()
    mails = [m for m in outbox(aws.ses.meta.endpoint_url) if "owner@acme.test" in m.destinations]
    assert len(mails) == 2
    assert "trackguard-data-request-request-9999.json" in mails[0].raw
    objects = [entry["Key"] for entry in aws.s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert objects == [f"exports/{SHOP}/request-9999.json"], "a repeated request overwrites its export"
    assert pipeline.status(first) is pipeline.status(second) is DeliveryStatus.PROCESSED


def test_a_data_request_of_an_unregistered_shop_waits_parked(pipeline: Pipeline) -> None:
    request = {"shop_domain": SHOP, "customer": CUSTOMER, "orders_requested": [ORDER_A]}

    delivery_id = pipeline.send("customers/data_request", request, "dr-1")

    assert pipeline.status(delivery_id) is DeliveryStatus.PARKED


def test_app_uninstalled_parks_until_a_webhook_triggered_after_it_shows_a_reinstall(
    pipeline: Pipeline,
) -> None:
    register(pipeline.store, SHOP)
    pipeline.send("orders/create", shopify_order(ORDER_A, "10001"), "a-create")
    uninstalled = {"id": 954889, "myshopify_domain": SHOP, "email": "owner@acme.test", "shop_owner": "Ann"}

    pipeline.send("app/uninstalled", uninstalled, "uninstall-1", hours=2)
    pipeline.send("app/uninstalled", uninstalled, "uninstall-2", hours=2)
    seller = pipeline.store.sellers.get(SHOP)
    assert seller is not None
    assert (seller.active, seller.deactivated_at) == (False, T0 + timedelta(hours=2))

    late = pipeline.send("orders/create", shopify_order(ORDER_B, "94107"), "b-before-uninstall", hours=1)
    assert pipeline.status(late) is DeliveryStatus.PARKED
    assert pipeline.store.orders.view(SHOP, str(ORDER_B)).order is None
    assert pipeline.release.released == []

    fresh = pipeline.send("orders/updated", shopify_order(ORDER_A, "10001"), "a-after-reinstall", hours=3)
    seller = pipeline.store.sellers.get(SHOP)
    assert seller is not None
    assert seller.active
    assert pipeline.status(fresh) is DeliveryStatus.PROCESSED
    assert pipeline.release.released == [SHOP], "the parked delivery goes back to processing"

    pipeline.processor.handle(ShopDeliveryMessage(source="shopify", delivery_id=late))
    assert pipeline.status(late) is DeliveryStatus.PROCESSED
    assert pipeline.store.orders.view(SHOP, str(ORDER_B)).order is not None


def test_an_inactive_sellers_orders_are_neither_judged_on_new_events_nor_reconciled(
    pipeline: Pipeline,
) -> None:
    for shop in (SHOP, OTHER):
        register(pipeline.store, shop)
        pipeline.send("orders/create", shopify_order(ORDER_A, "10001"), f"{shop}-create", shop=shop)
        pipeline.send(
            "fulfillments/create", shopify_fulfillment(255858046, ORDER_A), f"{shop}-ful", shop=shop
        )
    pipeline.send("app/uninstalled", {"myshopify_domain": SHOP}, "uninstall", hours=2)
    pipeline.store.tracking.put_events(
        [an_event(TrackingStatus.EXCEPTION, T0 + timedelta(hours=3), reason=ExceptionReason.DAMAGED)]
    )

    pipeline.processor.handle(TrackingUpdateMessage(numbers=("1Z5R89390357567127",)))

    def codes(shop: str) -> list[FlagCode]:
        return [flag.code for flag in pipeline.store.flags.list(shop, FlagStatus.OPEN).flags]

    assert FlagCode.DELIVERY_EXCEPTION in codes(OTHER), "an active seller's order is judged"
    assert codes(SHOP) == []
    worker = ReconcileWorker(
        pipeline.store, OrderJudge(pipeline.store, RecordingPublisher(), Thresholds()), pipeline.updater
    )
    far = T0 + timedelta(days=30)
    assert worker.handle(ReconcileMessage(seller_id=SHOP, order_id=str(ORDER_A), as_of=far)) is None
    assert worker.handle(ReconcileMessage(seller_id=OTHER, order_id=str(ORDER_A), as_of=far)) is not None
