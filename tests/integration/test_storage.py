"""The storage module's operations against DynamoDB Local."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.builders import T0, a_flag, a_package, an_event, an_order
from trackguard.domain.flags import new_flag_id
from trackguard.domain.orders import ShipmentState
from trackguard.domain.sellers import ApiKey, KeyStatus, Seller, hash_api_key, new_api_key
from trackguard.domain.shipment import derive_state
from trackguard.domain.status import FlagCode, FlagStatus, TrackingStatus
from trackguard.errors import InvalidCursorError
from trackguard.storage.deliveries import CarrierDeliveryRepository, DeliveryStatus, RawCarrierDelivery
from trackguard.storage.flags import FlagNotFoundError
from trackguard.storage.sellers import SellerExistsError
from trackguard.storage.store import Store
from trackguard.storage.tracking import PackageRef

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

pytestmark = pytest.mark.integration


class TestDeliveries:
    def test_a_delivery_is_stored_once(self, store: Store) -> None:
        body = b'{"type": 1, "data": {"order_id": "576"}}'
        first = store.deliveries.record("tiktok_shop", "n-1", body, {"content-type": "application/json"}, T0)
        again = store.deliveries.record("tiktok_shop", "n-1", b"{}", {}, T0 + timedelta(minutes=1))

        assert first.created is True
        assert again.created is False
        stored = store.deliveries.get("tiktok_shop", "n-1")
        assert stored is not None
        assert stored.body == body
        assert stored.received_at == T0
        assert stored.status is DeliveryStatus.RECEIVED

    def test_a_duplicate_reports_the_stored_status(self, store: Store) -> None:
        store.deliveries.record("shopify", "e-1", b"{}", {}, T0)
        store.deliveries.mark("shopify", "e-1", DeliveryStatus.PROCESSED)

        assert store.deliveries.record("shopify", "e-1", b"{}", {}, T0).status is DeliveryStatus.PROCESSED

    def test_failures_are_recorded_with_their_reason(self, store: Store) -> None:
        store.deliveries.record("shopify", "e-2", b"{}", {}, T0)
        store.deliveries.mark("shopify", "e-2", DeliveryStatus.FAILED, error="TikTok API timed out")

        stored = store.deliveries.get("shopify", "e-2")
        assert stored is not None
        assert (stored.status, stored.attempts, stored.error) == (
            DeliveryStatus.FAILED,
            1,
            "TikTok API timed out",
        )

    def test_deliveries_are_listed_by_time_range(self, store: Store) -> None:
        for hours in (0, 20, 30, 50):
            store.deliveries.record("shopify", f"e-{hours}", b"{}", {}, T0 + timedelta(hours=hours))

        found = store.deliveries.received_between(
            "shopify", T0 + timedelta(hours=10), T0 + timedelta(hours=40)
        )

        assert sorted(d.delivery_id for d in found) == ["e-20", "e-30"]


def raw_callbacks(store: Store) -> list[RawCarrierDelivery]:
    return CarrierDeliveryRepository(store.table).received_between("ups", T0, T0 + timedelta(hours=1))


class TestTracking:
    def test_events_are_stored_once_by_natural_key(self, store: Store) -> None:
        event = an_event()
        later = an_event(TrackingStatus.DELIVERED, T0 + timedelta(days=2), code="D")

        store.tracking.put_events([event, event, later])
        store.tracking.put_events([later])

        assert set(store.tracking.load(event.tracking_number).events) == {event, later}

    def test_more_than_a_batch_of_events_is_written_whole(self, store: Store) -> None:
        events = [an_event(at=T0 + timedelta(minutes=i), code=f"I{i}") for i in range(60)]

        requests = store.tracking.put_events(events)

        assert requests == 3
        assert len(store.tracking.load(events[0].tracking_number).events) == 60

    def test_a_callback_is_stored_raw_with_its_events_in_one_request(self, store: Store) -> None:
        events = [an_event(at=T0 + timedelta(minutes=i), code=f"I{i}") for i in range(24)]
        headers = {"content-type": "application/json"}
        raw = RawCarrierDelivery("ups", "sha256:abc", T0, b'{"scan": 1}', headers)

        requests = store.tracking.record_delivery(raw, events)

        (stored,) = raw_callbacks(store)
        assert requests == 1
        assert (stored.body, stored.delivery_key, stored.body_stored) == (b'{"scan": 1}', "sha256:abc", True)
        assert len(store.tracking.events_from(events[0].tracking_number, raw.pk)) == 24

    def test_a_larger_callback_writes_its_raw_item_in_the_first_request(
        self, store: Store, dynamodb_client: DynamoDBClient
    ) -> None:
        events = [an_event(at=T0 + timedelta(minutes=i), code=f"I{i}") for i in range(60)]
        raw = RawCarrierDelivery("ups", "sha256:def", T0, b"{}", {})
        batches: list[list[str]] = []

        def record(params: dict[str, Any], **_: Any) -> None:
            requests = params["RequestItems"][store.table.name]
            batches.append([request["PutRequest"]["Item"]["sk"]["S"] for request in requests])

        dynamodb_client.meta.events.register("provide-client-params.dynamodb.BatchWriteItem", record)
        try:
            requests = store.tracking.record_delivery(raw, events)
        finally:
            dynamodb_client.meta.events.unregister("provide-client-params.dynamodb.BatchWriteItem", record)

        assert requests == 3
        assert batches[0][0] == "RAW"
        assert sum(len(batch) for batch in batches) == 61

    def test_a_body_too_large_for_an_item_is_kept_without_it(self, store: Store) -> None:
        noise = random.Random(7).randbytes(1_000_000)
        raw = RawCarrierDelivery("ups", "sha256:big", T0, noise, {})

        store.tracking.record_delivery(raw, [an_event()])

        (stored,) = raw_callbacks(store)
        assert (stored.body_stored, stored.body) == (False, b"")
        assert len(store.tracking.load(an_event().tracking_number).events) == 1

    def test_a_number_lists_its_packages_and_events_in_one_record(self, store: Store) -> None:
        store.orders.save_order(an_order())
        store.orders.save_package(a_package(), previous=None)
        store.tracking.put_events([an_event()])

        record = store.tracking.load("1Z5R89390357567127")

        assert record.packages == (PackageRef("shop-1", "o-1", "p-1"),)
        assert len(record.events) == 1


class TestOrders:
    def test_an_older_platform_update_never_overwrites_a_newer_one(self, store: Store) -> None:
        newer = an_order(status="IN_TRANSIT", source_updated_at=T0 + timedelta(hours=2))
        older = an_order(status="AWAITING_SHIPMENT", source_updated_at=T0 + timedelta(hours=1))

        assert store.orders.save_order(newer) is True
        assert store.orders.save_order(older) is False
        view = store.orders.view("shop-1", "o-1")
        assert view.order is not None
        assert view.order.status == "IN_TRANSIT"

    def test_a_view_reads_the_order_its_packages_and_flags(self, store: Store) -> None:
        store.orders.save_order(an_order())
        store.orders.save_package(a_package(package_id="p-1"), previous=None)
        store.orders.save_package(a_package(package_id="p-2", tracking_number=None), previous=None)
        flag = a_flag()
        store.flags.raise_flag(flag)

        view = store.orders.view("shop-1", "o-1")

        assert {p.package_id for p in view.packages} == {"p-1", "p-2"}
        assert [f.flag_id for f in view.flags] == [flag.flag_id]
        assert view.open_flag_ids == {flag.subject: flag.flag_id}

    def test_a_corrected_number_moves_the_link_and_resets_the_state(self, store: Store) -> None:
        store.orders.save_order(an_order())
        old = a_package(tracking_number="1Z1111111111111111")
        store.orders.save_package(old, previous=None)
        store.orders.update_state(
            PackageRef("shop-1", "o-1", "p-1"),
            "1Z1111111111111111",
            derive_state([an_event(number=old.tracking_number or "")]),
        )
        corrected = a_package(tracking_number="1Z5R89390357567127")

        store.orders.save_package(corrected, previous=old)

        assert store.tracking.load("1Z1111111111111111").packages == ()
        assert store.tracking.load("1Z5R89390357567127").packages == (PackageRef("shop-1", "o-1", "p-1"),)
        package = store.orders.view("shop-1", "o-1").packages[0]
        assert package.tracking_number == "1Z5R89390357567127"
        assert package.state == ShipmentState()

    def test_a_state_from_fewer_events_never_replaces_one_from_more(self, store: Store) -> None:
        store.orders.save_order(an_order())
        store.orders.save_package(a_package(), previous=None)
        ref = PackageRef("shop-1", "o-1", "p-1")
        one = [an_event()]
        two = [*one, an_event(TrackingStatus.DELIVERED, T0 + timedelta(days=1), code="D")]

        assert (
            store.orders.update_state(ref, "1Z5R89390357567127", derive_state(two)) is TrackingStatus.PENDING
        )
        assert store.orders.update_state(ref, "1Z5R89390357567127", derive_state(one)) is None
        assert store.orders.view("shop-1", "o-1").packages[0].state.status is TrackingStatus.DELIVERED

    def test_a_state_for_a_number_the_package_no_longer_has_is_not_written(self, store: Store) -> None:
        store.orders.save_order(an_order())
        store.orders.save_package(a_package(), previous=None)
        ref = PackageRef("shop-1", "o-1", "p-1")

        assert store.orders.update_state(ref, "9400111206206406260787", derive_state([an_event()])) is None

    def test_the_due_index_holds_only_scheduled_orders_until_their_time(self, store: Store) -> None:
        for index in range(6):
            store.orders.save_order(an_order(order_id=f"o-{index}"))
            store.orders.schedule_check("shop-1", f"o-{index}", T0 + timedelta(hours=index))
        store.orders.schedule_check("shop-1", "o-0", None)

        due: set[str] = set()
        for shard in range(store.orders.due_shards):
            page, _ = store.orders.due_orders(shard, T0 + timedelta(hours=3), limit=100)
            due.update(order.order_id for order in page)

        assert due == {"o-1", "o-2", "o-3"}

    def test_an_earlier_judgement_never_overwrites_a_later_one(self, store: Store) -> None:
        store.orders.save_order(an_order())

        later = store.orders.schedule_check(
            "shop-1", "o-1", T0 + timedelta(hours=27), judged_at=T0 + timedelta(hours=26)
        )
        earlier = store.orders.schedule_check(
            "shop-1", "o-1", T0 + timedelta(hours=2), judged_at=T0 + timedelta(hours=1)
        )

        view = store.orders.view("shop-1", "o-1")
        assert (later, earlier) == (True, False)
        assert view.judged_at == T0 + timedelta(hours=26)
        assert view.next_check_at is not None
        assert view.next_check_at.startswith("2026-11-03T12:00")


class TestFlags:
    def test_only_one_flag_is_open_per_package_and_code(self, store: Store) -> None:
        flags = [a_flag() for _ in range(8)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            raised = list(pool.map(store.flags.raise_flag, flags))

        assert raised.count(True) == 1
        assert len(store.flags.list("shop-1", FlagStatus.OPEN).flags) == 1

    def test_a_resolved_flag_can_be_raised_again_as_a_new_flag(self, store: Store) -> None:
        first = a_flag()
        store.flags.raise_flag(first)
        resolved = store.flags.resolve(first, T0 + timedelta(hours=5), "a carrier scan arrived")
        second = a_flag(detected_at=T0 + timedelta(days=1))

        assert resolved is not None
        assert resolved.resolution == "a carrier scan arrived"
        assert store.flags.resolve(first, T0 + timedelta(hours=6), "again") is None
        assert store.flags.raise_flag(second) is True
        assert [f.flag_id for f in store.flags.list("shop-1", FlagStatus.RESOLVED).flags] == [first.flag_id]
        assert [f.flag_id for f in store.flags.list("shop-1", FlagStatus.OPEN).flags] == [second.flag_id]

    def test_acknowledging_moves_the_flag_to_acknowledged_until_resolved(self, store: Store) -> None:
        flag = a_flag()
        store.flags.raise_flag(flag)

        acknowledged = store.flags.acknowledge("shop-1", flag.flag_id, T0 + timedelta(hours=1))
        resolved = store.flags.resolve(acknowledged, T0 + timedelta(hours=2), "number corrected")

        assert acknowledged.status is FlagStatus.ACKNOWLEDGED
        assert store.flags.list("shop-1", FlagStatus.OPEN).flags == ()
        assert resolved is not None
        assert store.flags.get("shop-1", flag.flag_id).status is FlagStatus.RESOLVED

    def test_an_unknown_flag_is_not_found(self, store: Store) -> None:
        with pytest.raises(FlagNotFoundError):
            store.flags.acknowledge("shop-1", new_flag_id(), T0)

    def test_flags_are_paged_newest_first(self, store: Store) -> None:
        codes = list(FlagCode)
        for index, code in enumerate(codes):
            store.flags.raise_flag(a_flag(code=code, detected_at=T0 + timedelta(minutes=index)))

        first = store.flags.list("shop-1", None, limit=4)
        second = store.flags.list("shop-1", None, limit=4, cursor=first.cursor)

        listed = [f.code for f in first.flags + second.flags]
        assert listed == list(reversed(codes))[:8]
        assert second.cursor is not None

    def test_flags_filter_by_code(self, store: Store) -> None:
        store.flags.raise_flag(a_flag(code=FlagCode.CUSTOMS_HOLD))
        store.flags.raise_flag(a_flag(code=FlagCode.NO_CARRIER_SCAN))

        page = store.flags.list("shop-1", FlagStatus.OPEN, code=FlagCode.CUSTOMS_HOLD)

        assert [f.code for f in page.flags] == [FlagCode.CUSTOMS_HOLD]

    def test_a_cursor_cannot_open_another_sellers_flags(self, store: Store) -> None:
        for minute in range(3):
            store.flags.raise_flag(a_flag(seller_id="shop-b", package_id=f"p-{minute}"))
        cursor = store.flags.list("shop-b", None, limit=1).cursor

        with pytest.raises(InvalidCursorError):
            store.flags.list("shop-a", None, cursor=cursor)


class TestSellers:
    def test_a_seller_is_registered_once(self, store: Store) -> None:
        seller = Seller(seller_id="shop-1", platform="tiktok_shop", created_at=T0)
        store.sellers.create(seller)

        with pytest.raises(SellerExistsError):
            store.sellers.create(seller)
        assert store.sellers.get("shop-1") == seller
        assert [s.seller_id for s in store.sellers.all()] == ["shop-1"]

    def test_settings_are_updated(self, store: Store) -> None:
        store.sellers.create(Seller(seller_id="shop-1", platform="shopify", created_at=T0))

        updated = store.sellers.update("shop-1", {"email": "ops@example.com", "report_hour": 7})

        assert (updated.email, updated.report_hour) == ("ops@example.com", 7)

    def test_keys_are_found_by_hash_and_revoked(self, store: Store) -> None:
        store.sellers.create(Seller(seller_id="shop-1", platform="shopify", created_at=T0))
        secret, key_id = new_api_key()
        api_key = ApiKey(key_id=key_id, seller_id="shop-1", key_hash=hash_api_key(secret), created_at=T0)
        store.sellers.add_key(api_key)

        assert store.sellers.find_key(hash_api_key(secret)) == api_key
        store.sellers.revoke_key(api_key, T0 + timedelta(days=1))
        found = store.sellers.find_key(hash_api_key(secret))
        assert found is not None
        assert found.status is KeyStatus.REVOKED
        assert [k.status for k in store.sellers.keys_of("shop-1")] == [KeyStatus.REVOKED]

    def test_a_key_needs_a_registered_seller(self, store: Store) -> None:
        secret, key_id = new_api_key()
        api_key = ApiKey(key_id=key_id, seller_id="nobody", key_hash=hash_api_key(secret), created_at=T0)

        with pytest.raises(Exception, match="ConditionalCheckFailed"):
            store.sellers.add_key(api_key)

    def test_shop_authorization_defaults_to_authorized(self, store: Store) -> None:
        assert store.sellers.shop_authorized("shop-1") is True
        store.sellers.set_shop_authorized("shop-1", False, T0)
        assert store.sellers.shop_authorized("shop-1") is False
