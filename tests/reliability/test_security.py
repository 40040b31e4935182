"""Security: constant-time signature checks, and no secret or buyer data in any log line.

Tenant isolation (seller A's key on each of seller B's routes is 403) is covered route by route through
the authorizer and the seller API handler in
tests/integration/test_seller_api.py::test_a_key_opens_its_own_sellers_paths_only.
"""

from __future__ import annotations

import ast
import base64
import inspect
import io
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.reliability.corpus import corpus
from tests.reliability.harness import Ingestion, post
from tests.reliability.senders import (
    EVENT_TIME,
    TIKTOK_SHOP_ID,
    shopify_fulfillment,
    shopify_headers,
    shopify_order,
    signed,
    tiktok_notification,
)
from tests.support.fakes import DictSecrets, RecordingPublisher
from tests.support.lambda_events import FakeLambdaContext, api_event, authorizer_event, load_function
from tests.support.payloads import tiktok_order
from tests.support.shops import shop_sync_for
from trackguard.api import seller_routes
from trackguard.clients.tiktok_shop import TikTokOrder
from trackguard.observability import logger
from trackguard.rules.thresholds import Thresholds
from trackguard.services.judging import OrderJudge
from trackguard.services.processing import Processor
from trackguard.services.seller_api import SellerApiService
from trackguard.services.sellers import Authorizer, SellerSecrets, SellerService
from trackguard.services.shipments import ShipmentUpdater
from trackguard.sources.registry import CARRIER_SOURCES, SHOP_SOURCES, sender
from trackguard.storage.reports import ReportStore
from trackguard.storage.store import Store
from trackguard.wiring import on_first_use
from trackguard_dev.signing import dev_secret_document

SOURCES = Path(__file__).resolve().parents[2] / "shared" / "trackguard" / "sources"
SECRET_WORDS = re.compile(r"sig|signature|token|secret|credential|hmac|digest", re.IGNORECASE)
REPORTS_BUCKET = "trackguard-reports-security"
PROBE = "probe-7f3c9e"


def _names_in(node: ast.AST) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            yield child.id
        elif isinstance(child, ast.Attribute):
            yield child.attr
        elif isinstance(child, ast.arg):
            yield child.arg


def variable_time_comparisons(source: str, filename: str) -> list[str]:
    """Each ==/!= whose operands mention a signature, token, secret, credential, hmac or digest."""
    findings = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Compare):
            continue
        if not any(isinstance(operator, ast.Eq | ast.NotEq) for operator in node.ops):
            continue
        mentioned = [name for operand in [node.left, *node.comparators] for name in _names_in(operand)]
        if any(SECRET_WORDS.search(name) for name in mentioned):
            findings.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
    return findings


@pytest.mark.parametrize(
    "snippet",
    [
        "def verify(delivery, secret):\n    if expected_signature != delivery.header:\n        raise E\n",
        "def verify(d, s):\n    return hmac.new(s, d, sha256).hexdigest() == d.headers['sign']\n",
        "def verify(d, secrets):\n    assert d.token == secrets.dhl.token\n",
    ],
)
def test_the_scan_flags_a_signature_compared_with_equals(snippet: str) -> None:
    assert len(variable_time_comparisons(snippet, "snippet.py")) == 1


def test_the_scan_accepts_a_constant_time_comparison() -> None:
    snippet = (
        "def verify(d, secret):\n    if not hmac.compare_digest(expected_sig, d.sig):\n        raise E\n"
    )

    assert variable_time_comparisons(snippet, "snippet.py") == []


def test_every_source_compares_signatures_in_constant_time() -> None:
    files = sorted(SOURCES.rglob("*.py"))
    verifying = {Path(inspect.getfile(sender(name).verify)) for name in {**SHOP_SOURCES, **CARRIER_SOURCES}}

    findings = [
        finding
        for path in files
        for finding in variable_time_comparisons(path.read_text(), str(path.relative_to(SOURCES)))
    ]

    assert verifying <= set(files), "every sender's verify is among the scanned files"
    assert findings == []


