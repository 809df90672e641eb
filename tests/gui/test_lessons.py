"""Lesson 1 as a student does it: step mode, Next through the real calls, and every goal ticks."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from typing import Any

import pytest

from netcore.events import State
from tests.gui.conftest import pump_until
from tests.gui.helpers import send_text

pytestmark = pytest.mark.gui


def click_next_until(root: tk.Tk, tab: Any, done: Callable[[], bool], what: str, limit: int = 40) -> list[str]:
    """Click Next on ``tab`` each time it holds a call, until ``done()``; returns the calls run."""
    ran: list[str] = []
    for _ in range(limit):
        if done():
            return ran
        pump_until(root, lambda: done() or tab.views.lifecycle.next_call is not None, what=what)
        pending = tab.views.lifecycle.next_call
        if pending is not None and not done():
            assert str(tab.views.next_button.cget("state")) == "normal"
            ran.append(pending.call)
            tab.views.next_button.invoke()
            pump_until(root, lambda p=pending: tab.views.lifecycle.next_call is not p, what=f"{pending.call} ran")
    raise AssertionError(f"{what}: not done after {limit} steps ({ran})")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_lesson_one_step_by_step(window: Any, root: tk.Tk, language: str) -> None:
    window.set_language(language)
    lessons = window.teaching.open_lessons()
    lessons.chosen.set("server")
    lessons.show()
    lessons.set_up()
    server = next(t for t in window.tabs() if t.kind == "tcp_server")
    client = next(t for t in window.tabs() if t.kind == "tcp_client")
    assert server.views.stepping.get() and server.views.current.get() == "calls"
    assert server.start()
    ran = click_next_until(root, server, lambda: server.row.current is State.LISTENING, "listening")
    assert ran == ["socket", "setsockopt", "bind", "listen", "setblocking", "getsockname"]
    assert client.start()
    pump_until(root, lambda: server.views.lifecycle.next_call is not None, what="accept held")
    assert server.views.lifecycle.next_call.call == "accept"
    pump_until(root, lambda: client.row.current is State.CONNECTED, what="client connected before accept()")
    assert "accept()" in server.views.step_line.cget("text")
    ran = click_next_until(root, server, lambda: bool(server.peers.rows), "accepted")
    assert ran[0] == "accept"
    assert send_text(client, "hi server")
    click_next_until(root, server, lambda: server.counters.bytes_in == 9, "recv")
    assert send_text(server, "hi client")
    click_next_until(root, server, lambda: client.counters.bytes_in == 9, "send")
    client.stop()
    click_next_until(root, server, lambda: not server.peers.rows, "close")
    done = window.teaching.course.done["server"]
    assert done == {"server.socket", "server.bind", "server.listen", "server.accept", "server.recv", "server.send",
                    "server.close"}
    lines = lessons.goal_texts()
    assert len(lines) == 7 and all(line.startswith("✓") for line in lines)
    assert ("你的服务器" in lines[0]) == (language == "zh")
    server.views.step_continue()
    assert window.settings.lessons["server"] == sorted(done)
