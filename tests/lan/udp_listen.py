"""Run in a namespace by the tests: receive datagrams (optionally in a multicast group) and print them."""

from __future__ import annotations

import socket
import sys


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    group = sys.argv[3] if len(sys.argv) > 3 else ""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    if group:
        interface = sys.argv[4]
        request = socket.inet_aton(group) + socket.inet_aton(interface)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, request)
    print("READY", flush=True)
    sock.settimeout(5)
    try:
        data, source = sock.recvfrom(65535)
        print(f"GOT {data!r} FROM {source[0]}", flush=True)
    except TimeoutError:
        print("NOTHING", flush=True)


if __name__ == "__main__":
    main()
