"""Daily flagged-order reports: one job per seller builds, stores in S3 and delivers by webhook and e-mail.

The hourly run (trackguard.services.report_schedule) queues a ``ReportJob`` per due seller; the report
worker runs each with ``ReportJobs.run``. The job claims the day's report record first, so a repeated job
delivers nothing twice. A channel that fails is tried again by later runs (``RETRY_INTERVAL`` apart, the
stored report resent as it was built) until every channel delivered it, or until ``GIVE_UP_AFTER`` has
passed since the report was first due: then the report is recorded as failed and counted in the
``ReportDeliveriesFailed`` metric, which an alarm watches.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from hashlib import sha256
from typing import Literal

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, ConfigDict

from trackguard.clients.email import Attachment, SesMailer, report_message
from trackguard.clients.seller_webhooks import SellerWebhookSender
from trackguard.domain.flags import Flag
from trackguard.domain.reports import Channel, DeliveryOutcome, ReportRecord
from trackguard.domain.sellers import Seller
from trackguard.domain.status import FlagStatus
from trackguard.observability import logger, metrics
from trackguard.reports.advice import WHAT_TO_DO
from trackguard.reports.formats import REPORT_CONTENT_TYPES, render_csv, render_json
from trackguard.reports.html_page import format_rate, render_html
from trackguard.reports.model import ReportFlag, SellerReport
from trackguard.reports.schedule import seller_zone, utc_now
from trackguard.reports.vtr import valid_tracking_rate, window_days, window_start
from trackguard.services.sellers import SellerSecrets
from trackguard.settings import ReportSettings
from trackguard.storage.reports import ReportRecordRepository, ReportStore
from trackguard.storage.stats import StatsRepository
from trackguard.storage.store import Store

RESOLVED_LOOKBACK = timedelta(hours=24)
CLAIM_STALE_AFTER = timedelta(minutes=15)
RETRY_INTERVAL = timedelta(minutes=55)
GIVE_UP_AFTER = timedelta(days=1)
FAILED_METRIC = "ReportDeliveriesFailed"
_PAGE = 100
JobOutcome = Literal[
    "delivered",
    "retrying",
    "failed",
    "no_flags",
    "already_done",
    "held",
    "unknown_seller",
    "inactive",
    "shop_deauthorized",
]
"""``inactive``: the Shopify shop uninstalled the app; ``shop_deauthorized``: the TikTok seller withdrew
trackguard's access (type 6). Neither gets a report."""


class ReportJob(BaseModel):
    """One seller's report for its local date, built as of the hourly run's instant."""

    model_config = ConfigDict(frozen=True)

    seller_id: str
    report_date: date
    as_of: datetime


