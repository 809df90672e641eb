"""Benchmark: the engine against bare blocking-socket loops, measured in one run on loopback.

Prints figures and ratios (engine / bare) for TCP throughput with 64 KiB chunks,
64-byte request/response round trips, UDP datagrams per second, and 1,000
clients each connecting and getting one echo; then what step mode costs when it is
off (the engine as shipped against the same engine with the step gate taken out). The server side (a bare blocking
loop in a thread, or the engine with a consumer thread draining its events as a
front-end would) runs in this process; the peer that loads it runs in a child
process, as a real peer is another program (and so it does not share our GIL).
Not a test: run it with ``python3 dev.py bench`` or ``python bench/engine_bench.py``.
Every loop is bounded in count and time; all traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from netcore import EventQueue, TcpServer, TcpServerConfig, UdpConfig, UdpEndpoint
from netcore.events import DataReceived, State, StateChanged
from netcore.replies import make_reply_rule
from netcore.system import raise_open_file_limit
from netcore.worker import Endpoint

CHUNK = 64 * 1024
DEADLINE = 60.0


CONSUMER = "batch"
"""How the stand-in front-end drains events: "batch" wakes when events come and
then drains at most once a millisecond (a front-end that keeps up without waking
for every event); "wait" is woken for every round of events, like the CLI;
"poll" drains every 10 ms, like the window's ``after`` pump."""
BATCH_SECONDS = 0.001
POLL_SECONDS = 0.010


class Engine:
    """An engine endpoint plus a consumer thread that drains its queue like a front-end."""

    def __init__(self, make: Callable[[EventQueue], TcpServer | UdpEndpoint]) -> None:
        self.queue = EventQueue()
        self.endpoint = make(self.queue)
        self.received = 0
        self.datagrams = 0
        self.last_arrival = 0.0
        self._stop = threading.Event()
        self.endpoint.start()
        self.port = self._wait_port()
        self._consumer = threading.Thread(target=self._consume, daemon=True)
        self._consumer.start()

    def _wait_port(self) -> int:
        end = time.monotonic() + 5
        while time.monotonic() < end:
            event = self.queue.get(0.1)
            if isinstance(event, StateChanged) and event.state in (State.LISTENING, State.BOUND) and event.local:
                return event.local[1]
        raise RuntimeError("endpoint did not start")

    def _consume(self) -> None:
        while not self._stop.is_set():
            if CONSUMER == "poll":
                time.sleep(POLL_SECONDS)
            else:
                self.queue.wait(0.05)
                if CONSUMER == "batch":
                    time.sleep(BATCH_SECONDS)
            for event in self.queue.drain():
                if isinstance(event, DataReceived):
                    self.received += len(event.data)
                    self.datagrams += 1
                    self.last_arrival = time.perf_counter()

    def close(self) -> None:
        self._stop.set()
        self.endpoint.stop()
        self._consumer.join(2)


def tcp_server(reply: str = "none") -> Engine:
    rule = make_reply_rule(reply)
    return Engine(lambda q: TcpServer(TcpServerConfig("127.0.0.1", 0, backlog=1024, reply=rule), q, "bench"))


def bare_listener() -> socket.socket:
    listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
    return listener


# ---- TCP throughput ----

PEER: concurrent.futures.ProcessPoolExecutor | None = None


def in_peer(function: Callable[..., float], *args: object) -> float:
    """Run ``function(*args)`` in the peer process and return its result."""
    assert PEER is not None
    return PEER.submit(function, *args).result(timeout=DEADLINE)


def send_stream(port: int, total: int) -> float:
    """Send ``total`` bytes in 64 KiB chunks; return when sending started (perf_counter)."""
    block = b"\xa5" * CHUNK
    with socket.create_connection(("127.0.0.1", port)) as sock:
        started = time.perf_counter()
        for _ in range(total // CHUNK):
            sock.sendall(block)
    return started


def throughput_bare(total: int) -> float:
    listener = bare_listener()
    done = threading.Event()
    result: list[float] = []

    def serve() -> None:
        conn, _ = listener.accept()
        got = 0
        with conn:
            while got < total and (chunk := conn.recv(CHUNK)):
                got += len(chunk)
        result.append(time.perf_counter())
        done.set()

    threading.Thread(target=serve, daemon=True).start()
    started = in_peer(send_stream, listener.getsockname()[1], total)
    done.wait(DEADLINE)
    listener.close()
    return total / (result[0] - started) / 1e6


def throughput_engine(total: int) -> float:
    engine = tcp_server()
    try:
        started = in_peer(send_stream, engine.port, total)
        end = time.monotonic() + DEADLINE
        while engine.received < total and time.monotonic() < end:
            time.sleep(0.001)
        return total / (engine.last_arrival - started) / 1e6
    finally:
        engine.close()


# ---- round trip ----

def round_trips(port: int, count: int) -> float:
    """Median seconds for a 64-byte request and its 64-byte answer."""
    message = b"r" * 64
    samples = []
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(count):
            started = time.perf_counter()
            sock.sendall(message)
            got = 0
            while got < 64:
                got += len(sock.recv(64 - got))
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def rtt_bare(count: int) -> float:
    listener = bare_listener()

    def serve() -> None:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with conn:
            while data := conn.recv(64):
                conn.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    result = in_peer(round_trips, listener.getsockname()[1], count)
    listener.close()
    return result


def rtt_engine(count: int) -> float:
    engine = tcp_server("echo")
    try:
        return in_peer(round_trips, engine.port, count)
    finally:
        engine.close()


# ---- UDP ----

def blast(port: int, count: int) -> float:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        started = time.perf_counter()
        for index in range(count):
            sock.sendto(b"d" * 64, ("127.0.0.1", port))
            if index % 64 == 63:
                time.sleep(0)  # let the receiver run, as a real peer's pacing would
    return started


def udp_bare(count: int) -> float:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.5)
    state = {"n": 0, "last": 0.0}

    def receive() -> None:
        while True:
            try:
                sock.recvfrom(65535)
            except (TimeoutError, OSError):
                return
            state["n"] += 1
            state["last"] = time.perf_counter()

    thread = threading.Thread(target=receive, daemon=True)
    thread.start()
    started = in_peer(blast, sock.getsockname()[1], count)
    thread.join(DEADLINE)
    sock.close()
    return state["n"] / (state["last"] - started)


