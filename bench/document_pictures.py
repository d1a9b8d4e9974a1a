"""`make document-pictures`: every kind issued at its largest realistic size through the real
service (embedded SeaweedFS, LibreOffice, the whole issuing pipeline), its first and last page
rendered to PNG in docs/documents/ (issue 11).

Add a kind by adding an ``Entry``: a name for the pictures and how to issue it (a function
given the running service that returns the document's id).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from bench import large_documents as large
from bench.server import BENCH_SCHOOL, lead_classes
from service.app import create_app
from service.cases.models import Case, CaseStatus
from service.db import make_engine, session_scope
from service.documents.models import Document
from service.registry import numbering
from service.runtime import Runtime
from service.settings import Settings
from service.timeutil import today_vilnius
from service.users.accounts import create_user, issue_token
from service.users.models import Role

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "documents"
RESOLUTION = 80  # dpi: as the office manager looks at it on screen


class Issuing:
    """The running service and one signed-in, pledged person per role."""

    def __init__(self, client: TestClient, database_url: str) -> None:
        self.client = client
        self.database_url = database_url
        self._headers: dict[Role, dict[str, str]] = {}
        # What one entry set up and another pictures (the closed year's inventories).
        self.memo: dict[str, Any] = {}

    def headers(self, role: Role) -> dict[str, str]:
        if role not in self._headers:
            names = {
                Role.office_manager: ("Rasa Raštinienė", "Raštinės vedėja"),
                Role.class_teacher: ("Jūratė Mockienė", "Klasės vadovė"),
                Role.deputy: (large.LONG_PERSON, "Direktoriaus pavaduotoja ugdymui"),
                Role.archivist: ("Aldona Archyvarė", "Archyvarė"),
            }
            name, position = names.get(role, (f"Naudotojas {role.value}", "Specialistas"))
            engine = make_engine(self.database_url)
            try:
                with session_scope(engine) as session:
                    user = create_user(session, name=name, position=position, roles=[role])
                    token = issue_token(session, user)
                    user_id = user.id
            finally:
                engine.dispose()
            headers = {"Authorization": f"Bearer {token}"}
            # The office manager registers her own pledge, then everyone else's (p.9): the
            # gate opens no other way.
            registrar = (
                headers if role is Role.office_manager else self.headers(Role.office_manager)
            )
            pledged = self.client.post(
                "/api/documents/confidentiality-pledge",
                json={
                    "person": {"name": name, "position": position},
                    "date": today_vilnius().isoformat(),
                    "user_id": user_id,
                },
                headers=registrar,
            )
            assert pledged.status_code == 201, pledged.text
            if role is Role.class_teacher and user_id is not None:
                # The calendar names her the teacher of the classes the pictures show.
                lead_classes(self.database_url, user_id, "7b", "8a")
            self._headers[role] = headers
        return self._headers[role]

    def issue(self, kind: str, data: dict[str, Any], role: Role) -> dict[str, Any]:
        response = self.client.post(f"/api/documents/{kind}", json=data, headers=self.headers(role))
        assert response.status_code == 201, response.text
        document: dict[str, Any] = response.json()
        return document

    def pdf(self, document_id: str) -> bytes:
        response = self.client.get(
            f"/api/documents/{document_id}/file", headers=self.headers(Role.office_manager)
        )
        if response.status_code == 403:
            response = self.client.get(
                f"/api/documents/{document_id}/file", headers=self.headers(Role.class_teacher)
            )
        assert response.status_code == 200, response.text
        return response.content


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    issue: Callable[[Issuing], str] | None = None  # returns the id of the document to picture
    # For what is printed rather than registered (the register, a cover): the PDF itself.
    printed: Callable[[Issuing], bytes] | None = None

    def pdf(self, service: Issuing) -> bytes:
        if self.printed is not None:
            return self.printed(service)
        assert self.issue is not None
        return service.pdf(self.issue(service))


def _simple(kind: str, build: Callable[[], dict[str, Any]], role: Role) -> Callable[[Issuing], str]:
    return lambda service: str(service.issue(kind, build(), role)["id"])


def _change_act(service: Issuing) -> str:
    """A change act kept with the summary it corrects (p.17.3), which it names."""
    summary = service.issue("achievement-summary", large.summary(pupils=3), Role.class_teacher)
    act = service.issue("change-act", large.change_act(summary_id=str(summary["id"])), Role.deputy)
    return str(act["id"])


def _corrected_summary(service: Issuing) -> str:
    """SV issued, a change act filed with it, then the corrected version (item 5)."""
    data = large.summary()
    old = service.issue("achievement-summary", data, Role.class_teacher)
    service.issue("change-act", large.change_act(summary_id=str(old["id"])), Role.deputy)
    response = service.client.post(
        f"/api/documents/{old['id']}/versions",
        json={"payload": data, "reason": "Ištaisytas anglų kalbos įvertinimas pagal aktą"},
        headers=service.headers(Role.class_teacher),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _register(service: Issuing) -> bytes:
    """This year's PZ: certificates for different pupils, one replaced by a new version, one
    number voided (its document failed), printed as the register with its notes and totals."""
    office = Role.office_manager
    first = None
    for i in range(16):
        data = large.certificate(rows=4)
        data["student"] = {"first_name": large.FIRST_NAMES[i], "last_name": large.LAST_NAMES[i]}
        issued = service.issue("leaving-certificate", data, office)
        first = first or issued
        if i == 2:
            engine = make_engine(service.database_url)
            try:
                with session_scope(engine) as session:
                    register = numbering.get_register(session, "PZ")
                    entry = numbering.reserve(
                        session,
                        register,
                        on=today_vilnius(),
                        title="Mokinio pasiekimų pažyma",
                        reserved_by=None,
                    )
                with session_scope(engine) as session:
                    numbering.void(
                        session, entry.id or 0, "Dokumento parengti nepavyko: konverteris neatsakė."
                    )
            finally:
                engine.dispose()
    assert first is not None
    data = large.certificate(rows=4)
    data["student"] = {"first_name": large.FIRST_NAMES[0], "last_name": large.LAST_NAMES[0]}
    fixed = service.client.post(
        f"/api/documents/{first['id']}/versions",
        json={"payload": data, "reason": "Pataisyta išvykimo priežastis"},
        headers=service.headers(office),
    )
    assert fixed.status_code == 201, fixed.text
    year = today_vilnius().year
    response = service.client.get(
        f"/api/registers/PZ/entries.pdf?year={year}", headers=service.headers(office)
    )
    assert response.status_code == 200, response.text
    return response.content


def _closed_year(service: Issuing) -> dict[str, Any]:
    """This year's summaries (long-term 3.1) issued, then 1.1, 1.2, 3.1 and 3.5 E closed: the
    permanent and the long-term inventory (1.3 stays open for the destruction act)."""
    if "closed" not in service.memo:
        for pupils in (28, 30, 26):
            service.issue("achievement-summary", large.summary(pupils=pupils), Role.class_teacher)
        response = service.client.post(
            "/api/cases/close",
            json={"year": today_vilnius().year, "indexes": ["1.1", "1.2", "3.1", "3.5 E"]},
            headers=service.headers(Role.archivist),
        )
        assert response.status_code == 200, response.text
        service.memo["closed"] = {c["index"]: c for c in response.json()}
    closed: dict[str, Any] = service.memo["closed"]
    return closed


def _inventory(index: str) -> Callable[[Issuing], bytes]:
    def printed(service: Issuing) -> bytes:
        inventory = _closed_year(service)[index]["inventory"]
        response = service.client.get(
            f"/api/documents/{inventory['document_id']}/file",
            headers=service.headers(Role.archivist),
        )
        assert response.status_code == 200, response.text
        return response.content

    return printed


def _cover(service: Issuing) -> bytes:
    _closed_year(service)
    response = service.client.get(
        f"/api/cases/{today_vilnius().year}/3.1/cover.pdf", headers=service.headers(Role.archivist)
    )
    assert response.status_code == 200, response.text
    return response.content


def _destruction_act(service: Issuing) -> bytes:
    """Old temporary cases whose terms are over, stored as a school migrating its records
    would have them (real PDFs, no lock left), proposed for destruction."""
    runtime: Runtime = service.client.app.state.runtime  # type: ignore[attr-defined]
    report = service.issue("progress-report", large.report(marks=12), Role.class_teacher)
    pdf = service.pdf(str(report["id"]))
    archivist = service.headers(Role.archivist)
    engine = make_engine(service.database_url)
    cases = []
    try:
        for year, index, rule, register, count in (
            (2015, "3.3", "v1511-progress-report", "TA", 12),
            (2016, "3.3", "v1511-progress-report", "TA", 9),
            (2018, "3.2", "v1511-safety-briefing", "IN", 5),
            (2019, "3.2", "v1511-safety-briefing", "IN", 7),
        ):
            assert service.client.get(f"/api/cases?year={year}", headers=archivist).is_success
            with session_scope(engine) as session:
                case = session.exec(
                    select(Case).where(Case.year == year, Case.index == index)
                ).one()
                case.status, case.closed_on = CaseStatus.closed, dt.date(year, 12, 31)
                session.add(case)
                case_id = case.id or 0
            for n in range(count):
                _stored(runtime, engine, case_id, year, register, rule, pdf, n)
            cases.append(index)
    finally:
        engine.dispose()
    response = service.client.post(
        "/api/disposals", json={"case_indexes": ["3.2", "3.3"]}, headers=archivist
    )
    assert response.status_code == 201, response.text
    return service.pdf(response.json()["act"]["document_id"])


def _stored(
    runtime: Runtime,
    engine: Engine,
    case_id: int,
    year: int,
    register: str,
    rule: str,
    pdf: bytes,
    n: int,
) -> None:
    on = dt.date(year, 3 + n % 9, 1 + n)
    doc_id = str(uuid.uuid4())
    with session_scope(engine) as session:
        reg = numbering.get_register(session, register)
        entry = numbering.reserve(
            session, reg, on=on, title="Ankstesnis dokumentas", reserved_by=None
        )
    stem = f"{year}/{register}/{entry.seq:06d}-{doc_id}"
    stored = runtime.store.put(f"{stem}.pdf", pdf, retain_until=None)
    with session_scope(engine) as session:
        session.add(
            Document(
                id=doc_id,
                kind="progress-report",
                title="Mokinio pažangumo ir lankomumo ataskaita",
                heading="Mokinio pažangumo ir lankomumo ataskaita",
                registry_entry_id=entry.id or 0,
                register_code=register,
                year=year,
                seq=entry.seq,
                number=entry.number,
                registered_on=on,
                case_id=case_id,
                sha256=stored.sha256,
                size=stored.size,
                object_key=stored.key,
                object_version_id=stored.version_id,
                docx_key=stored.key,
                docx_version_id=stored.version_id,
                docx_sha256=stored.sha256,
                docx_size=stored.size,
                retention_rule=rule,
                retain_until=dt.date(year + 1, 12, 31),
                lock_until=on,
                payload={},
                created_by=1,
            )
        )
        session.flush()
        numbering.confirm(session, entry.id or 0, doc_id)


OFFICE, TEACHER, DEPUTY = Role.office_manager, Role.class_teacher, Role.deputy
SUMMARY = "achievement-summary"

ENTRIES: list[Entry] = [
    Entry("leaving-certificate", _simple("leaving-certificate", large.certificate, OFFICE)),
    Entry(SUMMARY, _simple(SUMMARY, large.summary, TEACHER)),
    Entry(f"{SUMMARY}-annual", _simple(SUMMARY, lambda: large.summary(annual=True), TEACHER)),
    Entry(f"{SUMMARY}-corrected", _corrected_summary),
    Entry("change-act", _change_act),
    Entry("confidentiality-pledge", _simple("confidentiality-pledge", large.pledge, OFFICE)),
    Entry("safety-briefing", _simple("safety-briefing", large.briefing, TEACHER)),
    Entry("progress-report", _simple("progress-report", large.report, TEACHER)),
    # The books of record (issue 12).
    Entry("register", printed=_register),
    Entry("case-inventory-permanent", printed=_inventory("1.1")),
    Entry("case-inventory-long-term", printed=_inventory("3.1")),
    Entry("case-cover", printed=_cover),
    Entry("destruction-act", printed=_destruction_act),
]


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return next(
        int(line.split()[1]) for line in info.stdout.splitlines() if line.startswith("Pages:")
    )


def _picture(pdf: bytes, name: str, out: Path, work: Path) -> list[Path]:
    """The first and the last page as PNG (one picture for a one-page document)."""
    source = work / f"{name}.pdf"
    source.write_bytes(pdf)
    count = _pages(source)
    made = []
    for label, page in (("first", 1), ("last", count)):
        if label == "last" and count == 1:
            break
        target = out / f"{name}-{label}"
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(RESOLUTION), "-f", str(page), "-l", str(page),
             "-singlefile", str(source), str(target)],
            check=True,
        )  # fmt: skip
        made.append(target.with_suffix(".png"))
    return made


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("names", nargs="*", help="only these entries (default: all)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    wanted = [e for e in ENTRIES if not args.names or e.name in args.names]
    with tempfile.TemporaryDirectory(prefix="bylos-pictures-") as tmp:
        work = Path(tmp)
        settings = Settings(
            data_dir=work / "data",
            converter_workers=1,
            **{f"school_{k}": v for k, v in BENCH_SCHOOL.model_dump().items()},
        )
        settings.data_dir.mkdir(parents=True)
        with TestClient(create_app(settings)) as client:
            service = Issuing(client, settings.resolved_database_url)
            for entry in wanted:
                for made in _picture(entry.pdf(service), entry.name, args.out, work):
                    shown = made.relative_to(ROOT) if made.is_relative_to(ROOT) else made
                    sys.stdout.write(f"{shown}\n")
        shutil.rmtree(work / "data", ignore_errors=True)


if __name__ == "__main__":
    main()
