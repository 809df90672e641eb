"""What the LAN helpers add to a tab: Diagnose, Find on network, and the "Visible on the network" switch.

:class:`LanTab` sits between :class:`~gui.tabs.base.EndpointTab` and the three
endpoint tabs. Each helper opens a small window of its own (one per tab, reused);
the switch makes the running endpoint answer discovery requests through the
window's shared :class:`~gui.lan.visibility.Visibility`.
"""

from __future__ import annotations

import contextlib
import socket
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from gui.eventrows import log_event
from gui.i18n import tr
from gui.i18n_tk import Texts, label_menubutton
from gui.lan.diagnose_window import DiagnoseWindow
from gui.lan.find_window import FindWindow
from gui.lan.reach import is_loopback
from gui.lan.window import HelperWindow, dialog_title
from gui.tabs.base import EndpointTab
from netcore.events import Event, State, StateChanged, format_address
from netcore.lan.discovery import MAX_NAME, Found, clean_name

ANNOUNCED_KINDS = {"tcp_server": "tcp-server", "udp": "udp"}
UP = (State.LISTENING, State.BOUND)


def default_name() -> str:
    """This machine's name, a sensible first guess for "visible as"."""
    with contextlib.suppress(OSError):
        return clean_name(socket.gethostname())[:24]
    return ""


class VisibleChoice:
    """The switch (off by default) and the name to be visible as."""

    def __init__(self, master: tk.Misc) -> None:
        self.on = tk.BooleanVar(master, False)
        self.name = tk.StringVar(master, default_name())

    @property
    def chosen_name(self) -> str:
        return clean_name(self.name.get())[:MAX_NAME]


class VisibleSwitch(ttk.Frame):
    """``☐ Visible on the network as [name]``; ``changed()`` after a click or a new name."""

    def __init__(self, parent: tk.Misc, texts: Texts, choice: VisibleChoice, changed: Callable[[], None]) -> None:
        super().__init__(parent)
        self.check = ttk.Checkbutton(self, variable=choice.on, command=changed)
        texts.bind(self.check, "lan.visible_as").pack(side="left")
        self.name = ttk.Entry(self, width=6, textvariable=choice.name)
        self.name.pack(side="left", fill="x", expand=True, padx=(4, 0))
        self._shown_name = choice.name.get()
        for sequence in ("<Return>", "<FocusOut>"):
            self.name.bind(sequence, lambda _e: self._renamed(choice, changed), add="+")

    def _renamed(self, choice: VisibleChoice, changed: Callable[[], None]) -> None:
        if choice.name.get() != self._shown_name:
            self._shown_name = choice.name.get()
            if choice.on.get():
                changed()


class MenuButton(ttk.Menubutton):
    """A compact menu button (ttk draws its arrow) whose menu ``fill(menu)`` builds each time it opens."""

    def __init__(self, parent: tk.Misc, texts: Texts, key: str, fill: Callable[[tk.Menu], None]) -> None:
        super().__init__(parent)
        self.fill = fill
        self.menu = tk.Menu(self, tearoff=False, postcommand=self.build)
        self.configure(menu=self.menu)
        self.key = key
        texts.call(self._label)
        texts.call(self.build)

    def _label(self) -> None:
        label_menubutton(self, tr(self.key))

    def build(self) -> None:
        self.menu.delete(0, "end")
        self.fill(self.menu)


class NameWindow(HelperWindow):
    """``Name on the network: [....] [OK]`` (for a tab with no room for the field)."""

    def __init__(self, parent: tk.Misc, choice: VisibleChoice, changed: Callable[[], None]) -> None:
        super().__init__(parent, dialog_title("lan.name_title"), size=(380, 150))
        self.choice, self.changed = choice, changed
        self.texts.bind(ttk.Label(self.body), "lan.name_label").pack(anchor="w")
        self.entry = ttk.Entry(self.body, width=30)
        self.entry.insert(0, choice.name.get())
        self.entry.pack(fill="x", pady=(4, 0))
        self.entry.bind("<Return>", lambda _e: self.apply())
        self.button("lan.name_ok", self.apply)
        self.entry.focus_set()

    def apply(self) -> None:
        self.choice.name.set(clean_name(self.entry.get()))
        if self.choice.on.get():
            self.changed()
        self.close()


