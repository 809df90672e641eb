"""The CLI's output path: data lines (folded, capped), raw datagrams, ``--save``, totals at exit.

The session thread hands every event to :meth:`Printer.show`; nothing else writes
data to stdout. Lines are written without a flush per line and flushed as soon as
the event queue is empty, so a flood costs a few writes per fold interval while a
single message still shows at once. A timer thread only puts :class:`FoldDue`
on the queue, so all output stays on the session thread.
"""

from __future__ import annotations

import argparse
import math
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, TextIO

from cli.folding import FOLD_SECONDS, PREVIEW_CHARS, DataLines, LineOptions
from cli.output import Display, count, event_line, trace
from netcore.eventqueue import EventQueue
from netcore.events import DataReceived, DataSent, Event, PeerClosed, PeerConnected, ReceiveOverflow, format_address
from netcore.payload import format_hex
from netcore.session.chart_text import clock_text
from netcore.validation import InputError

GATHER_SECONDS = 0.001
"""After data, with nothing more queued, the session thread sleeps this long before it waits again."""
BATCH_EVENTS = 4096
"""Data events taken from the queue at once behind the one the session handed over."""
_DATA: tuple[type[Event], ...] = (DataReceived, DataSent)


@dataclass(frozen=True, slots=True, kw_only=True)
class FoldDue(Event):
    """Put on the queue by the printer's timer: a folded line may be due."""


class TappedQueue(EventQueue):
    """An event queue that also hands what is drained at exit to ``tap``, so nothing goes uncounted."""

    tap: Callable[[Event], object] | None = None

    def drain(self, max_items: int | None = None) -> list[Event]:
        taken = super().drain(max_items)
        if self.tap is not None:
            for event in taken:
                self.tap(event)
        return taken


def add_output_options(parser: argparse.ArgumentParser, datagrams: bool = False) -> None:
    """``--quiet``, ``--full``, ``--fold``, ``--save`` (and ``--lines`` for udp)."""
    parser.add_argument("--quiet", action="store_true",
                        help="no line per message: only connects, closes, errors and the totals at exit")
    parser.add_argument("--full", action="store_true",
                        help=f"show every byte of every message (default: the first {PREVIEW_CHARS} characters "
                             "and how many bytes were not shown)")
    parser.add_argument("--fold", type=_seconds, default=FOLD_SECONDS, metavar="S",
                        help=f"under load, fold a peer's data into one line per S seconds, with exact totals "
                             f"(default {FOLD_SECONDS}; 0: a line per message)")
    parser.add_argument("--save", metavar="FILE",
                        help="write every byte received to FILE, raw and in arrival order (like nc -l > FILE)")
    if datagrams:
        parser.add_argument("--lines", action="store_true",
                            help="show datagrams as escaped lines even when stdout is not a terminal")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0 or more)")
    return value


def open_save(path: str | None) -> BinaryIO | None:
    """The ``--save`` file, opened for writing; InputError if it cannot be."""
    if path is None:
        return None
    try:
        return open(path, "wb")  # closed by Printer.finish
    except OSError as exc:
        message = (f"cannot write {path!r}: {exc.strerror}. "
                   "Hint: pick a file in a folder that exists and that you may write to.")
        raise InputError("save", message, "save_failed", {"path": path}) from None


