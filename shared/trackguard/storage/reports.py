"""Seller reports in S3: ``reports/{seller_id}/{date}.{ext}``, one object per day and format;
and each day's report record in the table (its objects and delivery outcomes).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from trackguard.domain.reports import DeliveryOutcome, ReportRecord
from trackguard.storage import keys
from trackguard.storage.dynamo import Table, from_attributes, key, to_value
from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

# SigV4 links carry their lifetime (X-Amz-Expires) and work in every region.
_CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=10,
    retries={"mode": "standard", "max_attempts": 3},
    signature_version="s3v4",
)
DOWNLOAD_LINK_LIFETIME = timedelta(days=7)
UNDATED_TEMPORARY_CREDENTIALS = timedelta(hours=1)
CREDENTIAL_EXPIRY_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class StoredReport:
    key: str
    report_date: str
    body: bytes


def report_prefix(seller_id: str) -> str:
    return f"reports/{keys.checked_seller_id(seller_id)}/"


def export_prefix(seller_id: str) -> str:
    """Where answers to a shop's ``customers/data_request`` are kept, apart from the daily reports."""
    return f"exports/{keys.checked_seller_id(seller_id)}/"


def report_key(seller_id: str, report_date: str, extension: str) -> str:
    return f"{report_prefix(seller_id)}{report_date}.{extension}"


class ReportStore:
    """Reads and writes the reports bucket; the S3 client is created on first use, not at import."""

    def __init__(
        self, bucket: str, client: S3Client | None = None, environ: Mapping[str, str] = os.environ
    ) -> None:
        self._bucket = bucket
        self._client = on_first_use(lambda: client or boto3.client("s3", config=_CLIENT_CONFIG))
        self._environ = environ

    def latest(self, seller_id: str, extension: str) -> StoredReport | None:
        """The newest report in this format: dates in the key are ISO, so the greatest key is the newest.

        Lists the seller's own prefix only: a few pages even after years of daily reports.
        """
        suffix = f".{extension}"
        newest: str | None = None
        pages = (
            self._client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self._bucket, Prefix=report_prefix(seller_id))
        )
        for page in pages:
            for entry in page.get("Contents", []):
                name = entry["Key"]
                if name.endswith(suffix) and (newest is None or name > newest):
                    newest = name
        if newest is None:
            return None
        body = self._client().get_object(Bucket=self._bucket, Key=newest)["Body"].read()
        report_date = newest.removeprefix(report_prefix(seller_id)).removesuffix(suffix)
        return StoredReport(key=newest, report_date=report_date, body=body)

    def put(self, seller_id: str, report_date: str, extension: str, body: bytes, content_type: str) -> str:
        """Store one format of a day's report (a rerun overwrites it); returns its key."""
        name = report_key(seller_id, report_date, extension)
        self._client().put_object(Bucket=self._bucket, Key=name, Body=body, ContentType=content_type)
        return name

    def read(self, name: str) -> bytes:
        """One stored object, by the key ``put`` returned (a retried delivery sends what was built)."""
        return self._client().get_object(Bucket=self._bucket, Key=name)["Body"].read()

    def download_links(self, objects: dict[str, str], now: datetime) -> DownloadLinks:
        """Presigned GETs for the stored formats, and the instant until which they really work.

        A presigned URL stops working when the credentials that signed it expire, whatever its
        ``X-Amz-Expires`` says; so the lifetime asked for is cut to what the credentials allow.
        """
        lifetime = link_lifetime(DOWNLOAD_LINK_LIFETIME, credentials_lifetime(self._environ, now))
        urls = {
            fmt: self._client().generate_presigned_url(
                "get_object",
                Params={"Bucket": self._bucket, "Key": name},
                ExpiresIn=int(lifetime.total_seconds()),
            )
            for fmt, name in objects.items()
        }
        return DownloadLinks(urls=urls, expires_at=now + lifetime)

    def put_export(self, seller_id: str, request_id: str, body: bytes) -> str:
        name = f"{export_prefix(seller_id)}{keys.checked_part(request_id)}.json"
        self._client().put_object(Bucket=self._bucket, Key=name, Body=body, ContentType="application/json")
        return name

    def objects_of(self, seller_id: str) -> list[str]:
        """Every object kept for the seller: its reports and its data-request exports."""
        paginator = self._client().get_paginator("list_objects_v2")
        return [
            entry["Key"]
            for prefix in (report_prefix(seller_id), export_prefix(seller_id))
            for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix)
            for entry in page.get("Contents", [])
        ]

    def delete(self, names: list[str]) -> None:
        for start in range(0, len(names), 1000):
            chunk = names[start : start + 1000]
            self._client().delete_objects(
                Bucket=self._bucket, Delete={"Objects": [{"Key": name} for name in chunk], "Quiet": True}
            )


