"""``main.py code …``: the lesson script on stdout, as a teacher would pipe it to a file."""

from __future__ import annotations

import select
import subprocess
import sys
from pathlib import Path

import pytest

from netcore.lessons import python_code
from tests.cli.conftest import run_main
from tests.cli.stdio_helpers import StderrReader, connect, port_from, recv_until, start_cli
from tests.netcore.scripts import listening_port, running


def test_code_tcp_server_prints_the_hello_lesson() -> None:
    result = run_main("code", "tcp-server", "--reply", "hello", "--port", "9123")
    assert result.returncode == 0, result.stderr
    code = result.stdout.decode("utf-8")
    assert code == python_code("tcp_server", "0.0.0.0", 9123, "hello")
    compile(code, "server.py", "exec")
    assert "conn.sendall(b'Welcome!\\n')" in code and "PORT = 9123" in code
    assert result.stderr == b""


@pytest.mark.parametrize(("args", "expected"), [
    (["tcp-client"], ("tcp_client", "127.0.0.1", 9000, "none", "utf-8", 5.0)),
    (["tcp-client", "--host", "::1", "--port", "7", "--timeout", "1.5"],
     ("tcp_client", "::1", 7, "none", "utf-8", 1.5)),
    (["udp", "--reply", "echo", "--encoding", "gbk"], ("udp", "0.0.0.0", 9001, "echo", "gbk", 5.0)),
    (["udp", "--host", "127.0.0.1", "--port", "0", "--reply", "time"], ("udp", "127.0.0.1", 0, "time", "utf-8", 5.0)),
])
def test_code_defaults_and_options(args: list[str], expected: tuple[str, str, int, str, str, float]) -> None:
    result = run_main("code", *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8") == python_code(*expected)


@pytest.mark.parametrize("args", [["tcp-server", "--host", "1.2.3.4'; import os"], ["udp", "--port", "x"],
                                  ["tcp-client", "--timeout", "0"], ["tcp-server", "--reply", "custom"], ["sctp"]])
def test_code_refuses_bad_values_with_status_2_and_no_code(args: list[str]) -> None:
    result = run_main("code", *args)
    assert result.returncode == 2
    assert result.stdout == b""
    assert b"socketlab" in result.stderr


def test_code_is_in_the_help() -> None:
    assert b"code tcp-server --reply hello" in run_main("-h").stdout


def test_code_udp_to_sends_there_first() -> None:
    result = run_main("code", "udp", "--to", "127.0.0.1:9002")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8") == python_code("udp", "0.0.0.0", 9001, target="127.0.0.1:9002")
    assert "TARGET = ('127.0.0.1', 9002)" in result.stdout.decode("utf-8")
    bad = run_main("code", "udp", "--to", "127.0.0.1:99999")
    assert bad.returncode == 2 and bad.stdout == b""


@pytest.mark.parametrize("style", ["threads", "selectors", "asyncio"])
def test_code_style_picks_how_the_script_is_written(style: str) -> None:
    result = run_main("code", "udp", "--reply", "echo", "--to", "127.0.0.1:9002", "--broadcast", "--style", style)
    assert result.returncode == 0, result.stderr
    code = result.stdout.decode("utf-8")
    assert code == python_code("udp", "0.0.0.0", 9001, "echo", target="127.0.0.1:9002", broadcast=True, style=style)
    assert {"threads": "import threading" not in code, "selectors": "selectors.DefaultSelector()" in code,
            "asyncio": "asyncio.DatagramProtocol" in code}[style]
    assert "SO_BROADCAST" in code
    assert run_main("code", "tcp-server").stdout == run_main("code", "tcp-server", "--style", "threads").stdout
    bad = run_main("code", "tcp-server", "--style", "twisted")
    assert bad.returncode == 2 and bad.stdout == b"" and b"--style" in bad.stderr


def _hello_conversation(port: int) -> list[bytes]:
    """The tutorial's client: the welcome, three names without newlines (one at a time), then exit."""
    got = []
    with connect(port) as client:
        got.append(recv_until(client, b"\n"))
        for name in (b"Michael", b"Tracy", b"Sarah"):
            client.sendall(name)
            got.append(recv_until(client, b"!"))
        client.sendall(b"exit")
        got.append(recv_until(client, b"Good bye!"))
        client.settimeout(5)
        got.append(client.recv(100))  # b'': the server closed after exit (FIN, not a reset)
    return got


@pytest.mark.skipif(sys.platform == "win32", reason="select() on a pipe, SIGINT")
@pytest.mark.parametrize("style", ["threads", "selectors", "asyncio"])
def test_the_generated_hello_server_answers_like_socketlabs_tcp_server(tmp_path: Path, style: str) -> None:
    """``code tcp-server --reply hello`` run as a script, and ``tcp-server --reply hello``: the same bytes."""
    code = run_main("code", "tcp-server", "--reply", "hello", "--host", "127.0.0.1", "--port", "0", "--style", style)
    assert code.returncode == 0, code.stderr
    app = start_cli(["tcp-server", "--host", "127.0.0.1", "--port", "0", "--reply", "hello"],
                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    try:
        StderrReader(app)  # read, so it never blocks
        assert app.stdout is not None
        ready, _, _ = select.select([app.stdout], [], [], 10)
        assert ready, "tcp-server said nothing within 10 s"
        from_app = _hello_conversation(port_from(app.stdout.readline()))
        with running(code.stdout.decode("utf-8"), tmp_path) as script:
            from_script = _hello_conversation(listening_port(script))
            assert script.interrupt() == 0
    finally:
        app.kill()
        app.wait(5)
    assert from_script == from_app == [b"Welcome!\n", b"Hello, Michael!", b"Hello, Tracy!", b"Hello, Sarah!",
                                       b"Good bye!", b""]
