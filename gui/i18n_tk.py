"""Tk side of translation: remember which widget option shows which key.

A composite widget keeps one :class:`Texts`, binds each label, button or heading
to its catalog key once, and calls :meth:`Texts.apply` from its ``retranslate``
when the language changes, so no widget needs rebuilding.
"""

from __future__ import annotations

import math
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk
from typing import TypeVar

from gui.i18n import tr

W = TypeVar("W", bound=tk.Misc)


class Texts:
    """Widget options bound to catalog keys, re-applied on :meth:`apply`.

    A bound widget may live in a window that closes before the owner does (a helper
    window binding to its tab's texts): :meth:`apply` forgets the bindings of widgets
    that no longer exist instead of failing on them.
    """

    def __init__(self) -> None:
        self._items: list[tuple[tk.Misc | None, Callable[[], None]]] = []

    def bind(self, widget: W, key: str, option: str = "text", **params: object) -> W:
        """Show ``tr(key, **params)`` in ``widget``'s ``option`` now and after each switch."""

        def update() -> None:
            widget.configure({option: tr(key, **params)})

        update()
        self._items.append((widget, update))
        return widget

    def heading(self, tree: ttk.Treeview, column: str, key: str) -> None:
        """A Treeview column heading bound to ``key``."""

        def update() -> None:
            tree.heading(column, text=tr(key))

        update()
        self._items.append((tree, update))

    def call(self, update: Callable[[], None]) -> None:
        """Run ``update`` now and after each language switch (for anything else)."""
        update()
        self._items.append((None, update))

    def apply(self) -> None:
        """Re-apply every binding in the current language (forgetting destroyed widgets)."""
        self._items = [(widget, update) for widget, update in self._items
                       if widget is None or _exists(widget)]
        for _widget, update in self._items:
            update()


def _exists(widget: tk.Misc) -> bool:
    try:
        return bool(widget.winfo_exists())
    except tk.TclError:  # the whole Tk root is gone
        return False


def chars_for(widget: ttk.Widget, texts: list[str], font: str = "") -> int:
    """The ``width`` (in average characters, as Tk counts it) that shows each of ``texts`` whole.

    ``font`` is the widget's font: an entry's own option unless given (a ttk button's
    comes from its style).
    """
    font = font or str(widget.cget("font")) or "TkTextFont"
    entry = widget

    def measure(text: str) -> int:
        return int(entry.tk.call("font", "measure", font, "-displayof", entry, text))

    widest = max((measure(text) for text in texts), default=0)
    return math.ceil((widest + 2) / max(1, measure("0")))


def label_menubutton(button: ttk.Menubutton, text: str) -> None:
    """Show ``text`` on ``button`` with a gap before the arrow ttk draws (the theme puts it against the text)."""
    font = str(ttk.Style(button).lookup("TMenubutton", "font")) or "TkDefaultFont"
    button.configure(text=text, width=chars_for(button, [text], font) + 1)


TK_LOCALES = {"en": "en", "zh": "zh_cn"}
"""The window's languages as Tk's own message catalogues name them."""


def follow_language_in_tk_dialogs(root: tk.Misc, code: str) -> None:
    """Tk's own dialogs (the file dialogs on Linux, message boxes) in the window's language.

    Tk translates them with msgcat from its ``msgs`` folder (it has ``zh_cn``); without
    this they follow the system locale, e.g. English buttons in the Chinese window.
    """
    try:
        root.tk.call("package", "require", "msgcat")
        root.tk.call("::msgcat::mclocale", TK_LOCALES.get(code, "en"))
    except tk.TclError:  # a Tk without msgcat: its dialogs stay as they are
        pass


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
    """A read-only ttk.Combobox whose values are codes shown as translated labels.

    It is at least ``width`` characters wide, and wide enough for its longest label in
    the current language (a read-only box cannot be scrolled to read a clipped value).
    """

    def __init__(self, parent: tk.Misc, codes: list[str], key_prefix: str, width: int = 10) -> None:
        self.codes = list(codes)
        self.key_prefix = key_prefix
        self.min_width = width
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
        labels = [self._label(code) for code in self.codes]
        self.widget.configure(values=labels, width=max(self.min_width, chars_for(self.widget, labels)))
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
