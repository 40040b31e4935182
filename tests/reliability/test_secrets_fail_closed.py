"""A secret document with sections missing or unusable: those senders are not configured, the rest work.

The real webhook handlers read the document from Secrets Manager (moto) and store into DynamoDB Local.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest

from tests.reliability.harness import Ingestion, clear_secret_caches, post, table_snapshot
from tests.reliability.senders import Delivery, good_document, signed
from trackguard.sources.base import base64_hmac
from trackguard.storage.dynamo import Table
from trackguard_dev.signing import dev_secret_document

PARTIAL_ID = "trackguard/webhook-secrets-partial"


@pytest.fixture
def partial(table: Table, aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Ingestion:
    """No ``usps`` section, a blank ``aftership`` secret, a too-short ``dhl`` token; the rest as in dev."""
    document = {name: section for name, section in dev_secret_document().items() if name != "usps"}
    document["aftership"] = {"webhook_secret": ""}
    document["dhl"] = {"token": "short-token"}
    secrets = boto3.client("secretsmanager")
    try:
        secrets.create_secret(Name=PARTIAL_ID, SecretString=json.dumps(document))
    except secrets.exceptions.ResourceExistsException:
        secrets.put_secret_value(SecretId=PARTIAL_ID, SecretString=json.dumps(document))
    clear_secret_caches()
    ingestion = Ingestion(table, PARTIAL_ID)
    for function, endpoint in ingestion.endpoints().items():
        monkeypatch.setattr(function, "endpoint", endpoint)
    return ingestion


def well_formed(route: str, now: datetime) -> Delivery:
    document, headers = good_document(route)
    return signed(route, document, now, headers)


def test_configured_senders_work_and_unconfigured_ones_answer_404(partial: Ingestion) -> None:
    now = datetime.now(UTC)

    tiktok = post(well_formed("tiktok-shop", now), now)
    assert tiktok.status == 200, tiktok.body
    before = table_snapshot(partial.table)

    usps = post(well_formed("usps", now), now)
    body = json.dumps(good_document("aftership")[0]).encode()
    forged = {"content-type": "application/json", "aftership-hmac-sha256": base64_hmac("", body)}
    aftership = post(Delivery("aftership", body, forged), now)
    dhl = post(
        Delivery("dhl", b"{}", {"content-type": "application/json", "dhl-webhook-token": "short-token"}), now
    )

    for answer in (usps, aftership, dhl):
        assert answer.status == 404, answer.body
        assert answer.body["error"] == "unknown_source"
        assert "not configured" in answer.body["message"]
    assert table_snapshot(partial.table) == before
