"""The books of record's use-cases, shared by the API (routes.py) and the pages: the
archivist's year, a case's cover, the expert commission's agreement on an inventory.

Who may call each is decided before, by the policy table (service/access/policy.py).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from service.archive.cases import resolve_case
from service.books import covers, export, inventories, year_xlsx
from service.books import year as years
from service.cases.facts import count_missing_pages, documents_of, facts
from service.cases.plan import validate_year
from service.db import session_scope
from service.documents.schemas import DocumentOut, document_out
from service.output import content_disposition
from service.runtime import Runtime
from service.timeutil import today_vilnius
from service.users.models import User
from service.validation import IsoDate, Text


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


# -- the year-end export (BagIt) --------------------------------------------------------------


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=1900, le=2200)


@dataclass(frozen=True, slots=True)
class YearExport:
    """A BagIt zip of the year's closed cases, streamed while it is written; ``work`` is
    removed when the stream ends (also when the client goes away before it)."""

    filename: str
    chunks: Iterator[bytes]
    work: Path

    def response(self) -> StreamingResponse:
        return StreamingResponse(
            self.chunks,
            media_type="application/zip",
            headers={"Content-Disposition": content_disposition(self.filename)},
            # Also when the client goes away before the end of the stream.
            background=BackgroundTask(shutil.rmtree, self.work, ignore_errors=True),
        )


def export_year(runtime: Runtime, user: User, data_dir: Path, wanted: ExportIn) -> YearExport:
    name = export.export_dir_name(runtime.school, wanted.year)
    work = data_dir / "exports" / uuid.uuid4().hex / name
    try:
        bag_dir, _summary = export.build_bag(
            runtime.engine,
            runtime.store,
            runtime.school,
            runtime.rules,
            wanted.year,
            work,
            user.actor,
            converter=runtime.converter,
            records=runtime.records,
        )
    except BaseException:
        shutil.rmtree(work.parent, ignore_errors=True)
        raise
    return YearExport(f"{name}.zip", export.zip_stream(bag_dir, remove=True), work.parent)
