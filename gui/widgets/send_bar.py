"""The send bar: multi-line input, mode/encoding/line ending/checksum, Send, history, quick slots.

The text becomes bytes through :func:`netcore.payload.build_payload`, then the chosen
checksum (:mod:`netcore.checksums`) is appended; the message line shows how many bytes
that makes and which bytes were appended. The quick slots are views of the saved
messages library (the first few of it, see :mod:`gui.saved`). A typing
mistake (bad hex, a character the encoding cannot hold) is shown under the input
and nothing is sent. Ctrl+Enter sends; Up on the first line and Down on the last
walk the history. Repeat and file sending live in :mod:`gui.widgets.repeat`.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from functools import partial
from tkinter import ttk

from gui.i18n import has, tr
from gui.i18n_tk import Choice, Texts, chars_for, tab_moves_focus
from gui.saved import QUICK_VIEWS, SavedMessages, shown_name
from gui.settings import TabSettings
from gui.widgets.hover_tip import HoverTip
from gui.widgets.repeat import RepeatControls
from netcore import checksums
from netcore.library import LibraryError, SavedMessage
from netcore.payload import ENCODINGS, LINE_ENDINGS, SEND_MODES, build_payload, format_hex
from netcore.validation import InputError

MAX_HISTORY = 100
ERROR_COLOR = "#d93025"
OPTIONAL_LABELS = ("send.encoding", "send.mode")
"""The option labels left out, in this order, when the row is too narrow (their boxes say what they are)."""
ENCODING_LABELS = {"utf-8": "UTF-8", "gbk": "GBK", "latin-1": "Latin-1"}


def input_message(error: InputError) -> str:
    """An :class:`InputError` in the current language (by code; English if unknown)."""
    key = f"input.{error.code}"
    if not has(key):
        return str(error)
    params = dict(error.params)
    field = params.get("field", "")
    if has(f"field.{field}"):
        params["field"] = tr(f"field.{field}")
    return tr(key, **params)


class SendBar(ttk.Frame):
    """Compose bytes and hand them to ``on_send`` (which returns False if not sent)."""

    def __init__(self, parent: tk.Misc, settings: TabSettings, saved: SavedMessages,
                 on_send: Callable[[bytes], bool], message_row: tk.Misc | None = None,
                 on_saved: Callable[[SavedMessage], bool] | None = None) -> None:
        super().__init__(parent)
        self.texts = Texts()
        self.on_send = on_send
        self.saved = saved
        self.on_saved = on_saved or (lambda message: self.send_message(message))
        """Sends a saved message (the tab fills ``{host}``/``{port}`` from its target)."""
        self.history: list[tuple[str, str]] = []
        self._history_index = 0
        self.input = tk.Text(self, height=3, width=40, wrap="word", undo=True, font="TkFixedFont",
                             borderwidth=0, highlightthickness=1, padx=6, pady=4)
        self.input.grid(row=0, column=0, columnspan=2, sticky="nsew")
        self.border_color = "#d0d0d0"
        """The input's normal border colour (set by :meth:`set_colors`)."""
        self.set_colors(dark=False)
        self.send_button = self.texts.bind(ttk.Button(self, command=self.send, style="Accent.TButton"), "send.send")
        self.send_button.grid(row=0, column=2, sticky="nsew", padx=(6, 0))
        options = ttk.Frame(self)
        options.grid(row=1, column=0, columnspan=3, sticky="ew", pady=(6, 0))
        self._labels: dict[str, ttk.Label] = {}
        self.mode = self._choice(options, "send.mode", list(SEND_MODES), "mode", 5)
        self.encoding = self._choice(options, "send.encoding", list(ENCODINGS), "", 5)
        self.encoding.widget.configure(values=[ENCODING_LABELS[e] for e in ENCODINGS])
        self.encoding.widget.configure(width=max(5, chars_for(self.encoding.widget, list(ENCODING_LABELS.values()))))
        self.line_ending = self._choice(options, "send.line_ending", list(LINE_ENDINGS), "ending", 5)
        self.checksum = self._choice(options, "", list(checksums.NAMES), "checksum", 9)
        """The checksum appended after the line ending (its values say what they are: no label)."""
        self.repeat = RepeatControls(options, self.texts, self.send, self.show_error)
        self.repeat.pack(side="right")
        options.bind("<Configure>", lambda event: self._fit_options(event.width), add="+")
        self.bottom = ttk.Frame(self)
        """Quick slots on the left, Send file on the right."""
        self.bottom.grid(row=2, column=0, columnspan=3, sticky="ew", pady=(6, 0))
        self.file_button = self.texts.bind(ttk.Button(self.bottom), "send.file")
        self.file_button.pack(side="right")
        self.each_line = tk.BooleanVar(self, False)
        """Send each line of the input with its own send() call, back to back (the stream lesson)."""
        check = ttk.Checkbutton(self.bottom, variable=self.each_line, takefocus=False)
        self.texts.bind(check, "send.each_line").pack(side="right", padx=(0, 10))
        self.error = ttk.Label(message_row or self, foreground="#d93025", anchor="e")
        self._message: tuple[Callable[[], str], bool] = (str, False)
        """Input errors and file progress: in ``message_row`` (a line that is always there, so
        nothing jumps when it speaks), else in a row of its own under the bar."""
        if message_row is None:
            self.error.grid(row=3, column=0, columnspan=3, sticky="ew", pady=(4, 0))
        else:
            self.error.pack(side="right", fill="x", expand=True, padx=(8, 8))
        self._build_quick()
        self.columnconfigure(0, weight=1)
        self.rowconfigure(0, weight=1)
        self.mode.set(settings.send_mode)
        self.encoding.set(settings.encoding)
        self.line_ending.set(settings.line_ending)
        self.checksum.set(settings.checksum)
        for choice in (self.mode, self.encoding, self.line_ending, self.checksum):
            choice.on_change(lambda _code: self._typed(None, force=True))
        self._bind_keys()
        saved.add_listener(self._label_quick)
        self.bind("<Destroy>", self._forget_library, add="+")

    def _choice(self, parent: ttk.Frame, key: str, codes: list[str], prefix: str, width: int) -> Choice:
        if key:
            self._labels[key] = self.texts.bind(ttk.Label(parent), key)
            self._labels[key].pack(side="left", padx=(0, 4))
        choice = Choice(parent, codes, prefix, width)
        choice.widget.pack(side="left", padx=(0, 6))
        if prefix:
            self.texts.call(choice.retranslate)
        return choice

    def _fit_options(self, width: int) -> None:
        """Leave out the labels whose boxes speak for themselves (encoding, then mode) while the row is too narrow.

        Each label is shown again as soon as the row has room for it, so the
        choice depends only on the width (it cannot flicker between two layouts).
        """
        needed = sum(self._room(child) for child in self.repeat.master.winfo_children() if child.winfo_manager())
        needed += sum(self._label_room(key) for key in OPTIONAL_LABELS if not self._labels[key].winfo_manager())
        for key in OPTIONAL_LABELS:
            label, combobox = self._labels[key], self._combobox_of(key)
            fits = needed <= width
            if fits and not label.winfo_manager():
                label.pack(side="left", padx=(0, 4), before=combobox)
            elif not fits and label.winfo_manager():
                label.pack_forget()
            if not fits:
                needed -= self._label_room(key)

    @staticmethod
    def _room(widget: tk.Misc) -> int:
        """The width ``widget`` takes in its packed row: what it asks for and its padding."""
        pad = widget.pack_info().get("padx", 0) if isinstance(widget, tk.Widget) else 0
        pads = [int(x) for x in pad] if isinstance(pad, (tuple, list)) else [int(x) for x in str(pad).split()]
        return int(widget.winfo_reqwidth()) + (pads[0] * 2 if len(pads) == 1 else sum(pads))

    def _label_room(self, key: str) -> int:
        return int(self._labels[key].winfo_reqwidth()) + 4

    def _combobox_of(self, key: str) -> ttk.Combobox:
        return (self.encoding if key == "send.encoding" else self.mode).widget

    def _forget_library(self, event: tk.Event[tk.Misc]) -> None:
        if event.widget is self:  # the bar is going away: the library must not call it any more
            self.saved.remove_listener(self._label_quick)

    def _bind_keys(self) -> None:
        self.input.bind("<Up>", self._history_up)
        self.input.bind("<Down>", self._history_down)
        self.input.bind("<Control-Up>", lambda _e: self._recall(-1))
        self.input.bind("<Control-Down>", lambda _e: self._recall(1))
        self.input.bind("<<Modified>>", self._typed)
        self.input.bind("<Control-a>", self._select_all)  # as on Windows, not Emacs's line start
        self.input.bind("<Control-A>", self._select_all)
        tab_moves_focus(self.input)

    # ---- sending ----

    def payload(self, text: str | None = None, mode: str | None = None) -> bytes:
        """The bytes for ``text`` (default: the input) in the chosen mode; raises InputError."""
        text = self.get_text() if text is None else text
        body = build_payload(text, mode or self.mode.get(), self.encoding.get(), self.line_ending.get())
        return checksums.append(self.checksum.get(), body)

    def preview(self) -> str:
        """What Send would send now: its size and the checksum bytes appended ("" if empty or not valid)."""
        if not self.get_text():
            return ""
        try:
            data = self.payload()
        except InputError:
            return ""
        added = len(checksums.checksum(self.checksum.get(), b""))
        if not added:
            return tr("send.preview", n=f"{len(data):,}")
        return tr("send.preview_check", n=f"{len(data):,}", check=format_hex(data[-added:]))

    def as_message(self, name: str, group: str = "") -> SavedMessage:
        """The input as a saved message called ``name``."""
        return SavedMessage(name, self.get_text(), mode=self.mode.get(), encoding=self.encoding.get(),
                            line_ending=self.line_ending.get(), checksum=self.checksum.get(), group=group)

    def load_message(self, message: SavedMessage) -> None:
        """Put a saved message into the input and the choices (to edit it, or send it again)."""
        self.set_text(message.text)
        self.mode.set(message.mode)
        self.encoding.set(message.encoding)
        self.line_ending.set(message.line_ending)
        self.checksum.set(message.checksum)
        self._typed(None, force=True)

    def send_message(self, message: SavedMessage, host: str = "", port: int | str = "") -> bool:
        """Send a saved message as it was saved (its own mode, encoding, ending and checksum)."""
        try:
            data = message.payload(host, port)
        except InputError as error:
            self.show_error(partial(input_message, error))
            return False
        self.show_error(None)
        return self.on_send(data)

    def send(self, text: str | None = None, mode: str | None = None) -> bool:
        """Build the payload and send it; False (and the error shown) if it could not be.

        With "Each line its own send()", every line of the input is one message, sent back to back.
        """
        typed = self.get_text() if text is None else text
        pieces = [line for line in typed.splitlines() if line] if self.each_line.get() and text is None else [typed]
        try:
            payloads = [self.payload(piece, mode) for piece in pieces or [typed]]
        except InputError as error:
            self.show_error(partial(input_message, error))
            return False
        self.show_error(None)
        if not all(self.on_send(data) for data in payloads):
            return False
        if text is None:
            self._remember(self.get_text(), self.mode.get())
        return True

    def set_colors(self, dark: bool) -> None:
        """Input colours for a light or dark theme."""
        self.border_color = "#3a3a3a" if dark else "#c4c4c4"
        self.input.configure(background="#1c1c1c" if dark else "#ffffff",
                             foreground="#e8eaed" if dark else "#202124",
                             insertbackground="#e8eaed" if dark else "#202124",
                             highlightbackground=self.border_color, highlightcolor="#57a0ff" if dark else "#0067c0")

    def say(self, message: Callable[[], str] | None, error: bool = False) -> None:
        """The bar's message line (None clears it): an input error (red) or file progress.

        ``message()`` is asked again after a language switch.
        """
        self._message = (message or str, error)
        text = (message or self.preview)()
        self.error.configure(text=text, foreground="#d93025" if error else "" if message else "#5f6368")

    def show_error(self, message: Callable[[], str] | None) -> None:
        """Say why the input cannot be sent (None clears it); the input turns red."""
        self.say(message, error=message is not None)  # cleared: the preview, in grey as always
        self.input.configure(highlightbackground=ERROR_COLOR if message else self.border_color)

    def _typed(self, _event: object, force: bool = False) -> None:
        """The input or a choice changed: an input error shown for the old one is stale."""
        if force or self.input.edit_modified():
            self.input.edit_modified(False)
            if str(self.error.cget("text")) and str(self.input.cget("highlightbackground")) == ERROR_COLOR:
                self.show_error(None)
            elif self._message[0] is str:  # no message of its own: the line shows the preview
                self.say(None)

    def _select_all(self, _event: object) -> str:
        self.input.tag_add("sel", "1.0", "end-1c")
        self.input.mark_set("insert", "end-1c")
        return "break"

    # ---- text and history ----

    def get_text(self) -> str:
        """The input without Tk's trailing newline."""
        return self.input.get("1.0", "end-1c")

    def set_text(self, text: str) -> None:
        """Replace the input."""
        self.input.delete("1.0", "end")
        self.input.insert("1.0", text)

    def _remember(self, text: str, mode: str) -> None:
        if text and (not self.history or self.history[-1] != (text, mode)):
            self.history.append((text, mode))
            del self.history[:-MAX_HISTORY]
        self._history_index = len(self.history)

    def _recall(self, step: int) -> str:
        index = self._history_index + step
        if 0 <= index < len(self.history):
            self._history_index = index
            text, mode = self.history[index]
            self.set_text(text)
            self.mode.set(mode)
        elif index >= len(self.history):
            self._history_index = len(self.history)
            self.set_text("")
        return "break"

    def _history_up(self, _event: object) -> str | None:
        if self.input.index("insert").split(".")[0] == "1":
            return self._recall(-1)
        return None

    def _history_down(self, _event: object) -> str | None:
        if self.input.compare("insert lineend", "==", "end-1c"):
            return self._recall(1)
        return None

    # ---- quick slots: views of the first saved messages ----

    def _build_quick(self) -> None:
        self.texts.bind(ttk.Label(self.bottom), "send.quick").pack(side="left", padx=(0, 4))
        self.quick_buttons: list[ttk.Button] = []
        self.quick_tips: list[HoverTip] = []
        """Each quick button's whole name, cut short on the button, when the pointer rests on it."""
        for index in range(QUICK_VIEWS):
            button = ttk.Button(self.bottom, width=9, takefocus=False, command=partial(self.send_quick, index))
            button.pack(side="left", padx=(0, 4))
            button.bind("<Button-3>", partial(self._quick_menu, index))
            self.quick_tips.append(HoverTip(button, partial(self._quick_tip, index)))
            self.quick_buttons.append(button)
        self.library_button = self.texts.bind(ttk.Button(self.bottom, takefocus=False), "lib.open")
        self.library_button.pack(side="left", padx=(2, 0))
        self.texts.call(self._label_quick)

    def _label_quick(self) -> None:
        messages = self.saved.messages
        names = [short_name(shown_name(message.name)) for message in messages[:len(self.quick_buttons)]]
        font = str(ttk.Style(self).lookup("TButton", "font")) or "TkDefaultFont"
        room = int(self.quick_buttons[0].cget("width")) * _measure(self, font, "0")
        labels = quick_labels(names, lambda text: _measure(self, font, text), room)
        for index, button in enumerate(self.quick_buttons):
            button.configure(text=labels[index] if index < len(labels) else tr("send.quick_empty", n=index + 1))

    def _quick_tip(self, index: int) -> str:
        """The whole name of the saved message on quick button ``index`` and its key (Alt+N)."""
        messages = self.saved.messages
        return f"{shown_name(messages[index].name)}  (Alt+{index + 1})" if index < len(messages) else ""

    def send_quick(self, index: int) -> bool:
        """Send saved message ``index`` (Alt+1…); an empty slot saves the input there instead."""
        messages = self.saved.messages
        if index >= len(messages):
            self.store_quick(index)
            return False
        return self.on_saved(messages[index])

    def store_quick(self, index: int) -> None:
        """Save the input (and its choices) as saved message ``index`` (keeping that message's name)."""
        messages = self.saved.messages
        name = messages[index].name if index < len(messages) else tr("send.quick_name", n=index + 1)
        group = messages[index].group if index < len(messages) else ""
        try:
            self.saved.save(self.as_message(name, group), at=index)
        except LibraryError as error:
            self.show_error(partial(str, error))

    def _quick_menu(self, index: int, event: tk.Event[tk.Misc]) -> None:
        menu = tk.Menu(self, tearoff=False)
        menu.add_command(label=tr("send.quick_store"), command=lambda: self.store_quick(index))
        menu.add_command(label=tr("send.quick_clear"), command=lambda: self._clear_quick(index))
        menu.tk_popup(event.x_root, event.y_root)

    def _clear_quick(self, index: int) -> None:
        """Delete saved message ``index`` from the library (the next ones move up)."""
        messages = self.saved.messages
        if index < len(messages):
            self.saved.delete(messages[index].name)

    def retranslate(self) -> None:
        """Relabel after a language switch."""
        self.texts.apply()
        self.repeat.retranslate()
        self.say(*self._message)
        row = self.repeat.master
        self.after_idle(lambda: self._fit_options(row.winfo_width()) if row.winfo_exists() else None)


