"""Report jobs end to end: DynamoDB Local, S3 and SES in a moto server, loopback receivers."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer
from standardwebhooks.webhooks import Webhook

from tests.support.builders import T0, a_flag
from tests.support.lambda_events import FakeLambdaContext, load_function
from tests.support.receiver import Receiver, receiver
from trackguard.clients.email import SesMailer, outbox
from trackguard.clients.seller_webhooks import SellerWebhookSender, WebhookPolicy
from trackguard.domain.reports import DeliveryOutcome
from trackguard.domain.sellers import Seller
from trackguard.observability import metrics
from trackguard.reports.schedule import DueReport
from trackguard.services.report_schedule import ReportSchedule
from trackguard.services.reports import (
    FAILED_METRIC,
    RETRY_INTERVAL,
    ReportBuilder,
    ReportDelivery,
    ReportJob,
    ReportJobs,
    webhook_message_id,
)
from trackguard.storage.reports import ReportRecordRepository, ReportStore
from trackguard.storage.stats import StatsRepository
from trackguard.storage.store import Store
from trackguard_dev.cli import main
from trackguard_dev.local.dynamodb_local import free_port

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

pytestmark = pytest.mark.integration

BUCKET = "trackguard-reports-delivery-test"
SENDER = "reports@trackguard.test"
SECRET = "whsec_" + base64.b64encode(b"seller-report-secret-0123456789a").decode()
AS_OF = datetime(2026, 11, 3, 16, 20, tzinfo=UTC)  # 08:20 in Los Angeles
REPORT_DATE = date(2026, 11, 3)
SAMPLE_EVENT = Path(__file__).resolve().parents[2] / "events" / "reports.json"
WORKER_EVENT = Path(__file__).resolve().parents[2] / "events" / "report_worker.json"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def aws(service: Literal["s3", "ses"], endpoint: str) -> Any:
    """A client of moto's server; S3 signs links with SigV4, as the report store's own client does."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(signature_version="s3v4") if service == "s3" else None,
    )


@pytest.fixture
def s3(moto_endpoint: str) -> S3Client:
    """A fresh bucket and outbox for each test."""
    httpx.post(f"{moto_endpoint}/moto-api/reset")
    client: S3Client = aws("s3", moto_endpoint)
    client.create_bucket(Bucket=BUCKET)
    aws("ses", moto_endpoint).verify_email_identity(EmailAddress=SENDER)
    return client


def report_jobs(store: Store, s3: S3Client, endpoint: str, attempts: int = 3) -> ReportJobs:
    objects = ReportStore(BUCKET, s3, environ={})
    return ReportJobs(
        store=store,
        builder=ReportBuilder(store, StatsRepository(store.table)),
        records=ReportRecordRepository(store.table),
        objects=objects,
        delivery=ReportDelivery(
            objects=objects,
            webhooks=SellerWebhookSender(
                allow_loopback=True, policy=WebhookPolicy(attempts=attempts), sleep=lambda _seconds: None
            ),
            mailer=SesMailer(aws("ses", endpoint)),
            sender_email=SENDER,
            webhook_secret=lambda seller: SECRET if seller.webhook_secret_set else None,
        ),
    )


class InlineJobs:
    """The report queue and its worker in one: each queued job runs at once, in order."""

    def __init__(self, jobs: ReportJobs) -> None:
        self.jobs = jobs
        self.outcomes: list[tuple[str, date, str]] = []

    def queue(self, due: list[DueReport], as_of: datetime) -> None:
        for report in due:
            job = ReportJob(seller_id=report.seller_id, report_date=report.report_date, as_of=as_of)
            self.outcomes.append((report.seller_id, report.report_date, self.jobs.run(job)))


def hourly_run(store: Store, jobs: ReportJobs, as_of: datetime) -> list[tuple[str, date, str]]:
    """One hourly run whose jobs all ran: (seller, date, outcome) of each."""
    inline = InlineJobs(jobs)
    ReportSchedule(store.sellers.all, ReportRecordRepository(store.table).due_again, inline).run(as_of)
    return inline.outcomes


