"""Seller reports in S3: ``reports/{seller_id}/{date}.{ext}``, one object per day and format."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

_CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=10, retries={"mode": "standard", "max_attempts": 3})


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
    """Reads the reports bucket; the S3 client is created on first use, not at import."""

    def __init__(self, bucket: str, client: S3Client | None = None) -> None:
        self._bucket = bucket
        self._given_client = client

    @cached_property
    def _client(self) -> S3Client:
        return self._given_client or boto3.client("s3", config=_CLIENT_CONFIG)

    def latest(self, seller_id: str, extension: str) -> StoredReport | None:
        """The newest report in this format: dates in the key are ISO, so the greatest key is the newest.

        Lists the seller's own prefix only: a few pages even after years of daily reports.
        """
        suffix = f".{extension}"
        newest: str | None = None
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=report_prefix(seller_id)
        )
        for page in pages:
            for entry in page.get("Contents", []):
                name = entry["Key"]
                if name.endswith(suffix) and (newest is None or name > newest):
                    newest = name
        if newest is None:
            return None
        body = self._client.get_object(Bucket=self._bucket, Key=newest)["Body"].read()
        report_date = newest.removeprefix(report_prefix(seller_id)).removesuffix(suffix)
        return StoredReport(key=newest, report_date=report_date, body=body)
