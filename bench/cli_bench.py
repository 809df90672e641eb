"""Benchmark: the real command line against bare servers and nc/ncat/socat, in one run.

Every server runs as its own process, started the way a user starts it (``main.py
tcp-server …`` with stdout to a file or /dev/null); this process is the peer that
loads it. Figures and ratios are measured side by side in one run, best of N:

- echo bulk: ``tcp-server --reply echo`` against a bare threaded Python echo server;
- 64-byte round trip, median, against the same bare server;
- receive path: 200 MiB of random bytes to ``tcp-server`` (stdout to /dev/null)
  against ``nc -l``, ``ncat -l`` and ``socat``;
- UDP: 100,000 datagrams of 64 bytes sent at full speed to ``udp --bind``, ``ncat``
  and ``nc``; the share each one wrote out.

In every run each contender is measured in turn, so that all see the same machine.

Not a test: ``python bench/cli_bench.py`` (``--quick`` for a smoke run with small
sizes). All traffic stays on 127.0.0.1; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
MAIN = [sys.executable, str(ROOT / "main.py")]
CHUNK = 64 * 1024
DEADLINE = 120.0
BARE_ECHO = """
import socket, sys, threading
listener = socket.create_server(("127.0.0.1", 0), backlog=128)
print(listener.getsockname()[1], flush=True)
def serve(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with conn:
        while data := conn.recv(262144):
            conn.sendall(data)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
"""


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_port(port: int, kind: int = socket.SOCK_STREAM, process: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until something listens on ``port`` (TCP: accepts a connect probe; UDP: is bound)."""
    end = time.monotonic() + 10
    while time.monotonic() < end:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited early with status {process.returncode}")
        if kind == socket.SOCK_DGRAM and _udp_bound(port):
            return
        if kind == socket.SOCK_STREAM and _tcp_listening(port):
            return
        time.sleep(0.02)
    raise RuntimeError(f"nothing listens on port {port}")


def _tcp_listening(port: int) -> bool:
    text = Path("/proc/net/tcp").read_text()
    return any(f":{port:04X} 00000000:0000 0A" in line for line in text.splitlines())


def _udp_bound(port: int) -> bool:
    text = Path("/proc/net/udp").read_text()
    return any(f"0100007F:{port:04X}" in line for line in text.splitlines())


@contextmanager
def server(command: list[str], port: int | None, stdout: IO[bytes], kind: int = socket.SOCK_STREAM,
           ) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``command``; wait until it listens on ``port``; kill it afterwards."""
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stdout,
                               stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        if port is not None:
            wait_port(port, kind, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@contextmanager
def bare_echo() -> Iterator[int]:
    process = subprocess.Popen([sys.executable, "-c", BARE_ECHO], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        assert process.stdout is not None
        yield int(process.stdout.readline())
    finally:
        process.kill()
        process.wait(5)


@contextmanager
def cli_echo(output: Path) -> Iterator[int]:
    port = free_port()
    with output.open("wb") as out, server([*MAIN, "tcp-server", "--host", "127.0.0.1", "--port", str(port),
                                          "--reply", "echo"], port, out):
        yield port


# ---- echo bulk and round trip ----

def echo_bulk(port: int, total: int) -> float:
    """MB/s: send ``total`` bytes in 64 KiB chunks from a thread, read the echo here."""
    block = random.Random(1).randbytes(CHUNK)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(DEADLINE)
        def send_all() -> None:
            for _ in range(total // CHUNK):
                sock.sendall(block)

        sender = threading.Thread(target=send_all, daemon=True)
        started = time.perf_counter()
        sender.start()
        got = 0
        while got < total and (chunk := sock.recv(262144)):
            got += len(chunk)
        elapsed = time.perf_counter() - started
        sender.join(DEADLINE)
    if got != total:
        raise RuntimeError(f"echo: got {got} of {total} bytes")
    return total / elapsed / 1e6


def round_trip(port: int, count: int) -> float:
    """Median microseconds for 64 bytes out and their 64-byte echo back."""
    message = b"r" * 64
    samples = []
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(count):
            started = time.perf_counter()
            sock.sendall(message)
            got = 0
            while got < 64:
                got += len(sock.recv(64 - got))
            samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6


def with_bare(measure: Callable[[int], float]) -> float:
    with bare_echo() as port:
        return measure(port)


def with_cli(measure: Callable[[int], float]) -> float:
    with tempfile.TemporaryDirectory() as folder, cli_echo(Path(folder) / "out.txt") as port:
        return measure(port)


# ---- receive path: 200 MiB into a server whose stdout is /dev/null ----

RECEIVERS: dict[str, Callable[[int], list[str]]] = {
    "socketlab tcp-server": lambda port: [*MAIN, "tcp-server", "--host", "127.0.0.1", "--port", str(port)],
    "nc -l": lambda port: ["nc", "-l", "-d", "127.0.0.1", str(port)],
    "ncat -l": lambda port: ["ncat", "-l", "--recv-only", "127.0.0.1", str(port)],
    "socat": lambda port: ["socat", "-u", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr", "STDOUT"],
}


def push(port: int, payload: bytes) -> float:
    """MB/s: send ``payload``, half-close, and wait until the receiver closes (it has read it all)."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(DEADLINE)
        started = time.perf_counter()
        view = memoryview(payload)
        for offset in range(0, len(payload), CHUNK):
            sock.sendall(view[offset:offset + CHUNK])
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(65536):
            pass
        return len(payload) / (time.perf_counter() - started) / 1e6


def receive_path(name: str, payload: bytes) -> float:
    port = free_port()
    with open(os.devnull, "wb") as devnull, server(RECEIVERS[name](port), port, devnull):
        return push(port, payload)


# ---- UDP: 100,000 datagrams of 64 bytes at full speed ----

UDP_RECEIVERS: dict[str, tuple[Callable[[int], list[str]], int]] = {
    # command, and the bytes each datagram takes in its output
    "socketlab udp --bind": (lambda port: [*MAIN, "udp", "--bind", f"127.0.0.1:{port}"], 65),
    "ncat -u -l": (lambda port: ["ncat", "-u", "-l", "--recv-only", "127.0.0.1", str(port)], 64),
    "nc -u -l": (lambda port: ["nc", "-u", "-l", "-d", "127.0.0.1", str(port)], 64),
}


def blast(port: int, count: int) -> None:
    datagram = b"d" * 64
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _ in range(count):
            sock.sendto(datagram, ("127.0.0.1", port))


def settled_size(path: Path) -> int:
    """The file's size once it has stopped growing for 0.5 s (at most 20 s)."""
    size, end = -1, time.monotonic() + 20
    while time.monotonic() < end:
        time.sleep(0.5)
        now = path.stat().st_size
        if now == size:
            break
        size = now
    return size


def udp_share(name: str, count: int) -> float:
    """Percent of ``count`` datagrams the receiver wrote out."""
    command, width = UDP_RECEIVERS[name]
    port = free_port(socket.SOCK_DGRAM)
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "out.bin"
        with output.open("wb") as out, server(command(port), port, out, socket.SOCK_DGRAM):
            time.sleep(0.3)  # the CLI binds before it is ready to pump: let it settle
            blast(port, count)
            size = settled_size(output)
    return 100.0 * size / width / count


# ---- the run ----

def best_each(runs: int, measures: dict[str, Callable[[], float]], higher_is_better: bool) -> dict[str, float]:
    """Best of ``runs`` for each measure, taken in turn in every run so that all see the same machine."""
    values: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            values[name].append(measure())
    pick = max if higher_is_better else min
    return {name: pick(got) for name, got in values.items()}


def row(name: str, base: float, ours: float, target: str) -> None:
    print(f"| {name} | {base:,.1f} | {ours:,.1f} | {ours / base:.2f} | {target} |", flush=True)


def echo_rows(runs: int, total: int, trips: int) -> None:
    bulk = best_each(runs, {"bare": lambda: with_bare(lambda port: echo_bulk(port, total)),
                            "cli": lambda: with_cli(lambda port: echo_bulk(port, total))}, True)
    row("echo bulk, 64 KiB chunks, vs bare threaded echo server (MB/s)", bulk["bare"], bulk["cli"], ">= 0.5")
    trip = best_each(runs, {"bare": lambda: with_bare(lambda port: round_trip(port, trips)),
                            "cli": lambda: with_cli(lambda port: round_trip(port, trips))}, False)
    row("64-byte round trip vs bare echo server, median (us)", trip["bare"], trip["cli"], "<= 2.0")


def available(names: Iterable[str]) -> list[str]:
    return [name for name in names if name.startswith("socketlab") or shutil.which(name.split()[0])]


def receive_rows(runs: int, mib: int) -> None:
    payload = random.Random(7).randbytes(mib * 1024 * 1024)
    measures: dict[str, Callable[[], float]] = {name: partial(receive_path, name, payload)
                                                 for name in available(RECEIVERS)}
    figures = best_each(runs, measures, True)
    ours = figures.pop("socketlab tcp-server")
    for name, value in figures.items():
        row(f"receive {mib} MiB to /dev/null vs {name} (MB/s)", value, ours, ">= 0.5" if name == "socat" else "-")


def udp_rows(runs: int, count: int) -> None:
    measures: dict[str, Callable[[], float]] = {name: partial(udp_share, name, count)
                                                 for name in available(UDP_RECEIVERS)}
    shares = best_each(runs, measures, True)
    ours = shares.pop("socketlab udp --bind")
    for name, value in shares.items():
        target = ">= 1.0" if name.startswith("ncat") else "-"
        row(f"UDP {count:,} x 64 B at full speed, % written out, vs {name}", value, ours, target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs per figure (default 3)")
    parser.add_argument("--quick", action="store_true", help="small sizes and one run: a smoke test")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    bulk, trips = (8, 200) if args.quick else (256, 2000)
    mib, datagrams = (8, 10_000) if args.quick else (200, 100_000)
    print(f"best of {runs} runs; echo {bulk} MiB, {trips:,} round trips, {mib} MiB received, {datagrams:,} datagrams")
    print("| measure | baseline | socketlab | socketlab / baseline | target |\n|---|---:|---:|---:|---|")
    echo_rows(runs, bulk * 1024 * 1024, trips)
    receive_rows(runs, mib)
    udp_rows(runs, datagrams)


if __name__ == "__main__":
    main()
