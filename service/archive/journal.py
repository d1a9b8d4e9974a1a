"""Journal transfer: the e-journal's own export (any file type, possibly several GB) uploaded by
streaming, hashed on the way, stored under retention, registered in register DP with a PDF/A
cover record stating its SHA-256.

Memory stays bounded: the body is read in chunks and spooled to a file under the data dir while
it is hashed; only a complete upload (Content-Length and, if sent, X-Content-SHA256 match) is
stored. The object is written unlocked, the cover is registered, then the lock is set; if the
cover cannot be registered the object is deleted, so a broken upload leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from anyio import to_thread
from pydantic import BaseModel
from sqlmodel import Session
from starlette.requests import ClientDisconnect, Request

from service.documents.events import record_document_event
from service.documents.hooks import Prepared
from service.documents.kinds import kind_or_404
from service.documents.models import Document, JournalFile
from service.errors import InvalidPayload
from service.runtime import Runtime
from service.school_year.calendar import parse_school_year, school_year_of
from service.stored_files import store_errors
from service.timeutil import today_vilnius
from service.users.models import User
from storage.errors import StorageError
from storage.objectstore import MAX_SINGLE_PUT

log = logging.getLogger("bylos.journal")

_BATCH = 1 << 20


def _check_school_year(value: str) -> str:
    try:
        parse_school_year(value)
    except ValueError:
        raise InvalidPayload(
            f"„school_year“: laukiama, pvz., „2025-2026“; gauta „{value}“."
        ) from None
    return value


def _clean_name(name: str) -> str:
    cleaned = Path(name.replace("\\", "/")).name.strip()
    if not cleaned or len(cleaned) > 200:
        raise InvalidPayload("„filename“: nurodykite įkeliamo failo pavadinimą (iki 200 simbolių).")
    return cleaned


class _Spool:
    """A temporary file under the data dir that hashes what is written to it."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.file: BinaryIO = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.file.write(data)
        self.size += len(data)

    def close(self) -> None:
        self.file.close()


async def _receive(request: Request, spool: _Spool) -> None:
    pending = bytearray()
    async for chunk in request.stream():
        pending += chunk
        if len(pending) >= _BATCH:
            block = bytes(pending)
            pending.clear()
            await to_thread.run_sync(spool.write, block)
        if spool.size + len(pending) > MAX_SINGLE_PUT:
            raise InvalidPayload("Failas per didelis: daugiausia 5 GiB.")
    if pending:
        await to_thread.run_sync(spool.write, bytes(pending))


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """The uploaded file as stored (unlocked until its cover is registered)."""

    object_key: str
    object_version_id: str
    file_name: str
    media_type: str
    sha256: str
    size: int


class JournalTransferHooks:
    """The journal transfer's hooks (service/kinds.py): the stored file is recorded with its
    cover, in the cover's own transaction, so a cover never stands without its file's record."""

    def prepare(
        self, session: Session, payload: BaseModel, user: User, attached: object
    ) -> Prepared:
        assert isinstance(attached, StoredUpload)
        return Prepared(state=attached)

    def record(
        self, session: Session, document: Document, payload: BaseModel, user: User, state: Any
    ) -> None:
        assert isinstance(state, StoredUpload)
        session.add(
            JournalFile(
                document_id=document.id,
                file_name=state.file_name,
                media_type=state.media_type,
                object_key=state.object_key,
                object_version_id=state.object_version_id,
                sha256=state.sha256,
                size=state.size,
            )
        )
        record_document_event(
            session,
            user.actor,
            "journal.transferred",
            document,
            file=state.file_name,
            sha256=state.sha256,
            size=state.size,
        )


