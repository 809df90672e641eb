"""The library of saved messages, shared by every tab and the command line.

A saved message has a name, the text as typed, how to read it (text, hex or
escapes), an encoding, a line ending, a checksum to append, and optionally a target
and a group. ``{host}`` and ``{port}`` in the text are filled from the target when it
is sent (so the example HTTP GET carries the right ``Host`` header). The library is
kept in ``library.json`` in the config folder, written atomically; a corrupt file is
set aside, never overwritten. Import and export use the same JSON (documented in
``docs/library.md``): an import that has any bad entry is refused whole, with the
reason, and nothing already saved changes.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from netcore import checksums
from netcore.payload import LINE_ENDINGS, build_payload, check_encoding
from netcore.storage import config_dir, read_json, set_aside, write_json
from netcore.validation import InputError

FILE_NAME = "library.json"
FORMAT = "socketlab-library"
VERSION = 1
MODES = ("text", "hex", "escapes")
MAX_MESSAGES = 1000
MAX_TEXT = 1 << 20
_SLOT = re.compile(r"\{(host|port)\}")


class LibraryError(ValueError):
    """A library file or entry that cannot be used; ``str()`` says why in one line."""


@dataclass(frozen=True)
class SavedMessage:
    """One named message, as the send bar would send it."""

    name: str
    text: str
    mode: str = "text"
    encoding: str = "utf-8"
    line_ending: str = "none"
    checksum: str = "none"
    target: str = ""
    group: str = ""

    def payload(self, host: str = "", port: int | str = "") -> bytes:
        """The bytes that go out: text read per mode, line ending, then the checksum.

        ``{host}`` and ``{port}`` in the text become ``host`` and ``port`` (literally).
        """
        values = {"host": host, "port": str(port)}
        text = _SLOT.sub(lambda m: values[m.group(1)] or m.group(0), self.text)
        body = build_payload(text, self.mode, self.encoding, self.line_ending)
        return checksums.append(self.checksum, body)


def check_message(message: SavedMessage) -> SavedMessage:
    """``message`` if every field is usable, else :class:`LibraryError` naming the field."""
    name = message.name.strip()
    if not name or len(name) > 80 or not name.isprintable():
        raise LibraryError(f"the name {message.name!r} must be 1-80 printable characters")
    if message.mode not in MODES:
        raise LibraryError(f"{name}: mode must be one of {', '.join(MODES)}, not {message.mode!r}")
    if message.line_ending not in LINE_ENDINGS:
        raise LibraryError(f"{name}: unknown line ending {message.line_ending!r}")
    if len(message.text) > MAX_TEXT:
        raise LibraryError(f"{name}: the text is longer than {MAX_TEXT:,} characters")
    try:
        check_encoding(message.encoding)
        checksums.check_name(message.checksum)
        message.payload("h", 1)  # hex that does not parse, text the encoding cannot hold
    except InputError as exc:
        raise LibraryError(f"{name}: {exc}") from None
    return replace(message, name=name)


def examples() -> list[SavedMessage]:
    """What a new library holds, to show what it is for (the user may delete them)."""
    return [
        SavedMessage("HTTP GET /", "GET / HTTP/1.1\\r\\nHost: {host}\\r\\nConnection: close\\r\\n\\r\\n",
                     mode="escapes", group="Examples"),
        SavedMessage("Modbus TCP: read 10 holding registers", "00 01 00 00 00 06 01 03 00 00 00 0A", mode="hex",
                     group="Examples"),
        SavedMessage("Modbus RTU: read 10 holding registers (CRC)", "01 03 00 00 00 0A", mode="hex",
                     checksum="crc16-modbus", group="Examples"),
        SavedMessage("Greeting line", "HELLO", line_ending="lf", group="Examples"),
    ]


@dataclass
class Library:
    """The saved messages in their order, with the file they live in."""

    messages: list[SavedMessage] = field(default_factory=list)
    path: Path | None = None
    set_aside: Path | None = None
    """Where a corrupt file was moved when loading, if anywhere."""

    # ---- editing ----

    def names(self) -> list[str]:
        return [message.name for message in self.messages]

    def find(self, name: str) -> SavedMessage | None:
        """The message called ``name`` (exact, then ignoring case)."""
        exact = next((m for m in self.messages if m.name == name), None)
        return exact or next((m for m in self.messages if m.name.casefold() == name.casefold()), None)

    def save(self, message: SavedMessage) -> None:
        """Add ``message``, or replace the one with its name (keeping its place)."""
        checked = check_message(message)
        for index, old in enumerate(self.messages):
            if old.name == checked.name:
                self.messages[index] = checked
                return
        if len(self.messages) >= MAX_MESSAGES:
            raise LibraryError(f"the library holds at most {MAX_MESSAGES:,} messages")
        self.messages.append(checked)

    def rename(self, old: str, new: str) -> None:
        found = self.find(old)
        if found is None:
            raise LibraryError(f"no saved message is called {old!r}")
        if new != found.name and self.find(new) is not None:
            raise LibraryError(f"a message called {new!r} exists already")
        index = self.messages.index(found)
        self.messages[index] = check_message(replace(found, name=new))

    def delete(self, name: str) -> None:
        found = self.find(name)
        if found is not None:
            self.messages.remove(found)

    def move(self, name: str, offset: int) -> None:
        """Move a message up (negative) or down (positive) in the order."""
        found = self.find(name)
        if found is None:
            return
        index = self.messages.index(found)
        target = min(max(0, index + offset), len(self.messages) - 1)
        self.messages.insert(target, self.messages.pop(index))

    def groups(self) -> list[str]:
        """The group names in first-seen order ("" for ungrouped)."""
        return list(dict.fromkeys(message.group for message in self.messages))

    # ---- JSON ----

    def to_json(self) -> dict[str, object]:
        return {"format": FORMAT, "version": VERSION, "messages": [asdict(m) for m in self.messages]}

    def import_file(self, path: Path) -> int:
        """Add the messages of an exported file (same names replaced); all or nothing. Returns how many."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise LibraryError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested past what the parser takes
            raise LibraryError(f"{path}: not JSON") from None
        incoming = parse_messages(data, str(path))
        seen: set[str] = set()
        for number, message in enumerate(incoming, start=1):
            if message.name in seen:  # the later would silently replace the earlier: say so instead
                raise LibraryError(f"{path}: message {number}: the name {message.name!r} is used twice in this file")
            seen.add(message.name)
        trial = Library(list(self.messages))
        for message in incoming:
            trial.save(message)
        self.messages = trial.messages
        return len(incoming)

    def export_file(self, path: Path) -> None:
        write_json(path, self.to_json())

    # ---- the config folder ----

    def store(self) -> None:
        """Write to :attr:`path` atomically."""
        write_json(self.path or config_dir() / FILE_NAME, self.to_json())


