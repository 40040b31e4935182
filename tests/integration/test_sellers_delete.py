"""`trackguard sellers delete` erases a seller from the table (DynamoDB Local), S3 and Secrets Manager
(moto server), and nothing of another seller; `--dry-run` only says what would go."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

import boto3
import httpx
import pytest

from tests.support.builders import T0, a_flag, an_event
from tests.support.fakes import RecordingPublisher
from tests.support.payloads import tiktok_order, tiktok_webhook
from tests.support.shops import dev_webhook_secrets, shop_sync_for, signed_tiktok
from trackguard.clients.tiktok_shop import TikTokOrder
from trackguard.rules.thresholds import Thresholds
from trackguard.services.ingest import ShopIngestService
from trackguard.services.judging import OrderJudge
from trackguard.services.messages import ShopDeliveryMessage
from trackguard.services.processing import Processor
from trackguard.services.shipments import ShipmentUpdater
from trackguard.storage.dynamo import Table, dynamodb_client, from_attributes
from trackguard.storage.reports import ReportRecordRepository, ReportStore
from trackguard.storage.store import Store
from trackguard_dev.cli import sellers as sellers_cli
from trackguard_dev.cli import shops as shops_cli
from trackguard_dev.local.dynamodb_local import DynamoDBLocal

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_secretsmanager.client import SecretsManagerClient

pytestmark = pytest.mark.integration

DOOMED, KEPT = "7494049642642441621", "7494049642642449999"
OWN_NUMBER, SHARED_NUMBER = "1Z5R89390357567127", "9400111899223197428490"
BUCKET = "trackguard-reports-test"


def client(service: Literal["s3", "secretsmanager"], endpoint: str) -> Any:
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


@pytest.fixture
def aws(
    dynamodb_local: DynamoDBLocal, moto_endpoint: str, table: Table, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Aws]:
    httpx.post(f"{moto_endpoint}/moto-api/reset")
    for name, value in {
        "TABLE_NAME": table.name,
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_local.endpoint_url,
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "REPORTS_BUCKET": BUCKET,
        "SHOP_TOKENS_SECRET_PREFIX": "trackguard/shop-tokens/",
        "SELLER_SECRETS_PREFIX": "trackguard/seller-secrets/",
    }.items():
        monkeypatch.setenv(name, value)
    dynamodb_client.reset()
    clients = Aws(client("s3", moto_endpoint), client("secretsmanager", moto_endpoint))
    clients.s3.create_bucket(Bucket=BUCKET)
    yield clients
    dynamodb_client.reset()


def trackguard(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    parser = argparse.ArgumentParser(prog="trackguard")
    commands = parser.add_subparsers(dest="command", required=True)
    sellers_cli.register(commands)
    shops_cli.register(commands)
    args = parser.parse_args(argv)
    assert args.handler(args) == 0, capsys.readouterr().err
    return capsys.readouterr().out


class SandboxOrders:
    def __init__(self, orders: dict[str, dict[str, Any]]) -> None:
        self.orders = orders

    def fetch(self, shop_id: str, order_ids: Sequence[str]) -> list[TikTokOrder]:
        return [TikTokOrder.model_validate(self.orders[f"{shop_id}/{i}"]) for i in order_ids]


def a_seller_with_everything(
    store: Store, aws: Aws, capsys: pytest.CaptureFixture[str], shop: str, orders: SandboxOrders
) -> None:
    """Registered with a key, a report-webhook secret and a token; two orders through webhooks and the
    processor; flags, carrier events, a report in S3 and its record."""
    trackguard(capsys, "sellers", "add", shop, "--platform", "tiktok_shop")
    trackguard(capsys, "sellers", "rotate-key", shop)
    trackguard(
        capsys, "sellers", "set", shop, "--webhook-url", "https://hooks.example/tg", "--new-webhook-secret"
    )
    trackguard(capsys, "shops", "set-token", shop, "--shop-cipher", "GCP_x", "--access-token", "secret-token")
    for order_id, number in (
        (f"{shop[-4:]}01", OWN_NUMBER if shop == DOOMED else "1Z999AA10123456784"),
        (f"{shop[-4:]}02", SHARED_NUMBER),
    ):
        orders.orders[f"{shop}/{order_id}"] = tiktok_order(
            order_id, packages=((f"p{order_id}", number, "UPS"),)
        )
        data = {"order_id": order_id, "order_status": "AWAITING_COLLECTION", "update_time": 1}
        raw = signed_tiktok(tiktok_webhook(1, data, shop))
        delivery_id = ShopIngestService(store.deliveries, dev_webhook_secrets).accept("tiktok_shop", raw)
        processor(store, orders).handle(
            ShopDeliveryMessage(source="tiktok_shop", delivery_id=delivery_id.delivery_id or "")
        )
        store.flags.raise_flag(a_flag(seller_id=shop, order_id=order_id, package_id=f"p{order_id}"))
    store.tracking.put_events([an_event(number=OWN_NUMBER), an_event(number=SHARED_NUMBER)])
    objects = ReportStore(BUCKET, aws.s3)
    objects.put(shop, "2026-11-02", "json", b"{}", "application/json")
    objects.put_export(shop, "request-1", b"{}")
    ReportRecordRepository(store.table).claim(
        shop, date(2026, 11, 2), T0, T0, stale_before=T0 - timedelta(minutes=15)
    )


def processor(store: Store, orders: SandboxOrders) -> Processor:
    publisher = RecordingPublisher()
    updater = ShipmentUpdater(store, publisher)
    return Processor(
        store=store,
        build_shop_sync=lambda: shop_sync_for(store, updater, orders),
        updater=updater,
        judge=OrderJudge(store, publisher, Thresholds()),
        clock=lambda: T0 + timedelta(hours=1),
    )


def scan(store: Store) -> list[dict[str, Any]]:
    pages = store.table.client.get_paginator("scan").paginate(TableName=store.table.name)
    return [from_attributes(item) for page in pages for item in page["Items"]]


def of(seller_id: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for item in items if seller_id in json.dumps(item, default=str)]


def everything_kept(store: Store, aws: Aws) -> tuple[list[Any], list[str], list[str]]:
    objects = [entry["Key"] for entry in aws.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    secrets = sorted(entry["Name"] for entry in aws.secrets.list_secrets()["SecretList"])
    return scan(store), sorted(objects), secrets


def test_delete_erases_the_seller_everywhere_and_leaves_the_other_seller_whole(
    store: Store, aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = SandboxOrders({})
    a_seller_with_everything(store, aws, capsys, DOOMED, orders)
    a_seller_with_everything(store, aws, capsys, KEPT, orders)
    key_hashes = [
        item["key_hash"]
        for item in scan(store)
        if item["sk"].startswith("KEY#") and item["seller_id"] == DOOMED
    ]
    before, objects_before, secrets_before = everything_kept(store, aws)
    assert len(of(DOOMED, before)) > 20
    assert len(key_hashes) == 2

    dry = trackguard(capsys, "sellers", "delete", DOOMED, "--dry-run")

    assert everything_kept(store, aws) == (before, objects_before, secrets_before), "a dry run erases nothing"
    assert f"would erase seller {DOOMED}:" in dry
    listed = {line.strip() for line in dry.splitlines()[1:]}
    assert {
        "2 api key hashes",
        "2 api keys",
        "1 profile",
        "1 shop state",
        "1 report records",
        "1 daily stats",
        "2 orders",
        "2 packages",
        "2 counted markers",
        "2 tracking links",
        "1 carrier events and polls",
        "2 deliveries",
        "2 S3 objects (reports and data-request exports)",
        f"secret trackguard/shop-tokens/{DOOMED}",
        f"secret trackguard/seller-secrets/{DOOMED}",
    } <= listed
    assert any(line.endswith(" flags") for line in listed)

    erased = trackguard(capsys, "sellers", "delete", DOOMED)

    assert f"erased seller {DOOMED}:" in erased
    after, objects_after, secrets_after = everything_kept(store, aws)
    assert of(DOOMED, after) == []
    assert not [item for item in after if any(h in item["pk"] for h in key_hashes)], "the authorizer's copies"
    assert not [item for item in after if item["pk"] == f"TRK#{OWN_NUMBER}"], "events only it had go too"
    assert [item["sk"][:4] for item in after if item["pk"] == f"TRK#{SHARED_NUMBER}"] == ["EVT#", "LINK"], (
        "a number another seller still carries keeps its events"
    )
    assert of(KEPT, after) == of(KEPT, before)
    assert objects_after == [o for o in objects_before if DOOMED not in o]
    assert secrets_after == [s for s in secrets_before if DOOMED not in s]

    assert trackguard(capsys, "sellers", "delete", DOOMED).strip() == f"nothing of seller {DOOMED} is stored"
