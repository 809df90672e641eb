"""Tk side of translation: remember which widget option shows which key.

A composite widget keeps one :class:`Texts`, binds each label, button or heading
to its catalog key once, and calls :meth:`Texts.apply` from its ``retranslate``
when the language changes, so no widget needs rebuilding.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk
from typing import TypeVar

from gui.i18n import tr

W = TypeVar("W", bound=tk.Misc)


class Texts:
    """Widget options bound to catalog keys, re-applied on :meth:`apply`."""

    def __init__(self) -> None:
        self._items: list[Callable[[], None]] = []

    def bind(self, widget: W, key: str, option: str = "text", **params: object) -> W:
        """Show ``tr(key, **params)`` in ``widget``'s ``option`` now and after each switch."""

        def update() -> None:
            widget.configure({option: tr(key, **params)})

        update()
        self._items.append(update)
        return widget

    def heading(self, tree: ttk.Treeview, column: str, key: str) -> None:
        """A Treeview column heading bound to ``key``."""

        def update() -> None:
            tree.heading(column, text=tr(key))

        update()
        self._items.append(update)

    def call(self, update: Callable[[], None]) -> None:
        """Run ``update`` now and after each language switch (for anything else)."""
        update()
        self._items.append(update)

    def apply(self) -> None:
        """Re-apply every binding in the current language."""
        for update in self._items:
            update()


def tab_moves_focus(widget: tk.Text) -> None:
    """Make Tab / Shift+Tab leave a Text widget (instead of typing a tab), for keyboard users."""

    def move(forward: bool) -> str:
        target = widget.tk_focusNext() if forward else widget.tk_focusPrev()
        if target is not None:
            target.focus_set()
        return "break"

    widget.bind("<Tab>", lambda _e: move(True))
    for sequence in ("<Shift-Tab>", "<ISO_Left_Tab>"):
        widget.bind(sequence, lambda _e: move(False))


class Choice:
    """A read-only ttk.Combobox whose values are codes shown as translated labels."""

    def __init__(self, parent: tk.Misc, codes: list[str], key_prefix: str, width: int = 10) -> None:
        self.codes = list(codes)
        self.key_prefix = key_prefix
        self.widget = ttk.Combobox(parent, state="readonly", width=width)
        self._listeners: list[Callable[[str], None]] = []
        self.widget.bind("<<ComboboxSelected>>", self._selected, add="+")
        self.retranslate()
        self.widget.current(0)

    def _label(self, code: str) -> str:
        key = f"{self.key_prefix}.{code}"
        return tr(key) if self.key_prefix else code

    def retranslate(self) -> None:
        """Relabel the values, keeping the selection."""
        current = self.get() if self.widget.get() else self.codes[0]
        self.widget.configure(values=[self._label(code) for code in self.codes])
        self.set(current)

    def get(self) -> str:
        """The selected code."""
        index = self.widget.current()
        return self.codes[index] if 0 <= index < len(self.codes) else self.codes[0]

    def set(self, code: str) -> None:
        """Select ``code`` (ignored if unknown)."""
        if code in self.codes:
            self.widget.current(self.codes.index(code))

    def on_change(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(code)`` when the user picks a value."""
        self._listeners.append(listener)

    def _selected(self, _event: object) -> None:
        self.widget.selection_clear()  # a read-only box keeps its text highlighted otherwise
        code = self.get()
        for listener in self._listeners:
            listener(code)
