"""``--record FILE`` on every command: the session is on disk, complete after SIGTERM, and charts from it."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

from netcore.events import DataReceived, PeerClosed, PeerConnected
from netcore.session.record import read_session
from tests.cli.conftest import run_main
from tests.cli.stdio_helpers import StderrReader, port_from, start_cli, wait_exit


def test_tcp_server_records_until_sigterm_and_the_record_charts(tmp_path: Path) -> None:
    record = tmp_path / "server.jsonl"
    process = start_cli(["tcp-server", "--host", "127.0.0.1", "--port", "0", "--reply", "hello", "--record",
                         str(record)])
    err = StderrReader(process)
    assert process.stdout is not None
    port = port_from(process.stdout.readline())
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(b"Ann\nexit\n")
        while client.recv(100):
            pass
    time.sleep(0.3)
    assert read_session(record).events  # flushed as it goes: readable while still recording
    process.send_signal(signal.SIGTERM)
    assert wait_exit(process, 5) is not None
    assert b"recorded" in err.finish()
    session = read_session(record)
    assert session.complete and session.kind == "tcp-server"
    kinds = {type(e) for e in session.events}
    assert {PeerConnected, DataReceived, PeerClosed} <= kinds
    assert b"".join(e.data for e in session.events if isinstance(e, DataReceived)) == b"Ann\nexit\n"
    chart = run_main("chart", str(record), "-o", str(tmp_path / "c.svg"))
    assert chart.returncode == 0 and "Hello, Ann!" in (tmp_path / "c.svg").read_text(encoding="utf-8")


def test_tcp_client_and_udp_record_too(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        process = start_cli(["tcp-client", "127.0.0.1", str(port), "--record", str(tmp_path / "client.jsonl")])
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"banner\n")
        assert process.stdin is not None
        process.stdin.close()
        assert wait_exit(process, 10) is not None
    client = read_session(tmp_path / "client.jsonl")
    assert client.complete and any(isinstance(e, DataReceived) and e.data == b"banner\n" for e in client.events)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        result = run_main("udp", "--to", f"127.0.0.1:{peer.getsockname()[1]}", "-q", "0.2", "--record",
                          str(tmp_path / "udp.jsonl"), data=b"one\ntwo\n")
        assert result.returncode == 0 and peer.recv(10) == b"one"
    udp = read_session(tmp_path / "udp.jsonl")
    assert udp.complete and [e.call for e in udp.events if hasattr(e, "data")] == ["sendto", "sendto"]


def test_an_unwritable_record_is_refused_before_anything_starts(tmp_path: Path) -> None:
    result = run_main("tcp-server", "--port", "0", "--record", str(tmp_path / "no" / "dir" / "x.jsonl"))
    assert result.returncode == 1 and b"cannot record" in result.stderr and b"Traceback" not in result.stderr
