"""The lesson scripts: they compile, read like the lesson, and really work on loopback.

Each generated script runs in its own Python process (``-u``) on 127.0.0.1 with
port 0; it prints the port it got, and a real socket talks to it. Every wait is
bounded and every process is killed in ``finally``.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netcore.lessons import KINDS, LESSON_REPLIES, python_code
from netcore.replies import HelloReply, MessageContext
from netcore.validation import InputError
from tests.netcore.scripts import STAMP, WAIT, listening_port, recv_until, running


def load(code: str) -> dict[str, object]:
    """The script's functions, without running it (``__name__`` is not ``__main__``)."""
    namespace: dict[str, object] = {"__name__": "lesson"}
    exec(compile(code, "lesson.py", "exec"), namespace)
    return namespace


# ---- the text ----


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("reply", LESSON_REPLIES)
def test_every_script_compiles_and_carries_its_settings(kind: str, reply: str) -> None:
    code = python_code(kind, "192.168.1.23", 9123, reply, "gbk", 2.5)
    compile(code, f"{kind}_{reply}.py", "exec")
    assert "HOST = '192.168.1.23'" in code and "PORT = 9123" in code and "ENCODING = 'gbk'" in code
    assert code.startswith('"""') and "\n\n\n\n" not in code and len(code.splitlines()) < 80
    assert ("TIMEOUT = 2.5" in code) == (kind == "tcp_client")


def test_the_server_shows_the_lesson_steps_in_order_with_one_thread_per_client() -> None:
    code = python_code("tcp_server", "0.0.0.0", 9000, "echo")
    steps = ["socket.socket(", ".bind(", ".listen(", ".accept(", "threading.Thread(", ".recv(", ".sendall("]
    positions = [code.index(step) for step in steps[:5]]
    assert positions == sorted(positions)
    assert code.index("def handle") < code.index(".recv(") < code.index("conn.sendall(data)")
    assert "with conn:" in code and "with socket.socket(" in code
    assert "SocketLab uses one selectors thread" in code


def test_the_client_and_udp_scripts_show_their_calls() -> None:
    client = python_code("tcp_client", "127.0.0.1", 9000)
    order = [client.index(s) for s in ("create_connection(", ".sendall(", ".recv(", "shutdown(socket.SHUT_WR)")]
    assert order == sorted(order)
    udp = python_code("udp", "0.0.0.0", 9001, "echo")
    assert "SOCK_DGRAM" in udp and "recvfrom(" in udp and "sock.sendto(data, addr)" in udp
    assert "sendto" not in python_code("udp", "0.0.0.0", 9001, "none").split("def main")[1]


def test_ipv6_addresses_get_an_ipv6_socket() -> None:
    assert "socket.AF_INET6, socket.SOCK_STREAM" in python_code("tcp_server", "::", 9000)
    assert "socket.AF_INET, socket.SOCK_DGRAM" in python_code("udp", "127.0.0.1", 9001)


@pytest.mark.parametrize("host", ["1.2.3.4'; import os", "x\nimport os", "::1%lo'\n", "a b", "", "[::1"])
def test_odd_hosts_are_refused_not_inserted(host: str) -> None:
    with pytest.raises(InputError) as caught:
        python_code("tcp_server", host, 9000)
    assert caught.value.field == "host"


@pytest.mark.parametrize(("port", "timeout", "field"), [("9000; import os", 5, "port"), (70000, 5, "port"),
                                                         ("", 5, "port"), (9000, "1)+(2", "timeout")])
def test_odd_ports_and_timeouts_are_refused(port: object, timeout: object, field: str) -> None:
    with pytest.raises(InputError) as caught:
        python_code("tcp_client", "127.0.0.1", port, timeout=timeout)
    assert caught.value.field == field


def test_unknown_kind_reply_or_encoding_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        python_code("sctp", "127.0.0.1", 9000)
    with pytest.raises(InputError):
        python_code("tcp_server", "127.0.0.1", 9000, reply="custom")
    with pytest.raises(InputError):
        python_code("udp", "127.0.0.1", 9000, encoding="utf-8'; import os")


