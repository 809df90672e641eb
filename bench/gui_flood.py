"""How responsive the window stays while a peer floods it (a benchmark, not a test).

Opens the real window (Xvfb is started if DISPLAY is unset), binds a UDP tab and a
TCP server tab on 127.0.0.1, and has a separate sender *process* flood them at a
fixed message rate. Meanwhile a 20 ms ``after`` probe on the Tk thread records how
late it runs, and the process's resident memory is sampled five times a second.

    .venv/bin/python bench/gui_flood.py                      # 20k and 50k msg/s, 10 s each, then 60 s memory
    .venv/bin/python bench/gui_flood.py --seconds 5 --memory-seconds 0
    .venv/bin/python bench/gui_flood.py --views log,sequence,calls,rate --rates 50000 --memory-seconds 0

``--views`` repeats each phase with that view of the tab on screen (the teaching views
are fed every event whichever is shown; the one on screen also redraws).

Figures are for one run on one machine; the ratios between phases are what matter.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tkinter as tk
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil

if TYPE_CHECKING:
    from gui.tabs.base import EndpointTab

PROBE_MS = 20
MESSAGE = b"flood message 0123456789abcdef\n"  # 31 bytes


# ---- the sender process -----------------------------------------------------------


def send(kind: str, port: int, rate: int, seconds: float) -> None:
    """Send ``rate`` messages a second for ``seconds`` (paced every millisecond)."""
    if kind == "udp":
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.connect(("127.0.0.1", port))
    else:
        sock = socket.create_connection(("127.0.0.1", port))
    start = time.perf_counter()
    sent = 0
    while (elapsed := time.perf_counter() - start) < seconds:
        due = int(elapsed * rate)
        while sent < due:
            with contextlib.suppress(BlockingIOError, ConnectionRefusedError):  # UDP: counted as not received
                sock.send(MESSAGE)
            sent += 1
        time.sleep(0.0005)
    print(sent, flush=True)
    sock.close()


# ---- the window side --------------------------------------------------------------


@dataclass
class Phase:
    """What one flood phase measured."""

    name: str
    sent: int = 0
    received: int = 0
    events: int = 0
    seconds: float = 0.0
    lateness: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    overflow: int = 0

    def row(self) -> str:
        late = sorted(self.lateness) or [0.0]
        p50, p99 = late[len(late) // 2], late[min(len(late) - 1, int(len(late) * 0.99))]
        mb = [r / 1e6 for r in self.rss] or [0.0]
        return (f"| {self.name} | {self.sent / self.seconds:,.0f} | {self.received / self.seconds:,.0f} | "
                f"{self.events / self.seconds:,.0f} | {p50:.1f} | {p99:.1f} | {late[-1]:.1f} | "
                f"{mb[0]:.0f} → {mb[-1]:.0f} (max {max(mb):.0f}) |")


class Bench:
    """The window plus a probe; runs phases one after another on the Tk thread."""

    def __init__(self) -> None:
        from gui.app import MainWindow
        from gui.settings import SettingsStore

        self.root = tk.Tk()
        self.config = tempfile.TemporaryDirectory(prefix="socketlab-bench-")
        self.window = MainWindow(self.root, SettingsStore(Path(self.config.name)))
        self.proc = psutil.Process()
        self.lateness: list[float] = []
        self._due = 0.0
        self.root.after(PROBE_MS, self._probe)
        self._due = time.perf_counter() + PROBE_MS / 1000

    def _probe(self) -> None:
        now = time.perf_counter()
        self.lateness.append(max(0.0, (now - self._due) * 1000))
        self._due = now + PROBE_MS / 1000
        self.root.after(PROBE_MS, self._probe)

    def pump(self, seconds: float, phase: Phase | None = None) -> None:
        end = time.perf_counter() + seconds
        next_sample = time.perf_counter()
        while time.perf_counter() < end:
            self.root.update()
            time.sleep(0.0005)
            if phase is not None and time.perf_counter() >= next_sample:
                phase.rss.append(self.proc.memory_info().rss)
                next_sample += 1.0

    def start_tab(self, kind: str, view: str = "log") -> tuple[EndpointTab, int]:
        tab = self.window.new_tab(kind)
        tab.views.show(view)
        tab.row.host.set("127.0.0.1")
        tab.row.port.delete(0, "end")
        tab.row.port.insert(0, "0")
        tab.start()
        while tab.local_address is None:
            self.root.update()
        return tab, tab.local_address[1]

    def flood(self, name: str, kind: str, rate: int, seconds: float, view: str = "log") -> Phase:
        tab, port = self.start_tab("udp" if kind == "udp" else "tcp_server", view)
        phase = Phase(name)
        before_events = self.window.pump.handled
        self.lateness = []
        sender = subprocess.Popen([sys.executable, __file__, "--send", kind, str(port), str(rate), str(seconds)],
                                  stdout=subprocess.PIPE, text=True)
        while sender.poll() is None:
            self.pump(0.2, phase)
        self.pump(1.0, phase)  # let the backlog drain
        phase.seconds = seconds
        phase.sent = int((sender.stdout.read() if sender.stdout else "0").strip() or 0)
        phase.received = tab.counters.bytes_in // len(MESSAGE)
        phase.overflow = sum(int(r.params["datagrams"].replace(",", ""))
                             for r in tab.log.records if r.key == "ev.overflow")
        phase.events = self.window.pump.handled - before_events
        phase.lateness = self.lateness
        self.window.close_tab(tab)
        return phase

    def close(self) -> None:
        self.window.close()
        self.config.cleanup()


def ensure_display() -> subprocess.Popen[bytes] | None:
    if os.environ.get("DISPLAY"):
        return None
    if not shutil.which("Xvfb"):
        sys.exit("needs a display or Xvfb")
    number = next(n for n in range(120, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    proc = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1280x800x24"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        time.sleep(0.05)
    os.environ["DISPLAY"] = f":{number}"
    return proc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--send", nargs=4, metavar=("KIND", "PORT", "RATE", "SECONDS"), help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each rate phase")
    parser.add_argument("--memory-seconds", type=float, default=60.0, help="length of the memory run at 50k/s")
    parser.add_argument("--rates", default="20000,50000")
    parser.add_argument("--views", default="log", help="comma-separated: log, sequence, calls, rate")
    args = parser.parse_args()
    if args.send:
        send(args.send[0], int(args.send[1]), int(args.send[2]), float(args.send[3]))
        return
    from gui.theme import prepare_process

    prepare_process()  # as run_window() does
    xvfb = ensure_display()
    try:
        run(args)
    finally:
        if xvfb is not None:
            xvfb.terminate()


def run(args: argparse.Namespace) -> None:
    bench = Bench()
    bench.pump(1.0)
    idle = Phase("idle", seconds=3.0)
    bench.lateness = []
    bench.pump(3.0, idle)
    idle.lateness = bench.lateness
    phases = [idle]
    views = args.views.split(",")
    for rate in (int(r) for r in args.rates.split(",")):
        for kind in ("udp", "tcp"):
            for view in views:
                label = f"{kind.upper()} {rate:,}/s" + (f", {view} shown" if len(views) > 1 or view != "log" else "")
                phases.append(bench.flood(label, kind, rate, args.seconds, view))
    if args.memory_seconds > 0:
        phases.append(bench.flood(f"UDP 50,000/s for {args.memory_seconds:.0f} s, {views[-1]} shown", "udp", 50_000,
                                  args.memory_seconds, views[-1]))
    bench.close()
    print("| phase | sent msg/s | received msg/s | events/s drained | late p50 ms | late p99 ms | late max ms |"
          " RSS MB first → last |")
    print("|---|---|---|---|---|---|---|---|")
    for phase in phases:
        print(phase.row())
    print(f"\nUDP datagrams counted but not shown (window behind): {[p.overflow for p in phases]}")
    print(f"pump longest tick: {bench.window.pump.longest * 1000:.1f} ms")
    memory = phases[-1]
    print(f"RSS during '{memory.name}', every 2 s (MB):",
          " ".join(f"{rss / 1e6:.0f}" for rss in memory.rss[::10]))


if __name__ == "__main__":
    main()
