"""`python -m bench security_uploads`: what each hostile spreadsheet costs the real service.

Each bomb of bench/upload_bombs.py is posted to a running `bylos serve` through the summary
upload (the door every class teacher has) and, for the XLSX ones, the plan import; the row
gives the answer, the wall time of the request and the server's peak RSS growth during it
(VmHWM reset before each request). Goal (issue 10 item 2): a Lithuanian 422 within 2 s and
under 64 MiB growth. A legitimate 40-pupil summary and a 2000-row plan are measured alongside,
so the bounds are seen not to tax real files.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx2 as httpx
from openpyxl import Workbook

from bench.measure import reset_peak, status_kib
from bench.seeding import pledged_token
from bench.server import Server, lead_classes
from bench.upload_bombs import BOMBS
from service.timeutil import today_vilnius
from service.users.models import Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOAL_S = 2.0
GOAL_MIB = 64


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("security_uploads")
    group.add_argument(
        "--bomb-repeats", type=int, default=3, help="requests per bomb (the worst one is shown)"
    )


def _token(database_url: str) -> str:
    token, user_id = pledged_token(
        database_url,
        name="Jūratė Mockienė",
        position="Klasės vadovė",
        roles=[Role.class_teacher, Role.archivist],
    )
    lead_classes(database_url, user_id, "5a")  # the summary's class is hers
    return token


def _measure(
    pid: int, send: Callable[[], httpx.Response], repeats: int
) -> tuple[int, str, float, float]:
    """(status, detail, worst seconds, worst peak RSS growth in MiB) over ``repeats`` requests."""
    worst_s = worst_mib = 0.0
    status, detail = 0, ""
    for _ in range(repeats):
        reset_peak(pid)
        before = status_kib(pid, "VmRSS")
        started = time.perf_counter()
        response = send()
        elapsed = time.perf_counter() - started
        growth = max(0, status_kib(pid, "VmHWM") - before) / 1024
        worst_s, worst_mib = max(worst_s, elapsed), max(worst_mib, growth)
        status = response.status_code
        try:
            detail = str(response.json().get("detail", ""))
        except ValueError:
            detail = response.text
    return status, detail, worst_s, worst_mib


def _plan_xlsx(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Dokumentacijos planas"
    sheet.append(["Indeksas", "Pavadinimas", "Saugojimo taisyklė", "Registrai"])
    sheet.append(["3", "Ugdymo organizavimas"])
    for n in range(1, rows):
        sheet.append([f"3.{n}", f"Byla nr. {n}", "v1511-progress-report", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary_csv(pupils: int = 40, subjects: int = 14) -> bytes:
    names = [f"Dalykas {s}" for s in range(subjects)]
    lines = [
        "Klasė;5a",
        "Mokslo metai;2025-2026",
        "Laikotarpis;II pusmetis",
        "Klasės vadovas;Jūratė Mockienė",
        "",
        ";".join(["Vardas", "Pavardė", *names, "Praleista", "Pateisinta", "Pastabos"]),
    ]
    for p in range(pupils):
        lines.append(";".join([f"Vardas{p}", f"Pavardė{p}", *["9"] * subjects, "4", "2", ""]))
    return ("\n".join(lines) + "\n").encode()


def _row(
    what: str, size: int, status: int, detail: str, seconds: float, mib: float, ok: bool
) -> str:
    shown = detail.replace("|", "/")[:90]
    verdict = "taip" if ok else "**NE**"
    return (
        f"| {what} | {size / 1024:,.1f} | {status} | {seconds:.3f} | {mib:.1f} | {verdict} | "
        f"{shown} |"
    )


def rows(args: argparse.Namespace) -> list[str]:
    """Markdown table rows (header included): one per bomb and door, then the real files."""
    out = [
        "| file → door | size (KiB) | status | worst time (s) | peak RSS growth (MiB) "
        "| 422, ≤ 2 s, ≤ 64 MiB | answer |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    repeats = max(1, args.bomb_repeats)
    with tempfile.TemporaryDirectory(prefix="bylos-bench-uploads-") as tmp:
        server = Server(Path(tmp) / "server", workers=1)
        server.start()
        try:
            assert server.proc is not None
            pid = server.proc.pid
            headers = {"Authorization": f"Bearer {_token(server.database_url)}"}
            year = today_vilnius().year
            with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:
                for bomb in BOMBS:
                    data = bomb.build()

                    def upload(data: bytes = data, name: str = bomb.filename) -> httpx.Response:
                        return client.post(
                            "/api/documents/achievement-summary/upload",
                            files={"file": (name, data, "application/octet-stream")},
                        )

                    status, detail, s, mib = _measure(pid, upload, repeats)
                    ok = status == 422 and s <= GOAL_S and mib <= GOAL_MIB
                    out.append(
                        _row(f"{bomb.name} → suvestinė", len(data), status, detail, s, mib, ok)
                    )
                    if bomb.filename.endswith(".xlsx"):

                        def plan(data: bytes = data) -> httpx.Response:
                            return client.post(
                                f"/api/plans/{year + 1}/import",
                                content=data,
                                headers={"Content-Type": XLSX},
                            )

                        status, detail, s, mib = _measure(pid, plan, repeats)
                        ok = status == 422 and s <= GOAL_S and mib <= GOAL_MIB
                        out.append(
                            _row(f"{bomb.name} → planas", len(data), status, detail, s, mib, ok)
                        )
                legit = _summary_csv()

                def summary() -> httpx.Response:
                    return client.post(
                        "/api/documents/achievement-summary/upload",
                        files={"file": ("5a.csv", legit, "text/csv")},
                    )

                status, _, s, mib = _measure(pid, summary, 1)
                out.append(
                    _row("tikra suvestinė (40 mok. x 14 dal., CSV, išduodama)", len(legit),
                         status, "", s, mib, status == 201)
                )  # fmt: skip
                big_plan = _plan_xlsx(2000)

                def plan_import() -> httpx.Response:
                    return client.post(
                        f"/api/plans/{year + 1}/import",
                        content=big_plan,
                        headers={"Content-Type": XLSX},
                    )

                status, detail, s, mib = _measure(pid, plan_import, 1)
                out.append(
                    _row("tikras planas (2000 eilučių XLSX)", len(big_plan), status,
                         "" if status == 200 else detail, s, mib, status == 200)
                )  # fmt: skip
        finally:
            server.stop()
    return out


def run(args: argparse.Namespace) -> list[str]:
    return rows(args)
