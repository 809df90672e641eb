"""The device tester's options on the command line: what the window's toolkit does, the CLI does too.

``--frame SPEC`` (how what arrives is cut into lines), ``--append NAME`` (a checksum after
each message sent; with ``--frame`` also checked on each frame received), ``--reply custom
--template TEXT``, ``--repeat N --every MS``, ``--send-saved NAME`` (a message from the saved
library) and ``--timestamps``. Bad values are usage errors (exit 2).
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from cli import argtypes
from netcore import checksums
from netcore.framing import KINDS, FrameSettings
from netcore.library import load_library
from netcore.payload import format_hex, show_bytes
from netcore.replies import PLACEHOLDERS, ReplyRule, make_reply_rule
from netcore.validation import InputError

MAX_REPEAT = 1_000_000
MAX_EVERY_MS = 3_600_000


def frame_spec(text: str) -> str:
    """A framing spec for ``--frame`` (checked as the engine checks it)."""
    try:
        return FrameSettings(text).spec
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def checksum_name(text: str) -> str:
    """A checksum name for ``--append``."""
    try:
        return checksums.check_name(text.strip().lower())
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_toolkit_options(parser: argparse.ArgumentParser, kind: str) -> None:
    """The options ``kind`` (tcp-server, tcp-client, udp) takes."""
    parser.add_argument("--frame", type=frame_spec, default="raw", metavar="SPEC",
                        help=f"cut what arrives into frames, one line each: {', '.join(KINDS)} (default raw: "
                             "one line per recv)")
    parser.add_argument("--append", type=checksum_name, default="none", metavar="NAME",
                        help=f"append a checksum to each message sent ({', '.join(checksums.NAMES)}); with --frame "
                             "each frame received is checked too and a bad one flagged")
    if kind in ("tcp-server", "udp"):
        parser.add_argument("--template", metavar="TEXT",
                            help="with --reply custom: the reply, with " + " ".join(f"{{{p}}}" for p in PLACEHOLDERS)
                                 + " filled in and escapes such as \\r\\n")
        parser.add_argument("--timestamps", action="store_true", help="start each line with the time (HH:MM:SS.mmm)")
    if kind in ("tcp-client", "udp"):
        parser.add_argument("--repeat", type=argtypes.count(1, MAX_REPEAT), default=1, metavar="N",
                            help="send each typed line (or the --send-saved message) N times")
        parser.add_argument("--every", type=argtypes.count(0, MAX_EVERY_MS), default=1000, metavar="MS",
                            help="with --repeat: milliseconds between the sends (default 1000)")
        parser.add_argument("--send-saved", metavar="NAME",
                            help="first send this message from the saved library (the window's Saved messages)")


def framing(args: argparse.Namespace) -> FrameSettings:
    """The engine's framing from ``--frame`` and ``--append`` (the checksum is checked only on frames)."""
    return FrameSettings(args.frame, args.append if args.frame != "raw" else "none")


def reply_rule(args: argparse.Namespace) -> ReplyRule | None:
    """``--reply`` (and ``--template`` for custom); a template without custom, or custom without one, is refused."""
    template = getattr(args, "template", None)
    if args.reply == "custom" and not template:
        raise InputError("template", "--reply custom needs --template TEXT. Hint: e.g. --template "
                                     "'got {message} from {peer}\\r\\n'.", "template_missing")
    if template and args.reply != "custom":
        raise InputError("template", "--template is only used with --reply custom. Hint: add --reply custom.",
                         "template_unused")
    return make_reply_rule(args.reply, template=template or "", encoding=args.encoding)


def with_checksum(args: argparse.Namespace, payload: bytes) -> bytes:
    return checksums.append(args.append, payload)


@dataclass(frozen=True)
class Saved:
    """The ``--send-saved`` message, read once: its bytes and the target it names, if any."""

    payload: bytes
    target: str


def saved_message(args: argparse.Namespace, host: str = "", port: int | str = "") -> Saved | None:
    """The ``--send-saved`` message filled for ``host``/``port``; an unknown name lists the names (exit 2)."""
    name = getattr(args, "send_saved", None)
    if not name:
        return None
    library = load_library()
    if library.set_aside is not None:  # the user's own messages are in that file, not in the examples used now
        print(f"socketlab: the saved messages file could not be read; it was set aside as {library.set_aside} "
              "and only the examples are there now. Hint: repair that file and import it in the window "
              "(Saved messages → Import).", file=sys.stderr, flush=True)
    found = library.find(name)
    if found is None:
        names = "; ".join(library.names()) or "(none)"
        raise InputError("send_saved", f"No saved message is called {name!r}. Hint: The saved messages are: "
                                       f"{names}.", "saved_unknown", {"name": name})
    target_host, _, target_port = found.target.rpartition(":")
    return Saved(found.payload(host or target_host, port or target_port), found.target)


def repeated(send: Callable[[bytes], None], args: argparse.Namespace, stop: threading.Event,
             room: Callable[[], object]) -> Callable[[bytes], None]:
    """``send`` that sends each payload ``--repeat`` times, ``--every`` ms apart (ends early on stop)."""
    times, every = getattr(args, "repeat", 1), getattr(args, "every", 0) / 1000

    def send_all(payload: bytes) -> None:
        for index in range(times):
            if index and (stop.wait(every) if every else stop.is_set()):
                return
            room()
            send(payload)
    return send_all


def then_stdin(first: bytes | None, send: Callable[[bytes], None], pump: Callable[[], object]) -> None:
    """Send ``first`` (repeated as asked) on a thread of its own, then start reading stdin."""
    def run() -> None:
        if first is not None:
            send(first)
        pump()
    if first is None:
        pump()
        return
    threading.Thread(target=run, name="socketlab-saved", daemon=True).start()


def frame_line(data: bytes, flag: str, as_hex: bool, encoding: str = "utf-8") -> bytes:
    """tcp-client with ``--frame``: one frame as one line (hex or escaped text), its flag after it."""
    text = format_hex(data) if as_hex else show_bytes(data, encoding)
    return (text + (f"  [{flag}]" if flag else "") + "\n").encode("utf-8", "replace")
