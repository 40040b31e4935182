"""TikTok shop connections: the ``SELLER#{shop_id}`` / ``SHOP`` item (see docs/data-model.md).

Two sparse GSI entries ride on it: GSI1 ``TOKENS_DUE`` / ``{refresh_at}#{shop_id}`` while the shop
has a refresh token (the refresh schedule reads only the shops due), and GSI2 ``TIKTOK_SHOPS`` /
``{shop_id}`` (``trackguard shops list``). Refreshing is guarded by ``token_version`` and a lease, so two
refreshers racing for one shop cannot both spend its refresh token.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from trackguard.domain.shop_connections import ConnectionState, ShopConnection
from trackguard.storage import keys
from trackguard.storage.dynamo import Item, Table, key, to_attributes, to_value

# NOT (x = y) rather than x <> y: an item written before connections had a state (`shops set-token`)
# has no `state`, and a comparison with a missing attribute is false either way round.
_STILL_AUTHORIZED = "NOT (#state = :deauthorized) AND NOT (authorized = :false)"


class ShopConnectionRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, shop_id: str, consistent: bool = False) -> ShopConnection | None:
        item = self._table.get(keys.seller_pk(shop_id), keys.SHOP_SK, consistent=consistent)
        return _connection(shop_id, item) if item else None

    def all(self) -> list[ShopConnection]:
        items = self._table.query_all(
            IndexName="GSI2",
            KeyConditionExpression="gsi2pk = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.TIKTOK_SHOPS}},
        )
        return [_connection(str(item["shop_id"]), item) for item in items]

    def due_for_refresh(self, at: datetime) -> list[str]:
        """The shops whose access token is due for a refresh at ``at`` (reads only those)."""
        items = self._table.query_all(
            IndexName="GSI1",
            KeyConditionExpression="gsi1pk = :pk AND gsi1sk <= :until",
            ExpressionAttributeValues={
                ":pk": {"S": keys.TOKENS_DUE},
                ":until": {"S": keys.token_refresh_until(at)},
            },
        )
        return [str(item["shop_id"]) for item in items]

    def connect(self, connection: ShopConnection) -> None:
        """Store a fresh authorisation: it replaces whatever state, lease or schedule the shop had."""
        item: dict[str, Any] = {
            **connection.model_dump(mode="json"),
            "pk": keys.seller_pk(connection.shop_id),
            "sk": keys.SHOP_SK,
            "authorized": True,
            "gsi2pk": keys.TIKTOK_SHOPS,
            "gsi2sk": connection.shop_id,
        }
        if connection.refresh_at is not None:
            item["gsi1pk"] = keys.TOKENS_DUE
            item["gsi1sk"] = keys.token_refresh_sk(connection.refresh_at, connection.shop_id)
        self._table.client.put_item(TableName=self._table.name, Item=to_attributes(item))

    def token_set_by_hand(self, shop_id: str, at: datetime) -> None:
        """`trackguard shops set-token`: connected, listed, with no expiry known and nothing to refresh."""
        self._table.client.update_item(
            TableName=self._table.name,
            Key=key(keys.seller_pk(shop_id), keys.SHOP_SK),
            UpdateExpression="SET authorized = :true, #state = :connected, changed_at = :at,"
            " shop_id = :shop_id, gsi2pk = :listing, gsi2sk = :shop_id",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={
                ":true": {"BOOL": True},
                ":connected": {"S": ConnectionState.CONNECTED.value},
                ":at": {"S": at.isoformat()},
                ":shop_id": {"S": shop_id},
                ":listing": {"S": keys.TIKTOK_SHOPS},
            },
        )

    def claim_refresh(self, shop_id: str, version: int, now: datetime, lease: timedelta) -> bool:
        """Take the right to refresh the tokens of ``version``; False when another refresher holds it,
        the tokens already changed, or the shop is no longer authorised."""
        return self._update(
            shop_id,
            "SET lease_until = :until",
            f"token_version = :version AND {_STILL_AUTHORIZED}"
            " AND (attribute_not_exists(lease_until) OR lease_until < :now)",
            {
                ":until": keys.timestamp(now + lease),
                ":now": keys.timestamp(now),
                ":version": version,
                ":deauthorized": ConnectionState.DEAUTHORIZED.value,
                ":false": False,
            },
        )

    def record_refresh(self, refreshed: ShopConnection, previous_version: int) -> bool:
        """Store the expiries of refreshed tokens (``refreshed.token_version`` is the new version)."""
        refresh_at = refreshed.refresh_at
        if refresh_at is None:
            raise ValueError("refreshed tokens always have a next refresh time")
        return self._update(
            refreshed.shop_id,
            "SET token_version = :next, access_token_expires_at = :access,"
            " refresh_token_expires_at = :refresh, refresh_at = :refresh_at, refreshed_at = :refreshed_at,"
            " gsi1sk = :due REMOVE lease_until",
            "token_version = :version",
            {
                ":next": refreshed.token_version,
                ":version": previous_version,
                ":access": _iso(refreshed.access_token_expires_at),
                ":refresh": _iso(refreshed.refresh_token_expires_at),
                ":refresh_at": _iso(refresh_at),
                ":refreshed_at": _iso(refreshed.refreshed_at),
                ":due": keys.token_refresh_sk(refresh_at, refreshed.shop_id),
            },
        )

    def record_shared_refresh(self, shop: ShopConnection, owner: str) -> bool:
        """Copy refreshed expiries to a shop sharing ``owner``'s tokens; False if it no longer shares them."""
        return self._update(
            shop.shop_id,
            "SET access_token_expires_at = :access, refresh_token_expires_at = :refresh,"
            " refreshed_at = :refreshed_at",
            "token_owner = :owner",
            {
                ":owner": owner,
                ":access": _iso(shop.access_token_expires_at),
                ":refresh": _iso(shop.refresh_token_expires_at),
                ":refreshed_at": _iso(shop.refreshed_at),
            },
        )

    def release_refresh(self, shop_id: str, version: int) -> None:
        """Give the lease back after a failed refresh: the shop stays due and the next run tries again."""
        self._update(shop_id, "REMOVE lease_until", "token_version = :version", {":version": version})

    def need_reauthorization(self, shop_id: str, reason: str, at: datetime) -> bool:
        """Mark a connected shop as needing the seller to authorise again; False if it is not connected."""
        return self._update(
            shop_id,
            "SET #state = :needed, reason = :reason, changed_at = :at",
            f"attribute_exists(pk) AND {_STILL_AUTHORIZED}",
            {
                ":needed": ConnectionState.REAUTHORIZATION_NEEDED.value,
                ":reason": reason,
                ":at": at.isoformat(),
                ":deauthorized": ConnectionState.DEAUTHORIZED.value,
                ":false": False,
            },
        )

    def reconnected(self, shop_id: str, at: datetime) -> bool:
        """Back to connected after tokens that failed to refresh are refreshed after all."""
        return self._update(
            shop_id,
            "SET #state = :connected, changed_at = :at REMOVE reason",
            "#state = :needed",
            {
                ":connected": ConnectionState.CONNECTED.value,
                ":needed": ConnectionState.REAUTHORIZATION_NEEDED.value,
                ":at": at.isoformat(),
            },
        )

    def deauthorize(self, shop_id: str, reason: str, at: datetime) -> None:
        """No more fetching, judging, refreshing or reports; the expiries go with the deleted tokens."""
        self._table.client.update_item(
            TableName=self._table.name,
            Key=key(keys.seller_pk(shop_id), keys.SHOP_SK),
            UpdateExpression="SET #state = :deauthorized, authorized = :false, reason = :reason,"
            " changed_at = :at, shop_id = :shop_id, gsi2pk = :listing, gsi2sk = :shop_id"
            " REMOVE gsi1pk, gsi1sk, lease_until, refresh_at, access_token_expires_at,"
            " refresh_token_expires_at",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={
                ":deauthorized": {"S": ConnectionState.DEAUTHORIZED.value},
                ":false": {"BOOL": False},
                ":reason": {"S": reason},
                ":at": {"S": at.isoformat()},
                ":shop_id": {"S": shop_id},
                ":listing": {"S": keys.TIKTOK_SHOPS},
            },
        )

    def _update(self, shop_id: str, expression: str, condition: str, values: dict[str, Any]) -> bool:
        names = {"#state": "state"} if "#state" in expression + condition else None
        request: dict[str, Any] = {
            "TableName": self._table.name,
            "Key": key(keys.seller_pk(shop_id), keys.SHOP_SK),
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeValues": {name: to_value(value) for name, value in values.items()},
        }
        if names:
            request["ExpressionAttributeNames"] = names
        try:
            self._table.client.update_item(**request)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _connection(shop_id: str, item: Item) -> ShopConnection:
    """An item written before connections had a state (`shops set-token`, a type 6) reads as its flag."""
    if "state" not in item:
        authorized = bool(item.get("authorized", True))
        item = {
            **item,
            "state": (ConnectionState.CONNECTED if authorized else ConnectionState.DEAUTHORIZED).value,
        }
    return ShopConnection.model_validate({**item, "shop_id": shop_id})


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None
