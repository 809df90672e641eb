"""Run inside a fresh network namespace by test_multicast: join a group, receive a datagram.

Prints ``OK <bytes>`` when the engine's UDP endpoint got the datagram sent to the
group it joined; the namespace has only ``lo``, so nothing leaves it.
"""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from netcore import EventQueue, UdpConfig, UdpEndpoint
from netcore.events import DataReceived, ErrorEvent, Notice, State, StateChanged

GROUP = "239.1.2.3"


def wait(queue: EventQueue, kind: type, seconds: float = 5.0) -> object:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        event = queue.get(0.1)
        if isinstance(event, ErrorEvent):
            raise SystemExit(f"ERROR {event.message}")
        if isinstance(event, kind) and not (isinstance(event, StateChanged) and event.state is not State.BOUND):
            return event
    raise SystemExit(f"TIMEOUT waiting for {kind.__name__}")


def main() -> None:
    queue = EventQueue()
    udp = UdpEndpoint(UdpConfig("0.0.0.0", 0, reuse_address=True), queue, "group")
    udp.start()
    bound = wait(queue, StateChanged)
    port = bound.local[1]  # type: ignore[attr-defined]
    udp.join_group(GROUP, "127.0.0.1")
    wait(queue, Notice)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
        sender.sendto(b"to the group", (GROUP, port))
    got = wait(queue, DataReceived)
    udp.stop()
    print(f"OK {got.data!r}")  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
