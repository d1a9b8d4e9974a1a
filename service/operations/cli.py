"""`bylos backup --to DIR` and `bylos restore --from DIR`, with progress and a Lithuanian report.

Backup works while `bylos serve` runs on the same data dir (it attaches to the server's embedded
SeaweedFS and reads the database online); restore needs empty targets and no server.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Protocol

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from service.audit.log import Actor
from service.bootstrap import standalone_runtime
from service.errors import ServiceError
from service.operations.backup import BackupReportOut, run_backup
from service.operations.restore import RestoreRefused, RestoreReport, run_restore
from service.settings import Components
from storage.objectstore import ObjectStore

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

PHASES = {
    "database": "Duomenų bazės kopija",
    "listing": "Saugyklos versijų sąrašas",
    "objects": "Failai",
    "manifest": "Įrašoma į diską, rašomas aprašas",
    "verify": "Tikrinama kopija",
    "fixity": "Vientisumo patikra",
    "store": "Paleidžiama saugykla",
    "stop": "Stabdoma saugykla",
}


class CliSettings(Protocol):
    def components(self) -> Components: ...


class _RichProgress:
    """Adapts the operations' progress calls to one rich progress bar per phase."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def phase(self, name: str, total: int | None) -> None:
        if self._task is not None:
            self._progress.update(self._task, visible=False)
        self._task = self._progress.add_task(PHASES.get(name, name), total=total)

    def advance(self, amount: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(binary_units=True),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def _mib(amount: int) -> str:
    return f"{amount / 1024 / 1024:.1f} MiB"


def print_backup(report: BackupReportOut) -> None:
    out.print(
        f"Atsarginė kopija baigta: {report.target}\n"
        f"  versijų: {report.versions}, failų: {report.files} ({_mib(report.bytes_total)})\n"
        f"  nukopijuota dabar: {report.files_copied} failų, {_mib(report.bytes_copied)} "
        f"(saugyklos failai {_mib(report.object_bytes_copied)}, duomenų bazė "
        f"{_mib(report.database_bytes)})\n"
        f"  aprašo SHA-256: {report.manifest_sha256}"
    )
    for warning in report.warnings:
        out.print(f"  [yellow]Įspėjimas:[/yellow] {warning}")


def print_restore(report: RestoreReport) -> None:
    fixity = report.fixity
    out.print(
        f"Atkurta versijų: {report.versions} (užraktų COMPLIANCE: {report.locks_applied}, "
        f"pasibaigusių užraktų: {report.locks_expired}, teisinių sulaikymų: "
        f"{report.legal_holds}, trynimo žymių: {report.delete_markers})."
    )
    if report.voided_reservations:
        out.print(
            f"Anuliuota kopijos metu rezervuotų numerių: {report.voided_reservations} "
            "(jie nebus naudojami pakartotinai)."
        )
    ok = "[green]tvarkinga[/green]"
    bad = "[red]PAŽEISTA[/red]"
    out.print(
        f"Audito žurnalo grandinė: {ok if report.audit_ok else bad} "
        f"(įvykių: {report.audit_events}"
        + (
            f", pirmas netinkamas Nr. {report.audit_first_broken}"
            if report.audit_first_broken
            else ""
        )
        + "); grandinės galas "
        + ("sutampa su kopijos aprašu." if report.audit_head_matches else "[red]NESUTAMPA[/red].")
    )
    out.print(
        f"Vientisumo patikra: {ok if fixity.get('clean') else bad} — patikrinta "
        f"{fixity.get('checked')}, tvarkingi {fixity.get('ok')}, nesutampa "
        f"{len(fixity.get('mismatched', []))}, trūksta {len(fixity.get('missing', []))}, "
        f"be įrašo {len(fixity.get('orphans', []))}, užraktų neatitikimai "
        f"{len(fixity.get('lock_problems', []))}."
    )
    if report.next_numbers:
        out.print(
            "Kiti numeriai: " + ", ".join(f"{k}: {v}" for k, v in report.next_numbers.items()) + "."
        )
    out.print(
        "[green]Atkūrimas patikrintas: viskas sutampa.[/green]"
        if report.clean
        else "[red]Atkūrimas baigtas, bet patikros rado neatitikimų (žr. aukščiau).[/red]"
    )


def register(app: typer.Typer, settings: Callable[[], CliSettings]) -> None:
    """Add `backup` and `restore` to the `bylos` command; ``settings`` reads the environment."""

    @app.command("backup")
    def backup_cmd(
        to: Annotated[Path, typer.Option("--to", help="Atsarginės kopijos katalogas")],
    ) -> None:
        """Padaryti atsarginę kopiją (duomenų bazė, visos failų versijos, aprašas) veikiant
        tarnybai; vėlesnės kopijos į tą patį katalogą kopijuoja tik naujus failus."""
        config = settings().components()
        try:
            with standalone_runtime(config, converter=False) as runtime:
                store = runtime.store
                assert isinstance(store, ObjectStore)
                with _bar() as bar:
                    report = run_backup(
                        runtime.engine,
                        store,
                        config.database_url,
                        to,
                        Actor(id=None, name="bylos backup"),
                        data_dir=config.data_dir,
                        progress=_RichProgress(bar),
                    )
        except ServiceError as exc:
            err.print(f"[red]Klaida:[/red] {exc.detail}")
            raise typer.Exit(2) from None
        print_backup(report)
        if report.warnings:
            raise typer.Exit(1)

    @app.command("restore")
    def restore_cmd(
        source: Annotated[Path, typer.Option("--from", help="Atsarginės kopijos katalogas")],
    ) -> None:
        """Atkurti Bylas iš atsarginės kopijos į tuščią duomenų katalogą (ar tuščią išorinę
        saugyklą ir duomenų bazę), tada patikrinti failus ir audito žurnalą."""
        config = settings().components()
        try:
            with _bar() as bar:
                report = run_restore(source, config, progress=_RichProgress(bar))
        except RestoreRefused as exc:
            err.print(f"[red]Atkurti atsisakyta:[/red] {exc.detail}")
            for line in exc.differences:
                err.print(f"  {line}")
            raise typer.Exit(2) from None
        except ServiceError as exc:
            err.print(f"[red]Klaida:[/red] {exc.detail}")
            raise typer.Exit(2) from None
        print_restore(report)
        if not report.clean:
            raise typer.Exit(1)
