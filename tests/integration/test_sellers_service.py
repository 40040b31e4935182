"""Registering sellers and managing their keys, against DynamoDB Local, checked through the authorizer."""

from __future__ import annotations

import pytest

from tests.support.fakes import DictSecrets
from trackguard.domain.orders import Platform
from trackguard.domain.sellers import KeyStatus
from trackguard.errors import InvalidSettingError
from trackguard.services.sellers import (
    Caller,
    KeyNotFoundError,
    KeyRefusal,
    SellerChanges,
    SellerSecrets,
    SellerService,
    authenticate,
)
from trackguard.storage.sellers import SellerExistsError, SellerNotFoundError
from trackguard.storage.store import Store

pytestmark = pytest.mark.integration


@pytest.fixture
def secrets() -> DictSecrets:
    return DictSecrets()


@pytest.fixture
def service(store: Store, secrets: DictSecrets) -> SellerService:
    return SellerService(store.sellers, SellerSecrets(secrets))


def test_a_registered_seller_gets_a_working_key_stored_only_as_a_hash(
    service: SellerService, store: Store
) -> None:
    issued = service.register("shop-a", Platform.TIKTOK_SHOP, email="ops@shop-a.example")

    assert authenticate(issued.api_key, store.sellers) == Caller("shop-a", issued.key_id)
    seller = store.sellers.get("shop-a")
    assert seller is not None
    assert (seller.platform, seller.email) == ("tiktok_shop", "ops@shop-a.example")
    stored = store.table.client.scan(TableName=store.table.name)["Items"]
    assert issued.api_key not in str(stored)


def test_registering_twice_is_refused(service: SellerService) -> None:
    service.register("shop-a")

    with pytest.raises(SellerExistsError):
        service.register("shop-a")


def test_a_shop_id_that_is_not_one_is_refused(service: SellerService, store: Store) -> None:
    with pytest.raises(InvalidSettingError):
        service.register("shop a/../b")

    assert store.sellers.all() == []


def test_rotating_adds_a_key_and_the_old_one_keeps_working(service: SellerService, store: Store) -> None:
    first = service.register("shop-a")

    second = service.rotate_key("shop-a")

    assert second.api_key != first.api_key
    assert authenticate(first.api_key, store.sellers) == Caller("shop-a", first.key_id)
    assert authenticate(second.api_key, store.sellers) == Caller("shop-a", second.key_id)
    assert {key.key_id for key in service.keys("shop-a")} == {first.key_id, second.key_id}


def test_a_revoked_key_is_refused_and_the_others_still_work(service: SellerService, store: Store) -> None:
    first = service.register("shop-a")
    second = service.rotate_key("shop-a")

    revoked = service.revoke_key("shop-a", first.key_id)

    assert revoked.status is KeyStatus.REVOKED
    assert authenticate(first.api_key, store.sellers) is KeyRefusal.REVOKED
    assert authenticate(second.api_key, store.sellers) == Caller("shop-a", second.key_id)
    statuses = {key.key_id: key.status for key in service.keys("shop-a")}
    assert statuses == {first.key_id: KeyStatus.REVOKED, second.key_id: KeyStatus.ACTIVE}


def test_keys_of_unknown_sellers_and_unknown_keys_are_reported(service: SellerService) -> None:
    service.register("shop-a")

    with pytest.raises(SellerNotFoundError):
        service.rotate_key("shop-z")
    with pytest.raises(KeyNotFoundError):
        service.revoke_key("shop-a", "deadbeef")


def test_delivery_settings_are_validated_and_stored(
    service: SellerService, store: Store, secrets: DictSecrets
) -> None:
    service.register("shop-a")

    configured = service.configure(
        "shop-a",
        SellerChanges(
            webhook_url="https://hooks.shop-a.example/tg",
            new_webhook_secret=True,
            timezone="Asia/Singapore",
            report_hour=7,
        ),
    )

    seller = store.sellers.get("shop-a")
    assert seller == configured.seller
    assert seller is not None
    assert seller.webhook_url == "https://hooks.shop-a.example/tg"
    assert seller.webhook_secret_set
    assert configured.generated_webhook_secret is not None
    assert secrets.values == {"shop-a": configured.generated_webhook_secret}
    profile = store.table.get("SELLER#shop-a", "PROFILE")
    assert profile is not None
    assert configured.generated_webhook_secret not in repr(profile), "the secret is never in the table"
    assert (seller.timezone, seller.report_hour) == ("Asia/Singapore", 7)


def test_a_bad_setting_changes_nothing(service: SellerService, store: Store) -> None:
    service.register("shop-a")

    with pytest.raises(InvalidSettingError):
        service.configure("shop-a", SellerChanges(email="ops@shop-a.example", timezone="Nowhere/Atall"))

    seller = store.sellers.get("shop-a")
    assert seller is not None
    assert (seller.email, seller.timezone) == (None, "UTC")


def test_configuring_an_unknown_seller_is_reported(service: SellerService) -> None:
    with pytest.raises(SellerNotFoundError):
        service.configure("shop-z", SellerChanges(report_hour=6))
