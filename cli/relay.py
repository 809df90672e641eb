"""``python main.py relay --listen H:P --to H:P [--udp]``: sit between a device and its server.

Every client that connects to ``--listen`` is forwarded to ``--to`` (TCP), or each
client address gets an upstream socket of its own (``--udp``). Both directions are
printed as the other commands print data, one line per piece read::

    [127.0.0.1:40000] client → server 5 bytes: hello
    [127.0.0.1:40000] server → client 9 bytes: welcome\\r\\n

named by the client they belong to, folded under a flood with exact totals, and the
totals of both directions (read and delivered) at exit. Ctrl-C or SIGTERM stop it.

``--frame SPEC`` prints one line per frame of the device's protocol in each
direction instead of one per ``recv`` (the bytes are still forwarded as they come,
at once); ``--append NAME`` then checks each frame's checksum and flags a bad one,
as ``tcp-server --frame`` does::

    [127.0.0.1:40000] client → server 8 bytes: \x01\x03\x00\x00\x00\n\xc5\xce  [bad checksum (crc16-modbus)]
"""

from __future__ import annotations

import argparse
import sys
import time

from cli import argtypes, toolkit
from cli.commands import line_options, option_address
from cli.folding import FOLD_SECONDS
from cli.output import count, error_line
from cli.printer import Printer, flagged
from cli.record import RecordingQueue, add_record_option, finish_recording, start_recording
from cli.session import Session
from netcore import checksums
from netcore.eventqueue import EventQueue
from netcore.events import (
    DOWNSTREAM,
    UPSTREAM,
    Address,
    DataReceived,
    DataSent,
    ErrorEvent,
    Event,
    PeerConnected,
    State,
    StateChanged,
    format_address,
)
from netcore.framing import KINDS
from netcore.interfaces import reachable_addresses
from netcore.payload import ENCODINGS
from netcore.peerstate import MAX_TRACKED_PEERS, LruMap
from netcore.relay_config import RelayConfig, make_relay
from netcore.system import raise_open_file_limit

EXAMPLE = "python main.py relay --listen 0.0.0.0:9100 --to 192.168.1.50:502   then point the device at port 9100"


