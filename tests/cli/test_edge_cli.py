"""Review findings for the command line: exit paths, broken pipes, exit codes.

Each test pins down a defect a review found, now fixed.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import pytest

from tests.cli.conftest import ROOT, cli_env, run_main


def _one_shot_server(payload: bytes, repeat: int = 1, pause: float = 0.0) -> tuple[socket.socket, threading.Thread]:
    """A plain server on 127.0.0.1 that sends ``payload`` ``repeat`` times to one client, then closes."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            try:
                for _ in range(repeat):
                    conn.sendall(payload)
                    if pause:
                        time.sleep(pause)
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


def _finish(process: subprocess.Popen[bytes], seconds: float = 15) -> tuple[int, bytes]:
    try:
        _, err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"the CLI did not exit within {seconds}s; stderr: {err[-800:]!r}") from None
    return process.returncode, err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes")
def test_client_output_into_a_closed_pipe_ends_quietly() -> None:
    listener, thread = _one_shot_server(b"x" * 10_000 + b"\n", repeat=300, pause=0.005)
    port = listener.getsockname()[1]
    process = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "tcp-client", "127.0.0.1", str(port)],
                               cwd=ROOT, env=cli_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None
        assert process.stdout.read(10)  # like `| head -c 10`: read a little, then go away
        process.stdout.close()
        wait_or_kill(process, 15)
        err = process.stderr.read() if process.stderr else b""
    finally:
        for stream in (process.stdin, process.stderr):
            if stream is not None:
                stream.close()
        listener.close()
        thread.join(5)
    assert b"Traceback" not in err and b"Fatal Python error" not in err, err[-600:]
    assert process.returncode in (0, 1, 141), process.returncode


def wait_or_kill(process: subprocess.Popen[bytes], seconds: float) -> None:
    """Let ``process`` end by itself within ``seconds``, else kill it; reap it either way."""
    end = time.monotonic() + seconds
    while process.poll() is None and time.monotonic() < end:
        time.sleep(0.05)
    if process.poll() is None:
        process.kill()
    process.wait(5)


def _console_script() -> tuple[str, str]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    with open(ROOT / "pyproject.toml", "rb") as handle:
        target = tomllib.load(handle)["project"]["scripts"]["socketlab"]
    module, _, function = target.partition(":")
    return module, function


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes")
def test_installed_console_script_exits_cleanly_while_stdin_is_open() -> None:
    listener, thread = _one_shot_server(b"bye\n")
    port = listener.getsockname()[1]
    module, function = _console_script()
    # exactly what pip's generated launcher does
    launcher = f"import sys; from {module} import {function}; sys.exit({function}())"
    process = subprocess.Popen([sys.executable, "-c", launcher, "tcp-client", "127.0.0.1", str(port)],
                               cwd=ROOT, env=cli_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        # stdin stays open (a terminal nobody typed into); the server says bye and closes
        time.sleep(0.5)
        assert process.stdout is not None
        wait_or_kill(process, 15)
        out = process.stdout.read()
        err = process.stderr.read() if process.stderr else b""
    finally:
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        listener.close()
        thread.join(5)
    assert out == b"bye\n"
    assert b"Fatal Python error" not in err, err[-600:]
    assert process.returncode == 0, (process.returncode, err[-600:])


def test_udp_exits_1_after_a_network_error() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as target:
        target.bind(("127.0.0.1", 0))
        port = target.getsockname()[1]
        # one line longer than any datagram can be: sendto() fails with EMSGSIZE
        result = run_main("udp", "--to", f"127.0.0.1:{port}", "-q", "0.5", data=b"x" * 70_000 + b"\n")
    assert b"too large" in result.stderr, result.stderr
    assert result.returncode == 1
