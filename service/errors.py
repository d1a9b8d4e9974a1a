"""One error hierarchy for the whole service.

Every error a user can see carries its HTTP status, a stable English code (the class name) and a
Lithuanian detail. Adapters translate vendor errors into these with ``raise ... from exc`` so the
single handler in ``app.py`` can answer ``{"error": Code, "detail": "..."}``.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error the API reports; ``detail`` is Lithuanian and shown to people."""

    status_code: int = 500

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def code(self) -> str:
        return type(self).__name__


class InvalidPayload(ServiceError):
    """The request body does not satisfy the kind's model (422)."""

    status_code = 422


class NotAuthenticated(ServiceError):
    status_code = 401


class NotPermitted(ServiceError):
    status_code = 403


class PledgeMissing(NotPermitted):
    """The user has no registered confidentiality pledge and the call touches personal data."""


class NotFound(ServiceError):
    status_code = 404


class Conflict(ServiceError):
    """A business rule forbids the change (number taken, case closed, lock active): 409."""

    status_code = 409


class Gone(ServiceError):
    """The record exists but its files were destroyed by an approved destruction act: 410."""

    status_code = 410


class DependencyUnavailable(ServiceError):
    """A dependency (database, object store, converter) is down or timed out: 503.

    Answered with ``Retry-After``: a crashed store or converter is restarted within seconds.
    """

    status_code = 503
    retry_after_s: int = 5


class ConverterUnavailable(DependencyUnavailable):
    """No LibreOffice worker could convert the document in time (crashed, hung or absent)."""


class ConverterBusy(ConverterUnavailable):
    """Every converter place is taken and the request waited its limit: 503 before a number is
    taken, so nothing is voided; the client tries again later."""

    retry_after_s = 10


class StoreUnavailable(DependencyUnavailable):
    """The object store did not answer or refused the write."""


class DocumentRejected(ServiceError):
    """The produced file failed a quality gate (PDF/A claim, fonts); it is never registered."""

    status_code = 500
