"""Issue 7, the CLI faults found by attacking it from a hostile terminal (3, 5–10, 13, 15).

Each test drives ``main.py`` as a subprocess with real peers on 127.0.0.1 and failed
on the code before its fix.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from netcore.payload import format_hex
from tests.cli.stdio_helpers import (
    StderrReader,
    assert_no_crash,
    close_pipes,
    connect,
    peak_rss,
    port_from,
    recv_until,
    send,
    start_cli,
    udp_receiver,
    wait_exit,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and pipes")
MiB = 1024 * 1024


# ---- fault 3: SIGTERM while stdout is blocked ----

def test_tcp_server_exits_on_sigterm_while_stdout_is_blocked() -> None:
    process = start_cli(["tcp-server", "--host", "127.0.0.1", "--port", "0"])
    err = StderrReader(process)
    try:
        assert process.stdout is not None
        port = port_from(process.stdout.readline())  # then nobody reads stdout: the pipe fills
        with connect(port) as client:
            client.sendall(b"x" * 1000 + b"\n")
            for _ in range(400):
                client.sendall(b"y" * 999 + b"\n")
                time.sleep(0.001)
            time.sleep(1.0)
            assert process.poll() is None
            send(process, signal.SIGTERM)
            seconds = wait_exit(process, 5)
        assert seconds is not None and seconds < 2.0, seconds
        assert_no_crash(err.finish())
        assert process.returncode == 0
    finally:
        close_pipes(process)


def test_udp_exits_on_sigterm_while_stdout_is_blocked() -> None:
    process = start_cli(["udp", "--bind", "127.0.0.1:0"])
    err = StderrReader(process)
    try:
        port = port_from(err.wait_for(b"Bound to"))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
            for _ in range(300):
                peer.sendto(b"z" * 1000, ("127.0.0.1", port))
                time.sleep(0.001)
        time.sleep(1.0)
        assert process.poll() is None
        send(process, signal.SIGTERM)
        seconds = wait_exit(process, 5)
        assert seconds is not None and seconds < 2.0, seconds
        assert_no_crash(err.finish())
        assert process.returncode == 0
    finally:
        close_pipes(process)


# ---- fault 5: udp --to paces stdin and sends everything before -q quits ----

def _count_datagrams(sock: socket.socket, counts: list[int], stop: threading.Event) -> None:
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            sock.recv(2048)
        except TimeoutError:
            continue
        except OSError:
            return
        counts[0] += 1


@pytest.mark.slow
def test_udp_to_paces_stdin_and_sends_every_line_before_quitting() -> None:
    lines = 300_000
    receiver, port = udp_receiver()
    counts, stop = [0], threading.Event()
    reader = threading.Thread(target=_count_datagrams, args=(receiver, counts, stop), daemon=True)
    reader.start()
    process = start_cli(["udp", "--to", f"127.0.0.1:{port}", "-q", "0"], stdout=subprocess.DEVNULL)
    err = StderrReader(process)
    payload = b"".join(b"%07d\n" % n for n in range(lines))

    def feed() -> None:
        assert process.stdin is not None
        try:
            process.stdin.write(payload)
            process.stdin.close()
        except OSError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        peak = peak_rss(process.pid, lambda: process.poll() is not None, 120)
        assert wait_exit(process, 10) is not None
        time.sleep(0.5)
        stop.set()
        reader.join(5)
        assert_no_crash(err.finish())
        assert process.returncode == 0, err.text()[-600:]
        assert peak < 90 * MiB, f"peak RSS {peak / MiB:.0f} MiB"  # was ~160 MiB for 300,000 lines
        assert counts[0] >= lines * 0.99, f"{counts[0]} of {lines} datagrams arrived"
    finally:
        stop.set()
        receiver.close()
        close_pipes(process)


# ---- fault 6: clients that never read must not silence the others ----

def _flood(sock: socket.socket, nbytes: int, seconds: float) -> None:
    sock.setblocking(False)
    chunk = b"s" * 65536
    sent, end = 0, time.monotonic() + seconds
    while sent < nbytes and time.monotonic() < end:
        try:
            sent += sock.send(chunk)
        except BlockingIOError:
            time.sleep(0.005)


def test_stuck_echo_clients_do_not_block_operator_lines_to_others() -> None:
    process = start_cli(["tcp-server", "--host", "127.0.0.1", "--port", "0", "--reply", "echo"],
                        stdout=subprocess.DEVNULL)
    err = StderrReader(process)
    stuck: list[socket.socket] = []
    try:
        listening = _listening_port_from_verbose_free(process, err)
        for _ in range(8):  # never read: their echoes pile up in the server (1 MiB each before it stops reading)
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
            sock.connect(("127.0.0.1", listening))
            stuck.append(sock)
        floods = [threading.Thread(target=_flood, args=(sock, 32 * MiB, 4.0), daemon=True) for sock in stuck]
        for flood in floods:
            flood.start()
        for flood in floods:
            flood.join(10)
        with connect(listening) as good:
            time.sleep(0.3)
            assert process.stdin is not None
            process.stdin.write(b"hello from the operator\n")
            process.stdin.flush()
            got = recv_until(good, b"operator\n", 6)
        assert b"hello from the operator\n" in got, (got, err.text()[-600:])
    finally:
        for sock in stuck:
            sock.close()
        close_pipes(process)


def _listening_port_from_verbose_free(process: subprocess.Popen[bytes], err: StderrReader) -> int:
    """tcp-server prints ``Listening on`` to stdout; with stdout at /dev/null, find the port with ss-free psutil."""
    import psutil

    end = time.monotonic() + 10
    while time.monotonic() < end:
        try:
            for conn in psutil.Process(process.pid).net_connections("tcp"):
                if conn.status == psutil.CONN_LISTEN:
                    return int(conn.laddr.port)
        except psutil.Error:
            pass
        time.sleep(0.05)
    raise AssertionError(f"the server never listened: {err.text()[-600:]!r}")


# ---- fault 7: closed stdin is end of input ----

def test_tcp_server_with_closed_stdin_serves() -> None:
    process = start_cli(["tcp-server", "--host", "127.0.0.1", "--port", "0", "--reply", "echo"],
                        stdin=None, shell_redirects="<&-")
    err = StderrReader(process)
    try:
        assert process.stdout is not None
        port = port_from(process.stdout.readline())
        with connect(port) as client:
            client.sendall(b"ping\n")
            assert recv_until(client, b"ping\n") == b"ping\n"
        send(process, signal.SIGTERM)
        assert wait_exit(process, 5) is not None
        assert_no_crash(err.finish())
        assert process.returncode == 0
    finally:
        close_pipes(process)


def test_tcp_client_with_closed_stdin_reads_until_the_server_closes() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        process = start_cli(["tcp-client", "127.0.0.1", str(listener.getsockname()[1])],
                            stdin=None, shell_redirects="<&-")
        err = StderrReader(process)
        try:
            listener.settimeout(5)
            conn, _ = listener.accept()
            with conn:
                conn.sendall(b"bye\n")
            assert wait_exit(process, 5) is not None
            assert process.stdout is not None
            assert process.stdout.read() == b"bye\n"
            assert_no_crash(err.finish())
            assert process.returncode == 0
        finally:
            close_pipes(process)


def test_udp_with_closed_stdin_quits_after_q() -> None:
    process = start_cli(["udp", "--bind", "127.0.0.1:0", "-q", "0.2"], stdin=None, shell_redirects="<&-")
    err = StderrReader(process)
    try:
        assert wait_exit(process, 5) is not None
        assert_no_crash(err.finish())
        assert process.returncode == 0
    finally:
        close_pipes(process)


# ---- fault 8: nonsense numbers are usage errors ----

@pytest.mark.parametrize("args", [
    ["udp", "-q", "-1"], ["udp", "-q", "nan"], ["udp", "-q", "inf"], ["udp", "--quit-after", "1e400"],
    ["tcp-client", "127.0.0.1", "9", "--timeout", "nan"], ["tcp-client", "127.0.0.1", "9", "--timeout", "inf"],
    ["tcp-client", "127.0.0.1", "9", "--timeout", "-1"], ["tcp-client", "127.0.0.1", "9", "--timeout", "0"],
    ["tcp-server", "--max-clients", "0"], ["tcp-server", "--max-clients", "-1"],
    ["tcp-server", "--backlog", "0"], ["tcp-server", "--backlog", "1e9"], ["tcp-server", "--backlog", "99999999"],
    ["code", "tcp-client", "--timeout", "nan"],
])
def test_bad_numbers_are_usage_errors(args: list[str]) -> None:
    process = start_cli(args, stdin=subprocess.DEVNULL)
    err = StderrReader(process)
    try:
        assert wait_exit(process, 10) is not None, "it never exited"
        text = err.finish()
        assert_no_crash(text)
        assert process.returncode == 2
        assert b"usage:" in text and b"error: argument" in text, text
    finally:
        close_pipes(process)


# ---- fault 9: a second Ctrl-C during shutdown hurries, never crashes ----

@pytest.mark.slow
def test_second_ctrl_c_during_shutdown_with_many_clients() -> None:
    from netcore.system import raise_open_file_limit

    if raise_open_file_limit() < 4500:
        pytest.skip("needs room for 2000 client sockets here")
    process = start_cli(["tcp-server", "--host", "127.0.0.1", "--port", "0", "-v"])
    err = StderrReader(process)
    clients: list[socket.socket] = []
    try:
        assert process.stdout is not None
        port = port_from(process.stdout.readline())
        drain = threading.Thread(target=lambda: process.stdout.read() if process.stdout else b"", daemon=True)
        drain.start()
        for _ in range(2000):
            clients.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        err.wait_for(b"accept() -> ('127.0.0.1', %d)" % clients[-1].getsockname()[1], 30)
        send(process, signal.SIGINT)
        time.sleep(0.05)
        send(process, signal.SIGINT)
        seconds = wait_exit(process, 10)
        assert seconds is not None and seconds < 3, seconds
        assert_no_crash(err.finish())
        assert process.returncode in (0, 130)
    finally:
        for sock in clients:
            sock.close()
        close_pipes(process)


# ---- fault 10: stdout closed ----

def test_tcp_server_with_closed_stdout_says_so_and_serves() -> None:
    process = start_cli(["tcp-server", "--host", "127.0.0.1", "--port", "0", "--reply", "echo"],
                        stdout=None, shell_redirects=">&-")
    err = StderrReader(process)
    try:
        err.wait_for(b"stdout is closed")
        port = _listening_port_from_verbose_free(process, err)
        with connect(port) as client:
            client.sendall(b"ping\n")
            assert recv_until(client, b"ping\n") == b"ping\n"
        send(process, signal.SIGTERM)
        assert wait_exit(process, 5) is not None
        text = err.finish()
        assert_no_crash(text)
        assert b"socketlab: stdout is closed" in text and b"Hint:" in text
        assert process.returncode == 0
    finally:
        close_pipes(process)


# ---- fault 13: a stdin line with no newline is bounded ----

def _read_all(sock: socket.socket, nbytes: int, timeout: float) -> int:
    got, end = 0, time.monotonic() + timeout
    while got < nbytes and time.monotonic() < end:
        try:
            chunk = sock.recv(1 << 20)
        except TimeoutError:
            continue
        if not chunk:
            break
        got += len(chunk)
    return got


@pytest.mark.slow
def test_tcp_server_sends_a_huge_line_without_newline_in_pieces() -> None:
    size = 40 * MiB
    process = start_cli(["tcp-server", "--host", "127.0.0.1", "--port", "0"], stdout=subprocess.PIPE)
    err = StderrReader(process)
    try:
        assert process.stdout is not None
        port = port_from(process.stdout.readline())
        threading.Thread(target=process.stdout.read, daemon=True).start()
        with connect(port) as client:
            time.sleep(0.3)
            got: list[int] = []
            reader = threading.Thread(target=lambda: got.append(_read_all(client, size, 60)), daemon=True)
            reader.start()
            assert process.stdin is not None
            stdin = process.stdin

            def feed() -> None:
                stdin.write(b"a" * size)  # no newline at all, then the end of input
                stdin.close()

            writer = threading.Thread(target=feed, daemon=True)
            writer.start()
            peak = peak_rss(process.pid, lambda: not reader.is_alive(), 60)
            reader.join(5)
        assert got == [size], (got, err.text()[-600:])
        assert peak < 100 * MiB, f"peak RSS {peak / MiB:.0f} MiB"
        assert_no_crash(err.text())
    finally:
        close_pipes(process)


def test_hex_line_too_long_is_refused_clearly_without_reading_it_whole() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        process = start_cli(["tcp-client", "--hex", "127.0.0.1", str(listener.getsockname()[1])])
        err = StderrReader(process)
        try:
            listener.settimeout(5)
            conn, _ = listener.accept()
            with conn:
                assert process.stdin is not None
                process.stdin.write(b"41" * (8 * MiB))  # 16 MiB of hex text, no newline
                process.stdin.write(b"\n42 43\n")
                process.stdin.close()
                got = recv_until(conn, b"BC", 20)
            text = err.wait_for(b"hex line")
            assert got == b"BC", got[:100]
            assert b"socketlab: a hex line longer than" in text and b"Hint:" in text
            assert wait_exit(process, 5) is not None
            assert_no_crash(err.finish())
        finally:
            close_pipes(process)


def test_udp_line_too_long_for_a_datagram_is_refused_and_the_next_sent() -> None:
    receiver, port = udp_receiver()
    receiver.settimeout(5)
    with receiver:
        process = start_cli(["udp", "--to", f"127.0.0.1:{port}", "-q", "0.3"], stdout=subprocess.DEVNULL)
        err = StderrReader(process)
        try:
            assert process.stdin is not None
            process.stdin.write(b"x" * (20 * MiB) + b"\nnext\n")
            process.stdin.close()
            assert receiver.recv(65536) == b"next"
            assert wait_exit(process, 10) is not None
            text = err.finish()
            assert_no_crash(text)
            assert b"too large" in text and b"Hint:" in text
            assert process.returncode == 1
        finally:
            close_pipes(process)


# ---- fault 15: tcp-client keeps sending after the server half-closes ----

@pytest.mark.parametrize("hex_mode", [False, True])
def test_tcp_client_keeps_sending_after_the_server_half_closes(hex_mode: bool) -> None:
    received = bytearray()
    with socket.create_server(("127.0.0.1", 0)) as listener:
        process = start_cli(["tcp-client", "127.0.0.1", str(listener.getsockname()[1]),
                             *(["--hex"] if hex_mode else [])])
        err = StderrReader(process)
        try:
            listener.settimeout(5)
            conn, _ = listener.accept()
            with conn:
                conn.sendall(b"banner\n")
                conn.shutdown(socket.SHUT_WR)
                time.sleep(0.5)  # the client has seen the FIN
                assert process.stdin is not None
                process.stdin.write(b"64 61 74 61 0a\n" if hex_mode else b"data\n")
                process.stdin.close()
                conn.settimeout(5)
                while True:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    received += chunk
            assert wait_exit(process, 5) is not None
            assert bytes(received) == b"data\n"
            assert process.stdout is not None
            out = process.stdout.read()
            assert out == ((format_hex(b"banner\n") + "\n").encode() if hex_mode else b"banner\n")
            assert_no_crash(err.finish())
            assert process.returncode == 0
        finally:
            close_pipes(process)
