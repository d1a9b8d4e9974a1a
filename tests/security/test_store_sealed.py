"""The embedded store is sealed: only S3 with the service's keys reaches a stored record.

An attacker on the same machine tries every TCP port the weed process listens on (read from
/proc, not from a list of the ports Bylos asked for) to read, delete and overwrite a locked
record: HTTP GET/DELETE/PUT/POST on filer paths, on the volume server's file ids (taken from
the volume files on disk), on the master's assign, lookup and collection-delete, and
anonymous S3; and, on every port that speaks TLS, a gRPC connection without the client
certificate. Everything is refused and the record comes back through S3 intact and locked.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import ssl
import struct
import time
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx

from storage.seaweed import EmbeddedSeaweed

BUCKET = "bylos"
KEY = "2026/PZ/000001-0b7a2f5e.pdf"
# HTTP/2 connection preface and an empty SETTINGS frame: what a gRPC client sends first.
H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
LISTEN = "0A"


def listening_ports(pid: int) -> list[int]:
    """TCP ports on which process ``pid`` (and its process group) listens, from /proc."""
    pids = {pid}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[2]) == pid:
                pids.add(int(entry.name))
    inodes: set[str] = set()
    for member in pids:
        for fd in Path(f"/proc/{member}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            found = re.fullmatch(r"socket:\[(\d+)\]", target)
            if found:
                inodes.add(found.group(1))
    ports: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == LISTEN and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return sorted(ports)


def volume_file_ids(volumes: Path) -> list[str]:
    """File ids ("3,01637037d6") of every live needle in the volume files under ``volumes``.

    The .idx holds (needle id 8 bytes, offset 5 bytes in this 8000GB build, size 4 bytes)
    records; the needle header at the offset in the .dat gives the cookie a file id needs.
    """
    fids: list[str] = []
    for index in sorted(volumes.glob("*.idx")):
        volume_id = int(index.stem.rsplit("_", 1)[-1])
        raw = index.read_bytes()
        data = index.with_suffix(".dat").read_bytes()
        for at in range(0, len(raw) - 16, 17):
            needle_id = struct.unpack(">Q", raw[at : at + 8])[0]
            offset = (struct.unpack(">I", raw[at + 8 : at + 12])[0] + (raw[at + 12] << 32)) * 8
            size = struct.unpack(">i", raw[at + 13 : at + 17])[0]
            if offset == 0 or size <= 0:
                continue  # deleted
            cookie, on_disk_id = struct.unpack(">IQ", data[offset : offset + 12])
            assert on_disk_id == needle_id
            key = needle_id.to_bytes(8, "big").lstrip(b"\0").hex()
            fids.append(f"{volume_id},{key}{cookie:08x}")
    return fids


def _tls_context(client: tuple[Path, Path] | None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the attacker does not care who the server is
    context.set_alpn_protocols(["h2"])
    if client is not None:
        context.load_cert_chain(*client)
    return context


def speaks_tls(port: int) -> bool:
    """Whether the port answers a TLS ClientHello with a handshake (not with plain HTTP)."""
    context = _tls_context(None)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", port), timeout=3) as raw:
        try:
            with context.wrap_socket(raw):
                return True
        except ssl.SSLError as exc:
            # A server that requires a certificate fails the TLS 1.2 handshake with an alert;
            # a plain-HTTP server answers bytes that are no TLS record at all.
            return "WRONG_VERSION_NUMBER" not in str(exc) and "record layer" not in str(exc)
        except (ConnectionError, TimeoutError):
            return False


def grpc_answers(port: int, client: tuple[Path, Path] | None, *, tls: bool) -> bool:
    """Whether the port answers an HTTP/2 preface with a SETTINGS frame (a gRPC server talking).

    Over TLS 1.3 a missing client certificate is refused with an alert right after the
    handshake, so the answer is read, not just the handshake completed.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=3) as raw:
        try:
            if tls:
                with _tls_context(client).wrap_socket(raw) as conn:
                    conn.sendall(H2_PREFACE)
                    answer = conn.recv(64)
            else:
                raw.sendall(H2_PREFACE)
                answer = raw.recv(64)
        except (ssl.SSLError, ConnectionError, TimeoutError, OSError):
            return False
    # An HTTP/2 frame header: 3 bytes length, type 0x04 (SETTINGS).
    return len(answer) >= 9 and answer[3] == 0x04