def udp_engine(count: int) -> float:
    engine = Engine(lambda q: UdpEndpoint(UdpConfig("127.0.0.1", 0), q, "bench"))
    try:
        started = in_peer(blast, engine.port, count)
        previous, end = -1, time.monotonic() + DEADLINE
        while engine.datagrams != previous and time.monotonic() < end:
            previous = engine.datagrams
            time.sleep(0.5)
        return engine.datagrams / (engine.last_arrival - started)
    finally:
        engine.close()


# ---- 1,000 clients ----

def thousand_clients(port: int, count: int) -> float:
    clients = []
    started = time.perf_counter()
    for index in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"%08d" % index)
        clients.append(sock)
    for sock in clients:
        sock.recv(8)
    elapsed = time.perf_counter() - started
    for sock in clients:
        sock.close()
    return elapsed


def clients_bare(count: int) -> float:
    listener = bare_listener()

    def serve() -> None:  # one blocking loop: accept, read one message, answer, keep the socket
        kept = []
        for _ in range(count):
            conn, _ = listener.accept()
            conn.sendall(conn.recv(8))
            kept.append(conn)
        for conn in kept:
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    result = in_peer(thousand_clients, listener.getsockname()[1], count)
    listener.close()
    return result


def clients_engine(count: int) -> float:
    engine = tcp_server("echo")
    try:
        return in_peer(thousand_clients, engine.port, count)
    finally:
        engine.close()


# ---- step mode off: what the gate costs ----

def _no_gate(self: Endpoint, call: str, args: str, peer: object = None) -> None:
    """What ``Endpoint._step`` would be without step mode."""


def gate_taken_out(measure: Callable[[], float]) -> Callable[[], float]:
    """``measure`` run with the step gate's call replaced by nothing (step mode off costs one attribute read)."""
    def run() -> float:
        kept = Endpoint._step
        Endpoint._step = _no_gate  # type: ignore[method-assign]
        try:
            return measure()
        finally:
            Endpoint._step = kept  # type: ignore[method-assign]
    return run


def step_rows(runs: int) -> None:
    """The engine as shipped (gate in place, step mode off) against the same engine with the gate taken out."""
    rows: list[tuple[str, bool, Callable[[], float]]] = [
        ("64-byte round trip, step mode off vs gate taken out (us)", False, lambda: rtt_engine(2000) * 1e6),
        ("UDP datagrams/s, step mode off vs gate taken out", True, lambda: udp_engine(50_000)),
    ]
    for name, higher, measure in rows:
        without = gate_taken_out(measure)
        values: dict[str, list[float]] = {"with": [], "without": []}
        for _ in range(runs):  # in turn, so that both see the same machine
            values["without"].append(without())
            values["with"].append(measure())
        pick = max if higher else min
        base, ours = pick(values["without"]), pick(values["with"])
        print(f"| {name} | {base:,.1f} | {ours:,.1f} | {ours / base:.2f} | 1.00 within noise |", flush=True)


def best_of(runs: int, measure: Callable[[], float], higher_is_better: bool) -> float:
    values = [measure() for _ in range(runs)]
    return max(values) if higher_is_better else min(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--megabytes", type=int, default=256)
    parser.add_argument("--consumer", choices=("batch", "wait", "poll"), default="batch",
                        help="front-end model: batch (default), wait (woken per round) or poll (every 10 ms)")
    args = parser.parse_args()
    global CONSUMER
    CONSUMER = args.consumer
    raise_open_file_limit()
    global PEER
    PEER = concurrent.futures.ProcessPoolExecutor(max_workers=1, initializer=raise_open_file_limit)
    total = args.megabytes * 1024 * 1024
    rows = [
        ("TCP throughput, 64 KiB chunks (MB/s)", True, lambda: throughput_bare(total),
         lambda: throughput_engine(total), ">= 0.5"),
        ("64-byte round trip, median (us)", False, lambda: rtt_bare(2000) * 1e6,
         lambda: rtt_engine(2000) * 1e6, "<= 2.0"),
        ("UDP 64-byte datagrams received per second", True, lambda: udp_bare(50_000),
         lambda: udp_engine(50_000), "-"),
        ("1,000 clients connect + one echo each (ms)", False, lambda: clients_bare(1000) * 1e3,
         lambda: clients_engine(1000) * 1e3, "-"),
    ]
    print(f"front-end model: {CONSUMER}; best of {args.runs} runs")
    print("| measure | bare loop | engine | engine / bare | target |\n|---|---:|---:|---:|---|")
    for name, higher, bare, engine, target in rows:
        bare_value = best_of(args.runs, bare, higher)
        engine_value = best_of(args.runs, engine, higher)
        print(f"| {name} | {bare_value:,.1f} | {engine_value:,.1f} | {engine_value / bare_value:.2f} | {target} |",
              flush=True)
    step_rows(args.runs)


if __name__ == "__main__":
    main()
