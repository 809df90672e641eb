"""What the window does for teaching, beside its tabs: the lessons' course, the stream notes, the lesson web server.

The pump hands every event here (:meth:`Teaching.feed`): the stream matcher lines up
both ends' send() and recv() when both are tabs of this window, and the course ticks
lesson goals from real events. Kept out of :mod:`gui.app` so the window stays a thin
assembler.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from gui.lesson_setup import LessonWebServer
from gui.lessons_window import LessonsWindow
from netcore.events import DataReceived, Event
from netcore.session.course import Course
from netcore.session.streammap import StreamMatcher

if TYPE_CHECKING:
    from gui.app import MainWindow
    from gui.tabs.base import EndpointTab

PAGE = b"<!doctype html><title>SocketLab</title><h1>Hello from http.server</h1>\n"


class Teaching:
    """The course, the stream matcher, the lessons window and the lesson web server of one window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.course = Course(window.settings.lessons)
        self.streams = StreamMatcher()
        self.lessons: LessonsWindow | None = None
        self.web: LessonWebServer | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def feed(self, tab: EndpointTab | None, event: Event) -> None:
        """One event of the window (``tab``: the tab it was routed to, if any)."""
        ticked = self.course.feed(tab.kind, event) if tab is not None else []
        code = self.window.code_view
        if code is not None and code.alive and tab is not None and code.shown is tab:
            call = getattr(event, "call", None)
            if isinstance(call, str):
                code.follow(call)  # the script's line for the call that just happened
        for note in self.streams.feed(event):  # both ends are tabs here: how send() and recv() lined up
            receiver = self.window.routes.get(note.endpoint)
            if receiver is not None:
                receiver.views.note(note)
                ticked += self.course.feed(receiver.kind, note)
        if ticked:
            self._ticked()

    def _ticked(self) -> None:
        """Goals ticked: keep the progress and show it."""
        self.window.settings.lessons = self.course.progress()
        if self.lessons is not None and self.lessons.winfo_exists():
            self.lessons.show()

    def feed_run(self, tab: EndpointTab | None, run: list[DataReceived]) -> None:
        """A run of datagrams: the same as :meth:`feed` for each (the code window follows once)."""
        ticked: list[str] = []
        if tab is not None:
            feed, kind = self.course.feed, tab.kind
            for event in run:
                ticked += feed(kind, event)
            code = self.window.code_view
            if code is not None and code.alive and code.shown is tab:
                code.follow(run[-1].call)
        for event in run:
            for note in self.streams.feed(event):
                receiver = self.window.routes.get(note.endpoint)
                if receiver is not None:
                    receiver.views.note(note)
                    ticked += self.course.feed(receiver.kind, note)
        if ticked:
            self._ticked()

    def open_lessons(self) -> LessonsWindow:
        """Help → Lessons…"""
        if self.lessons is None or not self.lessons.winfo_exists():
            self.lessons = LessonsWindow(self.window)
        self.lessons.lift()
        return self.lessons

    def web_server(self) -> LessonWebServer:
        """The lesson's web server on loopback (started on first use)."""
        if self.web is None:
            self._folder = tempfile.TemporaryDirectory(prefix="socketlab-lesson-")
            (Path(self._folder.name) / "index.html").write_bytes(PAGE)
            self.web = LessonWebServer(self._folder.name)
        return self.web

    def retranslate(self) -> None:
        if self.lessons is not None and self.lessons.winfo_exists():
            self.lessons.retranslate()

    def close(self) -> None:
        self.window.settings.lessons = self.course.progress()
        if self.web is not None:
            self.web.stop()
        if self._folder is not None:
            self._folder.cleanup()