@dataclass(frozen=True)
class DownloadLinks:
    urls: dict[str, str]
    expires_at: datetime


def link_lifetime(wanted: timedelta, credentials_left: timedelta | None) -> timedelta:
    """The wanted lifetime, cut to the signing credentials' remaining life (None: they do not expire)."""
    if credentials_left is None:
        return wanted
    return max(min(wanted, credentials_left - CREDENTIAL_EXPIRY_MARGIN), timedelta(0))


def credentials_lifetime(environ: Mapping[str, str], now: datetime) -> timedelta | None:
    """How long the process's credentials still sign, as far as the environment tells.

    Long-term keys (no session token) do not expire. Temporary credentials expire at
    ``AWS_CREDENTIAL_EXPIRATION`` when it is given (boto3 reads the same variable). Lambda's role
    credentials come without it and the function cannot learn when its role session ends, so they are
    assumed to last ``UNDATED_TEMPORARY_CREDENTIALS`` more: a short promise, not a week that the
    credentials would not keep.
    """
    if not environ.get("AWS_SESSION_TOKEN"):
        return None
    expiration = environ.get("AWS_CREDENTIAL_EXPIRATION")
    if expiration:
        try:
            expires_at = datetime.fromisoformat(expiration.replace("Z", "+00:00"))
        except ValueError:
            return UNDATED_TEMPORARY_CREDENTIALS
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        return expires_at - now
    return UNDATED_TEMPORARY_CREDENTIALS