def test_clean_values_go_in_as_python_literals() -> None:
    code = python_code("tcp_server", " [fe80::1%eth0] ", " 0 ")
    assert "HOST = 'fe80::1%eth0'" in code and "PORT = 0" in code


@given(st.lists(st.sampled_from([b"Bob", b"exit", b"\r", b"\n", b"\r\n", b"\xe4\xb8\xad", b""]), max_size=8))
def test_the_hello_function_answers_exactly_like_the_engine(pieces: list[bytes]) -> None:
    data = b"".join(pieces)
    hello = load(python_code("tcp_server", "127.0.0.1", 0, "hello"))["hello"]
    expected = HelloReply().respond(data, MessageContext(("127.0.0.1", 1), 1, 0.0))
    answer, done = hello(data)  # type: ignore[operator]
    if expected is None:
        assert answer == b""
    else:
        assert (answer, done) == (expected.data, expected.close)


# ---- the scripts, running ----


def test_the_server_prints_what_arrives(tmp_path: Path) -> None:
    with running(python_code("tcp_server", "127.0.0.1", 0, "none"), tmp_path) as script:
        port = listening_port(script)
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as client:
            client.sendall(b"hi there\n")
            assert "sent 'hi there\\n'" in script.line_with("sent")
        assert "closed" in script.line_with("closed")


def test_the_echo_server_sends_everything_back(tmp_path: Path) -> None:
    with running(python_code("tcp_server", "127.0.0.1", 0, "echo"), tmp_path) as script:
        port = listening_port(script)
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as client:
            client.sendall(b"ping\r\n\x00\xff")
            assert recv_until(client, b"\xff") == b"ping\r\n\x00\xff"


def test_the_hello_server_greets_answers_and_ends_on_exit_one_thread_per_client(tmp_path: Path) -> None:
    with running(python_code("tcp_server", "127.0.0.1", 0, "hello"), tmp_path) as script:
        port = listening_port(script)
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as first, \
                socket.create_connection(("127.0.0.1", port), timeout=WAIT) as second:
            assert recv_until(first, b"\n") == b"Welcome!\n"
            assert recv_until(second, b"\n") == b"Welcome!\n"  # served while the first is still open
            first.sendall(b"Bob\n")
            assert recv_until(first, b"\n") == b"Hello, Bob!\n"
            second.sendall(b"Alice\r\nexit\r\n")
            assert recv_until(second, b"Good bye!\r\n") == b"Hello, Alice!\r\nGood bye!\r\n"
            assert second.recv(100) == b""  # the server closed after exit
            first.sendall(b"exit\n")
            assert recv_until(first, b"\n") == b"Good bye!\n"


def test_the_time_server_puts_the_time_in_front(tmp_path: Path) -> None:
    with running(python_code("tcp_server", "127.0.0.1", 0, "time"), tmp_path) as script:
        port = listening_port(script)
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as client:
            client.sendall(b"what time is it?\n")
            answer = recv_until(client, b"?\n")
    assert STAMP.match(answer) and answer.endswith(b"] what time is it?\n"), answer


def test_an_ipv6_echo_server(tmp_path: Path) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        socket.create_server(("::1", 0), family=socket.AF_INET6).close()
    except OSError:
        pytest.skip("no ::1 on this machine")
    with running(python_code("tcp_server", "::1", 0, "echo"), tmp_path) as script:
        port = int(script.line_with("Listening on ::1:").rsplit(":", 1)[1])
        with socket.create_connection(("::1", port), timeout=WAIT) as client:
            client.sendall(b"six")
            assert recv_until(client, b"six") == b"six"


