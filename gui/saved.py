"""The saved messages library as the window uses it: one for every tab, stored on each change.

Wraps :class:`netcore.library.Library`: loads it once (the examples on a first start,
or after a corrupt file was set aside), writes it atomically after every change, and
tells its views (each send bar's quick slots, the Saved messages window) to redraw.
The shipped examples keep their English names in the file; the window shows them in
the current language until the user renames them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from gui import crash
from gui.i18n import has, tr
from gui.settings import QuickSlot
from netcore.library import FILE_NAME, Library, LibraryError, SavedMessage, examples, load_library
from netcore.storage import config_dir

QUICK_VIEWS = 4
"""How many of the first saved messages the send bar shows as quick buttons (Alt+1 … Alt+4)."""
SHORTCUTS = 9
"""Alt+1 … Alt+9 send the first nine saved messages from the current tab."""
_EXAMPLE_KEYS = dict(zip((message.name for message in examples()),
                         ("lib.example1", "lib.example2", "lib.example3", "lib.example4"), strict=True))


def shown_name(name: str) -> str:
    """A message's name as the window shows it (a shipped example's in the current language)."""
    key = _EXAMPLE_KEYS.get(name)
    return tr(key) if key and has(key) else name


def shown_group(group: str) -> str:
    return tr("lib.group_examples") if group == "Examples" else group


class SavedMessages:
    """The library, its file, and the views to redraw when it changes (Tk thread only)."""

    def __init__(self, directory: Path | None = None, quick: list[QuickSlot] | None = None) -> None:
        folder = config_dir() if directory is None else directory
        fresh = not (folder / FILE_NAME).exists()
        self.library: Library = load_library(folder)
        self.set_aside: Path | None = self.library.set_aside
        """Where a corrupt library file was moved at start (the window says so)."""
        self.error = ""
        """Why the last write failed ("" : it did not)."""
        self._listeners: list[Callable[[], None]] = []
        if fresh:
            self._adopt(quick or [])

    def _adopt(self, quick: list[QuickSlot]) -> None:
        """A first start after the quick slots were settings: they become saved messages (nothing lost)."""
        for index, slot in enumerate(quick, start=1):
            if slot.text:
                try:
                    self.library.save(SavedMessage(f"Quick {index}", slot.text, mode=slot.mode, group="Quick"))
                except LibraryError:
                    continue

    @property
    def messages(self) -> list[SavedMessage]:
        return self.library.messages

    def add_listener(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def changed(self) -> None:
        """Write the library and redraw every view."""
        try:
            self.library.store()
            self.error = ""
        except OSError as error:
            self.error = tr("lib.cannot_write", detail=error.strerror or str(error))
            crash.note(f"could not save the library: {error}")
        for listener in list(self._listeners):
            listener()

    # ---- editing (each raises LibraryError with the reason; nothing changes then) ----

    def save(self, message: SavedMessage, at: int | None = None) -> None:
        """Add ``message`` (or replace the one of its name); ``at``: the quick slot it goes to."""
        self.library.save(message)
        if at is not None:
            self.library.move(message.name, at - self.library.names().index(message.name.strip()))
        self.changed()

    def rename(self, old: str, new: str) -> None:
        self.library.rename(old, new)
        self.changed()

    def delete(self, name: str) -> None:
        self.library.delete(name)
        self.changed()

    def move(self, name: str, offset: int) -> None:
        self.library.move(name, offset)
        self.changed()

    def set_group(self, name: str, group: str) -> None:
        found = self.library.find(name)
        if found is None:
            raise LibraryError(f"no saved message is called {name!r}")
        self.library.save(replace(found, group=group.strip()))
        self.changed()

    def import_file(self, path: Path) -> int:
        count = self.library.import_file(path)
        self.changed()
        return count

    def export_file(self, path: Path) -> None:
        self.library.export_file(path)
