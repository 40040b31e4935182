"""Tenants are checked at the edge, and a shop that is not ready has its deliveries parked, not lost.

Real parts: DynamoDB Local for the table, moto server for the processing queue and Secrets Manager,
the `trackguard` CLI as an operator runs it.
"""

from __future__ import annotations

import argparse
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from tests.support.builders import T0
from tests.support.fakes import RecordingPublisher
from tests.support.payloads import shopify_fulfillment, shopify_order, tiktok_webhook
from tests.support.shops import (
    dev_webhook_secrets,
    register,
    shop_sync_for,
    signed_shopify,
    signed_tiktok,
)
from trackguard.api.ingestion import WebhookEndpoint
from trackguard.clients.tiktok_shop import TikTokOrder
from trackguard.rules.thresholds import Thresholds
from trackguard.services.ingest import ShopIngestService
from trackguard.services.judging import OrderJudge
from trackguard.services.messages import ShopDeliveryMessage
from trackguard.services.processing import Processor
from trackguard.services.shipments import ShipmentUpdater
from trackguard.services.shop_sync import TikTokApiOrders, TikTokOrders
from trackguard.settings import ProcessorSettings, Settings
from trackguard.sources.base import RawDelivery
from trackguard.storage.deliveries import DeliveryStatus
from trackguard.storage.dynamo import Table, dynamodb_client, from_attributes
from trackguard.storage.store import Store
from trackguard_dev.cli import sellers as sellers_cli
from trackguard_dev.cli import shops as shops_cli
from trackguard_dev.local.dynamodb_local import DynamoDBLocal

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

pytestmark = pytest.mark.integration

SHOP = "acme.myshopify.com"
TIKTOK_SHOP = "7494049642642441621"
ORDER = 820982911946154508


@dataclass
class Operator:
    queue_url: str
    sqs: SQSClient
    settings: ProcessorSettings


