"""SIGTERM closes the window as quickly as Ctrl+Q, closing every endpoint, with exit status 0.

Real window processes under Xvfb: ``main.py`` itself, and a window with a listening
server and a connected client (to see that the endpoint's sockets close).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]
SERVER_SCRIPT = r"""
import sys, tkinter as tk
sys.path.insert(0, sys.argv[1])
from gui.app import MainWindow, close_on_sigterm
root = tk.Tk()
window = MainWindow(root)
close_on_sigterm(window)
server = window.tabs()[0]
server.row.host.set("127.0.0.1"); server.row.port.delete(0, "end"); server.row.port.insert(0, "0")
server.start()
def ready():
    if server.local_address and len(server.peers.rows) == 0 and not getattr(ready, "said", False):
        ready.said = True
        print("port", server.local_address[1], flush=True)
    root.after(20, ready)
root.after(20, ready)
root.mainloop()
"""


def _wait(proc: subprocess.Popen[str], started: float) -> float:
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return time.monotonic() - started


def test_sigterm_closes_main_py_within_a_second(display: str, config_dir: Path) -> None:
    if not os.path.exists(ROOT / "tools" / "xwait.py"):
        pytest.skip("tools/xwait.py is missing")
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py")], cwd=ROOT, text=True)
    try:
        found = subprocess.run([sys.executable, str(ROOT / "tools" / "xwait.py"), "SocketLab", "--timeout", "20"],
                               capture_output=True, text=True, check=False)
        assert found.returncode == 0, "the window did not appear"
        time.sleep(0.3)  # the event loop is running
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        took = _wait(proc, started)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert took < 1.0, f"took {took:.2f} s"


def test_sigterm_stops_the_endpoints_and_their_connections(display: str, config_dir: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", SERVER_SCRIPT, str(ROOT)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("port"), line
        with socket.create_connection(("127.0.0.1", int(line.split()[1])), timeout=5) as peer:
            time.sleep(0.3)  # accepted
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            assert peer.recv(16) == b""  # the server closed the connection: FIN, not a dead process's RST
            took = _wait(proc, started)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert took < 1.0, f"took {took:.2f} s"
