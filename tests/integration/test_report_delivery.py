"""The hourly report run end to end: DynamoDB Local, S3 and SES in a moto server, a loopback receiver."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer
from standardwebhooks.webhooks import Webhook

from tests.support.builders import T0, a_flag
from tests.support.lambda_events import FakeLambdaContext, load_function
from tests.support.receiver import Receiver, receiver
from trackguard.clients.email import SesMailer, outbox
from trackguard.clients.http import RetryPolicy
from trackguard.clients.seller_webhooks import SellerWebhookSender
from trackguard.domain.reports import DeliveryOutcome
from trackguard.domain.sellers import Seller
from trackguard.services.report_schedule import ReportSchedule
from trackguard.services.reports import (
    DailyReports,
    ReportBuilder,
    ReportDelivery,
    webhook_message_id,
)
from trackguard.storage.reports import ReportRecordRepository, ReportStore
from trackguard.storage.stats import StatsRepository
from trackguard.storage.store import Store
from trackguard_dev.cli import main
from trackguard_dev.local.dynamodb_local import free_port

pytestmark = pytest.mark.integration

BUCKET = "trackguard-reports-delivery-test"
SENDER = "reports@trackguard.test"
SECRET = "whsec_" + base64.b64encode(b"seller-report-secret-0123456789a").decode()
AS_OF = datetime(2026, 11, 3, 16, 20, tzinfo=UTC)  # 08:20 in Los Angeles
REPORT_DATE = date(2026, 11, 3)
SAMPLE_EVENT = Path(__file__).resolve().parents[2] / "events" / "reports.json"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def aws(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def s3(moto_endpoint: str) -> Any:
    """A fresh bucket and outbox for each test."""
    httpx.post(f"{moto_endpoint}/moto-api/reset")
    client = aws("s3", moto_endpoint)
    client.create_bucket(Bucket=BUCKET)
    aws("ses", moto_endpoint).verify_email_identity(EmailAddress=SENDER)
    return client


def daily_reports(store: Store, s3: Any, endpoint: str, attempts: int = 4) -> DailyReports:
    objects = ReportStore(BUCKET, s3)
    return DailyReports(
        store=store,
        builder=ReportBuilder(store, StatsRepository(store.table)),
        records=ReportRecordRepository(store.table),
        objects=objects,
        delivery=ReportDelivery(
            objects=objects,
            webhooks=SellerWebhookSender(
                allow_loopback=True, policy=RetryPolicy(attempts=attempts), sleep=lambda _seconds: None
            ),
            mailer=SesMailer(aws("ses", endpoint)),
            sender_email=SENDER,
        ),
    )


def register(store: Store, seller: Receiver | None, seller_id: str = "shop-1", **changes: Any) -> Seller:
    fields: dict[str, Any] = {
        "seller_id": seller_id,
        "platform": "tiktok_shop",
        "created_at": T0,
        "email": f"owner@{seller_id}.test",
        "webhook_url": seller.url if seller else None,
        "webhook_secret": SECRET,
        "timezone": "America/Los_Angeles",
        "report_hour": 8,
    }
    fields.update(changes)
    profile = Seller(**fields)
    store.sellers.create(profile)
    store.flags.raise_flag(a_flag(seller_id=seller_id, order_id="o-1", detected_at=AS_OF - timedelta(days=1)))
    return profile


def test_a_due_seller_gets_its_report_stored_signed_posted_and_mailed(
    store: Store, s3: Any, moto_endpoint: str
) -> None:
    with receiver((200, {})) as seller:
        register(store, seller)
        runs = daily_reports(store, s3, moto_endpoint).run(AS_OF)
    assert [(run.seller_id, run.report_date, run.outcome) for run in runs] == [
        ("shop-1", REPORT_DATE, "delivered")
    ]
    stored = {entry["Key"] for entry in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert stored == {f"reports/shop-1/2026-11-03.{fmt}" for fmt in ("json", "csv", "html")}
    latest = ReportStore(BUCKET, s3).latest("shop-1", "json")
    assert latest is not None
    assert json.loads(latest.body)["counts"] == {"NO_CARRIER_SCAN": 1}

    [request] = seller.received
    payload = Webhook(SECRET).verify(request.body, request.headers)
    assert request.headers["webhook-id"] == webhook_message_id("shop-1", REPORT_DATE)
    assert payload["type"] == "report.daily"
    assert payload["data"]["report"]["open_flags"][0]["order_id"] == "o-1"
    csv_link = payload["data"]["downloads"]["csv"]
    assert (
        httpx.get(csv_link).content
        == s3.get_object(Bucket=BUCKET, Key="reports/shop-1/2026-11-03.csv")["Body"].read()
    )

    [mail] = outbox(moto_endpoint)
    assert mail.destinations == ("owner@shop-1.test",)
    assert "Content-Type: multipart/mixed" in mail.raw

    record = ReportRecordRepository(store.table).get("shop-1", REPORT_DATE)
    assert record is not None
    assert record.state == "done"
    assert record.objects["html"] == "reports/shop-1/2026-11-03.html"
    assert record.deliveries["webhook"].status == "delivered"
    assert record.deliveries["webhook"].reference == "200"
    assert record.deliveries["email"].status == "delivered"
    assert record.deliveries["email"].reference == mail.message_id


def test_a_rerun_in_the_same_hour_delivers_nothing_twice(store: Store, s3: Any, moto_endpoint: str) -> None:
    with receiver((200, {})) as seller:
        register(store, seller)
        reports = daily_reports(store, s3, moto_endpoint)
        reports.run(AS_OF)
        again = reports.run(AS_OF + timedelta(minutes=30))
    assert [run.outcome for run in again] == ["already_done"]
    assert len(seller.received) == 1
    assert len(outbox(moto_endpoint)) == 1


def test_only_sellers_in_their_report_hour_are_run(store: Store, s3: Any, moto_endpoint: str) -> None:
    with receiver((200, {})) as seller:
        register(store, seller, "shop-la")
        register(store, seller, "shop-paris", timezone="Europe/Paris")
        runs = daily_reports(store, s3, moto_endpoint).run(AS_OF)
        later = daily_reports(store, s3, moto_endpoint).run(datetime(2026, 11, 4, 7, 5, tzinfo=UTC))
    assert [run.seller_id for run in runs] == ["shop-la"]
    assert [(run.seller_id, run.report_date) for run in later] == [("shop-paris", date(2026, 11, 4))]


def test_a_seller_without_flags_gets_no_report(store: Store, s3: Any, moto_endpoint: str) -> None:
    store.sellers.create(Seller(seller_id="quiet", platform="shopify", created_at=T0, email="q@quiet.test"))
    runs = daily_reports(store, s3, moto_endpoint).run(datetime(2026, 11, 3, 8, tzinfo=UTC))
    assert [run.outcome for run in runs] == ["no_flags"]
    assert ReportRecordRepository(store.table).get("quiet", REPORT_DATE) is None
    assert outbox(moto_endpoint) == []


def test_a_failing_webhook_is_recorded_and_the_email_still_goes(
    store: Store, s3: Any, moto_endpoint: str
) -> None:
    with receiver((503, {})) as seller:
        register(store, seller)
        daily_reports(store, s3, moto_endpoint, attempts=2).run(AS_OF)
    assert len(seller.received) == 2
    record = ReportRecordRepository(store.table).get("shop-1", REPORT_DATE)
    assert record is not None
    assert record.deliveries["webhook"].status == "failed"
    assert "HTTP 503" in (record.deliveries["webhook"].reason or "")
    assert record.deliveries["email"].status == "delivered"


def test_a_refused_webhook_url_is_recorded_with_its_reason(store: Store, s3: Any, moto_endpoint: str) -> None:
    register(store, None, webhook_url="https://169.254.169.254/latest")
    daily_reports(store, s3, moto_endpoint).run(AS_OF)
    record = ReportRecordRepository(store.table).get("shop-1", REPORT_DATE)
    assert record is not None
    assert record.deliveries["webhook"].status == "failed"
    assert (
        record.deliveries["webhook"].reason == "refused: 169.254.169.254 resolves to a cloud metadata address"
    )


def test_a_stale_claim_is_taken_over_without_resending_what_was_delivered(
    store: Store, s3: Any, moto_endpoint: str
) -> None:
    records = ReportRecordRepository(store.table)
    with receiver((200, {})) as seller:
        register(store, seller)
        crashed_at = datetime.now(UTC) - timedelta(hours=1)
        assert records.claim(
            "shop-1", REPORT_DATE, crashed_at, stale_before=crashed_at - timedelta(minutes=15)
        )
        records.record_delivery(
            "shop-1", REPORT_DATE, DeliveryOutcome(channel="webhook", status="delivered", at=crashed_at)
        )
        runs = daily_reports(store, s3, moto_endpoint).run(AS_OF)
    assert [run.outcome for run in runs] == ["delivered"]
    assert seller.received == [], "the webhook had been delivered before the crash"
    assert len(outbox(moto_endpoint)) == 1


def test_the_sample_event_runs_the_handler_as_of_its_instant(
    store: Store, s3: Any, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    function = load_function("reports")
    schedule = ReportSchedule(store.sellers.all, lambda: daily_reports(store, s3, moto_endpoint))
    monkeypatch.setattr(function, "report_schedule", lambda: schedule)
    with receiver((200, {})) as seller:
        register(store, seller)
        answer = function.lambda_handler(json.loads(SAMPLE_EVENT.read_text()), FakeLambdaContext())
    assert answer == {"reports": [{"seller_id": "shop-1", "date": "2026-11-03", "outcome": "delivered"}]}


def test_the_outbox_command_lists_the_report_email(
    store: Store, s3: Any, moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    register(store, None, webhook_url=None)
    daily_reports(store, s3, moto_endpoint).run(AS_OF)
    assert main(["outbox", "--endpoint-url", moto_endpoint, "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["to"] == ["owner@shop-1.test"]
    assert entry["from"] == SENDER
    assert entry["subject"].startswith("trackguard: 1 open flag, Valid Tracking Rate (7 days) ")
    assert entry["parts"] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/csv",
    ]
    assert main(["outbox", "--endpoint-url", moto_endpoint]) == 0
    assert "to=owner@shop-1.test" in capsys.readouterr().out
