"""Connecting TikTok shops, refreshing their tokens and their lifecycle webhooks, against DynamoDB Local
(the TikTok auth host and Open API are fakes with the clients' interfaces; tokens sit in a dict vault)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr

from tests.support.builders import an_order
from tests.support.fakes import MemoryTokenVault, RecordingPublisher
from trackguard.api.oauth_pages import connected_page, refused_page
from trackguard.clients.shop_credentials import UnknownShopError
from trackguard.clients.tiktok_auth import TikTokAuthRefusedError, TikTokAuthUnavailableError, TokenGrant
from trackguard.clients.tiktok_shop import AuthorizedShop, ShopCredentials
from trackguard.domain.shop_connections import ConnectionState
from trackguard.domain.status import FlagCode, FlagStatus
from trackguard.messaging import MessageQueue
from trackguard.observability import metrics
from trackguard.rules.thresholds import Thresholds
from trackguard.services.judging import OrderJudge
from trackguard.services.messages import ShopDeliveryMessage
from trackguard.services.parking import ParkedDeliveries
from trackguard.services.reauthorization import ShopLifecycle
from trackguard.services.tiktok_authorization import (
    CallbackRefusedError,
    TikTokConnector,
    check_state,
    sign_state,
)
from trackguard.services.tiktok_tokens import (
    TokenRefresher,
    TokenRefreshFailedError,
    TokenRefreshInProgressError,
)
from trackguard.storage.deliveries import DeliveryStatus
from trackguard.storage.store import Store

pytestmark = pytest.mark.integration

APP_SECRET = SecretStr("dev-tiktok-app-secret")
SERVICE_ID = "7310000000000000001"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SHOP_A, SHOP_B = "7494049642642441621", "7494049642642441622"
WEEK = 7 * 86400
YEAR = 365 * 86400


def grant(number: int, issued: datetime = NOW, access_s: int = WEEK, refresh_s: int = YEAR) -> TokenGrant:
    start = int(issued.timestamp())
    return TokenGrant(
        access_token=SecretStr(f"access-{number}"),
        access_token_expires_at=start + access_s,
        refresh_token=SecretStr(f"refresh-{number}"),
        refresh_token_expires_at=start + refresh_s,
        open_id="open-1",
    )


class FakeAuthHost:
    """TikTok's auth host: codes it accepts, refresh tokens it refreshes; counts what it is asked."""

    def __init__(self) -> None:
        self.codes: dict[str, TokenGrant] = {}
        self.refused_codes: set[str] = set()
        self.refreshes: list[str] = []
        self.refresh_error: Exception | None = None
        self.next_grant = grant(2)

    def exchange_code(self, auth_code: str) -> TokenGrant:
        if auth_code in self.refused_codes:
            raise TikTokAuthRefusedError("code expired", code=36004004)
        return self.codes[auth_code]

    def refresh(self, refresh_token: SecretStr) -> TokenGrant:
        self.refreshes.append(refresh_token.get_secret_value())
        if self.refresh_error is not None:
            raise self.refresh_error
        return self.next_grant


class FakeShopsApi:
    def __init__(self, *shops: AuthorizedShop) -> None:
        self.shops = list(shops)

    def get_authorized_shops(self, access_token: SecretStr) -> list[AuthorizedShop]:
        return self.shops


def shop(shop_id: str, cipher: str) -> AuthorizedShop:
    return AuthorizedShop(id=shop_id, cipher=cipher, name=f"Shop {shop_id[-2:]}", region="US")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def vault() -> MemoryTokenVault:
    return MemoryTokenVault()


@pytest.fixture
def auth() -> FakeAuthHost:
    host = FakeAuthHost()
    host.codes["code-1"] = grant(1)
    host.refused_codes.add("code-used")
    return host


def connector(
    store: Store,
    vault: MemoryTokenVault,
    auth: FakeAuthHost,
    *shops: AuthorizedShop,
    queue: RecordingQueue | None = None,
) -> TikTokConnector:
    return TikTokConnector(
        store=store,
        tokens=vault,
        parked=ParkedDeliveries(store.deliveries, queue or RecordingQueue()),
        auth=auth,
        shops=FakeShopsApi(*(shops or (shop(SHOP_A, "GCP_a"),))),
        app_secrets=(APP_SECRET,),
        service_id=SERVICE_ID,
        now=lambda: NOW,
    )