def register(store: Store, seller: Receiver | None, seller_id: str = "shop-1", **changes: Any) -> Seller:
    fields: dict[str, Any] = {
        "seller_id": seller_id,
        "platform": "tiktok_shop",
        "created_at": T0,
        "email": f"owner@{seller_id}.test",
        "webhook_url": seller.url if seller else None,
        "webhook_secret_set": True,
        "timezone": "America/Los_Angeles",
        "report_hour": 8,
    }
    fields.update(changes)
    profile = Seller(**fields)
    store.sellers.create(profile)
    store.flags.raise_flag(a_flag(seller_id=seller_id, order_id="o-1", detected_at=AS_OF - timedelta(days=1)))
    return profile


def test_a_due_seller_gets_its_report_stored_signed_posted_and_mailed(
    store: Store, s3: S3Client, moto_endpoint: str
) -> None:
    with receiver((200, {})) as seller:
        register(store, seller)
        runs = hourly_run(store, report_jobs(store, s3, moto_endpoint), AS_OF)
    assert runs == [("shop-1", REPORT_DATE, "delivered")]
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
    query = parse_qs(urlsplit(csv_link).query)
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    stated = datetime.fromisoformat(payload["data"]["downloads_expire_at"])
    lifetime = timedelta(seconds=int(query["X-Amz-Expires"][0]))
    assert lifetime == timedelta(days=7), "long-term keys: the full lifetime"
    assert abs(signed_at + lifetime - stated) < timedelta(seconds=2), "the stated expiry is the link's own"
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
    assert [(a.channel, a.status) for a in record.attempts] == [
        ("webhook", "delivered"),
        ("email", "delivered"),
    ]
    assert ReportRecordRepository(store.table).due_again(AS_OF + timedelta(days=2)) == []


def test_a_rerun_in_the_same_hour_delivers_nothing_twice(
    store: Store, s3: S3Client, moto_endpoint: str
) -> None:
    with receiver((200, {})) as seller:
        register(store, seller)
        jobs = report_jobs(store, s3, moto_endpoint)
        hourly_run(store, jobs, AS_OF)
        again = hourly_run(store, jobs, AS_OF + timedelta(minutes=30))
    assert again == [("shop-1", REPORT_DATE, "already_done")]
    assert len(seller.received) == 1
    assert len(outbox(moto_endpoint)) == 1


def test_only_sellers_in_their_report_hour_are_run(store: Store, s3: S3Client, moto_endpoint: str) -> None:
    with receiver((200, {})) as seller:
        register(store, seller, "shop-la")
        register(store, seller, "shop-paris", timezone="Europe/Paris")
        jobs = report_jobs(store, s3, moto_endpoint)
        runs = hourly_run(store, jobs, AS_OF)
        later = hourly_run(store, jobs, datetime(2026, 11, 4, 7, 5, tzinfo=UTC))
    assert [run[0] for run in runs] == ["shop-la"]
    assert [run[:2] for run in later] == [("shop-paris", date(2026, 11, 4))]


def test_a_seller_without_flags_gets_no_report(store: Store, s3: S3Client, moto_endpoint: str) -> None:
    store.sellers.create(Seller(seller_id="quiet", platform="shopify", created_at=T0, email="q@quiet.test"))
    runs = hourly_run(store, report_jobs(store, s3, moto_endpoint), datetime(2026, 11, 3, 8, tzinfo=UTC))
    assert [run[2] for run in runs] == ["no_flags"]
    assert ReportRecordRepository(store.table).get("quiet", REPORT_DATE) is None
    assert outbox(moto_endpoint) == []


