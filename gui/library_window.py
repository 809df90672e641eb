"""The Saved messages window: the library shared by every tab, edited and sent from one place.

A list (grouped), a name and a group field, and buttons: save the current tab's input
under the name, send the selected message from the current tab (double-click or
Alt+1…9 do too), load it into the input to edit it, rename, delete, move up or down,
import and export JSON. A refused import says why and changes nothing.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from tkinter import filedialog, ttk
from typing import Protocol

from gui.i18n import tr
from gui.i18n_tk import Texts
from gui.saved import SavedMessages, shown_group, shown_name
from gui.widgets.hover_tip import HoverTip
from gui.widgets.send_bar import SendBar
from netcore.library import LibraryError, SavedMessage

BUTTONS = ("send", "save", "edit", "rename", "delete", "up", "down", "import", "export")


class LibraryHost(Protocol):
    """What the window needs: the current tab's send bar, and a way to send from that tab."""

    def current_send_bar(self) -> SendBar | None: ...
    def send_saved(self, message: SavedMessage) -> bool: ...


class LibraryWindow(tk.Toplevel):
    """A small window over the main one; one at a time (the main window keeps it)."""

    def __init__(self, parent: tk.Misc, saved: SavedMessages, host: LibraryHost) -> None:
        super().__init__(parent)
        self.saved, self.host = saved, host
        self.texts = Texts()
        self.texts.call(lambda: self.title(tr("lib.title")))
        self.geometry("640x420")
        self.minsize(480, 320)
        frame = ttk.Frame(self, padding=10)
        frame.pack(fill="both", expand=True)
        self.tree = ttk.Treeview(frame, columns=("size", "detail"), selectmode="browse", height=10)
        self.texts.heading(self.tree, "#0", "lib.col_name")
        self.texts.heading(self.tree, "size", "lib.col_size")
        self.texts.heading(self.tree, "detail", "lib.col_detail")
        self.tree.column("#0", width=290)
        self.tree.column("size", width=60, anchor="e")
        self.tree.column("detail", width=240)
        self.tree.grid(row=0, column=0, columnspan=6, sticky="nsew")
        self.tree.bind("<Double-1>", lambda _e: self.send_selected())
        self.tree.bind("<<TreeviewSelect>>", lambda _e: self._fill_fields())
        self.texts.bind(ttk.Label(frame), "lib.name").grid(row=1, column=0, sticky="w", pady=(8, 0))
        self.name_entry = ttk.Entry(frame, width=20)
        self.name_entry.grid(row=1, column=1, sticky="ew", pady=(8, 0), padx=(4, 10))
        self.texts.bind(ttk.Label(frame), "lib.group").grid(row=1, column=2, sticky="w", pady=(8, 0))
        self.group_entry = ttk.Entry(frame, width=10)
        self.group_entry.grid(row=1, column=3, sticky="ew", pady=(8, 0), padx=(4, 0))
        self.texts.bind(ttk.Label(frame), "lib.target").grid(row=1, column=4, sticky="w", pady=(8, 0), padx=(10, 0))
        self.target_entry = ttk.Entry(frame, width=15)
        """Optional host:port the message goes to (the UDP tab sends it there)."""
        self.target_entry.grid(row=1, column=5, sticky="ew", pady=(8, 0), padx=(4, 0))
        HoverTip(self.target_entry, lambda: tr("lib.target_tip"))
        self.buttons = self._build_buttons(frame)
        self.message = ttk.Label(frame, anchor="w", wraplength=600)
        self.message.grid(row=4, column=0, columnspan=6, sticky="ew", pady=(6, 0))
        frame.columnconfigure(1, weight=1)
        frame.rowconfigure(0, weight=1)
        saved.add_listener(self.refresh)
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.refresh()
        if saved.set_aside is not None:
            self.say(tr("lib.set_aside", path=str(saved.set_aside)), error=True)

    def _build_buttons(self, frame: ttk.Frame) -> dict[str, ttk.Button]:
        actions: dict[str, Callable[[], object]] = {
            "send": self.send_selected, "save": self.save_input, "edit": self.edit_selected,
            "rename": self.rename_selected, "delete": self.delete_selected, "up": lambda: self.move_selected(-1),
            "down": lambda: self.move_selected(1), "import": self.ask_import, "export": self.ask_export}
        rows = [ttk.Frame(frame), ttk.Frame(frame)]
        for row, widget in enumerate(rows, start=2):
            widget.grid(row=row, column=0, columnspan=6, sticky="ew", pady=(6, 0))
        buttons = {}
        for index, key in enumerate(BUTTONS):
            button = ttk.Button(rows[0 if index < 5 else 1], command=actions[key])
            self.texts.bind(button, f"lib.{key}").pack(side="left", padx=(0, 6))
            buttons[key] = button
        return buttons

    # ---- the list ----

    def refresh(self) -> None:
        """Redraw the list from the library (the selection kept by name)."""
        chosen = self.selected_name()
        self.tree.delete(*self.tree.get_children())
        groups: dict[str, str] = {}
        for index, message in enumerate(self.saved.messages):
            parent = ""
            if message.group:
                if message.group not in groups:
                    groups[message.group] = self.tree.insert("", "end", iid=f"group:{message.group}",
                                                             text=shown_group(message.group), open=True)
                parent = groups[message.group]
            shortcut = f"Alt+{index + 1}  " if index < 9 else ""
            self.tree.insert(parent, "end", iid=f"msg:{message.name}", text=f"{shortcut}{shown_name(message.name)}",
                             values=(self._size(message), self._detail(message)))
        if chosen is not None and self.tree.exists(f"msg:{chosen}"):
            self.tree.selection_set(f"msg:{chosen}")

    @staticmethod
    def _size(message: SavedMessage) -> str:
        try:
            return f"{len(message.payload()):,} B"
        except ValueError:
            return "?"

    @staticmethod
    def _detail(message: SavedMessage) -> str:
        text = message.text.replace("\n", "⏎")
        extras = [tr(f"mode.{message.mode}")]
        if message.checksum != "none":
            extras.append(tr(f"checksum.{message.checksum}"))
        return f"{text[:30]}{'…' if len(text) > 30 else ''}  ({', '.join(extras)})"

    def selected_name(self) -> str | None:
        selection = self.tree.selection()
        if selection and selection[0].startswith("msg:"):
            return selection[0][4:]
        return None

    def select(self, name: str) -> None:
        self.tree.selection_set(f"msg:{name}")
        self._fill_fields()

    def _fill_fields(self) -> None:
        name = self.selected_name()
        found = self.saved.library.find(name) if name else None
        if found is not None:
            _set(self.name_entry, found.name)
            _set(self.group_entry, found.group)
            _set(self.target_entry, found.target)

    def say(self, text: str, error: bool = False) -> None:
        self.message.configure(text=text, foreground="#d93025" if error else "")

    # ---- actions ----

    def _selected(self) -> SavedMessage | None:
        name = self.selected_name()
        found = self.saved.library.find(name) if name else None
        if found is None:
            self.say(tr("lib.choose_first"), error=True)
        return found

    def send_selected(self) -> bool:
        found = self._selected()
        return found is not None and self.host.send_saved(found)

    def save_input(self) -> bool:
        """Save the current tab's input under the name (a message of that name is replaced)."""
        bar = self.host.current_send_bar()
        name = self.name_entry.get().strip()
        if bar is None or not name:
            self.say(tr("lib.need_name" if bar is not None else "lib.no_tab"), error=True)
            return False
        message = replace(bar.as_message(name, self.group_entry.get()), target=self.target_entry.get().strip())
        return self._try(lambda: self.saved.save(message), tr("lib.saved", name=name), then=name)

    def edit_selected(self) -> None:
        """Load the selected message into the current tab's input: change it there, then Save."""
        found = self._selected()
        bar = self.host.current_send_bar()
        if found is not None and bar is not None:
            bar.load_message(found)
            self.say(tr("lib.loaded", name=shown_name(found.name)))

    def rename_selected(self) -> bool:
        found = self._selected()
        new = self.name_entry.get().strip()
        if found is None:
            return False
        group = self.group_entry.get().strip()

        def change() -> None:
            self.saved.rename(found.name, new)
            if group != found.group:
                self.saved.set_group(new, group)
        return self._try(change, tr("lib.renamed", name=new), then=new)

    def delete_selected(self) -> None:
        found = self._selected()
        if found is not None:
            self.saved.delete(found.name)
            self.say(tr("lib.deleted", name=shown_name(found.name)))

    def move_selected(self, offset: int) -> None:
        found = self._selected()
        if found is not None:
            self.saved.move(found.name, offset)

    def import_from(self, path: Path) -> bool:
        """Add the messages of ``path``; a bad file is refused with the reason and nothing changes."""
        result: list[int] = []
        return self._try(lambda: result.append(self.saved.import_file(path)),
                         lambda: tr("lib.imported", n=f"{result[0]:,}", path=str(path)))

    def export_to(self, path: Path) -> bool:
        return self._try(lambda: self.saved.export_file(path), tr("lib.exported", path=str(path)))

    def ask_import(self) -> None:
        name = filedialog.askopenfilename(parent=self, title=tr("lib.import"), filetypes=[("JSON", "*.json")])
        if name:
            self.import_from(Path(name))

    def ask_export(self) -> None:
        name = filedialog.asksaveasfilename(parent=self, title=tr("lib.export"), defaultextension=".json",
                                            initialfile="socketlab-messages.json", filetypes=[("JSON", "*.json")])
        if name:
            self.export_to(Path(name))

    def _try(self, action: Callable[[], object], done: str | Callable[[], str], then: str = "") -> bool:
        try:
            action()
        except LibraryError as error:
            self.say(tr("lib.refused", reason=str(error)), error=True)
            return False
        except OSError as error:
            self.say(tr("lib.refused", reason=error.strerror or str(error)), error=True)
            return False
        if then and self.tree.exists(f"msg:{then}"):
            self.select(then)
        self.say(self.saved.error or (done() if callable(done) else done), error=bool(self.saved.error))
        return True

    def retranslate(self) -> None:
        self.texts.apply()
        self.refresh()

    def close(self) -> None:
        self.saved.remove_listener(self.refresh)
        self.destroy()


def _set(entry: ttk.Entry, text: str) -> None:
    entry.delete(0, "end")
    entry.insert(0, text)
