"""``main.py chart`` and ``main.py pcap`` on real recorded sessions, and on broken files."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from netcore import EventQueue, TcpServer, TcpServerConfig
from netcore.events import PeerClosed, State
from netcore.replies import make_reply_rule
from netcore.session.pcapread import read_pcapng, tcp_streams
from netcore.session.record import SessionWriter
from tests.cli.conftest import run_main


def record_hello_session(path: Path) -> bytes:
    """A hello server answering one client for real; its events written as a session file."""
    queue = EventQueue()
    server = TcpServer(TcpServerConfig("127.0.0.1", 0, reply=make_reply_rule("hello")), queue, "server")
    writer = SessionWriter(path, "tcp-server", "server", "test")
    server.start()
    try:
        events = []
        while server.state is not State.LISTENING or server.local_address is None:
            events += queue.drain()
            queue.wait(0.05)
        with socket.create_connection(("127.0.0.1", server.local_address[1]), timeout=5) as client:
            client.sendall(b"Ann\nexit\n")
            answer = b""
            while chunk := client.recv(4096):
                answer += chunk
        while not any(isinstance(e, PeerClosed) for e in events):
            queue.wait(0.05)
            events += queue.drain()
    finally:
        server.stop()
    writer.write(events + queue.drain())
    writer.close()
    return answer


def test_chart_writes_an_svg_with_both_lanes_and_every_message(tmp_path: Path) -> None:
    record = tmp_path / "hello.jsonl"
    record_hello_session(record)
    for lang, self_lane in (("en", "this server 127.0.0.1:"), ("zh", "本服务器 127.0.0.1:")):
        out = tmp_path / f"chart-{lang}.svg"
        result = run_main("chart", str(record), "-o", str(out), "--lang", lang)
        assert result.returncode == 0, result.stderr
        assert b"Wrote" in result.stdout
        texts = [t.text or "" for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text")]
        assert any(t.startswith(self_lane) for t in texts)
        assert any("'Ann\\nexit\\n'" in t or "'Ann\\n'" in t for t in texts)
        assert any("Welcome!" in t for t in texts)


def test_pcap_rebuilds_the_exact_bytes(tmp_path: Path) -> None:
    record = tmp_path / "hello.jsonl"
    answer = record_hello_session(record)
    out = tmp_path / "hello.pcapng"
    result = run_main("pcap", str(record), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert b"not captured" in result.stdout
    streams = tcp_streams(read_pcapng(out.read_bytes()))
    assert sorted(streams.values()) == sorted([b"Ann\nexit\n", answer])
    tshark = shutil.which("tshark")
    if tshark:
        follow = subprocess.run([tshark, "-r", str(out), "-q", "-z", "follow,tcp,ascii,0"], capture_output=True,
                                text=True, timeout=60, check=True).stdout
        assert "Ann" in follow and "Welcome!" in follow and "Good bye!" in follow


@pytest.mark.parametrize(("content", "says"), [
    (None, "no such file"),
    (b"", "empty"),
    (b"not json\n", "not JSON"),
    (json.dumps({"format": "socketlab-session", "version": 1}).encode() + b'\n{"type": "DataRece', "cut short"),
])
@pytest.mark.parametrize("command", ["chart", "pcap"])
def test_a_bad_session_file_is_one_clear_line_and_exit_1(tmp_path: Path, content: bytes | None, says: str,
                                                         command: str) -> None:
    record = tmp_path / "s.jsonl"
    if content is not None:
        record.write_bytes(content)
    result = run_main(command, str(record), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("socketlab: ") and says in lines[0] and "Hint:" in lines[0]
    assert b"Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    assert run_main("chart", str(tmp_path / "x")).returncode == 2  # no -o
    assert run_main("chart", "x", "-o", "y", "--lang", "fr").returncode == 2
    assert run_main("chart", "x", "-o", "y", "--max-items", "0").returncode == 2


def test_an_unwritable_output_is_explained(tmp_path: Path) -> None:
    record = tmp_path / "hello.jsonl"
    record_hello_session(record)
    result = run_main("pcap", str(record), "-o", str(tmp_path / "no" / "such" / "dir" / "x.pcapng"))
    assert result.returncode == 1 and b"cannot write" in result.stderr and b"Traceback" not in result.stderr
