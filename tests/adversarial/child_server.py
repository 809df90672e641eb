"""An endpoint alone in a process, so a test can measure its memory: ``python -m tests.adversarial.child_server``.

Usage: ``child_server tcp|udp MODE``. It binds 127.0.0.1 port 0, drains its
events (a front-end that keeps up), prints ``READY <port>``, then answers one
JSON line per command read from stdin: ``stat`` (RSS, state, counts, sockets
held), ``count`` (datagrams received, cheaply) and ``stop`` (how long ``stop()``
took; then it exits). It exits by itself when stdin closes or after ten minutes.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import time

import psutil

from netcore import EventQueue, TcpServer, TcpServerConfig, UdpConfig, UdpEndpoint
from netcore.events import State
from netcore.system import raise_open_file_limit
from netcore.worker import Endpoint
from tests.adversarial.helpers import HOST, reply_rule, socket_inodes, wait_until

LIFETIME_SECONDS = 600.0


def make_endpoint(kind: str, mode: str, queue: EventQueue) -> Endpoint:
    if kind == "tcp":
        return TcpServer(TcpServerConfig(HOST, 0, reply=reply_rule(mode)), queue, "child")
    return UdpEndpoint(UdpConfig(HOST, 0, reply=reply_rule(mode)), queue, "child")


def drain_forever(queue: EventQueue, done: threading.Event) -> None:
    while not done.is_set():
        queue.wait(0.05)
        queue.drain()


def stat(endpoint: Endpoint) -> dict[str, object]:
    gc.collect()
    return {
        "rss": psutil.Process().memory_info().rss,
        "state": endpoint.state.name,
        "running": endpoint.running,
        "datagrams": getattr(endpoint, "datagrams_in", 0),
        "connections": len(getattr(endpoint, "_connections", ())),
        "sockets": len(socket_inodes()),
    }


def serve(kind: str, mode: str) -> None:
    raise_open_file_limit()
    queue = EventQueue()
    endpoint = make_endpoint(kind, mode, queue)
    done = threading.Event()
    threading.Thread(target=drain_forever, args=(queue, done), daemon=True).start()
    endpoint.start()
    wait_until(lambda: endpoint.state in (State.LISTENING, State.BOUND), 5.0)
    local = getattr(endpoint, "local_address", None)
    print(f"READY {local[1] if local else 0}", flush=True)
    threading.Timer(LIFETIME_SECONDS, lambda: os._exit(3)).start()
    for line in sys.stdin:
        command = line.strip()
        if command == "stat":
            print(json.dumps(stat(endpoint)), flush=True)
        elif command == "count":  # cheap: for pacing
            print(json.dumps({"datagrams": getattr(endpoint, "datagrams_in", 0)}), flush=True)
        elif command == "stop":
            started = time.monotonic()
            stopped = endpoint.stop(2.0)
            print(json.dumps({"stopped": stopped, "seconds": time.monotonic() - started}), flush=True)
            break
    done.set()
    os._exit(0)  # the lifetime timer thread must not keep the process


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2])
