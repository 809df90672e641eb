"""Look and feel: sv-ttk (Sun Valley, light or dark) or the platform's own theme.

Windows and Linux get sv-ttk, which looks like a current Windows app and far
better than Tk's default on X11; macOS keeps Aqua, which is native there. Also
DPI awareness on Windows (so 150 % scaling is sharp, not blurred) and an optional
``SOCKETLAB_SCALE`` override (e.g. ``1.5``) to try other scalings anywhere.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import tkinter as tk
from tkinter import font as tkfont
from tkinter import ttk

THEMES = ("light", "dark")


SWITCH_INTERVAL = 0.0005
"""Seconds a thread may hold the GIL while another waits (CPython's default is 5 ms)."""


def prepare_process() -> None:
    """Before the root exists: a short GIL switch interval, and DPI awareness on Windows.

    Tkinter releases the GIL around every Tcl call; while an engine thread is busy
    with a flood, getting it back can take a whole switch interval. 0.5 ms instead
    of 5 ms keeps each redraw short (see docs/benchmarks-gui.md).
    """
    sys.setswitchinterval(SWITCH_INTERVAL)
    if sys.platform != "win32":
        return
    with contextlib.suppress(AttributeError, OSError):
        import ctypes

        windll = getattr(ctypes, "windll")  # noqa: B009  # typeshed has windll only on Windows
        windll.shcore.SetProcessDpiAwareness(1)


def apply_scaling(root: tk.Tk) -> None:
    """Honour ``SOCKETLAB_SCALE`` (1.0 = 96 dpi) if set; else keep what Tk detected."""
    value = os.environ.get("SOCKETLAB_SCALE", "")
    with contextlib.suppress(ValueError):
        factor = float(value)
        if 0.5 <= factor <= 4:
            root.tk.call("tk", "scaling", factor * 96 / 72)


def uses_sv_ttk() -> bool:
    """sv-ttk everywhere but macOS."""
    return sys.platform != "darwin"


def apply_theme(root: tk.Tk, name: str) -> str:
    """Switch to ``name`` ("light" or "dark"); returns the theme now in use."""
    name = name if name in THEMES else "light"
    if uses_sv_ttk():
        try:
            import sv_ttk

            sv_ttk.set_theme(name, root)
        except (ImportError, tk.TclError):
            ttk.Style(root).theme_use("clam")
            name = "light"
    _fonts(root)
    style = ttk.Style(root)
    style.configure("Treeview", rowheight=_row_height(root))
    return name


def _fonts(root: tk.Tk) -> None:
    """A readable monospace for logs; sv-ttk's pixel-sized fonts turned into points.

    sv-ttk sizes its fonts in pixels, which would stay small at 150 % scaling; the
    same size in points (1 px = 0.75 pt at 96 dpi) follows ``tk scaling``.
    """
    for name in tkfont.names(root):
        named = tkfont.nametofont(name, root)
        size = int(named.cget("size"))
        if name.startswith("SunValley") and size < 0:
            named.configure(size=max(1, math.ceil(-size * 0.75)))
    if "SunValleyBodyFont" in tkfont.names(root):
        # sv-ttk gives its font only to the entries that exist when the theme is set;
        # entries made later (a new tab) use TkTextFont: make that the same font.
        body = tkfont.nametofont("SunValleyBodyFont", root).actual()
        tkfont.nametofont("TkTextFont", root).configure(family=body["family"], size=body["size"])
    fixed = tkfont.nametofont("TkFixedFont", root)
    families = set(tkfont.families(root))
    for family in ("Cascadia Mono", "Consolas", "Menlo", "DejaVu Sans Mono", "Noto Sans Mono", "Liberation Mono"):
        if family in families:
            fixed.configure(family=family)
            break
    fixed.configure(size=10)


def _row_height(root: tk.Tk) -> int:
    """Treeview rows tall enough for the current font at the current scaling."""
    body = tkfont.nametofont("TkDefaultFont", root)
    return int(body.metrics("linespace") * 1.6)


def scale_factor(root: tk.Misc) -> float:
    """1.0 at 96 dpi, 1.5 at 150 % (from ``tk scaling``, pixels per point)."""
    return float(root.tk.call("tk", "scaling")) / (96 / 72)


def is_dark(root: tk.Tk) -> bool:
    """True when the dark theme is in use."""
    return ttk.Style(root).theme_use() == "sun-valley-dark"
