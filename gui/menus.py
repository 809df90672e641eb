"""The menu bar: File, View, Help; rebuilt whenever the language changes.

Entries that act on "the current tab" (text/hex, timestamps) are bound to that
tab's own Tk variables and re-pointed when another tab is selected.
"""

from __future__ import annotations

import tkinter as tk
from functools import partial
from typing import TYPE_CHECKING

from gui import sessions
from gui.i18n import LANGUAGES, language, tr
from gui.settings import TAB_KINDS

if TYPE_CHECKING:
    from gui.app import MainWindow

SCROLLBACKS = (1_000, 10_000, 100_000)


class MenuBar:
    """Builds the menus of ``window`` and keeps the per-tab entries current."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.root = window.root
        self.language = tk.StringVar(self.root)
        self.theme = tk.StringVar(self.root)
        self.scrollback = tk.IntVar(self.root)
        self.show_calls = tk.BooleanVar(self.root)
        self.show_data_calls = tk.BooleanVar(self.root)
        self.menubar = tk.Menu(self.root)
        self.view: tk.Menu | None = None
        self.new_tab = tk.Menu(self.root, tearoff=False)
        """The popup Ctrl+T opens."""

    def build(self) -> None:
        """(Re)build every menu in the current language."""
        settings = self.window.settings
        self.language.set(language())
        self.theme.set(settings.theme)
        self.scrollback.set(settings.scrollback)
        self.show_calls.set(settings.show_calls)
        self.show_data_calls.set(settings.show_data_calls)
        old = self.menubar
        self.menubar = tk.Menu(self.root)
        self._fill_new_tab(self.new_tab)
        self.menubar.add_cascade(label=tr("menu.file"), menu=self._file_menu())
        self.view = self._view_menu()
        self.menubar.add_cascade(label=tr("menu.view"), menu=self.view)
        self.menubar.add_cascade(label=tr("menu.help"), menu=self._help_menu())
        self.root.configure(menu=self.menubar)
        old.destroy()
        self.follow_tab()

    def _fill_new_tab(self, menu: tk.Menu) -> tk.Menu:
        menu.delete(0, "end")
        for kind in TAB_KINDS:
            menu.add_command(label=tr(f"tab.{kind}"), underline=0, command=partial(self.window.new_tab, kind))
        return menu

    def _file_menu(self) -> tk.Menu:
        w = self.window
        menu = tk.Menu(self.menubar, tearoff=False)
        submenu = self._fill_new_tab(tk.Menu(menu, tearoff=False))
        menu.add_cascade(label=tr("menu.new_tab"), menu=submenu, accelerator="Ctrl+T")
        menu.add_command(label=tr("menu.close_tab"), command=w.close_current_tab, accelerator="Ctrl+W")
        menu.add_separator()
        menu.add_command(label=tr("menu.save_log"), command=w.save_log, accelerator="Ctrl+S")
        menu.add_command(label=tr("menu.save_received"), command=w.save_received)
        menu.add_command(label=tr("lib.menu"), command=w.open_library)
        menu.add_separator()
        menu.add_command(label=tr("menu.save_session"), command=lambda: sessions.save_session(w))
        menu.add_command(label=tr("menu.open_session"), command=lambda: sessions.open_session(w),
                         accelerator="Ctrl+O")
        menu.add_command(label=tr("menu.export_chart"), command=lambda: sessions.export_chart(w))
        menu.add_command(label=tr("menu.export_pcap"), command=lambda: sessions.export_pcap(w))
        menu.add_separator()
        menu.add_command(label=tr("menu.quit"), command=w.close, accelerator="Ctrl+Q")
        return menu

    def _view_menu(self) -> tk.Menu:
        w = self.window
        menu = tk.Menu(self.menubar, tearoff=False)
        menu.add_radiobutton(label=tr("view.text"), value="text")  # index 0
        menu.add_radiobutton(label=tr("view.hex"), value="hex")  # index 1
        menu.add_checkbutton(label=tr("view.timestamps"))  # index 2
        menu.add_command(label=tr("view.clear"), command=w.clear_log, accelerator="Ctrl+L")
        menu.add_separator()
        menu.add_checkbutton(label=tr("view.show_calls"), variable=self.show_calls, command=self._calls)
        menu.add_checkbutton(label=tr("view.show_data_calls"), variable=self.show_data_calls, command=self._calls)
        menu.add_cascade(label=tr("view.scrollback"), menu=self._scrollback_menu(menu))
        menu.add_separator()
        theme = tk.Menu(menu, tearoff=False)
        for name in ("light", "dark"):
            theme.add_radiobutton(label=tr(f"theme.{name}"), value=name, variable=self.theme,
                                  command=lambda: w.set_theme(self.theme.get()))
        menu.add_cascade(label=tr("view.theme"), menu=theme)
        language = tk.Menu(menu, tearoff=False)
        for code, name in LANGUAGES.items():
            language.add_radiobutton(label=name, value=code, variable=self.language,
                                     command=lambda: w.set_language(self.language.get()))
        menu.add_cascade(label=tr("view.language"), menu=language)
        return menu

    def _scrollback_menu(self, parent: tk.Menu) -> tk.Menu:
        menu = tk.Menu(parent, tearoff=False)
        for rows in SCROLLBACKS:
            menu.add_radiobutton(label=tr("view.rows", n=f"{rows:,}"), value=rows, variable=self.scrollback,
                                 command=lambda: self.window.set_scrollback(self.scrollback.get()))
        return menu

    def _help_menu(self) -> tk.Menu:
        menu = tk.Menu(self.menubar, tearoff=False)
        menu.add_command(label=tr("menu.lessons"), command=lambda: self.window.teaching.open_lessons())
        menu.add_command(label=tr("menu.code"), command=self.window.show_code, accelerator="Ctrl+K")
        menu.add_separator()
        menu.add_command(label=tr("menu.shortcuts"), command=self.window.show_shortcuts, accelerator="F1")
        menu.add_command(label=tr("menu.about"), command=self.window.show_about)
        return menu

    def _calls(self) -> None:
        self.window.settings.show_calls = self.show_calls.get()
        self.window.settings.show_data_calls = self.show_data_calls.get()

    def follow_tab(self) -> None:
        """Point the text/hex and timestamp entries at the selected tab's variables."""
        tab = self.window.current_tab()
        if self.view is None:
            return
        state = "normal" if tab is not None else "disabled"
        for index in (0, 1, 2):
            self.view.entryconfigure(index, state=state)
        if tab is not None:
            self.view.entryconfigure(0, variable=tab.display_var, command=tab.apply_display)
            self.view.entryconfigure(1, variable=tab.display_var, command=tab.apply_display)
            self.view.entryconfigure(2, variable=tab.time_var, command=tab.apply_display)