async def upload(
    request: Request,
    runtime: Runtime,
    user: User,
    data_dir: Path,
    *,
    filename: str,
    school_year: str | None,
    note: str,
) -> dict[str, Any]:
    name = _clean_name(filename)
    year = _check_school_year(school_year or school_year_of(today_vilnius()))
    media_type = (request.headers.get("content-type") or "application/octet-stream").split(";")[0]
    declared = request.headers.get("content-length")
    expected_size: int | None = None
    if declared is not None:
        try:
            expected_size = int(declared)
        except ValueError:
            raise InvalidPayload("Netinkama Content-Length antraštė.") from None
        if expected_size > MAX_SINGLE_PUT:
            raise InvalidPayload("Failas per didelis: daugiausia 5 GiB.")
    expected_sha = (request.headers.get("x-content-sha256") or "").strip().lower() or None
    spec = kind_or_404(runtime.kinds, "journal-transfer")

    spool = _Spool(data_dir / "uploads")
    try:
        try:
            await _receive(request, spool)
        except ClientDisconnect:
            log.warning("journal upload from user %s broken after %d bytes", user.id, spool.size)
            raise InvalidPayload(
                f"Įkėlimas nutrūko (gauta {spool.size} baitų): niekas neužregistruota."
            ) from None
        sha = spool.digest.hexdigest()
        if expected_size is not None and spool.size != expected_size:
            raise InvalidPayload(
                f"Įkėlimas nutrūko: gauta {spool.size} iš {expected_size} baitų. "
                "Niekas neužregistruota; įkelkite failą iš naujo."
            )
        if expected_sha is not None and expected_sha != sha:
            raise InvalidPayload(
                "Gauto failo SHA-256 nesutampa su nurodytu X-Content-SHA256: failas sugadintas "
                "perduodant. Niekas neužregistruota."
            )
        if spool.size == 0:
            raise InvalidPayload("Įkeltas failas tuščias.")
        return await to_thread.run_sync(
            _store_and_register, runtime, user, spec, spool, sha, name, media_type, year, note
        )
    finally:
        spool.close()


def _store_and_register(
    runtime: Runtime,
    user: User,
    spec: Any,
    spool: _Spool,
    sha: str,
    name: str,
    media_type: str,
    school_year: str,
    note: str,
) -> dict[str, Any]:
    """Store the spooled file, register its cover, then lock the file: in that order, so a
    failure before the cover leaves nothing behind and one after it leaves both, named."""
    today = today_vilnius()
    upload = _store_unlocked(runtime, spool, sha, name, media_type, key=_object_key(today))
    payload = {
        "school_year": school_year,
        "file_name": name,
        "media_type": media_type,
        "size": spool.size,
        "sha256": sha,
        "transferred_on": today.isoformat(),
        "transferred_by": {"name": user.name, "position": user.position},
        "note": note,
    }
    cover = _register_cover(runtime, spec, payload, user, upload)
    lock_problem = _lock(runtime, upload, cover)
    return {
        "document_id": cover.id,
        "number": cover.number,
        "file": {"name": name, "media_type": media_type, "size": spool.size, "sha256": sha},
        "cover": {"sha256": cover.sha256, "size": cover.size},
        "retention": {"rule": cover.retention_rule, "locked_until": cover.lock_until.isoformat()},
        "lock_problem": lock_problem,
    }


def _object_key(today: dt.date) -> str:
    return f"{today.year}/DP/journal-{uuid.uuid4()}"


def _store_unlocked(
    runtime: Runtime, spool: _Spool, sha: str, name: str, media_type: str, *, key: str
) -> StoredUpload:
    """Put the spool in the store without a lock (its term is the cover's, not known yet) and
    check that the store holds the very bytes that were hashed on the way in."""
    spool.file.seek(0)
    with store_errors():
        stored = runtime.store.put_stream(
            key,
            spool.file,
            spool.size,
            retain_until=None,
            content_type=media_type,
            metadata={"sha256-declared": sha},
        )
    if stored.sha256 != sha:
        _discard(runtime, key, stored.version_id)
        raise InvalidPayload("Failas pasikeitė įrašant į saugyklą; niekas neužregistruota.")
    return StoredUpload(
        object_key=key,
        object_version_id=stored.version_id,
        file_name=name,
        media_type=media_type,
        sha256=sha,
        size=spool.size,
    )


def _register_cover(
    runtime: Runtime, spec: Any, payload: dict[str, Any], user: User, upload: StoredUpload
) -> Document:
    try:
        # The file's record and its audit event commit with the cover (JournalTransferHooks).
        cover: Document = runtime.issuer.issue(spec, payload, user, attached=upload).document
    except BaseException:
        # Not registered: the still unlocked upload must not stay behind as an orphan.
        _discard(runtime, upload.object_key, upload.object_version_id)
        raise
    return cover


def _lock(runtime: Runtime, upload: StoredUpload, cover: Document) -> str | None:
    """Lock the file until the cover's term; what went wrong, if it could not be locked."""
    try:
        runtime.store.extend_retention(
            upload.object_key, upload.object_version_id, cover.lock_until
        )
    except StorageError as exc:
        # The cover is registered and names the file: keep both; fixity reports the lock.
        log.exception(
            "could not lock the journal file %s@%s", upload.object_key, upload.object_version_id
        )
        return f"Failo užrakinti nepavyko ({type(exc).__name__}); kartokite patikrą."
    return None


def _discard(runtime: Runtime, key: str, version_id: str) -> None:
    try:
        runtime.store.delete_version(key, version_id)
    except StorageError:
        log.exception("could not remove the unregistered upload %s@%s", key, version_id)
