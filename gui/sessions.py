"""File → Save session…, Open session…, Export chart…, Export for Wireshark…

Each works on the current tab: its session spool (every event it saw) is written as a
session file, drawn as SVG, or rebuilt as pcapng; Open session… reads a file into a
read-only replay tab. Problems with a file are said in one line in the status bar and
the tab's log, never as a traceback.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from tkinter import filedialog
from typing import TYPE_CHECKING

from gui.i18n import language, later, tr
from netcore.session.pcap import write_pcapng
from netcore.session.record import Session, SessionFileError, read_session
from netcore.session.sequence import SequenceModel
from netcore.session.svg import render_svg

if TYPE_CHECKING:
    from gui.app import MainWindow
    from gui.tabs.base import EndpointTab
    from gui.tabs.replay import ReplayTab


def _current(window: MainWindow) -> EndpointTab | None:
    return window.current_tab()


def save_session(window: MainWindow, path: Path | None = None) -> Path | None:
    """Write the current tab's whole session (JSON Lines) to ``path`` (asked for if None)."""
    tab = _current(window)
    if tab is None:
        return None
    path = path or window.ask_save_path(tr("menu.save_session"), window.file_stem(tab),
                                        [(tr("file.session"), ".jsonl")])
    if path is None:
        return None
    try:
        count = tab.session.save_to(path)
    except OSError as error:
        window.local_problem(tr("file.cannot_write", path=str(path), detail=error.strerror or str(error)))
        return None
    window.status.say(later("file.saved_session", path=path.name, n=f"{count:,}"))
    return path


def _recorded(tab: EndpointTab) -> Session:
    """The tab's session so far, read back from its spool."""
    with tempfile.TemporaryDirectory(prefix="socketlab-export-") as folder:
        copy = Path(folder) / "session.jsonl"
        tab.session.save_to(copy)
        return read_session(copy)


def export_chart(window: MainWindow, path: Path | None = None) -> Path | None:
    """The current tab's sequence chart as an SVG picture (in the window's language)."""
    tab = _current(window)
    if tab is None:
        return None
    path = path or window.ask_save_path(tr("menu.export_chart"), window.file_stem(tab), [(tr("file.svg"), ".svg")])
    if path is None:
        return None
    model = SequenceModel(tab.kind)
    for event in _recorded(tab).events:
        model.feed(event)
    try:
        path.write_text(render_svg(model, language(), f"SocketLab · {tr(f'tab.{tab.kind}')}"), encoding="utf-8")
    except OSError as error:
        window.local_problem(tr("file.cannot_write", path=str(path), detail=error.strerror or str(error)))
        return None
    window.status.say(later("file.saved", path=path.name))
    return path


def export_pcap(window: MainWindow, path: Path | None = None) -> Path | None:
    """The current tab's session rebuilt as a capture for Wireshark."""
    tab = _current(window)
    if tab is None:
        return None
    path = path or window.ask_save_path(tr("menu.export_pcap"), window.file_stem(tab),
                                        [(tr("file.pcapng"), ".pcapng")])
    if path is None:
        return None
    try:
        frames = write_pcapng(_recorded(tab), path)
    except OSError as error:
        window.local_problem(tr("file.cannot_write", path=str(path), detail=error.strerror or str(error)))
        return None
    window.status.say(later("file.saved_pcap", path=path.name, n=f"{frames:,}"))
    return path


def open_session(window: MainWindow, path: Path | None = None) -> ReplayTab | None:
    """Open a session file in a read-only replay tab; a bad file is one clear line."""
    if path is None:
        name = filedialog.askopenfilename(parent=window.root, title=tr("menu.open_session"),
                                          filetypes=[(tr("file.session"), "*.jsonl"), (tr("file.any"), "*")])
        if not name:
            return None
        path = Path(name)
    try:
        session = read_session(path)
    except SessionFileError as error:
        window.status.say(later("file.bad_session", detail=str(error)))
        window.local_problem(tr("file.bad_session", detail=str(error)))
        return None
    return window.open_replay(session, path.name)
