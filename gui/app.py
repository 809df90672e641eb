"""The SocketLab window: root, notebook of endpoint tabs, menus, status bar, pump.

``run_window()`` is what ``python main.py`` calls. :class:`MainWindow` can also be
built on any ``tk.Tk`` (tests, the self-test, the benchmark). No Tk call is ever
made from a worker thread: endpoints only put events on ``self.events`` and the
:class:`~gui.pump.Pump` delivers them to the tab named by ``event.endpoint``.
"""

from __future__ import annotations

import gc
import itertools
import signal
import sys
import time
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import filedialog, ttk

from gui import crash, dialogs, i18n, sessions
from gui.code_view import CodeView, show_code
from gui.i18n import later, tr
from gui.i18n_tk import follow_language_in_tk_dialogs
from gui.icon import set_window_icon
from gui.lan.visibility import Visibility
from gui.library_window import LibraryWindow
from gui.logmodel import to_csv, to_text
from gui.menus import MenuBar
from gui.pump import Pump, data_runs
from gui.saved import SavedMessages
from gui.saved_glue import bind_saved_keys, open_library
from gui.settings import STARTUP_KINDS, SettingsStore
from gui.tabs.base import EndpointTab
from gui.tabs.relay import RelayTab
from gui.tabs.replay import ReplayTab
from gui.tabs.tcp_client import TcpClientTab
from gui.tabs.tcp_server import TcpServerTab
from gui.tabs.udp import UdpTab
from gui.teaching import Teaching
from gui.theme import apply_scaling, apply_theme, is_dark, prepare_process, scale_factor
from gui.widgets.status_bar import StatusBar
from netcore import EventQueue
from netcore.events import Event
from netcore.interfaces import LocalAddress
from netcore.lessons import DEFAULTS
from netcore.session.record import Session
from netcore.version import VERSION
from netcore.worker import Endpoint

TAB_CLASSES: dict[str, type[EndpointTab]] = {"tcp_server": TcpServerTab, "tcp_client": TcpClientTab, "udp": UdpTab,
                                              "relay": RelayTab}
CLOSE_WAIT = 1.5
"""Seconds the window waits for endpoints to stop when it closes."""
MIN_SIZE = (760, 520)
DEFAULT_SIZE = (1000, 620)
"""First-start size at 100 % scaling (it fits a 1024×700 screen with a title bar)."""


