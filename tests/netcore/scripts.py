"""Running a generated lesson script in its own Python process, for the lesson tests.

A :class:`Script` writes the code to a file, starts ``python -u`` on it with stdin
closed, and reads its stdout on a thread so a test can wait (bounded) for a line.
:func:`running` kills it at the end whatever happened; :meth:`Script.interrupt`
is Ctrl+C, as a student stops a server.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WAIT = 10.0
PORT_LINE = re.compile(r"(?:Listening on|Bound to) (\S+):(\d+)")
STAMP = re.compile(rb"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] ")


class Script:
    """A generated script running in a child process, its stdout read on a thread."""

    def __init__(self, code: str, directory: Path, name: str = "lesson.py") -> None:
        path = directory / name
        path.write_text(code, encoding="utf-8")
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        self.process = subprocess.Popen([sys.executable, "-u", str(path)], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.history: list[str] = []
        """Every line printed so far, whether a test took it from :attr:`lines` or not."""
        self._printed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in iter(self.process.stdout.readline, b""):
            line = raw.decode("utf-8", "replace")
            with self._printed:
                self.history.append(line)
                self._printed.notify_all()
            self.lines.put(line)

    def printed(self, text: str, timeout: float = WAIT, count: int = 1) -> str:
        """The ``count``-th line printed (so far or within ``timeout``) that contains ``text``.

        It looks at every line, taken from :attr:`lines` or not.
        """
        def found() -> str | None:
            lines = [line for line in self.history if text in line]
            return lines[count - 1] if len(lines) >= count else None

        with self._printed:
            line = self._printed.wait_for(found, timeout)
        assert line, f"{text!r} not printed {count} time(s) within {timeout}s; got {self.history}"
        return line

    def output(self, timeout: float = WAIT) -> str:
        """Everything the script printed, once it has ended (within ``timeout``)."""
        self.process.wait(timeout)
        self.reader.join(timeout)
        assert not self.reader.is_alive(), "stdout still open"
        return "".join(self.history)

    def line_with(self, text: str, timeout: float = WAIT) -> str:
        """The first line (from here on) containing ``text``; fails after ``timeout``."""
        end, seen = time.monotonic() + timeout, []
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=max(0.05, end - time.monotonic()))
            except queue.Empty:
                break
            seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} not printed within {timeout}s; got {seen}")

    def interrupt(self, timeout: float = WAIT) -> int:
        """Ctrl+C (SIGINT); the exit status, once it has printed ``Stopped.`` and ended within ``timeout``."""
        self.process.send_signal(signal.SIGINT)
        self.line_with("Stopped.", timeout)
        return self.process.wait(timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(5)
        if self.process.stdout is not None:
            self.process.stdout.close()


@contextmanager
def running(code: str, directory: Path, name: str = "lesson.py") -> Iterator[Script]:
    """The script running; killed on the way out."""
    script = Script(code, directory, name)
    try:
        yield script
    finally:
        script.kill()


def listening_port(script: Script) -> int:
    """The port the script printed (``Listening on 127.0.0.1:PORT`` or ``Bound to …``)."""
    match = PORT_LINE.search(script.line_with("127.0.0.1:"))
    assert match, "no port line"
    return int(match.group(2))


def recv_until(sock: socket.socket, ending: bytes, timeout: float = WAIT) -> bytes:
    """Bytes until they end with ``ending`` (or the peer closes), within ``timeout``."""
    sock.settimeout(timeout)
    data = b""
    while not data.endswith(ending):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data
