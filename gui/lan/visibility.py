"""Being found: one discovery :class:`~netcore.lan.announce.Announcer` per window, shared by the tabs.

A tab whose "Visible on the network" switch is on (off by default) announces its
kind, port and the name the user gave while it listens or is bound; the announcer
runs while at least one tab is visible and stops with the last. One per window,
because a request to this machine itself reaches only one socket bound to the
discovery port. :data:`DISCOVERY` holds the port and where a search asks (tests
use a port of their own and ask this machine only).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from netcore.eventqueue import EventQueue
from netcore.events import ErrorEvent, Event, Notice, State, StateChanged
from netcore.interfaces import LocalAddress
from netcore.lan.announce import Announcer
from netcore.lan.discovery import PORT, Announcement, clean_name


@dataclass
class Discovery:
    """Where discovery listens and asks."""

    port: int = PORT
    timeout: float = 2.0
    via: list[LocalAddress] | None = None
    """The interfaces a search asks on; None: every interface (this machine is always asked)."""


DISCOVERY = Discovery()


class Shown(Protocol):
    """A tab that can be visible: it shows the announcer's notices and hears when visibility was lost."""

    def visibility_event(self, event: Event) -> None: ...
    def visibility_lost(self) -> None: ...


@dataclass
class Visibility:
    """The window's announcer and the entries it answers for (Tk thread only)."""

    events: EventQueue
    announcer: Announcer | None = None
    entries: dict[str, tuple[Announcement, Shown]] = field(default_factory=dict)
    stopping: list[Announcer] = field(default_factory=list)
    """Announcers asked to stop (without waiting, on the Tk thread); :meth:`close` waits for them."""

    def show(self, key: str, kind: str, port: int, name: str, tab: Shown) -> None:
        """Answer for ``key`` (a tab's endpoint) from now on; starts the announcer if needed."""
        announcement = Announcement(kind, port, clean_name(name))
        self.entries[key] = (announcement, tab)
        if self.announcer is None or not self.announcer.running:
            self.announcer = Announcer(self.events, port=DISCOVERY.port)
            for entry_key, (entry, _tab) in self.entries.items():
                self.announcer.announce(entry_key, entry)
            self.announcer.start()
        else:
            self.announcer.announce(key, announcement)

    def hide(self, key: str) -> None:
        """Stop answering for ``key``; the last one stops the announcer."""
        if self.entries.pop(key, None) is None or self.announcer is None:
            return
        if self.entries:
            self.announcer.withdraw(key)
        else:
            self.announcer.stop(timeout=0)
            self.stopping = [a for a in self.stopping if a.running] + [self.announcer]
            self.announcer = None

    def shown(self, key: str) -> bool:
        return key in self.entries

    def feed(self, event: Event) -> bool:
        """Take the event if it is the announcer's (True): notices and errors go to the visible tabs' logs."""
        if self.announcer is None or event.endpoint != self.announcer.name:
            return False
        tabs = list(dict.fromkeys(tab for _announcement, tab in self.entries.values()))
        if isinstance(event, (Notice, ErrorEvent)):
            for tab in tabs[:1] if isinstance(event, Notice) else tabs:  # a notice once; an error to each
                tab.visibility_event(event)
        elif isinstance(event, StateChanged) and event.state is State.ERROR:
            self.entries.clear()
            self.announcer = None
            for tab in tabs:
                tab.visibility_lost()
        return True

    def close(self) -> None:
        """The window closes: stop answering (wait briefly for the thread)."""
        self.entries.clear()
        if self.announcer is not None:
            self.stopping.append(self.announcer)
            self.announcer = None
        deadline = time.monotonic() + 1.0
        for announcer in self.stopping:
            announcer.stop(timeout=max(0.0, deadline - time.monotonic()))
        self.stopping = []
