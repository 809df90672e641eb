"""The three terminal commands: tcp-server, tcp-client and udp, over the engine."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from typing import TextIO

from cli import toolkit
from cli.folding import LineOptions
from cli.lan import Visibility
from cli.output import error_line
from cli.pacing import RoomWaiter
from cli.printer import Printer, open_save
from cli.record import RecordingQueue, finish_recording, start_recording
from cli.session import ROOM_LIMIT, Session, pump_stdin
from cli.stdin import HEX_LINE_LIMIT, STDIN_CHUNK, TooLong, datagram_line_too_long, hex_line_too_long
from cli.tls_options import client_tls_from, server_tls_from
from netcore import EventQueue, TcpClient, TcpClientConfig, TcpServer, TcpServerConfig, UdpConfig, UdpEndpoint
from netcore.events import (
    CloseReason,
    DataReceived,
    ErrorEvent,
    Event,
    Notice,
    PeerClosed,
    State,
    StateChanged,
    format_address,
)
from netcore.interfaces import reachable_addresses
from netcore.payload import encode_text, format_hex, parse_hex, printable
from netcore.problems import Problem
from netcore.system import raise_open_file_limit
from netcore.udp import MAX_DATAGRAM
from netcore.validation import InputError, is_ipv6, parse_host_port


def stdin_line_payload(line: bytes, args: argparse.Namespace, keep_newline: bool) -> bytes:
    """What one typed line becomes on the wire: hex parsed, or text re-encoded."""
    body = line if keep_newline else line.rstrip(b"\r\n")
    if args.hex:
        return parse_hex(line.decode("ascii", "replace"))
    terminal = (getattr(sys.stdin, "encoding", None) or "utf-8").lower().replace("_", "-")
    if args.encoding in (terminal, "utf-8") and terminal in ("utf-8", "utf8"):
        return body
    return encode_text(body.decode(terminal, "surrogateescape"), args.encoding)


BAD_INPUT = threading.Event()
"""Set when a stdin line could not be sent: the command then ends with status 1 (nothing silently lost)."""
SHOWN_LINE = 60


def _safe_send(send: object, line: bytes, args: argparse.Namespace, keep_newline: bool) -> None:
    try:
        payload = stdin_line_payload(line, args, keep_newline)
    except InputError as exc:
        BAD_INPUT.set()
        shown = printable(line.rstrip(b"\r\n")[:SHOWN_LINE].decode("utf-8", "replace"))
        more = "…" if len(line.rstrip(b"\r\n")) > SHOWN_LINE else ""
        hint = "type hex byte pairs such as 48 65 6c" if args.hex else f"type text {args.encoding} can hold"
        print(f"socketlab: this line was not sent: {shown}{more!s} — {exc} Hint: {hint}.", file=sys.stderr,
              flush=True)
        return
    send(payload)  # type: ignore[operator]


def _line_limits(args: argparse.Namespace) -> tuple[int, TooLong | None]:
    """How long a stdin line may be: hex lines are bounded and refused past it; text goes in pieces."""
    return (HEX_LINE_LIMIT, hex_line_too_long) if args.hex else (STDIN_CHUNK, None)


def _print_error(event: ErrorEvent) -> None:
    print(error_line(event), file=sys.stderr, flush=True)


# ---- tcp-server ----

def run_tcp_server(args: argparse.Namespace) -> int:
    """Listen, print a line per connection, message and close; stdin goes to all."""
    raise_open_file_limit()
    rule = toolkit.reply_rule(args)
    config = TcpServerConfig(args.host, args.port, backlog=args.backlog, max_clients=args.max_clients, reply=rule,
                             framing=toolkit.framing(args),
                             tls=server_tls_from(args))
    queue = RecordingQueue()
    server = TcpServer(config, queue, "tcp-server")
    session = Session(queue, server, args.verbose)
    if not start_recording(args, queue, "tcp-server", server.name):
        return 1
    visible = Visibility(args, queue, "tcp-server")
    printer = Printer(line_options(args), queue, sys.stdout, save=open_save(args.save), save_name=args.save or "",
                      verbose=args.verbose, timestamps=args.timestamps)
    queue.tap = printer.absorb

    def send_line(line: bytes) -> None:
        _safe_send(lambda payload: server.send(toolkit.with_checksum(args, payload)), line, args,
                   keep_newline=not args.hex and args.append == "none")

    def handle(event: Event) -> int | None:
        if visible.owns(event):
            visible.report(event)
            return None
        if isinstance(event, StateChanged) and event.state is State.LISTENING:
            _announce_listening(event, "TCP")
            visible.show(event)
            limit, too_long = _line_limits(args)
            pump_stdin(send_line, lambda: None, RoomWaiter(server.budget, ROOM_LIMIT), lines=True,
                       limit=limit, on_too_long=too_long)
        elif isinstance(event, StateChanged) and event.state in (State.ERROR, State.STOPPED):
            return 1 if event.state is State.ERROR else 0
        elif isinstance(event, ErrorEvent):
            _print_error(event)
        else:
            printer.show(event)
        return None

    status = session.run(handle)
    with session.signals.bounded_write():  # stdout may be stuck in a pipe nobody reads
        printer.finish(printer.tcp_summary())
    visible.stop()
    finish_recording(queue, args)
    return _with_bad_input(status)


def option_address(text: str, option: str) -> tuple[str, int]:
    """``host:port`` given to ``option``; a bad port says which option and what a port is."""
    try:
        return parse_host_port(text, option)
    except InputError as exc:
        if exc.code.startswith("port_"):
            raise InputError(option, f"The port in {option} {text!r} must be a number from 0 to 65535.",
                             exc.code, exc.params) from None
        raise


def _with_bad_input(status: int) -> int:
    """A command that ran well still ends with 1 when a stdin line could not be sent."""
    return 1 if status == 0 and BAD_INPUT.is_set() else status


def line_options(args: argparse.Namespace, datagrams: bool = False) -> LineOptions:
    """How the data lines look, from ``--hex --encoding --full --quiet --fold``."""
    return LineOptions(encoding=args.encoding, hex=args.hex, full=args.full, quiet=args.quiet, fold=args.fold,
                       stream=not datagrams, unit="datagrams" if datagrams else "messages")


def _announce_listening(event: StateChanged, protocol: str, stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    local = event.local or ("?", 0)
    verb, reach = ("Listening on", "connect to") if protocol == "TCP" else ("Bound to", "send to")
    print(f"{verb} {format_address(local)} ({protocol})", file=out, flush=True)
    others = [format_address((host, local[1])) for host in reachable_addresses(local[0])]
    if others:
        print(f"Others on your network can {reach} {', '.join(others)}", file=out, flush=True)


# ---- tcp-client ----

def run_tcp_client(args: argparse.Namespace) -> int:
    """Like nc: stdin to the socket, the socket to stdout, half-close at end of stdin."""
    config = TcpClientConfig(args.host, args.port, timeout=args.timeout,
                             half_open_seconds=args.half_open, framing=toolkit.framing(args),
                             tls=client_tls_from(args))
    saved = toolkit.saved_message(args, args.host, args.port)
    queue = RecordingQueue()
    client = TcpClient(config, queue, "tcp-client")
    session = Session(queue, client, args.verbose)
    if not start_recording(args, queue, "tcp-client", client.name):
        return 1
    failed = threading.Event()
    lines = args.hex or args.append != "none" or args.repeat > 1  # a typed line is then one message
    room = lambda: client.budget.wait_below(ROOM_LIMIT, None)  # noqa: E731
    send = toolkit.repeated(client.send, args, session.stop_requested, room)

    def send_chunk(chunk: bytes) -> None:
        if lines:
            _safe_send(lambda payload: send(toolkit.with_checksum(args, payload)), chunk, args,
                       keep_newline=not args.hex and args.append == "none")
        else:
            client.send(chunk)

    def handle(event: Event) -> int | None:
        if isinstance(event, StateChanged) and event.state is State.CONNECTED:
            if args.verbose:
                print(f"connected to {format_address(event.remote)} from {format_address(event.local)}",
                      file=sys.stderr, flush=True)
            limit, too_long = _line_limits(args)
            toolkit.then_stdin(saved.payload if saved else None, send,
                               lambda: pump_stdin(send_chunk, client.shutdown_write, room, lines=lines, limit=limit,
                                                  on_too_long=too_long))
        elif isinstance(event, DataReceived) and event.frame:
            sys.stdout.buffer.write(toolkit.frame_line(event.data, event.flag, args.hex))
            sys.stdout.buffer.flush()
        elif isinstance(event, DataReceived):
            _write_received(event.data, args.hex)
        elif isinstance(event, Notice):  # the TLS facts: stdout is the server's data
            print(printable(event.message), file=sys.stderr, flush=True)
        elif isinstance(event, ErrorEvent):
            failed.set()
            _print_client_error(event, args)
        elif isinstance(event, PeerClosed) and event.reason is CloseReason.RESET:
            failed.set()
            problem = Problem("connection_reset", {"address": format_address(event.peer)})
            print(f"socketlab: {problem.message} Hint: {problem.hint}", file=sys.stderr, flush=True)
        elif isinstance(event, StateChanged) and event.state in (State.ERROR, State.STOPPED):
            return 1 if failed.is_set() or event.state is State.ERROR else 0
        return None

    status = session.run(handle)
    finish_recording(queue, args)
    return _with_bad_input(status)


def _print_client_error(event: ErrorEvent, args: argparse.Namespace) -> None:
    where = format_address((args.host, args.port))
    verb = "cannot connect to" if event.fatal else "error on"
    print(f"socketlab: {verb} {where}: {event.message} Hint: {event.hint}", file=sys.stderr, flush=True)


def _write_received(data: bytes, as_hex: bool) -> None:
    out = sys.stdout.buffer
    out.write((format_hex(data) + "\n").encode("ascii") if as_hex else data)
    out.flush()


# ---- udp ----

UDP_ROOM_LIMIT = 1024 * 1024
"""Bytes (plus a little per datagram) the udp stdin pump lets wait for the engine."""


def run_udp(args: argparse.Namespace) -> int:
    """Each stdin line is one datagram; each datagram received is one stdout line."""
    target = option_address(args.to, "--to") if args.to else None
    saved = toolkit.saved_message(args, *(target or ("", "")))
    if target is None and saved is not None and saved.target:
        target = option_address(saved.target, "the saved message's target")
    default_bind = "[::]:0" if target and is_ipv6(target[0]) else "0.0.0.0:0"
    host, port = option_address(args.bind or default_bind, "--bind")
    rule = toolkit.reply_rule(args)
    queue = RecordingQueue()
    config = UdpConfig(host, port, broadcast=args.broadcast, reply=rule, receive_buffer=UDP_RECEIVE_BUFFER,
                       interface=args.interface, ttl=args.ttl, multicast_loop=args.loop, framing=toolkit.framing(args))
    udp = UdpEndpoint(config, queue, "udp")
    session = Session(queue, udp, args.verbose)
    if not start_recording(args, queue, "udp", udp.name):
        return 1
    visible = Visibility(args, queue, "udp")
    failed = threading.Event()
    printer = _udp_printer(args, queue)
    queue.tap = printer.absorb

    def send_one(payload: bytes) -> None:
        udp.send_to(payload, target) if target else udp.reply(payload)

    room = lambda: udp.budget.wait_below(UDP_ROOM_LIMIT, None)  # noqa: E731
    send = toolkit.repeated(send_one, args, session.stop_requested, room)

    def send_line(line: bytes) -> None:
        _safe_send(lambda payload: send(toolkit.with_checksum(args, payload)), line, args, keep_newline=False)

    def on_eof() -> None:
        if args.quit_after is not None:
            _wait_until_sent(udp)
            time.sleep(args.quit_after)
            session.request_stop()

    def too_long(length: int) -> None:
        failed.set()
        (hex_line_too_long if args.hex else datagram_line_too_long)(length)

    def handle(event: Event) -> int | None:
        if visible.owns(event):
            visible.report(event)
            return None
        if isinstance(event, StateChanged) and event.state is State.BOUND:
            _announce_listening(event, "UDP", sys.stderr)
            visible.show(event)
            for group in args.join or ():
                udp.join_group(group, args.interface or "")
            toolkit.then_stdin(saved.payload if saved else None, send,
                               lambda: pump_stdin(send_line, on_eof, room, lines=True,
                                                  limit=HEX_LINE_LIMIT if args.hex else MAX_DATAGRAM,
                                                  on_too_long=too_long))
        elif isinstance(event, ErrorEvent):
            failed.set()
            _print_error(event)
        elif isinstance(event, StateChanged) and event.state in (State.ERROR, State.STOPPED):
            return 1 if event.state is State.ERROR else 0
        else:
            printer.show(event)
        return None

    status = session.run(handle)
    with session.signals.bounded_write():  # stdout may be stuck in a pipe nobody reads
        printer.finish(printer.udp_summary())
    visible.stop()
    finish_recording(queue, args)
    return _with_bad_input(1 if failed.is_set() and status == 0 else status)


def _wait_until_sent(udp: UdpEndpoint) -> None:
    """Wait until every datagram given to ``udp`` left (or ``udp`` stopped)."""
    while udp.running and not udp.budget.wait_below(1, 0.2):
        pass


UDP_RECEIVE_BUFFER = 4 * 1024 * 1024
"""SO_RCVBUF asked for, so a burst waits in the kernel instead of being dropped (Linux caps it at rmem_max)."""


def _udp_printer(args: argparse.Namespace, queue: EventQueue) -> Printer:
    """On a terminal (or with ``--lines``) a datagram is one escaped line; to a pipe or file, raw bytes."""
    save = open_save(args.save)
    options = line_options(args, datagrams=True)
    if args.lines or _is_terminal(sys.stdout):
        return Printer(options, queue, sys.stdout, save=save, save_name=args.save or "", verbose=args.verbose,
                       timestamps=args.timestamps)
    return Printer(options, queue, sys.stderr, raw_to=sys.stdout.buffer, save=save, save_name=args.save or "",
                   verbose=args.verbose, timestamps=args.timestamps)


def _is_terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False
