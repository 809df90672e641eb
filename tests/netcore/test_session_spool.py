"""The tab's session spool: everything recorded in order; a flood too fast to record stops it, said in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from netcore.events import DataReceived, Notice
from netcore.session import spool as spool_module
from netcore.session.record import read_session
from netcore.session.spool import SessionSpool


def test_everything_is_saved_in_order(tmp_path: Path) -> None:
    spool = SessionSpool("tcp-server", "server", "t")
    events = [DataReceived(endpoint="server", peer=("127.0.0.1", 1), data=bytes([i % 256]) * i, time=float(i))
              for i in range(500)]
    for index, event in enumerate(events):
        spool.add(event)
        if index % 37 == 0:
            spool.flush()
    assert spool.save_to(tmp_path / "a.jsonl") == 500
    session = read_session(tmp_path / "a.jsonl")
    assert session.complete and session.events == events
    spool.add(events[0])
    spool.save_to(tmp_path / "b.jsonl")  # saving again later includes what came since
    assert len(read_session(tmp_path / "b.jsonl").events) == 501
    spool.close()
    assert not spool.path.exists()


def test_a_backlog_past_the_bound_stops_recording_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    monkeypatch.setattr(spool_module, "MAX_BACKLOG", 10)
    spool = SessionSpool("udp", "udp", "t")
    for index in range(50):
        spool.add(DataReceived(endpoint="udp", peer=("127.0.0.1", 1), data=b"x", call="recvfrom", time=float(index)))
    spool.flush()  # one batch of 50 is over the bound of 10: nothing from here on is recorded
    assert spool.full
    spool.save_to(tmp_path / "s.jsonl")
    session = read_session(tmp_path / "s.jsonl")
    assert session.complete and isinstance(session.events[-1], Notice)
    assert session.events[-1].code == "recording_stopped" and len(session.events) == 1
    spool.close()
