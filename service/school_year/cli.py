"""`bylos duties [--on DATE]`: what the school's calendar says is due, for whoever runs the
server (a municipality's script, say). Read-only; the command line hands over the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from service.db import make_engine, migrate, session_scope
from service.documents import duties
from service.timeutil import today_vilnius


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"data rašoma MMMM-MM-DD, gauta „{value}“") from None


def register(app: typer.Typer, database_url: Callable[[], str]) -> None:
    out = Console()

    @app.command("duties")
    def duties_cmd(
        on: Annotated[
            str, typer.Option("--on", help="Kuriai dienai (MMMM-MM-DD); numatyta – šiandien")
        ] = "",
    ) -> None:
        """Parodyti, kas pagal mokslo metų kalendorių turi būti padaryta."""
        day = _date(on) if on else today_vilnius()
        url = database_url()
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        try:
            migrate(engine)
            with session_scope(engine) as session:
                found = duties.duties_on(session, day)
        finally:
            engine.dispose()
        if found.calendar is None:
            out.print(
                f"{found.school_year} mokslo metų kalendorius nenustatytas: terminai "
                "neskaičiuojami (nustatykite puslapyje „Kalendorius“)."
            )
        summaries = Table(
            "Klasė",
            "Laikotarpis",
            "Klasės vadovas iki",
            "Pavaduotojas iki",
            "Būsena",
            title=f"Trūkstamos suvestinės ({day.isoformat()})",
        )
        for s in found.summaries:
            summaries.add_row(
                s.class_name,
                s.period,
                s.deadlines.teacher.isoformat(),
                s.deadlines.deputy.isoformat(),
                "vėluoja" if s.overdue else "laukia",
            )
        if found.calendar is not None:
            out.print(summaries if found.summaries else "Trūkstamų suvestinių nėra.")
        reports = found.parent_reports
        if reports is not None:
            month = f"{reports.month.year}-{reports.month.month:02d}"
            out.print(
                f"Ataskaitos tėvams už {month}: išduota {reports.issued}, "
                f"trūksta {len(reports.missing)}."
            )
            for p in reports.missing:
                out.print(f"  {p.class_name}  {p.name}")
        for t in found.journal_transfers:
            if t.document_id is not None:
                out.print(f"Dienynas {t.school_year}: perkeltas, Nr. {t.document_number}.")
            else:
                state = "VĖLUOJA" if t.overdue else "laukia"
                out.print(f"Dienynas {t.school_year}: perkelti iki {t.deadline} ({state}).")
