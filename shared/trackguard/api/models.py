"""What only the seller API answers (errors, health); the flags and orders it shares with the reports
are in trackguard.views."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from trackguard.views import ReadModel


class ErrorBody(ReadModel):
    error: str = Field(description="a stable, machine-readable code")
    message: str = Field(description="what was wrong, for a person")
    details: list[Any] | None = None


class HealthOut(ReadModel):
    status: Literal["ok"] = "ok"
