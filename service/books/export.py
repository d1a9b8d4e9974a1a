"""Year-end export (perkėlimas į skaitmeninę laikmeną): a BagIt (RFC 8493) bag of a year's
closed cases — each document's PDF/A and payload JSON, the registry entries and the case
inventory as CSV, SHA-256 and SHA-512 manifests, bag-info naming the school and the dates.

The bag is built as a directory (the ``bagit`` library works on directories) under the data dir,
then either kept (CLI, a mounted medium) or streamed as a ZIP without holding it in memory.

It lives with the books of record it bundles (the register, the inventories, the covers), above
the archive whose closed and destroyed records it accounts for.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bagit
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from retention.rules import RuleSet
from service.archive.models import DestroyedDocument
from service.audit import log as audit
from service.audit.log import Actor
from service.books import covers
from service.books import register as books_register
from service.books.year import GROUPS_LT as GROUP_LT
from service.books.year import current_inventories
from service.cases.closing import group_of
from service.cases.facts import CaseFacts, count_missing_pages, facts
from service.cases.models import Case, CaseStatus
from service.db import session_scope
from service.documents.models import Document, JournalFile
from service.errors import Conflict, DependencyUnavailable, NotFound
from service.output import csv_row
from service.records import RecordsSettings
from service.registry.listing import RegisterRow
from service.registry.models import RegistryEntry
from service.settings import SchoolProfile
from service.timeutil import today_vilnius, utcnow
from storage.errors import StorageError
from storage.objectstore import ObjectStorePort

CHECKSUMS = ["sha256", "sha512"]
_CHUNK = 1 << 20
_FETCH_WORKERS = 8


def _safe(name: str) -> str:
    """A file-system-safe form of a case index or number ("3.5 E" -> "3.5_E")."""
    return re.sub(r"[^\w.\-]+", "_", name).strip("_") or "_"


def check_year(engine: Engine, year: int) -> list[Case]:
    """The year's cases, all closed; 404 when the year has none, 409 naming the open ones."""
    with session_scope(engine) as session:
        cases = list(session.exec(select(Case).where(Case.year == year).order_by(col(Case.index))))
    if not cases:
        raise NotFound(f"{year} m. dokumentacijos plane bylų nėra: eksportuoti nėra ko.")
    still_open = [c for c in cases if c.status != CaseStatus.closed]
    if still_open:
        names = ", ".join(f"„{c.index} {c.title}“" for c in still_open)
        raise Conflict(
            f"{year} m. negalima eksportuoti: neužbaigtos (atviros) bylos: {names}. "
            "Pirmiausia jas uždarykite."
        )
    return cases


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    # UTF-8 with BOM: Excel, which the archivist opens these in, then reads Lithuanian letters.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        # Titles and names are typed by people: none may become a formula (service/output.py).
        writer.writerow(csv_row(header))
        writer.writerows(csv_row(row) for row in rows)


def _fetch(store: ObjectStorePort, key: str, version: str, sha256: str, target: Path) -> None:
    digest = hashlib.sha256()
    try:
        with target.open("wb") as handle:
            for chunk in store.get(key, version, chunk_size=_CHUNK):
                digest.update(chunk)
                handle.write(chunk)
    except StorageError as exc:
        raise DependencyUnavailable(
            f"Failo {key} iš saugyklos perskaityti nepavyko: eksportas nutrauktas. "
            "Atlikite vientisumo patikrą."
        ) from exc
    if digest.hexdigest() != sha256:
        raise DependencyUnavailable(
            f"Failo {key} kontrolinė suma nesutampa su registruota: eksportas nutrauktas."
        )


