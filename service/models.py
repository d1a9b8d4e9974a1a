"""Imports every table model so metadata and migrations see the whole schema."""

from service.audit.models import AuditEvent, AuditHead
from service.cases.models import Case
from service.documents.models import Document, IdempotencyKey
from service.registry.models import Register, RegisterCounter, RegistryEntry
from service.users.models import ApiToken, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "Case",
    "Document",
    "IdempotencyKey",
    "Register",
    "RegisterCounter",
    "RegistryEntry",
    "User",
]
