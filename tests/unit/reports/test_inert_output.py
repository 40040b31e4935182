"""Hostile text from senders (order ids, carriers' descriptions) ends inert in the CSV, HTML and e-mail."""

from __future__ import annotations

import csv
import io
import re
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from tests.support.builders import T0, a_flag
from tests.unit.reports.sample import sample_report
from trackguard.clients.email import Attachment, report_message
from trackguard.domain.inert_text import FORMULA_STARTS, inert_cell, inert_line, inert_text
from trackguard.reports.formats import render_csv
from trackguard.reports.html_page import render_html
from trackguard.reports.model import SellerReport
from trackguard.services.reports import email_subject, plain_text, render, report_flag

HOSTILE_ORDER = "x;=1+2;@SUM(3)|-cmd,+1\x00\u202egpj.exe"
HOSTILE_DESCRIPTION = 'Lost\x07 in transit\u2066 <script>alert(1)</script>\r\n=HYPERLINK("http://evil")\x9b'
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    ("cell", "inert"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t'=1"),
        ("x;=1+2;@SUM(3)", "x;'=1+2;'@SUM(3)"),
        ("a,=b|+c", "a,'=b|'+c"),
        ("a; =b", "a; '=b"),
        ("line\n=2", "line\n'=2"),
        ("\uff1dcmd", "'\uff1dcmd"),
        ("1Z5R89390357567127", "1Z5R89390357567127"),
        ("2026-11-02T09:00:00+00:00", "2026-11-02T09:00:00+00:00"),
        ("buyer is in 10001, seller says 10002", "buyer is in 10001, seller says 10002"),
        ("a\x00b\u202ec\u2069d\x85", "abcd"),
    ],
)
def test_a_cell_never_starts_a_formula_after_any_separator(cell: str, inert: str) -> None:
    assert inert_cell(cell) == inert


def test_text_keeps_tabs_and_line_feeds_and_loses_every_other_control() -> None:
    assert inert_text("a\tb\nc\r\x00\x1b[31m\u200f\u202dd") == "a\tb\nc[31md"
    assert inert_line("subject\nBcc: x@y.z\tend") == "subject Bcc: x@y.z end"


def hostile_report() -> SellerReport:
    flag = a_flag(order_id=HOSTILE_ORDER, detected_at=T0).model_copy(
        update={"message": HOSTILE_DESCRIPTION, "tracking_number": "@1Z\u202e99"}
    )
    return sample_report().model_copy(
        update={"open_flags": [report_flag(flag, {(HOSTILE_ORDER, "p-1"): "ups\x00"})]}
    )


def split_every_way(line: str) -> list[str]:
    """The parts a spreadsheet could see, whichever separator its locale splits on."""
    return [part.strip(' "') for separator in ",;|\t" for part in line.split(separator)]


def test_the_csv_has_no_formula_in_any_locale_and_no_control_character() -> None:
    text = render_csv(hostile_report()).decode()

    assert not CONTROLS.search(text.replace("\r\n", "\n").replace("\n", ""))
    for line in text.splitlines():
        for part in split_every_way(line):
            assert part[:1] not in FORMULA_STARTS, part
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["order_id"] == "x;'=1+2;'@SUM(3)|'-cmd,'+1gpj.exe"
    assert row["tracking_number"] == "'@1Z99"
    assert row["carrier"] == "ups"


def test_the_html_is_escaped_and_has_no_control_character() -> None:
    page = render_html(hostile_report()).decode()

    assert not CONTROLS.search(page)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<td>x;=1+2;@SUM(3)|-cmd,+1gpj.exe</td>" in page


def text_parts(message: EmailMessage) -> list[str]:
    return [str(part.get_content()) for part in message.walk() if part.get_content_maintype() == "text"]


def test_the_email_subject_text_html_and_csv_have_no_control_character() -> None:
    report = hostile_report().model_copy(update={"seller_id": "shop\u202e-1\x00"})
    rendered = render(report)
    message = report_message(
        sender="reports@trackguard.test",
        recipient="owner@shop.test",
        subject=email_subject(report) + "\r\nBcc: victim@example.com",
        text=plain_text(report),
        html=rendered.bodies["html"].decode(),
        attachment=Attachment("r.csv", rendered.bodies["csv"], "text", "csv"),
    )
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)

    assert parsed["Bcc"] is None
    assert not CONTROLS.search(str(parsed["Subject"]))
    parts = text_parts(parsed)
    assert len(parts) == 3, "text, html and the csv"
    for part in parts:
        assert not CONTROLS.search(part.replace("\r\n", "\n").replace("\n", ""))
    assert "Flagged orders for shop-1 on" in parts[0]
