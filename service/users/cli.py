"""`bylos users ...`: accounts at the server's console (list, deactivate, reactivate, reset a
password, list, issue and revoke tokens).

Passwords never travel on the command line (other users see it in `ps`, the shell keeps it in
its history): ``--password -`` reads one line from standard input, otherwise BYLOS_PASSWORD or
an interactive prompt supplies it; a literal value is refused with a message saying how.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from sqlmodel import Session

from service.db import make_engine, migrate, session_scope
from service.errors import InvalidPayload, NotFound, ServiceError
from service.users import accounts
from service.users.models import User

err = Console(stderr=True)
PASSWORD_ENV = "BYLOS_PASSWORD"
LITERAL_REFUSED = (
    "Slaptažodžio komandų eilutėje rašyti negalima (jį mato kiti kompiuterio naudotojai ir "
    "išsaugo komandų istorija). Naudokite „--password -“ ir pateikite jį standartine įvestimi "
    "(pvz., `printf '%s\\n' \"$SLAPTAZODIS\" | bylos users add ... --password -`), nustatykite "
    "aplinkos kintamąjį BYLOS_PASSWORD arba praleiskite --password ir įveskite jį paklausus."
)


def read_password(option: str | None) -> str:
    """The password from stdin (``-``), BYLOS_PASSWORD or a prompt; a literal is refused."""
    if option is not None and option != "-":
        err.print(f"[red]Klaida:[/red] {LITERAL_REFUSED}")
        raise typer.Exit(2)
    if option == "-":
        line = sys.stdin.readline()
        secret = line.rstrip("\r\n")
    elif os.environ.get(PASSWORD_ENV):
        secret = os.environ[PASSWORD_ENV]
    elif sys.stdin.isatty():
        secret = getpass.getpass("Slaptažodis: ")
        if getpass.getpass("Pakartokite slaptažodį: ") != secret:
            err.print("[red]Klaida:[/red] slaptažodžiai nesutampa. Nieko nepakeista.")
            raise typer.Exit(2)
    else:
        err.print(
            "[red]Klaida:[/red] slaptažodis nepateiktas: naudokite „--password -“ (standartinė "
            "įvestis) arba aplinkos kintamąjį BYLOS_PASSWORD."
        )
        raise typer.Exit(2)
    if not secret:
        err.print("[red]Klaida:[/red] slaptažodis tuščias. Nieko nepakeista.")
        raise typer.Exit(2)
    return secret


TOKEN_ENV = "BYLOS_TOKEN"


def read_token(option: str | None) -> str:
    """An API token from stdin (``-``) or BYLOS_TOKEN; a literal on the command line is refused."""
    if option is not None and option != "-":
        err.print(
            "[red]Klaida:[/red] prieigos rakto komandų eilutėje rašyti negalima (jį mato kiti "
            "kompiuterio naudotojai ir išsaugo komandų istorija). Naudokite „--token -“ ir "
            "pateikite jį standartine įvestimi arba nustatykite aplinkos kintamąjį BYLOS_TOKEN."
        )
        raise typer.Exit(2)
    secret = sys.stdin.readline().strip() if option == "-" else os.environ.get(TOKEN_ENV, "")
    if not secret:
        err.print(
            "[red]Klaida:[/red] prieigos raktas nepateiktas: naudokite „--token -“ "
            "(standartinė įvestis) arba aplinkos kintamąjį BYLOS_TOKEN."
        )
        raise typer.Exit(2)
    return secret


def password_for(login: str | None, option: str | None) -> str | None:
    """A new account's password: asked for only when it gets a login."""
    if login is not None:
        return read_password(option)
    if option is not None:
        err.print("[red]Klaida:[/red] slaptažodis nurodomas tik kartu su --login.")
        raise typer.Exit(2)
    return None


def _find(session: Session, who: str) -> User:
    """A person by their number or login."""
    user = accounts.by_number_or_login(session, who)
    if user is None:
        raise NotFound(f"Naudotojas „{who}“ nerastas (nurodykite numerį arba prisijungimo vardą).")
    return user