def callback(code: str = "code-1", **extra: str) -> dict[str, str]:
    return {"code": code, "state": sign_state(APP_SECRET, SERVICE_ID, NOW - timedelta(minutes=1)), **extra}


def stored_nothing(store: Store, vault: MemoryTokenVault) -> bool:
    return not vault.records and store.connections.all() == [] and store.sellers.all() == []


def refresher(store: Store, vault: MemoryTokenVault, auth: FakeAuthHost, clock: Clock) -> TokenRefresher:
    return TokenRefresher(store, vault, auth, now=clock)


# the state -----------------------------------------------------------------------------------------------


def test_a_state_verifies_for_its_app_until_it_expires() -> None:
    state = sign_state(APP_SECRET, SERVICE_ID, NOW)

    check_state((APP_SECRET,), SERVICE_ID, state, NOW + timedelta(minutes=29))
    for secrets, service_id, at in (
        ((APP_SECRET,), SERVICE_ID, NOW + timedelta(minutes=31)),
        ((APP_SECRET,), "another-app", NOW),
        ((SecretStr("another-app-secret"),), SERVICE_ID, NOW),
    ):
        with pytest.raises(CallbackRefusedError) as refused:
            check_state(secrets, service_id, state, at)
        assert refused.value.status == 400


def test_a_state_signed_with_the_previous_secret_verifies_during_a_rotation() -> None:
    state = sign_state(APP_SECRET, SERVICE_ID, NOW)

    check_state((SecretStr("the-new-app-secret-value"), APP_SECRET), SERVICE_ID, state, NOW)


def test_a_tampered_state_is_refused() -> None:
    expires, nonce, mac = sign_state(APP_SECRET, SERVICE_ID, NOW).split(".")
    later = str(int(expires) + 86400)

    with pytest.raises(CallbackRefusedError):
        check_state((APP_SECRET,), SERVICE_ID, f"{later}.{nonce}.{mac}", NOW)


# the callback --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"code": "code-1"}, 400),
        ({"code": "code-1", "state": "forged"}, 400),
        ({"code": "code-1", "state": sign_state(APP_SECRET, SERVICE_ID, NOW - timedelta(hours=1))}, 400),
        (callback(code="null", error="access_denied"), 403),
        (callback(code="null", error="auth_denied"), 403),
        (callback(code=""), 400),
        (callback(code="code-used"), 502),
    ],
)
def test_every_failure_is_a_page_and_stores_nothing(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost, query: dict[str, str], status: int
) -> None:
    with pytest.raises(CallbackRefusedError) as refused:
        connector(store, vault, auth).complete(query)
    page = refused_page(refused.value)

    assert page["statusCode"] == refused.value.status == status
    assert page["headers"]["Cache-Control"] == "no-store"
    assert page["headers"]["Content-Type"].startswith("text/html")
    assert "Nothing was connected" in page["body"]
    assert stored_nothing(store, vault)


def test_an_app_without_its_service_id_connects_nothing(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost
) -> None:
    unset = TikTokConnector(
        store=store,
        tokens=vault,
        parked=ParkedDeliveries(store.deliveries, RecordingQueue()),
        auth=auth,
        shops=FakeShopsApi(),
        app_secrets=(APP_SECRET,),
        service_id="",
    )

    with pytest.raises(CallbackRefusedError) as refused:
        unset.complete({"code": "code-1", "state": sign_state(APP_SECRET, "", NOW)})

    assert refused.value.status == 503
    assert stored_nothing(store, vault)


def test_tiktok_unreachable_is_a_502_page(store: Store, vault: MemoryTokenVault, auth: FakeAuthHost) -> None:
    class Unreachable(FakeAuthHost):
        def exchange_code(self, auth_code: str) -> TokenGrant:
            raise TikTokAuthUnavailableError("TikTok auth /api/v2/token/get: failed 3 times")

    with pytest.raises(CallbackRefusedError) as refused:
        connector(store, vault, Unreachable()).complete(callback())

    assert refused.value.status == 502
    assert stored_nothing(store, vault)