def add_relay_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``relay`` sub-command and its options."""
    relay = commands.add_parser("relay", help="forward clients to a server and show both directions",
                                description="Listen, forward each client to the target, print both directions.",
                                epilog=f"example:\n  {EXAMPLE}", formatter_class=argparse.RawDescriptionHelpFormatter)
    relay.add_argument("--listen", metavar="H:P", default="0.0.0.0:9100",
                       help="where clients connect (default 0.0.0.0:9100; port 0: any free port)")
    relay.add_argument("--to", metavar="H:P", required=True, help="the server every client is forwarded to")
    relay.add_argument("--udp", action="store_true", help="relay UDP datagrams instead of TCP connections")
    relay.add_argument("--timeout", type=argtypes.timeout, default=5.0,
                       help="seconds to wait for the server to accept each connection (default 5)")
    relay.add_argument("--max-clients", type=argtypes.count(1, 100_000), default=256,
                       help="clients at once (UDP: client addresses with their own socket; default 256)")
    relay.add_argument("--idle", type=argtypes.seconds(86400, positive=True), default=60.0, metavar="S",
                       help="UDP: close a client's upstream socket after S quiet seconds (default 60)")
    relay.add_argument("--frame", type=toolkit.frame_spec, default="raw", metavar="SPEC",
                       help=f"print what each side sends as frames, one line each: {', '.join(KINDS)} (default raw: "
                            "one line per recv); the bytes are forwarded as they come all the same")
    relay.add_argument("--append", type=toolkit.checksum_name, default="none", metavar="NAME",
                       help=f"with --frame: the checksum each frame ends with ({', '.join(checksums.NAMES)}); "
                            "a frame whose checksum is wrong is flagged (nothing is changed or dropped)")
    relay.add_argument("-v", "--verbose", action="store_true",
                       help="write every socket call to stderr, e.g. connect(('127.0.0.1', 9000)) -> in progress")
    relay.add_argument("--hex", action="store_true", help="show the data as hex")
    relay.add_argument("--encoding", choices=ENCODINGS, default="utf-8", help="text encoding (default utf-8)")
    relay.add_argument("--quiet", action="store_true",
                       help="no line per message: only connects, closes, errors and the totals at exit")
    relay.add_argument("--full", action="store_true", help="show every byte of every message")
    relay.add_argument("--fold", type=argtypes.seconds(3600), default=FOLD_SECONDS, metavar="S",
                       help=f"under load, fold a client's data into one line per S seconds (default {FOLD_SECONDS})")
    add_record_option(relay)


class RelayPrinter(Printer):
    """Lines per direction, named by the client the data belongs to; deliveries counted, not repeated."""

    def __init__(self, args: argparse.Namespace, queue: EventQueue) -> None:
        super().__init__(line_options(args, datagrams=args.udp), queue, sys.stdout, verbose=args.verbose)
        for direction in (UPSTREAM, DOWNSTREAM):
            self.lines.totals[direction] = [0, 0]
        self.delivered = {UPSTREAM: 0, DOWNSTREAM: 0}
        self.clients = 0
        self._clients: LruMap[int, Address] = LruMap(MAX_TRACKED_PEERS)
        """Pair serial → the client it serves (the newest ones: a line needs only a live pair's)."""

    def _client_of(self, pair: int, peer: Address, is_client: bool) -> Address:
        known = self._clients.get(pair)
        if known is None:
            if not is_client:
                return peer
            self.clients += 1
            self._clients.put(pair, peer)
            return peer
        return known

    def absorb(self, event: Event) -> type[Event]:
        kind = type(event)
        if kind is DataReceived:
            received: DataReceived = event  # type: ignore[assignment]
            client = self._client_of(received.pair, received.peer, received.direction == UPSTREAM)
            direction = received.direction or UPSTREAM
            lines = self.lines.data(direction, client, received.data, time.monotonic())
            if received.frame and received.flag and not self.options.quiet:  # a flagged frame is always said
                lines = flagged(lines, received, client, direction)
            if lines:
                self._write(lines)
        elif kind is DataSent:
            sent: DataSent = event  # type: ignore[assignment]
            self.delivered[sent.direction or UPSTREAM] += len(sent.data)
        else:
            if isinstance(event, PeerConnected):
                self._client_of(event.connection, event.peer, True)
            return super().absorb(event)
        return kind

    def summary(self, udp: bool, framed: bool = False) -> str:
        parts = []
        for direction in (UPSTREAM, DOWNSTREAM):
            messages, nbytes = self.lines.totals[direction]
            unit = "frame" if framed else "datagram" if udp else "message"
            parts.append(f"{direction} {count(nbytes, 'byte')} in {count(messages, unit)}, "
                         f"{self.delivered[direction]:,} delivered")
        clients = f"{count(self.clients, 'client')}; "
        lost, lost_bytes, delivered, delivered_bytes = self.overflow  # both directions, counted while behind
        behind = (f"; and {count(lost, 'datagram')} ({count(lost_bytes, 'byte')}) read and {delivered:,} "
                  f"({count(delivered_bytes, 'byte')}) delivered while behind, counted, not shown" if lost or delivered
                  else "")
        return f"total: {clients}{'; '.join(parts)}{behind}"


def banner(event: StateChanged, protocol: str) -> None:
    """Where clients must point, and where their traffic goes."""
    local, remote = event.local or ("?", 0), format_address(event.remote)
    print(f"Relay on {format_address(local)} ({protocol}), forwarding every client to {remote}; Ctrl-C stops",
          flush=True)
    here = local[0] if local[0] not in ("0.0.0.0", "::") else ("127.0.0.1" if local[0] == "0.0.0.0" else "::1")
    others = [format_address((host, local[1])) for host in reachable_addresses(local[0])]
    elsewhere = f"; from other machines: {', '.join(others)}" if others else ""
    print(f"Clients connect to {format_address((here, local[1]))} on this machine{elsewhere}", flush=True)


def run_relay(args: argparse.Namespace) -> int:
    """Relay until Ctrl-C or SIGTERM; 1 if it could not start (bad address, port in use, name not found)."""
    raise_open_file_limit()
    listen = option_address(args.listen, "--listen")
    target = option_address(args.to, "--to")
    if target[1] == 0:
        print("socketlab: --to needs the server's port, 1-65535, not 0. Hint: write it as host:port, "
              "e.g. --to 127.0.0.1:9000.", file=sys.stderr)
        return 2
    if args.append != "none" and args.frame == "raw":
        print(f"socketlab: --append {args.append} checks frames, but no --frame was given. Hint: add how the "
              "device cuts its messages, e.g. --frame len:2be or --frame fixed:8.", file=sys.stderr)
        return 2
    config = RelayConfig(listen[0], listen[1], target[0], target[1], udp=args.udp, connect_timeout=args.timeout,
                         max_clients=args.max_clients, idle_timeout=args.idle, framing=toolkit.framing(args))
    queue = RecordingQueue()
    relay = make_relay(config, queue, "relay")
    session = Session(queue, relay, args.verbose)
    if not start_recording(args, queue, "relay", relay.name):
        return 1
    printer = RelayPrinter(args, queue)
    queue.tap = printer.absorb

    def handle(event: Event) -> int | None:
        if isinstance(event, StateChanged) and event.state in (State.LISTENING, State.BOUND):
            banner(event, "UDP" if args.udp else "TCP")
        elif isinstance(event, StateChanged) and event.state in (State.ERROR, State.STOPPED):
            return 1 if event.state is State.ERROR else 0
        elif isinstance(event, ErrorEvent):
            print(error_line(event), file=sys.stderr, flush=True)
        else:
            printer.show(event)
        return None

    status = session.run(handle)
    with session.signals.bounded_write():
        printer.finish(printer.summary(args.udp, args.frame != "raw"))
    finish_recording(queue, args)
    return status
