"""The webhook-secrets document (CONTRACT §6): one Secrets Manager secret, the same shape locally.

Each sender owns its section and declares the model of it (``Sender.secret_model``); this module only
knows the document. Every section is optional, and a section fails closed: a sender whose section is
missing, blank, shorter than ``MIN_SECRET_LENGTH`` or otherwise invalid is *not configured* (its route
answers 404) and nothing is ever verified against an empty key. An invalid section is logged by its name,
never its value, and counted in the ``InvalidSecretDocuments`` metric, which the stack alarms on.

A secret may be given as ``["<current>", "<previous>"]`` during a rotation: both verify, the first signs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, ValidationError

MIN_SECRET_LENGTH = 16
INVALID_SECTION_METRIC = "InvalidSecretDocuments"


def _as_candidates(value: object) -> object:
    """A single secret or a rotation list, as a list of stripped strings."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list | tuple):
        return [item.strip() if isinstance(item, str) else item for item in value]
    return value


RotatingSecret = Annotated[
    tuple[Annotated[SecretStr, Field(min_length=MIN_SECRET_LENGTH)], ...],
    BeforeValidator(_as_candidates),
    Field(min_length=1, max_length=2),
]
"""The current secret first, then (during a rotation) the previous one; each at least 16 characters."""


def current(secret: tuple[SecretStr, ...]) -> str:
    """The value that signs: the first of a rotation."""
    return secret[0].get_secret_value()


def candidates(secret: tuple[SecretStr, ...]) -> tuple[str, ...]:
    """Every value that verifies."""
    return tuple(item.get_secret_value() for item in secret)


class SenderSecret(BaseModel):
    """One sender's section; fields it does not use are ignored, values never appear in errors."""

    model_config = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)


SecretT = TypeVar("SecretT", bound=SenderSecret)


class SecretDocument:
    """The document as stored, each section validated by its sender's model on first use."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._document = document
        self._sections: dict[str, SenderSecret | None] = {}

    def section(self, name: str, model: type[SecretT]) -> SecretT | None:
        """The sender's secret, or None when it is not configured (missing or invalid)."""
        if name not in self._sections:
            self._sections[name] = self._validated(name, model)
        found = self._sections[name]
        return found if isinstance(found, model) else None

    def _validated(self, name: str, model: type[SecretT]) -> SecretT | None:
        raw = self._document.get(name)
        if raw is None:
            return None
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            _report_invalid(name, error)
            return None


def _report_invalid(section: str, error: ValidationError) -> None:
    from aws_lambda_powertools.metrics import MetricUnit

    from trackguard.observability import logger, metrics

    fields = sorted({".".join(str(part) for part in item["loc"]) for item in error.errors()})
    logger.error("secret section invalid: sender not configured", section=section, fields=fields)
    metrics.add_metric(name=INVALID_SECTION_METRIC, unit=MetricUnit.Count, value=1)


def _report_unreadable() -> None:
    from aws_lambda_powertools.metrics import MetricUnit

    from trackguard.observability import logger, metrics

    logger.error("secret document is not a JSON object: no sender is configured")
    metrics.add_metric(name=INVALID_SECTION_METRIC, unit=MetricUnit.Count, value=1)


_cache: dict[str, tuple[object, SecretDocument]] = {}


def load_secret_document(secret_id: str, max_age_seconds: int = 300) -> SecretDocument:
    """Fetch the document (Powertools caches it for ``max_age_seconds``) and validate each section once
    per fetch, so an invalid section is reported once per refresh, not on every request."""
    from aws_lambda_powertools.utilities import parameters

    document = parameters.get_secret(secret_id, transform="json", max_age=max_age_seconds)
    cached = _cache.get(secret_id)
    if cached is not None and cached[0] is document:
        return cached[1]
    if not isinstance(document, Mapping):
        _report_unreadable()
    parsed = SecretDocument(document if isinstance(document, Mapping) else {})
    _cache[secret_id] = (document, parsed)
    return parsed
