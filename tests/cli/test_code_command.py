"""``main.py code …``: the lesson script on stdout, as a teacher would pipe it to a file."""

from __future__ import annotations

import pytest

from netcore.lessons import python_code
from tests.cli.conftest import run_main


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
