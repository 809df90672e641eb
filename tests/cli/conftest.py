"""Run ``main.py`` as a user would: a real process, real pipes, real sockets."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Running:
    """A started ``main.py`` with its output read line by line on threads."""

    def __init__(self, args: list[str], prefix: list[str] | None = None) -> None:
        self.process = subprocess.Popen(
            [*(prefix or []), sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, env=cli_env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out: queue.Queue[bytes] = queue.Queue()
        self.err: queue.Queue[bytes] = queue.Queue()
        for stream, sink in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, sink), daemon=True).start()

    @staticmethod
    def _read(stream: object, sink: queue.Queue[bytes]) -> None:
        for line in iter(stream.readline, b""):  # type: ignore[attr-defined]
            sink.put(line)

    def line(self, which: str = "out", timeout: float = 10) -> str:
        source = self.out if which == "out" else self.err
        try:
            return source.get(timeout=timeout).decode("utf-8", "backslashreplace")
        except queue.Empty:
            raise AssertionError(f"no line on std{which} within {timeout}s") from None

    def line_with(self, text: str, which: str = "out", timeout: float = 10) -> str:
        end = time.monotonic() + timeout
        seen = []
        while time.monotonic() < end:
            line = self.line(which, max(0.1, end - time.monotonic()))
            seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} not in std{which}: {seen}")

    def write(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.wait(timeout=5)


@pytest.fixture
def launch() -> Iterator[object]:
    started: list[Running] = []

    def start(*args: str, prefix: list[str] | None = None) -> Running:
        running = Running(list(args), prefix)
        started.append(running)
        return running

    yield start
    for running in started:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait(5)
        for stream in (running.process.stdin, running.process.stdout, running.process.stderr):
            if stream is not None:
                stream.close()


def run_main(*args: str, data: bytes = b"", timeout: float = 30, prefix: list[str] | None = None
             ) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*(prefix or []), sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT,
                          env=cli_env(), input=data, capture_output=True, timeout=timeout, check=False)
