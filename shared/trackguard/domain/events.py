"""The canonical carrier event: what every carrier source is normalised into."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from trackguard.domain.numbers import normalize_number
from trackguard.domain.status import ExceptionReason, TrackingStatus


class Location(BaseModel):
    model_config = ConfigDict(frozen=True)

    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 when known

    def describe(self) -> str:
        return ", ".join(part for part in (self.city, self.state, self.postal_code, self.country) if part)


class CarrierEvent(BaseModel):
    """One carrier scan or status, from any source, in trackguard's vocabulary.

    ``source_code`` and ``source_description`` keep the sender's own words beside the unified status.
    ``destination_*`` and ``estimated_delivery`` are what the carrier says about the whole shipment,
    when the source tells it.
    """

    model_config = ConfigDict(frozen=True)

    tracking_number: str = Field(min_length=4, max_length=64)
    carrier: str | None = None
    source: str
    occurred_at: datetime
    status: TrackingStatus
    reason: ExceptionReason | None = None
    source_code: str = ""
    source_description: str = ""
    location: Location | None = None
    origin_country: str | None = None
    destination_postal_code: str | None = None
    destination_country: str | None = None
    estimated_delivery: date | None = None
    source_event_id: str | None = None

    @field_validator("tracking_number")
    @classmethod
    def _normalise_number(cls, value: str) -> str:
        return normalize_number(value)

    @field_validator("occurred_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @property
    def event_key(self) -> str:
        """Natural key: the same scan reported twice, by any route, has the same key."""
        material = "|".join(
            (self.tracking_number, self.occurred_at.isoformat(), self.status.value, self.source_code.lower())
        )
        digest = hashlib.sha256(material.encode()).hexdigest()[:16]
        return f"{self.occurred_at.strftime('%Y-%m-%dT%H:%M:%SZ')}#{digest}"
