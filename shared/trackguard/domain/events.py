"""The canonical carrier event: what every carrier source is normalised into."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from trackguard.domain.numbers import normalize_number
from trackguard.domain.status import ExceptionReason, TrackingStatus

MAX_TEXT_CHARS = 4096
"""A text field (description, location part) longer than this is cut, never refused (CONTRACT §2)."""
CUT_MARK = " [cut]"


class Location(BaseModel):
    model_config = ConfigDict(frozen=True)

    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 when known

    def describe(self) -> str:
        return ", ".join(part for part in (self.city, self.state, self.postal_code, self.country) if part)

    @property
    def is_too_long(self) -> bool:
        parts = (self.city, self.state, self.postal_code, self.country)
        return any(part is not None and len(part) > MAX_TEXT_CHARS for part in parts)

    def cut(self) -> Location:
        return Location(
            city=cut_text(self.city),
            state=cut_text(self.state),
            postal_code=cut_text(self.postal_code),
            country=cut_text(self.country),
        )


def cut_text(text: str | None) -> str | None:
    """``text`` within ``MAX_TEXT_CHARS``, ending in the cut mark when it had to be shortened."""
    if text is None or len(text) <= MAX_TEXT_CHARS:
        return text
    return text[: MAX_TEXT_CHARS - len(CUT_MARK)] + CUT_MARK


class CarrierEvent(BaseModel):
    """One carrier scan or status, from any source, in trackguard's vocabulary.

    ``source_code`` and ``source_description`` keep the sender's own words beside the unified status.
    ``destination_*`` and ``estimated_delivery`` are what the carrier says about the whole shipment,
    when the source tells it. ``unmapped`` marks a sender code trackguard's table does not know: the
    status is then the adapter's documented fallback, never an exception. ``text_cut`` marks a
    description or location part that was longer than 4 KB and was cut (ending in ``[cut]``).
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
    unmapped: bool = False
    text_cut: bool = False

    @model_validator(mode="before")
    @classmethod
    def _cut_long_text(cls, data: Any) -> Any:
        """Cut an over-long description or location part and say so, so that nothing is refused for it."""
        if not isinstance(data, dict):
            return data
        description = data.get("source_description")
        location = data.get("location")
        cut = isinstance(description, str) and len(description) > MAX_TEXT_CHARS
        if cut:
            data = {**data, "source_description": cut_text(description)}
        if isinstance(location, Location) and location.is_too_long:
            data = {**data, "location": location.cut()}
            cut = True
        return {**data, "text_cut": True} if cut else data

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