@dataclass(frozen=True)
class Buyer:
    name: str
    phone: str
    email: str
    street: str

    @property
    def planted(self) -> tuple[str, ...]:
        return (self.name, self.phone, self.email, self.street)


SHOPIFY_BUYERS = [
    Buyer("Oksana Wrzesniewska", "+14155550199", "oksana.w@mailbox.example", "4821 Quillfeather Lane"),
    Buyer("Thaddeus Okonkwo-Baptiste", "+12065550142", "t.okonkwo@post.example", "77 Marigold Crescent"),
    Buyer("Ines Vasconcelos", "+13125550117", "ines.v@inbox.example", "9 Larkspur Terrace Apt 3"),
]
TIKTOK_BUYER = Buyer("Xiomara Lindqvist", "(+1)4085550163", "xiomara@tt.example", "310 Saffron Hollow Rd")
CORPUS_BUYER = Buyer("Jane Buyer", "+15555550123", "jane.buyer@example.com", "123 Elm Street")


def malformed_shopify_order(buyer: Buyer) -> Any:
    """Signed, but its zip is no string: refused with 400, the buyer's data in the refused body."""
    order = shopify_order(6_199_999, EVENT_TIME, (buyer.name, buyer.street, buyer.phone))
    order["shipping_address"]["zip"] = {"street": buyer.street, "phone": buyer.phone}
    return signed("shopify", order, EVENT_TIME, shopify_headers("orders/create", "sec-malformed"))


def shopify_deliveries(index: int, buyer: Buyer) -> list[Any]:
    order_id = 6_100_000 + index
    order = {
        **shopify_order(order_id, EVENT_TIME, (buyer.name, buyer.street, buyer.phone)),
        "email": buyer.email,
        "phone": buyer.phone,
        "customer": {"first_name": buyer.name.split()[0], "email": buyer.email, "phone": buyer.phone},
    }
    documents = [
        ("orders/create", order),
        ("fulfillments/create", shopify_fulfillment(order_id, 8_100_000 + index, "1Z999AA10123456784")),
    ]
    return [
        signed("shopify", document, EVENT_TIME, shopify_headers(topic, f"sec-{index}-{n}"))
        for n, (topic, document) in enumerate(documents)
    ]


class BuyerTikTokOrders:
    """The TikTok Shop API's order detail, with the buyer's recipient data; one order is malformed."""

    def fetch(self, shop_id: str, order_ids: Sequence[str]) -> list[TikTokOrder]:
        return [TikTokOrder.model_validate(self._order(order_id)) for order_id in order_ids]

    @staticmethod
    def _order(order_id: str) -> dict[str, Any]:
        order = tiktok_order(order_id)
        order["recipient_address"] = {
            **order["recipient_address"],
            "name": TIKTOK_BUYER.name,
            "phone_number": TIKTOK_BUYER.phone,
            "full_address": f"{TIKTOK_BUYER.street}, San Jose, CA 95110",
            "address_detail": TIKTOK_BUYER.street,
        }
        order["buyer_email"] = TIKTOK_BUYER.email
        if order_id.endswith("9"):
            order["recipient_address"]["postal_code"] = [TIKTOK_BUYER.street, TIKTOK_BUYER.phone]
        return order


def processor_for(store: Store) -> Processor:
    publisher = RecordingPublisher()
    updater = ShipmentUpdater(store, publisher)
    return Processor(
        store=store,
        build_shop_sync=lambda: shop_sync_for(store, updater, BuyerTikTokOrders()),
        updater=updater,
        judge=OrderJudge(store, publisher, Thresholds()),
        clock=lambda: EVENT_TIME + timedelta(days=2),
    )


def process_all(ingestion: Ingestion, processor: Processor) -> int:
    """Process the deliveries' work; how many messages failed (their failures are logged)."""
    failures = 0
    for message in ingestion.new_work():
        try:
            processor.handle(message)
        except Exception:
            failures += 1
    return failures


