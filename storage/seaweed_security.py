"""The embedded SeaweedFS's own locks: JWT keys for its HTTP ports and mutual TLS for its gRPC.

``weed mini`` serves master, volume, filer and admin HTTP and gRPC on loopback beside the S3
gateway. Without ``security.toml`` every one of them answers anyone on the machine: a DELETE on
the filer removes a version S3 Object Lock protects, a GET returns any stored PDF, and the
filer's gRPC API deletes entries without any HTTP token. Only the S3 gateway, with the
service's keys, may reach stored data, so this module writes a ``security.toml`` that

- signs volume writes and reads with JWT keys that only weed itself holds
  (``[jwt.signing]``, ``[jwt.signing.read]``), and filer writes and reads likewise
  (``[jwt.filer_signing]``, ``[jwt.filer_signing.read]``);
- puts every gRPC port behind mutual TLS (``[grpc]`` CA plus a certificate per component):
  a client without a certificate of this private CA is refused at the handshake. The CA's
  private key signs the certificates and is then discarded, so nobody (Bylos included) can
  mint another one; new material is made by deleting the directory;
- turns off the volume status UI and the filer's directory listing.

The HTTP APIs of master and filer are switched off on the command line (``-disableHttp``, see
storage/seaweed.py): the master's ``/dir/lookup`` hands out a write token for any file id and
its ``/col/delete`` deletes a whole bucket, and neither is guarded by the JWT keys.

Everything is generated at first start, files 0600 in a 0700 directory; SeaweedFS finds the
file through ``weed -config_dir`` (util.LoadSecurityConfiguration searches that directory first).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["COMPONENTS", "GrpcClientFiles", "ensure_security", "write_private"]

# The components weed mini runs (each serves gRPC and dials the others) and "client", the
# section weed's own client tools read. Others in the scaffold (msg_broker, mq) do not run.
COMPONENTS: Final = ("master", "volume", "filer", "s3", "admin", "worker", "client")
CONFIG_NAME: Final = "security.toml"
# JWTs the components mint for each other live seconds; nobody outside weed ever holds one.
_JWT_TTL_S: Final = 10
# RFC 5280 4.1.2.5: 9999-12-31 means "no well-defined expiration". The store runs for decades
# and nothing outside this directory trusts the CA, so an expiry would only break it one day.
_NO_EXPIRY: Final = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class GrpcClientFiles:
    """What a gRPC client of this store needs: the CA and the ``client`` certificate."""

    ca: Path
    cert: Path
    key: Path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` atomically to ``path`` readable by the owner only (0600)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _certificates(directory: Path) -> None:
    """A fresh CA and one certificate per component; the CA key never touches the disk."""
    # A day back: a clock set slightly behind must not make a new certificate "not yet valid".
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bylos SeaweedFS CA")])
    write_private(directory / "ca.crt", _pem_cert(_ca(ca_key, ca_name, start)))
    for name in COMPONENTS:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _component_certificate(name, key, ca_key, ca_name, start)
        write_private(directory / f"{name}.key", _pem_key(key))
        write_private(directory / f"{name}.crt", _pem_cert(cert))


def _ca(
    ca_key: ec.EllipticCurvePrivateKey, ca_name: x509.Name, start: dt.datetime
) -> x509.Certificate:
    """The self-signed CA: signs the components' certificates and nothing else."""
    return (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(_NO_EXPIRY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )


def _component_certificate(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    ca_key: ec.EllipticCurvePrivateKey,
    ca_name: x509.Name,
    start: dt.datetime,
) -> x509.Certificate:
    """One component's certificate, for localhost and 127.0.0.1 only."""
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"bylos-{name}")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(_NO_EXPIRY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            # Each component is a server to some and a client of others.
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def _toml_string(value: str) -> str:
    # Paths and hex keys only; a quote or backslash in the data dir's path must not end the
    # TOML string early.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _config(directory: Path) -> str:
    keys = {
        name: secrets.token_hex(32) for name in ("volume", "volume_read", "filer", "filer_read")
    }
    names = ",".join(f"bylos-{name}" for name in COMPONENTS)
    lines = [
        "# Written by Bylos (storage/seaweed_security.py) at the store's first start; 0600.",
        "[jwt.signing]",
        f"key = {_toml_string(keys['volume'])}",
        f"expires_after_seconds = {_JWT_TTL_S}",
        "[jwt.signing.read]",
        f"key = {_toml_string(keys['volume_read'])}",
        f"expires_after_seconds = {_JWT_TTL_S}",
        "[jwt.filer_signing]",
        f"key = {_toml_string(keys['filer'])}",
        f"expires_after_seconds = {_JWT_TTL_S}",
        "[jwt.filer_signing.read]",
        f"key = {_toml_string(keys['filer_read'])}",
        f"expires_after_seconds = {_JWT_TTL_S}",
        "[access]",
        "ui = false",
        "[filer.expose_directory_metadata]",
        "enabled = false",
        "[grpc]",
        f"ca = {_toml_string(str(directory / 'ca.crt'))}",
    ]
    for name in COMPONENTS:
        lines += [
            f"[grpc.{name}]",
            f"cert = {_toml_string(str(directory / f'{name}.crt'))}",
            f"key = {_toml_string(str(directory / f'{name}.key'))}",
            # Only certificates this directory issued, by their names.
            f"allowed_commonNames = {_toml_string(names)}",
        ]
    return "\n".join(lines) + "\n"


def _complete(directory: Path) -> bool:
    expected = [directory / CONFIG_NAME, directory / "ca.crt"]
    expected += [directory / f"{name}.{ext}" for name in COMPONENTS for ext in ("crt", "key")]
    if not all(path.is_file() for path in expected):
        return False
    # Written by an earlier start at another path (a moved data dir): the paths inside differ.
    return str(directory / "ca.crt") in (directory / CONFIG_NAME).read_text()


def ensure_security(directory: Path) -> GrpcClientFiles:
    """Create the JWT keys, the CA and the certificates once; return the gRPC client files.

    An incomplete directory (a start interrupted half way, a file removed) is made anew as a
    whole: certificates from two different CAs would not trust each other.
    """
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    if not _complete(directory):
        _certificates(directory)
        # The config last: its presence marks the directory complete.
        write_private(directory / CONFIG_NAME, _config(directory).encode())
    return GrpcClientFiles(
        ca=directory / "ca.crt", cert=directory / "client.crt", key=directory / "client.key"
    )
