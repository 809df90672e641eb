"""A small test PKI made with ``cryptography``: a CA, server certificates it signs, and OpenSSL peers.

Shared by the engine, CLI and window TLS tests. ``openssl s_server`` and
``openssl s_client`` are the real peers; a test that needs one skips with the
reason when the binary is missing.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import re
import select
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="the openssl binary is not installed "
                                   "(python3 dev.py test installs it: apt package openssl)")
NOW = datetime.datetime.now(datetime.timezone.utc)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@dataclass
class Pki:
    """Files in ``folder``: ca.pem, and per server certificate NAME.pem / NAME.key."""

    folder: Path

    def __post_init__(self) -> None:
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca_cert = (x509.CertificateBuilder().subject_name(_name("SocketLab Test CA"))
                        .issuer_name(_name("SocketLab Test CA")).public_key(self.ca_key.public_key())
                        .serial_number(x509.random_serial_number())
                        .not_valid_before(NOW - datetime.timedelta(days=1))
                        .not_valid_after(NOW + datetime.timedelta(days=30))
                        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                     content_commitment=False, key_encipherment=False,
                                                     data_encipherment=False, key_agreement=False,
                                                     encipher_only=False, decipher_only=False), critical=True)
                        .sign(self.ca_key, hashes.SHA256()))
        self.ca = self.folder / "ca.pem"
        self.ca.write_bytes(self.ca_cert.public_bytes(serialization.Encoding.PEM))

    def server(self, name: str = "server", dns: tuple[str, ...] = ("localhost",),
               ips: tuple[str, ...] = ("127.0.0.1",), expired: bool = False) -> tuple[Path, Path]:
        """A server certificate signed by the CA; returns (cert file, key file)."""
        key = ec.generate_private_key(ec.SECP256R1())
        start = NOW - datetime.timedelta(days=10 if expired else 1)
        end = NOW - datetime.timedelta(days=2) if expired else NOW + datetime.timedelta(days=10)
        alt = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
        cert = (x509.CertificateBuilder().subject_name(_name(dns[0] if dns else name))
                .issuer_name(self.ca_cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
                .add_extension(x509.SubjectAlternativeName(alt), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .sign(self.ca_key, hashes.SHA256()))
        cert_path, key_path = self.folder / f"{name}.pem", self.folder / f"{name}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(_pem_key(key))
        return cert_path, key_path


class SServer:
    """``openssl s_server`` on 127.0.0.1, port 0, for one connection; what it printed is in ``output``."""

    def __init__(self, cert: Path, key: Path, *extra: str) -> None:
        assert OPENSSL is not None
        self.proc = subprocess.Popen([OPENSSL, "s_server", "-accept", "127.0.0.1:0", "-cert", str(cert),
                                      "-key", str(key), "-naccept", "1", *extra],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.output = b""
        self.port = self._port()

    def _port(self) -> int:
        assert self.proc.stdout is not None
        end = time.monotonic() + 10
        while time.monotonic() < end:
            line = self.proc.stdout.readline()
            self.output += line
            match = re.match(rb"ACCEPT .*:(\d+)", line)
            if match:
                return int(match.group(1))
            if not line and self.proc.poll() is not None:
                break
        raise AssertionError(f"openssl s_server did not start: {self.output!r}")

    def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def read_until(self, marker: bytes, timeout: float = 10.0) -> bytes:
        """Read its output until ``marker`` shows (bounded in time); all output so far."""
        self.output = read_until(self.proc, marker, self.output, timeout)
        return self.output

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


def read_until(proc: subprocess.Popen[bytes], marker: bytes, output: bytes = b"", timeout: float = 10.0) -> bytes:
    """Read ``proc``'s stdout until ``marker`` shows in it, the stream ends, or ``timeout`` passes."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    end = time.monotonic() + timeout
    while marker not in output and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            output += chunk
    return output
