"""The report e-mail: multipart/mixed holding text and HTML alternatives and the CSV, sent through SES."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from tests.support.builders import T0
from tests.unit.reports.sample import sample_report
from trackguard.clients.email import SesMailer
from trackguard.clients.seller_webhooks import SellerWebhookSender
from trackguard.domain.sellers import Seller
from trackguard.services.reports import ReportDelivery, render
from trackguard.storage.reports import ReportStore

if TYPE_CHECKING:
    from mypy_boto3_ses.client import SESClient

SENDER = "reports@trackguard.test"


@pytest.fixture
def ses() -> Iterator[SESClient]:
    with mock_aws():
        client = boto3.client("ses", region_name="us-east-1")
        client.verify_email_identity(EmailAddress=SENDER)
        yield client


def deliver_email(ses: SESClient) -> Any:
    seller = Seller(seller_id="shop-1", platform="tiktok_shop", created_at=T0, email="owner@shop.test")
    delivery = ReportDelivery(
        objects=ReportStore("unused"),
        webhooks=SellerWebhookSender(allow_loopback=False),
        mailer=SesMailer(ses),
        sender_email=SENDER,
        webhook_secret=lambda _seller: None,
    )
    return delivery.deliver("email", seller, render(sample_report()), {})


def sent_messages() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


def test_the_email_is_mixed_with_text_and_html_alternatives_and_the_csv(ses: SESClient) -> None:
    outcome = deliver_email(ses)
    assert outcome.status == "delivered"
    [sent] = sent_messages()
    assert outcome.reference == sent.id
    message = message_from_bytes(sent.raw_data.encode(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message.get_content_type() == "multipart/mixed"
    assert message["From"] == SENDER
    assert message["To"] == "owner@shop.test"
    assert "93.6%" in message["Subject"]
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, html = alternative.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert "Valid Tracking Rate, 7 days: 93.6% (threshold 95%)" in text.get_content()
    assert html.get_content_type() == "text/html"
    assert "<td>o-2</td>" in html.get_content()
    assert attachment.get_content_type() == "text/csv"
    assert attachment.get_filename() == "trackguard-shop-1-2026-11-03.csv"
    csv_text = attachment.get_content()
    csv_text = csv_text.decode() if isinstance(csv_text, bytes) else csv_text
    assert csv_text.splitlines()[0].startswith("order_id,package_id,tracking_number,carrier,code")
    assert len(csv_text.splitlines()) == 5


def test_an_unverified_sender_is_recorded_as_a_failure(ses: SESClient) -> None:
    ses.delete_identity(Identity=SENDER)
    outcome = deliver_email(ses)
    assert outcome.status == "failed"
    assert outcome.reason == "SES refused: MessageRejected"
    assert sent_messages() == []


@pytest.mark.parametrize(("sender", "channels"), [(SENDER, ["email"]), ("", [])])
def test_reports_are_emailed_only_when_the_deployment_has_a_sender(sender: str, channels: list[str]) -> None:
    """ReportEmails=disabled leaves REPORT_SENDER_EMAIL empty: sellers with an address get no e-mail."""
    seller = Seller(seller_id="shop-1", platform="tiktok_shop", created_at=T0, email="owner@shop.test")
    delivery = ReportDelivery(
        objects=ReportStore("unused"),
        webhooks=SellerWebhookSender(allow_loopback=False),
        mailer=SesMailer(boto3.client("ses", region_name="us-east-1")),
        sender_email=sender,
        webhook_secret=lambda _seller: None,
    )

    assert delivery.channels(seller) == channels
