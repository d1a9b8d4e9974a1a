"""`bylos registers list|add|rename`: the admin's register commands.

The command line (service/cli.py) hands over how to reach the database, so this module never
reads settings itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from service.audit.log import Actor
from service.db import make_engine, migrate, session_scope
from service.errors import ServiceError
from service.registry import admin
from service.registry.defaults import ensure_default_registers

ACTOR = Actor(id=None, name="Administratorius (komandinė eilutė)")


def registers_cli(database_url: Callable[[], str]) -> typer.Typer:
    app = typer.Typer(help="Dokumentų registrai: sąrašas, naujas registras, pervadinimas.")
    out = Console()
    err = Console(stderr=True)

    @contextmanager
    def session() -> Iterator[Session]:
        url = database_url()
        if url.startswith("sqlite:///"):
            # A first command on a fresh data dir creates it, as `bylos users add` does.
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(url)
        try:
            migrate(engine)
            with session_scope(engine) as s:
                ensure_default_registers(s)
            with session_scope(engine) as s:
                yield s
        except ServiceError as exc:
            err.print(f"[red]Klaida:[/red] {exc.detail}")
            raise typer.Exit(2) from None
        finally:
            engine.dispose()

    @app.command("list")
    def list_cmd() -> None:
        """Parodyti visus registrus."""
        with session() as s:
            registers = admin.all_registers(s)
        table = Table("Kodas", "Pavadinimas", "Byla", "Numerio formatas", title="Registrai")
        for r in registers:
            table.add_row(r.code, r.title, r.case_index, r.number_format)
        out.print(table)

    @app.command("add")
    def add_cmd(
        code: Annotated[str, typer.Option("--code", help="Registro kodas, pvz., „PZ“")],
        title: Annotated[str, typer.Option("--title", help="Registro pavadinimas")],
        case_index: Annotated[
            str, typer.Option("--case-index", help="Bylos indeksas, pvz., „3.4“")
        ],
        number_format: Annotated[
            str, typer.Option("--number-format", help="Numerio formatas: {code}, {seq}, {year}")
        ] = admin.DEFAULT_FORMAT,
    ) -> None:
        """Pridėti naują registrą."""
        with session() as s:
            register = admin.add_register(
                s,
                ACTOR,
                code=code,
                title=title,
                case_index=case_index,
                number_format=number_format,
            )
        err.print(
            f"Pridėtas registras „{register.code}“ ({register.title}), byla {register.case_index}."
        )

    @app.command("rename")
    def rename_cmd(
        code: Annotated[str, typer.Argument(help="Registro kodas")],
        title: Annotated[str, typer.Option("--title", help="Naujas pavadinimas")],
    ) -> None:
        """Pervadinti registrą (kodas ir numeriai nesikeičia)."""
        with session() as s:
            register = admin.change_register(s, ACTOR, code, admin.RegisterChange(title=title))
        err.print(f"Registras „{register.code}“ pervadintas: {register.title}.")

    return app
