"""Every error that reaches a caller, with the HTTP status and contract code it is answered with.

Services and sources raise these; the API edge (``trackguard.api.errors``) turns any of them into the
contract's error body in one place. An error that is not a ``TrackguardError`` is a fault of trackguard
itself and is answered 5xx.
"""

from __future__ import annotations

from typing import Any, ClassVar


class TrackguardError(Exception):
    """A refusal a caller can act on: ``status`` and ``code`` are what the contract answers with."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "invalid_request"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class PayloadError(TrackguardError):
    """Not JSON, or not the sender's schema. ``details`` name fields and rules, never the values."""

    code = "invalid_payload"


class SignatureError(TrackguardError):
    """Missing or wrong signature, or a signed timestamp outside tolerance."""

    status = 401
    code = "invalid_signature"


class UnknownSourceError(TrackguardError):
    """No sender has this name, or the sender has no usable secret (it is not configured)."""

    status = 404
    code = "unknown_source"

    @classmethod
    def unknown(cls, source: str) -> UnknownSourceError:
        return cls(f"no source named {source}")

    @classmethod
    def not_configured(cls, source: str) -> UnknownSourceError:
        return cls(f"the source {source} is not configured")


class UnauthorizedError(TrackguardError):
    """No valid API key: missing, malformed, unknown or revoked."""

    status = 401
    code = "unauthorized"


class ForbiddenError(TrackguardError):
    """A valid key, but of another seller."""

    status = 403
    code = "forbidden"


class NotFoundError(TrackguardError):
    """No such order, flag, report, seller or key for this caller."""

    status = 404
    code = "not_found"


class InvalidCursorError(TrackguardError):
    """A page cursor that this listing did not hand out."""

    code = "invalid_cursor"


class PayloadTooLargeError(TrackguardError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaTypeError(TrackguardError):
    status = 415
    code = "unsupported_media_type"


class InvalidSettingError(TrackguardError):
    """A value an operator gave is not acceptable; the message says which and why."""

    code = "invalid_setting"


class ConflictError(TrackguardError):
    """The thing to create exists already."""

    status = 409
    code = "conflict"
