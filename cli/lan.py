"""``diagnose`` and ``discover``: why nothing arrives, and which SocketLab endpoints are on the LAN."""

from __future__ import annotations

import argparse
import sys

from cli import argtypes
from netcore.eventqueue import EventQueue
from netcore.events import ErrorEvent, Event, Notice, StateChanged
from netcore.lan import diagnose
from netcore.lan.announce import Announcer, describe, find
from netcore.lan.discovery import Announcement


def add_lan_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``diagnose`` and ``discover`` to the command line."""
    probe_seconds = argtypes.seconds(60, positive=True)
    check = commands.add_parser("diagnose", help="find out why nothing arrives: name, route, port, firewall")
    check.add_argument("host", type=argtypes.host, help="the other machine's address or name")
    check.add_argument("port", type=argtypes.port, help="the port there")
    check.add_argument("--udp", action="store_true", help="probe a UDP port (default TCP)")
    check.add_argument("--timeout", type=probe_seconds, default=3.0, metavar="S", help="seconds per probe (default 3)")
    seek = commands.add_parser("discover", help="list the SocketLab endpoints on the network that are visible")
    seek.add_argument("--timeout", type=probe_seconds, default=2.0, metavar="S", help="seconds to wait (default 2)")


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


def add_announce_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--announce", nargs="?", const="", default=None, metavar="NAME",
                        help="answer 'discover' from other machines with this endpoint's kind, port and NAME "
                             "(off by default)")


class Visibility:
    """``--announce``: an Announcer answering discovery for this command's endpoint, once it is bound."""

    def __init__(self, args: argparse.Namespace, queue: EventQueue, kind: str) -> None:
        self.name: str | None = getattr(args, "announce", None)
        self.kind = kind
        self.announcer = Announcer(queue, "announce") if self.name is not None else None

    def show(self, event: StateChanged) -> None:
        """The endpoint is listening or bound: start answering for it."""
        if self.announcer is None or event.local is None:
            return
        self.announcer.announce("cli", Announcement(self.kind, event.local[1], self.name or ""))
        self.announcer.start()
        print(f"socketlab: visible on the network as {self.kind} port {event.local[1]}"
              + (f' "{self.name}"' if self.name else "") + " (UDP port 38917 answers discover)", file=sys.stderr,
              flush=True)

    def owns(self, event: Event) -> bool:
        """Is ``event`` the announcer's (the command must not take its states for its own)?"""
        return self.announcer is not None and event.endpoint == self.announcer.name

    def report(self, event: Event) -> None:
        """Say the announcer's problems and notices; its states are its own business."""
        if isinstance(event, ErrorEvent):
            print(f"socketlab: not visible on the network: {event.message} Hint: {event.hint}", file=sys.stderr,
                  flush=True)
        elif isinstance(event, Notice):
            print(f"socketlab: {event.message}", file=sys.stderr, flush=True)

    def stop(self) -> None:
        if self.announcer is not None:
            self.announcer.stop()
