"""Argument parsing for ``python main.py <command>`` and dispatch to the commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from cli import argtypes
from cli.export import add_export_commands
from cli.lan import add_announce_option, add_lan_commands
from cli.output import configure_text_streams
from cli.printer import add_output_options
from cli.record import add_record_option
from cli.relay import add_relay_command
from cli.stdio import reopen_closed_streams, say_what_was_closed
from cli.tls_options import add_client_tls_options, add_server_tls_options
from cli.toolkit import add_toolkit_options
from netcore.lesson_styles import STYLES
from netcore.lessons import DEFAULTS, LESSON_REPLIES, python_code
from netcore.payload import ENCODINGS
from netcore.validation import InputError

EXAMPLES = """examples:
  python main.py tcp-server --port 9000 --reply hello     then: nc 127.0.0.1 9000
  python main.py tcp-client 127.0.0.1 9000 < file.bin     like: nc 127.0.0.1 9000
  python main.py tcp-server --port 9443 --tls             then: openssl s_client -connect 127.0.0.1:9443
  python main.py tcp-client example.com 443 --tls         verifies the certificate; --insecure for tests
  python main.py udp --bind 0.0.0.0:9001 --reply echo     then: nc -u 127.0.0.1 9001
  python main.py relay --listen 0.0.0.0:9100 --to 127.0.0.1:9000   shows both directions
  python main.py tcp-server --frame len:2be --timestamps     one line per length-prefixed frame
  python main.py tcp-client 127.0.0.1 502 --hex --append crc16-modbus   01 03 00 00 00 0A leaves with C5 CD
  python main.py code tcp-server --reply hello           the Python code that does the same
  python main.py code tcp-server --reply hello --style asyncio   the same, with asyncio
  python main.py --self-test
"""


def _common(parser: argparse.ArgumentParser, encoding: bool = True,
            example: str = "bind(('0.0.0.0', 9000)) -> ok") -> None:
    parser.add_argument("-v", "--verbose", action="store_true",
                        help=f"write every socket call to stderr, e.g. {example}")
    parser.add_argument("--hex", action="store_true", help="show received data as hex; read stdin lines as hex")
    if encoding:
        parser.add_argument("--encoding", choices=ENCODINGS, default="utf-8",
                            help="text encoding on the wire (default utf-8)")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, with a sub-parser per command."""
    parser = argparse.ArgumentParser(
        prog="socketlab", description="Talk TCP and UDP by hand. With no command, the window opens.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--self-test", action="store_true",
                        help="exchange data over loopback through the engine (and the window, if a display is there)")
    commands = parser.add_subparsers(dest="command", metavar="command")
    _add_tcp_server(commands)
    _add_tcp_client(commands)
    _add_udp(commands)
    add_relay_command(commands)
    _add_code(commands)
    add_export_commands(commands)
    add_lan_commands(commands)
    return parser


def _add_tcp_server(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    server = commands.add_parser("tcp-server", help="listen for TCP clients; stdin lines go to all of them")
    server.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0: all IPv4)")
    server.add_argument("--port", type=argtypes.port, default=9000, help="port (0: any free port; default 9000)")
    server.add_argument("--reply", choices=("none", "echo", "hello", "time", "custom"), default="none",
                        help="auto-reply: echo, hello (Welcome!/Hello, <name>!/exit), time, or custom "
                             "(with --template)")
    server.add_argument("--max-clients", type=argtypes.count(1, 1_000_000), default=None,
                        help="close connections over this many at once")
    server.add_argument("--backlog", type=argtypes.count(1, 65535), default=128, help="listen() backlog (default 128)")
    _common(server)
    add_server_tls_options(server)
    add_toolkit_options(server, "tcp-server")
    add_output_options(server)
    add_record_option(server)
    add_announce_option(server)


