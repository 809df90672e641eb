"""Uncaught errors are logged to a file (a windowed Windows build has no stderr)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from gui import crash


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOCKETLAB_LOG_DIR", str(tmp_path))
    return tmp_path


def test_a_traceback_goes_to_the_log_even_without_stderr(log_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stderr", None)
    try:
        raise ValueError("boom in a callback")
    except ValueError as error:
        path = crash.record("test", type(error), error, error.__traceback__)
    assert path == log_dir / "socketlab.log"
    text = path.read_text(encoding="utf-8")
    assert "ValueError: boom in a callback" in text and "test_crash.py" in text
    crash.note("could not save settings: disk full")
    assert "could not save settings: disk full" in path.read_text(encoding="utf-8")


def test_the_dialog_text_names_the_error_and_the_log(log_dir: Path) -> None:
    headline, detail = crash.summary(OSError, OSError("disk full"), log_dir / "socketlab.log")
    assert headline and "OSError: disk full" in detail and str(log_dir) in detail


def test_a_worker_thread_error_waits_for_the_tk_thread(log_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr(threading, "excepthook", crash._thread_error)
    worker = threading.Thread(target=lambda: 1 / 0, name="socketlab-test-worker")
    worker.start()
    worker.join(5)
    _headline, detail = crash._pending.get(timeout=5)  # shown later by watch()'s poll, never from the worker
    assert "ZeroDivisionError" in detail
    assert "socketlab-test-worker" in (log_dir / "socketlab.log").read_text(encoding="utf-8")
