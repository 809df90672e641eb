"""The command line, driven as a person would: real processes, nc, socat, pipes."""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

from tests.cli.conftest import run_main

PORT_LINE = re.compile(r"(?:Listening on|Bound to) (\S+):(\d+) \((TCP|UDP)\)")


def listening_port(line: str) -> int:
    match = PORT_LINE.search(line)
    assert match, f"first line does not say where it listens: {line!r}"
    return int(match.group(2))


def start_server(launch, *extra: str):
    server = launch("tcp-server", "--host", "127.0.0.1", "--port", "0", *extra)
    return server, listening_port(server.line())


def test_server_first_line_names_the_port_and_messages_flow_both_ways(launch) -> None:
    server, port = start_server(launch)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        server.line_with("connected")
        client.sendall(b"hi there\n")
        assert "received 9 bytes: hi there\\n" in server.line_with("received")
        server.write(b"hello all\n")
        assert client.recv(100) == b"hello all\n"
        client.close()
        assert "closed: peer closed the connection (FIN)" in server.line_with("closed")
    assert server.stop() == 0


def test_sigterm_and_ctrl_c_stop_cleanly(launch) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        server, port = start_server(launch)
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        started = time.monotonic()
        server.process.send_signal(sig)
        assert server.process.wait(timeout=5) == 0
        assert time.monotonic() - started < 2


@pytest.mark.skipif(shutil.which("nc") is None, reason="nc is not installed")
def test_nc_talks_to_the_hello_server(launch) -> None:
    _, port = start_server(launch, "--reply", "hello")
    result = subprocess.run(["nc", "-q", "2", "127.0.0.1", str(port)], input=b"Bob\nexit\n",
                            capture_output=True, timeout=10, check=False)
    assert result.stdout == b"Welcome!\nHello, Bob!\nGood bye!\n"


@pytest.mark.skipif(shutil.which("socat") is None, reason="socat is not installed")
def test_socat_talks_to_the_echo_server_in_hex_view(launch) -> None:
    server, port = start_server(launch, "--reply", "echo", "--hex")
    result = subprocess.run(["socat", "-t", "2", "-", f"TCP:127.0.0.1:{port}"], input=b"Hi\n",
                            capture_output=True, timeout=10, check=False)
    assert result.stdout == b"Hi\n"
    assert "received 3 bytes: 48 69 0A" in server.line_with("received")


def test_server_stdin_in_hex_and_gbk(launch) -> None:
    server, port = start_server(launch, "--hex")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        server.line_with("connected")
        server.write(b"de ad be ef\n")
        assert client.recv(10) == b"\xde\xad\xbe\xef"
        server.write(b"zz\n")
        assert "Not a hex digit" in server.line_with("was not sent", "err")  # socketlab: this line was not sent …
    server.stop()
    server, port = start_server(launch, "--encoding", "gbk")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        server.line_with("connected")
        server.write("你好\n".encode())
        assert client.recv(10) == "你好\n".encode("gbk")
        client.sendall("世界".encode("gbk"))
        assert "世界" in server.line_with("received")


def test_client_pipes_stdin_to_the_socket_and_the_socket_to_stdout(launch) -> None:
    _, port = start_server(launch, "--reply", "echo")
    payload = random.Random(5).randbytes(5 * 1024 * 1024)
    result = run_main("tcp-client", "127.0.0.1", str(port), data=payload, timeout=60)
    assert result.returncode == 0, result.stderr
    assert hashlib.sha256(result.stdout).hexdigest() == hashlib.sha256(payload).hexdigest()


def test_client_half_closes_at_end_of_stdin_and_exits_when_the_peer_closes() -> None:
    server = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        conn, _ = server.accept()
        with conn:
            got = b""
            while chunk := conn.recv(100):
                got += chunk
            conn.sendall(b"got " + got)

    threading.Thread(target=answer, daemon=True).start()
    with server:
        result = run_main("tcp-client", "127.0.0.1", str(server.getsockname()[1]), data=b"question")
    assert (result.returncode, result.stdout) == (0, b"got question")


