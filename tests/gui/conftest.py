"""GUI test fixtures: a real X display (Xvfb if DISPLAY is unset) and a real window.

Every test gets its own ``tk.Tk`` root with a :class:`gui.app.MainWindow` whose
settings live in ``tmp_path`` (``SOCKETLAB_CONFIG_DIR``), English, and helpers
that pump ``root.update()`` in bounded loops until a condition holds.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import subprocess
import time
import tkinter as tk
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gui import i18n

UPDATE_STEP = 0.005


def _free_display() -> int:
    for number in range(90, 200):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError("no free X display number")


def _display_answers() -> bool:
    """Can Tk open the display in ``$DISPLAY``? (A stale one, e.g. from a closed ssh -X, cannot.)"""
    try:
        probe = tk.Tk()
    except tk.TclError:
        return False
    probe.destroy()
    return True


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    """``$DISPLAY``, starting Xvfb for the session if there is none (or it does not answer)."""
    if os.environ.get("DISPLAY") and _display_answers():
        yield os.environ["DISPLAY"]
        return
    if shutil.which("Xvfb") is None:
        pytest.skip("GUI tests need a display: install Xvfb (apt-get install xvfb) or set DISPLAY")
    number = _free_display()
    proc = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.skip(f"Xvfb :{number} did not start")
        time.sleep(0.05)
    os.environ["DISPLAY"] = f":{number}"
    try:
        yield os.environ["DISPLAY"]
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        os.environ.pop("DISPLAY", None)


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A known system language (English) and config directory for every test."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    i18n.set_language("en")
    yield
    i18n.set_language("en")
    gc.collect()  # a test's own Tk objects (a window it built) die here, on the Tk thread, not in a worker's GC


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``SOCKETLAB_CONFIG_DIR`` pointing into this test's tmp_path."""
    directory = tmp_path / "config"
    monkeypatch.setenv("SOCKETLAB_CONFIG_DIR", str(directory))
    return directory


@pytest.fixture
def root(display: str) -> Iterator[tk.Tk]:
    """A fresh Tk root at 100 % scaling, destroyed afterwards (if the test did not).

    Tk keeps ``tk scaling`` per display for the whole process, so a test at 150 %
    would otherwise leave its fonts to the tests after it.
    """
    tk_root = tk.Tk(className="SocketLabTest")
    tk_root.tk.call("tk", "scaling", 96 / 72)
    yield tk_root
    with contextlib.suppress(tk.TclError):  # already destroyed by the window's close()
        tk_root.destroy()
    del tk_root
    gc.collect()  # free Tk objects here, on the Tk thread, never in an engine thread's GC


@pytest.fixture
def window(root: tk.Tk, config_dir: Path) -> Iterator[object]:
    """A MainWindow with its three default tabs; closed (endpoints stopped) afterwards."""
    from gui.app import MainWindow

    main = MainWindow(root)
    root.update()
    yield main
    if not main.closed:
        main.close()


def pump_until(root: tk.Misc, condition: Callable[[], bool], timeout: float = 5.0, what: str = "") -> None:
    """Run the Tk event loop until ``condition()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        root.update()
        time.sleep(UPDATE_STEP)


def pump_for(root: tk.Misc, seconds: float) -> None:
    """Run the Tk event loop for ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        root.update()
        time.sleep(UPDATE_STEP)
