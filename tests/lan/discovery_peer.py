"""Run in a namespace by the tests: an Announcer visible as argv's kind/port/name until stdin closes."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from netcore import EventQueue
from netcore.events import State, StateChanged
from netcore.lan.announce import Announcer
from netcore.lan.discovery import Announcement


def main() -> int:
    queue = EventQueue()
    announcer = Announcer(queue)
    if len(sys.argv) > 1:
        announcer.announce("tab", Announcement(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
    announcer.start()
    while True:
        event = queue.get(timeout=5)
        if event is None:
            print("NO STATE", flush=True)
            return 1
        if isinstance(event, StateChanged) and event.state in (State.BOUND, State.ERROR):
            break
    print("READY" if announcer.state is State.BOUND else "FAILED", flush=True)
    sys.stdin.read()
    announcer.stop()
    print(f"ignored={announcer.ignored} answered={announcer.answered}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
