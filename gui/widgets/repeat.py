"""Sending again and again, and sending a file, without blocking the window.

:class:`RepeatControls` sends the input every N ms, M times (0: until stopped),
from an ``after`` loop on the Tk thread; it stops by itself when a send fails.
:class:`FileSender` reads a file in chunks from an ``after`` loop and hands each
chunk to the endpoint only while the endpoint's own queue of unsent bytes is
small, so a large file never overruns the engine's bounded outbox.
"""

from __future__ import annotations

import time
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import ttk
from typing import IO

from gui.i18n import later, tr
from gui.i18n_tk import Texts, chars_for

MAX_INTERVAL_MS = 3_600_000
MAX_COUNT = 1_000_000


def parse_count(text: str, field: str, low: int, high: int) -> int | str:
    """A whole number in ``low..high`` from ``text``, or the translated error message."""
    value = text.strip()
    if value.isascii() and value.isdigit() and low <= int(value) <= high:
        return int(value)
    return tr("input.count_invalid", field=tr(f"field.{field}"), low=low, high=high, value=value)


class RepeatControls(ttk.Frame):
    """``Repeat every [1000] ms × [10] [Repeat]``; the button turns into Stop."""

    def __init__(self, parent: tk.Misc, texts: Texts, send: Callable[[], bool],
                 on_error: Callable[[Callable[[], str] | None], None] | None = None) -> None:
        super().__init__(parent)
        self._send_input = send
        self._on_error = on_error or (lambda _message: None)
        self._message: Callable[[], str] = str
        self.texts = texts
        self.sent = 0
        self.total = 0
        self._job: str | None = None
        texts.bind(ttk.Label(self), "repeat.every").pack(side="left")
        self.interval = ttk.Entry(self, width=5)
        self.interval.insert(0, "1000")
        self.interval.pack(side="left", padx=4)
        texts.bind(ttk.Label(self), "repeat.ms_times").pack(side="left")
        self.count = ttk.Entry(self, width=4)
        self.count.insert(0, "10")
        self.count.pack(side="left", padx=4)
        self.button = ttk.Button(self, command=self.toggle)
        self.button.pack(side="left", padx=(4, 0))
        texts.call(self._label)

    @property
    def active(self) -> bool:
        """True while repeating."""
        return self._job is not None

    def _label(self) -> None:
        """The button's text; it is as wide as the longer of its two texts, so it never jumps."""
        font = str(ttk.Style(self).lookup("TButton", "font")) or "TkDefaultFont"
        width = chars_for(self.button, [tr("repeat.stop"), tr("repeat.start")], font)
        self.button.configure(text=tr("repeat.stop" if self.active else "repeat.start"), width=width)

    def toggle(self) -> None:
        """Start repeating, or stop; a wrong field is said through ``on_error``."""
        if self.active:
            self.stop()
        else:
            message = self.start()
            self._on_error(None if message is None else self._message)

    def start(self) -> str | None:
        """Begin; returns an error message (and does nothing) if a field is wrong."""
        values: list[int] = []
        for field, entry, low, high in (("interval", self.interval, 1, MAX_INTERVAL_MS),
                                        ("count", self.count, 0, MAX_COUNT)):
            value = parse_count(entry.get(), field, low, high)
            entry.state(["invalid" if isinstance(value, str) else "!invalid"])
            if isinstance(value, str):
                typed = entry.get()
                self._message = lambda: str(parse_count(typed, field, low, high))  # noqa: B023  # returned at once
                return value
            values.append(value)
        self.sent, self._interval, self.total = 0, values[0], values[1]
        self._job = self.after(0, self._tick)
        self._label()
        return None

    def _tick(self) -> None:
        self._job = None
        if not self._send_input():
            self.stop()
            return
        self.sent += 1
        if self.total and self.sent >= self.total:
            self.stop()
            return
        self._job = self.after(self._interval, self._tick)
        self._label()

    def stop(self) -> None:
        """Stop repeating."""
        if self._job is not None:
            self.after_cancel(self._job)
            self._job = None
        self._label()

    def retranslate(self) -> None:
        """Relabel (the Texts bindings are applied by the owner)."""
        self._label()


class FileSender:
    """Streams one file to ``send`` in chunks, paced by ``backlog()`` (bytes unsent)."""

    TICK_MS = 5
    TICK_BUDGET = 0.004

    def __init__(self, widget: tk.Misc, path: Path, chunk: int, send: Callable[[bytes], bool],
                 backlog: Callable[[], int], window: int,
                 on_progress: Callable[[int, int], None], on_done: Callable[[Callable[[], str] | None], None]) -> None:
        self.widget, self.chunk, self.send, self.backlog = widget, chunk, send, backlog
        self.window, self.on_progress, self.on_done = window, on_progress, on_done
        self.total = path.stat().st_size
        self.done = 0
        self.path = path
        self._file: IO[bytes] | None = open(path, "rb")  # noqa: SIM115  # closed in _finish
        self._job: str | None = widget.after(0, self._tick)

    @property
    def active(self) -> bool:
        """True until the whole file went out, it failed, or it was cancelled."""
        return self._file is not None

    def _tick(self) -> None:
        self._job = None
        deadline = time.perf_counter() + self.TICK_BUDGET
        assert self._file is not None
        while self.backlog() < self.window and time.perf_counter() < deadline:
            try:
                data = self._file.read(self.chunk)
            except OSError as error:
                self._finish(later("file.cannot_read", path=str(self.path), detail=error.strerror or str(error)))
                return
            if not data:
                self._finish(None)
                return
            if not self.send(data):
                self._finish(later("file.not_sent"))
                return
            self.done += len(data)
        self.on_progress(self.done, self.total)
        self._job = self.widget.after(self.TICK_MS, self._tick)

    def cancel(self) -> None:
        """Stop sending (what was handed over still goes out)."""
        self._finish(later("file.cancelled"))

    def _finish(self, error: Callable[[], str] | None) -> None:
        if self._job is not None:
            self.widget.after_cancel(self._job)
            self._job = None
        if self._file is not None:
            self._file.close()
            self._file = None
            self.on_progress(self.done, self.total)
            self.on_done(error)