def _measure(widget: tk.Misc, font: str, text: str) -> int:
    return int(widget.tk.call("font", "measure", font, "-displayof", widget, text))


def short_name(name: str) -> str:
    """The part of a saved message's name before its first colon ("Modbus TCP" of "Modbus TCP: read …")."""
    for colon in (":", "："):
        head = name.split(colon, 1)[0].strip()
        if head and head != name:
            return head
    return name


def quick_labels(names: list[str], measure: Callable[[str], int], room: int) -> list[str]:
    """``1: name`` … for the quick buttons, each cut to ``room`` pixels with "…", and told apart.

    A name too long loses its end; where that would make two buttons read the same
    ("2: Modbus…" twice), those keep their last word instead ("2: Mo…TCP", "3: Mo…RTU").
    """
    labels = [_cut(f"{n}: ", name, measure, room, "") for n, name in enumerate(names, 1)]
    endings = [_cut(f"{n}: ", name, measure, room, name.split()[-1] if name.split() else "")
               for n, name in enumerate(names, 1)]
    cut_the_same = [label[label.index(" ") + 1:] for label in labels]
    return [endings[index] if cut_the_same.count(cut_the_same[index]) > 1 and measure(endings[index]) <= room
            else label for index, label in enumerate(labels)]


def _cut(prefix: str, name: str, measure: Callable[[str], int], room: int, ending: str) -> str:
    """``prefix + name``, or its start cut short with "…" (then ``ending``, if any) to fit ``room``."""
    if measure(prefix + name) <= room:
        return prefix + name
    body = name[:len(name) - len(ending)] if ending else name
    for keep in range(len(body) - 1, 0, -1):
        shown = prefix + body[:keep].rstrip() + "…" + ending
        if measure(shown) <= room:
            return shown
    return prefix + "…" + ending if ending else prefix + "…"
