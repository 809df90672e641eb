"""Small windows: keyboard shortcuts, about, and the one kind of modal error we allow.

Network problems never open a dialog (they go to the log and the state label);
:func:`local_problem` is only for things on this machine, such as a file that
cannot be written.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import messagebox, ttk

from gui.i18n import tr

SHORTCUTS = (
    ("Ctrl+Enter", "keys.send"),
    ("Ctrl+L", "keys.clear"),
    ("Ctrl+T", "keys.new_tab"),
    ("Ctrl+W", "keys.close_tab"),
    ("Ctrl+S", "keys.save_log"),
    ("Ctrl+O", "menu.open_session"),
    ("Ctrl+Q", "keys.quit"),
    ("Ctrl+K", "menu.code"),
    ("Ctrl+Tab / Ctrl+Shift+Tab", "keys.next_tab"),
    ("↑ / ↓", "keys.history"),
    ("Alt+1 … Alt+9", "keys.saved"),
    ("F1", "keys.help"),
)


def local_problem(parent: tk.Misc, message: str) -> None:
    """A modal error for a local problem (never for the network)."""
    messagebox.showerror(tr("dialog.problem"), message, parent=parent)


def info_window(parent: tk.Misc, title: str, rows: list[tuple[str, str]], intro: str = "") -> tk.Toplevel:
    """A small non-modal window listing ``rows`` (left, right), with a Close button."""
    top = tk.Toplevel(parent)
    top.title(title)
    top.transient(parent.winfo_toplevel())
    frame = ttk.Frame(top, padding=16)
    frame.pack(fill="both", expand=True)
    if intro:
        ttk.Label(frame, text=intro, justify="left", wraplength=420).grid(row=0, column=0, columnspan=2,
                                                                           sticky="w", pady=(0, 10))
    for index, (left, right) in enumerate(rows, start=1):
        ttk.Label(frame, text=left, font="TkFixedFont").grid(row=index, column=0, sticky="w", padx=(0, 16), pady=2)
        ttk.Label(frame, text=right).grid(row=index, column=1, sticky="w", pady=2)
    close = ttk.Button(frame, text=tr("dialog.close"), command=top.destroy, style="Accent.TButton")
    close.grid(row=len(rows) + 1, column=0, columnspan=2, pady=(14, 0))
    top.bind("<Escape>", lambda _e: top.destroy())
    close.focus_set()
    return top


def shortcuts_window(parent: tk.Misc) -> tk.Toplevel:
    """Help > Keyboard shortcuts."""
    return info_window(parent, tr("menu.shortcuts"), [(keys, tr(key)) for keys, key in SHORTCUTS])


def about_window(parent: tk.Misc, version: str) -> tk.Toplevel:
    """Help > About."""
    return info_window(parent, tr("menu.about"), [("SocketLab", version)], intro=tr("about.text"))