def test_a_deauthorized_shop_gets_no_report(store: Store, s3: S3Client, moto_endpoint: str) -> None:
    """TikTok type 6: the seller withdrew trackguard's access, so its reports stop too."""
    with receiver((200, {})) as seller:
        register(store, seller)
        store.sellers.set_shop_authorized("shop-1", False, AS_OF - timedelta(hours=1))
        runs = hourly_run(store, report_jobs(store, s3, moto_endpoint), AS_OF)
    assert [run[2] for run in runs] == ["shop_deauthorized"]
    assert seller.received == []
    assert outbox(moto_endpoint) == []
    assert ReportRecordRepository(store.table).get("shop-1", REPORT_DATE) is None


def test_a_failing_webhook_is_retried_by_later_runs_and_the_email_goes_once(
    store: Store, s3: S3Client, moto_endpoint: str
) -> None:
    records = ReportRecordRepository(store.table)
    with receiver((503, {})) as seller:
        register(store, seller)
        jobs = report_jobs(store, s3, moto_endpoint, attempts=2)
        first = hourly_run(store, jobs, AS_OF)
        assert len(seller.received) == 2, "retried within the job"
        record = records.get("shop-1", REPORT_DATE)
        assert record is not None
        assert (record.state, record.retry_at) == ("retrying", AS_OF + RETRY_INTERVAL)
        assert record.deliveries["webhook"].status == "failed"
        assert "HTTP 503" in (record.deliveries["webhook"].reason or "")
        assert record.deliveries["email"].status == "delivered"

        too_soon = hourly_run(store, jobs, AS_OF + timedelta(minutes=30))
        seller.answers = [(200, {})]
        retried = hourly_run(store, jobs, AS_OF + timedelta(hours=1))
    assert first == [("shop-1", REPORT_DATE, "retrying")]
    assert too_soon == [("shop-1", REPORT_DATE, "held")], "a rerun in the hour finds it not due again"
    assert retried == [("shop-1", REPORT_DATE, "delivered")]
    assert len(outbox(moto_endpoint)) == 1, "the delivered e-mail is not sent again"
    delivered = records.get("shop-1", REPORT_DATE)
    assert delivered is not None
    assert delivered.state == "done"
    assert [(a.channel, a.status) for a in delivered.attempts] == [
        ("webhook", "failed"),
        ("email", "delivered"),
        ("webhook", "delivered"),
    ]
    first_payload = json.loads(seller.received[0].body)["data"]["report"]
    assert json.loads(seller.received[-1].body)["data"]["report"] == first_payload, "the same report"


def test_an_email_ses_refused_is_retried_by_a_later_run_like_a_webhook(
    store: Store, s3: S3Client, moto_endpoint: str
) -> None:
    ses = aws("ses", moto_endpoint)
    ses.delete_identity(Identity=SENDER)
    register(store, None, webhook_url=None)
    jobs = report_jobs(store, s3, moto_endpoint)

    first = hourly_run(store, jobs, AS_OF)
    ses.verify_email_identity(EmailAddress=SENDER)
    retried = hourly_run(store, jobs, AS_OF + timedelta(hours=1))

    assert first == [("shop-1", REPORT_DATE, "retrying")]
    assert retried == [("shop-1", REPORT_DATE, "delivered")]
    record = ReportRecordRepository(store.table).get("shop-1", REPORT_DATE)
    assert record is not None
    assert [(a.channel, a.status) for a in record.attempts] == [("email", "failed"), ("email", "delivered")]
    assert (record.attempts[0].reason or "").startswith("SES refused: ")
    assert len(outbox(moto_endpoint)) == 1