def test_one_authorisation_connects_every_shop_it_covers(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost
) -> None:
    connected = connector(store, vault, auth, shop(SHOP_B, "GCP_b"), shop(SHOP_A, "GCP_a")).complete(
        callback()
    )
    page = connected_page(connected)

    assert [(s.shop_id, s.api_key is not None) for s in connected] == [(SHOP_A, True), (SHOP_B, True)]
    assert page["statusCode"] == 200
    assert page["headers"]["Cache-Control"] == "no-store"
    for connected_shop in connected:
        assert connected_shop.shop_id in page["body"]
        assert str(connected_shop.api_key) in page["body"]
    assert {shop_id: record.shop_cipher for shop_id, record in vault.records.items()} == {
        SHOP_A: "GCP_a",
        SHOP_B: "GCP_b",
    }
    assert {record.access_token.get_secret_value() for record in vault.records.values()} == {"access-1"}
    owner, other = store.connections.get(SHOP_A), store.connections.get(SHOP_B)
    assert owner is not None
    assert other is not None
    assert owner.state is other.state is ConnectionState.CONNECTED
    assert owner.covered_shops == (SHOP_A, SHOP_B)
    assert (owner.token_owner, other.token_owner) == (None, SHOP_A)
    assert owner.access_token_expires_at == NOW + timedelta(seconds=WEEK)
    assert owner.refresh_token_expires_at == NOW + timedelta(seconds=YEAR)
    assert store.connections.due_for_refresh(NOW + timedelta(days=3, hours=13)) == [SHOP_A]
    assert store.connections.due_for_refresh(NOW + timedelta(days=3, hours=11)) == []
    assert [seller.seller_id for seller in store.sellers.all()] == [SHOP_A, SHOP_B]


class RecordingQueue(MessageQueue):
    """Stands in for the processing queue: what was sent to it."""

    def __init__(self) -> None:
        super().__init__("the-processing-queue")
        self.sent: list[BaseModel] = []

    def send_all(self, messages: list[BaseModel]) -> None:
        self.sent.extend(messages)


def test_connecting_a_shop_sends_its_parked_deliveries_to_processing(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost
) -> None:
    """A webhook that came while the shop had no credentials waits parked until the shop is connected."""
    store.deliveries.record("tiktok_shop", "n-1", b"{}", {}, NOW, seller_id=SHOP_A)
    store.deliveries.mark("tiktok_shop", "n-1", DeliveryStatus.PARKED)
    store.deliveries.record("tiktok_shop", "n-2", b"{}", {}, NOW, seller_id=SHOP_B)
    store.deliveries.mark("tiktok_shop", "n-2", DeliveryStatus.PARKED)
    queue = RecordingQueue()

    connector(store, vault, auth, shop(SHOP_A, "GCP_a"), queue=queue).complete(callback())

    assert queue.sent == [ShopDeliveryMessage(source="tiktok_shop", delivery_id="n-1")]


def test_reconnecting_issues_no_new_key_and_resolves_the_reauthorization_flag(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost
) -> None:
    connector(store, vault, auth).complete(callback())
    lifecycle = ShopLifecycle(store, vault)
    raised = lifecycle.authorization_expiring(SHOP_A, int((NOW + timedelta(days=20)).timestamp()), NOW)
    assert raised is not None
    assert raised.order_id is None
    auth.codes["code-2"] = grant(3)

    [again] = connector(store, vault, auth).complete(callback("code-2"))

    assert again.api_key is None
    assert len(store.sellers.keys_of(SHOP_A)) == 1
    assert vault.records[SHOP_A].access_token.get_secret_value() == "access-3"
    connection = store.connections.get(SHOP_A)
    assert connection is not None
    assert (connection.state, connection.token_version) == (ConnectionState.CONNECTED, 2)
    [resolved] = store.flags.list(SHOP_A, FlagStatus.RESOLVED).flags
    assert (resolved.flag_id, resolved.code) == (raised.flag_id, FlagCode.REAUTHORIZATION_NEEDED)
    assert store.flags.list(SHOP_A, FlagStatus.OPEN).flags == ()


def test_a_short_authorisation_is_flagged_at_once(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost
) -> None:
    auth.codes["code-short"] = grant(1, refresh_s=10 * 86400)

    connector(store, vault, auth).complete(callback("code-short"))

    [flag] = store.flags.list(SHOP_A, FlagStatus.OPEN).flags
    assert flag.code is FlagCode.REAUTHORIZATION_NEEDED


# refreshing ----------------------------------------------------------------------------------------------