def use_the_seller_api(store: Store, monkeypatch: pytest.MonkeyPatch) -> str:
    """Register a seller and call its flags route with its key; return the key."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=REPORTS_BUCKET)
    authorizer_function = load_function("seller_authorizer")
    seller_api_function = load_function("seller_api")
    monkeypatch.setattr(authorizer_function, "authorizer", lambda: Authorizer(lambda: store.sellers))
    monkeypatch.setattr(
        seller_routes,
        "seller_api",
        on_first_use(lambda: SellerApiService(store, ReportStore(REPORTS_BUCKET, s3))),
    )
    api_key = SellerService(store.sellers, SellerSecrets(DictSecrets())).rotate_key(TIKTOK_SHOP_ID).api_key
    path = f"/sellers/{TIKTOK_SHOP_ID}/flags"
    verdict = authorizer_function.lambda_handler(
        authorizer_event(path, f"Bearer {api_key}"), FakeLambdaContext()
    )
    answer = seller_api_function.lambda_handler(
        api_event("GET", path, verdict["context"]), FakeLambdaContext()
    )
    assert answer["statusCode"] == 200
    return api_key


def dev_secrets() -> list[str]:
    document = dev_secret_document()
    values = [value for section in document.values() for value in section.values()]
    generic_key = base64.b64decode(document["generic"]["secret"].removeprefix("whsec_"))
    return [*values, generic_key.hex(), generic_key.decode("latin-1")]


@contextmanager
def captured_logs(capfd: pytest.CaptureFixture[str]) -> Iterator[list[str]]:
    """Every line logged inside the block: Powertools' JSON handler, and the process's stdout and stderr."""
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    original = handler.setStream(buffer)
    capfd.readouterr()
    lines: list[str] = []
    try:
        yield lines
    finally:
        handler.setStream(original)
        captured = capfd.readouterr()
        lines.extend(
            [*buffer.getvalue().splitlines(), *captured.out.splitlines(), *captured.err.splitlines()]
        )


def leaks(lines: Sequence[str], secrets: Sequence[str]) -> list[str]:
    return [f"{secret!r} in {line[:300]}" for line in lines for secret in secrets if secret in line]


def test_no_secret_or_buyer_data_reaches_a_log_line(
    ingestion: Ingestion,
    store: Store,
    capfd: pytest.CaptureFixture[str],
    tally: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = datetime.now(UTC)
    deliveries = [d for index, buyer in enumerate(SHOPIFY_BUYERS) for d in shopify_deliveries(index, buyer)]
    deliveries += [
        signed("tiktok-shop", tiktok_notification(order_id, f"n-{order_id}"), now)
        for order_id in ("7001", "7009")
    ]
    bad_cases = corpus(now)
    with captured_logs(capfd) as lines:
        logger.info("capture probe", probe=PROBE)
        statuses = [post(delivery, now).status for delivery in deliveries]
        failed = process_all(ingestion, processor_for(store))
        bad_statuses = [post(case.delivery, now, case.raw_body).status for case in bad_cases]
        bad_statuses.append(post(malformed_shopify_order(SHOPIFY_BUYERS[0]), now).status)
        api_key = use_the_seller_api(store, monkeypatch)
    planted = [value for buyer in [*SHOPIFY_BUYERS, TIKTOK_BUYER, CORPUS_BUYER] for value in buyer.planted]
    found = leaks(lines, [*dev_secrets(), api_key, *planted])

    tally["cases_tried"] += len(deliveries) + len(bad_statuses)
    tally["cases_passed"] += (len(deliveries) + len(bad_statuses)) if not found else 0
    assert any(PROBE in line for line in lines), "the capture sees Powertools' log lines"
    assert sum("delivery refused" in line for line in lines) >= len(bad_cases)
    assert statuses == [200] * len(deliveries)
    assert failed >= 1, "the malformed buyer data failed processing, so its error path was logged"
    assert all(400 <= status < 500 for status in bad_statuses)
    assert found == [], "\n".join(found[:20])
