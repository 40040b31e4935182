"""What every sender's parsing shares: 64-bit ids as strings, JSON bodies, JSON-safe validation details."""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError

from trackguard.errors import PayloadError

ModelT = TypeVar("ModelT", bound=BaseModel)


def _id_as_string(value: object) -> object:
    """Platforms send 64-bit ids as JSON numbers or strings; a float would lose digits, so keep strings."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and not value.strip():
        raise ValueError("must not be empty")
    return value


Id64 = Annotated[str, BeforeValidator(_id_as_string)]


def load_json_object(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise PayloadError("the body is not JSON") from error
    if not isinstance(document, dict):
        raise PayloadError("the body is not a JSON object")
    return document


def validate(model: type[ModelT], data: object, what: str, loc_prefix: tuple[str, ...] = ()) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise PayloadError(f"not a valid {what}", validation_details(error, loc_prefix)) from error


def validation_details(error: ValidationError, loc_prefix: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Where and why validation failed, never the offending values (they may be personal data)."""
    return [
        {"loc": [*loc_prefix, *item["loc"]], "msg": item["msg"], "type": item["type"]}
        for item in error.errors(include_url=False, include_context=False, include_input=False)
    ]
