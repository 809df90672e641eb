"""Session files: any event survives the round trip; any damaged file gives one clear error."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
)
from netcore.session.record import (
    SessionFileError,
    SessionWriter,
    decode_event,
    encode_event,
    parse_session,
    read_session,
)

hosts = st.sampled_from(["127.0.0.1", "::1", "198.18.0.2", "fe80::1%eth0", "example.test"])
addresses = st.tuples(hosts, st.integers(0, 65535))
texts = st.text(max_size=40)
times = st.floats(0, 4e9, allow_nan=False)
base = {"endpoint": texts, "time": times}
params = st.dictionaries(st.text(max_size=8), texts, max_size=3)

events: st.SearchStrategy[Event] = st.one_of(
    st.builds(SocketCall, call=texts, args=texts, result=texts, ok=st.booleans(), peer=st.none() | addresses, **base),
    st.builds(StateChanged, state=st.sampled_from(State), local=st.none() | addresses,
              remote=st.none() | addresses, **base),
    st.builds(PeerConnected, peer=addresses, local=addresses, connection=st.integers(0, 10**9), **base),
    st.builds(PeerClosed, peer=addresses, reason=st.sampled_from(CloseReason), bytes_in=st.integers(0, 2**63),
              bytes_out=st.integers(0, 2**63), connection=st.integers(0, 10**9), **base),
    st.builds(DataReceived, peer=addresses, data=st.binary(max_size=300), call=st.sampled_from(["recv", "recvfrom"]),
              requested=st.integers(0, 2**20), **base),
    st.builds(DataSent, peer=addresses, data=st.binary(max_size=300), call=st.sampled_from(["send", "sendto"]),
              offered=st.integers(0, 2**20), **base),
    st.builds(Notice, code=texts, message=texts, params=params, peer=st.none() | addresses, **base),
    st.builds(ReceiveOverflow, datagrams=st.integers(0, 10**9), nbytes=st.integers(0, 10**12), **base),
    st.builds(ErrorEvent, code=texts, message=texts, hint=texts, params=params, call=st.none() | texts,
              peer=st.none() | addresses, fatal=st.booleans(), **base),
)


@given(events)
def test_any_event_survives_json_and_back(event: Event) -> None:
    row = json.loads(json.dumps(encode_event(event), ensure_ascii=False))
    assert decode_event(row) == event


@given(st.lists(events, max_size=20))
def test_a_written_session_reads_back_the_same_events(tmp_path_factory: pytest.TempPathFactory,
                                                      recorded: list[Event]) -> None:
    path = tmp_path_factory.mktemp("rec") / "session.jsonl"
    writer = SessionWriter(path, "tcp-server", "server", "0.1.0")
    writer.write(recorded[: len(recorded) // 2])
    assert read_session(path).events == recorded[: len(recorded) // 2]  # readable while it is being written
    assert not read_session(path).complete
    writer.write(recorded[len(recorded) // 2:])
    writer.close()
    session = read_session(path)
    assert session.events == recorded and session.complete and session.kind == "tcp-server"


def _head() -> str:
    return json.dumps({"format": "socketlab-session", "version": 1, "kind": "udp"}) + "\n"


@pytest.mark.parametrize(("text", "says"), [
    ("", "empty"),
    ("\n\n", "empty"),
    ("hello\n", "not JSON"),
    ("[1, 2]\n", "not a JSON object"),
    ('{"format": "pcap"}\n', "not a SocketLab session"),
    ('{"format": "socketlab-session", "version": 99}\n', "version 99"),
    (_head() + '{"type": "DataReceived", "endpoint": "u"', "cut short"),
    (_head() + '{"type": "Nope"}\n', "line 2 is not a SocketLab event"),
    (_head() + '{"type": "DataReceived", "endpoint": "u", "peer": ["h", 1], "data": {"b64": "!!"}}\n', "line 2"),
    (_head() + '{"type": "DataReceived", "endpoint": "u", "peer": "h:1", "data": {"b64": ""}}\n', "line 2"),
    (_head() + '{"type": "StateChanged", "endpoint": "u", "state": "DANCING"}\n', "line 2"),
    (_head() + '{"type": "SocketCall", "endpoint": 5, "call": "x", "args": "", "result": ""}\n', "wrong type"),
    (_head() + '{"type": "end", "events": 0}\n{"type": "end"}\n', "after the closing line"),
])
def test_damaged_files_give_one_clear_line(text: str, says: str) -> None:
    with pytest.raises(SessionFileError) as caught:
        parse_session(text, "f.jsonl")
    message = str(caught.value)
    assert says in message and "\n" not in message and message.startswith("f.jsonl: ")


@given(st.text(max_size=200))
def test_no_text_makes_the_reader_raise_anything_but_its_own_error(text: str) -> None:
    with contextlib.suppress(SessionFileError):  # any other exception fails the test
        parse_session(_head() + text, "f")


def test_missing_folder_and_binary_files(tmp_path: Path) -> None:
    for path, says in ((tmp_path / "nope.jsonl", "no such file"), (tmp_path, "is a folder")):
        with pytest.raises(SessionFileError, match=says):
            read_session(path)
    binary = tmp_path / "b.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SessionFileError, match="not UTF-8"):
        read_session(binary)


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                           max_leaves=8)
field_names = st.sampled_from(["endpoint", "time", "peer", "local", "data", "state", "reason", "call", "params",
                               "connection", "ok", "b64", "nope"])


@given(st.sampled_from(["SocketCall", "StateChanged", "PeerClosed", "DataReceived", "ErrorEvent", "end"]),
       st.dictionaries(field_names, json_values | st.builds(lambda t: {"b64": t}, texts), max_size=6))
def test_any_json_object_is_an_event_or_a_clear_error(kind: str, fields: dict[str, object]) -> None:
    line = json.dumps({"type": kind, **fields})
    try:
        session = parse_session(_head() + line + "\n", "f")
    except SessionFileError:
        return
    assert len(session.events) + session.complete == 1


@given(events)
def test_the_fast_line_reads_back_as_the_same_event(event: Event) -> None:
    from netcore.session.record import encode_line

    line = encode_line(event)
    assert "\n" not in line and decode_event(json.loads(line)) == event
