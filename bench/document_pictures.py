"""`make document-pictures`: every kind issued at its largest realistic size through the real
service (embedded SeaweedFS, LibreOffice, the whole issuing pipeline), its first and last page
rendered to PNG in docs/documents/ (issue 11).

Add a kind by adding an ``Entry``: a name for the pictures and how to issue it (a function
given the running service that returns the document's id).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bench import large_documents as large
from bench.server import BENCH_SCHOOL, lead_classes
from service.app import create_app
from service.db import make_engine, session_scope
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

    def headers(self, role: Role) -> dict[str, str]:
        if role not in self._headers:
            names = {
                Role.office_manager: ("Rasa Raštinienė", "Raštinės vedėja"),
                Role.class_teacher: ("Jūratė Mockienė", "Klasės vadovė"),
                Role.deputy: (large.LONG_PERSON, "Direktoriaus pavaduotoja ugdymui"),
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
    issue: Callable[[Issuing], str]  # returns the id of the document to picture


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
                document_id = entry.issue(service)
                for made in _picture(service.pdf(document_id), entry.name, args.out, work):
                    shown = made.relative_to(ROOT) if made.is_relative_to(ROOT) else made
                    sys.stdout.write(f"{shown}\n")
        shutil.rmtree(work / "data", ignore_errors=True)


if __name__ == "__main__":
    main()