def _one_client_server(seen: list[bytes], answer: bytes) -> tuple[socket.socket, threading.Thread]:
    """A loopback server for one client: reads a line, answers, then reads to EOF."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(WAIT)

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.settimeout(WAIT)
            seen.append(recv_until(conn, b"\n"))
            conn.sendall(answer)
            seen.append(recv_until(conn, b"never"))  # ends only when the client sends FIN

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server, thread


def test_the_client_sends_a_line_prints_the_answer_and_half_closes(tmp_path: Path) -> None:
    seen: list[bytes] = []
    server, thread = _one_client_server(seen, b"Hello, Bob!\n")
    try:
        port = server.getsockname()[1]
        with running(python_code("tcp_client", "127.0.0.1", port, timeout=WAIT), tmp_path) as script:
            assert "Connected from" in script.line_with("Connected")
            assert script.line_with("Hello") == "Hello, Bob!\n"
            assert script.process.wait(WAIT) == 0
        thread.join(WAIT)
        assert seen == [b"Bob\n", b""]  # the line, then FIN from shutdown(SHUT_WR)
    finally:
        server.close()


def test_the_client_says_when_no_answer_comes(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # connect() succeeds; nobody ever answers
        port = silent.getsockname()[1]
        with running(python_code("tcp_client", "127.0.0.1", port, timeout=0.5), tmp_path) as script:
            assert script.line_with("No answer") == "No answer within 0.5 s.\n"
            assert script.process.wait(WAIT) == 0


@pytest.mark.parametrize(("reply", "sent", "check"), [
    ("echo", b"ping", lambda got: got == b"ping"),
    ("hello", b"Bob\n", lambda got: got == b"Hello, Bob!\n"),
    ("time", b"tick", lambda got: bool(STAMP.match(got)) and got.endswith(b"] tick")),
])
def test_the_udp_script_answers_with_sendto(tmp_path: Path, reply: str, sent: bytes, check: object) -> None:
    with running(python_code("udp", "127.0.0.1", 0, reply), tmp_path) as script:
        port = listening_port(script)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
            peer.settimeout(WAIT)
            peer.sendto(sent, ("127.0.0.1", port))
            got, sender = peer.recvfrom(65535)
        assert sender == ("127.0.0.1", port)
        assert check(got), got  # type: ignore[operator]
        assert "sent" in script.line_with("sent")


def test_the_udp_script_without_reply_only_prints(tmp_path: Path) -> None:
    with running(python_code("udp", "127.0.0.1", 0, "none"), tmp_path) as script:
        port = listening_port(script)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
            peer.settimeout(0.5)
            peer.sendto("中文".encode(), ("127.0.0.1", port))
            assert "sent '中文'" in script.line_with("sent")
            with pytest.raises(TimeoutError):
                peer.recvfrom(100)


def test_the_udp_script_sends_to_its_target_first(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as target:
        target.bind(("127.0.0.1", 0))
        target.settimeout(WAIT)
        address = f"127.0.0.1:{target.getsockname()[1]}"
        code = python_code("udp", "127.0.0.1", 0, "none", target=address, broadcast=True)
        assert "SO_BROADCAST" in code and "sendto(" in code.split("def main")[1]
        with running(code, tmp_path) as script:
            port = listening_port(script)
            got, sender = target.recvfrom(100)
            assert (got, sender) == (b"hello\n", ("127.0.0.1", port))
            target.sendto(b"back", sender)  # and it still receives afterwards
            assert "sent 'back'" in script.line_with("sent 'back'")


@pytest.mark.parametrize("target", ["nowhere", "127.0.0.1:99999", "1.2.3.4'; import os:9"])
def test_a_bad_udp_target_is_refused_not_inserted(target: str) -> None:
    with pytest.raises(InputError) as caught:
        python_code("udp", "127.0.0.1", 0, target=target)
    assert caught.value.field == "target"


def test_the_cli_named_in_a_script_is_the_program_the_user_has() -> None:
    assert "socketlab-cli tcp-server --port 9000" in python_code("tcp_client", "127.0.0.1", 9000, cli="socketlab-cli")
    assert "python main.py tcp-server" in python_code("tcp_client", "127.0.0.1", 9000)
