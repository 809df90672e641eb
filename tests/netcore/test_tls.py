"""TLS on the engine's TCP server and client, against OpenSSL's own s_server and s_client and each other."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import socket
import ssl
import stat
import struct
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from netcore import EventQueue, InputError, TcpClient, TcpClientConfig, TcpServer, TcpServerConfig
from netcore.events import (
    DataReceived,
    DataSent,
    ErrorEvent,
    Event,
    Notice,
    PeerClosed,
    SocketCall,
    State,
    StepPending,
)
from netcore.replies import make_reply_rule
from netcore.tls import ServerTls, client_tls, server_tls
from netcore.worker import Endpoint
from tests.netcore.conftest import Recorder
from tests.tls_pki import OPENSSL, Pki, SServer, needs_openssl, read_until

Serve = Callable[..., tuple[TcpServer, int]]


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return Pki(tmp_path)


@pytest.fixture
def own_tls(tmp_path: Path) -> ServerTls:
    return server_tls(folder=tmp_path / "settings")


def connect(queue: EventQueue, started: list[Endpoint], port: int, name: str = "client", host: str = "127.0.0.1",
            timeout: float = 5.0, **tls: object) -> TcpClient:
    client = TcpClient(TcpClientConfig(host, port, timeout=timeout, tls=client_tls(host, **tls)),  # type: ignore[arg-type]
                       queue, name)
    started.append(client)
    client.start()
    return client


def calls(events: list[Event], endpoint: str) -> list[str]:
    return [e.call for e in events if isinstance(e, (SocketCall, DataReceived, DataSent)) and e.endpoint == endpoint]


def notice(rec: Recorder, endpoint: str, code: str, timeout: float = 10.0) -> Notice:
    return rec.wait_type(Notice, endpoint, timeout, lambda e: e.code == code)


def error(rec: Recorder, endpoint: str, timeout: float = 10.0) -> ErrorEvent:
    return rec.wait_type(ErrorEvent, endpoint, timeout)


# ---- the self-signed certificate made for this machine ----

def test_self_signed_pair_is_kept_private_and_reused(tmp_path: Path) -> None:
    folder = tmp_path / "settings"
    first = server_tls(folder=folder)
    key = folder / "tls-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "localhost" in first.made_for and "127.0.0.1" in first.made_for and "::1" in first.made_for
    assert socket.gethostname() in first.made_for
    again = server_tls(folder=folder)
    assert again.fingerprint == first.fingerprint  # the fingerprint the other side noted stays true
    (folder / "tls-cert.pem").write_text("not a certificate")
    remade = server_tls(folder=folder)
    assert remade.fingerprint != first.fingerprint
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


@needs_openssl
def test_fingerprint_is_the_one_openssl_shows(own_tls: ServerTls) -> None:
    assert OPENSSL is not None
    shown = subprocess.run([OPENSSL, "x509", "-in", own_tls.cert_path, "-noout", "-fingerprint", "-sha256"],
                           capture_output=True, text=True, check=True).stdout
    assert shown.strip().split("=", 1)[1] == own_tls.fingerprint


# ---- SocketLab's server, OpenSSL's client ----

@needs_openssl
def test_openssl_s_client_verifies_the_self_signed_server_and_talks(serve: Serve, rec: Recorder,
                                                                   own_tls: ServerTls) -> None:
    assert OPENSSL is not None
    server, port = serve(reply=make_reply_rule("echo"), tls=own_tls)
    assert notice(rec, server.name, "tls_self_signed_cert").params["fingerprint"] == own_tls.fingerprint
    proc = subprocess.Popen([OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", own_tls.cert_path,
                             "-verify_return_error", "-servername", "localhost", "-no_ign_eof"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert proc.stdin is not None
        proc.stdin.write(b"hello over tls\n")
        proc.stdin.flush()
        got = rec.wait_type(DataReceived, server.name, 10)
        assert got.data == b"hello over tls\n"
        rec.wait_type(DataSent, server.name, 10)
        out = read_until(proc, b"Verify return code")
        out = read_until(proc, b"hello over tls", out.split(b"Verify return code")[1])
        proc.communicate(b"", timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert out.startswith(b": 0 (ok)")
    assert b"hello over tls" in out  # the echo, after the session summary
    ready = notice(rec, server.name, "tls_ready")
    assert ready.params["version"].startswith("TLSv1.")
    order = calls(rec.events, server.name)
    assert order.index("accept") < order.index("wrap_socket") < order.index("do_handshake") < order.index("send")
    rec.wait_type(PeerClosed, server.name, 10)


# ---- SocketLab's client, OpenSSL's server ----

@needs_openssl
def test_client_verifies_with_the_ca_file_and_talks_both_ways(queue: EventQueue, rec: Recorder, pki: Pki,
                                                             no_worker_left_behind: list[Endpoint]) -> None:
    cert, key = pki.server()
    peer = SServer(cert, key)
    try:
        client = connect(queue, no_worker_left_behind, peer.port, ca=str(pki.ca))
        facts = notice(rec, client.name, "tls_peer_cert")
        assert facts.params["issuer"] == "CN=SocketLab Test CA"
        assert facts.params["subject"] == "CN=localhost"
        assert facts.params["not_after"].endswith("UTC") and len(facts.params["fingerprint"]) == 95
        assert not [e for e in rec.of(Notice, client.name) if e.code == "tls_unverified"]
        client.send(b"ping from socketlab\n")
        assert b"ping from socketlab" in peer.read_until(b"ping from socketlab")
        peer.send(b"pong from openssl\n")
        assert rec.wait_received(client.name, 18, 10) == b"pong from openssl\n"
    finally:
        peer.close()
    rec.wait_state(client.name, State.STOPPED, 10)


@needs_openssl
@pytest.mark.parametrize(("case", "code"), [("no_ca", "tls_unknown_ca"), ("wrong_name", "tls_name_mismatch"),
                                            ("expired", "tls_expired")])
def test_client_refuses_what_it_cannot_verify(queue: EventQueue, rec: Recorder, pki: Pki, case: str, code: str,
                                              no_worker_left_behind: list[Endpoint]) -> None:
    cert, key = pki.server(expired=case == "expired")
    peer = SServer(cert, key)
    options: dict[str, object] = {"ca": str(pki.ca)}
    if case == "no_ca":
        options = {}
    elif case == "wrong_name":
        options["sni"] = "device.example"
    try:
        client = connect(queue, no_worker_left_behind, peer.port, **options)
        problem = error(rec, client.name)
        assert problem.code == code, problem
        assert problem.fatal and problem.call == "do_handshake" and problem.hint
        if case == "wrong_name":
            assert "device.example" in problem.message
        rec.wait_state(client.name, State.ERROR, 10)
        assert not rec.of(DataSent, client.name)
    finally:
        peer.close()


@needs_openssl
def test_insecure_client_connects_and_says_it_did_not_verify(queue: EventQueue, rec: Recorder, pki: Pki,
                                                            no_worker_left_behind: list[Endpoint]) -> None:
    cert, key = pki.server(expired=True)
    peer = SServer(cert, key)
    try:
        client = connect(queue, no_worker_left_behind, peer.port, insecure=True)
        notice(rec, client.name, "tls_unverified")
        assert notice(rec, client.name, "tls_peer_cert").params["issuer"] == "CN=SocketLab Test CA"
        client.send(b"anyone there?\n")
        assert b"anyone there?" in peer.read_until(b"anyone there?")
    finally:
        peer.close()


# ---- mixing TLS and plain TCP ----

def test_tls_client_to_a_plain_server_that_speaks_first(serve: Serve, queue: EventQueue, rec: Recorder,
                                                        no_worker_left_behind: list[Endpoint]) -> None:
    _server, port = serve(reply=make_reply_rule("hello"))
    client = connect(queue, no_worker_left_behind, port, insecure=True)
    problem = error(rec, client.name)
    assert problem.code == "tls_not_tls_server", problem
    assert "plain TCP" in problem.hint
    rec.wait_state(client.name, State.ERROR, 10)


def test_tls_client_to_a_silent_plain_server_times_out(serve: Serve, queue: EventQueue, rec: Recorder,
                                                       no_worker_left_behind: list[Endpoint]) -> None:
    server, port = serve()
    client = connect(queue, no_worker_left_behind, port, timeout=1.0, insecure=True)
    assert rec.wait_type(DataReceived, server.name, 10).data[:1] == b"\x16"  # its ClientHello, seen as plain data
    problem = error(rec, client.name)
    assert problem.code == "tls_handshake_timeout" and problem.params["timeout"] == "1"
    rec.wait_state(client.name, State.ERROR, 10)


def test_plain_client_to_the_tls_server_is_named_and_only_it_closes(serve: Serve, rec: Recorder,
                                                                   own_tls: ServerTls) -> None:
    server, port = serve(tls=own_tls)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as plain:
        plain.sendall(b"hello\n")
        problem = error(rec, server.name)
        plain.settimeout(5)
        with contextlib.suppress(ConnectionResetError):  # closed with bytes unread: a reset is what TCP does
            while plain.recv(4096):  # the server closes it (after an alert, perhaps)
                pass
    assert problem.code == "tls_plain_client" and problem.params["first"] == "hello\\n"
    assert not problem.fatal and "0x16" in problem.message
    assert server.state is State.LISTENING
    talk_tls(port, own_tls, b"still serving")
    assert rec.wait_received(server.name, 13, 10).endswith(b"still serving")


def test_silent_plain_client_is_closed_after_the_handshake_time(serve: Serve, rec: Recorder,
                                                               own_tls: ServerTls) -> None:
    server, port = serve(tls=dataclasses.replace(own_tls, handshake_seconds=0.5))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as plain:
        problem = error(rec, server.name)
        plain.settimeout(5)
        assert plain.recv(10) == b""
    assert problem.code == "tls_client_silent"
    assert server.state is State.LISTENING


def talk_tls(port: int, tls: ServerTls, data: bytes) -> None:
    context = ssl.create_default_context(cafile=tls.cert_path)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname="localhost") as sock:
        sock.sendall(data)
        time.sleep(0.05)


def test_a_flood_of_garbage_and_plain_clients_does_not_stop_the_server(serve: Serve, rec: Recorder,
                                                                      own_tls: ServerTls) -> None:
    server, port = serve(tls=dataclasses.replace(own_tls, handshake_seconds=2.0))
    payloads = [os.urandom(64), b"GET / HTTP/1.1\r\n\r\n", b"\x16\x03\x01\x00\x05hello", b"",
                b"\x16\x03\x01\xff\xff" + b"A" * 1000]
    done: list[int] = []

    def pester(index: int) -> None:
        payload = payloads[index % len(payloads)]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                if payload:
                    sock.sendall(payload)
                if index % 7 == 0:  # close with a reset
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:
                    sock.settimeout(5)
                    sock.recv(4096)  # whatever the server answers before it closes this one
        except OSError:
            pass
        finally:
            done.append(index)

    threads = [threading.Thread(target=pester, args=(i,)) for i in range(120)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert len(done) == 120
    talk_tls(port, own_tls, b"after the flood")
    assert rec.wait_received(server.name, 15, 10).endswith(b"after the flood")
    assert server.state is State.LISTENING
    assert not [e for e in rec.of(ErrorEvent, server.name) if e.code.startswith("internal") or e.fatal]


# ---- volume, back-pressure and step mode ----

@pytest.mark.slow
def test_megabytes_both_ways_arrive_byte_exact(serve: Serve, queue: EventQueue, rec: Recorder, own_tls: ServerTls,
                                               no_worker_left_behind: list[Endpoint]) -> None:
    server, port = serve(reply=make_reply_rule("echo"), tls=own_tls)
    client = connect(queue, no_worker_left_behind, port, host="127.0.0.1", ca=own_tls.cert_path)
    notice(rec, client.name, "tls_ready")
    blob = os.urandom(1_500_000)
    for start in range(0, len(blob), 100_000):
        client.send(blob[start:start + 100_000])
    got = rec.wait_received(client.name, len(blob), 60)
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(blob).hexdigest()
    assert hashlib.sha256(rec.received(server.name)).hexdigest() == hashlib.sha256(blob).hexdigest()
    client.stop()
    closed = rec.wait_type(PeerClosed, server.name, 10)
    assert closed.bytes_in == closed.bytes_out == len(blob)


def test_the_outbox_bound_holds_for_tls(serve: Serve, rec: Recorder, own_tls: ServerTls) -> None:
    server, port = serve(tls=own_tls)
    context = ssl.create_default_context(cafile=own_tls.cert_path)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname="localhost"):
        peer = notice(rec, server.name, "tls_ready").peer
        assert peer is not None
        chunk = b"x" * (4 * 1024 * 1024)
        for _ in range(6):  # 24 MiB to a client that reads nothing
            server.send(chunk, [peer])
        refused = rec.wait_type(ErrorEvent, server.name, 10, lambda e: e.code == "send_buffer_full")
        assert not refused.fatal


def test_step_mode_gates_the_handshake(queue: EventQueue, rec: Recorder, own_tls: ServerTls,
                                       no_worker_left_behind: list[Endpoint]) -> None:
    server = TcpServer(TcpServerConfig("127.0.0.1", 0, tls=own_tls), queue, "stepped")
    no_worker_left_behind.append(server)
    server.set_step_mode(True)
    server.start()
    clicked = 0
    end = time.monotonic() + 10
    while server.state is not State.LISTENING:  # Next for socket, setsockopt, bind, listen, setblocking …
        assert time.monotonic() < end
        pending = rec.of(StepPending, server.name)
        if len(pending) > clicked:
            clicked = len(pending)
            server.step_next()
        queue.wait(0.05)
    result: list[bytes] = []
    thread = threading.Thread(target=lambda: result.append(_tls_exchange(server, own_tls)), daemon=True)
    thread.start()
    while rec.of(StepPending, server.name)[-1].call != "do_handshake":  # accept, setblocking, … wrap_socket
        assert time.monotonic() < end + 10
        pending = rec.of(StepPending, server.name)
        if len(pending) > clicked:
            clicked = len(pending)
            server.step_next()
        queue.wait(0.05)
    time.sleep(0.3)
    assert not [e for e in rec.of(SocketCall, server.name) if e.call == "do_handshake"]  # held at the gate
    assert rec.of(StepPending, server.name)[-1].peer is not None
    server.step_continue()
    thread.join(15)
    assert result == [b"stepped"]
    rec.wait_received(server.name, 7, 10)
    order = calls(rec.events, server.name)
    assert order.index("accept") < order.index("do_handshake") < order.index("recv")


def _tls_exchange(server: TcpServer, tls: ServerTls) -> bytes:
    assert server.local_address is not None
    context = ssl.create_default_context(cafile=tls.cert_path)
    with socket.create_connection(server.local_address, timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname="localhost") as sock:
        sock.sendall(b"stepped")
        return b"stepped"


# ---- bad certificate and key files: an input error naming the file ----

def test_bad_files_are_named(tmp_path: Path, pki: Pki) -> None:
    cert, key = pki.server()
    other_cert, other_key = pki.server("other")
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    missing = str(tmp_path / "nowhere.pem")
    cases = [
        ((missing, str(key)), "cert", "tls_file_unreadable", missing),
        ((str(garbage), str(key)), "cert", "tls_cert_bad", str(garbage)),
        ((str(cert), missing), "key", "tls_file_unreadable", missing),
        ((str(cert), str(garbage)), "key", "tls_key_bad", str(garbage)),
        ((str(cert), str(other_key)), "key", "tls_key_mismatch", str(other_key)),
        ((str(cert), None), "key", "tls_pair_needed", "key"),
    ]
    for (cert_file, key_file), field, code, named in cases:
        with pytest.raises(InputError) as caught:
            server_tls(cert_file, key_file, folder=tmp_path)
        assert (caught.value.field, caught.value.code) == (field, code)
        assert named in str(caught.value) and "Hint:" in str(caught.value)
    assert server_tls(str(other_cert), str(other_key)).made_for == ()


def test_a_password_protected_key_is_refused_without_asking(tmp_path: Path, pki: Pki) -> None:
    cert, key = pki.server()
    loaded = serialization.load_pem_private_key(key.read_bytes(), password=None)
    locked = tmp_path / "locked.key"
    locked.write_bytes(loaded.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.BestAvailableEncryption(b"secret")))
    with pytest.raises(InputError) as caught:
        server_tls(str(cert), str(locked))
    assert caught.value.code == "tls_key_encrypted" and str(locked) in str(caught.value)


def test_a_bad_ca_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("hello")
    with pytest.raises(InputError) as caught:
        client_tls("127.0.0.1", ca=str(bad))
    assert caught.value.field == "ca" and str(bad) in str(caught.value)


def test_framing_cuts_what_tls_decrypted(serve: Serve, rec: Recorder, own_tls: ServerTls) -> None:
    from netcore.framing import FrameSettings

    server, port = serve(tls=own_tls, framing=FrameSettings("lines"))
    context = ssl.create_default_context(cafile=own_tls.cert_path)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname="localhost") as sock:
        sock.sendall(b"one\ntwo\nthr")
        sock.sendall(b"ee\n")
        rec.wait_received(server.name, 14, 10)
    frames = [e.data for e in rec.of(DataReceived, server.name)]
    assert frames == [b"one\n", b"two\n", b"three\n"]
