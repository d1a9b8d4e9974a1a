"""Imports every table model so metadata and migrations see the whole schema."""

from service.archive.models import (
    DestroyedDocument,
    Disposal,
    FixityRun,
    Hold,
    RuleChange,
    RuleSetVersion,
)
from service.audit.models import AuditEvent, AuditHead
from service.cases.models import Case, DocumentationPlan, PlanArea, PlanChange
from service.documents.corrections import SummaryCorrection
from service.documents.models import Document, IdempotencyKey, JournalFile, RetentionEvent
from service.documents.notifications import Notification
from service.operations.models import BackupRun, RestoredVersion, RestoreRun
from service.registry.models import Register, RegisterCounter, RegistryEntry
from service.school_profile.models import SchoolProfileRecord
from service.school_year.models import SchoolCalendarRecord
from service.users.models import ApiToken, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "BackupRun",
    "Case",
    "DestroyedDocument",
    "Disposal",
    "Document",
    "DocumentationPlan",
    "FixityRun",
    "Hold",
    "IdempotencyKey",
    "JournalFile",
    "Notification",
    "PlanArea",
    "PlanChange",
    "Register",
    "RegisterCounter",
    "RegistryEntry",
    "RestoreRun",
    "RestoredVersion",
    "RetentionEvent",
    "RuleChange",
    "RuleSetVersion",
    "SchoolCalendarRecord",
    "SchoolProfileRecord",
    "SummaryCorrection",
    "User",
]
