"""The code three ways: every generated script answers exactly as SocketLab's engine does.

For each kind (TCP server, TCP client, UDP), each auto-reply, each encoding and each
style (threads, selectors, asyncio), the generated script runs as its own Python
process on 127.0.0.1 port 0, and so does SocketLab's engine with the same settings.
A real client then has the same conversation with both and the bytes it gets back
are compared (the time in a time server's answer aside). Servers are stopped with
Ctrl+C and must say ``Stopped.`` and exit 0; every wait is bounded and every process
is killed in ``finally``. The scripts also compile and pass ruff with the project's
rules, and the live-code line map finds each traced call on a line of code.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from netcore import EventQueue, TcpServer, TcpServerConfig, UdpConfig, UdpEndpoint
from netcore.events import DataReceived, DataSent, PeerClosed, State
from netcore.lesson_styles import STYLES
from netcore.lessons import KINDS, LESSON_REPLIES, python_code
from netcore.payload import ENCODINGS
from netcore.replies import MessageContext, make_reply_rule
from netcore.session.codemap import line_for
from netcore.worker import Endpoint
from tests.netcore.conftest import Recorder
from tests.netcore.scripts import STAMP, WAIT, Script, listening_port, running

ROOT = Path(__file__).resolve().parents[2]
TEXT = {"utf-8": "中文", "gbk": "中文", "latin-1": "café"}
"""A non-ASCII word each encoding can carry."""
Start = Callable[..., tuple[Endpoint, int]]


def _word(encoding: str) -> bytes:
    return TEXT[encoding].encode(encoding)


def _no_stamp(data: bytes) -> bytes:
    """A time server's answer with its clock time replaced (the two servers' clocks tick apart)."""
    match = STAMP.match(data)
    if match is None:
        return data
    stamp = time.mktime(time.strptime(data[1:20].decode("ascii"), "%Y-%m-%d %H:%M:%S"))
    assert abs(time.time() - stamp) < 120, data  # the local time, now
    return b"[TIME] " + data[match.end():]


@pytest.fixture
def start(queue: EventQueue, rec: Recorder, no_worker_left_behind: list[Endpoint]) -> Start:
    """SocketLab's engine as a tab runs it: ``start("tcp_server" | "udp", reply, encoding)`` on 127.0.0.1 port 0."""

    def begin(kind: str, reply: str, encoding: str = "utf-8", template: str = "", host: str = "127.0.0.1"
              ) -> tuple[Endpoint, int]:
        rule = make_reply_rule(reply, template, encoding)
        endpoint: Endpoint
        if kind == "udp":
            endpoint = UdpEndpoint(UdpConfig(host, 0, reply=rule), queue, f"app-udp-{len(no_worker_left_behind)}")
            state = State.BOUND
        else:
            endpoint = TcpServer(TcpServerConfig(host, 0, reply=rule), queue, f"app-tcp-{len(no_worker_left_behind)}")
            state = State.LISTENING
        no_worker_left_behind.append(endpoint)
        endpoint.start()
        ready = rec.wait_state(endpoint.name, state, timeout=WAIT)
        assert ready.local is not None
        return endpoint, ready.local[1]

    return begin


# ---- the text: complete, clean, and the live highlight finds its lines ----


def _every_script() -> list[tuple[str, str]]:
    """(file name, code) for each kind × reply × encoding × style × UDP option the generator takes."""
    scripts = []
    for style in STYLES:
        for kind in KINDS:
            for reply in LESSON_REPLIES if kind != "tcp_client" else ("none",):
                for encoding in ENCODINGS:
                    options: list[dict[str, object]] = [{}]
                    if kind == "udp":
                        options += [{"target": "127.0.0.1:9002"}, {"broadcast": True},
                                    {"target": "[::1]:9002", "broadcast": True}]
                    for number, extra in enumerate(options):
                        host = "::" if number == 3 else "0.0.0.0" if kind != "tcp_client" else "127.0.0.1"
                        code = python_code(kind, host, 9000, reply, encoding, 2.5, style=style,
                                           **extra)  # type: ignore[arg-type]
                        name = f"{style}_{kind}_{reply}_{encoding.replace('-', '')}_{number}.py"
                        scripts.append((name, code))
    return scripts


