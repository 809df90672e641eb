"""Uncaught errors in the window: logged to a file and shown in a dialog, never lost.

``gui.app.run_window`` calls ``crash.install()`` first and ``crash.watch(root)`` as
soon as ``tk.Tk()`` succeeded. Catalog keys ``crash.title``, ``crash.headline`` and
``crash.detail`` translate it (English below is the fallback).

A windowed build on Windows has no console, so ``sys.stdout`` and ``sys.stderr`` are
None and a traceback printed there vanishes. :func:`install` (before the root
exists) sends every uncaught error to ``socketlab.log`` in the per-user log
directory (``SOCKETLAB_LOG_DIR`` overrides it) and to stderr when there is one:
the main thread's (``sys.excepthook``), worker threads' (``threading.excepthook``)
and errors Python could only ignore (``sys.unraisablehook``). :func:`watch` (once
the root exists) does the same for errors in Tk callbacks
(``report_callback_exception``) and shows each error in a dialog naming the log
file. Worker threads never touch Tk: their errors wait in a queue that an ``after``
poll on the Tk thread empties. ``SOCKETLAB_CRASH_TEST=callback`` raises an error in
a Tk callback half a second after start, so CI can prove all this on the built
executable.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import queue
import sys
import threading
import tkinter as tk
import traceback
from pathlib import Path
from tkinter import messagebox
from types import TracebackType

import platformdirs

LOG_NAME = "socketlab.log"
MAX_LOG_BYTES = 1_000_000
"""Past this the log is renamed to ``socketlab.log.old`` and a new one started."""
POLL_MS = 250
TITLE = ("crash.title", "SocketLab error")
HEADLINE = ("crash.headline", "Something went wrong inside SocketLab.")
DETAIL = ("crash.detail", "{error}\n\nThe details were saved to:\n{path}\n\n"
                          "Please include that file when you report the problem.")

Report = tuple[str, str]
"""A dialog's headline and detail."""

_pending: queue.SimpleQueue[Report] = queue.SimpleQueue()
_state: dict[str, tk.Tk | None] = {"root": None}
_showing = threading.Event()


def log_path() -> Path:
    """Where tracebacks go: ``$SOCKETLAB_LOG_DIR/socketlab.log`` or the user's log directory."""
    override = os.environ.get("SOCKETLAB_LOG_DIR")
    folder = Path(override) if override else Path(platformdirs.user_log_dir("SocketLab", appauthor=False))
    return folder / LOG_NAME


def record(where: str, exc_type: type[BaseException], exc: BaseException | None,
           tb: TracebackType | None) -> Path | None:
    """Append the traceback to the log (and to stderr, if there is one); the log's path, or None."""
    return _write(f"{where}\n" + "".join(traceback.format_exception(exc_type, exc, tb)))


def note(text: str) -> Path | None:
    """Log a problem that is not an exception (e.g. settings that could not be saved)."""
    return _write(text + "\n")


def _write(text: str) -> Path | None:
    stamp = datetime.datetime.now().isoformat(timespec="seconds")
    text = f"---- {stamp} {text}"
    stream = sys.stderr
    if stream is not None:  # None in a windowed Windows build
        with contextlib.suppress(OSError, ValueError):
            stream.write(text)
            stream.flush()
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() and path.stat().st_size > MAX_LOG_BYTES:
            path.replace(path.with_name(LOG_NAME + ".old"))
        with path.open("a", encoding="utf-8", errors="replace") as log:
            log.write(text)
    except OSError:
        return None
    return path


def _text(entry: tuple[str, str], **params: str) -> str:
    """The translated text if the catalog has it, else the English here (a crash report must not crash)."""
    key, english = entry
    try:
        from gui.i18n import has, tr

        if has(key):
            return tr(key, **params)
    except ImportError:
        pass
    for name, value in params.items():
        english = english.replace("{" + name + "}", value)
    return english


def summary(exc_type: type[BaseException], exc: BaseException | None, path: Path | None) -> Report:
    """What the dialog says: a headline, then the error in one line and where the details are."""
    error = f"{exc_type.__name__}: {exc}" if exc is not None and str(exc) else exc_type.__name__
    return _text(HEADLINE), _text(DETAIL, error=error, path=str(path) if path else "(the log could not be written)")


def show(report: Report) -> None:
    """A modal error dialog, on the Tk thread only; one at a time (others are logged only)."""
    if _showing.is_set():
        return
    _showing.set()
    headline, detail = report
    try:
        root = _state["root"]
        if root is not None and root.winfo_exists():
            messagebox.showerror(_text(TITLE), headline, detail=detail, parent=root)
            return
        spare = tk.Tk()  # the window is gone (or never came): a bare root just for the dialog
        spare.withdraw()
        messagebox.showerror(_text(TITLE), headline, detail=detail, parent=spare)
        spare.destroy()
    except tk.TclError:
        _native_box(f"{headline}\n\n{detail}")
    finally:
        _showing.clear()


def _native_box(message: str) -> None:
    """Tk itself failed: Windows can still show a message box (elsewhere stderr and the log must do)."""
    if sys.platform == "win32":
        with contextlib.suppress(AttributeError, OSError):
            import ctypes

            windll = getattr(ctypes, "windll")  # noqa: B009  # typeshed has windll only on Windows
            windll.user32.MessageBoxW(None, message, _text(TITLE), 0x10)


def _main_thread_error(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    path = record("uncaught error", exc_type, exc, tb)
    show(summary(exc_type, exc, path))


def _thread_error(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    path = record(f"uncaught error in thread {name}", args.exc_type, args.exc_value, args.exc_traceback)
    _pending.put(summary(args.exc_type, args.exc_value, path))  # shown by the Tk thread, see watch()


def _unraisable(info: sys.UnraisableHookArgs) -> None:
    where = f"ignored error: {info.err_msg or 'Exception ignored in'} {info.object!r}"
    record(where, info.exc_type, info.exc_value, info.exc_traceback)


def _callback_error(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    path = record("uncaught error in a window callback", exc_type, exc, tb)
    show(summary(exc_type, exc, path))


def install() -> None:
    """Catch what the main thread, worker threads and finalizers let fall; call before the root exists."""
    sys.excepthook = _main_thread_error
    threading.excepthook = _thread_error
    sys.unraisablehook = _unraisable


def watch(root: tk.Tk) -> None:
    """Catch errors in ``root``'s callbacks and show worker threads' errors; call once the root exists."""
    _state["root"] = root
    root.report_callback_exception = _callback_error  # Tk's documented hook

    def poll() -> None:
        while True:
            try:
                report = _pending.get_nowait()
            except queue.Empty:
                break
            show(report)
        root.after(POLL_MS, poll)

    root.after(POLL_MS, poll)
    if os.environ.get("SOCKETLAB_CRASH_TEST") == "callback":
        root.after(500, _fail_for_test)


def _fail_for_test() -> None:
    raise RuntimeError("SOCKETLAB_CRASH_TEST: a deliberate error in a window callback")
