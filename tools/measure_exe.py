"""Measure the built executables: size, start-up to a visible window, and ``--self-test`` time.

``python3 tools/measure_exe.py [--runs 7] [--dist dist]`` after ``python3 dev.py exe``.
Each program is started the way a person would start it: no Python on ``PATH``,
an empty environment but for ``DISPLAY`` and a throw-away ``HOME``. Start-up is the
time from launching the process to its window titled ``SocketLab`` being viewable
(polled every 5 ms through libX11, see ``tools/xwait.py``); the window is then
closed with Ctrl+Q as a user would. Each figure is the median of ``--runs`` runs
after one unmeasured warm-up. Without ``DISPLAY`` an Xvfb server is started for the
measurements. Prints a Markdown report; ``--max-mb`` (on what is downloaded: the
one-file executable, the one-folder build as a .tar.gz) and ``--max-window-s`` make
it exit 1 when a build misses that budget.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from xwait import Display  # beside this script, not a package

ROOT = Path(__file__).resolve().parent.parent
TITLE = "SocketLab"
MB = 1_000_000


@dataclass
class Target:
    """One way to start the window: a label and the command."""

    label: str
    command: list[str]
    size: int | None
    download: int | None


@dataclass
class Timing:
    """Seconds for each run, and what they come to."""

    runs: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def cell(self) -> str:
        return f"**{self.median:.2f} s** ({min(self.runs):.2f}–{max(self.runs):.2f})"


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def gzipped_bytes(folder: Path) -> int:
    """The size of ``folder`` as a .tar.gz, the way a one-folder build is downloaded."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(str(folder), arcname=folder.name)
    return len(buffer.getvalue())


def targets(dist: Path, with_source: bool) -> list[Target]:
    found: list[Target] = []
    onefile, folder = dist / "SocketLab", dist / "SocketLab-folder"
    if onefile.is_file():
        size = onefile.stat().st_size
        found.append(Target("one-file `dist/SocketLab`", [str(onefile)], size, size))
    if (folder / "SocketLab").is_file():
        found.append(Target("one-folder `dist/SocketLab-folder/SocketLab`", [str(folder / "SocketLab")],
                            folder_bytes(folder), gzipped_bytes(folder)))
    python = ROOT / ".venv" / "bin" / "python"
    if with_source and python.exists():
        found.append(Target("from source `.venv/bin/python main.py` (for comparison)",
                            [str(python), str(ROOT / "main.py")], None, None))
    return found


def clean_env(display: str | None, home: str) -> dict[str, str]:
    env = {"HOME": home}
    if display:
        env["DISPLAY"] = display
    return env


def close_window(process: subprocess.Popen[bytes], window: int, display: str) -> None:
    """Ctrl+Q on the window; if it is still there after 10 s, a SIGTERM (and say so)."""
    subprocess.run(["xdotool", "windowfocus", "--sync", str(window), "key", "--clearmodifiers", "ctrl+q"],
                   env={**os.environ, "DISPLAY": display}, check=False, capture_output=True)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        print(f"warning: window {window} did not close on Ctrl+Q; terminating it", file=sys.stderr)
        process.terminate()
        process.wait(timeout=10)


def time_window(target: Target, display: str, runs: int) -> Timing:
    times: list[float] = []
    screen = Display(display)
    try:
        for run in range(runs + 1):
            with tempfile.TemporaryDirectory() as home:
                started = time.perf_counter()
                process = subprocess.Popen(target.command, env=clean_env(display, home),
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                window = screen.wait(TITLE, timeout=60)
                elapsed = time.perf_counter() - started
                if window is None:
                    process.kill()
                    raise SystemExit(f"{target.label}: no window within 60 s")
                close_window(process, window, display)
                if run:  # the first run only warms the caches
                    times.append(elapsed)
    finally:
        screen.close()
    return Timing(times)


def time_self_test(target: Target, display: str | None, runs: int) -> Timing:
    times: list[float] = []
    for run in range(runs + 1):
        with tempfile.TemporaryDirectory() as home:
            started = time.perf_counter()
            done = subprocess.run([*target.command, "--self-test"], env=clean_env(display, home),
                                  capture_output=True, check=False, timeout=120)
            elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{target.label} --self-test failed:\n{done.stdout.decode(errors='replace')}")
        if run:
            times.append(elapsed)
    return Timing(times)


@contextmanager
def x_server() -> Iterator[str]:
    """``$DISPLAY`` if set, else a private Xvfb for the duration."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def machine() -> str:
    cpu = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores"


def report(args: argparse.Namespace) -> int:
    found = targets(Path(args.dist), args.with_source)
    if not found:
        raise SystemExit(f"nothing built in {args.dist}: run python3 dev.py exe first")
    failed: list[str] = []
    lines = [f"Machine: {machine()}; X server: Xvfb (no window manager) unless DISPLAY was given.",
             f"Median of {args.runs} runs after one warm-up (min–max in brackets).", "",
             "| build | size | as a .tar.gz | to a visible window | `--self-test` (engine) | "
             "`--self-test` (engine + window) |",
             "| --- | --- | --- | --- | --- | --- |"]
    with x_server() as display:
        for target in found:
            window = time_window(target, display, args.runs)
            engine = time_self_test(target, None, args.runs)
            both = time_self_test(target, display, args.runs)
            size = f"{target.size / MB:.1f} MB" if target.size is not None else "–"
            download = f"{target.download / MB:.1f} MB" if target.download is not None else "–"
            lines.append(f"| {target.label} | {size} | {download} | {window.cell()} | {engine.cell()} | "
                         f"{both.cell()} |")
            if target.download is not None and target.download > args.max_mb * MB:
                failed.append(f"{target.label}: a {target.download / MB:.1f} MB download > {args.max_mb:g} MB")
            if target.size is not None and args.max_window_s and window.median > args.max_window_s:
                failed.append(f"{target.label}: window after {window.median:.2f} s > {args.max_window_s:g} s")
    print("\n".join(lines))
    for problem in failed:
        print(f"over budget: {problem}")
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Measure SocketLab's built executables.")
    parser.add_argument("--dist", default=str(ROOT / "dist"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--with-source", action="store_true", help="also time python main.py from .venv")
    parser.add_argument("--max-mb", type=float, default=20.0, help="download size budget per build (MB = 10^6 bytes)")
    parser.add_argument("--max-window-s", type=float, default=0.0, help="start-up budget (0: not checked)")
    args = parser.parse_args(argv)
    if shutil.which("xdotool") is None:
        raise SystemExit("xdotool is needed (apt-get install xdotool)")
    return report(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
