"""The window's icon: SocketLab's PNGs from ``assets/png`` on every top-level window.

``gui.app.run_window`` calls ``set_window_icon(root)`` right after ``tk.Tk()``.

From source the PNGs are in ``assets/png`` beside ``gui/``; in a PyInstaller build
``build.spec`` puts them in ``assets/png`` inside the bundle (``sys._MEIPASS``).
They are drawn by ``tools/render_icon.py``. A missing file only means no icon.
"""

from __future__ import annotations

import sys
import tkinter as tk
from pathlib import Path

SIZES = (16, 32, 48, 64, 128, 256)
_keep: list[tk.PhotoImage] = []
"""Tk forgets an image whose Python object is collected: keep them for the process's life."""


def asset_dir() -> Path:
    """``assets/`` in the bundle when frozen, else beside the ``gui`` package."""
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) / "assets" if bundle else Path(__file__).resolve().parent.parent / "assets"


def set_window_icon(root: tk.Tk) -> bool:
    """Give ``root`` (and every later Toplevel) the SocketLab icon; False if none was found."""
    images: list[tk.PhotoImage] = []
    for size in SIZES:
        path = asset_dir() / "png" / f"socketlab-{size}.png"
        if path.is_file():
            try:
                images.append(tk.PhotoImage(master=root, file=str(path)))
            except tk.TclError:
                continue
    if not images:
        return False
    root.iconphoto(True, *images)
    _keep.extend(images)
    return True