def test_the_schedule_refreshes_only_what_is_due_and_every_shop_sharing_the_tokens(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost, clock: Clock
) -> None:
    connector(store, vault, auth, shop(SHOP_A, "GCP_a"), shop(SHOP_B, "GCP_b")).complete(callback())
    tokens = refresher(store, vault, auth, clock)

    assert tokens.run(NOW + timedelta(days=3)).outcomes == {}
    clock.now = NOW + timedelta(days=4)
    auth.next_grant = grant(2, issued=clock.now)
    run = tokens.run()

    assert run.outcomes == {SHOP_A: "refreshed"}
    assert auth.refreshes == ["refresh-1"]
    assert {
        shop_id: (r.access_token.get_secret_value(), r.shop_cipher, r.version)
        for shop_id, r in vault.records.items()
    } == {
        SHOP_A: ("access-2", "GCP_a", 2),
        SHOP_B: ("access-2", "GCP_b", 2),
    }
    owner, other = store.connections.get(SHOP_A), store.connections.get(SHOP_B)
    assert owner is not None
    assert other is not None
    assert owner.token_version == 2
    assert (
        owner.access_token_expires_at == other.access_token_expires_at == clock.now + timedelta(seconds=WEEK)
    )
    assert owner.refresh_at == clock.now + timedelta(seconds=WEEK / 2)
    assert tokens.run().outcomes == {}


def test_two_racing_refreshers_spend_the_refresh_token_once(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost, clock: Clock
) -> None:
    connector(store, vault, auth).complete(callback())
    clock.now = NOW + timedelta(days=4)
    first, second = refresher(store, vault, auth, clock), refresher(store, vault, auth, clock)
    seen = store.connections.get(SHOP_A)
    assert seen is not None

    assert store.connections.claim_refresh(SHOP_A, seen.token_version, clock.now, timedelta(minutes=2))
    assert second.refresh(seen) == "taken_by_another"
    store.connections.release_refresh(SHOP_A, seen.token_version)
    assert first.refresh(seen) == "refreshed"
    assert second.refresh(seen) == "taken_by_another"

    assert auth.refreshes == ["refresh-1"]


