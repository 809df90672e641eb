"""Keeping a tab's whole session on disk as it happens, so "Save session…" can write all of it.

The front-end calls :meth:`SessionSpool.add` for every event (cheap: a list append on
its own thread) and :meth:`SessionSpool.flush` once per drawing round; a background
thread encodes the batches to a temporary session file. :meth:`SessionSpool.save_to`
copies what was recorded, with its closing line, to where the user chose. Bounded on
disk (:data:`DEFAULT_LIMIT`) and in what waits to be written (:data:`MAX_BACKLOG`
events): under a flood too fast to record, recording stops there and the saved file
ends with a notice saying so (the tab's counters and received data stay exact). No Tk.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import tempfile
import threading
import time
from pathlib import Path

from netcore.events import Event, Notice
from netcore.problems import NOTICES, fill
from netcore.session.record import SessionWriter, encode_event

DEFAULT_LIMIT = 1 << 30
"""Bytes of session file kept per tab on disk (1 GiB)."""
SAVE_WAIT = 10.0
MAX_YIELD = 0.05
"""After writing a batch, the window's spool sleeps as long as that took (at most this): half a core at most."""
MAX_BACKLOG = 200_000
"""Events handed to the writer and not yet written; past this, recording stops."""


class SessionSpool:
    """A session file being written in the background; one per tab."""

    def __init__(self, kind: str, name: str, app_version: str, limit: int = DEFAULT_LIMIT,
                 path: Path | None = None) -> None:
        """Spool to a temporary file, or (``path``) record straight into the user's file (``--record``)."""
        self._temporary = path is None
        if path is None:
            handle, temp = tempfile.mkstemp(prefix="socketlab-session-", suffix=".jsonl")
            os.close(handle)
            path = Path(temp)
        self.path = path
        self.limit = limit
        self.full = False
        """True once recording stopped (the disk limit, or a backlog past :data:`MAX_BACKLOG`)."""
        self._backlog = 0
        self._closing = False
        self._writer = SessionWriter(self.path, kind, name, app_version)
        self._batch: list[Event] = []
        self._queue: queue.Queue[list[Event] | None] = queue.Queue()
        self._written = threading.Condition()
        self._unwritten = 0
        """Batches handed to the writer and not yet written (guarded by ``_written``)."""
        self._thread = threading.Thread(target=self._run, name="socketlab-session-spool", daemon=True)
        self._thread.start()

    @property
    def count(self) -> int:
        """Events written to the file so far."""
        return self._writer.count

    def add(self, event: Event) -> None:
        """Keep ``event`` (the front-end's thread; no I/O here)."""
        self._batch.append(event)

    def flush(self) -> None:
        """Hand what was added to the writer thread (or drop it, once recording has stopped)."""
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        if self.full or self._backlog + len(batch) > MAX_BACKLOG:
            self.full = True
            return
        self._backlog += len(batch)
        with self._written:
            self._unwritten += 1
        self._queue.put(batch)

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            if not self.full and not self._closing:
                started = time.perf_counter()
                with contextlib.suppress(OSError):  # a full disk: the tab goes on, the file just stops growing
                    self._writer.write(batch)
                    self.full = self.full or self.path.stat().st_size >= self.limit
                if self._temporary:  # the window's spool yields: its Tk thread and the engine come first
                    time.sleep(min(MAX_YIELD, time.perf_counter() - started))
            self._backlog -= len(batch)
            with self._written:
                self._unwritten -= 1
                self._written.notify_all()

    def save_to(self, target: Path) -> int:
        """Copy the session so far, closed properly, to ``target``; returns the number of events."""
        self.flush()
        with self._written:
            self._written.wait_for(lambda: self._unwritten == 0, SAVE_WAIT)
        with open(self.path, "rb") as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
            if self.full:
                params = {"limit": f"{self.limit:,}"}
                notice = Notice(endpoint=self._writer.name, code="recording_stopped",
                                message=fill(NOTICES["recording_stopped"], params), params=params)
                out.write(json.dumps(encode_event(notice), separators=(",", ":")).encode() + b"\n")
            out.write(b'{"type":"end","events":%d}\n' % (self.count + self.full))
        return self.count

    def close(self) -> None:
        """Stop the writer (what waits is dropped) and delete the temporary file."""
        self._closing = True
        self._queue.put(None)
        self._thread.join(1.0)
        self._writer.close()
        if self._temporary:
            with contextlib.suppress(OSError):
                self.path.unlink()

    def finish(self) -> int:
        """End a recording into the user's file: write all that waits, then the closing line; returns the count."""
        self.flush()
        with self._written:
            self._written.wait_for(lambda: self._unwritten == 0, SAVE_WAIT)
        self._queue.put(None)
        self._thread.join(SAVE_WAIT)
        if self.full:
            params = {"limit": f"{self.limit:,}"}
            self._writer.write([Notice(endpoint=self._writer.name, code="recording_stopped",
                                       message=fill(NOTICES["recording_stopped"], params), params=params)])
        self._writer.close()
        return self.count
