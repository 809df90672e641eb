"""Help → Python code for this tab: the plain script that does what the tab does.

A non-modal window showing :func:`netcore.lessons.python_code` for the selected
tab's kind, host, port, auto-reply and encoding, in a read-only monospaced Text,
with Copy and Save… buttons, written one of three ways (threads as the tutorials
teach, the default; selectors as SocketLab works; asyncio). Asked again, the same
window shows the tab selected then, in the style chosen. While the tab's endpoint
runs, the line of the call it just made is highlighted, in every style (asyncio:
the line that asks for the call, with a note saying so). Everything here runs on
the Tk thread; it opens no socket.
"""

from __future__ import annotations

import sys
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import filedialog, ttk
from tkinter import font as tkfont

from gui import dialogs, i18n
from gui.i18n import later, tr
from gui.i18n_tk import Texts
from gui.tabs.base import EndpointTab
from gui.tabs.tcp_client import TcpClientTab
from gui.tabs.tcp_server import TcpServerTab
from gui.tabs.udp import UdpTab
from gui.theme import is_dark
from gui.widgets.scrolled import add_scrollbars
from netcore.lesson_styles import STYLES
from netcore.lessons import DEFAULTS, LESSON_REPLIES, python_code
from netcore.payload import ENCODINGS
from netcore.session.codemap import line_for
from netcore.validation import InputError

Note = tuple[str, dict[str, str]]
"""A catalog key and its parameters, kept so a language switch can redraw it."""
DEFAULT_TIMEOUT = 5.0


def tab_code(tab: EndpointTab, style: str = "threads") -> tuple[str, list[Note]]:
    """The script for ``tab``'s fields as they are now, written in ``style``, and notes on what it changed.

    A field that is not valid (e.g. an empty port) is replaced by its default and
    noted; a custom auto-reply becomes "none" (it has no lesson script).
    """
    notes: list[Note] = []
    reply = tab.reply.kind.get() if isinstance(tab, (TcpServerTab, UdpTab)) else "none"
    if reply not in LESSON_REPLIES:
        notes.append(("code.note_custom", {}))
        reply = "none"
    encoding = tab.send_bar.encoding.get()
    encoding = encoding if encoding in ENCODINGS else "utf-8"
    host, port = DEFAULTS[tab.kind]
    fallback: dict[str, object] = {"host": host, "port": port, "timeout": DEFAULT_TIMEOUT, "target": ""}
    values: dict[str, object] = {"host": tab.row.host.get(), "port": tab.row.port.get(),
                                 "timeout": tab.timeout.get() if isinstance(tab, TcpClientTab) else DEFAULT_TIMEOUT,
                                 "target": _udp_target(tab)}
    broadcast = isinstance(tab, UdpTab) and tab.broadcast.get()
    while True:
        try:
            code = python_code(tab.kind, str(values["host"]), values["port"], reply, encoding, values["timeout"],
                               target=str(values["target"]), broadcast=broadcast, cli=cli_command(), style=style)
        except InputError as error:
            if error.field not in values or values[error.field] == fallback[error.field]:
                raise
            values[error.field] = fallback[error.field]
            notes.append(_fallback_note(error.field, str(fallback[error.field])))
        else:
            return code, notes + ([("code.note_asyncio", {})] if style == "asyncio" else [])


def _fallback_note(field: str, value: str) -> Note:
    if field == "target":
        return "code.note_no_target", {}
    return "code.note_default", {"field": f"field.{field}", "value": value}


def _udp_target(tab: EndpointTab) -> str:
    """Where the UDP tab sends by hand: its "Send to" (none while it replies to the last sender)."""
    if isinstance(tab, UdpTab) and not tab.reply_last.get():
        return tab.target.get()
    return ""


def cli_command() -> str:
    """How the user starts SocketLab's command line: the executable's, or main.py."""
    return "socketlab-cli" if getattr(sys, "frozen", False) else "python main.py"


def _note_text(note: Note) -> str:
    key, params = note
    return tr(key, **{name: tr(value) if name == "field" else value for name, value in params.items()})


