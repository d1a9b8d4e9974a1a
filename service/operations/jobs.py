"""A backup started from the API or the archivist's page: it runs in a thread of the server
(minutes for a journal-sized store), one at a time, into the directory the operator configured
(BYLOS_BACKUP_DIR). The caller never names a server path: the API cannot be used to write files
anywhere the service's account may write.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from service.errors import Conflict, DependencyUnavailable, ServiceError
from service.operations.backup import run_backup
from service.runtime import Runtime
from service.timeutil import utcnow
from service.users.models import User
from storage.objectstore import ObjectStore

# How long the request waits for the run to record itself (or to be refused at once).
_START_WAIT_S: Final = 30.0

PHASE_TITLES: Final = {
    "starting": "pradedama",
    "database": "kopijuojama duomenų bazė",
    "listing": "sudaromas saugyklos versijų sąrašas",
    "objects": "kopijuojami failai",
    "manifest": "įrašoma į diską ir rašomas aprašas",
}


@dataclass
class BackupJob:
    started_by: str
    started_at: str = field(default_factory=lambda: utcnow().isoformat())
    id: int | None = None
    phase: str = "starting"
    done: int = 0
    total: int | None = None
    error: str | None = None
    finished: bool = False
    report: dict[str, Any] | None = None
    _started: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- the Progress protocol of service.operations.backup --------------------------------

    def set_phase(self, name: str, total: int | None) -> None:
        with self._lock:
            self.phase, self.total, self.done = name, total, 0

    def advance(self, amount: int) -> None:
        with self._lock:
            self.done += amount

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "id": self.id,
                "started_by": self.started_by,
                "started_at": self.started_at,
                "phase": self.phase,
                "phase_title": PHASE_TITLES.get(self.phase, self.phase),
                "done_bytes": self.done,
                "total_bytes": self.total,
                "finished": self.finished,
                "error": self.error,
                "report": self.report,
            }


class _JobProgress:
    def __init__(self, job: BackupJob) -> None:
        self._job = job

    def phase(self, name: str, total: int | None) -> None:
        self._job.set_phase(name, total)

    def advance(self, amount: int) -> None:
        self._job.advance(amount)


class BackupJobs:
    """The server's one running backup and the last finished one (their rows are the record)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current: BackupJob | None = None

    def running(self) -> BackupJob | None:
        with self._lock:
            job = self.current
        return job if job is not None and not job.finished else None

    def start(
        self,
        runtime: Runtime,
        database_url: str,
        target: Path | None,
        data_dir: Path,
        user: User,
    ) -> BackupJob:
        if target is None:
            raise Conflict(
                "Atsarginių kopijų katalogas nenustatytas: administratorius turi nurodyti "
                "BYLOS_BACKUP_DIR (arba daryti kopiją komanda „bylos backup --to KATALOGAS“)."
            )
        store = runtime.store
        if not isinstance(store, ObjectStore):
            raise DependencyUnavailable("Ši objektų saugykla nepalaiko atsarginių kopijų.")
        with self._lock:
            if self.current is not None and not self.current.finished:
                raise Conflict("Atsarginė kopija jau daroma: palaukite, kol ji baigsis.")
            job = BackupJob(started_by=user.name)
            self.current = job

        def on_started(row_id: int) -> None:
            job.id = row_id
            job._started.set()

        def work() -> None:
            try:
                report = run_backup(
                    runtime.engine,
                    store,
                    database_url,
                    target,
                    user.actor,
                    data_dir=data_dir,
                    progress=_JobProgress(job),
                    on_started=on_started,
                )
                job.report = report.model_dump()
            except ServiceError as exc:
                job.error = exc.detail
            except Exception as exc:  # recorded on the run's row too; the thread must end
                job.error = f"Atsarginė kopija nepavyko: {type(exc).__name__}."
            finally:
                job.finished = True
                job._started.set()

        threading.Thread(target=work, name="bylos-backup", daemon=True).start()
        job._started.wait(_START_WAIT_S)
        if job.finished and job.error and job.id is None:
            # Refused before it began (target busy or unusable): say so to the caller now.
            raise Conflict(job.error)
        return job
