"""``chart`` and ``pcap``: a recorded session drawn as SVG, or rebuilt as a capture for Wireshark."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli import argtypes
from netcore.session.pcap import write_pcapng
from netcore.session.record import Session, SessionFileError, read_session
from netcore.session.sequence import MAX_ITEMS, SequenceModel
from netcore.session.svg import render_svg


def add_export_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``chart`` and ``pcap`` to the command line."""
    chart = commands.add_parser("chart", help="draw a recorded session (--record) as an SVG sequence chart")
    chart.add_argument("file", help="the session file (JSON Lines) written by --record or File → Save session")
    chart.add_argument("-o", "--output", required=True, metavar="OUT.svg", help="where to write the SVG")
    chart.add_argument("--lang", choices=("en", "zh"), default="en", help="label language (default en)")
    chart.add_argument("--max-items", type=argtypes.count(1, 10_000_000), default=MAX_ITEMS, metavar="N",
                       help=f"draw at most the last N items (default {MAX_ITEMS:,})")
    pcap = commands.add_parser("pcap", help="rebuild a recorded session as a pcapng capture for Wireshark")
    pcap.add_argument("file", help="the session file (JSON Lines)")
    pcap.add_argument("-o", "--output", required=True, metavar="OUT.pcapng", help="where to write the capture")


def _load(path: str) -> Session | None:
    try:
        session = read_session(path)
    except SessionFileError as exc:
        print(f"socketlab: {exc} Hint: give a file written by --record or File → Save session.", file=sys.stderr)
        return None
    if not session.complete:
        print(f"socketlab: note: {path} ends without its closing line (the recording was cut off); "
              "using what it holds.", file=sys.stderr)
    return session


def _cannot_write(path: str, exc: OSError) -> int:
    print(f"socketlab: cannot write {path}: {exc.strerror or exc}. Hint: choose a folder you can write to.",
          file=sys.stderr)
    return 1


def run_chart(args: argparse.Namespace) -> int:
    """``chart FILE -o OUT.svg``: 0 when written, 1 when the file or the output is a problem."""
    session = _load(args.file)
    if session is None:
        return 1
    model = SequenceModel(session.kind or "tcp-server", max_items=args.max_items)
    for event in session.events:
        model.feed(event)
    title = f"SocketLab · {session.kind or 'session'} · {Path(args.file).name}"
    try:
        Path(args.output).write_text(render_svg(model, args.lang, title), encoding="utf-8")
    except OSError as exc:
        return _cannot_write(args.output, exc)
    print(f"Wrote {args.output}: {len(model.items):,} items in {len(model.lanes)} lanes.")
    return 0


def run_pcap(args: argparse.Namespace) -> int:
    """``pcap FILE -o OUT.pcapng``: 0 when written, 1 when the file or the output is a problem."""
    session = _load(args.file)
    if session is None:
        return 1
    try:
        frames = write_pcapng(session, args.output)
    except OSError as exc:
        return _cannot_write(args.output, exc)
    print(f"Wrote {args.output}: {frames:,} packets, reconstructed from the recorded socket calls (not captured).")
    return 0
