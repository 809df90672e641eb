"""The Frames choice above a tab's log: how received bytes are cut into rows, applied live.

An editable box offering the kinds (``raw``, ``lines``, ``fixed:8``, ``len:1``, ``len:2be``,
``len:2le``, ``len:4be``, ``gap:50``); ``fixed:N`` and ``gap:MS`` take any number typed.
A spec that is not one turns the box red and says why; the last good one stays in use.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from functools import partial
from tkinter import ttk

from gui.i18n_tk import Texts
from netcore.framing import FrameSettings
from netcore.validation import InputError

OFFERED = ("raw", "lines", "fixed:8", "len:1", "len:2be", "len:2le", "len:4be", "gap:50")


class FramesChoice(ttk.Frame):
    """Label and box; ``on_change(spec)`` runs when a good spec is chosen or typed (Enter, leaving the box)."""

    def __init__(self, parent: tk.Misc, texts: Texts, spec: str, on_change: Callable[[str], None],
                 on_error: Callable[[InputError | None], None]) -> None:
        super().__init__(parent)
        texts.bind(ttk.Label(self), "frames.label").pack(side="left", padx=(0, 3))
        self.box = ttk.Combobox(self, values=OFFERED, width=7)
        self.box.pack(side="left")
        self.spec = _good(spec)
        self.box.set(self.spec)
        self._on_change, self._on_error = on_change, on_error
        for sequence in ("<<ComboboxSelected>>", "<Return>", "<FocusOut>"):
            self.box.bind(sequence, partial(self._chosen), add="+")

    def choose(self, text: str) -> bool:
        """Use ``text`` as the spec (as if typed); False, and the reason shown, if it is not one."""
        self.box.set(text)
        return self._chosen(None)

    def _chosen(self, _event: object) -> bool:
        text = self.box.get().strip()
        try:
            spec = FrameSettings(text).spec
        except InputError as error:
            self.box.state(["invalid"])
            self._on_error(error)
            return False
        self.box.state(["!invalid"])
        self._on_error(None)
        self.box.set(spec)
        if spec != self.spec:
            self.spec = spec
            self._on_change(spec)
        return True


def _good(spec: str) -> str:
    try:
        return FrameSettings(spec).spec
    except InputError:
        return "raw"
