"""The books of record's use-cases, shared by the API (routes.py) and the pages: the
archivist's year, a case's cover, the expert commission's agreement on an inventory.

Who may call each is decided before, by the policy table (service/access/policy.py).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from service.archive.cases import resolve_case
from service.books import covers, inventories, year_xlsx
from service.books import year as years
from service.cases.facts import count_missing_pages, documents_of, facts
from service.cases.plan import validate_year
from service.db import session_scope
from service.documents.schemas import DocumentOut, document_out
from service.documents.validation import IsoDate, Text
from service.runtime import Runtime
from service.timeutil import today_vilnius
from service.users.models import User


class AgreementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    protocol_date: IsoDate
    protocol_number: Text


def year_view(runtime: Runtime, year: int) -> dict[str, Any]:
    validate_year(year)
    with session_scope(runtime.engine) as session:
        return years.year_view(runtime, session, year, today_vilnius())


def year_workbook(runtime: Runtime, year: int) -> bytes:
    return year_xlsx.to_xlsx(year_view(runtime, year))


def cover_of(runtime: Runtime, printed_by: str, year: int, index: str) -> bytes:
    """A case's cover: its sheets counted from the documents' pages at this moment."""
    validate_year(year)
    with session_scope(runtime.engine) as session:
        case = resolve_case(session, index, year)
        docs = documents_of(session, [case.id or 0])[case.id or 0]
    # The conversion is slow: counted and converted outside the transaction.
    count_missing_pages(runtime.engine, runtime.store, docs)
    return covers.cover_pdf(
        case,
        facts(docs, runtime.records),
        rules=runtime.rules,
        records=runtime.records,
        school=runtime.school,
        converter=runtime.converter,
        printed_on=today_vilnius(),
        printed_by=printed_by,
    )


def enter_agreement(
    runtime: Runtime, user: User, document_id: str, wanted: AgreementIn
) -> DocumentOut:
    """The agreement entered on an inventory: a new version of it, answered as the API's."""
    issued = inventories.enter_agreement(
        runtime, user, document_id, wanted.protocol_date, wanted.protocol_number
    )
    with session_scope(runtime.engine) as session:
        return document_out(session, issued, runtime.rules)
