"""One script to set up and run SocketLab from a fresh clone: ``python3 dev.py run|test|exe|bench``.

- ``run``: make ``.venv``, install SocketLab's packages, open the window.
- ``test``: the same plus the test tools (and, as root on Debian/Ubuntu, Xvfb,
  nc, socat and a CJK font via apt-get when missing), then ruff, mypy, pytest.
- ``exe``: build the standalone executables with PyInstaller (``build.spec``).
- ``bench``: run the benchmarks in ``bench/`` and print their ratios.

Only the standard library is used here, so it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
TEST_TOOLS = {"Xvfb": "xvfb", "xdotool": "xdotool", "nc": "netcat-openbsd", "socat": "socat",
              "unshare": "util-linux", "setpriv": "util-linux", "ip": "iproute2", "tshark": "tshark",
              "nft": "nftables", "openssl": "openssl"}
"""Commands the tests use (those that lack one skip with the reason), and their Debian packages."""
FONTS = {"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc": "fonts-wqy-microhei"}


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def say(text: str) -> None:
    print(f"[dev] {text}", flush=True)


def run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(part) for part in command], cwd=ROOT, check=True, env=env)


def run_quietly(*command: str | Path) -> None:
    """Run ``command``; show its output only if it fails (pip and setuptools are chatty)."""
    result = subprocess.run([str(part) for part in command], cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        raise subprocess.CalledProcessError(result.returncode, [str(part) for part in command])


def can_apt() -> bool:
    return os.name == "posix" and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None


def apt_install(packages: list[str]) -> None:
    if not packages:
        return
    if not can_apt():
        say(f"missing system packages {packages}: install them (e.g. sudo apt-get install {' '.join(packages)})")
        return
    say(f"apt-get install {' '.join(packages)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages, env=env)


def ensure_python_basics() -> None:
    """venv and tkinter come separately on Debian/Ubuntu: add them if missing."""
    missing = []
    for module, package in (("ensurepip", "python3-venv"), ("tkinter", "python3-tk")):
        probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, check=False)
        if probe.returncode != 0:
            missing.append(package)
    apt_install(missing)


def ensure_venv(extras: str) -> Path:
    """Create ``.venv`` and install the project with ``extras``; skip when nothing changed."""
    python = venv_python()
    if not python.exists():
        say("creating .venv")
        run(sys.executable, "-m", "venv", VENV)
    stamp = VENV / f".socketlab-{extras or 'app'}"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return python
    say(f"installing packages ({extras or 'app'})")
    run_quietly(python, "-m", "pip", "install", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    run_quietly(python, "-m", "pip", "install", "--editable", target)
    stamp.write_text(wanted)
    return python


def ensure_test_tools() -> None:
    missing = [pkg for tool, pkg in TEST_TOOLS.items() if shutil.which(tool) is None]
    missing += [pkg for path, pkg in FONTS.items() if not Path(path).exists()]
    if sys.platform.startswith("linux"):
        apt_install(sorted(set(missing)))


def command_run(args: list[str]) -> int:
    ensure_python_basics()
    python = ensure_venv("")
    return subprocess.run([str(python), str(ROOT / "main.py"), *args], cwd=ROOT, check=False).returncode


def command_test(args: list[str]) -> int:
    ensure_python_basics()
    ensure_test_tools()
    python = ensure_venv("dev")
    say("ruff")
    run(python, "-m", "ruff", "check", ".")
    say("mypy")
    run(python, "-m", "mypy")
    say("pytest")
    return subprocess.run([str(python), "-m", "pytest", *args], cwd=ROOT, check=False).returncode


def command_exe(args: list[str]) -> int:
    ensure_python_basics()
    python = ensure_venv("dev,build")
    say("PyInstaller build.spec")
    return subprocess.run([str(python), "-m", "PyInstaller", "--noconfirm", "--clean", "build.spec", *args],
                          cwd=ROOT, check=False).returncode


def command_bench(args: list[str]) -> int:
    python = ensure_venv("dev")
    status = 0
    for script in sorted((ROOT / "bench").glob("*.py")):
        say(f"benchmark {script.name}")
        status |= subprocess.run([str(python), str(script), *args], cwd=ROOT, check=False).returncode
    return status


COMMANDS = {"run": command_run, "test": command_test, "exe": command_exe, "bench": command_bench}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    try:
        return COMMANDS[argv[0]](argv[1:])
    except subprocess.CalledProcessError as exc:
        say(f"failed: {' '.join(map(str, exc.cmd))} (exit {exc.returncode})")
        return exc.returncode or 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
