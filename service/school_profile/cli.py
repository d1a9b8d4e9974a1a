"""`bylos school show|set`: the school profile in one step from the command line.

Official documents are refused until the profile is complete (profile.ensure_complete), so the
first thing a new installation does is `bylos school set`. The command line hands over how to
reach the database and the configured (BYLOS_SCHOOL_*) profile; this module reads no settings.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from service.audit.log import Actor
from service.db import make_engine, migrate, session_scope
from service.errors import ServiceError
from service.school_profile import profile
from service.settings import SchoolProfile
from service.validation import parse_payload

ACTOR = Actor(id=None, name="Administratorius (komandinė eilutė)")
_LABELS = {
    "name": "Pavadinimas",
    "code": "Kodas",
    "address": "Adresas",
    "city": "Miestas",
    "director_name": "Direktorius",
    "director_title": "Direktoriaus pareigos",
}


def register(
    app: typer.Typer, database_url: Callable[[], str], configured: Callable[[], SchoolProfile]
) -> None:
    school_app = typer.Typer(help="Mokyklos duomenys dokumentų antraštei ir parašui.")
    app.add_typer(school_app, name="school")
    out = Console()
    err = Console(stderr=True)

    def _show(school: SchoolProfile) -> None:
        table = Table("Laukas", "Reikšmė", title="Mokyklos duomenys")
        for field, label in _LABELS.items():
            table.add_row(label, getattr(school, field) or "—")
        out.print(table)
        lacking = profile.missing(school)
        if lacking:
            err.print(
                "[yellow]Dokumentai neišduodami, kol trūksta:[/yellow] " + ", ".join(lacking) + "."
            )

    @school_app.command("show")
    def show_cmd() -> None:
        """Parodyti galiojančius mokyklos duomenis ir ko trūksta."""
        url = database_url()
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        try:
            migrate(engine)
            with session_scope(engine) as session:
                school = profile.current(session, configured())
        finally:
            engine.dispose()
        _show(school)

    @school_app.command("set")
    def set_cmd(
        name: Annotated[str, typer.Option("--name", help="Mokyklos pavadinimas")],
        code: Annotated[str, typer.Option("--code", help="Juridinio asmens kodas (9 skaitmenys)")],
        address: Annotated[str, typer.Option("--address", help="Adresas")],
        city: Annotated[str, typer.Option("--city", help="Miestas (dokumentų sudarymo vieta)")],
        director: Annotated[str, typer.Option("--director", help="Direktoriaus vardas, pavardė")],
        director_title: Annotated[
            str, typer.Option("--director-title", help="Direktoriaus pareigų pavadinimas")
        ] = "Direktorius",
    ) -> None:
        """Įrašyti mokyklos duomenis (galioja iškart, ir veikiančiai tarnybai)."""
        url = database_url()
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        try:
            wanted = parse_payload(
                profile.SchoolProfileIn,
                {
                    "name": name,
                    "code": code,
                    "address": address,
                    "city": city,
                    "director_name": director,
                    "director_title": director_title,
                },
            ).profile()
            profile.ensure_complete(wanted)
            migrate(engine)
            with session_scope(engine) as session:
                before = profile.current(session, configured())
                profile.save(session, wanted, None, before, actor=ACTOR)
        except ServiceError as exc:
            err.print(f"[red]Klaida:[/red] {exc.detail}")
            raise typer.Exit(2) from None
        finally:
            engine.dispose()
        err.print("Mokyklos duomenys įrašyti.")
        _show(wanted)