@pytest.fixture
def operator(
    dynamodb_local: DynamoDBLocal, moto_endpoint: str, table: Table, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Operator]:
    """The environment an operator's `trackguard` has against the local stack, and its queue."""
    sqs = boto3.client(
        "sqs",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    queue_url = sqs.create_queue(QueueName=f"processing-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    for name, value in {
        "TABLE_NAME": table.name,
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_local.endpoint_url,
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "PROCESSING_QUEUE_URL": queue_url,
        "SHOP_TOKENS_SECRET_PREFIX": f"test-{table.name}/shop-tokens/",
        "SELLER_SECRETS_PREFIX": f"test-{table.name}/seller-secrets/",
    }.items():
        monkeypatch.setenv(name, value)
    dynamodb_client.reset()
    settings = ProcessorSettings(
        table_name=table.name,
        event_bus_name="unused",
        webhook_secrets_id="unused",
        due_index_shards=4,
        tiktok_shop_api_base_url="http://127.0.0.1:9",
        tiktok_shop_auth_base_url="http://127.0.0.1:9",
        shop_tokens_secret_prefix=f"test-{table.name}/shop-tokens/",
        seller_secrets_prefix=f"test-{table.name}/seller-secrets/",
        processing_queue_url=queue_url,
        reports_bucket="unused",
        report_sender_email="reports@trackguard.test",
    )
    yield Operator(queue_url, sqs, settings)
    dynamodb_client.reset()


def trackguard(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    parser = argparse.ArgumentParser(prog="trackguard")
    commands = parser.add_subparsers(dest="command", required=True)
    sellers_cli.register(commands)
    shops_cli.register(commands)
    args = parser.parse_args(argv)
    assert args.handler(args) == 0, capsys.readouterr().err
    return capsys.readouterr().out


class FailingTikTokOrders:
    def fetch(self, shop_id: str, order_ids: Sequence[str]) -> list[TikTokOrder]:
        raise AssertionError("a parked delivery must not reach the TikTok API")


def processor_for(store: Store, tiktok: TikTokOrders) -> Processor:
    publisher = RecordingPublisher()
    updater = ShipmentUpdater(store, publisher)
    return Processor(
        store=store,
        build_shop_sync=lambda: shop_sync_for(store, updater, tiktok),
        updater=updater,
        judge=OrderJudge(store, publisher, Thresholds()),
        clock=lambda: T0 + timedelta(hours=1),
    )


def accept(store: Store, source: str, raw: RawDelivery) -> str:
    delivery_id = ShopIngestService(store.deliveries, dev_webhook_secrets).accept(source, raw).delivery_id
    assert delivery_id is not None
    return delivery_id


def status_of(store: Store, source: str, delivery_id: str) -> DeliveryStatus:
    delivery = store.deliveries.get(source, delivery_id)
    assert delivery is not None, f"the {source} delivery {delivery_id} is stored"
    return delivery.status


def scan(store: Store) -> list[dict[str, Any]]:
    pages = store.table.client.get_paginator("scan").paginate(TableName=store.table.name)
    return [from_attributes(item) for page in pages for item in page["Items"]]


def drain(operator: Operator, processor: Processor) -> int:
    handled = 0
    while True:
        messages = operator.sqs.receive_message(QueueUrl=operator.queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not messages:
            return handled
        for message in messages:
            processor.handle_queued(message["Body"])
            operator.sqs.delete_message(QueueUrl=operator.queue_url, ReceiptHandle=message["ReceiptHandle"])
            handled += 1


def test_an_unregistered_shops_deliveries_are_parked_then_processed_once_it_is_registered(
    store: Store, operator: Operator, capsys: pytest.CaptureFixture[str]
) -> None:
    processor = processor_for(store, FailingTikTokOrders())
    sent = [
        accept(store, "shopify", signed_shopify("orders/create", shopify_order(ORDER), SHOP, "e-order")),
        accept(
            store,
            "shopify",
            signed_shopify("fulfillments/create", shopify_fulfillment(order_id=ORDER), SHOP, "e-ful"),
        ),
    ]
    for delivery_id in sent:
        processor.handle(ShopDeliveryMessage(source="shopify", delivery_id=delivery_id))

    assert {item["pk"].split("#", 1)[0] for item in scan(store)} == {"DELIVERY"}, "no order, flag or stat"
    assert [status_of(store, "shopify", d) for d in sent] == [DeliveryStatus.PARKED] * 2

    output = trackguard(capsys, "sellers", "add", SHOP)

    assert "2 deliveries received before registration sent to processing" in output
    assert drain(operator, processor) == 2
    view = store.orders.view(SHOP, str(ORDER))
    assert view.order is not None
    assert [package.tracking_number for package in view.packages] == ["1Z5R89390357567127"]
    assert [status_of(store, "shopify", d) for d in sent] == [DeliveryStatus.PROCESSED] * 2
    assert any(item["sk"].startswith("STATS#") for item in scan(store)), "now it counts"


def test_a_tiktok_shop_without_credentials_is_parked_until_its_token_is_stored(
    store: Store, operator: Operator, capsys: pytest.CaptureFixture[str]
) -> None:
    register(store, TIKTOK_SHOP)
    processor = processor_for(store, TikTokApiOrders(operator.settings, store))
    data = {"order_id": "576461413038785752", "order_status": "AWAITING_COLLECTION", "update_time": 1}
    body = tiktok_webhook(1, data)
    delivery_id = accept(store, "tiktok_shop", signed_tiktok(body))

    processor.handle(ShopDeliveryMessage(source="tiktok_shop", delivery_id=delivery_id))

    assert status_of(store, "tiktok_shop", delivery_id) is DeliveryStatus.PARKED
    assert store.orders.view(TIKTOK_SHOP, "576461413038785752").order is None

    output = trackguard(
        capsys, "shops", "set-token", TIKTOK_SHOP, "--shop-cipher", "GCP_x", "--access-token", "tok"
    )

    assert "1 deliveries that waited for these credentials sent to processing" in output
    [message] = operator.sqs.receive_message(QueueUrl=operator.queue_url)["Messages"]
    assert json.loads(message["Body"]) == {
        "kind": "shop_delivery",
        "source": "tiktok_shop",
        "delivery_id": delivery_id,
    }


BAD_DOMAINS = [
    "beta.myshopify.com#FLAGS",
    "beta.myshopify.com.evil.example",
    "shop.example.com",
    "-beta.myshopify.com",
    "beta-.myshopify.com",
    "be ta.myshopify.com",
    "myshopify.com",
    "beta.myshopify.com/admin",
]


def shopify_event(raw: RawDelivery) -> APIGatewayProxyEventV2:
    return APIGatewayProxyEventV2(
        {
            "version": "2.0",
            "routeKey": "POST /webhooks/shopify",
            "rawPath": "/webhooks/shopify",
            "headers": dict(raw.headers),
            "body": raw.body.decode(),
            "isBase64Encoded": False,
            "requestContext": {"http": {"method": "POST", "path": "/webhooks/shopify"}, "timeEpoch": 0},
        }
    )


@pytest.fixture
def endpoint(store: Store) -> WebhookEndpoint:
    settings = Settings(
        table_name=store.table.name, event_bus_name="unused", webhook_secrets_id="unused", due_index_shards=4
    )
    return WebhookEndpoint(
        lambda: settings, lambda _: ShopIngestService(store.deliveries, dev_webhook_secrets)
    )


@pytest.mark.parametrize("domain", BAD_DOMAINS)
def test_a_shop_domain_that_is_not_a_myshopify_host_is_400_and_stores_nothing(
    store: Store, endpoint: WebhookEndpoint, domain: str
) -> None:
    raw = signed_shopify("orders/create", shopify_order(ORDER), domain, "e-bad")

    answer = endpoint.accept("shopify", shopify_event(raw))

    assert answer.status_code == 400
    assert answer.body is not None
    assert answer.body["error"] == "invalid_payload"
    assert "myshopify.com" in answer.body["message"]
    assert scan(store) == []


def test_a_header_naming_another_shop_than_the_signed_body_is_400(
    store: Store, endpoint: WebhookEndpoint
) -> None:
    body = {"shop_id": 1, "shop_domain": "victim.myshopify.com"}
    raw = signed_shopify("shop/redact", body, "attacker.myshopify.com", "e-redact")

    answer = endpoint.accept("shopify", shopify_event(raw))

    assert answer.status_code == 400
    assert scan(store) == []


def test_an_upper_case_shop_domain_is_the_same_shop(store: Store, endpoint: WebhookEndpoint) -> None:
    raw = signed_shopify("orders/create", shopify_order(ORDER), "ACME.MyShopify.com", "e-upper")

    answer = endpoint.accept("shopify", shopify_event(raw))

    assert answer.status_code == 200
    [item] = scan(store)
    assert (item["seller_id"], item["gsi2pk"]) == (SHOP, f"SELLER#{SHOP}#DELIVERIES")
