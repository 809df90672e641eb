""""Why does nothing arrive?" in the window: diagnose on a worker, the findings one per line, the verdict.

The probes are :func:`netcore.lan.diagnose.diagnose` (real, bounded, only to the
host the user named); each finding goes through the job's queue to the Tk thread
and is shown in the window's language by :mod:`gui.lan.diagnose_text`.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass

from gui.i18n import tr
from gui.lan.diagnose_text import finding_text, verdict_text
from gui.lan.job import Job
from gui.lan.window import HelperWindow, dialog_title, set_lines, text_box
from netcore.events import format_address
from netcore.lan.diagnose import Facts, diagnose, verdict

DEFAULT_TIMEOUT = 3.0
GOOD, BAD = "#188038", "#d93025"


@dataclass(frozen=True)
class Finding:
    """One item from the worker: a finding line, or (at the end) the verdict and the facts."""

    line: str = ""
    code: str = ""
    facts: Facts | None = None


def probe(host: str, port: int, udp: bool, timeout: float) -> Callable[[Callable[[object], None]], None]:
    """The worker's work: every finding, then the verdict (never touches Tk)."""

    def work(put: Callable[[object], None]) -> None:
        facts = diagnose(host, port, udp, timeout, report=lambda line: put(Finding(line=line)))
        code, _sentence = verdict(facts)
        put(Finding(code=code, facts=facts))

    return work


class DiagnoseWindow(HelperWindow):
    """Findings for ``host``:``port`` (TCP, or UDP), filled in as the probes answer."""

    def __init__(self, parent: tk.Misc, host: str, port: int, udp: bool = False,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.host, self.port, self.udp, self.timeout = host, port, udp, timeout
        where = format_address((host, port))
        super().__init__(parent, dialog_title("diag.title_udp" if udp else "diag.title", address=where))
        self.lines: list[str] = []
        self.code = ""
        self.facts: Facts | None = None
        self.text = text_box(self.body, height=12)
        self.text.tag_configure("open", foreground=GOOD, font="TkHeadingFont")
        self.text.tag_configure("bad", foreground=BAD, font="TkHeadingFont")
        self.text.tag_configure("muted", foreground="#80868b")
        self.again = self.button("diag.again", self.start)
        self.start()

    def start(self) -> None:
        """Run the probes (again)."""
        self.lines, self.code, self.facts = [], "", None
        self.again.state(["disabled"])
        self.draw()
        self.run(Job(self, probe(self.host, self.port, self.udp, self.timeout), self._take, self._finished))

    def _take(self, item: object) -> None:
        assert isinstance(item, Finding)
        if item.facts is not None:
            self.code, self.facts = item.code, item.facts
        else:
            self.lines.append(item.line)
        self.draw()

    def _finished(self) -> None:
        self.again.state(["!disabled"])
        if self.job is not None and self.job.error is not None and not self.code:
            self.lines.append(tr("diag.failed", detail=str(self.job.error)))
        self.draw()

    @property
    def shown(self) -> list[str]:
        """The lines as the window shows them (findings, then the verdict or "probing…")."""
        lines = [finding_text(line, self.port, self.udp) for line in self.lines]
        if self.facts is not None:
            lines.append(verdict_text(self.code, self.facts))
        elif self.job is None or self.job.running:
            lines.append(tr("diag.probing"))
        return lines

    def draw(self) -> None:
        shown = self.shown
        tags = [""] * len(self.lines)
        last = "muted" if self.facts is None else ("open" if self.code == "open" else "bad")
        set_lines(self.text, list(zip(shown, [*tags, last][:len(shown)], strict=True)))

    def retranslate(self) -> None:
        super().retranslate()
        self.draw()
