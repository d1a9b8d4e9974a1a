"""Embedded SeaweedFS: starts ``weed mini`` (master, volume, filer, S3) on loopback for Bylos.

``weed mini`` is used rather than ``weed server -s3``: on SeaweedFS 4.48 it answered S3 in ~1 s
and exited ~4 s after SIGTERM, against ~3.5 s and ~16 s; both enforce Object Lock COMPLIANCE.
Everything (volumes, filer metadata, identities, log, chosen ports) lives under ``data_dir``.
"""

import atexit
import contextlib
import fcntl
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Final, Self

import urllib3
from minio import Minio
from minio.error import MinioException

from storage.errors import LaunchFailed
from storage.objectstore import ObjectStore

__all__ = ["EmbeddedSeaweed", "find_weed"]

# weed mini's admin worker dials the admin gRPC port at HTTP port + 10000 whatever
# -admin.port.grpc says, so every component gets a port whose +10000 twin is free too.
_GRPC_OFFSET: Final = 10_000
_COMPONENTS: Final = ("master", "volume", "filer", "s3", "admin")
_LOG_TAIL_LINES: Final = 40
# Unix socket paths are limited to 108 bytes; longer data dirs keep weed's /tmp default.
_MAX_SOCKET_PATH: Final = 100


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


def _exited(pid: int) -> bool:
    """Whether our child ``pid`` has exited, without reaping it (see EmbeddedSeaweed.stop)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True  # already reaped


def _log_tail(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(lines[-_LOG_TAIL_LINES:])


class EmbeddedSeaweed:
    """One ``weed mini`` process group serving S3 on ``host``; a context manager.

    The S3 identity (``access_key``/``secret_key``, Admin actions) is written to an ``-s3.config``
    file, so clients authenticate as they would against a production store. Without a
    ``secret_key`` a random one is generated for this instance.
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
    ) -> None:
        self._data_dir = Path(data_dir)
        self._host = host
        self._weed_binary = weed_binary
        self._access_key = access_key
        self._secret_key = secret_key or secrets.token_urlsafe(24)
        self._start_timeout_s = start_timeout_s
        self._stop_grace_s = stop_grace_s
        self._volume_size_limit_mb = volume_size_limit_mb
        self._process: subprocess.Popen[bytes] | None = None
        self._ports: dict[str, int] = {}
        self._lock_fd: int | None = None

    # -- properties --------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    @property
    def log_path(self) -> Path:
        return self._data_dir / "seaweed.log"

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
        return self._process.pid if self._process is not None else None

    def object_store(self, bucket: str, *, timeout_s: float = 10.0) -> ObjectStore:
        """An ObjectStore on this server (the bucket is not created; call ensure_bucket)."""
        return ObjectStore(
            endpoint=self.endpoint,
            access_key=self._access_key,
            secret_key=self._secret_key,
            bucket=bucket,
            timeout_s=timeout_s,
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start weed and return once S3 answers with our credentials (LaunchFailed if not)."""
        if self._process is not None:
            return
        weed = find_weed(self._weed_binary)
        volumes = self._data_dir / "data"
        volumes.mkdir(parents=True, exist_ok=True)
        self._lock_data_dir()
        try:
            self._ports = self._choose_ports()
            command = self._command(weed, volumes, self._write_identities())
        except BaseException:
            self._unlock_data_dir()
            raise
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            log.write(f"\n--- bylos: starting {' '.join(command)}\n".encode())
            log.flush()
            # Own session: stop() signals the whole group, and a Ctrl+C in the parent's
            # terminal does not reach weed before Bylos has closed its connections.
            try:
                self._process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self._data_dir,
                    start_new_session=True,
                )
            except OSError as exc:
                self._unlock_data_dir()
                raise LaunchFailed(f"could not execute {weed}: {exc}") from exc
        atexit.register(self.stop)
        try:
            self._wait_ready(started)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it after the grace period; idempotent."""
        process, self._process = self._process, None
        atexit.unregister(self.stop)
        if process is None:
            self._unlock_data_dir()
            return
        # weed leads its own session, so its pid is the group id. The leader is not reaped until
        # the very end: while it is a zombie its pid cannot be reused, so no signal below can
        # reach an unrelated process that inherited the number (pids wrap at 32768 here).
        pgid = process.pid
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGTERM)
            deadline = time.monotonic() + self._stop_grace_s
            while not _exited(pgid) and time.monotonic() < deadline:
                time.sleep(0.05)
            # SIGKILL after the grace period, and for any straggler in the group either way.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
        process.wait()
        self._remove_stale_sockets()
        self._unlock_data_dir()

    # -- internals ---------------------------------------------------------------------------

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
        saved_path.write_text(json.dumps(ports))
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
        # Written atomically with owner-only permissions: it holds the secret key.
        fd, tmp = tempfile.mkstemp(dir=self._data_dir, prefix=".s3-identities-")
        with os.fdopen(fd, "w") as handle:
            json.dump(identities, handle)
        os.replace(tmp, path)
        return path

    def _command(self, weed: Path, volumes: Path, identities: Path) -> list[str]:
        ports = self._ports
        command = [
            str(weed),
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
            # Gateways Bylos does not use: fewer ports, less memory.
            "-webdav=false",
            "-admin.ui=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
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

    def _wait_ready(self, started: float) -> None:
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
                process = self._process
                if process is None or _exited(process.pid):
                    raise LaunchFailed(
                        f"weed exited during startup; log {self.log_path}:\n"
                        f"{_log_tail(self.log_path)}"
                    )
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
