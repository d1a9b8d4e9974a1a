"""Embedded SeaweedFS: starts ``weed mini`` (master, volume, filer, S3) on loopback for Bylos.

``weed mini`` is used rather than ``weed server -s3``: on SeaweedFS 4.48 it answered S3 in ~1 s
and exited ~4 s after SIGTERM, against ~3.5 s and ~16 s; both enforce Object Lock COMPLIANCE.
Everything (volumes, filer metadata, identities, keys, logs, chosen ports) lives under
``data_dir``, owner-only: the directory 0700, every file weed or Bylos writes 0600.

The store is sealed: only the S3 gateway, with the service's keys, reaches stored data. The
other ports weed mini opens refuse unauthenticated reads and writes (storage/seaweed_security.py
says how), and the gateways Bylos does not use (WebDAV, the admin UI, Iceberg, Lance) are off.

The launcher supervises what it starts: a weed that dies (a crash, an OOM kill, a SIGKILL) is
restarted on the same ports with the same keys, with back-off, and every crash and restart is
logged and counted (:attr:`EmbeddedSeaweed.crashes`, :attr:`EmbeddedSeaweed.restarts`).
"""

import atexit
import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import urllib3
from minio import Minio
from minio.error import MinioException

from storage.errors import LaunchFailed, StoreUnreachable
from storage.lifecycle import Running
from storage.objectstore import ObjectStore
from storage.process_group import leader_exited, stop_group
from storage.seaweed_security import GrpcClientFiles, ensure_security, write_private

__all__ = ["EmbeddedSeaweed", "SupervisionStats", "find_weed"]

log = logging.getLogger("bylos.store")

# weed mini's admin worker dials the admin gRPC port at HTTP port + 10000 whatever
# -admin.port.grpc says, so every component gets a port whose +10000 twin is free too.
_GRPC_OFFSET: Final = 10_000
_COMPONENTS: Final = ("master", "volume", "filer", "s3", "admin")
_LOG_TAIL_LINES: Final = 40
# Unix socket paths are limited to 108 bytes; longer data dirs keep weed's /tmp default.
_MAX_SOCKET_PATH: Final = 100
# Files weed creates (volumes, filer store, logs, sockets) are the owner's alone.
_UMASK: Final = 0o077
# How often the supervisor looks at its weed; a crash is seen within this.
_WATCH_INTERVAL_S: Final = 0.2
# Every this many watch intervals (5 s) the supervisor tightens new volume info files.
_TIGHTEN_EVERY: Final = 25
# weed rotates its own log files in logs/ at this size, keeping 5 per severity.
_LOG_MAX_MB: Final = 64


