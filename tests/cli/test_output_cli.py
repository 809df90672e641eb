"""The output path of the real CLI: folded lines with exact totals, capped previews, --full,
--quiet, --save, hex, and no terminal control character reaching the screen (fault 12).

Real processes, real sockets on 127.0.0.1, a real pseudo-terminal for udp.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.conftest import ROOT, cli_env, run_main
from tests.cli.test_cli import listening_port, start_server
from tests.cli.test_folding import counted
from tests.netcore.test_payload import unsafe

pytestmark = pytest.mark.timeout(90)


def lines_until(server, text: str, timeout: float = 20) -> list[str]:
    """Every stdout line up to and including the first that contains ``text``."""
    seen: list[str] = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        seen.append(server.line(timeout=max(0.1, end - time.monotonic())))
        if text in seen[-1]:
            return seen
    raise AssertionError(f"{text!r} not seen: {seen[-10:]}")


def send_and_close(port: int, chunks: list[bytes]) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for chunk in chunks:
            client.sendall(chunk)


def test_folding_keeps_exact_totals(launch) -> None:
    server, port = start_server(launch)
    rng = random.Random(12)
    chunks = [rng.randbytes(rng.randint(1, 8192)) for _ in range(1500)]
    total = sum(map(len, chunks))
    send_and_close(port, chunks)
    lines = lines_until(server, "closed:")
    assert counted(lines)[1] == total
    assert f"received {total:,} bytes, sent 0 bytes" in lines[-1]
    assert len(lines) < 100, "a flood must fold into few lines"
    server.process.terminate()
    assert f"total: 1 connection; received {total:,} bytes, sent 0 bytes" in server.line_with("total:")


def test_messages_past_the_first_ten_of_an_interval_fold_into_one_line(launch) -> None:
    server, port = start_server(launch, "--fold", "30", "-v")
    messages = [b"m%02d\n" % n for n in range(12)]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        for message in messages:
            client.sendall(message)
            server.line_with(f"-> {len(message)} bytes", "err")  # the server's recv() took it alone
    lines = lines_until(server, "closed:")
    assert [line.split(": ", 1)[1] for line in lines[1:11]] == [f"m{n:02d}\\n\n" for n in range(10)]
    assert "received 2 messages, 8 bytes in " in lines[11] and lines[11].endswith(": m10\\nm11\\n\n")


def test_preview_is_capped_with_the_bytes_not_shown(launch) -> None:
    server, port = start_server(launch, "--fold", "30")
    send_and_close(port, [b"a" * 1000])
    line = server.line_with("received")
    assert re.search(r"bytes: a{80} … \(920 bytes not shown\)$", line), line


def test_full_shows_every_byte(launch) -> None:
    server, port = start_server(launch, "--full")
    payload = "é🙂\\x".encode() * 300
    send_and_close(port, [payload])
    lines = [line for line in lines_until(server, "closed:") if "received" in line and "closed" not in line]
    shown = "".join(line.rstrip("\n").split(" bytes: ", 1)[1] for line in lines)
    assert shown == "é🙂\\\\x" * 300 and "not shown" not in "".join(lines)


def test_quiet_prints_no_data_lines_but_connects_closes_and_totals(launch) -> None:
    server, port = start_server(launch, "--quiet", "--reply", "echo")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        for _ in range(20):
            client.sendall(b"ping\n")
            assert client.recv(10) == b"ping\n"
    lines = lines_until(server, "closed:")
    assert [line.split("] ", 1)[1].split(":")[0].strip() for line in lines] == ["connected", "closed"]
    assert "received 100 bytes, sent 100 bytes" in lines[-1]
    server.process.terminate()
    assert "received 100 bytes, sent 100 bytes" in server.line_with("total:")


def test_save_writes_exactly_the_received_bytes_in_order(launch, tmp_path: Path) -> None:
    saved = tmp_path / "received.bin"
    server, port = start_server(launch, "--save", str(saved))
    payload = random.Random(20).randbytes(20 * 1024 * 1024)
    send_and_close(port, [payload[i:i + 65536] for i in range(0, len(payload), 65536)])
    server.line_with("closed:", timeout=60)
    send_and_close(port, [b"and then this"])
    server.line_with("received 13 bytes", timeout=10)
    server.process.terminate()
    assert f"saved {len(payload) + 13:,} bytes to {saved}" in server.line_with("saved ")
    assert server.process.wait(10) == 0
    expected = hashlib.sha256(payload + b"and then this").hexdigest()
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == expected


def test_save_to_a_folder_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    result = run_main("tcp-server", "--port", "0", "--save", str(tmp_path / "no" / "such.bin"))
    assert result.returncode == 2
    assert b"socketlab: cannot write" in result.stderr and b"Hint:" in result.stderr


@pytest.mark.parametrize("value", ["-1", "nan", "soon"])
def test_bad_fold_is_a_usage_error(value: str) -> None:
    assert run_main("tcp-server", "--port", "0", "--fold", value).returncode == 2


def test_hex_preview_is_capped_too(launch) -> None:
    server, port = start_server(launch, "--hex", "--fold", "30")
    send_and_close(port, [bytes(range(100))])
    line = server.line_with("received")
    assert "received 100 bytes: 00 01 02 03" in line and line.endswith("18 19 … (74 bytes not shown)\n")


ATTACK = "clip\x1b]52;c;aGk=\x07 csi\u009b2J osc\u009d0;t\u009c nel\u0085 \u202eevil\u2066 two\u2028lines\n"


@pytest.mark.parametrize(("encoding", "data", "shown"), [
    ("utf-8", "csi\u009b2J osc\u009d0;t\u009c nel\u0085".encode(), "csi\\u009b2J osc\\u009d0;t\\u009c nel\\u0085"),
    ("utf-8", "\u202eevil\u2066 two\u2028lines\n".encode(), "\\u202eevil\\u2066 two\\u2028lines\\n"),
    ("utf-8", b"clip\x1b]52;c;aGk=\x07", "clip\\x1b]52;c;aGk=\\x07"),
    ("latin-1", b"csi\x9b2J osc\x9d52;c;x\x07 nel\x85", "csi\\u009b2J osc\\u009d52;c;x\\x07 nel\\u0085"),
])
def test_no_control_character_reaches_the_terminal(launch, encoding: str, data: bytes, shown: str) -> None:
    server, port = start_server(launch, "--encoding", encoding)
    send_and_close(port, [data])
    line = server.line_with("received")
    assert line.endswith(f"received {len(data)} bytes: {shown}\n")
    assert not any(unsafe(char) for char in line[:-1]), line


def udp_on_a_terminal(*extra: str) -> tuple[subprocess.Popen[bytes], int, int]:
    """``udp --bind`` with its stdout on a pseudo-terminal; (process, pty master, port)."""
    master, slave = os.openpty()
    process = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "udp", "--bind", "127.0.0.1:0", *extra],
                               cwd=ROOT, env=cli_env(), stdin=subprocess.PIPE, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    assert process.stderr is not None
    port = listening_port(process.stderr.readline().decode())
    return process, master, port


def read_terminal(master: int, until: bytes, timeout: float = 10) -> bytes:
    got = b""
    end = time.monotonic() + timeout
    while until not in got and time.monotonic() < end:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            got += os.read(master, 65536)
    return got


def test_udp_on_a_terminal_shows_each_datagram_escaped_on_one_line() -> None:
    process, master, port = udp_on_a_terminal()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
            peer.sendto(ATTACK.encode(), ("127.0.0.1", port))
            shown = read_terminal(master, b"lines\\n")
        text = shown.decode("utf-8", "replace")
        (line,) = [part for part in text.splitlines() if "received" in part]
        assert "\x1b" not in text and "\x07" not in text and not any(unsafe(char) for char in line)
        assert f"received {len(ATTACK.encode())} bytes: clip\\x1b]52;c;aGk=\\x07 csi\\u009b2J" in line
    finally:
        process.kill()
        process.wait(5)
        os.close(master)


def test_udp_to_a_pipe_stays_raw_and_lines_escapes_it(launch, tmp_path: Path) -> None:
    raw = launch("udp", "--bind", "127.0.0.1:0")
    escaped = launch("udp", "--bind", "127.0.0.1:0", "--lines", "--save", str(tmp_path / "got.bin"))
    ports = [listening_port(raw.line("err")), listening_port(escaped.line("err"))]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        for port in ports:
            peer.sendto(b"a\x1bb\n", ("127.0.0.1", port))
    assert raw.line() == "a\x1bb\n"
    assert escaped.line_with("received").endswith("received 4 bytes: a\\x1bb\\n\n")
    escaped.process.terminate()
    assert "total: received 1 datagram (4 bytes), sent 0 datagrams (0 bytes)" in escaped.line_with("total:")
    assert escaped.process.wait(10) == 0
    assert (tmp_path / "got.bin").read_bytes() == b"a\x1bb\n"


def test_udp_asks_for_a_large_receive_buffer(launch) -> None:
    udp = launch("udp", "--bind", "127.0.0.1:0", "-v")
    assert "setsockopt(SOL_SOCKET, SO_RCVBUF, 4194304) -> ok" in udp.line_with("SO_RCVBUF", "err")
