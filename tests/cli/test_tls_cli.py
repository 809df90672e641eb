"""``tcp-server --tls`` and ``tcp-client --tls`` as a user runs them, against OpenSSL and each other."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Running, run_main
from tests.tls_pki import OPENSSL, Pki, SServer, needs_openssl, read_until

Launch = Callable[..., Running]


@pytest.fixture(autouse=True)
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "settings"
    monkeypatch.setenv("SOCKETLAB_CONFIG_DIR", str(folder))
    return folder


def listening_port(server: Running) -> int:
    match = re.search(r":(\d+) \(TCP\)", server.line_with("Listening on"))
    assert match
    return int(match.group(1))


@needs_openssl
def test_tls_server_banner_shows_the_fingerprint_and_openssl_talks_to_it(launch: Launch, settings: Path) -> None:
    assert OPENSSL is not None
    server = launch("tcp-server", "--host", "127.0.0.1", "--port", "0", "--tls", "--reply", "echo")
    port = listening_port(server)
    banner = server.line_with("SHA-256 fingerprint")
    cert = settings / "tls-cert.pem"
    shown = subprocess.run([OPENSSL, "x509", "-in", str(cert), "-noout", "-fingerprint", "-sha256"],
                           capture_output=True, text=True, check=True).stdout.strip().split("=", 1)[1]
    assert shown in banner and str(cert) in banner
    peer = subprocess.Popen([OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", str(cert),
                             "-verify_return_error", "-no_ign_eof"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert peer.stdin is not None
        peer.stdin.write(b"hello from openssl\n")
        peer.stdin.flush()
        assert "TLSv1.3" in server.line_with("TLS with")
        assert "hello from openssl" in server.line_with("received 19 bytes")
        after = read_until(peer, b"Verify return code").split(b"Verify return code", 1)[1]
        assert after.startswith(b": 0 (ok)")
        assert b"hello from openssl" in read_until(peer, b"hello from openssl", after)  # the echo
    finally:
        peer.kill()
        peer.wait(5)
        for stream in (peer.stdin, peer.stdout):
            if stream is not None:
                stream.close()


@needs_openssl
def test_tls_client_verifies_with_ca_and_prints_the_facts_on_stderr(launch: Launch, tmp_path: Path) -> None:
    pki = Pki(tmp_path)
    cert, key = pki.server()
    peer = SServer(cert, key)
    try:
        client = launch("tcp-client", "localhost", str(peer.port), "--tls", "--ca", str(pki.ca))
        assert "TLS" in client.line_with("TLS with", "err")
        facts = client.line_with("Certificate of", "err")
        assert "issuer CN=SocketLab Test CA" in facts and "SHA-256" in facts
        client.write(b"hello from socketlab\n")
        assert b"hello from socketlab" in peer.read_until(b"hello from socketlab")
        peer.send(b"hello from s_server\n")
        assert client.line_with("hello from s_server") == "hello from s_server\n"
    finally:
        peer.close()


@needs_openssl
def test_tls_client_without_the_ca_refuses_and_exits_1(tmp_path: Path) -> None:
    pki = Pki(tmp_path)
    cert, key = pki.server()
    peer = SServer(cert, key)
    try:
        done = run_main("tcp-client", "127.0.0.1", str(peer.port), "--tls", timeout=30)
    finally:
        peer.close()
    assert done.returncode == 1
    err = done.stderr.decode()
    assert "does not trust" in err and "Hint:" in err and "Traceback" not in err


def test_tls_client_to_a_plain_server_says_so(launch: Launch) -> None:
    server = launch("tcp-server", "--host", "127.0.0.1", "--port", "0", "--reply", "hello")
    port = listening_port(server)
    done = run_main("tcp-client", "127.0.0.1", str(port), "--tls", "--insecure", timeout=30)
    assert done.returncode == 1
    assert "did not answer like a TLS server" in done.stderr.decode()


def test_socketlab_client_and_server_over_tls(launch: Launch, settings: Path) -> None:
    server = launch("tcp-server", "--host", "127.0.0.1", "--port", "0", "--tls", "--reply", "echo")
    port = listening_port(server)
    done = run_main("tcp-client", "localhost", str(port), "--tls", "--ca", str(settings / "tls-cert.pem"),
                    data=b"round trip\n", timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"round trip\n"
    assert b"TLS with" in done.stderr


@pytest.mark.parametrize(("args", "says"), [
    (["tcp-client", "127.0.0.1", "9", "--insecure"], "--insecure only works with --tls"),
    (["tcp-client", "127.0.0.1", "9", "--ca", "x.pem", "--sni", "a"], "--ca and --sni only work with --tls"),
    (["tcp-client", "127.0.0.1", "9", "--tls", "--insecure", "--ca", "x.pem"], "contradict"),
    (["tcp-server", "--port", "0", "--tls", "--cert", "c.pem"], "--key is missing"),
    (["tcp-server", "--port", "0", "--cert", "c.pem", "--key", "k.pem"], "only work with --tls"),
    (["tcp-server", "--port", "0", "--tls", "--cert", "/nowhere/c.pem", "--key", "/nowhere/k.pem"],
     "'/nowhere/c.pem' cannot be read"),
])
def test_bad_tls_options_are_usage_errors(args: list[str], says: str) -> None:
    done = run_main(*args, timeout=30)
    assert done.returncode == 2
    err = done.stderr.decode()
    assert says in err and err.startswith("socketlab: ") and "Hint:" in err and err.count("\n") == 1
