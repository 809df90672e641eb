"""``main.py relay --frame``: one line per frame in each direction, checksums flagged, bad options refused."""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path

from netcore.events import UPSTREAM, DataReceived
from netcore.session.pcap import reconstruct
from netcore.session.record import read_session
from tests.cli.conftest import Running, run_main
from tests.cli.test_relay_cli import relay_port, server_socket

Launch = Callable[..., Running]


def prefixed(body: bytes) -> bytes:
    return struct.pack(">H", len(body)) + body


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        assert chunk, f"closed after {len(data)} of {size} bytes"
        data += chunk
    return data


def lines_with(running: Running, text: str, count: int) -> list[str]:
    return [running.line_with(text) for _ in range(count)]


def test_relay_frame_len_2be_prints_one_line_per_frame_each_way(launch: Launch, tmp_path: Path) -> None:
    server = server_socket()
    record = tmp_path / "framed.jsonl"
    running = launch("relay", "--listen", "127.0.0.1:0", "--to", f"127.0.0.1:{server.getsockname()[1]}",
                     "--frame", "len:2be", "--record", str(record))
    client = socket.create_connection(("127.0.0.1", relay_port(running)), timeout=10)
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    accepted, _ = server.accept()
    accepted.settimeout(10)
    stream = prefixed(b"ping") + prefixed(b"status?") + prefixed(b"x")
    for start, end in ((0, 1), (1, 7), (7, len(stream))):  # a prefix split, a frame and a half, the rest
        client.sendall(stream[start:end])
        recv_exactly(accepted, end - start)
    accepted.sendall(prefixed(b"pong") + prefixed(b"ok"))
    recv_exactly(client, 10)
    me = f"127.0.0.1:{client.getsockname()[1]}"
    up = lines_with(running, "client → server", 3)
    assert up == [f"[{me}] client → server 6 bytes: \\x00\\x04ping\n",
                  f"[{me}] client → server 9 bytes: \\x00\\x07status?\n",
                  f"[{me}] client → server 3 bytes: \\x00\\x01x\n"]
    down = lines_with(running, "server → client", 2)
    assert down == [f"[{me}] server → client 6 bytes: \\x00\\x04pong\n",
                    f"[{me}] server → client 4 bytes: \\x00\\x02ok\n"]
    client.close()
    accepted.close()
    running.line_with("closed")
    assert running.stop() == 0
    assert running.line_with("total:").strip() == ("total: 1 client; client → server 18 bytes in 3 frames, "
                                                   "18 delivered; server → client 10 bytes in 2 frames, 10 delivered")
    session = read_session(record)  # the frames are recorded as frames, and the capture still rebuilds
    frames = [e for e in session.events if isinstance(e, DataReceived) and e.direction == UPSTREAM]
    assert [(e.data, e.frame) for e in frames] == [(prefixed(b"ping"), "len:2be"), (prefixed(b"status?"), "len:2be"),
                                                   (prefixed(b"x"), "len:2be")]
    _packets, skipped = reconstruct(session)
    assert skipped == 0
    server.close()


def test_relay_append_flags_a_bad_frame_and_an_incomplete_one(launch: Launch) -> None:
    server = server_socket()
    running = launch("relay", "--listen", "127.0.0.1:0", "--to", f"127.0.0.1:{server.getsockname()[1]}",
                     "--frame", "fixed:8", "--append", "crc16-modbus", "--hex")
    client = socket.create_connection(("127.0.0.1", relay_port(running)), timeout=10)
    accepted, _ = server.accept()
    accepted.settimeout(10)
    good, bad = bytes.fromhex("01 03 00 00 00 0A C5 CD"), bytes.fromhex("01 03 00 00 00 0A C5 CE")
    client.sendall(good + bad + b"\x01\x03")
    assert recv_exactly(accepted, 18) == good + bad + b"\x01\x03"  # forwarded unchanged, the bad one too
    first = running.line_with("client → server")
    assert first.endswith("8 bytes: 01 03 00 00 00 0A C5 CD\n")
    second = running.line_with("client → server")
    assert second.endswith("8 bytes: 01 03 00 00 00 0A C5 CE  [bad checksum (crc16-modbus)]\n")
    client.close()
    third = running.line_with("client → server")
    assert third.endswith("2 bytes: 01 03  [incomplete frame]\n")
    accepted.close()
    assert running.stop() == 0
    server.close()


def test_relay_frame_and_append_are_checked_as_usage_errors() -> None:
    for args, words in ((["--frame", "len:3"], "Unknown framing"), (["--append", "crc99"], "crc99"),
                        (["--append", "sum8"], "--append sum8 checks frames, but no --frame was given")):
        started = time.monotonic()
        result = run_main("relay", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:9", *args)
        assert result.returncode == 2, result
        err = result.stderr.decode()
        assert words in err and "Traceback" not in err
        assert time.monotonic() - started < 30