@dataclass(frozen=True)
class Attempt:
    port: int
    method: str
    path: str
    status: int
    leaked: bool

    @property
    def refused(self) -> bool:
        return self.status >= 400 and not self.leaked


def http_attempts(port: int, version_id: str, fids: list[str], secret: bytes) -> list[Attempt]:
    """Read, delete and overwrite the record every way SeaweedFS's HTTP APIs know."""
    record = f"/buckets/{BUCKET}/{KEY}"
    version = f"{record}.versions/v_{version_id}"
    requests: list[tuple[str, str]] = []
    for path in (record, version, f"/{BUCKET}/{KEY}", f"/{BUCKET}/{KEY}?versionId={version_id}"):
        requests += [("GET", path), ("DELETE", path), ("PUT", path), ("POST", path)]
    requests += [
        ("GET", f"/buckets/{BUCKET}/?pretty=y"),
        ("DELETE", f"/buckets/{BUCKET}/?recursive=true&ignoreRecursiveError=true"),
        ("GET", f"/{BUCKET}?versions"),
        ("POST", "/dir/assign"),
        ("GET", f"/col/delete?collection={BUCKET}"),
    ]
    for fid in fids:
        volume_id = fid.split(",")[0]
        requests += [
            ("GET", f"/{fid}"),
            ("DELETE", f"/{fid}"),
            ("PUT", f"/{fid}"),
            ("POST", f"/{fid}"),
            ("GET", f"/dir/lookup?fileId={fid}"),
            ("GET", f"/dir/lookup?fileId={fid}&read=yes"),
            ("GET", f"/dir/lookup?volumeId={volume_id}"),
        ]
    done: list[Attempt] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        for method, path in requests:
            body = b"overwritten by an attacker" if method in ("PUT", "POST") else None
            try:
                answer = client.request(method, path, content=body, follow_redirects=True)
            except httpx.HTTPError:
                continue  # the connection itself was refused: nothing was done
            done.append(Attempt(port, method, path, answer.status_code, secret in answer.content))
    return done


def test_every_port_of_the_store_refuses_unauthenticated_reads_and_writes(
    tmp_path: Path,
) -> None:
    secret = b"%PDF-1.7 Jonas Jonaitis, 5a " + os.urandom(32).hex().encode() + b"\n" * 40_000
    until = dt.date.today() + dt.timedelta(days=30)
    with EmbeddedSeaweed(tmp_path / "store") as server, server.object_store(BUCKET) as store:
        store.ensure_bucket()
        stored = store.put(KEY, secret, retain_until=until)
        assert server.pid is not None
        # weed mini opens its admin ports after S3 answers; its banner follows the last one.
        deadline = time.monotonic() + 60
        while "All enabled components are running" not in server.log_path.read_text():
            assert time.monotonic() < deadline, server.log_path.read_text()
            time.sleep(0.2)
        ports = listening_ports(server.pid)
        assert int(server.endpoint.rsplit(":", 1)[1]) in ports, ports
        fids = volume_file_ids(tmp_path / "store" / "data")
        assert fids, "the record's bytes are in a volume file"

        security = server.data_dir / "security"
        certificate = (security / "client.crt", security / "client.key")
        tls_ports = [port for port in ports if speaks_tls(port)]
        plain = [port for port in ports if port not in tls_ports]
        open_grpc = [port for port in plain if grpc_answers(port, None, tls=False)]
        http_ports = [port for port in plain if port not in open_grpc]
        for port in tls_ports:
            assert not grpc_answers(port, None, tls=True), f"gRPC on {port} without a certificate"
            # With the store's own client certificate the same port talks: the refusal above
            # is about the certificate, not a dead port.
            assert grpc_answers(port, certificate, tls=True), port

        attempts = [
            attempt
            for port in http_ports
            for attempt in http_attempts(port, stored.version_id, fids, secret)
        ]
        assert {a.port for a in attempts} == set(http_ports)
        accepted = [a for a in attempts if not a.refused]
        assert accepted == [], accepted
        assert open_grpc == [], f"plaintext gRPC without any credential on {open_grpc}"

        # The record is intact: same bytes, same lock, no other version or delete marker.
        assert store.read(KEY, stored.version_id) == secret
        assert store.read(KEY) == secret
        info = store.stat(KEY, stored.version_id)
        assert (info.mode, info.retain_until) == ("COMPLIANCE", until)
        assert [(v.version_id, v.is_delete_marker) for v in store.list_versions(KEY)] == [
            (stored.version_id, False)
        ]
        assert store.list_versions() == store.list_versions(KEY)