class ReportBuilder:
    """What a seller's report says as of an instant: flags from the store, VTR from the daily stats."""

    def __init__(self, store: Store, stats: StatsRepository, now: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._stats = stats
        self._now = now

    def build(self, seller: Seller, as_of: datetime, report_date: date) -> SellerReport:
        seller_id = seller.seller_id
        open_flags = self._flags(seller_id, (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED), as_of)
        resolved = [
            flag
            for flag in self._flags(seller_id, (FlagStatus.RESOLVED,), as_of)
            if flag.resolved_at is not None and as_of - RESOLVED_LOOKBACK <= flag.resolved_at <= as_of
        ]
        carriers = self._carriers(seller_id, [*open_flags, *resolved])
        days = window_days(as_of)
        vtr = valid_tracking_rate(
            as_of,
            self._stats.packages_with_number(seller_id, days[0], days[-1]),
            (package.day for package in self._stats.invalid_packages(seller_id, window_start(as_of), as_of)),
        )
        return SellerReport(
            seller_id=seller_id,
            timezone=seller_zone(seller).key,
            report_date=report_date,
            generated_at=self._now(),
            as_of=as_of,
            counts=dict(Counter(flag.code.value for flag in open_flags)),
            valid_tracking_rate=vtr,
            open_flags=[report_flag(flag, carriers) for flag in open_flags],
            resolved_flags=[report_flag(flag, carriers) for flag in resolved],
            links=report_links(seller_id),
        )

    def _flags(self, seller_id: str, statuses: Iterable[FlagStatus], as_of: datetime) -> list[Flag]:
        """Every flag of these statuses detected by as_of, newest first."""
        found: list[Flag] = []
        for status in statuses:
            cursor: str | None = None
            while True:
                page = self._store.flags.list(seller_id, status, limit=_PAGE, cursor=cursor)
                found.extend(flag for flag in page.flags if flag.detected_at <= as_of)
                cursor = page.cursor
                if cursor is None:
                    break
        return sorted(found, key=lambda flag: flag.flag_id, reverse=True)

    def _carriers(self, seller_id: str, flags: list[Flag]) -> dict[tuple[str, str], str | None]:
        """Each flagged package's carrier: the one its number belongs to, else the declared one."""
        carriers: dict[tuple[str, str], str | None] = {}
        for order_id in sorted({flag.order_id for flag in flags if flag.order_id is not None}):
            for package in self._store.orders.view(seller_id, order_id).packages:
                carrier = package.detected_carrier or package.declared_carrier
                carriers[(order_id, package.package_id)] = None if carrier == "undeclared" else carrier
        return carriers


def report_links(seller_id: str) -> dict[str, str]:
    base = f"/sellers/{seller_id}"
    links = {fmt: f"{base}/reports/latest?format={fmt}" for fmt in REPORT_CONTENT_TYPES}
    return {**links, "flags": f"{base}/flags?status=open"}


def report_flag(flag: Flag, carriers: dict[tuple[str, str], str | None]) -> ReportFlag:
    return ReportFlag.from_flag(
        flag,
        carrier=carriers.get((flag.order_id or "", flag.package_id or "")),
        what_to_do=WHAT_TO_DO[flag.code],
    )


@dataclass(frozen=True)
class RenderedReport:
    report: SellerReport
    bodies: dict[str, bytes]


def render(report: SellerReport) -> RenderedReport:
    return RenderedReport(
        report=report,
        bodies={"json": render_json(report), "csv": render_csv(report), "html": render_html(report)},
    )


def stored(bodies: dict[str, bytes]) -> RenderedReport:
    """A report as it was built and stored by an earlier job, to be delivered again unchanged."""
    return RenderedReport(report=SellerReport.model_validate_json(bodies["json"]), bodies=bodies)


class ReportDelivery:
    """Sends a stored report by the seller's channels; each returns an outcome, never raises."""

    def __init__(
        self,
        *,
        objects: ReportStore,
        webhooks: SellerWebhookSender,
        mailer: SesMailer,
        sender_email: str,
        webhook_secret: Callable[[Seller], str | None],
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._objects = objects
        self._webhooks = webhooks
        self._mailer = mailer
        self._sender_email = sender_email
        self._webhook_secret = webhook_secret
        self._now = now

    def channels(self, seller: Seller) -> list[Channel]:
        """E-mail only where the deployment has a sender (ReportEmails=enabled) and the seller an address."""
        wanted: list[Channel] = []
        if seller.webhook_url:
            wanted.append("webhook")
        if seller.email and self._sender_email:
            wanted.append("email")
        return wanted

    def deliver(
        self, channel: Channel, seller: Seller, rendered: RenderedReport, objects: dict[str, str]
    ) -> DeliveryOutcome:
        if channel == "webhook":
            return self._webhook(seller, rendered, objects)
        return self._email(seller, rendered)

    def _webhook(self, seller: Seller, rendered: RenderedReport, objects: dict[str, str]) -> DeliveryOutcome:
        report = rendered.report
        secret = self._webhook_secret(seller)
        if not seller.webhook_url or not secret:
            return self._outcome("webhook", False, reason="no webhook secret set for the seller")
        message_id = webhook_message_id(report.seller_id, report.report_date)
        links = self._objects.download_links(objects, self._now())
        payload = {
            "type": "report.daily",
            "timestamp": report.generated_at.isoformat(),
            "data": {
                "report": json.loads(rendered.bodies["json"]),
                "downloads": links.urls,
                "downloads_expire_at": links.expires_at.isoformat(),
            },
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        result = self._webhooks.send(seller.webhook_url, secret, message_id, body)
        reference = str(result.status_code) if result.status_code is not None else None
        return self._outcome(
            "webhook", result.delivered, reason=result.reason, reference=reference, tries=result.attempts
        )

    def _email(self, seller: Seller, rendered: RenderedReport) -> DeliveryOutcome:
        report = rendered.report
        message = report_message(
            sender=self._sender_email,
            recipient=seller.email or "",
            subject=email_subject(report),
            text=plain_text(report),
            html=rendered.bodies["html"].decode(),
            attachment=Attachment(
                filename=f"trackguard-{report.seller_id}-{report.report_date.isoformat()}.csv",
                content=rendered.bodies["csv"],
                maintype="text",
                subtype="csv",
            ),
        )
        result = self._mailer.send(message)
        return self._outcome("email", result.sent, reason=result.reason, reference=result.message_id)

    def _outcome(
        self,
        channel: Channel,
        delivered: bool,
        reason: str | None = None,
        reference: str | None = None,
        tries: int | None = None,
    ) -> DeliveryOutcome:
        return DeliveryOutcome(
            channel=channel,
            status="delivered" if delivered else "failed",
            at=self._now(),
            reason=reason,
            reference=reference,
            tries=tries,
        )


def webhook_message_id(seller_id: str, report_date: date) -> str:
    """Stable per seller and day, so a receiver deduplicates a redelivered report."""
    digest = sha256(f"{seller_id}/{report_date.isoformat()}".encode()).hexdigest()[:24]
    return f"msg_report_{report_date.strftime('%Y%m%d')}_{digest}"


def email_subject(report: SellerReport) -> str:
    return (
        f"trackguard: {len(report.open_flags)} open flag{'' if len(report.open_flags) == 1 else 's'}, "
        "Valid Tracking Rate (7 days) "
        f"{format_rate(report.valid_tracking_rate.last_7_days.rate)} — {report.report_date.isoformat()}"
    )


def plain_text(report: SellerReport) -> str:
    vtr = report.valid_tracking_rate
    lines = [
        f"Flagged orders for {report.seller_id} on {report.report_date.isoformat()}",
        "",
        f"Valid Tracking Rate, 7 days: {format_rate(vtr.last_7_days.rate)} (threshold {vtr.threshold:.0%})",
        f"Valid Tracking Rate, 30 days: {format_rate(vtr.last_30_days.rate)}",
        "",
        "Open flags by type:",
        *(f"  {code}: {count}" for code, count in sorted(report.counts.items())),
        "",
        f"{len(report.open_flags)} open flags; {len(report.resolved_flags)} resolved in the last 24 hours.",
        "Every flagged order is in the attached CSV and in the HTML version of this e-mail.",
    ]
    return "\n".join(lines) + "\n"


class ReportJobs:
    """Runs one seller's report job: claim the day's record, build or reload, deliver, settle."""

    def __init__(
        self,
        *,
        store: Store,
        builder: ReportBuilder,
        records: ReportRecordRepository,
        objects: ReportStore,
        delivery: ReportDelivery,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self._builder = builder
        self._records = records
        self._objects = objects
        self._delivery = delivery
        self._now = now

    def run_body(self, body: str) -> JobOutcome:
        return self.run(ReportJob.model_validate_json(body))

    def run(self, job: ReportJob) -> JobOutcome:
        seller = self._store.sellers.get(job.seller_id)
        if seller is None:
            return "unknown_seller"
        if not seller.active:
            return "inactive"
        if not self._store.sellers.shop_authorized(job.seller_id):
            return "shop_deauthorized"  # TikTok type 6: the seller withdrew trackguard's access
        existing = self._records.get(job.seller_id, job.report_date)
        if existing is not None and existing.finished:
            return "already_done"
        report = None
        if existing is None:
            report = self._builder.build(seller, job.as_of, job.report_date)
            if report.is_empty:
                return "no_flags"
        claimed_at = self._now()
        record = self._records.claim(
            job.seller_id,
            job.report_date,
            as_of=job.as_of,
            at=claimed_at,
            stale_before=claimed_at - CLAIM_STALE_AFTER,
        )
        if record is None:
            return "held"
        rendered, objects = self._report(seller, job, record, report)
        pending = self._deliver(seller, rendered, objects, record)
        return self._settle(job, record, pending)

    def _report(
        self, seller: Seller, job: ReportJob, record: ReportRecord, report: SellerReport | None
    ) -> tuple[RenderedReport, dict[str, str]]:
        """The report an earlier job stored, else one built now and stored."""
        if set(record.objects) == set(REPORT_CONTENT_TYPES):
            bodies = {fmt: self._objects.read(name) for fmt, name in record.objects.items()}
            return stored(bodies), record.objects
        rendered = render(report or self._builder.build(seller, job.as_of, job.report_date))
        return rendered, self._store_objects(rendered)

    def _store_objects(self, rendered: RenderedReport) -> dict[str, str]:
        report = rendered.report
        objects = {
            fmt: self._objects.put(
                report.seller_id, report.report_date.isoformat(), fmt, body, REPORT_CONTENT_TYPES[fmt]
            )
            for fmt, body in rendered.bodies.items()
        }
        self._records.record_objects(report.seller_id, report.report_date, objects)
        return objects

    def _deliver(
        self, seller: Seller, rendered: RenderedReport, objects: dict[str, str], record: ReportRecord
    ) -> list[Channel]:
        """Each channel not delivered yet, once; every outcome is recorded. Returns those still pending."""
        delivered = {
            channel for channel, outcome in record.deliveries.items() if outcome.status == "delivered"
        }
        outcomes = dict(record.deliveries)
        for channel in self._delivery.channels(seller):
            if channel in delivered:
                continue
            outcome = self._delivery.deliver(channel, seller, rendered, objects)
            self._records.record_delivery(seller.seller_id, rendered.report.report_date, outcome)
            outcomes[channel] = outcome
            logger.info(
                "report delivery",
                extra={"seller_id": seller.seller_id, "channel": channel, "status": outcome.status},
            )
        return [
            channel
            for channel in self._delivery.channels(seller)
            if outcomes.get(channel) is None or outcomes[channel].status != "delivered"
        ]

    def _settle(self, job: ReportJob, record: ReportRecord, pending: list[Channel]) -> JobOutcome:
        """Finished when every channel delivered; else retried later, or given up after a day."""
        if not pending:
            self._records.complete(job.seller_id, job.report_date, self._now())
            return "delivered"
        due_since = record.due_since or job.as_of
        retry_at = job.as_of + RETRY_INTERVAL
        if retry_at > due_since + GIVE_UP_AFTER:
            self._records.give_up(job.seller_id, job.report_date, self._now())
            metrics.add_metric(name=FAILED_METRIC, unit=MetricUnit.Count, value=1)
            logger.warning(
                "report not delivered within a day",
                extra={"seller_id": job.seller_id, "date": str(job.report_date), "channels": pending},
            )
            return "failed"
        self._records.retry_later(job.seller_id, job.report_date, retry_at)
        return "retrying"


def build_report_jobs(settings: ReportSettings | None = None) -> ReportJobs:
    """The report jobs as deployed (the report worker's service)."""
    read = settings or ReportSettings.from_environ()
    store = Store.for_table_name(read.table_name, read.due_index_shards)
    objects = ReportStore(read.reports_bucket)
    return ReportJobs(
        store=store,
        builder=ReportBuilder(store, StatsRepository(store.table)),
        records=ReportRecordRepository(store.table),
        objects=objects,
        delivery=ReportDelivery(
            objects=objects,
            webhooks=SellerWebhookSender(allow_loopback=read.allow_loopback_webhooks),
            mailer=SesMailer(),
            sender_email=read.report_sender_email,
            webhook_secret=SellerSecrets.in_secrets_manager(read.seller_secrets_prefix).webhook_secret,
        ),
    )