Who = Annotated[str, typer.Argument(help="Naudotojo numeris arba prisijungimo vardas")]


def register(users_app: typer.Typer, database_url: Callable[[], str]) -> None:
    def run(work: Callable[[Session], str | None]) -> None:
        engine = make_engine(database_url())
        try:
            migrate(engine)
            with session_scope(engine) as session:
                out = work(session)
        except ServiceError as exc:
            err.print(f"[red]Klaida:[/red] {exc.detail}")
            raise typer.Exit(2) from None
        finally:
            engine.dispose()
        if out:
            sys.stdout.write(out + "\n")

    @users_app.command("list")
    def users_list() -> None:
        """Naudotojai: numeris, prisijungimo vardas, vaidmenys, būsena."""

        def work(session: Session) -> str:
            rows = accounts.people_by_number(session)
            return "\n".join(
                f"{u.id}\t{u.login or '—'}\t{u.name}\t{u.roles}\t"
                f"{'aktyvus' if u.active else 'išjungtas'}"
                for u in rows
            )

        run(work)

    @users_app.command("deactivate")
    def users_deactivate(who: Who) -> None:
        """Išjungti paskyrą: jos sesijos baigiamos, prieigos raktai nebepriimami."""

        def work(session: Session) -> None:
            user = _find(session, who)
            assert user.id is not None
            accounts.deactivate(session, None, user.id)
            err.print(f"Naudotojas „{user.name}“ (Nr. {user.id}) išjungtas.")

        run(work)

    @users_app.command("reactivate")
    def users_reactivate(who: Who) -> None:
        """Vėl įjungti išjungtą paskyrą."""

        def work(session: Session) -> None:
            user = _find(session, who)
            assert user.id is not None
            accounts.reactivate(session, None, user.id)
            err.print(f"Naudotojas „{user.name}“ (Nr. {user.id}) vėl įjungtas.")

        run(work)

    @users_app.command("password")
    def users_password(
        who: Who,
        password: Annotated[
            str | None,
            typer.Option(
                "--password",
                help="„-“: iš standartinės įvesties; kitaip – iš BYLOS_PASSWORD arba paklausiama",
            ),
        ] = None,
    ) -> None:
        """Nustatyti naują slaptažodį (pamirštam); visos naudotojo sesijos baigiamos."""
        secret = read_password(password)

        def work(session: Session) -> None:
            user = _find(session, who)
            assert user.id is not None
            accounts.reset_password(session, None, user.id, secret)
            err.print(f"Naudotojo „{user.name}“ slaptažodis pakeistas, sesijos baigtos.")

        run(work)

    @users_app.command("tokens")
    def users_tokens(who: Who) -> None:
        """Naudotojo prieigos raktai (numeris, išdavimo laikas, atšaukimo laikas)."""

        def work(session: Session) -> str:
            user = _find(session, who)
            assert user.id is not None
            return "\n".join(
                f"{t.id}\t{t.created_at.isoformat(timespec='seconds')}\t"
                f"{t.revoked_at.isoformat(timespec='seconds') if t.revoked_at else 'galioja'}"
                for t in accounts.tokens_of(session, user.id)
            )

        run(work)

    @users_app.command("token")
    def users_token(who: Who) -> None:
        """Išduoti naują prieigos raktą; jis išvedamas vieną kartą (standartinė išvestis)."""

        def work(session: Session) -> str:
            user = _find(session, who)
            assert user.id is not None
            return accounts.issue_token_for(session, None, user.id)

        run(work)

    @users_app.command("revoke-token")
    def users_revoke(
        token_id: Annotated[
            int, typer.Argument(help="Prieigos rakto numeris (bylos users tokens)")
        ],
    ) -> None:
        """Atšaukti prieigos raktą: nuo šiol jis nebepriimamas."""

        def work(session: Session) -> None:
            if token_id < 1:
                raise InvalidPayload("Prieigos rakto numeris turi būti teigiamas.")
            token = accounts.revoke_token(session, None, token_id)
            err.print(f"Prieigos raktas Nr. {token.id} atšauktas.")

        run(work)
