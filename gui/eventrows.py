"""Which log row an engine event becomes (data rows are made by the tab, faster).

Pure, no Tk: each function returns a :class:`LogRecord` whose text is a catalog
key plus parameters, so the row is re-rendered in the right language later.
"""

from __future__ import annotations

from typing import Protocol

from gui.i18n import has, tr
from gui.logmodel import CALL, ERROR, EVENT, RECEIVED, SENT, LogRecord
from netcore.events import (
    Address,
    DataReceived,
    DataSent,
    ErrorEvent,
    Event,
    Notice,
    PeerClosed,
    PeerConnected,
    ReceiveOverflow,
    SocketCall,
    State,
    StateChanged,
    format_address,
)

DATA_CALLS = frozenset({"recv", "send", "sendto", "recvfrom"})
"""Calls made once per message: shown only when asked (the data rows say the same)."""


def state_record(event: StateChanged) -> LogRecord | None:
    """``Listening on 0.0.0.0:9000`` and the like; None for states not worth a row."""
    if event.state in (State.STOPPING, State.CONNECTED):
        return None  # CONNECTED: the PeerConnected row says it, with the local end
    params = {"local": format_address(event.local), "remote": format_address(event.remote)}
    return LogRecord(EVENT, event.time, event.remote, key=f"ev.{event.state.value}", params=params)


def call_record(event: SocketCall, show_calls: bool, show_data_calls: bool) -> LogRecord | None:
    """A traced socket call, if the View options want it (failed calls always show)."""
    wanted = show_data_calls if event.call in DATA_CALLS else show_calls
    if not wanted and event.ok:
        return None
    return LogRecord(CALL if event.ok else ERROR, event.time, event.peer, raw_text=call_text(event))


def data_call_record(event: DataReceived | DataSent, show_data_calls: bool) -> LogRecord | None:
    """The ``recv``/``send`` call a data event records, when the View options want it."""
    if not show_data_calls:
        return None
    return LogRecord(CALL, event.time, event.peer, raw_text=call_text(event))


def call_text(event: SocketCall | DataReceived | DataSent) -> str:
    """The call's line without the ``[peer]`` in front: the row's peer column shows it."""
    line = event.line()
    prefix = f"[{format_address(event.peer)}] " if event.peer else ""
    return line[len(prefix):] if prefix and line.startswith(prefix) else line


def frame_flag_record(event: DataReceived) -> LogRecord:
    """The row under a flagged frame: it was cut short, or its checksum is wrong."""
    if event.check.endswith(" bad"):
        key = "frames.bad_incomplete" if not event.complete else "frames.bad_check"
    else:
        key = "frames.incomplete"
    params = {"check": event.check[:-4], "n": f"{len(event.data):,}", "frame": event.frame}
    return LogRecord(ERROR, event.time, event.peer, key=key, params=params)


def error_record(event: ErrorEvent) -> LogRecord:
    """The explained problem and its hint, translated by code when the catalog knows it."""
    key = f"problem.{event.code}"
    if has(key):
        return LogRecord(ERROR, event.time, event.peer, key=key, params=dict(event.params),
                         hint_key=f"hint.{event.code}")
    return LogRecord(ERROR, event.time, event.peer, raw_text=f"{event.message} — {event.hint}")


def problem_text(event: ErrorEvent) -> str:
    """Message and hint as one paragraph, in the current language.

    One paragraph, not two lines: wrapped at the window's width it fits the two
    lines the banner keeps free, so the layout does not jump when it appears.
    """
    key = f"problem.{event.code}"
    if not has(key):
        message, hint = event.message, event.hint
    else:
        message, hint = tr(key, **event.params), tr(f"hint.{event.code}", **event.params)
    return message + ("" if message.endswith(("。", "！", "？")) else " ") + hint  # no space after a CJK stop


def notice_record(event: Notice) -> LogRecord:
    """A notice, by code."""
    key = f"notice.{event.code}"
    if has(key):
        return LogRecord(EVENT, event.time, event.peer, key=key, params=dict(event.params))
    return LogRecord(EVENT, event.time, event.peer, raw_text=event.message)


def peer_record(event: PeerConnected | PeerClosed) -> LogRecord:
    """A connection opened or closed (and why, with its byte totals)."""
    if isinstance(event, PeerConnected):
        params = {"local": format_address(event.local)}
        return LogRecord(EVENT, event.time, event.peer, key="ev.peer_connected", params=params)
    params = {"in": f"{event.bytes_in:,}", "out": f"{event.bytes_out:,}"}
    return LogRecord(EVENT, event.time, event.peer, key=f"ev.closed_{event.reason.name.lower()}", params=params)


def overflow_record(event: ReceiveOverflow) -> LogRecord:
    """Datagrams counted but not kept because the window fell behind."""
    params = {"datagrams": f"{event.datagrams:,}", "bytes": f"{event.nbytes:,}",
              "replies": f"{event.replies:,}", "reply_bytes": f"{event.reply_nbytes:,}"}
    key = "ev.overflow_replies" if event.replies else "ev.overflow"
    return LogRecord(ERROR, event.time, None, key=key, params=params)


def other_record(event: Event) -> LogRecord | None:
    """Rows for the remaining kinds (None for unknown ones)."""
    if isinstance(event, StateChanged):
        return state_record(event)
    if isinstance(event, ErrorEvent):
        return error_record(event)
    if isinstance(event, Notice):
        return notice_record(event)
    if isinstance(event, (PeerConnected, PeerClosed)):
        return peer_record(event)
    if isinstance(event, ReceiveOverflow):
        return overflow_record(event)
    return None


class RowSink(Protocol):
    """Where rows go: the traffic log (rows are queued there; nothing is drawn until it flushes)."""

    def add(self, record: LogRecord) -> None: ...
    def add_data(self, kind: str, when: float, peer: Address, data: bytes) -> None: ...


def log_event(log: RowSink, event: Event, show_calls: bool, show_data_calls: bool) -> None:
    """Queue the rows ``event`` makes in ``log``: a data row (and its call, if asked), a call, or an event row."""
    if isinstance(event, (DataReceived, DataSent)):
        record = data_call_record(event, show_data_calls)
        if record is not None:
            log.add(record)
        log.add_data(RECEIVED if isinstance(event, DataReceived) else SENT, event.time, event.peer, event.data)
        if isinstance(event, DataReceived) and event.frame and event.flag:
            log.add(frame_flag_record(event))
        return
    record = call_record(event, show_calls, show_data_calls) if isinstance(event, SocketCall) else other_record(event)
    if record is not None:
        log.add(record)