def build_bag(
    engine: Engine,
    store: ObjectStorePort,
    school: SchoolProfile,
    rules: RuleSet,
    year: int,
    target: Path,
    actor: Actor,
    *,
    converter: covers.Converter | None = None,
    records: RecordsSettings | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Write the year's bag as the new directory ``target``; returns it and a summary.

    With a ``converter`` each case's cover (bylos viršelis) is printed into its folder; the
    year's inventories in force go into ``apyrasai/`` either way."""
    cases = check_year(engine, year)
    if target.exists():
        raise Conflict(f"Katalogas {target} jau yra: pasirinkite kitą vietą.")
    target.mkdir(parents=True)
    books = Books(school, converter, records or RecordsSettings(), actor.name)
    try:
        summary = _fill(engine, store, rules, year, cases, target, books)
        bag_info = {
            "Source-Organization": school.name,
            "Organization-Address": school.address,
            "External-Identifier": f"{school.code}-{year}",
            "External-Description": (
                f"{school.name}: {year} m. užbaigtų bylų dokumentai, perkelti į skaitmeninę "
                "laikmeną (Bylos)."
            ),
            "Internal-Sender-Identifier": f"bylos-{school.code}-{year}",
            "Bylos-School-Code": school.code,
            "Bylos-Year": str(year),
            "Bylos-Date-Range": f"{year}-01-01/{year}-12-31",
            "Bylos-Exported-At": utcnow().isoformat(timespec="seconds"),
            "Bylos-Cases": str(len(cases)),
            "Bylos-Documents": str(summary["documents"]),
        }
        bag = bagit.make_bag(str(target), bag_info, checksums=CHECKSUMS)
        summary["payload_oxum"] = bag.info.get("Payload-Oxum")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    with session_scope(engine) as session:
        audit.record(
            session,
            actor,
            "export.created",
            subject_type="year",
            subject_id=str(year),
            detail=summary,
        )
    return target, summary


@dataclass(frozen=True, slots=True)
class Books:
    """What the bag needs to print the year's covers."""

    school: SchoolProfile
    converter: covers.Converter | None
    records: RecordsSettings
    printed_by: str


def _fill(
    engine: Engine,
    store: ObjectStorePort,
    rules: RuleSet,
    year: int,
    cases: list[Case],
    root: Path,
    books: Books,
) -> dict[str, Any]:
    """Write the bag's payload: each document's metadata and files, the inventories in force,
    the covers, the registry entries and the case inventory as CSV."""
    found = _read_year(engine, year, cases)
    by_case = {c.id: c for c in cases}
    fetches = _write_documents(root, rules, found, by_case)
    with ThreadPoolExecutor(max_workers=_FETCH_WORKERS) as pool:
        for _ in pool.map(lambda f: _fetch(store, *f), fetches):
            pass
    case_facts, printed = _print_covers(engine, store, rules, cases, root, books, found)
    _write_register_csv(root, found, by_case)
    _write_inventory_csv(root, rules, cases, books, found, case_facts)
    return {
        "year": year,
        "cases": len(cases),
        "documents": len(found.docs),
        "files": len(fetches),
        "destroyed": len(found.destroyed),
        "inventories": [d.number for d in found.inventories],
        "covers": printed,
        "registry_entries": len(found.register_rows),
    }


@dataclass(frozen=True, slots=True)
class _Year:
    """What the bag holds of a year, read in one transaction."""

    docs: list[Document]
    destroyed: dict[str, DestroyedDocument]
    journals: dict[str, JournalFile]
    inventories: list[Document]
    # The register's rows as printed: heading, addressee, signer, state and notes.
    register_rows: list[RegisterRow]


def _read_year(engine: Engine, year: int, cases: list[Case]) -> _Year:
    with session_scope(engine) as session:
        case_ids = [c.id for c in cases]
        docs = list(
            session.exec(
                select(Document)
                .where(col(Document.case_id).in_(case_ids))
                .order_by(col(Document.register_code), col(Document.seq))
            )
        )
        destroyed = {
            d.document_id: d
            for d in session.exec(
                select(DestroyedDocument).where(
                    col(DestroyedDocument.document_id).in_([d.id for d in docs])
                )
            )
        }
        journals = {
            j.document_id: j
            for j in session.exec(
                select(JournalFile).where(col(JournalFile.document_id).in_([d.id for d in docs]))
            )
        }
        inventories = [
            d for d in current_inventories(session, year).values() if d.id not in destroyed
        ]
        codes = sorted(
            set(
                session.exec(
                    select(RegistryEntry.register_code).where(RegistryEntry.year == year).distinct()
                )
            )
        )
        register_rows = [row for code in codes for row in books_register.rows(session, code, year)]
    return _Year(docs, destroyed, journals, inventories, register_rows)


# What to fetch from the store: object key, version, expected SHA-256, where it goes in the bag.
_Fetch = tuple[str, str, str, Path]


def _write_documents(
    root: Path, rules: RuleSet, found: _Year, by_case: dict[int | None, Case]
) -> list[_Fetch]:
    """Each document's metadata JSON, in its case's folder; what to fetch from the store (the
    PDFs and journal files of the documents not destroyed, the inventories in force)."""
    fetches: list[_Fetch] = []
    for doc in found.docs:
        case = by_case[doc.case_id]
        folder = root / "bylos" / _safe(case.index)
        folder.mkdir(parents=True, exist_ok=True)
        stem = _safe(doc.number)
        stub = found.destroyed.get(doc.id)
        meta = _document_metadata(doc, case, rules, stub)
        (folder / f"{stem}.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )
        # A destroyed document's files are gone: the bag keeps its metadata and the act.
        if stub is None:
            fetches.extend(_document_files(doc, found.journals.get(doc.id), folder, stem))
    # The year's inventories in force (Taisyklės: the inventories are the cases' finding aid).
    for inv in found.inventories:
        folder = root / "apyrasai"
        folder.mkdir(parents=True, exist_ok=True)
        fetches.append(
            (inv.object_key, inv.object_version_id, inv.sha256, folder / f"{_safe(inv.number)}.pdf")
        )
    return fetches


def _document_metadata(
    doc: Document, case: Case, rules: RuleSet, stub: DestroyedDocument | None
) -> dict[str, Any]:
    return {
        "id": doc.id,
        "kind": doc.kind,
        "title": doc.title,
        "version": doc.version,
        "supersedes": doc.supersedes_id,
        "superseded_by": doc.superseded_by_id,
        "registration": {
            "register": doc.register_code,
            "year": doc.year,
            "seq": doc.seq,
            "number": doc.number,
            "date": doc.registered_on.isoformat(),
        },
        "case": {"index": case.index, "title": case.title, "year": case.year},
        "file": {"sha256": doc.sha256, "size": doc.size, "media_type": doc.media_type},
        "retention": {
            "rule": doc.retention_rule,
            "term": rules.get(doc.retention_rule).term if doc.retention_rule in rules else None,
            "retain_until": doc.retain_until.isoformat() if doc.retain_until else None,
            "permanent": doc.permanent,
        },
        "destroyed": (
            {"act": stub.act_number, "at": stub.destroyed_at.isoformat()} if stub else None
        ),
        "payload": doc.payload,
    }


def _document_files(
    doc: Document, journal: JournalFile | None, folder: Path, stem: str
) -> list[_Fetch]:
    """A kept document's PDF, and its journal file if one was uploaded, beside its JSON."""
    pdf = folder / f"{stem}.pdf"
    fetches: list[_Fetch] = [(doc.object_key, doc.object_version_id, doc.sha256, pdf)]
    if journal is not None:
        fetches.append(
            (
                journal.object_key,
                journal.object_version_id,
                journal.sha256,
                folder / f"{stem}-{_safe(journal.file_name)}",
            )
        )
    return fetches


def _print_covers(
    engine: Engine,
    store: ObjectStorePort,
    rules: RuleSet,
    cases: list[Case],
    root: Path,
    books: Books,
    found: _Year,
) -> tuple[dict[int | None, CaseFacts], int]:
    """Each case's facts (its sheets counted) and, when a converter is at hand, its cover."""
    docs, destroyed = found.docs, found.destroyed
    case_docs: dict[int, list[Document]] = {}
    for doc in docs:
        case_docs.setdefault(doc.case_id, []).append(doc)
    count_missing_pages(engine, store, [d for d in docs if d.id not in destroyed])
    case_facts = {c.id: facts(case_docs.get(c.id or 0, []), books.records) for c in cases}
    printed = 0
    if books.converter is not None:
        for case in cases:
            folder = root / "bylos" / _safe(case.index)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "virselis.pdf").write_bytes(
                covers.cover_pdf(
                    case,
                    case_facts[case.id],
                    rules=rules,
                    records=books.records,
                    school=books.school,
                    converter=books.converter,
                    printed_on=today_vilnius(),
                    printed_by=books.printed_by,
                )
            )
            printed += 1
    return case_facts, printed


def _write_register_csv(root: Path, found: _Year, by_case: dict[int | None, Case]) -> None:
    destroyed, register_rows = found.destroyed, found.register_rows
    doc_by_id = {d.id: d for d in found.docs}
    _write_csv(
        root / "registro-irasai.csv",
        [
            "registras",
            "metai",
            "eil_nr",
            "numeris",
            "data",
            "rusis",
            "antraste",
            "adresatas",
            "pasirase",
            "busena",
            "pastabos",
            "priezastis",
            "dokumento_id",
            "byla",
            "sha256",
            "sunaikinta_aktu",
        ],
        [
            [
                e.register_code,
                e.year,
                e.seq,
                e.number,
                e.date.isoformat(),
                e.title,
                row.heading,
                row.addressee,
                row.signer,
                row.state,
                row.notes,
                e.void_reason or "",
                e.document_id or "",
                by_case[doc_by_id[e.document_id].case_id].index
                if e.document_id in doc_by_id
                else "",
                doc_by_id[e.document_id].sha256 if e.document_id in doc_by_id else "",
                destroyed[e.document_id].act_number if e.document_id in destroyed else "",
            ]
            for row in register_rows
            for e in (row.entry,)
        ],
    )


def _write_inventory_csv(
    root: Path,
    rules: RuleSet,
    cases: list[Case],
    books: Books,
    found: _Year,
    case_facts: dict[int | None, CaseFacts],
) -> None:
    docs, destroyed = found.docs, found.destroyed
    inventory: list[list[Any]] = []
    for number, case in enumerate(cases, start=1):
        in_case = [d for d in docs if d.case_id == case.id]
        dates = sorted(d.registered_on for d in in_case)
        rule = rules.get(case.retention_rule) if case.retention_rule in rules else None
        inventory.append(
            [
                number,
                case.index,
                case.title,
                dates[0].isoformat() if dates else "",
                dates[-1].isoformat() if dates else "",
                len(in_case),
                case_facts[case.id].sheets,
                GROUP_LT[group_of(rules, books.records, case.retention_rule)],
                rule.term if rule else "",
                case.retention_rule,
                case.closed_on.isoformat() if case.closed_on else "",
                sum(1 for d in in_case if d.id in destroyed),
            ]
        )
    _write_csv(
        root / "bylu-apyrasas.csv",
        [
            "eil_nr",
            "bylos_indeksas",
            "bylos_antraste",
            "pradzios_data",
            "pabaigos_data",
            "dokumentu_skaicius",
            "lapu_skaicius",
            "saugojimo_grupe",
            "saugojimo_terminas",
            "taisykle",
            "uzbaigta",
            "sunaikinta_dokumentu",
        ],
        inventory,
    )


def validate(path: Path) -> None:
    """Re-read the written bag and check every manifest entry (raises Conflict if not valid)."""
    try:
        bagit.Bag(str(path)).validate()
    except bagit.BagError as exc:
        raise Conflict(f"Įrašytas paketas {path} netinkamas: {exc}") from exc


class _Sink(io.RawIOBase):
    """Collects what zipfile writes so a generator can hand it on chunk by chunk."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def zip_stream(root: Path, *, remove: bool = False) -> Iterator[bytes]:
    """Stream ``root`` as a ZIP (stored, ZIP64) in bounded memory; optionally delete it after."""
    sink = _Sink()
    try:
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            prefix = root.name
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                arcname = f"{prefix}/{path.relative_to(root).as_posix()}"
                info = zipfile.ZipInfo.from_file(path, arcname)
                with path.open("rb") as src, zf.open(info, "w", force_zip64=True) as dest:
                    while block := src.read(_CHUNK):
                        dest.write(block)
                        if out := sink.drain():
                            yield out
                if out := sink.drain():
                    yield out
        if out := sink.drain():
            yield out
    finally:
        if remove:
            shutil.rmtree(root, ignore_errors=True)


def export_dir_name(school: SchoolProfile, year: int) -> str:
    return f"bylos-{school.code}-{year}-{dt.date.today().isoformat()}"
