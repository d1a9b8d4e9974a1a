"""`bylos fixity`, `bylos audit verify|anchor`, `bylos export`, `bylos retention ...`: the
archivist's commands, run against the same data dir, database and store as the server.

With the embedded store, the server holds SeaweedFS's data dir; store commands then ask for the
server to be stopped (or an external store, BYLOS_S3_ENDPOINT, to be configured).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated, Protocol

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from sqlalchemy.engine import Engine

from retention.rules import RuleSet
from service.archive import fixity, retention_admin
from service.audit import anchors
from service.audit import log as audit
from service.books import export
from service.bootstrap import prepared_engine, rules_in_force, standalone_runtime
from service.errors import ServiceError, StoreUnavailable
from service.runtime import Runtime
from service.settings import Components

out = Console()
err = Console(stderr=True)

audit_app = typer.Typer(help="Audito žurnalas.")
retention_app = typer.Typer(help="Saugojimo terminų taisyklės.")


class CliSettings(Protocol):
    """What these commands read of the service's settings (handed in by ``service/cli.py``)."""

    def components(self) -> Components: ...


# Set by register(): only the command's edge reads the environment (design.md).
_settings: Callable[[], CliSettings] | None = None


def _read_settings() -> CliSettings:
    assert _settings is not None, "register() was not called"
    return _settings()


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]Klaida:[/red] {message}")
    return typer.Exit(2)


@contextmanager
def _runtime(*, converter: bool = False) -> Iterator[Runtime]:
    config = _read_settings().components()
    try:
        with standalone_runtime(config, converter=converter) as runtime:
            yield runtime
    except StoreUnavailable as exc:
        raise _fail(exc.detail) from None


@contextmanager
def _database() -> Iterator[tuple[Engine, RuleSet]]:
    """For commands that read only the database (no store, no converter)."""
    config = _read_settings().components()
    with ExitStack() as stack:
        engine = prepared_engine(config, stack)
        yield engine, rules_in_force(engine, config.rules_file)


def fixity_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Ataskaita JSON formatu")] = False,
) -> None:
    """Perskaityti visus saugomus failus ir patikrinti jų SHA-256, užraktus ir likučius."""
    with _runtime() as runtime:
        progress = Progress(
            TextColumn("Tikrinama"),
            BarColumn(),
            DownloadColumn(binary_units=True),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=err,
        )
        task = progress.add_task("fixity", total=None)

        def on_start(objects: int, total_bytes: int) -> None:
            progress.update(task, total=total_bytes)

        with progress:
            report = fixity.run(
                runtime.engine,
                runtime.store,
                audit.Actor(id=None, name="bylos fixity"),
                progress=lambda n: progress.advance(task, n),
                on_start=on_start,
            )
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    out.print(
        f"Patikrinta objektų: {report['checked']}, tvarkingi: {report['ok']}, "
        f"nesutampa: {len(report['mismatched'])}, trūksta: {len(report['missing'])}, "
        f"be įrašo: {len(report['orphans'])}, užraktų neatitikimai: "
        f"{len(report['lock_problems'])}."
    )
    for label, key in (
        ("Nesutampa kontrolinė suma", "mismatched"),
        ("Trūksta saugykloje", "missing"),
        ("Užrakto neatitikimas", "lock_problems"),
        ("Objektas be įrašo", "orphans"),
    ):
        for item in report[key]:
            out.print(f"  [red]{label}:[/red] {item.get('number', '')} {item['key']}")
    if not report["clean"]:
        raise typer.Exit(1)


@audit_app.command("verify")
def audit_verify(
    as_json: Annotated[bool, typer.Option("--json", help="Ataskaita JSON formatu")] = False,
) -> None:
    """Perskaičiuoti audito žurnalo grandinę, sutikrinti ją su saugyklos inkarais ir nurodyti
    pirmą pažeistą įvykį."""
    with _runtime() as runtime:
        try:
            report = anchors.verify(runtime.engine, runtime.store)
        except ServiceError as exc:
            raise _fail(exc.detail) from None
    if as_json:
        sys.stdout.write(json.dumps(report.out(), ensure_ascii=False, indent=2) + "\n")
    if report.ok:
        out.print(report.detail())
        return
    out.print(f"[red]{report.detail()}[/red]")
    raise typer.Exit(1)


