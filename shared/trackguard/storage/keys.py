"""Key builders for the single table (see docs/data-model.md). Nothing else spells a key."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

ORDER_SK = "ORDER"
PROFILE_SK = "PROFILE"
SHOP_SK = "SHOP"
DELIVERY_SK = "DELIVERY"
APIKEY_SK = "APIKEY"
POLL_SK = "POLL"
RATE_LIMIT_SK = "NEXT"
ALL_SELLERS = "SELLERS"
UNDELIVERED_REPORTS = "REPORTS#UNDELIVERED"


def seller_pk(seller_id: str) -> str:
    return f"SELLER#{seller_id}"


def order_pk(seller_id: str, order_id: str) -> str:
    return f"ORDER#{seller_id}#{order_id}"


def package_sk(package_id: str) -> str:
    return f"PKG#{package_id}"


def flag_sk(flag_id: str) -> str:
    return f"FLAG#{flag_id}"


def open_flag_guard_sk(subject: str) -> str:
    return f"OPENFLAG#{subject}"


def seller_flags_pk(seller_id: str) -> str:
    return f"SELLER#{seller_id}#FLAGS"


def seller_flags_by_status_pk(seller_id: str, status: str) -> str:
    return f"SELLER#{seller_id}#FLAGS#{status}"


def tracking_pk(tracking_number: str) -> str:
    return f"TRK#{tracking_number}"


def tracking_link_sk(seller_id: str, order_id: str, package_id: str) -> str:
    return f"LINK#{seller_id}#{order_id}#{package_id}"


def event_sk(event_key: str) -> str:
    return f"EVT#{event_key}"


def delivery_pk(source: str, delivery_id: str) -> str:
    return f"DELIVERY#{source}#{delivery_id}"


def deliveries_by_day_pk(source: str, day: str) -> str:
    return f"DELIVERIES#{source}#{day}"


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
