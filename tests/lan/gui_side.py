"""Run in namespace ``a`` by tests/gui/test_lan_bench.py: the real window on the bench, driven as a user would.

The UDP tab chooses the bench interface (by its name, from the Network menu's list),
sends a multicast datagram and a limited broadcast; the client tab diagnoses an open
and a closed port of the other side. Prints one ``KEY value`` line per fact seen.
Usage: ``gui_side.py INTERFACE GROUP MPORT BPORT HOST OPEN CLOSED``.
"""

from __future__ import annotations

import sys
import time
import tkinter as tk
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from gui.app import MainWindow  # after the path is set
from netcore.events import State


def pump(root: tk.Tk, until: Any, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while not until():
        if time.monotonic() > deadline:
            return False
        root.update()
        time.sleep(0.01)
    return True


def udp_side(root: tk.Tk, window: MainWindow, interface: str, group: str, mport: int, bport: int) -> None:
    udp: Any = window.tabs()[2]
    chosen = next(a for a in window.addresses() if a.interface == interface and a.version == 4)
    udp.network.build()
    menu = udp.network.menu
    labels = [str(menu.entrycget(i, "label")) for i in range(menu.index("end") + 1) if menu.type(i) != "separator"]
    print("OFFERED", any(label.startswith(f"{interface} — {chosen.ip}") for label in labels), flush=True)
    udp.network.interface.set(chosen.ip)
    udp.broadcast.set(True)
    udp.row.host.set("0.0.0.0")
    udp.row.port.delete(0, "end")
    udp.row.port.insert(0, "0")
    assert udp.start()
    pump(root, lambda: udp.row.current is State.BOUND)
    udp.target.delete(0, "end")
    udp.target.insert(0, f"127.0.0.1:{bport}")
    udp._offer_targets()
    print("TARGETS", " ".join(udp.target.cget("values")), flush=True)
    for target, text in ((f"{group}:{mport}", "multicast from the window"),
                         (f"255.255.255.255:{bport}", "broadcast from the window")):
        udp.target.delete(0, "end")
        udp.target.insert(0, target)
        udp.send_bar.set_text(text)
        assert udp.send_bar.send()
    pump(root, lambda: sum(r.key == "notice.sent_on" for r in udp.log.records) >= 1, 5)
    for record in udp.log.records:
        if record.key == "notice.sent_on":
            print("SENT_ON", record.params["address"], record.params["interfaces"], flush=True)
        if "IP_MULTICAST_IF" in record.raw_text:
            print("CALL", record.raw_text, flush=True)


def client_side(root: tk.Tk, window: MainWindow, host: str, ports: list[int]) -> None:
    client: Any = window.tabs()[1]
    for port in ports:
        client.row.host.set(host)
        client.row.port.delete(0, "end")
        client.row.port.insert(0, str(port))
        shown = client.diagnose()
        pump(root, lambda window=shown: window.facts is not None and window.job.finished, 30)
        lines = shown.text.get("1.0", "end-1c").splitlines()
        print("VERDICT", port, lines[-1], flush=True)
        print("ROUTE", port, next((line for line in lines if line.startswith("route:")), ""), flush=True)


def main() -> None:
    interface, group, mport, bport, host, open_port, closed_port = sys.argv[1:8]
    root = tk.Tk()
    window = MainWindow(root)
    try:
        udp_side(root, window, interface, group, int(mport), int(bport))
        client_side(root, window, host, [int(open_port), int(closed_port)])
    finally:
        window.close()
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
