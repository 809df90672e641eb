"""One voice on the command line: ``socketlab: <what>. Hint: <what to do>``, exact words, right statuses."""

from __future__ import annotations

import socket
import threading

from tests.cli.conftest import run_main


def test_a_bad_port_in_an_option_names_the_option_and_what_a_port_is() -> None:
    result = run_main("udp", "--to", "127.0.0.1:99999")
    assert result.returncode == 2
    assert result.stderr.decode().strip() == ("socketlab: The port in --to '127.0.0.1:99999' must be a number from "
                                              "0 to 65535.")


def test_port_0_is_no_port_to_connect_to() -> None:
    result = run_main("tcp-client", "127.0.0.1", "0")
    assert result.returncode == 2 and b"0 is not a port you can connect to" in result.stderr
    assert b"refused" not in result.stderr


def test_a_bad_hex_line_is_shown_with_its_line_and_ends_with_status_1() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        got: list[bytes] = []

        def serve() -> None:
            conn, _ = listener.accept()
            with conn:
                data = b""
                while chunk := conn.recv(100):
                    data += chunk
                got.append(data)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        result = run_main("tcp-client", "--hex", "127.0.0.1", str(listener.getsockname()[1]),
                          data=b"48 69\n48 zz\n21\n")
        thread.join(5)
    assert got == [b"Hi!"]  # the good lines went out, in order
    assert result.returncode == 1
    message = result.stderr.decode().strip()
    assert message.startswith("socketlab: this line was not sent: 48 zz — Not a hex digit: 'z' at position 4.")
    assert "Hint: type hex byte pairs" in message


def test_every_problem_line_starts_with_socketlab_and_has_a_hint() -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        result = run_main("tcp-server", "--host", "127.0.0.1", "--port", str(busy.getsockname()[1]))
    lines = [line for line in result.stderr.decode().splitlines() if line.strip()]
    assert result.returncode == 1 and lines
    assert all(line.startswith("socketlab: ") for line in lines) and "Hint:" in lines[-1]


def test_one_byte_is_one_byte() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        result = run_main("udp", "--bind", "127.0.0.1:0", "--to", f"127.0.0.1:{peer.getsockname()[1]}", "-q",
                          "0.2", data=b"x\n")
        assert peer.recv(10) == b"x"
    assert b"sent 1 datagram (1 byte)" in result.stdout + result.stderr
    assert b"1 bytes" not in result.stdout + result.stderr


def test_the_client_help_gives_a_client_call_as_its_example() -> None:
    out = run_main("tcp-client", "-h").stdout.decode()
    assert "connect((" in out and "bind((" not in out
