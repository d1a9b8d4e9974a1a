"""The archive's answers as the OpenAPI document publishes them: each model says exactly what
the service function named in its docstring produces (dates and instants as the ISO strings
it writes)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from service.contract import InstantText

DateText = Annotated[str, Field(json_schema_extra={"format": "date"})]


# -- retention -------------------------------------------------------------------------------


class EvaluationOut(BaseModel):
    """One document's term and lock re-evaluated (Evaluation.as_report)."""

    document_id: str
    number: str
    rule: str
    retain_until: DateText | None
    permanent: bool
    pending_event: str | None
    locked_until_before: DateText
    locked_until: DateText
    extended: bool
    note: str | None = Field(
        default=None,
        description="Tik kai terminas baigiasi anksčiau nei saugyklos užraktas (užrakto "
        "sutrumpinti negalima).",
    )


class RuleChangedOut(BaseModel):
    id: str
    change: str = Field(description="added arba changed")


class ReevaluatedOut(BaseModel):
    """A re-evaluation run over a year's documents (retention_admin.reevaluate_year)."""

    documents: list[EvaluationOut]
    extended: int


class DueDocumentOut(BaseModel):
    id: str
    number: str
    title: str
    sha256: str
    retention_rule: str


class DueCaseOut(BaseModel):
    """A closed case whose term is over (CaseAppraisal.as_dict)."""

    year: int
    index: str
    title: str
    retention_rule: str
    closed_on: DateText | None
    retain_until: DateText | None
    disposal_id: int | None
    documents: list[DueDocumentOut]


class DueDocumentInCaseOut(DueDocumentOut):
    case_index: str
    year: int


class DueOut(BaseModel):
    """Cases and documents due for disposal on a date (disposal.due)."""

    on: DateText
    cases: list[DueCaseOut]
    documents: list[DueDocumentInCaseOut]


class DestroyedRecordOut(BaseModel):
    """What existed and was destroyed (disposal.destroyed_records)."""

    document_id: str
    number: str
    title: str
    registered_on: DateText
    sha256: str
    size: int
    destroyed_at: InstantText
    act_number: str
    act_document_id: str
    disposal_id: int


# -- disposal --------------------------------------------------------------------------------


class DisposalActOut(BaseModel):
    document_id: str
    number: str


class DisposalCaseOut(BaseModel):
    case_id: int | None
    year: int
    index: str
    title: str


class DestroyedStubOut(BaseModel):
    document_id: str
    sha256: str
    act_number: str
    destroyed_at: InstantText


class DisposalOut(BaseModel):
    """A disposal act's course (disposal.disposal_out)."""

    id: int
    status: str
    act: DisposalActOut
    act_document_id: str
    cases: list[DisposalCaseOut]
    documents: list[str]
    proposed_at: InstantText
    approved_at: InstantText | None
    executed_at: InstantText | None
    destroyed: list[DestroyedStubOut]
    report: dict[str, Any] = Field(description="Vykdymo ataskaita (sunaikinti ir atsisakyti).")


class DestroyedNowOut(BaseModel):
    document_id: str
    number: str
    sha256: str


class VersionRefusedOut(BaseModel):
    key: str
    version_id: str
    locked_until: DateText | None = Field(
        default=None, description="Tik kai saugykla atsisakė dėl užrakto."
    )
    reason: str


class DocumentRefusedOut(BaseModel):
    document_id: str
    number: str
    reason: str | None = Field(default=None, description="Kai dokumentas sulaikytas.")
    versions: list[VersionRefusedOut] | None = Field(
        default=None, description="Kai saugykla neištrynė kurių nors versijų."
    )


class DisposalExecutedOut(DisposalOut):
    """An act executed (disposal.execute): what was destroyed now and what was refused."""

    destroyed_now: list[DestroyedNowOut]
    refused: list[DocumentRefusedOut]


# -- fixity ----------------------------------------------------------------------------------


class FixityItemOut(BaseModel):
    """One stored object version as the records describe it (fixity._describe)."""

    document_id: str
    number: str
    part: str
    key: str
    version_id: str


class FixityMismatchOut(FixityItemOut):
    expected_sha256: str
    actual_sha256: str
    size: int


class FixityLockProblemOut(FixityItemOut):
    problem: str


class FixityOrphanOut(BaseModel):
    key: str
    version_id: str
    size: int
    delete_marker: bool
    reason: str
    overwrites_registered_key: bool | None = Field(
        default=None, description="Tik kai nauja versija įrašyta ant užregistruoto rakto."
    )


class FixityReportOut(BaseModel):
    """A fixity run just made (fixity.run)."""

    id: int
    clean: bool
    checked: int
    ok: int
    bytes_read: int
    mismatched: list[FixityMismatchOut]
    missing: list[FixityItemOut]
    lock_problems: list[FixityLockProblemOut]
    orphans: list[FixityOrphanOut]
    overwritten_keys: list[str]


# -- audit chain -----------------------------------------------------------------------------


class LatestAnchorOut(BaseModel):
    event_id: int
    written_at: str = Field(description="Kaip įrašyta inkare (ISO 8601).")
    key: str


class AnchorsCheckedOut(BaseModel):
    checked: int
    covered_events: int
    latest: LatestAnchorOut | None
    problems: list[str]


class AuditVerifyOut(BaseModel):
    """The chain recomputed and compared with the anchors (AnchoredReport.out)."""

    ok: bool
    events: int
    first_broken: int | None
    anchors: AnchorsCheckedOut
    detail: str


# -- journal transfer ------------------------------------------------------------------------


class TransferredFileOut(BaseModel):
    name: str
    media_type: str
    size: int
    sha256: str


class TransferCoverOut(BaseModel):
    sha256: str
    size: int


class TransferRetentionOut(BaseModel):
    rule: str
    locked_until: DateText


class JournalTransferOut(BaseModel):
    """A journal moved to digital media and registered with its cover (journal.upload)."""

    document_id: str
    number: str
    file: TransferredFileOut
    cover: TransferCoverOut
    retention: TransferRetentionOut
    lock_problem: str | None = Field(description="Kai failo užrakinti nepavyko.")
