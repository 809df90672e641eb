"""Certificates for TLS: the self-signed one made for this machine, files checked, facts for a person.

The server's certificate is either the pair of files the user gives (checked here
one by one, so a bad one is named) or one SocketLab makes for this machine with
the ``cryptography`` package and keeps in the settings folder: an EC P-256 key
(written with mode 0600), its certificate naming the host name, ``localhost``,
127.0.0.1, ::1 and the machine's LAN addresses. It is made again only when it is
missing, unreadable, for another host name, or about to expire, so its SHA-256
fingerprint stays what the other side may have noted. Every file is written
atomically (a temporary file renamed over the old one).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import ipaddress
import os
import socket
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from netcore.interfaces import local_addresses
from netcore.storage import config_dir
from netcore.validation import input_error

CERT_FILE, KEY_FILE = "tls-cert.pem", "tls-key.pem"
SELF_SIGNED_DAYS = 825
RENEW_BEFORE = datetime.timedelta(days=1)
_making = threading.Lock()
"""Two tabs starting at once must not write two different halves of the pair."""

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class CertFacts:
    """What a person checks in a certificate."""

    subject: str
    issuer: str
    not_before: str
    not_after: str
    fingerprint: str

    def params(self) -> dict[str, str]:
        return {"subject": self.subject, "issuer": self.issuer, "not_before": self.not_before,
                "not_after": self.not_after, "fingerprint": self.fingerprint}


@dataclass(frozen=True)
class SelfSigned:
    """The machine's own certificate pair, and the names and addresses it holds."""

    cert_path: Path
    key_path: Path
    names: tuple[str, ...]
    created: bool


def fingerprint(der: bytes) -> str:
    """SHA-256 of the DER certificate, as ``openssl x509 -fingerprint -sha256`` shows it (``AB:CD:…``)."""
    return ":".join(f"{byte:02X}" for byte in hashlib.sha256(der).digest())


def _when(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def facts(der: bytes) -> CertFacts:
    """Subject, issuer, validity and fingerprint of a DER certificate (``?`` where it cannot be parsed)."""
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return CertFacts("?", "?", "?", "?", fingerprint(der))
    return CertFacts(cert.subject.rfc4514_string() or "-", cert.issuer.rfc4514_string() or "-",
                     _when(cert.not_valid_before_utc), _when(cert.not_valid_after_utc), fingerprint(der))


def der_of(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


# ---- the user's files ----

def _read(path: str, field: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise input_error("tls_file_unreadable", {"field": field, "value": path,
                                                  "detail": exc.strerror or str(exc)}) from None


def read_certificate(path: str, field: str = "cert") -> x509.Certificate:
    """The first certificate in ``path`` (PEM or DER); an InputError naming the file otherwise."""
    data = _read(path, field)
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)[0]
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise input_error("tls_cert_bad", {"field": field, "value": path, "detail": _short(exc)}) from None


def check_key(path: str, cert: x509.Certificate, cert_path: str, field: str = "key") -> None:
    """``path`` holds an unencrypted private key that belongs to ``cert``; an InputError otherwise."""
    data = _read(path, field)
    params = {"field": field, "value": path, "cert": cert_path}
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:  # cryptography's way of saying "encrypted, and no password given"
        raise input_error("tls_key_encrypted", params) from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise input_error("tls_key_bad", {**params, "detail": _short(exc)}) from None
    mine = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    theirs = cert.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    if mine != theirs:
        raise input_error("tls_key_mismatch", params)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__


# ---- the machine's own certificate ----

def machine_names() -> list[str]:
    """The host name and ``localhost``."""
    names = [socket.gethostname() or "localhost", "localhost"]
    return list(dict.fromkeys(name for name in names if name))


def machine_ips() -> list[IpAddress]:
    """127.0.0.1, ::1 and this machine's LAN addresses (link-local ones left out: they need a zone)."""
    ips: list[IpAddress] = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    for address in local_addresses():
        with contextlib.suppress(ValueError):
            ip = ipaddress.ip_address(address.ip.split("%", 1)[0])
            if not ip.is_link_local and ip not in ips:
                ips.append(ip)
    return ips


def make_self_signed(names: list[str], ips: list[IpAddress],
                     now: datetime.datetime | None = None) -> tuple[bytes, bytes]:
    """A new EC P-256 key and a self-signed certificate for ``names`` and ``ips`` (PEM, PEM)."""
    start = (now or datetime.datetime.now(datetime.timezone.utc)) - datetime.timedelta(minutes=5)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0]),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SocketLab (self-signed)")])
    alt = [x509.DNSName(name) for name in names] + [x509.IPAddress(ip) for ip in ips]
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=SELF_SIGNED_DAYS))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def ensure_self_signed(folder: Path | None = None) -> SelfSigned:
    """The machine's certificate pair in ``folder`` (the settings folder), made if it is not usable."""
    where = folder or config_dir()
    cert_path, key_path = where / CERT_FILE, where / KEY_FILE
    names = machine_names()
    with _making:
        kept = _usable(cert_path, key_path, names[0])
        if kept is not None:
            return SelfSigned(cert_path, key_path, kept, created=False)
        ips = machine_ips()
        cert_pem, key_pem = make_self_signed(names, ips)
        try:
            where.mkdir(parents=True, exist_ok=True)
            write_atomically(key_path, key_pem, 0o600)
            write_atomically(cert_path, cert_pem, 0o644)
        except OSError as exc:
            raise input_error("tls_self_signed_failed", {"field": "cert", "value": str(where),
                                                         "detail": exc.strerror or str(exc)}) from None
    return SelfSigned(cert_path, key_path, tuple(names) + tuple(str(ip) for ip in ips), created=True)


def _usable(cert_path: Path, key_path: Path, hostname: str) -> tuple[str, ...] | None:
    """The names the kept certificate holds, if it is whole, ours, for this host and not about to expire."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, TypeError, x509.ExtensionNotFound, UnsupportedAlgorithm):
        return None
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, public) != \
            cert.public_key().public_bytes(serialization.Encoding.DER, public):
        return None
    names = tuple(alt.get_values_for_type(x509.DNSName))
    if hostname not in names:
        return None
    if cert.not_valid_after_utc - RENEW_BEFORE < datetime.datetime.now(datetime.timezone.utc):
        return None
    return names + tuple(str(ip) for ip in alt.get_values_for_type(x509.IPAddress))


def write_atomically(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``path`` through a temporary file (created 0600) renamed over it, then ``mode``."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
