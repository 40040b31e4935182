"""Report e-mails through SES (SendRawEmail), and the local stack's outbox in moto.

A report e-mail is multipart/mixed: a multipart/alternative (plain text, then HTML) and the CSV as
an attachment. In the local stack SES is moto's: it keeps what was sent, and a moto *server* shows it
at ``GET {endpoint}/moto-api/data.json`` under ``ses.RawMessage`` (id, source, destinations,
raw_data); ``GetSendStatistics`` only counts. ``outbox`` reads that endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any

import boto3
import httpx
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from trackguard.clients.http import DEFAULT_TIMEOUT
from trackguard.domain.inert_text import inert_line, inert_text
from trackguard.wiring import on_first_use

if TYPE_CHECKING:
    from mypy_boto3_ses.client import SESClient

# Bounded like a webhook attempt: a report job never waits on SES for more than about 15 s.
_CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 2})


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str


@dataclass(frozen=True)
class MailResult:
    sent: bool
    message_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class OutboxMessage:
    message_id: str
    source: str
    destinations: tuple[str, ...]
    raw: str


def report_message(
    *, sender: str, recipient: str, subject: str, text: str, html: str, attachment: Attachment
) -> EmailMessage:
    """The report e-mail; its subject, text and HTML made inert (no control or bidi character)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = inert_line(subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(inert_text(text))
    message.add_alternative(inert_text(html), subtype="html")
    message.make_mixed()
    message.add_attachment(
        attachment.content,
        maintype=attachment.maintype,
        subtype=attachment.subtype,
        filename=attachment.filename,
    )
    return message


class SesMailer:
    """Sends raw messages through SES; the client is created on first use, not at import."""

    def __init__(self, client: SESClient | None = None) -> None:
        self._client = on_first_use(lambda: client or boto3.client("ses", config=_CLIENT_CONFIG))

    def send(self, message: EmailMessage) -> MailResult:
        try:
            answer = self._client().send_raw_email(
                Source=str(message["From"]),
                Destinations=[str(message["To"])],
                RawMessage={"Data": message.as_bytes()},
            )
        except ClientError as error:
            return MailResult(sent=False, reason=f"SES refused: {error.response['Error']['Code']}")
        except BotoCoreError as error:
            return MailResult(sent=False, reason=f"SES unreachable: {type(error).__name__}")
        return MailResult(sent=True, message_id=answer["MessageId"])


def ses_endpoint_url() -> str:
    """Where boto3 sends SES calls (it honours AWS_ENDPOINT_URL_SES and AWS_ENDPOINT_URL)."""
    return str(boto3.client("ses", config=_CLIENT_CONFIG).meta.endpoint_url)


def outbox(endpoint_url: str) -> list[OutboxMessage]:
    """Messages moto's SES has accepted, oldest first (moto server only: AWS has no such endpoint)."""
    response = httpx.get(f"{endpoint_url.rstrip('/')}/moto-api/data.json", timeout=DEFAULT_TIMEOUT)
    response.raise_for_status()
    raw_messages: list[dict[str, Any]] = response.json().get("ses", {}).get("RawMessage", [])
    return [
        OutboxMessage(
            message_id=str(item["id"]),
            source=str(item["source"]),
            destinations=tuple(dict.fromkeys(item.get("destinations", []))),
            raw=str(item["raw_data"]),
        )
        for item in raw_messages
    ]
