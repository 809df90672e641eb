"""A Text with a vertical and a horizontal scrollbar, laid out in its container's grid."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk


def add_scrollbars(container: tk.Misc, text: tk.Text) -> ttk.Scrollbar:
    """Grid ``text`` at (0, 0) of ``container`` with scrollbars right and below; it takes the spare room.

    Clicking the text gives it the keyboard focus (read-only texts do not take it otherwise).
    Returns the vertical scrollbar.
    """
    yscroll = ttk.Scrollbar(container, orient="vertical", command=text.yview)
    xscroll = ttk.Scrollbar(container, orient="horizontal", command=text.xview)
    text.configure(yscrollcommand=yscroll.set, xscrollcommand=xscroll.set)
    text.grid(row=0, column=0, sticky="nsew")
    yscroll.grid(row=0, column=1, sticky="ns")
    xscroll.grid(row=1, column=0, sticky="ew")
    container.rowconfigure(0, weight=1)
    container.columnconfigure(0, weight=1)
    text.bind("<1>", lambda _e: text.focus_set(), add="+")
    return yscroll