def test_a_refused_refresh_flags_the_seller_and_counts_a_failure(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[str] = []
    monkeypatch.setattr(metrics, "add_metric", lambda name, **_: counted.append(name))
    connector(store, vault, auth).complete(callback())
    clock.now = NOW + timedelta(days=4)
    auth.refresh_error = TikTokAuthRefusedError("refresh token revoked", code=36004004)

    assert refresher(store, vault, auth, clock).run().outcomes == {SHOP_A: "failed"}

    assert counted == ["TokenRefreshFailures"]
    [flag] = store.flags.list(SHOP_A, FlagStatus.OPEN).flags
    assert flag.code is FlagCode.REAUTHORIZATION_NEEDED
    connection = store.connections.get(SHOP_A)
    assert connection is not None
    assert connection.state is ConnectionState.REAUTHORIZATION_NEEDED
    assert store.connections.due_for_refresh(clock.now) == [SHOP_A]


def test_an_unreachable_auth_host_is_retried_next_run_without_a_flag(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost, clock: Clock
) -> None:
    connector(store, vault, auth).complete(callback())
    clock.now = NOW + timedelta(days=4)
    auth.refresh_error = TikTokAuthUnavailableError("HTTP 503")
    tokens = refresher(store, vault, auth, clock)

    assert tokens.run().outcomes == {SHOP_A: "failed"}
    assert store.flags.list(SHOP_A, FlagStatus.OPEN).flags == ()
    auth.refresh_error = None
    assert tokens.run().outcomes == {SHOP_A: "refreshed"}


def test_tokens_that_died_unrefreshed_flag_the_seller_until_a_refresh_works_again(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost, clock: Clock
) -> None:
    connector(store, vault, auth).complete(callback())
    clock.now = NOW + timedelta(days=8)
    auth.refresh_error = TikTokAuthUnavailableError("HTTP 503")
    tokens = refresher(store, vault, auth, clock)

    assert tokens.run().outcomes == {SHOP_A: "failed"}
    [flag] = store.flags.list(SHOP_A, FlagStatus.OPEN).flags
    assert (flag.code, flag.evidence["source"]) == (FlagCode.REAUTHORIZATION_NEEDED, "token_refresh")
    auth.refresh_error = None
    auth.next_grant = grant(2, issued=clock.now)
    assert tokens.run().outcomes == {SHOP_A: "refreshed"}

    assert store.flags.list(SHOP_A, FlagStatus.OPEN).flags == ()
    [resolved] = store.flags.list(SHOP_A, FlagStatus.RESOLVED).flags
    assert resolved.flag_id == flag.flag_id
    connection = store.connections.get(SHOP_A)
    assert connection is not None
    assert connection.state is ConnectionState.CONNECTED


def test_a_refresh_does_not_resolve_tiktoks_own_expiry_warning(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost, clock: Clock
) -> None:
    connector(store, vault, auth).complete(callback())
    ShopLifecycle(store, vault).authorization_expiring(SHOP_A, None, NOW)
    clock.now = NOW + timedelta(days=4)

    assert refresher(store, vault, auth, clock).run().outcomes == {SHOP_A: "refreshed"}

    [flag] = store.flags.list(SHOP_A, FlagStatus.OPEN).flags
    assert flag.evidence["source"] == "tiktok_webhook_type_7"


def test_a_shop_whose_secret_is_gone_is_flagged_and_does_not_stop_the_others(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost, clock: Clock
) -> None:
    connector(store, vault, auth).complete(callback())
    auth.codes["code-b"] = grant(5)
    connector(store, vault, auth, shop(SHOP_B, "GCP_b")).complete(callback("code-b"))
    vault.delete(SHOP_A)
    clock.now = NOW + timedelta(days=4)

    outcomes = refresher(store, vault, auth, clock).run().outcomes

    assert outcomes == {SHOP_A: "failed", SHOP_B: "refreshed"}
    assert auth.refreshes == ["refresh-5"]
    [flag] = store.flags.list(SHOP_A, FlagStatus.OPEN).flags
    assert flag.code is FlagCode.REAUTHORIZATION_NEEDED


def test_a_crash_refreshing_one_shop_is_counted_and_the_others_still_refresh(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[str] = []
    monkeypatch.setattr(metrics, "add_metric", lambda name, **_: counted.append(name))
    connector(store, vault, auth).complete(callback())
    auth.codes["code-b"] = grant(5)
    connector(store, vault, auth, shop(SHOP_B, "GCP_b")).complete(callback("code-b"))
    clock.now = NOW + timedelta(days=4)

    class BrokenVault(MemoryTokenVault):
        def put(self, shop_id: str, record: Any) -> None:
            if shop_id == SHOP_A:
                raise RuntimeError("Secrets Manager is throttling")
            super().put(shop_id, record)

    broken = BrokenVault()
    broken.records = dict(vault.records)

    outcomes = TokenRefresher(store, broken, auth, now=clock).run().outcomes

    assert outcomes == {SHOP_A: "failed", SHOP_B: "refreshed"}
    assert counted == ["TokenRefreshFailures"]


def test_a_refresh_token_near_its_end_flags_the_seller(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost, clock: Clock
) -> None:
    connector(store, vault, auth).complete(callback())
    clock.now = NOW + timedelta(days=340)
    auth.next_grant = grant(2, issued=clock.now, refresh_s=20 * 86400)

    assert refresher(store, vault, auth, clock).run().outcomes == {SHOP_A: "refreshed"}

    [flag] = store.flags.list(SHOP_A, FlagStatus.OPEN).flags
    assert flag.code is FlagCode.REAUTHORIZATION_NEEDED
    assert flag.evidence["source"] == "refresh_token_expiry"


def test_an_expired_token_is_renewed_once_or_taken_from_the_refresher_that_won(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost, clock: Clock
) -> None:
    connector(store, vault, auth, shop(SHOP_A, "GCP_a"), shop(SHOP_B, "GCP_b")).complete(callback())
    clock.now = NOW + timedelta(days=8)
    tokens = refresher(store, vault, auth, clock)
    stale = ShopCredentials(shop_id=SHOP_B, shop_cipher="GCP_b", access_token=SecretStr("access-1"))

    renewed = tokens.renew(stale)
    again = tokens.renew(stale)

    assert renewed.access_token.get_secret_value() == again.access_token.get_secret_value() == "access-2"
    assert renewed.shop_cipher == "GCP_b"
    assert auth.refreshes == ["refresh-1"]


def test_renewing_while_another_holds_the_lease_asks_for_a_retry(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost, clock: Clock
) -> None:
    connector(store, vault, auth).complete(callback())
    stale = ShopCredentials(shop_id=SHOP_A, shop_cipher="GCP_a", access_token=SecretStr("access-1"))
    assert store.connections.claim_refresh(SHOP_A, 1, clock.now, timedelta(minutes=2))

    with pytest.raises(TokenRefreshInProgressError):
        refresher(store, vault, auth, clock).renew(stale)
    assert auth.refreshes == []


# the lifecycle webhooks ----------------------------------------------------------------------------------


def test_type_7_raises_one_seller_flag_however_often_it_comes(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost
) -> None:
    connector(store, vault, auth).complete(callback())
    lifecycle = ShopLifecycle(store, vault)
    expiry = int((NOW + timedelta(days=30)).timestamp())

    first = lifecycle.authorization_expiring(SHOP_A, expiry, NOW)
    second = lifecycle.authorization_expiring(SHOP_A, expiry, NOW + timedelta(days=1))

    assert first is not None
    assert second is None
    [flag] = store.flags.list(SHOP_A, FlagStatus.OPEN).flags
    assert (flag.order_id, flag.code, flag.evidence["expiration_time"]) == (
        None,
        FlagCode.REAUTHORIZATION_NEEDED,
        expiry,
    )
    assert "2026-04-01" in flag.message


def test_type_7_flags_a_shop_whose_token_was_set_by_hand_before_connections_had_a_state(
    store: Store, vault: MemoryTokenVault
) -> None:
    store.table.client.put_item(
        TableName=store.table.name,
        Item={"pk": {"S": f"SELLER#{SHOP_A}"}, "sk": {"S": "SHOP"}, "authorized": {"BOOL": True}},
    )

    assert ShopLifecycle(store, vault).authorization_expiring(SHOP_A, None, NOW) is not None
    ShopLifecycle(store, vault).deauthorized(SHOP_A, NOW)
    store.flags.resolve(store.flags.list(SHOP_A, FlagStatus.OPEN).flags[0], NOW, "test")
    assert ShopLifecycle(store, vault).authorization_expiring(SHOP_A, None, NOW) is None


def test_type_7_for_a_shop_never_connected_flags_nothing(store: Store, vault: MemoryTokenVault) -> None:
    assert ShopLifecycle(store, vault).authorization_expiring(SHOP_A, None, NOW) is None
    assert store.flags.list(SHOP_A, None).flags == ()


def test_type_6_erases_the_tokens_and_stops_refreshing_and_judging(
    store: Store, vault: MemoryTokenVault, auth: FakeAuthHost, clock: Clock
) -> None:
    connector(store, vault, auth).complete(callback())

    ShopLifecycle(store, vault).deauthorized(SHOP_A, NOW + timedelta(hours=1))

    with pytest.raises(UnknownShopError):
        vault.fresh(SHOP_A)
    connection = store.connections.get(SHOP_A)
    assert connection is not None
    assert connection.state is ConnectionState.DEAUTHORIZED
    assert (connection.access_token_expires_at, connection.refresh_token_expires_at) == (None, None)
    assert store.sellers.shop_authorized(SHOP_A) is False
    assert store.connections.due_for_refresh(NOW + timedelta(days=30)) == []
    for shop_id in (SHOP_A, SHOP_B):
        store.orders.save_order(
            an_order(seller_id=shop_id, created_at=NOW, paid_at=NOW, source_updated_at=NOW)
        )
    judge = OrderJudge(store, RecordingPublisher(), Thresholds())
    late = NOW + timedelta(hours=80)
    assert judge.judge(SHOP_A, "o-1", late).raised == ()
    assert [flag.code for flag in judge.judge(SHOP_B, "o-1", late).raised] == [FlagCode.MISSING_TRACKING]
    stale = ShopCredentials(shop_id=SHOP_A, shop_cipher="GCP_a", access_token=SecretStr("access-1"))
    vault.put(SHOP_A, vault_record_after_deletion())
    with pytest.raises(TokenRefreshFailedError):
        refresher(store, vault, auth, clock).renew(stale)


def vault_record_after_deletion() -> Any:
    """What a stale cache might still hold after the secret was erased."""
    from trackguard.clients.shop_credentials import ShopTokenRecord

    return ShopTokenRecord(
        shop_cipher="GCP_a", access_token=SecretStr("access-1"), refresh_token=SecretStr("r")
    )
