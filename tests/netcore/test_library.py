"""The saved-message library: payloads, editing, import/export all or nothing, corrupt files set aside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netcore.library import Library, LibraryError, SavedMessage, examples, load_library


def test_the_examples_send_what_they_say() -> None:
    http, modbus_tcp, modbus_rtu, greeting = examples()
    assert http.payload("198.18.0.1", 80) == b"GET / HTTP/1.1\r\nHost: 198.18.0.1\r\nConnection: close\r\n\r\n"
    assert modbus_tcp.payload() == bytes.fromhex("0001 0000 0006 01 03 0000 000A")
    assert modbus_rtu.payload() == bytes.fromhex("01 03 00 00 00 0A C5 CD")
    assert greeting.payload() == b"HELLO\n"


def test_edit_rename_move_delete_and_survive_a_restart(tmp_path: Path) -> None:
    library = load_library(tmp_path)
    assert library.names()[0] == "HTTP GET /" and library.set_aside is None
    library.save(SavedMessage("ping", "70 69 6e 67", mode="hex", group="Mine"))
    library.rename("ping", "ping!")
    library.move("ping!", -10)
    library.delete("Greeting line")
    library.store()
    again = load_library(tmp_path)
    assert again.names()[0] == "ping!" and "Greeting line" not in again.names()
    assert again.find("PING!") == SavedMessage("ping!", "70 69 6e 67", mode="hex", group="Mine")
    assert again.groups() == ["Mine", "Examples"]
    with pytest.raises(LibraryError, match="exists already"):
        again.rename("ping!", "HTTP GET /")


def test_a_corrupt_library_is_set_aside(tmp_path: Path) -> None:
    (tmp_path / "library.json").write_text("{ not json", encoding="utf-8")
    library = load_library(tmp_path)
    assert library.set_aside is not None and library.set_aside.read_text(encoding="utf-8") == "{ not json"
    assert library.names() == [m.name for m in examples()]


def test_an_import_with_one_bad_entry_changes_nothing(tmp_path: Path) -> None:
    library = Library(examples())
    before = list(library.messages)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "socketlab-library", "version": 1, "messages": [
        {"name": "good", "text": "hi"}, {"name": "broken", "text": "zz", "mode": "hex"}]}), encoding="utf-8")
    with pytest.raises(LibraryError, match="message 2: broken") as caught:
        library.import_file(bad)
    assert "hex" in str(caught.value) and library.messages == before
    for content, says in (("[]", "not a SocketLab library"), ("nope", "not JSON")):
        bad.write_text(content, encoding="utf-8")
        with pytest.raises(LibraryError, match=says):
            library.import_file(bad)
    assert library.messages == before


def test_export_then_import_round_trip(tmp_path: Path) -> None:
    library = Library(examples())
    library.export_file(tmp_path / "out.json")
    other = Library([SavedMessage("mine", "x")])
    assert other.import_file(tmp_path / "out.json") == 4
    assert other.names() == ["mine", *[m.name for m in examples()]]


@given(st.text(min_size=1, max_size=30).filter(lambda n: n.strip() and n.isprintable() and len(n.strip()) <= 80),
       st.text(max_size=60), st.sampled_from(["none", "lf", "crlf"]), st.sampled_from(["none", "crc32", "xor8"]))
def test_any_text_message_round_trips_through_json(name: str, text: str, ending: str, checksum: str) -> None:
    library = Library()
    try:
        library.save(SavedMessage(name, text, line_ending=ending, checksum=checksum))
    except LibraryError:
        return  # e.g. a lone surrogate UTF-8 cannot hold: refused with a reason, nothing saved
    restored = Library()
    from netcore.library import parse_messages

    restored.messages = parse_messages(json.loads(json.dumps(library.to_json())))
    assert restored.messages == library.messages
