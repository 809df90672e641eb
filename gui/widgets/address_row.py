"""The connection row at the top of each tab: host, port, Start/Stop, state.

Also the line under it, which says what is going on in words: a field's input
error (the field itself turns red), a start failure's hint, or which addresses
other machines can use to reach a listening server. That line always has room
for two lines of text, so the log below does not jump when it appears.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from functools import partial
from tkinter import ttk

from gui.i18n import tr
from gui.i18n_tk import Texts
from gui.widgets.reserve import reserve_row
from gui.widgets.send_bar import input_message
from netcore.events import State
from netcore.validation import InputError, check_port

STATE_COLORS = {
    State.STOPPED: "#80868b", State.STARTING: "#e37400", State.CONNECTING: "#e37400",
    State.STOPPING: "#e37400", State.LISTENING: "#188038", State.CONNECTED: "#188038",
    State.BOUND: "#188038", State.ERROR: "#d93025",
}
INFO_COLORS = {"info": "", "error": "#d93025", "ok": "#188038"}
RUNNING = (State.STARTING, State.LISTENING, State.CONNECTING, State.CONNECTED, State.BOUND)
HOLD_MS = 1000
"""How long the toggle stays disabled after the endpoint ended by itself (a late click must not restart it)."""


class AddressRow(ttk.Frame):
    """Host combobox, port entry, room for extra fields, the toggle and the state label."""

    def __init__(self, parent: tk.Misc, texts: Texts, host_key: str, toggle_keys: tuple[str, str],
                 again_key: str = "") -> None:
        super().__init__(parent)
        self.texts = texts
        self.toggle_keys = toggle_keys
        self.again_key = again_key
        """The toggle's label after the endpoint ended by itself (e.g. "Reconnect"); "" for the usual one."""
        self.ended = False
        """True after the endpoint ended without the user asking (the peer closed, an error)."""
        self._hold: str | None = None
        self.typed_port = ""
        """``0`` while the port field shows the port the OS chose for a typed 0; else ""."""
        self.current = State.STOPPED
        self._state_detail = ""
        self._info: tuple[Callable[[], str], str] = (str, "info")
        row = ttk.Frame(self)
        row.grid(row=0, column=0, columnspan=2, sticky="ew")
        self.columnconfigure(0, weight=1)
        texts.bind(ttk.Label(row), host_key).pack(side="left")
        self.host = ttk.Combobox(row, width=20)
        self.host.pack(side="left", padx=(4, 10))
        texts.bind(ttk.Label(row), "conn.port").pack(side="left")
        self.port = ttk.Entry(row, width=7)
        self.port.pack(side="left", padx=(4, 10))
        self.extra = ttk.Frame(row)
        """Tab-specific fields go here (e.g. the client's timeout)."""
        self.extra.pack(side="left")
        self.toggle = ttk.Button(row, style="Accent.TButton", width=12)
        self.toggle.pack(side="left", padx=(6, 10))
        self.state_label = ttk.Label(row, anchor="w")
        self.state_label.pack(side="left", fill="x", expand=True)
        self.info_label = ttk.Label(self, anchor="w", justify="left")
        """The line under the row: always there, two lines high, empty when there is nothing to say."""
        self.info_label.grid(row=1, column=0, sticky="new", pady=(4, 0))
        reserve_row(self.info_label, 1, 2, pad=4)
        self.info_label.bind("<Configure>", lambda e: self.info_label.configure(wraplength=max(200, e.width - 8)))
        texts.call(self._redraw)

    def beside_info(self, widget: ttk.Widget) -> None:
        """Put ``widget`` (a button such as "Diagnose…") right of the info line, which wraps beside it."""
        widget.grid(row=1, column=1, sticky="ne", padx=(6, 0), pady=(4, 0))

    def set_state(self, state: State, detail: str = "") -> None:
        """Show ``state`` (coloured) with an optional detail such as an address."""
        self.current, self._state_detail = state, detail
        self._redraw()

    def set_info(self, key: str, kind: str = "info", **params: object) -> None:
        """The line under the row: ``tr(key, **params)``; kind is info, error or ok."""
        self.set_info_from((lambda: tr(key, **params)) if key else str, kind)

    def set_info_from(self, text: Callable[[], str], kind: str = "info") -> None:
        """The line under the row from ``text()``, asked again after a language switch."""
        self._info = (text, kind)
        self._redraw()

    def _redraw(self) -> None:
        running = self.current in RUNNING
        idle_key = self.again_key if self.ended and self.again_key else self.toggle_keys[0]
        self.toggle.configure(text=tr(self.toggle_keys[1] if running else idle_key))
        label = tr(f"state.{self.current.value}")
        if self._state_detail:
            label = f"{label}: {self._state_detail}"
        self.state_label.configure(text=f"● {label}", foreground=STATE_COLORS[self.current])
        text, kind = self._info
        shown = text()
        self.info_label.configure(text=shown, foreground=INFO_COLORS[kind])

    def flag(self, widget: ttk.Entry, message: Callable[[], str], focus: bool = True) -> None:
        """Mark ``widget`` invalid (red) and say why (``message()``) on the info line; focus it."""
        widget.state(["invalid"])
        if focus:
            widget.focus_set()
        self.set_info_from(message, "error")

    def port_number(self) -> int | None:
        """The port in the field (None if it is not one)."""
        try:
            return check_port(self.port.get())
        except InputError:
            return None

    def check_port(self) -> bool:
        """Flag the port field (without taking the focus) if it holds something that is not a port."""
        text = self.port.get()
        try:
            if text.strip():
                check_port(text)
        except InputError as error:
            self.flag(self.port, partial(input_message, error), focus=False)
            return False
        return True

    def show_chosen_port(self, port: int | None) -> None:
        """Port 0 asked the OS to choose: show the ``port`` it chose while running, 0 again after (None)."""
        if (port is not None and self.port.get().strip() != "0") or (port is None and not self.typed_port):
            return
        self.typed_port = "0" if port is not None else ""
        locked = self.port.instate(["disabled"])
        self.port.state(["!disabled"])
        self.port.delete(0, "end")
        self.port.insert(0, "0" if port is None else str(port))
        if locked:
            self.port.state(["disabled"])

    def hold(self) -> None:
        """The endpoint ended by itself: disable the toggle for :data:`HOLD_MS`, so the click
        meant for Disconnect does not connect again; its new label says what it does now."""
        self.ended = True
        self._redraw()
        self.toggle.state(["disabled"])
        if self._hold is not None:
            self.after_cancel(self._hold)
        self._hold = self.after(HOLD_MS, self._release)

    def _release(self) -> None:
        self._hold = None
        self.toggle.state(["!disabled"])

    @property
    def holding(self) -> bool:
        """True while the toggle is held after an end the user did not ask for."""
        return self._hold is not None

    def clear_flags(self, *widgets: ttk.Entry) -> None:
        """Un-mark fields (after a successful check)."""
        for widget in (self.host, self.port, *widgets):
            widget.state(["!invalid"])

    def lock(self, locked: bool) -> None:
        """Disable host and port while the endpoint runs."""
        flag = ["disabled"] if locked else ["!disabled"]
        self.host.state(flag)
        self.port.state(flag)
