"""The service's components outside the HTTP server, for commands that must issue documents
(``bylos users add --with-pledge``).

The CLI builds what the app builds: engine (migrated, default registers), object store and a
converter pool of one worker. The embedded SeaweedFS is the one subtle part: only one process
may run it on a data dir (storage/seaweed.py locks it). When ``bylos serve`` already runs on the
same BYLOS_DATA_DIR, the CLI attaches to that running SeaweedFS as a client, using the port and
credentials files the server's SeaweedFS keeps under ``<data dir>/seaweedfs`` (owner-only);
otherwise it starts SeaweedFS itself for the duration of the command. Either way the document
goes through the same Issuer as over HTTP: same numbering, same locked storage, same audit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import (
    AbstractContextManager,
    AsyncExitStack,
    ExitStack,
    contextmanager,
    nullcontext,
)
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from retention.rules import RuleSet, default_rules, load_rules
from service.archive.retention_admin import persisted_rules
from service.at_rest import private_umask, tighten
from service.audit import anchors
from service.db import make_engine, migrate, session_scope
from service.documents.issuing import Converter
from service.errors import ConverterUnavailable, StoreUnavailable
from service.kinds import load_kinds
from service.registry.defaults import ensure_default_registers
from service.rendering.pdf import ConverterPool
from service.rendering.queue import ConversionQueue
from service.runtime import Runtime
from service.school_profile.profile import in_force as school_in_force
from service.settings import Components
from service.stored_files import store_errors
from storage.errors import LaunchFailed
from storage.objectstore import ObjectStore
from storage.seaweed import EmbeddedSeaweed


def _running_seaweed(seaweed_dir: Path) -> tuple[str, str, str] | None:
    """Endpoint and keys of the SeaweedFS a running server started on this data dir."""
    try:
        ports = json.loads((seaweed_dir / "ports.json").read_text())
        identities = json.loads((seaweed_dir / "s3-identities.json").read_text())
        credentials = identities["identities"][0]["credentials"][0]
        return f"127.0.0.1:{int(ports['s3'])}", credentials["accessKey"], credentials["secretKey"]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None


@dataclass(frozen=True, slots=True)
class OpenedStore:
    """The store the service uses, and the embedded SeaweedFS behind it when this process
    started one (its ``stats()`` count crashes and restarts for health and metrics)."""

    store: ObjectStore
    launcher: EmbeddedSeaweed | None


def open_store(
    config: Components, stack: ExitStack | AsyncExitStack, *, attach_to_running: bool
) -> ObjectStore:
    """The configured S3 server, or the embedded SeaweedFS under the data dir."""
    return start_store(config, stack, attach_to_running=attach_to_running).store


def start_store(
    config: Components, stack: ExitStack | AsyncExitStack, *, attach_to_running: bool
) -> OpenedStore:
    """The configured S3 server, or the embedded SeaweedFS under the data dir (supervised:
    restarted on the same ports and keys if it dies).

    ``attach_to_running``: a command (not the server) may use the SeaweedFS that a running
    server keeps on the same data dir; a second server must fail instead, since its store would
    vanish when the first one stops.
    """
    launcher: EmbeddedSeaweed | None = None
    if config.s3 is not None:
        endpoint, access, secret = config.s3
    else:
        seaweed_dir = config.data_dir / "seaweedfs"
        try:
            launcher = stack.enter_context(EmbeddedSeaweed(seaweed_dir))
            endpoint = launcher.endpoint
            access, secret = launcher.access_key, launcher.secret_key
        except LaunchFailed as exc:
            running = _running_seaweed(seaweed_dir) if attach_to_running else None
            if running is None:
                raise StoreUnavailable(
                    f"Nepavyko paleisti įtaisytos saugyklos ({seaweed_dir}): "
                    "ar tame pačiame duomenų kataloge jau veikia kita Bylos tarnyba?"
                ) from exc
            endpoint, access, secret = running
    store = ObjectStore(
        endpoint=endpoint,
        access_key=access,
        secret_key=secret,
        bucket=config.bucket,
        secure=config.s3_secure,
        timeout_s=config.s3_timeout_s,
        # While the supervisor restarts weed, work that needs the store is refused at once.
        health=launcher.check_alive if launcher is not None else None,
    )
    stack.callback(store.close)
    with store_errors():
        store.ensure_bucket()
    return OpenedStore(store=store, launcher=launcher)


def prepared_engine(config: Components, stack: ExitStack | AsyncExitStack) -> Engine:
    """The database, migrated, with the default registers present; the data dir owner-only."""
    private_umask()
    tighten(config.data_dir)
    engine = make_engine(config.database_url)
    stack.callback(engine.dispose)
    migrate(engine)
    with session_scope(engine) as session:
        ensure_default_registers(session)
    return engine


def rules_in_force(engine: Engine, rules_file: Path | None) -> RuleSet:
    """The archivist's saved rule set once there is one, else the file or the shipped defaults."""
    saved = persisted_rules(engine)
    if saved is not None:
        return saved
    return load_rules(rules_file) if rules_file else default_rules()


class NoConverter:
    """For commands that never render documents (fixity, export, audit)."""

    def convert_to_pdfa(self, docx: bytes) -> bytes:
        raise ConverterUnavailable("Komandinėje eilutėje šie dokumentai negeneruojami.")

    def ping(self) -> None:
        return None

    def reserve(self, owner: str) -> AbstractContextManager[None]:
        return nullcontext()


@contextmanager
def standalone_runtime(config: Components, *, converter: bool = True) -> Iterator[Runtime]:
    """The components of the app, for one command; everything is stopped on exit."""
    with ExitStack() as stack:
        engine = prepared_engine(config, stack)
        store = open_store(config, stack, attach_to_running=True)
        pool: Converter = NoConverter()
        if converter:
            workers = stack.enter_context(
                ConverterPool(
                    size=1,
                    uno_python_bin=config.uno_bin,
                    # Its own directory: a running server's workers keep theirs.
                    work_dir=config.data_dir / "converter-cli",
                    timeout_s=config.converter_timeout_s,
                )
            )
            pool = stack.enter_context(
                ConversionQueue(
                    workers,
                    batching=config.converter_batching,
                    max_batch=config.converter_batch_max,
                    max_batch_bytes=config.converter_batch_max_kib * 1024,
                )
            )
        # A command's fixity run, closing or disposal is anchored as the server's would be.
        stack.callback(
            anchors.install(
                engine, store, anchors.AnchorPolicy(retention_years=config.anchor_retention_years)
            )
        )
        yield Runtime(
            engine=engine,
            store=store,
            converter=pool,
            rules=rules_in_force(engine, config.rules_file),
            school=school_in_force(engine, config.school),
            kinds=load_kinds(),
            records=config.records,
        )


def register_pledge(config: Components, user_id: int) -> str:
    """Issue and register the confidentiality pledge of user ``user_id``; returns its number.

    The person registers their own pledge (they are its issuer), which is what the pledge gate
    allows someone without one; the operator at the machine stands in for the office.
    """
    from service.documents.models import Document
    from service.timeutil import today_vilnius
    from service.users.models import User
    from service.users.pledge import PLEDGE_KIND

    with standalone_runtime(config) as runtime:
        with session_scope(runtime.engine) as session:
            user = session.get(User, user_id)
            assert user is not None
            session.expunge(user)
        payload = {
            "person": {"name": user.name, "position": user.position},
            "date": today_vilnius().isoformat(),
            "user_id": user_id,
        }
        issued = runtime.issuer.issue(runtime.kinds[PLEDGE_KIND], payload, user)
        document: Document = issued.document
        return document.number
