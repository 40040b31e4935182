"""After a realistic day through the local stack, the table holds no buyer name, street, phone or e-mail.

The demo's orders carry what real ones do (a buyer's name, street, phone and e-mail in Shopify's order,
fulfillment, customer and address fields, and in TikTok's recipient address); docs/data-retention.md
allows only the buyer's postal code, city and country to be kept. A Scan is fine in a test.
"""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from tests.support.stacks import Stack
from trackguard_dev.demo.day import plan_day
from trackguard_dev.demo.driver import driving
from trackguard_dev.demo.payloads import buyer_of
from trackguard_dev.demo.stack import handle_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def every_item(environment: dict[str, str]) -> list[str]:
    """Each item of the stack's table as text, stored delivery bodies decompressed."""
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=environment["AWS_ENDPOINT_URL_DYNAMODB"],
        region_name=environment.get("AWS_REGION", environment.get("AWS_DEFAULT_REGION", "us-east-1")),
        aws_access_key_id=environment.get("AWS_ACCESS_KEY_ID", "testing"),
        aws_secret_access_key=environment.get("AWS_SECRET_ACCESS_KEY", "testing"),
    )
    texts = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=environment["TABLE_NAME"]):
        for item in page["Items"]:
            body = item.pop("body", {}).get("B")
            text = json.dumps(item, default=str)
            if body is not None:
                text += zlib.decompress(body).decode()
            texts.append(text)
    return texts


def test_a_demo_day_leaves_no_buyer_name_street_phone_or_email_in_the_table(
    real_stack: Stack, tmp_path: Path
) -> None:
    handle = handle_for(real_stack.state_dir)
    assert handle is not None
    scenario = plan_day(seed=23, orders=30, now=datetime.now(UTC))
    with driving(handle, scenario, reports_dir=tmp_path) as driver:
        driver.run()

    items = every_item(handle.environment)
    found: dict[str, list[str]] = {}
    for order in scenario.orders:
        buyer = buyer_of(order)
        for what, value in (
            ("name", buyer.name),
            ("first name", json.dumps(buyer.first_name)),
            ("last name", json.dumps(buyer.last_name)),
            ("street", buyer.street),
            ("phone", buyer.phone),
            ("email", buyer.email),
        ):
            hits = [text[:120] for text in items if value in text]
            if hits:
                found.setdefault(f"{order.order_id} {what}", hits)

    assert len(items) > 100, "the day stored orders, packages, events and deliveries"
    assert any(scenario.orders[0].buyer_postal in text for text in items), "the allowed data is kept"
    assert found == {}