class MainWindow:
    """Everything in the window; ``root`` is the Tk root it lives in."""

    def __init__(self, root: tk.Tk, store: SettingsStore | None = None, open_tabs: bool = True) -> None:
        self.root = root
        self.store = store or SettingsStore()
        self.settings = self.store.load()
        self.saved = SavedMessages(quick=self.settings.quick)
        """The saved messages library every tab shares (the quick slots are views of it)."""
        self.library_window: LibraryWindow | None = None
        self.events = EventQueue()
        self.visibility = Visibility(self.events)
        """The discovery announcer the tabs made visible share."""
        self.routes: dict[str, EndpointTab] = {}
        self.closed = False
        self._serial = itertools.count(1)
        self.code_view: CodeView | None = None
        i18n.set_language(self.settings.language or i18n.system_language())
        follow_language_in_tk_dialogs(root, i18n.language())
        self.settings.theme = apply_theme(root, self.settings.theme)
        root.title("SocketLab")
        self._size_window()
        self.status = StatusBar(root)
        self.status.pack(side="bottom", fill="x")
        self.notebook = ttk.Notebook(root)
        self.notebook.pack(fill="both", expand=True, padx=6, pady=(6, 0))
        self.notebook.enable_traversal()
        self.menus = MenuBar(self)
        self.menus.build()
        self._bind_keys()
        self.notebook.bind("<<NotebookTabChanged>>", lambda _e: self.menus.follow_tab(), add="+")
        i18n.add_listener(self.retranslate)
        if open_tabs:
            for kind in STARTUP_KINDS:
                self.new_tab(kind)
            self.notebook.select(0)  # type: ignore[no-untyped-call]  # typeshed leaves Notebook.select untyped
        self.teaching = Teaching(self)
        self.pump = Pump(root, self.events, self._route_batch, self._flush)
        self._dirty: set[EndpointTab] = set()
        self.pump.start()
        root.protocol("WM_DELETE_WINDOW", self.close)
        bind_saved_keys(self)

    def _size_window(self) -> None:
        screen_w, screen_h = self.root.winfo_screenwidth(), self.root.winfo_screenheight()
        factor = scale_factor(self.root)
        factor = 1.0 if factor < 1.2 else factor  # X11 often reports ~100 dpi at 100 %
        width = self.settings.width or round(DEFAULT_SIZE[0] * factor)
        height = self.settings.height or round(DEFAULT_SIZE[1] * factor)
        width = min(max(width, MIN_SIZE[0]), screen_w - 20)
        height = min(max(height, MIN_SIZE[1]), screen_h - 80)
        self.root.minsize(min(MIN_SIZE[0], screen_w), min(MIN_SIZE[1], screen_h - 80))
        self.root.geometry(f"{width}x{height}")

    def _bind_keys(self) -> None:
        actions: dict[str, Callable[[], object]] = {
                   "<Control-Return>": self.send_current, "<Control-KP_Enter>": self.send_current,
                   "<Control-l>": self.clear_log, "<Control-t>": self.popup_new_tab,
                   "<Control-w>": self.close_current_tab, "<Control-s>": self.save_log,
                   "<Control-q>": self.close, "<F1>": self.show_shortcuts, "<Control-k>": self.show_code,
                   "<Control-o>": lambda: sessions.open_session(self)}
        for sequence, action in list(actions.items()):
            if len(sequence) == len("<Control-x>") and sequence.startswith("<Control-"):
                actions[sequence[:-2] + sequence[-2].upper() + ">"] = action  # Caps Lock on
        for sequence, action in actions.items():
            def handler(_event: object, act: Callable[[], object] = action) -> str:
                act()
                return "break"

            self.root.bind_all(sequence, handler)
            for widget_class in ("Text", "TEntry", "TCombobox", "TSpinbox"):  # beat their own Ctrl+T etc.
                self.root.bind_class(widget_class, sequence, handler)

    # ---- tabs ----

    def new_tab(self, kind: str) -> EndpointTab:
        """Open a tab of ``kind`` (tcp_server, tcp_client, udp, relay) and select it.

        It gets the lowest number no open tab of its kind has ("TCP Server 2" again
        after the second one closed) and a port the others of its kind do not use.
        """
        others = [t for t in self.tabs() if t.kind == kind]
        tab = TAB_CLASSES[kind](self.notebook, self)
        tab.set_colors(is_dark(self.root))
        taken = {t.number for t in others}
        tab.number = next(n for n in range(1, len(taken) + 2) if n not in taken)
        tab.avoid_ports(others)
        self.notebook.add(tab, text=self._title(tab))
        self.notebook.select(tab)  # type: ignore[no-untyped-call]  # as above
        return tab

    def _title(self, tab: EndpointTab) -> str:
        title = tr(f"tab.{tab.kind}")
        return title if tab.number == 1 else f"{title} {tab.number}"

    def pages(self) -> list[tk.Misc]:
        """Every page of the notebook (endpoint tabs and replay tabs), in order."""
        names: list[str] = self.notebook.tabs()  # type: ignore[no-untyped-call]  # untyped in typeshed
        return [self.root.nametowidget(name) for name in names]

    def tabs(self) -> list[EndpointTab]:
        """The open endpoint tabs, in notebook order (replay tabs are not endpoints)."""
        return [page for page in self.pages() if isinstance(page, EndpointTab)]

    def selected_page(self) -> tk.Misc | None:
        selected: str = self.notebook.select()  # type: ignore[no-untyped-call]  # untyped in typeshed
        return self.root.nametowidget(selected) if selected else None

    def current_tab(self) -> EndpointTab | None:
        """The selected endpoint tab, if one is selected."""
        page = self.selected_page()
        return page if isinstance(page, EndpointTab) else None

    def open_replay(self, session: Session, name: str) -> ReplayTab:
        """A read-only tab showing ``session``."""
        tab = ReplayTab(self.notebook, self, session, name)
        tab.set_colors(is_dark(self.root))
        self.notebook.add(tab, text=tr("tab.replay", name=name))
        self.notebook.select(tab)  # type: ignore[no-untyped-call]  # untyped in typeshed
        return tab

    def close_tab(self, tab: EndpointTab) -> None:
        """Stop the tab's endpoint and remove the tab."""
        tab.close()
        for name in [n for n, t in self.routes.items() if t is tab]:
            del self.routes[name]
        self._dirty.discard(tab)
        self.notebook.forget(tab)
        tab.destroy()
        self.menus.follow_tab()
        gc.collect()  # collect the tab's widget cycles here, on the Tk thread, not in a worker's GC

    def close_current_tab(self) -> None:
        """Ctrl+W."""
        page = self.selected_page()
        if isinstance(page, ReplayTab):
            page.close()
            self.notebook.forget(page)
            page.destroy()
            self.menus.follow_tab()
        elif isinstance(page, EndpointTab):
            self.close_tab(page)

    def popup_new_tab(self) -> None:
        """Ctrl+T: a small menu of tab kinds under the notebook's tabs."""
        x = self.notebook.winfo_rootx() + 20
        y = self.notebook.winfo_rooty() + 30
        self.menus.new_tab.tk_popup(x, y, 0)

    # ---- what tabs need (TabHost) ----

    def register(self, endpoint_name: str, tab: EndpointTab) -> None:
        """Route events named ``endpoint_name`` to ``tab``."""
        self.routes[endpoint_name] = tab

    def endpoint_name(self, kind: str) -> str:
        """A name no other endpoint of this window has."""
        return f"{kind}-{next(self._serial)}"

    def addresses(self) -> list[LocalAddress]:
        """This machine's addresses, as the status bar last read them."""
        return self.status.addresses

    def local_problem(self, message: str) -> None:
        """A modal dialog, for local problems only."""
        dialogs.local_problem(self.root, message)

    # ---- the pump ----

    def _route(self, event: Event) -> None:
        if self.visibility.feed(event):
            return
        tab = self.routes.get(event.endpoint)
        if tab is not None:
            tab.handle(event)
            self._dirty.add(tab)
        self.teaching.feed(tab, event)

    def _route_batch(self, batch: list[Event]) -> None:
        """Route a batch from the pump: each run of datagrams an endpoint received as one piece."""
        for run in data_runs(batch):
            if type(run) is not list:
                self._route(run)  # type: ignore[arg-type]
                continue
            tab = self.routes.get(run[0].endpoint)
            if tab is not None:
                tab.handle_run(run)
                self._dirty.add(tab)
            self.teaching.feed_run(tab, run)

    def _flush(self) -> bool:
        self._dirty = {tab for tab in self._dirty if tab.flush()}
        return bool(self._dirty)

    # ---- menu commands ----

    def send_current(self) -> None:
        """Ctrl+Enter: send what the current tab's input holds."""
        tab = self.current_tab()
        if tab is not None:
            tab.send_bar.send()

    def clear_log(self) -> None:
        """Ctrl+L."""
        tab = self.current_tab()
        if tab is not None:
            tab.clear_log()

    def save_log(self) -> Path | None:
        """File > Save log: the current tab's rows as text or CSV (by extension)."""
        tab = self.current_tab()
        if tab is None:
            return None
        path = self.ask_save_path(tr("menu.save_log"), self.file_stem(tab),
                                   [(tr("file.text"), ".txt"), (tr("file.csv"), ".csv")])
        return self.write_log(tab, path) if path else None

    def file_stem(self, tab: EndpointTab) -> str:
        """A file name to suggest, e.g. ``socketlab-tcp-server-20250101-1200``."""
        return f"socketlab-{tab.kind.replace('_', '-')}-{time.strftime('%Y%m%d-%H%M%S')}"

    def ask_save_path(self, title: str, initial: str, types: list[tuple[str, str]]) -> Path | None:
        """A save dialog; a name typed without an extension gets the chosen type's one.

        Tk's own dialog (Linux) would add ``defaultextension`` even when the user picked
        CSV, so the type chosen is read back from ``typevariable`` instead.
        """
        chosen = tk.StringVar(self.root, types[0][0])
        name = filedialog.asksaveasfilename(parent=self.root, title=title, initialfile=initial,
                                            filetypes=[(label, f"*{ext}") for label, ext in types],
                                            typevariable=chosen)
        if not name:
            return None
        path = Path(name)
        extension = dict(types).get(chosen.get(), types[0][1])
        return path if path.suffix else path.with_name(path.name + extension)

    def write_log(self, tab: EndpointTab, path: Path) -> Path | None:
        """Write ``tab``'s log to ``path`` (CSV if it ends in .csv); a dialog on failure."""
        log = tab.log
        text = to_csv(log.records, log.encoding) if path.suffix.lower() == ".csv" else \
            to_text(log.records, log.hex_mode, log.encoding)
        try:
            path.write_text(text, encoding="utf-8-sig" if path.suffix.lower() == ".csv" else "utf-8")
        except OSError as error:
            self.local_problem(tr("file.cannot_write", path=str(path), detail=error.strerror or str(error)))
            return None
        self.status.say(later("file.saved", path=path.name))
        return path

    def save_received(self) -> Path | None:
        """File > Save received data: every byte the current tab received, raw."""
        tab = self.current_tab()
        if tab is None:
            return None
        path = self.ask_save_path(tr("menu.save_received"), self.file_stem(tab),
                                   [(tr("file.binary"), ".bin")])
        return self.write_received(tab, path) if path else None

    def write_received(self, tab: EndpointTab, path: Path) -> Path | None:
        """Copy ``tab``'s spool to ``path``; a dialog on failure."""
        try:
            size = tab.spool.save_to(path)
        except OSError as error:
            self.local_problem(tr("file.cannot_write", path=str(path), detail=error.strerror or str(error)))
            return None
        self.status.say(later("file.saved_bytes", path=path.name, n=f"{size:,}"))
        return path

    def set_language(self, code: str) -> None:
        """View > Language."""
        self.settings.language = code
        i18n.set_language(code)
        self.save_settings()

    def set_theme(self, name: str) -> None:
        """View > Theme."""
        self.settings.theme = apply_theme(self.root, name)
        for tab in self.tabs():
            tab.set_colors(is_dark(self.root))

    def set_scrollback(self, rows: int) -> None:
        """View > Scrollback."""
        self.settings.scrollback = rows
        for tab in self.tabs():
            tab.log.set_scrollback(rows)

    def open_library(self) -> LibraryWindow:
        """File > Saved messages… (and the send bar's Saved… button)."""
        return open_library(self)

    def show_shortcuts(self) -> None:
        """Help > Keyboard shortcuts."""
        dialogs.shortcuts_window(self.root)

    def show_code(self) -> CodeView | None:
        """Help > Python code for this tab (Ctrl+K): a window with the current tab's code."""
        tab = self.current_tab()
        if tab is not None and tab.kind not in DEFAULTS:  # the relay: no lesson script of its own
            self.local_problem(tr("code.no_script", tab=tr(f"tab.{tab.kind}")))
        elif tab is not None:
            self.code_view = show_code(self.root, tab, self.code_view)
        return self.code_view

    def show_about(self) -> None:
        """Help > About."""
        dialogs.about_window(self.root, VERSION)

    def retranslate(self) -> None:
        """Relabel everything after a language switch."""
        follow_language_in_tk_dialogs(self.root, i18n.language())
        self.menus.build()
        if self.library_window is not None and self.library_window.winfo_exists():
            self.library_window.retranslate()
        self.status.retranslate()
        self.teaching.retranslate()
        for tab in self.tabs():
            tab.retranslate()
            self.notebook.tab(tab, text=self._title(tab))  # type: ignore[no-untyped-call]  # untyped in typeshed

    # ---- closing ----

    def save_settings(self) -> bool:
        """Write the settings; False (and a note on stderr) if that failed."""
        for tab in self.tabs():
            tab.remember()
        if self.root.state() == "normal":
            self.settings.width, self.settings.height = self.root.winfo_width(), self.root.winfo_height()
        try:
            self.store.save(self.settings)
        except OSError as error:
            crash.note(f"could not save settings: {error}")
            return False
        return True

    def close(self) -> None:
        """Stop every endpoint (waiting at most :data:`CLOSE_WAIT` s) and destroy the window."""
        if self.closed:
            return
        self.closed = True
        self.teaching.close()
        self.save_settings()
        running: list[Endpoint] = [tab.endpoint for tab in self.tabs() if tab.endpoint is not None]
        for tab in self.tabs():
            tab.close()
        deadline = time.monotonic() + CLOSE_WAIT
        for endpoint in running:
            endpoint.stop(timeout=max(0.0, deadline - time.monotonic()))
        self.visibility.close()
        self.pump.stop()
        i18n.remove_listener(self.retranslate)
        self.root.destroy()


def run_window() -> int:
    """Open the window and run until it is closed; the process exit status."""
    crash.install()
    prepare_process()
    try:
        root = tk.Tk(className="SocketLab")
    except tk.TclError as error:
        command = "socketlab-cli" if getattr(sys, "frozen", False) else "python main.py"
        message = f"SocketLab: cannot open a window ({error}). Try '{command} --help' for the command line."
        if sys.stderr is not None:
            print(message, file=sys.stderr)
        crash.show(("SocketLab cannot open a window.", message))  # no stderr in a windowed Windows build
        return 2
    crash.watch(root)
    set_window_icon(root)
    apply_scaling(root)
    close_on_sigterm(MainWindow(root))
    root.mainloop()
    return 0


def close_on_sigterm(window: MainWindow) -> None:
    """SIGTERM closes the window as Ctrl+Q does: every endpoint stopped, exit status 0.

    Python runs the handler on the main thread, which is the Tk thread, between two
    Tk events; it only schedules :meth:`MainWindow.close` for the next idle moment.
    """
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, lambda _signum, _frame: window.root.after_idle(window.close))