class LanTab(EndpointTab):
    """An endpoint tab with the LAN helpers (each subclass places the buttons it offers)."""

    visible: VisibleChoice | None = None
    helpers: dict[str, HelperWindow]

    def helper(self, key: str, make: Callable[[], HelperWindow]) -> HelperWindow:
        """Open ``make()`` as this tab's ``key`` helper window, closing the one open before."""
        if not hasattr(self, "helpers"):
            self.helpers = {}
        old = self.helpers.pop(key, None)
        if old is not None:
            old.close()
        window = make()
        self.helpers[key] = window
        return window

    def open_diagnose(self, host: str, port: int, udp: bool = False, timeout: float = 3.0) -> DiagnoseWindow:
        """Diagnose ``host``:``port`` in a window of its own."""
        window = self.helper("diagnose", lambda: DiagnoseWindow(self, host, port, udp, timeout))
        assert isinstance(window, DiagnoseWindow)
        return window

    def open_find(self) -> FindWindow:
        """Search the network for visible SocketLab endpoints; a click fills this tab's target."""
        window = self.helper("find", lambda: FindWindow(self, self.fill_target))
        assert isinstance(window, FindWindow)
        return window

    def fill_target(self, found: Found) -> None:
        """A found endpoint was clicked: make it the target (subclasses)."""

    # ---- visible on the network ----

    def visible_choice(self) -> VisibleChoice:
        if self.visible is None:
            self.visible = VisibleChoice(self)
        return self.visible

    def build_visible(self, parent: tk.Misc) -> VisibleSwitch:
        """The switch with its name field, for a tab with room for it."""
        return VisibleSwitch(parent, self.texts, self.visible_choice(), self.update_visibility)

    def visible_entries(self, menu: tk.Menu) -> None:
        """``☐ Visible on the network`` and ``Name on the network: …`` in a menu."""
        choice = self.visible_choice()
        menu.add_checkbutton(label=tr("lan.visible"), variable=choice.on, command=self.update_visibility)
        menu.add_command(label=tr("lan.visible_name", name=choice.chosen_name or "-"), command=self.ask_name)

    def ask_name(self) -> NameWindow:
        """A small window to change the name this tab is visible as."""
        window = self.helper("name", lambda: NameWindow(self, self.visible_choice(), self.update_visibility))
        assert isinstance(window, NameWindow)
        return window

    def update_visibility(self) -> None:
        """Announce this endpoint while the switch is on and it is up; withdraw it otherwise."""
        visibility = self.host.visibility
        switch = self.visible
        up = self.row.current in UP and self.local_address is not None
        if switch is not None and switch.on.get() and up and self.endpoint_name:
            assert self.local_address is not None
            visibility.show(self.endpoint_name, ANNOUNCED_KINDS[self.kind], self.local_address[1],
                            switch.chosen_name, self)
            if self.kind == "udp" and is_loopback(self.local_address[0]):  # the server's line says it already
                self.row.set_info("lan.visible_loopback", "info", address=format_address(self.local_address))
        elif self.endpoint_name:
            visibility.hide(self.endpoint_name)

    def visibility_event(self, event: Event) -> None:
        """A notice or error of the announcer: shown in this tab's log."""
        log_event(self.log, event, self.host.settings.show_calls, self.host.settings.show_data_calls)
        self.log.flush()

    def visibility_lost(self) -> None:
        """The announcer could not run (its port is taken): the switch goes off, and the line says why."""
        if self.visible is not None:
            self.visible.on.set(False)
        self.row.set_info("lan.visible_lost", "error")

    def on_state(self, event: StateChanged) -> None:
        super().on_state(event)
        if event.state in (*UP, State.STOPPED, State.ERROR):
            self.update_visibility()

    def close(self) -> None:
        for window in list(getattr(self, "helpers", {}).values()):
            window.close()
        if self.endpoint_name:
            self.host.visibility.hide(self.endpoint_name)
        super().close()
