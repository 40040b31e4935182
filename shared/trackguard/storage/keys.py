"""Key builders for the single table (see docs/data-model.md). Nothing else spells a key.

Every part that comes from outside (a seller id, an order, package or delivery id) is checked before it
becomes part of a key: a seller id must be a valid shop id and no part may hold the ``#`` separator, so
text such as ``beta.myshopify.com#FLAGS`` can never reach another seller's or another entity's items.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime

from trackguard.domain.sellers import SELLER_ID_PATTERN

ORDER_SK = "ORDER"
PROFILE_SK = "PROFILE"
SHOP_SK = "SHOP"
DELIVERY_SK = "DELIVERY"
RAW_CARRIER_DELIVERY_SK = "RAW"
APIKEY_SK = "APIKEY"
POLL_SK = "POLL"
STOPPED_SK = "STOPPED"
RATE_LIMIT_SK = "NEXT"
ALL_SELLERS = "SELLERS"
TIKTOK_SHOPS = "TIKTOK_SHOPS"
TOKENS_DUE = "TOKENS_DUE"
UNDELIVERED_REPORTS = "REPORTS#UNDELIVERED"
_SELLER_ID = re.compile(SELLER_ID_PATTERN)
_MAX_PART = 256


class InvalidKeyPartError(ValueError):
    """Outside text that may not become part of a key (a bad shop id, a ``#``, an empty or huge id)."""


def is_seller_id(text: str) -> bool:
    return _SELLER_ID.fullmatch(text) is not None


def checked_seller_id(seller_id: str) -> str:
    if not is_seller_id(seller_id):
        raise InvalidKeyPartError(f"{seller_id[:80]!r} is not a valid seller id")
    return seller_id


def is_key_part(text: str) -> bool:
    """An id from a sender that may become a key part: non-empty, bounded, printable, free of ``#``."""
    return bool(text) and len(text) <= _MAX_PART and "#" not in text and text.isprintable()


def checked_part(text: str) -> str:
    if not is_key_part(text):
        raise InvalidKeyPartError("an id is empty, too long, unprintable or holds '#'")
    return text


def seller_pk(seller_id: str) -> str:
    return f"SELLER#{checked_seller_id(seller_id)}"


def seller_orders_pk(seller_id: str) -> str:
    """GSI1 partition listing a seller's order and package items (erasure finds them without a Scan)."""
    return f"SELLER#{checked_seller_id(seller_id)}#ORDERS"


def seller_deliveries_pk(seller_id: str) -> str:
    """GSI2 partition listing a seller's raw deliveries (parked ones, redaction and erasure)."""
    return f"SELLER#{checked_seller_id(seller_id)}#DELIVERIES"


def order_pk(seller_id: str, order_id: str) -> str:
    return f"ORDER#{checked_seller_id(seller_id)}#{checked_part(order_id)}"


def package_sk(package_id: str) -> str:
    return f"PKG#{checked_part(package_id)}"


def flag_sk(flag_id: str) -> str:
    return f"FLAG#{flag_id}"


def open_flag_guard_sk(subject: str) -> str:
    return f"OPENFLAG#{subject}"


def seller_flags_pk(seller_id: str) -> str:
    return f"SELLER#{checked_seller_id(seller_id)}#FLAGS"


def seller_flags_by_status_pk(seller_id: str, status: str) -> str:
    return f"SELLER#{checked_seller_id(seller_id)}#FLAGS#{status}"


def tracking_pk(tracking_number: str) -> str:
    return f"TRK#{tracking_number}"


def tracking_link_sk(seller_id: str, order_id: str, package_id: str) -> str:
    return f"LINK#{checked_seller_id(seller_id)}#{checked_part(order_id)}#{checked_part(package_id)}"


def seller_of_link(sk: str) -> str | None:
    """The seller a tracking-link sort key belongs to, else None."""
    return sk.split("#", 2)[1] if sk.startswith("LINK#") else None


def event_sk(event_key: str) -> str:
    return f"EVT#{event_key}"


def delivery_pk(source: str, delivery_id: str) -> str:
    return f"DELIVERY#{source}#{checked_part(delivery_id)}"


def deliveries_by_day_pk(source: str, day: str) -> str:
    return f"DELIVERIES#{source}#{day}"


def carrier_delivery_pk(source: str, delivery_key: str) -> str:
    """A carrier callback as received: not ``DELIVERY#``, so the stream does not treat it as work."""
    return f"CARRIERDLV#{source}#{delivery_key}"


def carrier_deliveries_by_day_pk(source: str, day: str) -> str:
    return f"CARRIERDLVS#{source}#{day}"


def api_key_pk(key_hash: str) -> str:
    return f"APIKEY#{key_hash}"


def api_key_sk(key_id: str) -> str:
    return f"KEY#{key_id}"


def report_sk(report_date: str) -> str:
    return f"REPORT#{report_date}"


def undelivered_report_sk(retry_at: datetime, seller_id: str, report_date: str) -> str:
    return f"{timestamp(retry_at)}#{seller_id}#{report_date}"


def stats_sk(day: date) -> str:
    return f"STATS#{day.isoformat()}"


def day_of_stats_sk(sk: str) -> date:
    return date.fromisoformat(sk.removeprefix("STATS#"))


def counted_sk(package_id: str) -> str:
    return f"COUNTED#{package_id}"


def seller_flag_guard_sk(code: str) -> str:
    """The open-flag guard of a seller-level flag (no order, no package)."""
    return open_flag_guard_sk(f"-#{code}")


def token_refresh_sk(at: datetime, shop_id: str) -> str:
    return f"{timestamp(at)}#{shop_id}"


def token_refresh_until(at: datetime) -> str:
    """The highest ``token_refresh_sk`` due at ``at`` ('$' sorts after the '#' that follows the time)."""
    return f"{timestamp(at)}$"


def due_shard_pk(shard: int) -> str:
    return f"DUE#{shard}"


def due_sk(at: datetime, seller_id: str, order_id: str) -> str:
    return f"{timestamp(at)}#{seller_id}#{order_id}"


def due_shard(seller_id: str, order_id: str, shards: int) -> int:
    """Spread due orders over `shards` partitions so no single key takes every write."""
    digest = hashlib.blake2b(f"{seller_id}#{order_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % shards


def timestamp(at: datetime) -> str:
    """UTC, fixed width, so that string order is time order in sort keys and conditions."""
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def delivery_of(pk: str) -> tuple[str, str] | None:
    """(source, delivery id) of a raw-delivery key, else None."""
    if not pk.startswith("DELIVERY#"):
        return None
    source, _, delivery_id = pk.removeprefix("DELIVERY#").partition("#")
    return (source, delivery_id) if delivery_id else None


def tracking_number_of_event(pk: str, sk: str) -> str | None:
    """The tracking number of a carrier-event key, else None."""
    return pk.removeprefix("TRK#") if pk.startswith("TRK#") and sk.startswith("EVT#") else None


def rate_limit_pk(name: str) -> str:
    return f"RATE#{name}"
