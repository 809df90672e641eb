"""The LAN helpers' worker: items reach the Tk thread in order through the queue, an exception ends
the job visibly, a cancelled job delivers nothing more, and the thread holds nothing of Tk."""

from __future__ import annotations

import gc
import threading
import tkinter as tk
import types
from collections.abc import Callable

from gui.lan.job import PER_TICK, Job
from tests.gui.conftest import pump_for, pump_until


def test_items_arrive_in_order_on_the_tk_thread_then_done(root: tk.Tk) -> None:
    seen: list[tuple[int, bool]] = []
    done: list[bool] = []
    count = PER_TICK * 3 + 7  # more than one tick's worth

    def work(put: Callable[[int], None]) -> None:
        assert threading.current_thread() is not threading.main_thread()
        for number in range(count):
            put(number)

    job = Job(root, work, lambda n: seen.append((n, threading.current_thread() is threading.main_thread())),
              lambda: done.append(True)).start()
    pump_until(root, lambda: job.finished, what="the job")
    assert [n for n, _ in seen] == list(range(count)) and all(on_tk for _, on_tk in seen)
    assert done == [True] and job.error is None


def test_an_exception_ends_the_job_and_is_kept(root: tk.Tk) -> None:
    done: list[bool] = []

    def work(put: Callable[[int], None]) -> None:
        put(1)
        raise ValueError("probe bug")

    job = Job(root, work, lambda _n: None, lambda: done.append(True)).start()
    pump_until(root, lambda: job.finished, what="the job")
    assert isinstance(job.error, ValueError) and done == [True]


def test_a_cancelled_job_delivers_nothing_more(root: tk.Tk) -> None:
    go, ended = threading.Event(), threading.Event()
    seen: list[int] = []

    def work(put: Callable[[int], None]) -> None:
        put(1)
        go.wait(5)
        put(2)
        ended.set()

    job = Job(root, work, seen.append).start()
    pump_until(root, lambda: seen == [1], what="the first item")
    job.cancel()
    go.set()
    assert ended.wait(5)
    pump_for(root, 0.2)
    assert seen == [1] and job.finished


def _reachable(start: object, depth: int) -> list[object]:
    """Objects ``start`` refers to, ``depth`` levels down (modules and classes not followed)."""
    found, layer = [], [start]
    for _ in range(depth):
        layer = [item for item in gc.get_referents(*layer) if not isinstance(item, (types.ModuleType, type))]
        found.extend(layer)
    return found


def test_the_worker_holds_nothing_of_tk(root: tk.Tk) -> None:
    release = threading.Event()
    window = tk.Toplevel(root)
    job = Job(window, lambda _put: release.wait(5), lambda _n: None).start()
    thread = job._thread
    assert not any(isinstance(item, (tk.Misc, Job)) for item in _reachable(thread, depth=4))
    job.cancel()
    window.destroy()
    release.set()
    thread.join(5)