@audit_app.command("anchor")
def audit_anchor() -> None:
    """Įrašyti audito žurnalo grandinės galvą į saugyklą kaip užrakintą inkarą."""
    config = _read_settings().components()
    with _runtime() as runtime:
        try:
            result = anchors.write_anchor(
                runtime.engine,
                runtime.store,
                anchors.AnchorPolicy(retention_years=config.anchor_retention_years),
                reason="manual",
                by="bylos audit anchor",
            )
        except ServiceError as exc:
            raise _fail(exc.detail) from None
    if not result["written"]:
        out.print(
            "Naujų įvykių nuo paskutinio inkaro nėra"
            + (f" (įvykis Nr. {result['event_id']})." if result["event_id"] else ".")
        )
        return
    last = result["written"][-1]
    out.print(
        f"Inkaras įrašytas: įvykiai iki Nr. {last['event_id']}, užrakinta iki "
        f"{last['lock_until']} ({last['key']})."
    )


def export_cmd(
    year: Annotated[int, typer.Argument(help="Metai, kurių užbaigtos bylos eksportuojamos")],
    to: Annotated[Path, typer.Option("--to", help="Katalogas arba prijungta laikmena")],
    as_zip: Annotated[bool, typer.Option("--zip", help="Papildomai įrašyti ZIP failą")] = False,
) -> None:
    """Įrašyti metų bylų BagIt paketą į katalogą ir jį patikrinti po įrašymo."""
    # The converter prints each case's cover into the bag.
    with _runtime(converter=True) as runtime:
        target = to / export.export_dir_name(runtime.school, year)
        try:
            with err.status("Rengiamas paketas..."):
                bag, summary = export.build_bag(
                    runtime.engine,
                    runtime.store,
                    runtime.school,
                    runtime.rules,
                    year,
                    target,
                    audit.Actor(id=None, name="bylos export"),
                    converter=runtime.converter,
                    records=runtime.records,
                )
            with err.status("Tikrinamas įrašytas paketas..."):
                export.validate(bag)
        except ServiceError as exc:
            raise _fail(exc.detail) from None
    if as_zip:
        zip_path = bag.with_suffix(".zip")
        with zip_path.open("wb") as handle:
            for chunk in export.zip_stream(bag):
                handle.write(chunk)
        out.print(f"ZIP: {zip_path}")
    out.print(
        f"Paketas įrašytas ir patikrintas: {bag} (bylų: {summary['cases']}, "
        f"dokumentų: {summary['documents']}, failų: {summary['files']})."
    )


@retention_app.command("rules")
def retention_rules() -> None:
    """Parodyti galiojančias saugojimo taisykles ir ar jos patvirtintos."""
    with _database() as (_engine, rules):
        data = retention_admin.rules_out(rules)
    table = Table("Taisyklė", "Rodyklė", "Punktas", "Terminas", "Patvirtinta")
    for rule in data["rules"]:
        table.add_row(
            rule["id"],
            rule["index"],
            rule["item"],
            rule["term"],
            "taip" if rule["verified"] else "[red]NE[/red]",
        )
    out.print(table)
    if data["warning"]:
        out.print(f"[yellow]{data['warning']}[/yellow]")


@retention_app.command("import")
def retention_import(
    path: Annotated[Path, typer.Argument(help="Oficiali lentelė: CSV, XLSX arba JSON")],
) -> None:
    """Importuoti oficialią saugojimo terminų lentelę (visos eilutės teisingos arba nieko)."""
    try:
        data = path.read_bytes()
    except OSError:
        raise _fail(f"Failo „{path}“ perskaityti nepavyko.") from None
    with _runtime() as runtime:
        try:
            report = retention_admin.import_table(runtime, data, None)
        except ServiceError as exc:
            raise _fail(exc.detail) from None
    out.print(
        f"Pakeista taisyklių: {len(report['changed'])}, nepakito: {report['unchanged']}, "
        f"perskaičiuota dokumentų: {len(report['documents'])}."
    )
    for item in report["documents"]:
        if "note" in item:
            out.print(f"  {item['number']}: {item['note']}")
    if report["warning"]:
        out.print(f"[yellow]{report['warning']}[/yellow]")


def register(app: typer.Typer, settings: Callable[[], CliSettings]) -> None:
    """Add the archivist's commands to the `bylos` command; ``settings`` reads the environment."""
    global _settings
    _settings = settings
    app.command("fixity")(fixity_cmd)
    app.command("export")(export_cmd)
    app.add_typer(audit_app, name="audit")
    app.add_typer(retention_app, name="retention")
