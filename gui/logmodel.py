"""What the traffic log holds and how one row reads: pure, no Tk.

A :class:`LogRecord` is one row: data sent (→), data received (←) or an event (•),
errors flagged. Data rows keep a bounded preview of their bytes so the log can be
re-rendered as text or hex at any time; the exact totals live in the counters and
all received bytes in the spool file. :func:`format_row` turns a record into the
cells of one line in the current language and display mode.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from gui.i18n import tr
from netcore.events import Address, format_address
from netcore.payload import format_hex, printable, show_bytes
from netcore.session.chart_text import clock_text

PREVIEW_BYTES = 1024
"""Bytes of payload a row keeps for display (the rest is counted, and spooled)."""
MERGED_PREVIEW = 128
"""Bytes a merged (flood) row keeps: long lines are what makes a Text widget slow."""

SENT, RECEIVED, EVENT, ERROR, CALL = "sent", "recv", "event", "error", "call"
ARROWS = {SENT: "→", RECEIVED: "←", EVENT: "•", ERROR: "•", CALL: "•"}


@dataclass(slots=True)
class LogRecord:
    """One row of the log; ``key``/``params`` (and ``hint_key``) for event rows."""

    kind: str
    time: float
    peer: Address | None = None
    nbytes: int = 0
    data: bytes = b""
    count: int = 1
    key: str = ""
    params: dict[str, str] = field(default_factory=dict)
    hint_key: str = ""
    raw_text: str = ""  # untranslated text, e.g. a socket call line
    lane: str = ""
    """A relay's data row: the catalog key of its direction (``relay.up`` / ``relay.down``), shown before the data."""

    def merge(self, other: LogRecord) -> None:
        """Fold a later data record from the same peer into this one (flood coalescing)."""
        self.nbytes += other.nbytes
        self.count += other.count
        room = MERGED_PREVIEW - len(self.data)
        if room > 0:
            self.data += other.data[:room]

    def can_merge(self, other: LogRecord) -> bool:
        """Same direction and peer, both data rows."""
        return (self.kind == other.kind and self.kind in (SENT, RECEIVED) and self.peer == other.peer
                and self.lane == other.lane)


def data_record(kind: str, when: float, peer: Address | None, data: bytes) -> LogRecord:
    """A sent/received row keeping at most :data:`PREVIEW_BYTES` of ``data``."""
    return LogRecord(kind, when, peer, len(data), bytes(data[:PREVIEW_BYTES]))


format_time = clock_text
"""``14:03:07.251`` (local time, milliseconds): the same clock the sequence chart and its SVG show."""


def format_size(record: LogRecord) -> str:
    """``5 B``, or ``1,024 B ×8`` when several messages were merged into the row."""
    if record.kind not in (SENT, RECEIVED):
        return ""
    size = tr("log.bytes", n=f"{record.nbytes:,}")
    return size if record.count == 1 else f"{size} ×{record.count:,}"


def format_payload(record: LogRecord, hex_mode: bool, encoding: str) -> str:
    """The payload (text or hex, one line) or the translated event message."""
    if record.kind in (SENT, RECEIVED):
        shown = format_hex(record.data) if hex_mode else show_bytes(record.data, encoding)
        lane = f"{tr(record.lane)}: " if record.lane else ""
        return lane + shown + (" …" if record.nbytes > len(record.data) else "")
    if record.raw_text:
        return printable(record.raw_text)
    text = tr(record.key, **record.params)
    if record.hint_key:
        text = f"{text} — {tr(record.hint_key, **record.params)}"
    return printable(text)


def format_row(record: LogRecord, hex_mode: bool, encoding: str, timestamps: bool) -> str:
    """The whole line, tab-separated: time, arrow, peer, size, payload.

    An event row without a peer leaves out the empty cells, so its (longer) text
    starts sooner; one with a peer keeps the size cell empty, so its text is in the
    payload column, never under the byte counts.
    """
    cells = [ARROWS[record.kind]]
    if record.peer:
        cells.append(format_address(record.peer))
        cells.append(format_size(record))
    cells.append(format_payload(record, hex_mode, encoding))
    if timestamps:
        cells.insert(0, format_time(record.time))
    return "\t".join(cells)


def to_text(records: Iterable[LogRecord], hex_mode: bool, encoding: str) -> str:
    """The log as plain text, one row a line, always with timestamps."""
    return "".join(format_row(r, hex_mode, encoding, True) + "\n" for r in records)


def to_csv(records: Iterable[LogRecord], encoding: str) -> str:
    """The log as CSV: time, direction, peer, bytes, messages, text, hex, message."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time", "direction", "peer", "bytes", "messages", "text", "hex", "message"])
    for r in records:
        is_data = r.kind in (SENT, RECEIVED)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.time)) + f".{int(r.time * 1000) % 1000:03d}"
        writer.writerow([
            stamp,
            tr(r.lane) if r.lane else r.kind,
            format_address(r.peer) if r.peer else "",
            r.nbytes if is_data else "",
            r.count if is_data else "",
            show_bytes(r.data, encoding) if is_data else "",
            format_hex(r.data) if is_data else "",
            "" if is_data else format_payload(r, False, encoding),
        ])
    return out.getvalue()
