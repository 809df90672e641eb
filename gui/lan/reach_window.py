""""Can others reach me?" in the window: the server's addresses per interface, a warning, a self-check.

Opened from the TCP server tab. Lists what :func:`gui.lan.reach.reach_plan` gives for
the bound host and port, says plainly when the server listens on 127.0.0.1 only,
and "Check" connects to the server through each address on a worker.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from gui.i18n import tr
from gui.lan.diagnose_text import detail_text
from gui.lan.job import Job
from gui.lan.reach import ReachPlan, reach_plan, self_check
from gui.lan.window import HelperWindow, dialog_title
from netcore.events import format_address
from netcore.interfaces import LocalAddress
from netcore.lan.probes import PortResult

COLUMNS = ("interface", "address", "result")
WARN, OK = "#d93025", "#188038"


class ReachWindow(HelperWindow):
    """For a server bound to ``host``; ``port`` None while it does not listen."""

    def __init__(self, parent: tk.Misc, host: str, port: int | None, addresses: list[LocalAddress],
                 visible: Callable[[tk.Misc], ttk.Frame] | None = None) -> None:
        super().__init__(parent, dialog_title("reach.title"), size=(660, 340))
        self.host, self.port = host, port
        self.plan: ReachPlan = reach_plan(host, addresses)
        self.results: dict[int, PortResult] = {}
        self.intro = ttk.Label(self.body, anchor="w", justify="left", wraplength=620)
        self.intro.pack(side="top", fill="x", pady=(0, 6))
        if visible is not None:  # "Visible on the network as [name]", the tab's own switch
            visible(self.body).pack(side="bottom", fill="x", pady=(8, 0))
        self.tree = ttk.Treeview(self.body, columns=COLUMNS, show="headings", height=6, selectmode="browse")
        for column, width in zip(COLUMNS, (80, 210, 320), strict=True):
            self.texts.heading(self.tree, column, f"reach.{column}")
            self.tree.column(column, width=width, stretch=column == "result")
        self.tree.pack(fill="both", expand=True)
        self.check = self.button("reach.check", self.start_check)
        if port is None or not self.plan.rows:
            self.check.state(["disabled"])
        self._draw()
        if port is not None and self.plan.rows:
            self.start_check()

    @property
    def warning(self) -> bool:
        """True when the window warns that only this machine can connect."""
        return self.plan.loopback_only

    def start_check(self) -> None:
        """Connect to the server through each listed address (on a worker)."""
        assert self.port is not None
        self.results = {}
        self.check.state(["disabled"])
        self.run(Job(self, self_check(self.plan.rows, self.port), self._take, self._finished))
        self._draw()

    def _take(self, item: object) -> None:
        assert isinstance(item, tuple)
        index, result = item
        self.results[int(index)] = result
        self._draw()

    def _finished(self) -> None:
        self.check.state(["!disabled"])
        self._draw()

    def _intro(self) -> tuple[str, str]:
        where = format_address((self.host, self.port or 0))
        if self.plan.loopback_only:
            return tr("reach.loopback_only", address=where), WARN
        if self.port is None:
            return tr("reach.not_listening"), ""
        if not self.plan.rows:
            return tr("reach.no_addresses", address=where), WARN
        return tr("reach.use_these", port=self.port), OK

    def check_text(self, index: int) -> str:
        """A row's self-check result in words ("" before it ran)."""
        result = self.results.get(index)
        if result is None:
            return tr("reach.checking") if self.job is not None and self.job.running else ""
        text = tr(f"reach.result_{result.outcome}")
        detail = detail_text(result.detail)
        shown_detail = detail and result.outcome in ("error", "unreachable")  # the others say it in words
        return f"{text} ({detail})" if shown_detail else text

    def _draw(self) -> None:
        text, color = self._intro()
        self.intro.configure(text=text, foreground=color)
        self.tree.delete(*self.tree.get_children())
        for index, address in enumerate(self.plan.rows):
            shown = format_address((address.ip, self.port)) if self.port is not None else address.ip
            self.tree.insert("", "end", iid=str(index), values=(address.interface, shown, self.check_text(index)))

    def retranslate(self) -> None:
        super().retranslate()
        self._draw()