def test_client_refused_is_one_clear_line_and_status_1() -> None:
    unused = socket.socket()
    unused.bind(("127.0.0.1", 0))
    port = unused.getsockname()[1]
    with unused:
        result = run_main("tcp-client", "127.0.0.1", str(port))
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, lines
    assert f"127.0.0.1:{port}" in lines[0] and "refused" in lines[0] and "Hint:" in lines[0]


@pytest.mark.parametrize("args", [["tcp-client", "127.0.0.1", "http"], ["tcp-client", "127.0.0.1"],
                                  ["tcp-client", "bad host!", "80"], ["tcp-server", "--port", "99999"],
                                  ["udp", "--to", "nowhere"], ["no-such-command"]])
def test_bad_arguments_give_status_2(args: list[str]) -> None:
    result = run_main(*args)
    assert result.returncode == 2, result
    assert result.stderr.strip(), "a bad argument must be explained"


def test_verbose_prints_the_socket_calls(launch) -> None:
    server = launch("tcp-server", "--host", "127.0.0.1", "--port", "0", "-v")
    assert "socket(AF_INET, SOCK_STREAM) -> ok" in server.line_with("socket(", "err")
    assert "bind(('127.0.0.1', 0)) -> ok" in server.line_with("bind(", "err")
    assert "listen(128) -> ok" in server.line_with("listen(", "err")


def test_udp_echo_and_datagram_lines(launch) -> None:
    udp = launch("udp", "--bind", "127.0.0.1:0", "--reply", "echo")
    port = listening_port(udp.line("err"))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.settimeout(5)
        peer.sendto(b"ping", ("127.0.0.1", port))
        assert peer.recv(100) == b"ping"
        assert udp.line() == "ping\n"


def test_udp_each_stdin_line_is_one_datagram() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        peer.settimeout(5)
        target = f"127.0.0.1:{peer.getsockname()[1]}"
        result = run_main("udp", "--to", target, "-q", "0.3", data=b"one\ntwo\n")
        assert result.returncode == 0, result.stderr
        assert [peer.recv(100), peer.recv(100)] == [b"one", b"two"]


def test_self_test_passes_without_a_display() -> None:
    result = run_main("--self-test")
    assert result.returncode == 0, result.stdout
    assert b"PASS tcp hello server" in result.stdout and b"PASS udp echo" in result.stdout


def unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not unshare_works(), reason="needs unshare -n (root) for an empty network namespace")
def test_name_not_found_inside_an_empty_network_namespace() -> None:
    # A fresh namespace has no network at all, so the lookup fails without any packet leaving.
    result = run_main("tcp-client", "no-such-host.invalid", "80", prefix=["unshare", "-n"])
    assert result.returncode == 1
    assert b"could not be found" in result.stderr and b"Hint:" in result.stderr


@pytest.mark.skipif(not unshare_works(), reason="needs unshare -n (root) for an empty network namespace")
def test_network_unreachable_inside_an_empty_network_namespace() -> None:
    # No route exists in the fresh namespace: connect() fails at once, nothing is sent.
    result = run_main("tcp-client", "10.77.0.2", "80", prefix=["unshare", "-n"])
    assert result.returncode == 1
    assert b"no network that leads there" in result.stderr


def setpriv_works() -> bool:
    if shutil.which("setpriv") is None:
        return False
    probe = subprocess.run(["setpriv", "--bounding-set", "-net_bind_service", "true"], capture_output=True,
                           check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not setpriv_works(), reason="needs setpriv to drop the right to bind low ports")
def test_low_port_without_the_right_is_explained() -> None:
    # Without CAP_NET_BIND_SERVICE (what a normal user lacks), bind() to port 80 gets EACCES.
    result = run_main("tcp-server", "--host", "127.0.0.1", "--port", "80",
                      prefix=["setpriv", "--bounding-set", "-net_bind_service"])
    assert result.returncode == 1
    assert b"Not allowed to use 127.0.0.1:80" in result.stderr and b"below 1024" in result.stderr


def test_verbose_traces_data_calls_too(launch) -> None:
    server = launch("tcp-server", "--host", "127.0.0.1", "--port", "0", "-v")
    port = listening_port(server.line())
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(b"abc")
        assert "recv(262144) -> 3 bytes" in server.line_with("recv(", "err")
    assert "recv(262144) -> b'' (peer closed: FIN)" in server.line_with("b''", "err")