class CodeView:
    """The code window; :meth:`show` fills it for a tab, :attr:`alive` says if it is still open."""

    def __init__(self, root: tk.Tk) -> None:
        self.root = root
        self.top = tk.Toplevel(root)
        self.top.transient(root)
        self.texts = Texts()
        self.code = ""
        self.stem = "socketlab"
        self.tab_title: Callable[[], str] = str
        """The tab's title, in the current language."""
        self._status: Callable[[], str] = str
        self.notes: list[Note] = []
        self.style = tk.StringVar(self.top, value="threads")
        """How the script is written: one of :data:`netcore.lesson_styles.STYLES`."""
        self.shown: EndpointTab | None = None
        self.live_line: int | None = None
        self.alive = True
        self._build()
        self.top.protocol("WM_DELETE_WINDOW", self.close)
        self.top.bind("<Destroy>", self._destroyed, add="+")
        i18n.add_listener(self.retranslate)

    def _build(self) -> None:
        frame = ttk.Frame(self.top, padding=12)
        frame.pack(fill="both", expand=True)
        intro = ttk.Label(frame, justify="left", wraplength=640)
        self.texts.bind(intro, "code.intro").pack(anchor="w", fill="x")
        self.note = ttk.Label(frame, justify="left", wraplength=640, foreground="#b06000")
        self.note.pack(anchor="w", fill="x", pady=(4, 0))
        for label in (intro, self.note):  # wrap at the window's width, whatever it is
            label.bind("<Configure>", lambda e: e.widget.configure(wraplength=max(200, e.width)), add="+")
        self._build_styles(frame)
        self._build_buttons(frame)
        body = ttk.Frame(frame)
        body.pack(fill="both", expand=True, pady=(8, 8))
        dark = is_dark(self.root)
        line = tkfont.nametofont("TkFixedFont").metrics("linespace")
        rows = max(10, min(32, (self.root.winfo_screenheight() - 300) // max(line, 1)))  # fits small screens
        self.text = tk.Text(body, wrap="none", font="TkFixedFont", width=100, height=rows, undo=False, borderwidth=0,
                            highlightthickness=1, padx=8, pady=6, background="#1c1c1c" if dark else "#ffffff",
                            foreground="#e8eaed" if dark else "#202124",
                            highlightbackground="#3a3a3a" if dark else "#d0d0d0")
        self.text.tag_configure("live", background="#5a4a1a" if dark else "#fff3c4")
        add_scrollbars(body, self.text)
        self._bind_keys()

    def _build_styles(self, frame: ttk.Frame) -> None:
        """Written with: (•) threads ( ) selectors ( ) asyncio."""
        bar = ttk.Frame(frame)
        bar.pack(anchor="w", fill="x", pady=(8, 0))
        self.texts.bind(ttk.Label(bar), "code.style").pack(side="left", padx=(0, 6))
        self.style_buttons: dict[str, ttk.Radiobutton] = {}
        for style in STYLES:
            button = ttk.Radiobutton(bar, variable=self.style, value=style, command=self.restyle)
            self.texts.bind(button, f"code.style_{style}").pack(side="left", padx=(0, 10))
            self.style_buttons[style] = button

    def _build_buttons(self, frame: ttk.Frame) -> None:
        bar = ttk.Frame(frame)
        bar.pack(side="bottom", fill="x")
        self.status = ttk.Label(bar)
        self.status.pack(side="left")
        close = ttk.Button(bar, command=self.close)
        self.texts.bind(close, "dialog.close").pack(side="right")
        self.save_button = ttk.Button(bar, command=self.save)
        self.texts.bind(self.save_button, "code.save").pack(side="right", padx=(0, 6))
        self.copy_button = ttk.Button(bar, command=self.copy, style="Accent.TButton")
        self.texts.bind(self.copy_button, "code.copy").pack(side="right", padx=(0, 6))

    def _bind_keys(self) -> None:
        """Keys of this window, ahead of the main window's (Ctrl+S saves the code, not the log)."""
        actions: dict[str, Callable[[], object]] = {"<Control-s>": self.save, "<Control-w>": self.close,
                                                    "<Escape>": self.close, "<Control-a>": self.select_all}
        for sequence, action in list(actions.items()):
            if sequence.startswith("<Control-"):
                actions[sequence[:-2] + sequence[-2].upper() + ">"] = action

        for sequence, action in actions.items():
            def handler(_event: object, act: Callable[[], object] = action) -> str:
                act()
                return "break"

            self.top.bind(sequence, handler)
            self.text.bind(sequence, handler)  # the Text class carries the main window's keys

    def show(self, tab: EndpointTab) -> None:
        """Show the code for ``tab`` as its fields are now, and bring the window up."""
        self._fill(tab)
        self.top.deiconify()
        self.top.lift()
        self.copy_button.focus_set()

    def restyle(self) -> None:
        """Another style chosen: the same tab's code, written that way."""
        if self.shown is not None and self.alive:
            self._fill(self.shown)

    def _fill(self, tab: EndpointTab) -> None:
        style = self.style.get()
        self.code, self.notes = tab_code(tab, style)
        self.shown = tab
        self.live_line = None
        kind, number = tab.kind, tab.number
        self.tab_title = lambda: tr(f"tab.{kind}") + ("" if number == 1 else f" {number}")
        self.stem = self.code_stem(tab, style)
        self.text.configure(state="normal")
        self.text.delete("1.0", "end")
        self.text.insert("1.0", self.code)
        self.text.configure(state="disabled")
        self._say(str)
        self.retranslate()

    def follow(self, call: str) -> None:
        """The tab shown just made ``call``: highlight the script's line that does the same."""
        line = line_for(self.code, call)
        if line is None or line == self.live_line or not self.alive:
            return
        self.live_line = line
        self.text.tag_remove("live", "1.0", "end")
        self.text.tag_add("live", f"{line}.0", f"{line}.end+1c")
        self.text.see(f"{line}.0")

    @staticmethod
    def code_stem(tab: EndpointTab, style: str = "threads") -> str:
        """A file name without extension: ``tcp_server_hello``, ``udp_echo``, ``tcp_client_asyncio``.

        Never a module's name (a script saved as ``selectors.py`` would import itself).
        """
        reply = tab.reply.kind.get() if isinstance(tab, (TcpServerTab, UdpTab)) else "none"
        stem = tab.kind if reply not in LESSON_REPLIES or reply == "none" else f"{tab.kind}_{reply}"
        return stem if style == "threads" else f"{stem}_{style}"

    def retranslate(self) -> None:
        """Relabel after a language switch (the code itself stays as it is)."""
        self.texts.apply()
        self.top.title(tr("code.title", tab=self.tab_title()))
        self.status.configure(text=self._status())
        self.note.configure(text="\n".join(_note_text(note) for note in self.notes))
        if self.notes:
            self.note.pack(anchor="w", fill="x", pady=(4, 0))
        else:
            self.note.pack_forget()

    def select_all(self) -> None:
        """Ctrl+A: select the whole script."""
        self.text.tag_add("sel", "1.0", "end-1c")

    def copy(self) -> None:
        """Put the whole script on the clipboard."""
        self.top.clipboard_clear()
        self.top.clipboard_append(self.code)
        self._say(later("code.copied", n=self.code.count("\n")))

    def save(self) -> Path | None:
        """Ask where, then write the script there."""
        name = filedialog.asksaveasfilename(parent=self.top, title=tr("code.save_title"),
                                            initialfile=f"{self.stem}.py", defaultextension=".py",
                                            filetypes=[(tr("code.python_files"), "*.py")])
        return self.write(Path(name)) if name else None

    def write(self, path: Path) -> Path | None:
        """Write the script to ``path`` (UTF-8); a dialog if that fails."""
        try:
            path.write_text(self.code, encoding="utf-8")
        except OSError as error:
            detail = error.strerror or str(error)
            dialogs.local_problem(self.top, tr("file.cannot_write", path=str(path), detail=detail))
            return None
        self._say(later("file.saved", path=path.name))
        return path

    def _say(self, text: Callable[[], str]) -> None:
        """The line left of the buttons (asked again after a language switch)."""
        self._status = text
        self.status.configure(text=text())

    def close(self) -> None:
        """Close the window (the main window stays as it is)."""
        if self.alive:
            self.top.destroy()

    def _destroyed(self, event: tk.Event[tk.Misc]) -> None:
        """Closed here or with the main window: stop following the language."""
        if event.widget is self.top and self.alive:
            self.alive = False
            i18n.remove_listener(self.retranslate)


def show_code(root: tk.Tk, tab: EndpointTab, view: CodeView | None) -> CodeView:
    """Show ``tab``'s code in ``view`` if it is still open, else in a new window."""
    if view is None or not view.alive:
        view = CodeView(root)
    view.show(tab)
    return view
