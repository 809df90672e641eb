"""Session files: the event stream on disk, one JSON object per line (JSON Lines).

The first line is a header ``{"format": "socketlab-session", "version": 1, ...}``;
every other line is one event: ``{"type": "DataReceived", "endpoint": ..., "time":
..., ...}`` with each field of the event's dataclass. Bytes are stored losslessly as
``{"b64": "..."}``, addresses as ``[host, port]``, enums by name. A recording that
ended cleanly has a last line ``{"type": "end", "events": N}``; one cut off by a
crash has not, and reads back with ``complete`` False.

:func:`encode_event` / :func:`decode_event` are pure; :class:`SessionWriter` and
:func:`read_session` do the file I/O. Errors in a file are :class:`SessionFileError`
with the line number, never a traceback.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import enum
import functools
import json
import os
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from netcore.events import (
    CloseReason,
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
    StepPending,
)

FORMAT = "socketlab-session"
VERSION = 1
EVENT_TYPES: dict[str, type[Event]] = {kind.__name__: kind for kind in (
    SocketCall, StateChanged, PeerConnected, PeerClosed, DataReceived, DataSent, Notice, ReceiveOverflow,
    ErrorEvent, StepPending)}
ENUMS: dict[str, type[enum.Enum]] = {"state": State, "reason": CloseReason}
ADDRESS_FIELDS = frozenset({"peer", "local", "remote"})


class SessionFileError(ValueError):
    """A session file that cannot be read; ``str()`` is one line a person understands."""


@dataclass(frozen=True)
class Session:
    """What a session file holds: its header, its events in order, and whether it ended cleanly."""

    header: dict[str, Any]
    events: list[Event]
    complete: bool

    @property
    def kind(self) -> str:
        """The endpoint kind recorded (``tcp-server``, ``tcp-client``, ``udp``), or ``""``."""
        return str(self.header.get("kind", ""))


# ---- pure: one event <-> one JSON object ----

def _encode_value(name: str, value: object) -> object:
    if isinstance(value, bytes):
        return {"b64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, tuple):
        return list(value)
    return value


def encode_event(event: Event) -> dict[str, object]:
    """The JSON object for ``event`` (every field, bytes in base64)."""
    row: dict[str, object] = {"type": type(event).__name__}
    for item in dataclasses.fields(event):
        row[item.name] = _encode_value(item.name, getattr(event, item.name))
    return row


def _decode_value(name: str, value: object) -> object:
    if isinstance(value, dict) and set(value) == {"b64"}:
        return base64.b64decode(str(value["b64"]), validate=True)
    if name in ENUMS and isinstance(value, str):
        return ENUMS[name][value]
    if name in ADDRESS_FIELDS and isinstance(value, list):
        host, port = value
        if not isinstance(host, str) or not isinstance(port, int):
            raise TypeError(f"{name} must be [host, port]")
        return host, port
    return value


def decode_event(row: dict[str, object]) -> Event:
    """The event a JSON object stands for; ValueError/TypeError/KeyError if it is not one."""
    kind = EVENT_TYPES[str(row["type"])]
    names = {item.name for item in dataclasses.fields(kind)}
    unknown = set(row) - names - {"type"}
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    values = {name: _decode_value(name, value) for name, value in row.items() if name != "type"}
    hints = _hints(kind)
    for name, value in values.items():
        if not _fits(value, hints[name]):
            raise TypeError(f"{name} has the wrong type")
    return kind(**values)  # type: ignore[arg-type]


_HINTS: dict[str, dict[str, Any]] = {}


def _hints(kind: type[Event]) -> dict[str, Any]:
    if kind.__name__ not in _HINTS:
        _HINTS[kind.__name__] = typing.get_type_hints(kind)
    return _HINTS[kind.__name__]


def _fits(value: object, hint: Any) -> bool:
    """Does ``value`` have the (simple) type ``hint`` that an event field declares?"""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, arg) for arg in args)
    if hint is type(None):
        return value is None
    if origin is tuple:
        return isinstance(value, tuple) and len(value) == len(args) and all(map(_fits, value, args))
    if origin is dict:
        return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


@functools.lru_cache(maxsize=4096)
def _quoted(text: str) -> str:
    """A JSON string literal (endpoint names, hosts and call names repeat: computed once each)."""
    return json.dumps(text, ensure_ascii=False)


def encode_line(event: Event) -> str:
    """``event`` as one line of JSON (no newline). Data events, the many, take a faster path."""
    kind = type(event)
    if kind is DataReceived or kind is DataSent:
        data: DataReceived | DataSent = event  # type: ignore[assignment]
        last = "requested" if kind is DataReceived else "offered"
        count = data.requested if isinstance(data, DataReceived) else data.offered
        return (f'{{"type":"{kind.__name__}","endpoint":{_quoted(data.endpoint)},'
                f'"time":{data.time!r},"peer":[{_quoted(data.peer[0])},{data.peer[1]}],'
                f'"data":{{"b64":"{base64.b64encode(data.data).decode("ascii")}"}},'
                f'"call":{_quoted(data.call)},"{last}":{count}{_relay_fields(data)}{_frame_fields(data)}}}')
    return json.dumps(encode_event(event), ensure_ascii=False, separators=(",", ":"))


def _relay_fields(data: DataReceived | DataSent) -> str:
    """A relay's direction and pair, when the event has them (other endpoints' lines stay as they were)."""
    if not data.direction:
        return ""
    return f',"direction":{_quoted(data.direction)},"pair":{data.pair}'


def _frame_fields(event: DataReceived | DataSent) -> str:
    """The framing fields of a received frame, when it is one (a plain ``recv`` has none)."""
    if not isinstance(event, DataReceived) or not event.frame:
        return ""
    return (f',"frame":{_quoted(event.frame)},"complete":{"true" if event.complete else "false"},'
            f'"check":{_quoted(event.check)}')


def header(kind: str, name: str, app_version: str) -> dict[str, object]:
    """The first line of a session file."""
    return {"format": FORMAT, "version": VERSION, "kind": kind, "endpoint": name, "app": f"SocketLab {app_version}"}


# ---- files ----

class SessionWriter:
    """Appends events to a session file as they come; flushes after each batch.

    Use :meth:`write` for each batch of events and :meth:`close` at the end (it writes
    the closing line). The file is readable at any point: a crash loses at most the
    batch being written.
    """

    def __init__(self, path: str | os.PathLike[str], kind: str, name: str, app_version: str) -> None:
        self.path = Path(path)
        self.name = name
        self.count = 0
        self._file: IO[str] | None = open(self.path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self._line(header(kind, name, app_version))
        self._file.flush()

    def _line(self, row: dict[str, object]) -> None:
        assert self._file is not None
        self._file.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")

    def write(self, events: Iterable[Event]) -> None:
        """Append ``events`` and flush them to the file."""
        for event in events:
            self.add(event)
        self.flush()

    def add(self, event: Event) -> None:
        """Append one event (buffered: call :meth:`flush` when a batch is done)."""
        if self._file is not None:
            self._file.write(encode_line(event) + "\n")
            self.count += 1

    def flush(self) -> None:
        """Push what was added to the file, so a reader (or a crash) sees it."""
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        """Write the closing line and close the file (again: nothing)."""
        if self._file is None:
            return
        self._line({"type": "end", "events": self.count})
        self._file.close()
        self._file = None


def read_session(path: str | os.PathLike[str]) -> Session:
    """Read a whole session file; :class:`SessionFileError` says in one line what is wrong."""
    target = Path(path)
    try:
        text = target.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SessionFileError(f"{target}: no such file.") from None
    except IsADirectoryError:
        raise SessionFileError(f"{target}: is a folder, not a session file.") from None
    except OSError as exc:
        raise SessionFileError(f"{target}: cannot be read ({exc.strerror or exc}).") from None
    except UnicodeDecodeError:
        raise SessionFileError(f"{target}: not a SocketLab session (not UTF-8 text).") from None
    return parse_session(text, str(target))


def parse_session(text: str, name: str = "session") -> Session:
    """Parse the text of a session file (pure)."""
    if not text.strip():
        raise SessionFileError(f"{name}: the file is empty.")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    elif lines:
        raise SessionFileError(f"{name}: line {len(lines)} is cut short (the file is truncated).")
    head = _header(lines[0], name)
    events: list[Event] = []
    complete = False
    for number, line in enumerate(lines[1:], start=2):
        if complete:
            raise SessionFileError(f"{name}: line {number} comes after the closing line.")
        row = _json_object(line, number, name)
        if row.get("type") == "end":
            complete = True
            continue
        try:
            events.append(decode_event(row))
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise SessionFileError(f"{name}: line {number} is not a SocketLab event ({_why(exc)}).") from None
    return Session(head, events, complete)


def _header(line: str, name: str) -> dict[str, Any]:
    row = _json_object(line, 1, name, first=True)
    if row.get("format") != FORMAT:
        raise SessionFileError(f"{name}: not a SocketLab session (the first line has no "
                               f"\"format\": \"{FORMAT}\").")
    version = row.get("version")
    if version != VERSION:
        raise SessionFileError(f"{name}: session format version {version!r}; this SocketLab reads version "
                               f"{VERSION}.")
    return row


def _json_object(line: str, number: int, name: str, first: bool = False) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError:
        what = "not a SocketLab session (not JSON)" if first else f"line {number} is not JSON"
        raise SessionFileError(f"{name}: {what}.") from None
    if not isinstance(row, dict):
        raise SessionFileError(f"{name}: line {number} is not a JSON object.")
    return row


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"unknown or missing {exc.args[0]!r}"
    return str(exc) or type(exc).__name__
