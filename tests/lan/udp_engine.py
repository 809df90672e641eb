"""Run in a namespace by the tests: one UdpEndpoint doing one thing, its events printed one per line.

    udp_engine.py send HOST PORT TEXT [--broadcast] [--interface X]   one datagram, then stop
    udp_engine.py join GROUP PORT INTERFACE                           join, print what arrives, leave
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from netcore import EventQueue, UdpConfig, UdpEndpoint
from netcore.events import DataReceived, ErrorEvent, Notice, SocketCall, State, StateChanged


def show(queue: EventQueue, seconds: float) -> None:
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        event = queue.get(timeout=left)
        if isinstance(event, (Notice, ErrorEvent)):
            print(f"{type(event).__name__} {getattr(event, 'code', '')}: {event.message}", flush=True)
        elif isinstance(event, SocketCall):
            print(f"CALL {event.line()}", flush=True)
        elif isinstance(event, DataReceived):
            print(f"GOT {event.data!r} FROM {event.peer[0]}", flush=True)
        elif isinstance(event, StateChanged) and event.state is State.BOUND:
            print("READY", flush=True)


def main() -> None:
    args = sys.argv[1:]
    interface = args[args.index("--interface") + 1] if "--interface" in args else None
    queue = EventQueue()
    if args[0] == "send":
        host = "::" if ":" in args[1] else "0.0.0.0"
        udp = UdpEndpoint(UdpConfig(host, 0, broadcast="--broadcast" in args, interface=interface), queue)
        udp.start()
        udp.send_to(args[3].encode(), (args[1], int(args[2])))
        show(queue, 1.0)
    else:
        udp = UdpEndpoint(UdpConfig("0.0.0.0", int(args[2]), reuse_address=True), queue)
        udp.start()
        udp.join_group(args[1], args[3])
        show(queue, float(args[4]) if len(args) > 4 else 4.0)
        udp.leave_group(args[1], args[3])
        show(queue, 0.3)
    udp.stop()


if __name__ == "__main__":
    main()