def test_a_report_undelivered_for_a_day_is_recorded_as_failed_and_counted(
    store: Store, s3: S3Client, moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    register(store, None, webhook_url="https://169.254.169.254/latest", email=None)
    jobs = report_jobs(store, s3, moto_endpoint)
    hourly = [hourly_run(store, jobs, AS_OF + timedelta(hours=hour)) for hour in range(26)]
    outcomes = [outcome for runs in hourly for (_, day, outcome) in runs if day == REPORT_DATE]
    record = ReportRecordRepository(store.table).get("shop-1", REPORT_DATE)
    assert record is not None
    assert record.state == "failed"
    assert outcomes == ["retrying"] * 24 + ["failed"], "tried every hour until a day had passed, then never"
    assert len(record.attempts) == 25
    assert record.deliveries["webhook"].reason == (
        "refused: 169.254.169.254 resolves to a cloud metadata address"
    )
    due_later = ReportRecordRepository(store.table).due_again(AS_OF + timedelta(days=3))
    assert ("shop-1", REPORT_DATE) not in due_later, "a failed report leaves the undelivered index"
    metrics.flush_metrics()
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert [entry[FAILED_METRIC] for entry in emitted if FAILED_METRIC in entry] == [[1.0]]


def test_a_stale_claim_is_taken_over_without_resending_what_was_delivered(
    store: Store, s3: S3Client, moto_endpoint: str
) -> None:
    records = ReportRecordRepository(store.table)
    with receiver((200, {})) as seller:
        register(store, seller)
        crashed_at = datetime.now(UTC) - timedelta(hours=1)
        assert records.claim(
            "shop-1", REPORT_DATE, AS_OF, crashed_at, stale_before=crashed_at - timedelta(minutes=15)
        )
        records.record_delivery(
            "shop-1", REPORT_DATE, DeliveryOutcome(channel="webhook", status="delivered", at=crashed_at)
        )
        runs = hourly_run(store, report_jobs(store, s3, moto_endpoint), AS_OF)
    assert [run[2] for run in runs] == ["delivered"]
    assert seller.received == [], "the webhook had been delivered before the crash"
    assert len(outbox(moto_endpoint)) == 1


def test_the_sample_events_run_the_handlers(
    store: Store, s3: S3Client, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    schedule_function = load_function("reports")
    worker_function = load_function("report_worker")
    inline = InlineJobs(report_jobs(store, s3, moto_endpoint))
    schedule = ReportSchedule(store.sellers.all, ReportRecordRepository(store.table).due_again, inline)
    monkeypatch.setattr(schedule_function, "report_schedule", lambda: schedule)
    monkeypatch.setattr(worker_function, "report_jobs", lambda: inline.jobs)
    with receiver((200, {})) as seller:
        register(store, seller)
        scheduled = schedule_function.lambda_handler(
            json.loads(SAMPLE_EVENT.read_text()), FakeLambdaContext()
        )
        worked = worker_function.lambda_handler(json.loads(WORKER_EVENT.read_text()), FakeLambdaContext())
    assert scheduled == {"queued": [{"seller_id": "shop-1", "date": "2026-11-03", "retry": False}]}
    assert inline.outcomes == [("shop-1", REPORT_DATE, "delivered")]
    assert worked == {"batchItemFailures": []}
    assert len(seller.received) == 1, "the sample job finds the report delivered and sends nothing again"


def test_a_job_that_cannot_run_fails_its_message_only(
    store: Store, s3: S3Client, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    worker_function = load_function("report_worker")
    monkeypatch.setattr(worker_function, "report_jobs", lambda: report_jobs(store, s3, moto_endpoint))
    register(store, None, webhook_url=None)
    event = json.loads(WORKER_EVENT.read_text())
    good = event["Records"][0]
    broken = {**good, "messageId": "broken", "body": "{not json"}
    answer = worker_function.lambda_handler({"Records": [broken, good]}, FakeLambdaContext())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "broken"}]}
    assert ReportRecordRepository(store.table).get("shop-1", REPORT_DATE) is not None


def test_the_outbox_command_lists_the_report_email(
    store: Store, s3: S3Client, moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    register(store, None, webhook_url=None)
    hourly_run(store, report_jobs(store, s3, moto_endpoint), AS_OF)
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
