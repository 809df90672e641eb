"""The toolkit's command-line flags, as a user runs them: real processes, real sockets on loopback."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from pathlib import Path

import pytest

from netcore.library import Library, SavedMessage
from tests.cli.conftest import run_main
from tests.cli.test_cli import listening_port, start_server


def capture_server() -> tuple[socket.socket, list[bytes], threading.Thread]:
    """A real receiving socket: accepts one connection and keeps every byte until the FIN."""
    listener = socket.create_server(("127.0.0.1", 0))
    got: list[bytes] = []

    def run() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(10)
            while chunk := conn.recv(65536):
                got.append(chunk)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return listener, got, thread


def test_modbus_request_leaves_the_socket_with_its_crc(launch) -> None:
    listener, got, thread = capture_server()
    with listener:
        result = run_main("tcp-client", "127.0.0.1", str(listener.getsockname()[1]), "--hex",
                          "--append", "crc16-modbus", data=b"01 03 00 00 00 0A\n")
        thread.join(10)
    assert result.returncode == 0, result.stderr
    assert b"".join(got).hex(" ").upper() == "01 03 00 00 00 0A C5 CD"


def test_udp_appends_too() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        peer.settimeout(5)
        result = run_main("udp", "--to", f"127.0.0.1:{peer.getsockname()[1]}", "--append", "crc32", "-q", "0.2",
                          data=b"123456789\n")
        assert result.returncode == 0, result.stderr
        assert peer.recv(100) == b"123456789" + bytes.fromhex("CBF43926")


def test_server_appends_to_typed_lines(launch) -> None:
    server, port = start_server(launch, "--append", "sum8")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        server.line_with("connected")
        server.write(b"AB\n")
        assert client.recv(100) == b"AB\x83"  # the newline is not sent when a checksum ends the message


def test_a_length_prefixed_stream_is_one_line_per_frame(launch) -> None:
    server, port = start_server(launch, "--frame", "len:2be", "--timestamps")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        server.line_with("connected")
        client.sendall(b"\x00\x03abc\x00\x02hi\x00\x01!" + b"\x00\x09cut")
    lines = [server.line_with("received") for _ in range(4)]
    assert [re.sub(r"^\S+ \[[^]]+\] ", "", line.strip()) for line in lines] == [
        "received 5 bytes: \\x00\\x03abc", "received 4 bytes: \\x00\\x02hi", "received 3 bytes: \\x00\\x01!",
        "received 5 bytes: \\x00\\tcut  [incomplete frame]"]
    assert re.match(r"\d\d:\d\d:\d\d\.\d\d\d \[127\.0\.0\.1:", lines[0])
    assert server.stop() == 0


def test_a_bad_frame_checksum_is_flagged_on_its_line(launch) -> None:
    server, port = start_server(launch, "--frame", "fixed:8", "--append", "crc16-modbus")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        server.line_with("connected")
        client.sendall(bytes.fromhex("01 03 00 00 00 0A C5 CD") + bytes.fromhex("01 03 00 00 00 0A C5 CE"))
        good, bad = server.line_with("received"), server.line_with("received")
    assert "[" not in good.split("received", 1)[1] and bad.rstrip().endswith("[bad checksum (crc16-modbus)]")


def test_the_tcp_client_prints_one_line_per_frame() -> None:
    listener = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"\x02hi\x03abc")

    threading.Thread(target=answer, daemon=True).start()
    with listener:
        result = run_main("tcp-client", "127.0.0.1", str(listener.getsockname()[1]), "--frame", "len:1")
    assert (result.returncode, result.stdout) == (0, b"\\x02hi\n\\x03abc\n")


def test_custom_reply_template_on_the_server_and_udp(launch) -> None:
    _, port = start_server(launch, "--reply", "custom", "--template", "got {message} #{count}\\n")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(b"ping")
        assert client.recv(100) == b"got ping #1\n"
    udp = launch("udp", "--bind", "127.0.0.1:0", "--reply", "custom", "--template", "[{message}]")
    udp_port = listening_port(udp.line("err"))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.settimeout(5)
        peer.sendto(b"x", ("127.0.0.1", udp_port))
        assert peer.recv(100) == b"[x]"


def test_repeat_every_sends_n_times_spaced(launch) -> None:
    listener, got, thread = capture_server()
    with listener:
        start = time.monotonic()
        result = run_main("tcp-client", "127.0.0.1", str(listener.getsockname()[1]), "--repeat", "3",
                          "--every", "150", data=b"tick\n")
        thread.join(10)
    assert result.returncode == 0, result.stderr
    assert b"".join(got) == b"tick\n" * 3 and time.monotonic() - start >= 0.3
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        peer.settimeout(5)
        result = run_main("udp", "--to", f"127.0.0.1:{peer.getsockname()[1]}", "--repeat", "4", "--every", "0",
                          "-q", "0.2", data=b"d\n")
        assert result.returncode == 0, result.stderr
        assert [peer.recv(10) for _ in range(4)] == [b"d"] * 4


def test_send_saved_sends_a_message_from_the_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCKETLAB_CONFIG_DIR", str(tmp_path))
    Library([SavedMessage("probe", "PING {host}:{port}", line_ending="crlf")], tmp_path / "library.json").store()
    listener, got, thread = capture_server()
    port = listener.getsockname()[1]
    with listener:
        result = run_main("tcp-client", "127.0.0.1", str(port), "--send-saved", "probe")
        thread.join(10)
    assert result.returncode == 0, result.stderr
    assert b"".join(got) == f"PING 127.0.0.1:{port}\r\n".encode()


def test_send_saved_the_shipped_modbus_example_over_udp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCKETLAB_CONFIG_DIR", str(tmp_path))  # empty: a first start has the examples
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        peer.settimeout(5)
        result = run_main("udp", "--to", f"127.0.0.1:{peer.getsockname()[1]}", "-q", "0.2",
                          "--send-saved", "modbus rtu: read 10 holding registers (crc)")
        assert result.returncode == 0, result.stderr
        assert peer.recv(100).hex(" ") == "01 03 00 00 00 0a c5 cd"


def test_an_unknown_saved_name_lists_the_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCKETLAB_CONFIG_DIR", str(tmp_path))
    (tmp_path / "library.json").write_text(json.dumps(
        {"format": "socketlab-library", "version": 1, "messages": [{"name": "alpha", "text": "a"},
                                                                   {"name": "beta", "text": "b"}]}))
    result = run_main("tcp-client", "127.0.0.1", "9", "--send-saved", "gamma")
    err = result.stderr.decode()
    assert result.returncode == 2 and err.count("\n") == 1, err
    assert err.startswith("socketlab: ") and "gamma" in err and "alpha; beta" in err and "Hint:" in err


@pytest.mark.parametrize("args", [
    ["tcp-server", "--frame", "len:3"], ["tcp-client", "127.0.0.1", "9", "--frame", "fixed:0"],
    ["udp", "--frame", "gap:x"], ["tcp-server", "--append", "crc8"], ["udp", "--append", "md5"],
    ["tcp-client", "127.0.0.1", "9", "--append", "nope"], ["tcp-server", "--reply", "custom"],
    ["tcp-server", "--template", "x"], ["tcp-client", "127.0.0.1", "9", "--repeat", "0"],
    ["udp", "--repeat", "2000000"], ["udp", "--every", "-5"], ["tcp-client", "127.0.0.1", "9", "--every", "x"],
    ["tcp-client", "127.0.0.1", "9", "--timestamps"], ["tcp-server", "--repeat", "2"]])
def test_bad_toolkit_values_exit_2(args: list[str]) -> None:
    result = run_main(*args)
    assert result.returncode == 2, result
    assert result.stderr.strip() and b"Traceback" not in result.stderr
