"""The sequence chart's model and its SVG: bounded for any event stream, exact in its counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from netcore.events import CloseReason, DataReceived, DataSent, ErrorEvent, Event, PeerClosed, PeerConnected
from netcore.session.chart_text import LANGUAGES, item_label, lane_label, preview, size_text
from netcore.session.sequence import FOLD_AFTER, SequenceModel
from netcore.session.svg import render_svg

local = ("127.0.0.1", 9000)
peers = st.tuples(st.just("127.0.0.1"), st.integers(1, 40))


def _events(draw: st.DrawFn) -> list[Event]:
    out: list[Event] = []
    now = 1000.0
    for _ in range(draw(st.integers(0, 60))):
        now += draw(st.sampled_from([0.0, 0.001, 0.01, 0.3, 2.0]))
        peer = draw(peers)
        kind = draw(st.sampled_from(["in", "out", "in", "out", "dgram", "connect", "close", "error"]))
        data = draw(st.binary(max_size=40))
        if kind == "in":
            out.append(DataReceived(endpoint="s", peer=peer, data=data, time=now))
        elif kind == "out":
            out.append(DataSent(endpoint="s", peer=peer, data=data, time=now))
        elif kind == "dgram":
            out.append(DataReceived(endpoint="s", peer=peer, data=data, call="recvfrom", time=now))
        elif kind == "connect":
            out.append(PeerConnected(endpoint="s", peer=peer, local=local, time=now))
        elif kind == "close":
            out.append(PeerClosed(endpoint="s", peer=peer, reason=draw(st.sampled_from(CloseReason)), time=now))
        else:
            out.append(ErrorEvent(endpoint="s", code="x", message="<b>&'\"", hint="h", peer=peer, time=now))
    return out


event_streams = st.composite(_events)()


@settings(max_examples=30)
@given(event_streams, st.integers(1, 50), st.integers(1, 6))
def test_any_stream_gives_a_bounded_model_with_exact_message_counts(events: list[Event], max_items: int,
                                                                    max_lanes: int) -> None:
    model = SequenceModel("tcp-server", max_items=max_items, max_lanes=max_lanes)
    for event in events:
        model.feed(event)
    assert len(model.items) <= max_items
    assert len(model.lanes) <= max_lanes + 2  # this endpoint, the peers, "others"
    serials = [item.serial for item in model.items]
    assert serials == sorted(serials) and len(set(serials)) == len(serials)
    if model.dropped == 0:
        data_events = [e for e in events if isinstance(e, (DataReceived, DataSent))]
        drawn = sum(i.count for i in model.items if i.kind in ("message", "datagram", "band"))
        assert drawn == len(data_events)
        assert sum(i.nbytes for i in model.items if i.kind in ("message", "datagram", "band")) == sum(
            len(e.data) for e in data_events)
    for lang in LANGUAGES:
        for item in model.items:
            label = item_label(item, lang)
            assert "\n" not in label and "{call_" not in label and "{size}" not in label
        ET.fromstring(render_svg(model, lang, "t"))  # well-formed XML whatever the payloads were


def test_a_flood_folds_into_one_band_per_peer_and_a_pause_starts_arrows_again() -> None:
    model = SequenceModel("tcp-server")
    peer = ("127.0.0.1", 5000)
    for index in range(1000):
        model.feed(DataReceived(endpoint="s", peer=peer, data=b"abcd", time=10 + index * 0.001))
        model.feed(DataSent(endpoint="s", peer=peer, data=b"abcd!", time=10 + index * 0.001))
    kinds = [item.kind for item in model.items]
    assert kinds.count("band") == 1 and kinds.count("message") == FOLD_AFTER - 1
    band = next(item for item in model.items if item.kind == "band")
    assert band.count + FOLD_AFTER - 1 == 2000 and band.count_out == band.count // 2 + (band.count % 2)
    assert item_label(band, "en").startswith(f"{band.count:,} messages")
    model.feed(DataReceived(endpoint="s", peer=peer, data=b"later", time=20.0))
    assert model.items[-1].kind == "message"


def test_labels_in_both_languages() -> None:
    model = SequenceModel("tcp-client")
    model.feed(PeerConnected(endpoint="c", peer=("::1", 80), local=("::1", 5000), time=1.0))
    model.feed(DataSent(endpoint="c", peer=("::1", 80), data=b"GET / HTTP/1.1\r\n\r\n", time=1.1))
    model.feed(PeerClosed(endpoint="c", peer=("::1", 80), reason=CloseReason.FIN, time=1.2))
    handshake, message, fin, close = model.items
    assert close.kind == "close" and close.source == 0
    assert (handshake.source, handshake.target) == (0, 1)  # the client connects: arrow from this lane
    assert "three-way handshake" in item_label(handshake) and "三次握手" in item_label(handshake, "zh")
    assert item_label(message) == "send() 18 B 'GET / HTTP/1.1\\r\\n\\r\\n' → recv()"
    assert "b''" in item_label(fin) and fin.source == 1
    assert lane_label(model, model.lanes[1]) == "[::1]:80"
    assert size_text(1_234_567) == "1.2 MB" and preview(b"x" * 100).endswith("…'")


def test_a_payload_with_slot_names_is_shown_as_it_is() -> None:
    model = SequenceModel("udp")
    model.feed(DataReceived(endpoint="u", peer=("127.0.0.1", 7), data=b"{count}{span}", call="recvfrom", time=1.0))
    assert item_label(model.items[0]) == "sendto() 13 B '{count}{span}' → recvfrom()"


def test_stream_notes_read_as_the_lesson_says() -> None:
    model = SequenceModel("tcp-server")
    model.note_stream(("127.0.0.1", 5), 1.0, 3, 1)
    model.note_stream(("127.0.0.1", 5), 1.0, 1, 2)
    model.note_stream(("127.0.0.1", 6), 1.0, 1, 1, datagram=True)
    labels = [item_label(item) for item in model.items]
    assert labels[0].startswith("3 send() → 1 recv(): TCP is a byte stream")
    assert labels[1].startswith("1 send() → 2 recv()")
    assert labels[2] == "each sendto() arrived as one recvfrom(): UDP keeps every datagram whole"
    assert "3 次 send() → 1 次 recv()" in item_label(model.items[0], "zh")
