"""The `bylos` command: serve, manage users, run the database migrations."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from service.db import make_engine, migrate, session_scope
from service.errors import ServiceError
from service.settings import Settings
from service.users.accounts import create_user, issue_token, parse_roles

app = typer.Typer(help="Bylos: mokyklos dokumentų registravimo ir saugojimo tarnyba.")
users_app = typer.Typer(help="Naudotojai ir jų prieigos raktai.")
app.add_typer(users_app, name="users")
err = Console(stderr=True)


@app.command()
def serve() -> None:
    """Paleisti tarnybą (HTTP) su įtaisyta saugykla ir konverteriu."""
    from service.app import create_app

    settings = Settings()
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level="info",
        # Uvicorn turns SIGTERM and Ctrl-C into a lifespan shutdown, which stops SeaweedFS and
        # the LibreOffice workers before the process exits.
        timeout_graceful_shutdown=20,
    )


@app.command("migrate")
def migrate_cmd() -> None:
    """Atnaujinti duomenų bazės schemą."""
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(make_engine(settings.resolved_database_url))
    err.print("Duomenų bazės schema atnaujinta.")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Option("--name", help="Vardas ir pavardė")],
    position: Annotated[str, typer.Option("--position", help="Pareigos")],
    role: Annotated[list[str], typer.Option("--role", help="Vaidmuo (galima kartoti)")],
    login: Annotated[str | None, typer.Option("--login", help="Prisijungimo vardas")] = None,
    password: Annotated[str | None, typer.Option("--password", help="Slaptažodis")] = None,
    with_pledge: Annotated[
        bool, typer.Option("--with-pledge", help="Įregistruoti konfidencialumo pasižadėjimą")
    ] = False,
    token: Annotated[bool, typer.Option("--token", help="Išduoti API prieigos raktą")] = False,
) -> None:
    """Sukurti naudotoją; su --token paskutinė eilutė yra jo API prieigos raktas."""
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    try:
        migrate(engine)
        with session_scope(engine) as session:
            user = create_user(
                session,
                name=name,
                position=position,
                roles=parse_roles(role),
                login=login,
                password=password,
            )
            api_token = issue_token(session, user) if token else None
    except ServiceError as exc:
        err.print(f"[red]Klaida:[/red] {exc.detail}")
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    err.print(f"Sukurtas naudotojas „{user.name}“ (Nr. {user.id}), vaidmenys: {user.roles}.")
    if with_pledge:
        # The pledge document kind arrives with the seed's documents; until then the person is
        # created without one and told so plainly rather than refused.
        err.print(
            "[yellow]Įspėjimas:[/yellow] konfidencialumo pasižadėjimas NEĮREGISTRUOTAS: "
            "pasižadėjimų registravimas dar neįdiegtas."
        )
    if api_token:
        sys.stdout.write(api_token + "\n")


def main() -> None:
    app()