def test_every_script_compiles_and_passes_ruff_with_the_project_rules(tmp_path: Path) -> None:
    scripts = _every_script()
    assert len(scripts) == 3 * (4 * 3 + 1 * 3 + 4 * 3 * 4)
    for name, code in scripts:
        compile(code, name, "exec")
        (tmp_path / name).write_text(code, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--config",
                             str(ROOT / "pyproject.toml"), str(tmp_path)], capture_output=True, timeout=120,
                            cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("kind", KINDS)
def test_each_style_is_a_short_commented_script_with_its_settings(style: str, kind: str) -> None:
    code = python_code(kind, "192.168.1.23", 9123, "hello", "gbk", 2.5, style=style)
    assert code.startswith('"""') and "\n\n\n\n" not in code and len(code.splitlines()) < 120
    assert "HOST = '192.168.1.23'" in code and "PORT = 9123" in code and "ENCODING = 'gbk'" in code
    assert ("TIMEOUT = 2.5" in code) == (kind == "tcp_client")
    code_lines = [line for line in code.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    commented = [line for line in code_lines if "  # " in line]
    assert len(commented) >= len(code_lines) // 5  # a lesson: the calls are explained where they happen
    assert all(ord(ch) < 128 for ch in code)  # English comments, plain ASCII
    imports = {"threads": "import threading", "selectors": "import selectors", "asyncio": "import asyncio"}
    assert (imports[style] in code) or (style == "threads" and kind != "tcp_server")


def test_the_styles_use_their_own_machinery() -> None:
    sel = python_code("tcp_server", "127.0.0.1", 0, "echo", style="selectors")
    assert "selectors.DefaultSelector()" in sel and "setblocking(False)" in sel and "client.outbox" in sel
    assert "threading" not in sel and "asyncio" not in sel
    aio = python_code("tcp_server", "127.0.0.1", 0, "echo", style="asyncio")
    assert "asyncio.start_server(" in aio and "await reader.read(" in aio and "asyncio.run(main())" in aio
    assert "socket.socket(" not in aio
    client = python_code("tcp_client", "127.0.0.1", 9000, style="asyncio")
    assert "asyncio.open_connection(" in client and "write_eof()" in client
    udp = python_code("udp", "127.0.0.1", 0, "echo", style="asyncio", broadcast=True)
    assert "asyncio.DatagramProtocol" in udp and "SO_BROADCAST" in udp and "sock=sock" in udp
    assert python_code("udp", "127.0.0.1", 0, "echo") == python_code("udp", "127.0.0.1", 0, "echo", style="threads")
    with pytest.raises(ValueError, match="unknown style"):
        python_code("udp", "127.0.0.1", 0, style="twisted")


CALLS = {
    "tcp_server": ["socket", "setsockopt", "bind", "listen", "accept", "recv", "send"],
    "tcp_client": ["socket", "connect", "send", "recv", "shutdown"],
    "udp": ["socket", "bind", "recvfrom", "sendto"],
}


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("kind", KINDS)
def test_the_live_highlight_finds_a_code_line_for_each_call(style: str, kind: str) -> None:
    code = python_code(kind, "127.0.0.1", 9000, "echo", style=style)
    lines = code.splitlines()
    asks = {"socket": ("socket(", "create_connection(", "start_server(", "open_connection(",
                       "create_datagram_endpoint("),
            "setsockopt": ("setsockopt(", "start_server("), "bind": ("bind(", "start_server(", "_endpoint("),
            "listen": ("listen(", "start_server("), "accept": ("accept(", "def handle("),
            "connect": ("connect(", "connect_ex(", "create_connection(", "open_connection("),
            "recv": ("recv(", "reader.read("), "send": ("send(", "sendall(", "writer.write("),
            "shutdown": ("shutdown(", "write_eof("), "recvfrom": ("recvfrom(", "def datagram_received("),
            "sendto": ("sendto(",)}
    for call in CALLS[kind]:
        number = line_for(code, call)
        assert number is not None, f"{style} {kind}: no line for {call}"
        code_part = lines[number - 1].split("  #")[0]
        assert not code_part.lstrip().startswith(("#", '"')), (call, code_part)
        assert any(ask in code_part for ask in asks[call]), (call, code_part)


def test_a_comment_or_docstring_that_names_a_call_is_not_its_line() -> None:
    code = '"""Run sock.recv(1) here."""\n# sock.recv(2)\nx = "sock.recv(3)"  # sock.recv(4)\ndata = sock.recv(5)\n'
    assert line_for(code, "recv") == 4
    assert line_for("not python (\n.recv(", "recv") == 2  # not tokenizable: plain lines
    assert line_for(code, "no such call") is None


# ---- TCP servers: the same conversation with the script and with SocketLab ----


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    """``size`` bytes, or fewer if the peer closes or ``WAIT`` passes (the comparison then shows it)."""
    sock.settimeout(WAIT)
    data = b""
    try:
        while len(data) < size:
            chunk = sock.recv(size - len(data))
            if not chunk:
                break
            data += chunk
    except TimeoutError:
        pass
    return data


def _read_to_end(sock: socket.socket) -> bytes:
    """Everything until the peer closes (FIN); a reset or a timeout fails the test."""
    sock.settimeout(WAIT)
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


def _messages(reply: str, encoding: str) -> list[bytes]:
    """The student's side of the conversation (the tutorial's names come without newlines)."""
    word = _word(encoding)
    if reply == "hello":
        return [b"Michael", b"Tracy", b"Sarah\n", word + b"\r\n", b"Bob\nexit\nnever answered\n"]
    return [b"hi there\n", word + b"\n", b"ping\r\n\x00\xff"]


def _talk(port: int, reply: str, encoding: str, received: Callable[[int, int], None]) -> list[bytes]:
    """Greeting, one answer per message, and what came until the server closed.

    ``received(size, count)`` waits until the server has taken ``size`` bytes in
    ``count`` messages (used when no answer comes).
    """
    rule = make_reply_rule(reply, encoding=encoding)
    got: list[bytes] = []
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as client:
        greeting = rule.greeting() if rule is not None else None
        if greeting:
            got.append(_read_exactly(client, len(greeting)))
        for count, message in enumerate(_messages(reply, encoding), start=1):
            client.sendall(message)
            sent += len(message)
            answer = rule.respond(message, _context()) if rule is not None else None
            if answer is None:
                received(sent, count)
                got.append(b"")
                continue
            got.append(_read_exactly(client, len(answer.data)))
            if answer.close:
                break
        else:
            client.shutdown(socket.SHUT_WR)  # FIN: the server closes too, after what it still has to send
        got.append(_read_to_end(client))
    return [_no_stamp(data) for data in got]


def _context() -> MessageContext:
    return MessageContext(("127.0.0.1", 1), 1, time.time())


def _printed_sent(script: Script) -> Callable[[int, int], None]:
    """Waits until the script has printed its ``count``-th "sent" line (one per message or datagram)."""
    def wait(_size: int, count: int) -> None:
        script.printed("sent", count=count)

    return wait


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("reply", LESSON_REPLIES)
@pytest.mark.parametrize("style", STYLES)
def test_the_tcp_server_script_answers_like_socketlab(tmp_path: Path, start: Start, rec: Recorder, style: str,
                                                      reply: str, encoding: str) -> None:
    app, app_port = start("tcp_server", reply, encoding)
    from_app = _talk(app_port, reply, encoding, lambda size, _: _wait_bytes(rec, app.name, size))
    rec.wait_type(PeerClosed, app.name, timeout=WAIT)
    with running(python_code("tcp_server", "127.0.0.1", 0, reply, encoding, style=style), tmp_path) as script:
        from_script = _talk(listening_port(script), reply, encoding, _printed_sent(script))
        assert from_script == from_app
        assert "sent" in script.printed(TEXT[encoding])  # the script decoded with ENCODING
        script.printed("closed")
        assert script.interrupt() == 0
    if reply == "hello":
        assert from_app[0] == b"Welcome!\n" and from_app[1:3] == [b"Hello, Michael!", b"Hello, Tracy!"]
        assert from_app[-2:] == [b"Hello, Bob!\nGood bye!\n", b""]  # closed after exit (FIN, no reset)
    elif reply == "echo":
        assert from_app == [*_messages(reply, encoding), b""]
    elif reply == "time":
        assert from_app == [b"[TIME] " + message for message in _messages(reply, encoding)] + [b""]
    else:
        assert from_app == [b"", b"", b"", b""]


def _wait_bytes(rec: Recorder, name: str, size: int) -> None:
    assert len(rec.wait_received(name, size, timeout=WAIT)) >= size


@pytest.mark.parametrize("style", STYLES)
def test_the_greeting_server_serves_two_clients_at_once(tmp_path: Path, style: str) -> None:
    with running(python_code("tcp_server", "127.0.0.1", 0, "hello", style=style), tmp_path) as script:
        port = listening_port(script)
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as first, \
                socket.create_connection(("127.0.0.1", port), timeout=WAIT) as second:
            assert _read_exactly(first, 9) == b"Welcome!\n"
            assert _read_exactly(second, 9) == b"Welcome!\n"  # while the first is still connected
            second.sendall(b"Alice\n")
            assert _read_exactly(second, 14) == b"Hello, Alice!\n"
            first.sendall(b"exit\n")
            assert _read_exactly(first, 10) == b"Good bye!\n" and _read_to_end(first) == b""
            second.sendall(b"Bob\n")  # the other one goes on
            assert _read_exactly(second, 12) == b"Hello, Bob!\n"
        assert script.interrupt() == 0


@pytest.mark.parametrize("style", STYLES)
def test_a_client_that_resets_does_not_stop_the_server(tmp_path: Path, style: str) -> None:
    with running(python_code("tcp_server", "127.0.0.1", 0, "echo", style=style), tmp_path) as script:
        port = listening_port(script)
        rude = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        rude.sendall(b"x" * 1000)
        rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        rude.close()  # RST
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as polite:
            polite.sendall(b"still there?")
            assert _read_exactly(polite, 12) == b"still there?"
        assert script.interrupt() == 0


def test_an_ipv6_server_in_each_style(tmp_path: Path) -> None:
    try:
        socket.create_server(("::1", 0), family=socket.AF_INET6).close()
    except OSError:
        pytest.skip("no ::1 on this machine")
    for style in STYLES:
        code = python_code("tcp_server", "::1", 0, "echo", style=style)
        with running(code, tmp_path, f"lesson_{style}.py") as script:
            port = int(script.line_with("Listening on ::1:").rsplit(":", 1)[1])
            with socket.create_connection(("::1", port), timeout=WAIT) as client:
                client.sendall(b"six")
                assert _read_exactly(client, 3) == b"six"
            assert script.interrupt() == 0


# ---- TCP clients: the script talks to SocketLab's server ----


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("style", STYLES)
def test_the_client_script_talks_to_socketlabs_server(tmp_path: Path, start: Start, rec: Recorder, style: str,
                                                      encoding: str) -> None:
    template = TEXT[encoding] + r" {message}"  # the answer carries a word only this encoding shows right
    app, port = start("tcp_server", "custom", encoding, template)
    code = python_code("tcp_client", "127.0.0.1", port, encoding=encoding, timeout=WAIT, style=style)
    with running(code, tmp_path) as script:
        first, rest = script.output().split("\n", 1)
        assert script.process.returncode == 0
    assert first.startswith("Connected from ('127.0.0.1', ") and first.endswith(f"to ('127.0.0.1', {port})")
    assert rest == f"{TEXT[encoding]} Bob\n"
    assert rec.wait_received(app.name, 4, timeout=WAIT) == b"Bob\n"
    closed = rec.wait_type(PeerClosed, app.name, timeout=WAIT)
    assert closed.reason.name == "FIN"  # the script's shutdown(SHUT_WR), then a clean close
    sent = b"".join(event.data for event in rec.of(DataSent, app.name))
    assert sent == _word(encoding) + b" Bob\n"


@pytest.mark.parametrize("reply", ["hello", "echo", "time"])
@pytest.mark.parametrize("style", STYLES)
def test_the_client_script_prints_what_socketlabs_lesson_servers_answer(tmp_path: Path, start: Start, rec: Recorder,
                                                                        style: str, reply: str) -> None:
    app, port = start("tcp_server", reply)
    with running(python_code("tcp_client", "127.0.0.1", port, timeout=WAIT, style=style), tmp_path) as script:
        printed = script.output().split("\n", 1)[1].encode()
        assert script.process.returncode == 0
    sent = b"".join(event.data for event in rec.of(DataSent, app.name))
    assert printed == sent and rec.received(app.name) == b"Bob\n"
    expected = {"hello": b"Welcome!\nHello, Bob!\n", "echo": b"Bob\n", "time": b"[TIME] Bob\n"}[reply]
    assert _no_stamp(sent) == expected


@pytest.mark.parametrize("style", STYLES)
def test_the_client_script_says_when_no_answer_comes(tmp_path: Path, start: Start, rec: Recorder, style: str) -> None:
    app, port = start("tcp_server", "none")
    with running(python_code("tcp_client", "127.0.0.1", port, timeout=0.5, style=style), tmp_path) as script:
        assert script.line_with("No answer") == "No answer within 0.5 s.\n"
        assert script.process.wait(WAIT) == 0
    assert rec.wait_received(app.name, 4, timeout=WAIT) == b"Bob\n"


# ---- UDP: the same datagrams to the script and to SocketLab ----


def _datagrams(reply: str, encoding: str) -> list[bytes]:
    word = _word(encoding)
    if reply == "hello":
        return [b"Michael", b"Bob\n", word + b"\r\n", b"Bob\nexit\nAlice\n", b"exit"]
    return [b"ping", word + b"\n", b"", b"\x00\xff" * 700]


def _exchange(port: int, reply: str, encoding: str, received: Callable[[int, int], None]) -> list[bytes | None]:
    """Each datagram's answer from a fresh UDP socket (None: no answer was due, and the datagram arrived)."""
    rule = make_reply_rule(reply, encoding=encoding)
    got: list[bytes | None] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.settimeout(WAIT)
        for number, datagram in enumerate(_datagrams(reply, encoding), start=1):
            peer.sendto(datagram, ("127.0.0.1", port))
            if rule is None or rule.respond(datagram, _context()) is None:
                received(len(datagram), number)
                got.append(None)
                continue
            answer, sender = peer.recvfrom(65535)
            assert sender == ("127.0.0.1", port)  # the answer comes from the bound port
            got.append(_no_stamp(answer))
        peer.settimeout(0.3)  # and nothing more comes (a negative: a short bounded look)
        with pytest.raises(TimeoutError):
            peer.recvfrom(65535)
    return got


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("reply", LESSON_REPLIES)
@pytest.mark.parametrize("style", STYLES)
def test_the_udp_script_answers_like_socketlab(tmp_path: Path, start: Start, rec: Recorder, style: str, reply: str,
                                               encoding: str) -> None:
    app, app_port = start("udp", reply, encoding)
    from_app = _exchange(app_port, reply, encoding, lambda _, count: _wait_datagrams(rec, app.name, count))
    with running(python_code("udp", "127.0.0.1", 0, reply, encoding, style=style), tmp_path) as script:
        from_script = _exchange(listening_port(script), reply, encoding, _printed_sent(script))
        assert from_script == from_app
        assert script.interrupt() == 0
    expected: dict[str, list[bytes | None]] = {
        "none": [None] * 4,
        "echo": [*_datagrams("echo", encoding)],
        "time": [b"[TIME] " + datagram for datagram in _datagrams("time", encoding)],
        "hello": [b"Hello, Michael!", b"Hello, Bob!\n", b"Hello, " + _word(encoding) + b"!\r\n",
                  b"Hello, Bob!\nGood bye!\n", b"Good bye!"],
    }
    assert from_app == expected[reply]


def _wait_datagrams(rec: Recorder, name: str, count: int) -> None:
    rec.wait_for(lambda _: len(rec.of(DataReceived, name)) >= count, timeout=WAIT)


@pytest.mark.parametrize("style", STYLES)
def test_the_udp_script_sends_its_first_line_to_socketlab(tmp_path: Path, start: Start, rec: Recorder,
                                                          style: str) -> None:
    app, port = start("udp", "echo")  # SocketLab's UDP tab, echoing
    code = python_code("udp", "127.0.0.1", 0, "none", "utf-8", target=f"127.0.0.1:{port}", broadcast=True,
                       style=style)
    with running(code, tmp_path) as script:
        script_port = listening_port(script)
        assert script.line_with("Sent") == f"Sent 'hello\\n' to ('127.0.0.1', {port})\n"
        arrived = rec.wait_type(DataReceived, app.name, timeout=WAIT)
        assert (arrived.data, arrived.peer) == (b"hello\n", ("127.0.0.1", script_port))
        assert "sent 'hello\\n'" in script.line_with("sent")  # SocketLab's echo reached the script
        assert script.interrupt() == 0
