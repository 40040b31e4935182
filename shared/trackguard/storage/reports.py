"""Seller reports in S3: ``reports/{seller_id}/{date}.{ext}``, one object per day and format;
and each day's report record in the table (its objects and delivery outcomes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from trackguard.domain.reports import DeliveryOutcome, ReportRecord
from trackguard.storage import keys
from trackguard.storage.dynamo import Table, from_attributes, key, to_value
from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

_CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=10, retries={"mode": "standard", "max_attempts": 3})
DOWNLOAD_LINK_LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class StoredReport:
    key: str
    report_date: str
    body: bytes


def report_prefix(seller_id: str) -> str:
    return f"reports/{seller_id}/"


def report_key(seller_id: str, report_date: str, extension: str) -> str:
    return f"{report_prefix(seller_id)}{report_date}.{extension}"


class ReportStore:
    """Reads and writes the reports bucket; the S3 client is created on first use, not at import."""

    def __init__(self, bucket: str, client: S3Client | None = None) -> None:
        self._bucket = bucket
        self._client = on_first_use(lambda: client or boto3.client("s3", config=_CLIENT_CONFIG))

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

    def download_url(self, name: str, expires_in: timedelta = DOWNLOAD_LINK_LIFETIME) -> str:
        """A presigned GET for one stored report, for a seller's webhook receiver to fetch."""
        return self._client().generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": name},
            ExpiresIn=int(expires_in.total_seconds()),
        )


class ReportRecordRepository:
    """``SELLER#{seller_id}`` / ``REPORT#{date}``: which objects a day's report has and how delivery went.

    Claiming the record is what makes the hourly schedule idempotent: only one run builds and delivers
    a day's report; a claim left ``building`` by a crashed run may be taken over once it is stale.
    """

    def __init__(self, table: Table) -> None:
        self._table = table

    def claim(
        self, seller_id: str, report_date: date, at: datetime, stale_before: datetime
    ) -> ReportRecord | None:
        """Take the day's report for this run; None when it is done or another run holds it."""
        try:
            answer = self._table.client.update_item(
                TableName=self._table.name,
                Key=key(keys.seller_pk(seller_id), keys.report_sk(report_date.isoformat())),
                UpdateExpression=(
                    "SET seller_id = :seller_id, report_date = :report_date, #state = :building, "
                    "claimed_at = :at, objects = if_not_exists(objects, :empty), "
                    "deliveries = if_not_exists(deliveries, :empty)"
                ),
                ConditionExpression=(
                    "attribute_not_exists(pk) OR (#state = :building AND claimed_at < :stale)"
                ),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":seller_id": {"S": seller_id},
                    ":report_date": {"S": report_date.isoformat()},
                    ":building": {"S": "building"},
                    ":at": {"S": keys.timestamp(at)},
                    ":stale": {"S": keys.timestamp(stale_before)},
                    ":empty": {"M": {}},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return ReportRecord.model_validate(from_attributes(answer["Attributes"]))

    def record_objects(self, seller_id: str, report_date: date, objects: dict[str, str]) -> None:
        self._set(seller_id, report_date, "objects", objects)

    def record_delivery(self, seller_id: str, report_date: date, outcome: DeliveryOutcome) -> None:
        self._table.client.update_item(
            TableName=self._table.name,
            Key=key(keys.seller_pk(seller_id), keys.report_sk(report_date.isoformat())),
            UpdateExpression="SET deliveries.#channel = :outcome",
            ExpressionAttributeNames={"#channel": outcome.channel},
            ExpressionAttributeValues={":outcome": to_value(outcome.model_dump(mode="json"))},
        )

    def complete(self, seller_id: str, report_date: date, at: datetime) -> None:
        self._table.client.update_item(
            TableName=self._table.name,
            Key=key(keys.seller_pk(seller_id), keys.report_sk(report_date.isoformat())),
            UpdateExpression="SET #state = :done, completed_at = :at",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={":done": {"S": "done"}, ":at": {"S": at.isoformat()}},
        )

    def get(self, seller_id: str, report_date: date) -> ReportRecord | None:
        item = self._table.get(
            keys.seller_pk(seller_id), keys.report_sk(report_date.isoformat()), consistent=True
        )
        return ReportRecord.model_validate(item) if item else None

    def _set(self, seller_id: str, report_date: date, name: str, value: object) -> None:
        self._table.client.update_item(
            TableName=self._table.name,
            Key=key(keys.seller_pk(seller_id), keys.report_sk(report_date.isoformat())),
            UpdateExpression="SET #name = :value",
            ExpressionAttributeNames={"#name": name},
            ExpressionAttributeValues={":value": to_value(value)},
        )
