"""`trackguard sellers` against DynamoDB Local, configured through the environment as an operator would."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.support.lambda_events import FakeLambdaContext, authorizer_event, load_function
from trackguard.domain.reports import DeliveryOutcome
from trackguard.services.sellers import Authorizer, SellerSecrets, checked_webhook_secret
from trackguard.storage.dynamo import Table, dynamodb_client
from trackguard.storage.reports import ReportRecordRepository
from trackguard.storage.store import Store
from trackguard_dev.cli import sellers as sellers_cli
from trackguard_dev.local.dynamodb_local import DynamoDBLocal

pytestmark = pytest.mark.integration

authorizer_function = load_function("seller_authorizer")


@pytest.fixture
def environment(
    dynamodb_local: DynamoDBLocal,
    moto_endpoint: str,
    table: Table,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    for name, value in {
        "TABLE_NAME": table.name,
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_local.endpoint_url,
        "AWS_ENDPOINT_URL": moto_endpoint,
        "SELLER_SECRETS_PREFIX": f"test-{table.name}/seller-secrets/",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(authorizer_function, "authorizer", lambda: Authorizer(lambda: store.sellers))
    dynamodb_client.reset()
    yield
    dynamodb_client.reset()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="trackguard")
    sellers_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code = args.handler(args)
    out, err = capsys.readouterr()
    return code, out, err


def authorizer_context(api_key: str) -> dict[str, str]:
    event = authorizer_event("/sellers/shop-a/flags", f"Bearer {api_key}")
    context: dict[str, str] = authorizer_function.lambda_handler(event, FakeLambdaContext())["context"]
    return context


@pytest.mark.usefixtures("environment")
def test_add_rotate_and_revoke_print_keys_last_and_the_authorizer_follows(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    code, out, _ = run(capsys, "sellers", "add", "shop-a", "--email", "ops@shop-a.example")
    first = out.split()[-1]
    assert code == 0
    assert authorizer_context(first)["seller_id"] == "shop-a"

    code, out, _ = run(capsys, "sellers", "rotate-key", "shop-a")
    second = out.split()[-1]
    assert code == 0
    assert second != first
    assert authorizer_context(first)["seller_id"] == "shop-a"
    assert authorizer_context(second)["seller_id"] == "shop-a"

    first_id = authorizer_context(first)["key_id"]
    code, out, _ = run(capsys, "sellers", "revoke", "shop-a", first_id)
    assert code == 0
    assert authorizer_context(first) == {"refusal": "revoked_key"}
    assert authorizer_context(second)["seller_id"] == "shop-a"

    code, out, _ = run(capsys, "sellers", "list")
    assert code == 0
    assert "shop-a" in out
    assert f"active_keys={authorizer_context(second)['key_id']}" in out
    assert first not in out
    assert second not in out


@pytest.mark.usefixtures("environment")
def test_the_platform_is_shopify_for_a_shop_domain(capsys: pytest.CaptureFixture[str], store: Store) -> None:
    run(capsys, "sellers", "add", "my-shop.myshopify.com")
    run(capsys, "sellers", "add", "7495614880318359851", "--platform", "tiktok_shop")

    platforms = {seller.seller_id: seller.platform for seller in store.sellers.all()}
    assert platforms == {"my-shop.myshopify.com": "shopify", "7495614880318359851": "tiktok_shop"}


@pytest.mark.usefixtures("environment")
def test_set_stores_delivery_settings_and_prints_a_new_secret_last(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    run(capsys, "sellers", "add", "shop-a")

    code, out, _ = run(
        capsys,
        "sellers",
        "set",
        "shop-a",
        "--webhook-url",
        "https://hooks.shop-a.example/tg",
        "--new-webhook-secret",
        "--timezone",
        "America/New_York",
        "--report-hour",
        "6",
    )

    secret = out.split()[-1]
    assert code == 0
    assert checked_webhook_secret(secret) == secret
    seller = store.sellers.get("shop-a")
    assert seller is not None
    assert (seller.webhook_url, seller.webhook_secret_set) == ("https://hooks.shop-a.example/tg", True)
    stored = SellerSecrets.in_secrets_manager(os.environ["SELLER_SECRETS_PREFIX"]).webhook_secret(seller)
    assert stored == secret, "the secret is kept in Secrets Manager"
    assert secret not in repr(store.table.get("SELLER#shop-a", "PROFILE")), "and never in the table"
    assert (seller.timezone, seller.report_hour) == ("America/New_York", 6)


@pytest.mark.usefixtures("environment")
@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (("set", "shop-a", "--timezone", "Mars/Olympus"), "not an IANA time zone"),
        (("set", "shop-a", "--report-hour", "24"), "not between 0 and 23"),
        (("set", "shop-a", "--webhook-secret", "hunter2"), "whsec_"),
        (("set", "shop-z", "--report-hour", "5"), "no seller shop-z"),
        (("add", "shop-a"), "already registered"),
        (("revoke", "shop-a", "deadbeef"), "has no key deadbeef"),
    ],
)
def test_mistakes_are_one_line_errors_and_change_nothing(
    capsys: pytest.CaptureFixture[str], store: Store, argv: tuple[str, ...], complaint: str
) -> None:
    run(capsys, "sellers", "add", "shop-a")
    before = store.sellers.get("shop-a")

    code, out, err = run(capsys, "sellers", *argv)

    assert code == 1
    assert complaint in err
    assert out == ""
    assert store.sellers.get("shop-a") == before


@pytest.mark.usefixtures("environment")
def test_a_missing_table_says_how_to_start_the_stack(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TABLE_NAME", "no-such-table")

    code, _, err = run(capsys, "sellers", "list")

    assert code == 1
    assert "no-such-table" in err
    assert "make run" in err


@pytest.mark.usefixtures("environment")
def test_show_prints_the_last_reports_channels_outcomes_and_next_retry(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    run(capsys, "sellers", "add", "shop-a", "--webhook-url", "https://hooks.shop-a.example/r")
    code, out, _ = run(capsys, "sellers", "show", "shop-a")
    assert (code, out.splitlines()[-1]) == (0, "last report: none yet")

    records = ReportRecordRepository(store.table)
    as_of = datetime(2026, 11, 3, 8, 5, tzinfo=UTC)
    records.claim("shop-a", date(2026, 11, 2), as_of - timedelta(days=1), as_of, stale_before=as_of)
    records.complete("shop-a", date(2026, 11, 2), as_of)
    records.claim("shop-a", date(2026, 11, 3), as_of, as_of, stale_before=as_of)
    for at, status, reason in (
        (as_of, "failed", "receiver answered HTTP 500"),
        (as_of, "failed", "ReadTimeout"),
    ):
        outcome = DeliveryOutcome(channel="webhook", status=status, at=at, reason=reason)
        records.record_delivery("shop-a", date(2026, 11, 3), outcome)
    records.record_delivery(
        "shop-a", date(2026, 11, 3), DeliveryOutcome(channel="email", status="delivered", at=as_of)
    )
    records.retry_later("shop-a", date(2026, 11, 3), as_of + timedelta(minutes=55))

    code, out, _ = run(capsys, "sellers", "show", "shop-a")

    assert code == 0
    assert out.splitlines()[1:] == [
        "last report: 2026-11-03  state=retrying  next_retry=2026-11-03T09:00:00+00:00",
        "  email: delivered at 2026-11-03T08:05:00+00:00  attempts=1  reason=-",
        "  webhook: failed at 2026-11-03T08:05:00+00:00  attempts=2  reason=ReadTimeout",
    ]


@pytest.mark.usefixtures("environment")
def test_show_of_an_unknown_seller_says_how_to_register_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sellers", "show", "nobody")
    assert code == 1
    assert "no seller nobody" in err


@pytest.mark.usefixtures("environment")
def test_move_webhook_secrets_takes_old_plain_text_secrets_out_of_the_table(
    capsys: pytest.CaptureFixture[str], store: Store
) -> None:
    run(capsys, "sellers", "add", "shop-a")
    run(capsys, "sellers", "add", "shop-b")
    old_secret = "whsec_" + "A" * 44
    store.table.client.update_item(
        TableName=store.table.name,
        Key={"pk": {"S": "SELLER#shop-a"}, "sk": {"S": "PROFILE"}},
        UpdateExpression="SET webhook_secret = :secret",
        ExpressionAttributeValues={":secret": {"S": old_secret}},
    )

    code, out, _ = run(capsys, "sellers", "move-webhook-secrets")
    again = run(capsys, "sellers", "move-webhook-secrets")

    assert (code, out.strip()) == (0, "moved 1 report-webhook secrets to Secrets Manager: shop-a")
    assert again[1].strip() == "moved 0 report-webhook secrets to Secrets Manager"
    profile = store.table.get("SELLER#shop-a", "PROFILE")
    assert profile is not None
    assert "webhook_secret" not in profile
    seller = store.sellers.get("shop-a")
    assert seller is not None
    assert (
        SellerSecrets.in_secrets_manager(os.environ["SELLER_SECRETS_PREFIX"]).webhook_secret(seller)
        == old_secret
    )
