"""``--record FILE``: every event of the command, written to a session file as it comes.

The queue the command reads from records what is taken from it (by the session loop,
by the printer's batches, and by the drain at exit), so the file holds exactly what
the command saw, in order. A writer thread encodes it (the terminal never waits for
the disk); the file is flushed after every batch, and :func:`finish_recording` writes
the closing line, also after Ctrl-C or SIGTERM. A second Ctrl-C leaves the file
without it, and readers say it was cut off.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.printer import TappedQueue
from netcore.events import Event
from netcore.session.spool import SessionSpool
from netcore.version import VERSION


class RecordingQueue(TappedQueue):
    """A tapped queue whose every taken event also goes to ``spool`` (the consumer's thread)."""

    spool: SessionSpool | None = None

    def _keep(self, events: list[Event]) -> list[Event]:
        spool = self.spool
        if spool is not None and events:
            for event in events:
                spool.add(event)
            spool.flush()
        return events

    def get(self, timeout: float | None = None) -> Event | None:
        event = super().get(timeout)
        if event is not None and self.spool is not None:  # not recording: nothing added on the hot path
            self._keep([event])
        return event

    def drain(self, max_items: int | None = None) -> list[Event]:
        taken = super().drain(max_items)
        return self._keep(taken) if self.spool is not None else taken

    def drain_run(self, kinds: tuple[type[Event], ...], max_items: int) -> list[Event]:
        taken = super().drain_run(kinds, max_items)
        return self._keep(taken) if self.spool is not None else taken


def add_record_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--record", metavar="FILE",
                        help="write every event (calls, data, closes) to FILE as a session: see 'chart', 'pcap' "
                             "and File → Open session")


def start_recording(args: argparse.Namespace, queue: RecordingQueue, kind: str, name: str) -> bool:
    """Open ``--record``'s file if asked; False (after saying why) if it cannot be written."""
    if not getattr(args, "record", None):
        return True
    try:
        queue.spool = SessionSpool(kind, name, VERSION, path=Path(args.record))
    except OSError as exc:
        print(f"socketlab: cannot record to {args.record!r}: {exc.strerror or exc}. "
              "Hint: pick a file in a folder that exists and that you may write to.", file=sys.stderr)
        return False
    return True


def finish_recording(queue: RecordingQueue, args: argparse.Namespace) -> None:
    """Write what waits and the closing line; say how much was recorded."""
    if queue.spool is not None:
        count = queue.spool.finish()
        print(f"socketlab: recorded {count:,} events to {args.record}", file=sys.stderr, flush=True)
        queue.spool = None