def parse_messages(data: object, name: str = "library") -> list[SavedMessage]:
    """The messages of a library JSON object; :class:`LibraryError` with the reason if any is wrong."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise LibraryError(f"{name}: not a SocketLab library (no \"format\": \"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise LibraryError(f"{name}: library version {data.get('version')!r}; this SocketLab reads {VERSION}")
    rows = data.get("messages")
    if not isinstance(rows, list):
        raise LibraryError(f"{name}: \"messages\" must be a list")
    out = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or not all(isinstance(v, str) for v in row.values()):
            raise LibraryError(f"{name}: message {number} must be an object of text fields")
        try:
            out.append(check_message(SavedMessage(**row)))
        except TypeError:
            raise LibraryError(f"{name}: message {number} has unknown or missing fields") from None
        except LibraryError as exc:
            raise LibraryError(f"{name}: message {number}: {exc}") from None
    return out


def load_library(directory: Path | None = None) -> Library:
    """The saved library, the examples on a first start, or (corrupt file set aside) the examples."""
    path = (config_dir() if directory is None else directory) / FILE_NAME
    if not path.exists():
        return Library(examples(), path)
    data, moved = read_json(path)
    if moved is not None or data is None:
        return Library(examples(), path, moved)
    try:
        return Library(parse_messages(data, str(path)), path)
    except LibraryError:
        return Library(examples(), path, set_aside(path))
