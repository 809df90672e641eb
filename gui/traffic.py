"""Exact traffic totals and the on-disk spool of received bytes: pure, no Tk.

:class:`Counters` counts every byte and message in and out, whatever the log
shows or trims, and estimates the current rate from one-second samples.
:class:`ReceiveSpool` appends every received byte to an anonymous temporary file
(bounded on disk, never in RAM) so "Save received data" can write all of it.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

DEFAULT_SPOOL_LIMIT = 1 << 30
"""Bytes of received data kept on disk per tab (1 GiB); beyond it, counted only."""


@dataclass
class Counters:
    """Bytes and messages in and out since the last reset, and the current rates."""

    bytes_in: int = 0
    bytes_out: int = 0
    msgs_in: int = 0
    msgs_out: int = 0
    rate_in: float = 0.0
    rate_out: float = 0.0
    _mark: tuple[float, int, int] = field(default_factory=lambda: (time.monotonic(), 0, 0))

    def received(self, nbytes: int) -> None:
        """Count one message of ``nbytes`` in."""
        self.bytes_in += nbytes
        self.msgs_in += 1

    def sent(self, nbytes: int) -> None:
        """Count one message of ``nbytes`` out."""
        self.bytes_out += nbytes
        self.msgs_out += 1

    def sample(self, now: float | None = None) -> bool:
        """Update the rates if a second or more passed; True if they changed."""
        now = time.monotonic() if now is None else now
        then, bytes_in, bytes_out = self._mark
        elapsed = now - then
        if elapsed < 1.0:
            return False
        self.rate_in = (self.bytes_in - bytes_in) / elapsed
        self.rate_out = (self.bytes_out - bytes_out) / elapsed
        self._mark = (now, self.bytes_in, self.bytes_out)
        return True

    def reset(self) -> None:
        """Back to zero."""
        self.bytes_in = self.bytes_out = self.msgs_in = self.msgs_out = 0
        self.rate_in = self.rate_out = 0.0
        self._mark = (time.monotonic(), 0, 0)


def human_rate(bytes_per_second: float) -> str:
    """``0 B/s``, ``12.3 KB/s``, ``4.56 MB/s``."""
    value = bytes_per_second
    for unit in ("B/s", "KB/s", "MB/s"):
        if value < 1000 or unit == "MB/s":
            return f"{value:.0f} {unit}" if unit == "B/s" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB/s"  # pragma: no cover


class ReceiveSpool:
    """Every received byte, appended to a temporary file that vanishes on close."""

    def __init__(self, limit: int = DEFAULT_SPOOL_LIMIT) -> None:
        self.limit = limit
        self.size = 0
        self.dropped = 0
        """Bytes not kept because the spool reached :attr:`limit`."""
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="socketlab-rx-")  # noqa: SIM115  # lives as long as the tab

    def write(self, data: bytes) -> None:
        """Append ``data`` (up to the limit; the rest is counted in :attr:`dropped`)."""
        room = self.limit - self.size
        if len(data) > room:
            self.dropped += len(data) - max(room, 0)
            data = data[:max(room, 0)]
        if data:
            self._file.write(data)
            self.size += len(data)

    def save_to(self, path: Path) -> int:
        """Copy everything kept to ``path``; returns the byte count. Raises OSError."""
        self._file.flush()
        self._file.seek(0)
        with open(path, "wb") as out:
            shutil.copyfileobj(self._file, out, 1 << 20)
        self._file.seek(0, 2)
        return self.size

    def read_all(self) -> bytes:
        """Everything kept (tests only: loads it into memory)."""
        self._file.flush()
        self._file.seek(0)
        data = self._file.read()
        self._file.seek(0, 2)
        return data

    def clear(self) -> None:
        """Start empty again."""
        self._file.seek(0)
        self._file.truncate()
        self.size = self.dropped = 0

    def close(self) -> None:
        """Delete the file."""
        self._file.close()
