"""Room kept for text that comes and goes, so the layout does not jump when it appears.

A banner, a "Last sender" line or a send error is gridded all the time; its grid
row keeps at least the height the label needs for a given number of lines, so the
widgets around it stay put whether it says something or nothing.
"""

from __future__ import annotations

from tkinter import font as tkfont
from tkinter import ttk


def lines_high(label: ttk.Label, lines: int) -> int:
    """Pixels ``label`` (its font and the theme's padding) needs to show ``lines`` lines."""
    text, wrap = label.cget("text"), label.cget("wraplength")
    name = str(label.cget("font")) or str(ttk.Style(label).lookup("TLabel", "font")) or "TkDefaultFont"
    word = "Xg国"  # CJK glyphs can make a line taller
    width = tkfont.nametofont(name, root=label).measure(word) + 4
    # wrapped, as the real text will be (Tk spaces wrapped lines a little apart)
    label.configure(text=" ".join(word for _ in range(lines)), wraplength=width)
    height = label.winfo_reqheight()
    label.configure(text=text, wraplength=wrap)
    return int(height) + lines  # a pixel a line: fallback fonts (a dash, a CJK glyph) can be taller


def reserve_row(label: ttk.Label, row: int, lines: int, pad: int = 0) -> None:
    """Keep grid ``row`` of ``label``'s container (where it is gridded) ``lines`` lines high."""
    label.master.rowconfigure(row, minsize=lines_high(label, lines) + pad)
