"""The `bylos` command: serve, manage users, run the database migrations."""

from __future__ import annotations

import logging.config
import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError

from service.archive.cli import register as register_archive_commands
from service.at_rest import private_umask
from service.db import SchemaTooNew, check_schema_not_newer, make_engine, migrate, session_scope
from service.errors import ServiceError
from service.operations.cli import register as register_operations_commands
from service.operations.logs import logging_config
from service.registry.cli import registers_cli
from service.school_profile.cli import register as register_school_commands
from service.school_year.cli import register as register_duties_command
from service.settings import Settings
from service.users.accounts import create_user, issue_token, parse_roles
from service.users.cli import password_for, read_token
from service.users.cli import register as register_user_commands

app = typer.Typer(help="Bylos: mokyklos dokumentų registravimo ir saugojimo tarnyba.")
users_app = typer.Typer(help="Naudotojai ir jų prieigos raktai.")
app.add_typer(users_app, name="users")
register_archive_commands(app, Settings)
app.add_typer(registers_cli(lambda: Settings().resolved_database_url), name="registers")
register_duties_command(app, lambda: Settings().resolved_database_url)
register_operations_commands(app, Settings)
register_user_commands(users_app, lambda: Settings().resolved_database_url)
register_school_commands(app, lambda: Settings().resolved_database_url, lambda: Settings().school)
err = Console(stderr=True)


@app.command()
def serve() -> None:
    """Paleisti tarnybą (HTTP) su įtaisyta saugykla ir konverteriu."""
    from service.app import create_app

    settings = Settings()
    log_config = logging_config(settings.log_format)
    logging.config.dictConfig(log_config)
    _refuse_newer_schema(settings)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level="info",
        # Uvicorn's access line carries the query string (pupils' names in q=); Bylos writes
        # its own without it (service/access_log.py).
        access_log=False,
        log_config=log_config,
        # Bylos reads X-Forwarded-For itself, and only from BYLOS_TRUSTED_PROXIES
        # (service/web/throttle.py); uvicorn would believe any loopback peer's.
        proxy_headers=False,
        # Uvicorn turns SIGTERM and Ctrl-C into a lifespan shutdown, which stops SeaweedFS and
        # the LibreOffice workers before the process exits.
        timeout_graceful_shutdown=20,
    )


def _refuse_newer_schema(settings: Settings) -> None:
    """Stop before serving when a newer Bylos has migrated the database (a clear message instead
    of a failed start-up deep in a traceback)."""
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return
    engine = make_engine(settings.resolved_database_url)
    try:
        with engine.connect() as conn:
            check_schema_not_newer(conn)
    except SchemaTooNew as exc:
        err.print(f"[red]Tarnyba nepaleista:[/red] {exc.detail}")
        raise typer.Exit(3) from None
    except OperationalError:
        return  # unreachable now: the start-up reports it in its own words
    finally:
        engine.dispose()


@app.command("migrate")
def migrate_cmd() -> None:
    """Atnaujinti duomenų bazės schemą."""
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    try:
        migrate(engine)
    except SchemaTooNew as exc:
        err.print(f"[red]Klaida:[/red] {exc.detail}")
        raise typer.Exit(3) from None
    finally:
        engine.dispose()
    err.print("Duomenų bazės schema atnaujinta.")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Option("--name", help="Vardas ir pavardė")],
    position: Annotated[str, typer.Option("--position", help="Pareigos")],
    role: Annotated[list[str], typer.Option("--role", help="Vaidmuo (galima kartoti)")],
    login: Annotated[str | None, typer.Option("--login", help="Prisijungimo vardas")] = None,
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="„-“: slaptažodis iš standartinės įvesties; kitaip – iš BYLOS_PASSWORD arba "
            "paklausiama (slaptažodžio komandų eilutėje rašyti negalima)",
        ),
    ] = None,
    with_pledge: Annotated[
        bool, typer.Option("--with-pledge", help="Įregistruoti konfidencialumo pasižadėjimą")
    ] = False,
    token: Annotated[bool, typer.Option("--token", help="Išduoti API prieigos raktą")] = False,
) -> None:
    """Sukurti naudotoją; su --token paskutinė eilutė yra jo API prieigos raktas."""
    secret = password_for(login, password)
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
                password=secret,
            )
            api_token = issue_token(session, user) if token else None
    except ServiceError as exc:
        err.print(f"[red]Klaida:[/red] {exc.detail}")
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    err.print(f"Sukurtas naudotojas „{user.name}“ (Nr. {user.id}), vaidmenys: {user.roles}.")
    if with_pledge:
        from service.bootstrap import register_pledge

        assert user.id is not None
        try:
            number = register_pledge(settings.components(), user.id)
        except ServiceError as exc:
            # The account exists but the gate stays shut: no token, a non-zero exit.
            err.print(
                f"[red]Klaida:[/red] konfidencialumo pasižadėjimo įregistruoti nepavyko: "
                f"{exc.detail} Naudotojas Nr. {user.id} sukurtas be pasižadėjimo; jį galima "
                "įregistruoti vėliau (POST /api/documents/confidentiality-pledge su user_id)."
            )
            raise typer.Exit(3) from None
        err.print(f"Įregistruotas konfidencialumo pasižadėjimas Nr. {number}.")
    if api_token:
        sys.stdout.write(api_token + "\n")


@app.command("issue")
def issue_cmd(
    kind: Annotated[str, typer.Argument(help="Dokumento rūšis, pvz., progress-report")],
    source: Annotated[
        Path, typer.Option("--from", help="Aplankas su JSON/XLSX/CSV arba vienas failas")
    ],
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="„-“: API prieigos raktas iš standartinės įvesties; kitaip – iš BYLOS_TOKEN "
            "(rakto komandų eilutėje rašyti negalima)",
        ),
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Tarnybos adresas (numatytasis – vietinis)")
    ] = None,
    parallel: Annotated[int, typer.Option("--parallel", min=1, max=16)] = 8,
) -> None:
    """Išduoti daug dokumentų per veikiančią tarnybą: eiga ir suvestinė lentelė."""
    from service.documents.bulk_client import issue_from

    secret = read_token(token)
    settings = Settings()
    base = url or f"http://{settings.http_host}:{settings.http_port}"
    failed = issue_from(kind, source, base_url=base, token=secret, parallel=parallel)
    raise typer.Exit(1 if failed else 0)


def main() -> None:
    # Everything Bylos writes (database, keys, the store's files, converter profiles) is the
    # service account's alone; at_rest.tighten fixes what an older install left readable.
    private_umask()
    app()
