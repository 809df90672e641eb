"""What every endpoint tab shares: connection row, traffic log, send bar, counters.

A tab owns at most one running endpoint at a time. It validates the fields,
builds the endpoint (the subclass says how), starts it, and renders the events the
window's pump routes to it: exact counters and the on-disk spool per event, log
rows in batches on :meth:`EndpointTab.flush`. It never waits on the network.
"""

from __future__ import annotations

import contextlib
import time
import tkinter as tk
from collections.abc import Callable
from functools import partial
from pathlib import Path
from tkinter import filedialog, ttk
from typing import ClassVar, Protocol

from gui.eventrows import log_event, problem_text
from gui.i18n import later, tr
from gui.i18n_tk import Texts
from gui.logmodel import LogRecord
from gui.saved import SavedMessages
from gui.settings import Settings, TabSettings
from gui.tabs.toolkit import ToolkitMixin
from gui.theme import scale_factor
from gui.traffic import Counters, ReceiveSpool
from gui.views.panel import ViewPanel
from gui.widgets.address_row import AddressRow
from gui.widgets.counters import CountersBar
from gui.widgets.repeat import FileSender
from gui.widgets.send_bar import ENCODING_LABELS, SendBar, input_message
from gui.widgets.traffic_log import COALESCE_AFTER, TrafficLog
from netcore import EventQueue, InputError
from netcore.events import (
    DataReceived,
    DataSent,
    ErrorEvent,
    Event,
    SocketCall,
    State,
    StateChanged,
    format_address,
)
from netcore.interfaces import LocalAddress
from netcore.session.spool import SessionSpool
from netcore.validation import check_port
from netcore.version import VERSION
from netcore.worker import Endpoint

DRAW_INTERVAL = 0.05
"""Seconds between log redraws while rows pour in."""
STATS_INTERVAL = 0.25
"""Seconds between counter redraws while bytes pour in."""
FILE_WINDOW = 1 << 20
"""Bytes of a file allowed in flight (unsent in the engine or unrendered in the queue)."""


class TabHost(Protocol):
    """What a tab needs from the window."""

    events: EventQueue
    settings: Settings
    saved: SavedMessages

    def register(self, endpoint_name: str, tab: EndpointTab) -> None: ...
    def endpoint_name(self, kind: str) -> str: ...
    def addresses(self) -> list[LocalAddress]: ...
    def local_problem(self, message: str) -> None: ...
    def open_library(self) -> object: ...