def _add_tcp_client(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    client = commands.add_parser("tcp-client", help="connect like nc: stdin to the socket, the socket to stdout")
    client.add_argument("host", help="server address or name")
    client.add_argument("port", type=argtypes.remote_port, help="server port (1-65535)")
    client.add_argument("--timeout", type=argtypes.timeout, default=5.0, help="seconds to wait for connect (default 5)")
    client.add_argument("--half-open", type=argtypes.seconds(3600), default=2.0, metavar="S",
                        help="after the server's FIN, keep sending stdin; stop after S seconds with nothing "
                             "to send (default 2; 0: stop at the server's FIN)")
    _common(client, encoding=False, example="connect(('127.0.0.1', 9000)) -> in progress")
    add_client_tls_options(client)
    add_toolkit_options(client, "tcp-client")
    client.set_defaults(encoding="utf-8")  # lines typed with --append/--repeat go out as typed (UTF-8 here)
    add_record_option(client)


def _add_udp(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    udp = commands.add_parser("udp", help="send stdin lines as datagrams; print each datagram received")
    udp.add_argument("--bind", metavar="H:P", help="local address to bind (default 0.0.0.0:0, any free port)")
    udp.add_argument("--to", metavar="H:P", help="where stdin lines go (default: the last sender)")
    udp.add_argument("--reply", choices=("none", "echo", "custom"), default="none",
                     help="echo each datagram back, or answer with --template (custom)")
    udp.add_argument("--broadcast", action="store_true", help="allow sending to broadcast addresses (SO_BROADCAST)")
    udp.add_argument("-q", "--quit-after", type=argtypes.seconds(86400), default=None, metavar="S",
                     help="exit S seconds after the end of stdin (default: keep receiving)")
    udp.add_argument("--join", action="append", metavar="GROUP",
                     help="join a multicast group (IPv4 such as 239.1.2.3, or IPv6 such as ff02::1:3); repeatable")
    udp.add_argument("--interface", metavar="NAME|ADDR",
                     help="the interface for multicast and broadcast (e.g. eth0 or 192.168.1.23); default: every "
                          "suitable one for a broadcast, the system's choice for multicast")
    udp.add_argument("--ttl", type=argtypes.count(0, 255), default=None, metavar="N",
                     help="multicast TTL (IPv6: hops); default 1, this network only")
    udp.add_argument("--no-loop", dest="loop", action="store_const", const=False, default=None,
                     help="do not hear this machine's own multicast")
    _common(udp)
    add_toolkit_options(udp, "udp")
    add_output_options(udp, datagrams=True)
    add_record_option(udp)
    add_announce_option(udp)


def _add_code(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    code = commands.add_parser("code", help="print a short Python script that does what a command does (for lessons)")
    code.add_argument("kind", choices=("tcp-server", "tcp-client", "udp"), help="which script")
    code.add_argument("--host", default=None,
                      help="address to listen on, or the server's (default 0.0.0.0; tcp-client 127.0.0.1)")
    code.add_argument("--port", type=argtypes.port, default=None, help="port (default 9000; udp 9001)")
    code.add_argument("--reply", choices=LESSON_REPLIES, default="none",
                      help="what the server or UDP script answers: echo, hello (Welcome!/Hello, <name>!/exit), time")
    code.add_argument("--timeout", type=argtypes.timeout, default=5.0, help="tcp-client: seconds to wait (default 5)")
    code.add_argument("--encoding", choices=ENCODINGS, default="utf-8", help="text encoding (default utf-8)")
    code.add_argument("--to", metavar="H:P", default=None, help="udp: send a line there first (as udp --to does)")
    code.add_argument("--broadcast", action="store_true", help="udp: allow sending to broadcast addresses")
    code.add_argument("--style", choices=STYLES, default="threads",
                      help="how the script is written: threads (as the tutorials teach; default), "
                           "selectors (how SocketLab works) or asyncio")


def run_code(args: argparse.Namespace) -> int:
    """``code``: write the script to stdout."""
    kind = args.kind.replace("-", "_")
    host, port = DEFAULTS[kind]
    host = host if args.host is None else args.host
    port = port if args.port is None else args.port
    udp = kind == "udp"
    sys.stdout.write(python_code(kind, host, port, args.reply, args.encoding, args.timeout,
                                 target=args.to if udp else None, broadcast=args.broadcast and udp, style=args.style))
    return 0


def run_cli(argv: list[str]) -> int:
    """Run one command; 0 on success, 1 on a network error, 2 on bad arguments."""
    say_what_was_closed(reopen_closed_streams())
    configure_text_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    runner = _runner(args)
    if runner is None:
        parser.print_help()
        return 2
    try:
        return runner(args)
    except InputError as exc:
        print(f"socketlab: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # whoever read our output went away (`| head`): stop quietly, as nc does
        return 0


def _runner(args: argparse.Namespace) -> Callable[[argparse.Namespace], int] | None:
    from cli import commands, export, lan, relay, selftest

    if args.self_test:
        return selftest.run_self_test
    table: dict[str, Callable[[argparse.Namespace], int]] = {
        "tcp-server": commands.run_tcp_server,
        "tcp-client": commands.run_tcp_client,
        "udp": commands.run_udp,
        "relay": relay.run_relay,
        "code": run_code,
        "chart": export.run_chart,
        "pcap": export.run_pcap,
        "diagnose": lan.run_diagnose,
        "discover": lan.run_discover,
    }
    return table.get(args.command or "")
