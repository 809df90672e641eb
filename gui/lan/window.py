"""A small non-modal helper window: a title, a body, a button row; re-labelled after a language switch.

The LAN helpers (diagnose, reach, find) each open one of these beside the tab.
Closing it cancels its job (the worker, bounded in time, ends by itself).
"""

from __future__ import annotations

import contextlib
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from gui import i18n
from gui.i18n import tr
from gui.i18n_tk import Texts
from gui.lan.job import Job


class HelperWindow(tk.Toplevel):
    """A Toplevel with ``body`` (a frame to fill), ``buttons`` (right-aligned) and one job at a time."""

    def __init__(self, parent: tk.Misc, title: Callable[[], str], size: tuple[int, int] = (620, 360)) -> None:
        super().__init__(parent)
        self.withdraw()
        self.transient(parent.winfo_toplevel())
        self.texts = Texts()
        self._title = title
        self.job: Job[object] | None = None
        outer = ttk.Frame(self, padding=12)
        outer.pack(fill="both", expand=True)
        self.buttons = ttk.Frame(outer)
        self.buttons.pack(side="bottom", fill="x", pady=(10, 0))
        close = ttk.Button(self.buttons, command=self.close)
        self.texts.bind(close, "dialog.close").pack(side="right")
        self.body = ttk.Frame(outer)
        self.body.pack(fill="both", expand=True)
        self.geometry(f"{size[0]}x{size[1]}")
        self.minsize(420, 240)
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.bind("<Escape>", lambda _e: self.close())
        i18n.add_listener(self.retranslate)
        self.texts.call(lambda: self.title(self._title()))
        self.deiconify()

    def button(self, key: str, command: Callable[[], object]) -> ttk.Button:
        """A button left of Close, labelled ``tr(key)``."""
        button = ttk.Button(self.buttons, command=command)
        self.texts.bind(button, key).pack(side="right", padx=(0, 6))
        return button

    def run(self, job: Job[object]) -> None:
        """Start ``job`` (cancelling one still running)."""
        if self.job is not None:
            self.job.cancel()
        self.job = job.start()

    def retranslate(self) -> None:
        """Relabel (subclasses redraw their content too)."""
        self.texts.apply()

    def close(self) -> None:
        if self.job is not None:
            self.job.cancel()
        i18n.remove_listener(self.retranslate)
        with contextlib.suppress(tk.TclError):
            self.destroy()


def text_box(parent: tk.Misc, height: int = 10) -> tk.Text:
    """A read-only, word-wrapped Text with a scrollbar, packed to fill ``parent``."""
    frame = ttk.Frame(parent)
    frame.pack(fill="both", expand=True)
    text = tk.Text(frame, height=height, wrap="word", relief="flat", borderwidth=0, padx=6, pady=4)
    bar = ttk.Scrollbar(frame, orient="vertical", command=text.yview)
    text.configure(yscrollcommand=bar.set, state="disabled")
    bar.pack(side="right", fill="y")
    text.pack(side="left", fill="both", expand=True)
    return text


def set_lines(text: tk.Text, lines: list[tuple[str, str]]) -> None:
    """Replace ``text``'s content with ``lines`` of (text, tag)."""
    text.configure(state="normal")
    text.delete("1.0", "end")
    for line, tag in lines:
        text.insert("end", line + "\n", (tag,) if tag else ())
    text.configure(state="disabled")
    text.see("end")


def dialog_title(key: str, **params: object) -> Callable[[], str]:
    """A title asked again after a language switch."""
    return lambda: tr(key, **params)