class Printer:
    """Shows events as lines on ``lines_to`` or, for datagrams to a pipe, raw on ``raw_to``."""

    def __init__(self, options: LineOptions, queue: EventQueue, lines_to: TextIO,
                 raw_to: BinaryIO | None = None, save: BinaryIO | None = None, save_name: str = "",
                 verbose: bool = False, timestamps: bool = False) -> None:
        self.options = options
        self.timestamps = timestamps
        """``--timestamps``: each line starts with the time it was written (HH:MM:SS.mmm)."""
        self.verbose = verbose
        self.queue = queue
        self.lines = DataLines(LineOptions(quiet=True) if raw_to is not None else options)
        self.connections = 0
        self.overflow = [0, 0, 0, 0]  # datagrams, bytes, replies, reply bytes: counted, not kept
        self.saved = 0
        self._out, self._raw, self._save, self._save_name = lines_to, raw_to, save, save_name
        self._display = Display(options.encoding, options.hex)
        self._raw_only = (raw_to is not None and save is None and not verbose and not options.hex
                          and not options.quiet)
        """Datagrams go to a pipe raw and nothing else is asked: :meth:`_raw_batch` may take them."""
        self._dirty = self._tick_queued = False
        self._stopped = threading.Event()
        if options.fold > 0 and not (options.quiet or options.full) and raw_to is None:
            threading.Thread(target=self._timer, name="socketlab-fold", daemon=True).start()

    def show(self, event: Event) -> None:
        """Count and show one event (the session thread only), and the data right behind it.

        Data events queued right behind ``event`` are taken in one batch (each traced
        for ``-v`` as the session would); the first other event stays for the session.
        """
        kind = self.absorb(event)
        after_data = kind is DataReceived or kind is DataSent
        if after_data:
            batch = self.queue.drain_run(_DATA, BATCH_EVENTS)
            if self._raw_only and kind is DataReceived:
                self._raw_batch(batch)
            else:
                for more in batch:
                    trace(more, self.verbose)
                    self.absorb(more)
        if not len(self.queue):
            self._idle(after_data)

    def _raw_batch(self, batch: list[Event]) -> None:
        """udp to a pipe, nothing else asked for: the datagrams written raw in one piece, counted (the hot path)."""
        datagrams: list[bytes] = []
        for more in batch:
            if type(more) is DataReceived:
                datagrams.append(more.data)
            else:
                self._write_datagrams(datagrams)
                datagrams = []
                self.absorb(more)
        self._write_datagrams(datagrams)
        self._dirty = True

    def _write_datagrams(self, datagrams: list[bytes]) -> None:
        """Each datagram and a newline, as :meth:`_received` writes one, counted."""
        if not datagrams:
            return
        assert self._raw is not None
        self._raw.write(b"\n".join(datagrams) + b"\n")
        total = self.lines.totals["received"]
        total[0] += len(datagrams)
        total[1] += sum(map(len, datagrams))

    def absorb(self, event: Event) -> type[Event]:
        """Count and show one event without flushing or pausing (what is drained at exit)."""
        kind = type(event)
        if kind is DataReceived:
            self._received(event, time.monotonic())  # type: ignore[arg-type]
        elif kind is DataSent:
            lines = self.lines.data("sent", event.peer, event.data, time.monotonic())  # type: ignore[attr-defined]
            if lines:
                self._write(lines)
        elif kind is FoldDue:
            self._tick_queued = False
            self._write(self.lines.due(time.monotonic()))
        else:
            self._other(event, time.monotonic())
        return kind

    def _idle(self, after_data: bool) -> None:
        """The queue is empty: flush, and after data let the next events gather for a moment.

        Without that pause the session thread wakes for every round of events and takes
        the GIL from the worker between a request and its reply (see docs/benchmarks.md).
        """
        if self._dirty:
            self._flush()
        if after_data:
            time.sleep(GATHER_SECONDS)

    def _received(self, event: DataReceived, now: float) -> None:
        if self._save is not None:
            self._save_bytes(event.data)
        if self._raw is not None and not self.options.quiet:
            self._raw.write((format_hex(event.data) + "\n").encode() if self.options.hex else event.data + b"\n")
            self._dirty = True
        lines = self.lines.data("received", event.peer, event.data, now)
        if event.frame and event.flag and not self.options.quiet:  # a flagged frame is always said
            lines = ([*lines[:-1], f"{lines[-1]}  [{event.flag}]"] if lines else
                     [f"[{format_address(event.peer)}] a frame of {count(len(event.data), 'byte')} "
                      f"received: {event.flag}"])
        if lines:
            self._write(lines)

    def _other(self, event: Event, now: float) -> None:
        if isinstance(event, PeerConnected):
            self.connections += 1
        elif isinstance(event, ReceiveOverflow):
            counted = (event.datagrams, event.nbytes, event.replies, event.reply_nbytes)
            self.overflow = [a + b for a, b in zip(self.overflow, counted, strict=True)]
        line = event_line(event, self._display)
        if line is not None:
            self._write(self.lines.flush(now))
            self._write([line])
        if isinstance(event, PeerClosed):
            self.lines.forget(event.peer)

    def _save_bytes(self, data: bytes) -> None:
        assert self._save is not None
        try:
            self._save.write(data)
        except OSError as exc:
            self._save = None
            print(f"socketlab: cannot write to {self._save_name}: {exc.strerror}. "
                  "Hint: free some space or save elsewhere; what follows is not saved.", file=sys.stderr, flush=True)
            return
        self.saved += len(data)

    def _write(self, lines: list[str]) -> None:
        if lines:
            stamp = clock_text(time.time()) + " " if self.timestamps else ""
            self._out.write("".join(stamp + line + "\n" for line in lines))
            self._dirty = True

    def _flush(self) -> None:
        self._dirty = False
        self._out.flush()
        if self._raw is not None:
            self._raw.flush()

    def _timer(self) -> None:
        period = max(0.05, self.options.fold / 4)
        while not self._stopped.wait(period):
            if self.lines.pending and not self._tick_queued:
                self._tick_queued = True
                self.queue.put(FoldDue(endpoint="cli"))

    def finish(self, summary: str) -> None:
        """Show what is still folded, then ``summary`` and what was saved; close the save file."""
        self._stopped.set()
        self._write(self.lines.flush(time.monotonic()))
        self._write([summary])
        if self._save is not None:
            self._save.close()
            self._write([f"saved {count(self.saved, 'byte')} to {self._save_name}"])
        self._flush()

    def tcp_summary(self) -> str:
        received, sent = self.lines.totals["received"][1], self.lines.totals["sent"][1]
        return (f"total: {count(self.connections, 'connection')}; received {count(received, 'byte')}, "
                f"sent {count(sent, 'byte')}")

    def udp_summary(self) -> str:
        (got, got_bytes), (sent, sent_bytes) = self.lines.totals["received"], self.lines.totals["sent"]
        lost, lost_bytes, replies, reply_bytes = self.overflow
        text = (f"total: received {count(got + lost, 'datagram')} ({count(got_bytes + lost_bytes, 'byte')}), "
                f"sent {count(sent + replies, 'datagram')} ({count(sent_bytes + reply_bytes, 'byte')})")
        return text + (f"; {lost:,} received while behind were counted, not shown" if lost else "")