def find_weed(explicit: Path | None = None) -> Path:
    """The ``weed`` binary: explicit, next to this Python (the venv's bin), or on PATH."""
    if explicit is not None:
        if not (explicit.is_file() and os.access(explicit, os.X_OK)):
            raise LaunchFailed(f"weed binary {explicit} is missing or not executable")
        return explicit
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("weed")
    if found is None:
        raise LaunchFailed("no weed binary next to the Python interpreter or on PATH")
    return Path(found)


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _free_port_pair(host: str, taken: set[int]) -> int:
    """A free port P with P + 10000 free as well (see _GRPC_OFFSET)."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
        twin = port + _GRPC_OFFSET
        if twin <= 65535 and port not in taken and twin not in taken and _port_free(host, twin):
            return port
    raise LaunchFailed(f"found no free port pair on {host}")


@dataclass(frozen=True, slots=True)
class SupervisionStats:
    """What the supervisor has seen since ``start`` (for logs, health and metrics)."""

    state: str  # "running", "restarting" or "stopped"
    crashes: int
    restarts: int
    last_crash_at: dt.datetime | None
    last_exit_status: int | None


def _log_tail(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(lines[-_LOG_TAIL_LINES:])


class EmbeddedSeaweed(Running):
    """One ``weed mini`` process group serving S3 on ``host``; a context manager.

    The S3 identity (``access_key``/``secret_key``, Admin actions) is written to an ``-s3.config``
    file, so clients authenticate as they would against a production store. Without a
    ``secret_key`` a random one is generated for this instance.

    With ``supervise`` (the default) a watcher thread restarts a weed that exits on its own,
    after ``restart_delay_s``, doubling up to ``max_restart_delay_s`` while restarts fail.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        weed_binary: Path | None = None,
        access_key: str = "bylos",
        secret_key: str | None = None,
        start_timeout_s: float = 60.0,
        stop_grace_s: float = 10.0,
        volume_size_limit_mb: int = 64,
        supervise: bool = True,
        restart_delay_s: float = 0.5,
        max_restart_delay_s: float = 30.0,
    ) -> None:
        self._data_dir = Path(data_dir)
        self._host = host
        self._weed_binary = weed_binary
        self._access_key = access_key
        self._secret_key = secret_key or secrets.token_urlsafe(24)
        self._start_timeout_s = start_timeout_s
        self._stop_grace_s = stop_grace_s
        self._volume_size_limit_mb = volume_size_limit_mb
        self._supervise = supervise
        self._restart_delay_s = restart_delay_s
        self._max_restart_delay_s = max_restart_delay_s
        self._process: subprocess.Popen[bytes] | None = None
        self._command_line: list[str] = []
        self._ports: dict[str, int] = {}
        self._lock_fd: int | None = None
        self._grpc_files: GrpcClientFiles | None = None
        # Serialises start, stop and the supervisor's restarts.
        self._lifecycle = threading.RLock()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None
        self._state = "stopped"
        self._crashes = 0
        self._restarts = 0
        self._last_crash_at: dt.datetime | None = None
        self._last_exit_status: int | None = None

    # -- properties --------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    @property
    def log_path(self) -> Path:
        return self._data_dir / "seaweed.log"

    @property
    def security_dir(self) -> Path:
        """JWT keys, the CA and the component certificates (0700; see seaweed_security)."""
        return self._data_dir / "security"

    @property
    def grpc_client_files(self) -> GrpcClientFiles:
        """The CA and client certificate a gRPC client of this store needs (tests, tools)."""
        if self._grpc_files is None:
            raise LaunchFailed("SeaweedFS is not started")
        return self._grpc_files

    @property
    def endpoint(self) -> str:
        """``host:port`` of the S3 gateway (only while started)."""
        if "s3" not in self._ports:
            raise LaunchFailed("SeaweedFS is not started")
        return f"{self._host}:{self._ports['s3']}"

    @property
    def access_key(self) -> str:
        return self._access_key

    @property
    def secret_key(self) -> str:
        return self._secret_key

    @property
    def pid(self) -> int | None:
        """The weed process id (also its process-group id), or None when stopped."""
        process = self._process
        return process.pid if process is not None else None

    @property
    def crashes(self) -> int:
        """How many times weed exited on its own since ``start``."""
        return self._crashes

    @property
    def restarts(self) -> int:
        """How many of those crashes were followed by a successful restart."""
        return self._restarts

    def stats(self) -> SupervisionStats:
        return SupervisionStats(
            state=self._state,
            crashes=self._crashes,
            restarts=self._restarts,
            last_crash_at=self._last_crash_at,
            last_exit_status=self._last_exit_status,
        )

    def check_alive(self) -> None:
        """Raise StoreUnreachable unless weed runs: a syscall, no request (see ObjectStore).

        Lets the service refuse work that needs the store while the supervisor restarts it,
        before anything (a registry number) is spent on it.
        """
        process = self._process
        if self._state != "running" or process is None or leader_exited(process):
            raise StoreUnreachable(f"embedded SeaweedFS in {self._data_dir} is not running")

    def object_store(self, bucket: str, *, timeout_s: float = 10.0) -> ObjectStore:
        """An ObjectStore on this server (the bucket is not created; call ensure_bucket)."""
        return ObjectStore(
            endpoint=self.endpoint,
            access_key=self._access_key,
            secret_key=self._secret_key,
            bucket=bucket,
            timeout_s=timeout_s,
            health=self.check_alive,
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start weed and return once S3 answers with our credentials (LaunchFailed if not)."""
        with self._lifecycle:
            if self._process is not None:
                return
            weed = find_weed(self._weed_binary)
            self._data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            # An install from before the store was sealed: tighten what it left readable.
            self._data_dir.chmod(0o700)
            volumes = self._data_dir / "data"
            volumes.mkdir(mode=0o700, exist_ok=True)
            self._lock_data_dir()
            try:
                self._ports = self._choose_ports()
                self._grpc_files = ensure_security(self.security_dir)
                self._command_line = self._command(weed, volumes, self._write_identities())
                self._stopping.clear()
                self._spawn()
            except BaseException:
                self._unlock_data_dir()
                raise
            self._state = "running"
            self._tighten_volume_info()
            atexit.register(self.stop)
            if self._supervise:
                self._watcher = threading.Thread(
                    target=self._watch, name=f"seaweed-supervisor-{self._ports['s3']}", daemon=True
                )
                self._watcher.start()

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it after the grace period; idempotent."""
        self._stopping.set()
        watcher, self._watcher = self._watcher, None
        if watcher is not None and watcher is not threading.current_thread():
            # It notices _stopping within one interval, or abandons a restart in progress.
            watcher.join()
        with self._lifecycle:
            process, self._process = self._process, None
            self._state = "stopped"
            atexit.unregister(self.stop)
            if process is not None:
                self._terminate(process, grace_s=self._stop_grace_s)
            self._unlock_data_dir()

    # -- supervision -------------------------------------------------------------------------

    def _watch(self) -> None:
        rounds = 0
        while not self._stopping.wait(_WATCH_INTERVAL_S):
            rounds += 1
            if rounds % _TIGHTEN_EVERY == 0:
                self._tighten_volume_info()
            process = self._process
            if process is None or not leader_exited(process):
                continue
            with self._lifecycle:
                if self._stopping.is_set() or process is not self._process:
                    return
                self._state = "restarting"
                self._process = None
                self._terminate(process, grace_s=0)
                self._crashes += 1
                self._last_crash_at = dt.datetime.now(dt.UTC)
                self._last_exit_status = process.returncode
            log.error(
                "SeaweedFS (pid %d) exited unexpectedly with status %s; restarting it "
                "(crash %d); log %s:\n%s",
                process.pid,
                process.returncode,
                self._crashes,
                self.log_path,
                _log_tail(self.log_path),
            )
            self._restart()

    def _restart(self) -> None:
        """Start weed again on the same ports and keys, backing off while it fails."""
        delay = self._restart_delay_s
        crashed_at = time.monotonic()
        attempt = 0
        while not self._stopping.wait(delay):
            attempt += 1
            try:
                with self._lifecycle:
                    if self._stopping.is_set():
                        return
                    self._spawn()
                    self._state = "running"
                    self._restarts += 1
            except LaunchFailed as exc:
                delay = min(delay * 2, self._max_restart_delay_s)
                log.warning(
                    "SeaweedFS restart attempt %d failed; next in %.1f s: %s",
                    attempt,
                    delay,
                    str(exc).splitlines()[0],
                )
                continue
            log.warning(
                "SeaweedFS restarted (pid %s, attempt %d) %.1f s after the crash; restarts: %d",
                self.pid,
                attempt,
                time.monotonic() - crashed_at,
                self._restarts,
            )
            return

    def _tighten_volume_info(self) -> None:
        # weed 4.48 writes each volume's .vif (its format and replication, no record data)
        # 0644 whatever the umask; new volumes appear while it runs.
        for path in (self._data_dir / "data").glob("*.vif"):
            with contextlib.suppress(OSError):
                if path.stat().st_mode & 0o077:
                    path.chmod(0o600)

    # -- internals ---------------------------------------------------------------------------

    def _spawn(self) -> None:
        """Run the prepared command and wait until S3 answers; the caller holds _lifecycle."""
        started = time.monotonic()
        with self.log_path.open("ab") as log_file:
            log_file.write(f"\n--- bylos: starting {' '.join(self._command_line)}\n".encode())
            log_file.flush()
            # Own session: stop() signals the whole group, and a Ctrl+C in the parent's
            # terminal does not reach weed before Bylos has closed its connections.
            try:
                process = subprocess.Popen(
                    self._command_line,
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    cwd=self._data_dir,
                    start_new_session=True,
                    umask=_UMASK,
                )
            except OSError as exc:
                raise LaunchFailed(f"could not execute {self._command_line[0]}: {exc}") from exc
        self._process = process
        try:
            self._wait_ready(process, started)
        except BaseException:
            self._process = None
            self._terminate(process, grace_s=self._stop_grace_s)
            raise

    def _terminate(self, process: subprocess.Popen[bytes], *, grace_s: float) -> None:
        """SIGTERM the group, SIGKILL it after ``grace_s``, reap the leader last."""
        # weed leads its own session, so its pid is the group id. The leader is not reaped until
        # the very end: while it is a zombie its pid cannot be reused, so no signal below can
        # reach an unrelated process that inherited the number (pids wrap at 32768 here).
        stop_group(process, grace_s=grace_s)
        self._remove_stale_sockets()

    def _lock_data_dir(self) -> None:
        # Two weed processes on one data dir would corrupt the volumes and filer store.
        fd = os.open(self._data_dir / "seaweed.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise LaunchFailed(f"another SeaweedFS is already using {self._data_dir}") from exc
        self._lock_fd = fd

    def _unlock_data_dir(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            os.close(fd)  # closing releases the flock

    def _choose_ports(self) -> dict[str, int]:
        """Reuse the ports of the previous run when free (stable endpoint, same master state)."""
        saved_path = self._data_dir / "ports.json"
        with contextlib.suppress(OSError, ValueError, TypeError):
            saved = {str(k): int(v) for k, v in json.loads(saved_path.read_text()).items()}
            if set(saved) == set(_COMPONENTS) and all(
                _port_free(self._host, p) and _port_free(self._host, p + _GRPC_OFFSET)
                for p in saved.values()
            ):
                return saved
        taken: set[int] = set()
        ports: dict[str, int] = {}
        for name in _COMPONENTS:
            port = _free_port_pair(self._host, taken)
            taken |= {port, port + _GRPC_OFFSET}
            ports[name] = port
        _write_private_text(saved_path, json.dumps(ports))
        return ports

    def _write_identities(self) -> Path:
        path = self._data_dir / "s3-identities.json"
        identities = {
            "identities": [
                {
                    "name": "bylos",
                    "credentials": [{"accessKey": self._access_key, "secretKey": self._secret_key}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
        # Owner-only: it holds the secret key.
        _write_private_text(path, json.dumps(identities))
        return path

    def _command(self, weed: Path, volumes: Path, identities: Path) -> list[str]:
        ports = self._ports
        logs = self._data_dir / "logs"
        logs.mkdir(mode=0o700, exist_ok=True)
        command = [
            str(weed),
            # Global flags precede the command. security.toml is read from -config_dir before
            # the working directory, $HOME/.seaweedfs and /etc/seaweedfs (util/config.go).
            f"-config_dir={self.security_dir}",
            # weed's own log files, otherwise world-readable in /tmp.
            f"-logdir={logs}",
            f"-log_max_size_mb={_LOG_MAX_MB}",
            "mini",
            f"-dir={volumes}",
            f"-ip={self._host}",
            f"-ip.bind={self._host}",
            "-master.telemetry=false",
            f"-master.volumeSizeLimitMB={self._volume_size_limit_mb}",
            f"-s3.config={identities}",
            # Records must never go into a bucket created implicitly (without Object Lock),
            # nor vanish with a recursive bucket delete.
            "-s3.autoCreateBucket=false",
            "-s3.allowDeleteBucketNotEmpty=false",
            # The master's and filer's HTTP APIs: the master hands out a write token for any
            # file id (/dir/lookup) and deletes whole collections (/col/delete) without one;
            # S3 reaches both over gRPC (mutual TLS), so their HTTP APIs are switched off.
            "-disableHttp",
            # Gateways Bylos does not use: fewer ports, less memory, nothing more to guard.
            "-webdav=false",
            "-admin.ui=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-metricsPort=0",
        ]
        for name in _COMPONENTS:
            command += [
                f"-{name}.port={ports[name]}",
                f"-{name}.port.grpc={ports[name] + _GRPC_OFFSET}",
            ]
        for name in ("s3", "filer"):
            sock = self._data_dir / f"{name}.sock"
            if len(str(sock)) < _MAX_SOCKET_PATH:
                command.append(f"-{name}.localSocket={sock}")
        return command

    def _wait_ready(self, process: subprocess.Popen[bytes], started: float) -> None:
        """Poll an authenticated ListBuckets until it succeeds, weed dies, or time runs out."""
        deadline = started + self._start_timeout_s
        http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=1.0, read=2.0), retries=False)
        client = Minio(
            self.endpoint,
            access_key=self._access_key,
            secret_key=self._secret_key,
            secure=False,
            region="us-east-1",
            http_client=http,
        )
        last_error = "no answer yet"
        try:
            while True:
                if leader_exited(process):
                    raise LaunchFailed(
                        f"weed exited during startup; log {self.log_path}:\n"
                        f"{_log_tail(self.log_path)}"
                    )
                if self._stopping.is_set():
                    # stop() was called while the supervisor restarts weed.
                    raise LaunchFailed("SeaweedFS is being stopped")
                try:
                    client.list_buckets()
                    return
                except (MinioException, urllib3.exceptions.HTTPError) as exc:
                    last_error = str(exc)
                if time.monotonic() > deadline:
                    raise LaunchFailed(
                        f"SeaweedFS S3 on {self.endpoint} not ready after "
                        f"{self._start_timeout_s:.0f} s ({last_error}); log {self.log_path}:\n"
                        f"{_log_tail(self.log_path)}"
                    )
                time.sleep(0.1)
        finally:
            http.clear()

    def _remove_stale_sockets(self) -> None:
        # weed puts its gRPC unix sockets in /tmp, named by port, and removes them only on a
        # clean exit; after a SIGKILL they would pile up.
        tmp = Path(tempfile.gettempdir())
        for port in self._ports.values():
            for sock in tmp.glob(f"seaweedfs-*-{port + _GRPC_OFFSET}.sock"):
                with contextlib.suppress(OSError):
                    if sock.is_socket():
                        sock.unlink()


def _write_private_text(path: Path, text: str) -> None:
    write_private(path, text.encode())
