"""``main.py relay`` as a real process: banner, both directions printed, --hex, --record, errors, SIGTERM."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from netcore.events import DOWNSTREAM, UPSTREAM, DataReceived, DataSent
from netcore.session.pcap import reconstruct
from netcore.session.record import read_session
from netcore.session.sequence import SequenceModel
from tests.cli.conftest import ROOT, Running, cli_env

Launch = Callable[..., Running]


def relay_port(running: Running) -> int:
    line = running.line_with("Clients connect to")
    found = re.search(r"127\.0\.0\.1:(\d+)", line)
    assert found, line
    return int(found.group(1))


def server_socket() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(10)
    return server


def test_tcp_relay_prints_both_directions_and_the_totals(launch: Launch, tmp_path: Path) -> None:
    server = server_socket()
    target = server.getsockname()[1]
    record = tmp_path / "relay.jsonl"
    running = launch("relay", "--listen", "127.0.0.1:0", "--to", f"127.0.0.1:{target}", "--record", str(record))
    assert f"forwarding every client to 127.0.0.1:{target}" in running.line_with("Relay on 127.0.0.1:")
    port = relay_port(running)
    client = socket.create_connection(("127.0.0.1", port), timeout=10)
    accepted, _ = server.accept()
    client.sendall(b"GET /status\r\n")
    assert accepted.recv(100) == b"GET /status\r\n"
    accepted.sendall(b"OK 42\r\n")
    assert client.recv(100) == b"OK 42\r\n"
    client_address = client.getsockname()
    me = f"127.0.0.1:{client_address[1]}"
    assert running.line_with("client → server") == f"[{me}] client → server 13 bytes: GET /status\\r\\n\n"
    assert running.line_with("server → client") == f"[{me}] server → client 7 bytes: OK 42\\r\\n\n"
    client.close()
    accepted.close()
    running.line_with("closed")
    assert running.stop() == 0  # SIGTERM: a clean stop
    assert running.line_with("total:").strip() == ("total: 1 client; client → server 13 bytes in 1 message, "
                                                   "13 delivered; server → client 7 bytes in 1 message, 7 delivered")
    session = read_session(record)
    assert session.complete and session.kind == "relay"
    data = [e for e in session.events if isinstance(e, (DataReceived, DataSent))]
    assert [(type(e).__name__, e.direction, e.data) for e in data] == [
        ("DataReceived", UPSTREAM, b"GET /status\r\n"), ("DataSent", UPSTREAM, b"GET /status\r\n"),
        ("DataReceived", DOWNSTREAM, b"OK 42\r\n"), ("DataSent", DOWNSTREAM, b"OK 42\r\n")]
    chart = SequenceModel(session.kind)
    for event in session.events:
        chart.feed(event)
    handshakes = [(item.source, item.target) for item in chart.items if item.kind == "handshake"]
    client_lane, server_lane = chart.lane_for(client_address), chart.lane_for(("127.0.0.1", target))
    assert handshakes == [(client_lane, 0), (0, server_lane)]  # the client connected to us; we to the server
    frames, skipped = reconstruct(session)
    assert skipped == 0
    syns = [frame.data for frame in frames if frame.data[47] == 0x02]  # SYN only: who opened each connection
    assert [int.from_bytes(syn[36:38], "big") for syn in syns] == [port, target]
    server.close()


def test_udp_relay_with_hex(launch: Launch) -> None:
    target = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    target.bind(("127.0.0.1", 0))
    target.settimeout(10)
    running = launch("relay", "--udp", "--hex", "--listen", "127.0.0.1:0", "--to",
                     f"127.0.0.1:{target.getsockname()[1]}")
    assert "(UDP)" in running.line_with("Relay on")
    port = relay_port(running)
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.settimeout(10)
    client.sendto(bytes.fromhex("0103000000 0a"), ("127.0.0.1", port))
    data, upstream = target.recvfrom(100)
    assert data == bytes.fromhex("01030000000a")
    target.sendto(b"\x01\x03\x14", upstream)
    assert client.recvfrom(100)[0] == b"\x01\x03\x14"
    me = f"127.0.0.1:{client.getsockname()[1]}"
    assert running.line_with("client → server").strip() == f"[{me}] client → server 6 bytes: 01 03 00 00 00 0A"
    assert running.line_with("server → client").strip() == f"[{me}] server → client 3 bytes: 01 03 14"
    assert running.stop() == 0
    client.close()
    target.close()


def test_a_refused_target_is_said_on_stderr_and_the_relay_keeps_going(launch: Launch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    running = launch("relay", "--listen", "127.0.0.1:0", "--to", f"127.0.0.1:{dead}")
    port = relay_port(running)
    client = socket.create_connection(("127.0.0.1", port), timeout=10)
    assert client.recv(10) == b""
    line = running.line_with("refused", which="err")
    assert line.startswith("socketlab: Connection to 127.0.0.1:") and "Hint:" in line
    assert "could not be reached" in running.line_with("Relay: closed client")
    client.close()
    assert running.process.poll() is None
    running.process.send_signal(signal.SIGINT)
    assert running.process.wait(10) == 0


@pytest.mark.parametrize(("args", "said"), [
    (["--to", "127.0.0.1:0"], "not 0"),
    (["--to", "127.0.0.1"], "host:port"),
    ([], "--to"),
    (["--to", "127.0.0.1:9000", "--listen", "127.0.0.1:99999"], "--listen"),
])
def test_bad_arguments_exit_2_with_one_line(args: list[str], said: str) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "relay", *args], cwd=ROOT, env=cli_env(),
                          capture_output=True, timeout=30, check=False)
    assert done.returncode == 2
    assert said in done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()


def test_a_port_in_use_exits_1_with_the_reason(launch: Launch) -> None:
    busy = server_socket()
    port = busy.getsockname()[1]
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "relay", "--listen", f"127.0.0.1:{port}",
                           "--to", "127.0.0.1:9"], cwd=ROOT, env=cli_env(), capture_output=True, timeout=30,
                          check=False)
    assert done.returncode == 1
    assert "already in use" in done.stderr.decode() and "Hint:" in done.stderr.decode()
    busy.close()
