"""``diagnose`` and ``discover``: why nothing arrives, and which SocketLab endpoints are on the LAN."""

from __future__ import annotations

import argparse
import math
import sys

from netcore.lan import diagnose
from netcore.lan.announce import describe, find
from netcore.validation import InputError, check_host, check_port


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {text!r}") from None
    if not math.isfinite(value) or not 0 < value <= 60:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most 60 seconds, not {text!r}")
    return value


def _host(text: str) -> str:
    try:
        return check_host(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _port(text: str) -> int:
    try:
        return check_port(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_lan_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``diagnose`` and ``discover`` to the command line."""
    check = commands.add_parser("diagnose", help="find out why nothing arrives: name, route, port, firewall")
    check.add_argument("host", type=_host, help="the other machine's address or name")
    check.add_argument("port", type=_port, help="the port there")
    check.add_argument("--udp", action="store_true", help="probe a UDP port (default TCP)")
    check.add_argument("--timeout", type=_seconds, default=3.0, metavar="S", help="seconds per probe (default 3)")
    seek = commands.add_parser("discover", help="list the SocketLab endpoints on the network that are visible")
    seek.add_argument("--timeout", type=_seconds, default=2.0, metavar="S", help="seconds to wait (default 2)")


def run_diagnose(args: argparse.Namespace) -> int:
    """0 only when the port answers; 1 for every other verdict."""
    code = diagnose.run(args.host, args.port, udp=args.udp, timeout=args.timeout,
                        report=lambda line: print(line, flush=True))
    return 0 if code == "open" else 1


def run_discover(args: argparse.Namespace) -> int:
    """Print one line per endpoint found; 0 when something answered, 1 when nothing did."""
    found, asked = find(timeout=args.timeout)
    for error in asked.errors:
        print(f"socketlab: could not ask on {error}", file=sys.stderr)
    for item in found:
        print(describe(item), flush=True)
    if not found:
        print("socketlab: no SocketLab endpoint answered. Hint: turn on \"Visible on the network\" (or --announce) "
              "on the other machine, and allow UDP port 38917 in its firewall.", file=sys.stderr)
    return 0 if found else 1