class EndpointTab(ToolkitMixin, ttk.Frame):
    """Base class; subclasses set the class attributes and the hooks at the end."""

    kind: ClassVar[str] = ""
    host_key: ClassVar[str] = "conn.host"
    toggle_keys: ClassVar[tuple[str, str]] = ("conn.start", "conn.stop")
    again_key: ClassVar[str] = ""
    """The toggle's label after the endpoint ended by itself (the client's "Reconnect")."""
    file_chunk: ClassVar[int] = 64 * 1024
    listens: ClassVar[bool] = True
    """True for kinds that bind a port of their own (server, UDP): two tabs cannot share it."""
    number: int = 1
    """The "2" in "TCP Client 2" (set by the window)."""

    def __init__(self, parent: tk.Misc, host: TabHost) -> None:
        super().__init__(parent, padding=(10, 8))
        self.host = host
        self.prefs: TabSettings = host.settings.tabs[self.kind]
        self.endpoint: Endpoint | None = None
        self.endpoint_name = ""
        self.local_address: tuple[str, int] | None = None
        """Where the endpoint listens, is bound, or connected from (None when stopped)."""
        """Name of the endpoint started last (its events may outlive ``endpoint``)."""
        self.counters = Counters()
        self.spool = ReceiveSpool()
        self.session = SessionSpool(self.kind.replace("_", "-"), self.kind, VERSION)
        """Every event the tab sees, on disk, for File → Save session…"""
        self.texts = Texts()
        self.file_sender: FileSender | None = None
        self._stale = False
        self._stopping = self._was_up = False
        """True after the user asked to stop (so the end is not a surprise); True once it was up."""
        self._drawn_at = self._stats_at = 0.0
        self.display_var = tk.StringVar(self, self.prefs.display)
        self.time_var = tk.BooleanVar(self, self.prefs.timestamps)
        self._build()
        self.row.host.set(self.prefs.host)
        self.row.port.insert(0, str(self.prefs.port))
        self.log.set_display(hex_mode=self.prefs.display == "hex", timestamps=self.prefs.timestamps,
                             encoding=self.prefs.encoding)

    # ---- layout ----

    def _build(self) -> None:
        self.row = AddressRow(self, self.texts, self.host_key, self.toggle_keys, self.again_key)
        self.row.toggle.configure(command=self.toggle)
        self.row.pack(fill="x")
        self.build_fields(self.row.extra)
        self.counters_bar = CountersBar(self, self.counters, on_reset=None)
        self.counters_bar.pack(side="bottom", fill="x", pady=(6, 0))
        self.send_bar = SendBar(self, self.prefs, self.host.saved, self.send_bytes, self.counters_bar,
                                on_saved=self.send_saved)
        self.send_bar.pack(side="bottom", fill="x")
        paned = ttk.PanedWindow(self, orient="horizontal")
        paned.pack(fill="both", expand=True, pady=(8, 8))
        left = ttk.Frame(paned)
        self.views = ViewPanel(left, self.kind, self.texts, self.chosen_peer, self.chosen_connection,
                               lambda: self.endpoint)
        self.views.pack(fill="both", expand=True)
        self._build_log_toolbar(self.views.log_frame)
        self.log = TrafficLog(self.views.log_frame, self.host.settings.scrollback)
        self.log.pack(fill="both", expand=True)
        side = ttk.Frame(paned, padding=(10, 0, 0, 0))
        self.build_side(side)
        paned.add(left, weight=4)
        paned.add(side, weight=1)
        self._paned = paned
        paned.bind("<Configure>", self._place_sash, add="+")
        self.send_bar.file_button.configure(command=self.choose_file)
        self.send_bar.library_button.configure(command=self.host.open_library)
        self.send_bar.encoding.on_change(self._set_encoding)
        self.row.host.bind("<KeyRelease>", lambda _e: self.row.clear_flags(), add="+")
        self.row.port.bind("<KeyRelease>", lambda _e: self.row.clear_flags(), add="+")
        self.row.port.bind("<Return>", lambda _e: self.toggle())
        self.row.port.bind("<FocusOut>", lambda _e: self.running or self.row.check_port(), add="+")

    def _place_sash(self, event: tk.Event[tk.Misc]) -> None:
        """First layout: give the side panel about 335 px, the log the rest."""
        if event.width > 400:
            self._paned.unbind("<Configure>")
            side = round(345 * scale_factor(self))
            self._paned.sashpos(0, max(event.width - side, event.width * 3 // 5))  # type: ignore[no-untyped-call]  # untyped in typeshed

    def _build_log_toolbar(self, parent: ttk.Frame) -> None:
        bar = ttk.Frame(parent)
        bar.pack(fill="x", pady=(0, 4))
        self.texts.bind(ttk.Label(bar), "log.title").pack(side="left", padx=(0, 10))
        self.text_button = ttk.Radiobutton(bar, variable=self.display_var, value="text", command=self.apply_display)
        self.text_button.pack(side="left", padx=(0, 6))
        self.texts.call(self._label_text_button)  # "Text as GBK": the send bar's encoding decodes the log too
        button = ttk.Radiobutton(bar, variable=self.display_var, value="hex", command=self.apply_display)
        self.texts.bind(button, "view.hex").pack(side="left", padx=(0, 6))
        check = ttk.Checkbutton(bar, variable=self.time_var, command=self.apply_display)
        self.texts.bind(check, "view.timestamps").pack(side="left", padx=(6, 0))
        self.texts.bind(ttk.Button(bar, command=self.clear_log, takefocus=False), "view.clear").pack(side="right")
        self.build_frames(self.views.switch)

    def _set_encoding(self, encoding: str) -> None:
        """The send bar's encoding is also the log's: redraw the rows and say so on the log's Text button."""
        self.log.set_display(encoding=encoding)
        self._label_text_button()

    def _label_text_button(self) -> None:
        encoding = self.log.encoding if hasattr(self, "log") else self.prefs.encoding
        self.text_button.configure(text=tr("view.text_as", encoding=ENCODING_LABELS.get(encoding, encoding)))

    def apply_display(self) -> None:
        """Re-render the log after the text/hex or timestamp choice changed."""
        self.log.set_display(hex_mode=self.display_var.get() == "hex", timestamps=self.time_var.get())

    def set_colors(self, dark: bool) -> None:
        """Colours of the Text widgets (ttk widgets follow the theme by themselves)."""
        self.log.set_colors(dark)
        self.views.set_colors(dark)
        self.send_bar.set_colors(dark)

    def clear_log(self) -> None:
        """Clear the log rows (counters and received data are kept)."""
        self.log.clear()

    # ---- start and stop ----

    @property
    def running(self) -> bool:
        """True while an endpoint is starting, up, or stopping."""
        return self.endpoint is not None

    def toggle(self) -> None:
        """Start if stopped, stop if running (not while held after an end the user did not ask for)."""
        if self.row.holding:
            return
        if self.running:
            self.stop()
        else:
            self.start()

    def start(self) -> bool:
        """Check the fields, build the endpoint and start it; False if a field is wrong."""
        self.row.clear_flags(*self.extra_fields())
        try:
            endpoint = self.make_endpoint(self.host.endpoint_name(self.kind))
        except InputError as error:
            self.row.flag(self.field_widget(error.field), partial(input_message, error))
            return False
        self.row.set_info("")
        self.row.ended = self._stopping = self._was_up = False
        self.views.reset()
        self.host.register(endpoint.name, self)
        self.endpoint, self.endpoint_name = endpoint, endpoint.name
        self.remember()
        self.row.lock(True)
        endpoint.set_step_mode(self.views.stepping.get())
        endpoint.start()
        return True

    def stop(self) -> None:
        """Ask the endpoint to stop; its STOPPED event finishes the job."""
        if self.file_sender is not None:
            self.file_sender.cancel()
        self.send_bar.repeat.stop()
        if self.endpoint is not None:
            self._stopping = True
            self.endpoint.stop(timeout=0)

    def close(self) -> None:
        """The tab is going away: stop without waiting and delete the spool."""
        self.stop()
        self.remember()
        self.spool.close()
        self.session.close()

    def port_number(self) -> int | None:
        """The port in the field (None if it is not one)."""
        return self.row.port_number()

    def avoid_ports(self, others: list[EndpointTab]) -> None:
        """A new tab beside ``others`` of its kind: a listening kind takes a port none of them uses."""
        if not self.listens:
            return
        used = {port for port in (other.port_number() for other in others) if port}
        port = self.port_number()
        while port and port in used and port < 65535:  # at most len(used) steps
            port += 1
        if port is not None and port != self.port_number():
            self.row.port.delete(0, "end")
            self.row.port.insert(0, str(port))

    def field_widget(self, field: str) -> ttk.Entry:
        """The widget that holds ``field`` (from an InputError)."""
        return self.row.port if "port" in field else self.row.host

    def remember(self) -> None:
        """Copy this tab's choices into the settings for its kind."""
        prefs = self.prefs
        prefs.host = self.row.host.get().strip() or prefs.host
        with contextlib.suppress(InputError):  # keep the last good port when the field is not one
            prefs.port = check_port(self.row.typed_port or self.row.port.get())
        prefs.display, prefs.timestamps = self.display_var.get(), self.time_var.get()
        prefs.encoding, prefs.send_mode = self.send_bar.encoding.get(), self.send_bar.mode.get()
        prefs.line_ending = self.send_bar.line_ending.get()
        prefs.checksum, prefs.frame = self.send_bar.checksum.get(), self.frames.spec

    # ---- events (called by the pump on the Tk thread) ----

    def handle(self, event: Event) -> None:
        """Take one event: count and spool data at once; queue its log row (hot path)."""
        self.views.feed(event)
        self.session.add(event)
        settings = self.host.settings
        log_event(self.log, event, settings.show_calls, settings.show_data_calls)
        if isinstance(event, DataReceived):
            self.counters.received(len(event.data))
            self.spool.write(event.data)
            self.on_data(event)
            self._stale = True
        elif isinstance(event, DataSent):
            self.counters.sent(len(event.data))
            self.on_data(event)
            self._stale = True
        elif not isinstance(event, SocketCall):
            self.on_event(event)

    def handle_run(self, run: list[DataReceived]) -> None:
        """Take a run of datagrams at once: the same as :meth:`handle` for each, counted and spooled in one go."""
        self.views.feed_run(run)
        add = self.session.add
        log, settings = self.log, self.host.settings
        show_calls, show_data_calls = settings.show_calls, settings.show_data_calls
        for event in run:
            add(event)
            log_event(log, event, show_calls, show_data_calls)
        datagrams = [event.data for event in run]
        joined = b"".join(datagrams)
        self.counters.received_many(len(datagrams), len(joined))
        self.spool.write(joined)
        self.on_data_run(run)
        self._stale = True

    def _add(self, record: LogRecord | None) -> None:
        if record is not None:
            self.log.add(record)

    def on_event(self, event: Event) -> None:
        """State, peers, errors, notices; subclasses extend (and call super)."""
        current = event.endpoint == self.endpoint_name
        if isinstance(event, StateChanged) and current:
            self.on_state(event)
        elif isinstance(event, ErrorEvent) and event.fatal and current:
            self.row.set_info_from(partial(problem_text, event), "error")

    def on_state(self, event: StateChanged) -> None:
        """Show the new state; when the endpoint has ended, unlock the fields."""
        detail = ""
        if event.state in (State.LISTENING, State.BOUND, State.CONNECTED):
            detail = self.state_detail(event)
        self._was_up |= event.state in (State.LISTENING, State.CONNECTED, State.BOUND)
        self.row.set_state(event.state, detail)
        if event.local is not None:
            self.local_address = event.local
            if event.state in (State.LISTENING, State.BOUND):
                self.row.show_chosen_port(event.local[1])
        if event.state in (State.STOPPED, State.ERROR):
            self.endpoint, self.local_address = None, None
            self.row.lock(False)
            self.row.show_chosen_port(None)
            if self._was_up and not self._stopping:  # the peer closed, or an error: not the user's click
                self.row.hold()
            if self.file_sender is not None:
                self.file_sender.cancel()
            self.send_bar.repeat.stop()

    def flush(self) -> bool:
        """Draw what events changed; True if something is left to draw later.

        A few new rows are drawn at once; under a flood the log is redrawn at most
        every :data:`DRAW_INTERVAL` and the counters every :data:`STATS_INTERVAL`,
        so the window keeps time for input whatever the traffic.
        """
        self.session.flush()
        now = time.monotonic()
        pending = self.log.pending
        if pending and (pending < COALESCE_AFTER or now - self._drawn_at >= DRAW_INTERVAL):
            self.log.flush()
            self._drawn_at = now
        if self._stale and now - self._stats_at >= STATS_INTERVAL:
            self._stale = False
            self._stats_at = now
            self.draw_stats()
        return bool(self.log.pending) or self._stale

    def draw_stats(self) -> None:
        """Redraw counters (and, in subclasses, per-peer totals)."""
        self.counters_bar.refresh()

    # ---- sending files ----

    def choose_file(self) -> None:
        """Ask for a file and send it."""
        name = filedialog.askopenfilename(parent=self, title=tr("file.choose"))
        if name:
            self.send_file(Path(name))

    def send_file(self, path: Path) -> bool:
        """Stream ``path`` to the peer(s) with a progress bar; False if it cannot start."""
        if self.file_sender is not None and self.file_sender.active:
            return False
        try:
            self.file_sender = FileSender(self, path, self.file_chunk, self.send_bytes, self._backlog,
                                          FILE_WINDOW, self.send_bar_progress, self._file_done)
        except OSError as error:
            self.host.local_problem(tr("file.cannot_read", path=str(path), detail=error.strerror or str(error)))
            return False
        return True

    def _backlog(self) -> int:
        pending = self.endpoint.budget.pending if self.endpoint is not None else 0
        return pending + self.host.events.pending_bytes

    def send_bar_progress(self, done: int, total: int) -> None:
        """Show how much of the file went out."""
        self.send_bar.say(later("file.progress", done=f"{done:,}", total=f"{total:,}",
                                percent=f"{100 * done // max(total, 1)}"))

    def _file_done(self, error: Callable[[], str] | None) -> None:
        self.send_bar.say(later("file.done") if error is None else error, error=error is not None)

    # ---- hooks for subclasses ----

    def build_fields(self, frame: ttk.Frame) -> None:
        """Extra fields in the connection row."""

    def extra_fields(self) -> tuple[ttk.Entry, ...]:
        """Extra fields that can be flagged invalid."""
        return ()

    def build_side(self, frame: ttk.Frame) -> None:
        """The panel right of the log."""

    def make_endpoint(self, name: str) -> Endpoint:
        """A new endpoint from the fields; raises InputError naming a bad field."""
        raise NotImplementedError

    def send_bytes(self, data: bytes) -> bool:
        """Hand ``data`` to the endpoint; False (with a message) if it cannot be sent now."""
        raise NotImplementedError

    def state_detail(self, event: StateChanged) -> str:
        """Text after the state label, e.g. the address listened on."""
        return format_address(event.local)

    def on_data(self, event: DataReceived | DataSent) -> None:
        """Per-peer bookkeeping (the server's table)."""

    def on_data_run(self, run: list[DataReceived]) -> None:
        """:meth:`on_data` for each datagram of a run (a subclass may do it at once)."""
        for event in run:
            self.on_data(event)

    def chosen_peer(self) -> tuple[str, int] | None:
        """The peer the views should show on their own (the server's selected client), if any."""
        return None

    def chosen_connection(self) -> int | None:
        """The connection serial of :meth:`chosen_peer` (server), if any."""
        return None

    def retranslate(self) -> None:
        """Relabel after a language switch and redraw the log."""
        self.texts.apply()
        self.send_bar.retranslate()
        self.counters_bar.retranslate()
        self.log.rerender()
