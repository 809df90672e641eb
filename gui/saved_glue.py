"""Hooking the saved messages into the main window: its window, Alt+1…9, the current tab.

Kept apart so :mod:`gui.app` stays a thin assembler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gui.i18n import later
from gui.library_window import LibraryWindow
from gui.saved import SHORTCUTS
from gui.widgets.send_bar import SendBar
from netcore.library import SavedMessage

if TYPE_CHECKING:
    from gui.app import MainWindow


class CurrentTab:
    """The library window's host: whichever endpoint tab is selected."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def current_send_bar(self) -> SendBar | None:
        tab = self.window.current_tab()
        return tab.send_bar if tab is not None else None

    def send_saved(self, message: SavedMessage) -> bool:
        tab = self.window.current_tab()
        return tab is not None and tab.send_saved(message)


def open_library(window: MainWindow) -> LibraryWindow:
    """Show the Saved messages window (raise it if it is open)."""
    shown = window.library_window
    if shown is not None and shown.winfo_exists():
        shown.deiconify()
        shown.lift()
        return shown
    window.library_window = LibraryWindow(window.root, window.saved, CurrentTab(window))
    return window.library_window


def send_nth(window: MainWindow, index: int) -> bool:
    """Alt+N: send saved message N from the current tab."""
    messages = window.saved.messages
    return index < len(messages) and CurrentTab(window).send_saved(messages[index])


def bind_saved_keys(window: MainWindow) -> None:
    """Alt+1 … Alt+9 send the first saved messages; say so if a corrupt library was set aside."""
    for number in range(1, SHORTCUTS + 1):
        def handler(_event: object, index: int = number - 1) -> str:
            send_nth(window, index)
            return "break"
        window.root.bind_all(f"<Alt-Key-{number}>", handler)
    moved = window.saved.set_aside
    if moved is not None:
        for tab in window.tabs():
            tab.send_bar.say(later("lib.set_aside", path=str(moved)), error=True)


