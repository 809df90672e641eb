"""SocketLab's entry point: no arguments opens the window; a sub-command runs the CLI.

``python main.py`` opens the Tk window; ``python main.py tcp-server …``,
``tcp-client …``, ``udp …`` and ``--self-test`` run in the terminal (see ``cli``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading

OWN_PACKAGES = ("cli", "gui", "netcore")


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the window or to the command line; returns the exit status."""
    try:
        return _dispatch(sys.argv[1:] if argv is None else argv)
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] in OWN_PACKAGES:
            raise
        return missing_package(error.name or str(error))


def missing_package(name: str) -> int:
    """Started with a Python that lacks SocketLab's packages: say how to get the right one."""
    venv = r".venv\Scripts\python" if os.name == "nt" else ".venv/bin/python"
    message = (f"socketlab: the package '{name}' is not installed for {sys.executable}. "
               f"Hint: run 'python3 dev.py run' once (it makes .venv), then use '{venv} main.py'.")
    if sys.stderr is not None:
        print(message, file=sys.stderr)
    return 2


def _dispatch(args: list[str]) -> int:
    if not args:
        from gui.app import run_window

        return run_window()
    if sys.platform == "win32" and sys.stdout is None and args != ["--self-test"]:
        return no_console()
    from cli.main import run_cli

    return run_cli(args)


def no_console() -> int:
    """The windowed Windows build was started with a sub-command: there is no console to talk on."""
    from gui import crash

    crash.show(("SocketLab's command line is socketlab-cli.",
                "SocketLab.exe has no console window. Run the sub-commands with socketlab-cli.exe, "
                "for example:\n\nsocketlab-cli.exe tcp-server --port 9000"))
    return 2


def console() -> None:
    """The installed ``socketlab`` command: :func:`main`, ended through :func:`exit_now`."""
    try:
        status = main()
    except KeyboardInterrupt:  # Ctrl-C before the command took charge of it (e.g. while starting)
        status = 130
    exit_now(status)


def exit_now(status: int) -> None:
    """Flush and end the process, even while a daemon thread blocks reading stdin.

    A normal exit would wait for that read at interpreter shutdown (and abort).
    From here on a Ctrl-C or SIGTERM ends the process at once (a flush into a pipe
    nobody reads would otherwise wait forever), and after a command was stopped by
    a signal or by ``udp -q`` the flush gets :data:`FLUSH_AFTER_SIGNAL` seconds at most.
    """
    _exit_on_signal(status)
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say there
                stream.flush()
    os._exit(status)


FLUSH_AFTER_SIGNAL = 0.5


def _exit_on_signal(status: int) -> None:
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGINT", "SIGTERM", "SIGALRM"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, lambda *_: os._exit(status))
    cli_signals = sys.modules.get("cli.signals")
    if cli_signals is not None and cli_signals.flush_is_bounded() and hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, FLUSH_AFTER_SIGNAL)


if __name__ == "__main__":
    console()