class ReportRecordRepository:
    """``SELLER#{seller_id}`` / ``REPORT#{date}``: a day's report, its objects and every delivery attempt.

    Claiming the record is what makes report jobs idempotent: only one job at a time builds or delivers a
    day's report. A claim left ``building`` by a crashed job may be taken over once it is stale; a report
    ``retrying`` may be claimed by a run whose as_of has reached its ``retry_at``. While a report is not
    finished it sits in the sparse undelivered index (GSI1 ``REPORTS#UNDELIVERED``, sorted by when it may
    be tried again), which is how the hourly run finds the reports to retry without a Scan.
    """

    def __init__(self, table: Table) -> None:
        self._table = table

    def claim(
        self, seller_id: str, report_date: date, as_of: datetime, at: datetime, stale_before: datetime
    ) -> ReportRecord | None:
        """Take the day's report for this job; None when it is finished, held, or not yet due again.

        A claimed report is indexed as due again at ``as_of``: should the job die, the next run retries it.
        """
        day = report_date.isoformat()
        try:
            answer = self._table.client.update_item(
                TableName=self._table.name,
                Key=key(keys.seller_pk(seller_id), keys.report_sk(day)),
                UpdateExpression=(
                    "SET seller_id = :seller_id, report_date = :report_date, #state = :building, "
                    "claimed_at = :at, due_since = if_not_exists(due_since, :as_of), retry_at = :as_of, "
                    "gsi1pk = :undelivered, gsi1sk = :retry_key, objects = if_not_exists(objects, :empty), "
                    "deliveries = if_not_exists(deliveries, :empty), "
                    "attempts = if_not_exists(attempts, :no_attempts)"
                ),
                ConditionExpression=(
                    "attribute_not_exists(pk) OR (#state = :building AND claimed_at < :stale) "
                    "OR (#state = :retrying AND retry_at <= :as_of)"
                ),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":seller_id": {"S": seller_id},
                    ":report_date": {"S": day},
                    ":building": {"S": "building"},
                    ":retrying": {"S": "retrying"},
                    ":at": {"S": keys.timestamp(at)},
                    ":as_of": {"S": keys.timestamp(as_of)},
                    ":stale": {"S": keys.timestamp(stale_before)},
                    ":undelivered": {"S": keys.UNDELIVERED_REPORTS},
                    ":retry_key": {"S": keys.undelivered_report_sk(as_of, seller_id, day)},
                    ":empty": {"M": {}},
                    ":no_attempts": {"L": []},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return ReportRecord.model_validate(from_attributes(answer["Attributes"]))

    def record_objects(self, seller_id: str, report_date: date, objects: dict[str, str]) -> None:
        self._update(seller_id, report_date, "SET objects = :objects", {":objects": to_value(objects)})

    def record_delivery(self, seller_id: str, report_date: date, outcome: DeliveryOutcome) -> None:
        """The channel's latest outcome, and one more entry in the record's attempt history."""
        value = to_value(outcome.model_dump(mode="json"))
        self._update(
            seller_id,
            report_date,
            "SET deliveries.#channel = :outcome, attempts = list_append(attempts, :one)",
            {":outcome": value, ":one": {"L": [value]}},
            {"#channel": outcome.channel},
        )

    def complete(self, seller_id: str, report_date: date, at: datetime) -> None:
        """Every channel delivered: finished, out of the undelivered index."""
        self._finish(seller_id, report_date, "done", at)

    def give_up(self, seller_id: str, report_date: date, at: datetime) -> None:
        """A day passed without every channel delivering: finished as failed, out of the index."""
        self._finish(seller_id, report_date, "failed", at)

    def retry_later(self, seller_id: str, report_date: date, retry_at: datetime) -> None:
        """Not delivered yet: a run whose as_of reaches ``retry_at`` queues it again."""
        self._update(
            seller_id,
            report_date,
            "SET #state = :retrying, retry_at = :retry_at, gsi1pk = :undelivered, gsi1sk = :retry_key",
            {
                ":retrying": {"S": "retrying"},
                ":retry_at": {"S": keys.timestamp(retry_at)},
                ":undelivered": {"S": keys.UNDELIVERED_REPORTS},
                ":retry_key": {"S": keys.undelivered_report_sk(retry_at, seller_id, report_date.isoformat())},
            },
            {"#state": "state"},
        )

    def due_again(self, as_of: datetime) -> list[tuple[str, date]]:
        """(seller, date) of every unfinished report whose retry time has come by ``as_of``."""
        items = self._table.query_all(
            IndexName="GSI1",
            KeyConditionExpression="gsi1pk = :pk AND gsi1sk <= :until",
            ExpressionAttributeValues={
                ":pk": {"S": keys.UNDELIVERED_REPORTS},
                ":until": {"S": keys.timestamp(as_of) + "#\uffff"},
            },
            ProjectionExpression="seller_id, report_date",
        )
        return [(str(item["seller_id"]), date.fromisoformat(str(item["report_date"]))) for item in items]

    def get(self, seller_id: str, report_date: date) -> ReportRecord | None:
        item = self._table.get(
            keys.seller_pk(seller_id), keys.report_sk(report_date.isoformat()), consistent=True
        )
        return ReportRecord.model_validate(item) if item else None

    def latest(self, seller_id: str) -> ReportRecord | None:
        """The seller's newest report record (report dates sort as ISO dates)."""
        answer = self._table.client.query(
            TableName=self._table.name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :report)",
            ExpressionAttributeValues={
                ":pk": {"S": keys.seller_pk(seller_id)},
                ":report": {"S": keys.report_sk("")},
            },
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = answer.get("Items", [])
        return ReportRecord.model_validate(from_attributes(items[0])) if items else None

    def _finish(self, seller_id: str, report_date: date, state: str, at: datetime) -> None:
        self._update(
            seller_id,
            report_date,
            "SET #state = :state, completed_at = :at REMOVE retry_at, gsi1pk, gsi1sk",
            {":state": {"S": state}, ":at": {"S": at.isoformat()}},
            {"#state": "state"},
        )

    def _update(
        self,
        seller_id: str,
        report_date: date,
        expression: str,
        values: dict[str, Any],
        names: dict[str, str] | None = None,
    ) -> None:
        request: dict[str, Any] = {
            "TableName": self._table.name,
            "Key": key(keys.seller_pk(seller_id), keys.report_sk(report_date.isoformat())),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": values,
        }
        if names:
            request["ExpressionAttributeNames"] = names
        self._table.client.update_item(**request)
