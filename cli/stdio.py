"""The standard streams a command starts with: a closed one becomes /dev/null.

Started with ``<&-`` or ``>&-``, a process has no file descriptor 0 or 1, and Python
sets ``sys.stdin`` or ``sys.stdout`` to None. SocketLab then opens the null device
on that descriptor (so no socket can be given the number 0, 1 or 2 and receive
what was meant for the terminal) and gives Python a stream on it:

- stdin closed: the same as ``< /dev/null``, the end of input at once (the server
  keeps serving, the client half-closes, ``udp -q`` counts from there);
- stdout closed: the command keeps running and what would be shown is discarded,
  which suits a server; stderr says so once, in the CLI's voice;
- stderr closed: errors go nowhere, as they would for any program.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

STREAMS = ((0, "stdin"), (1, "stdout"), (2, "stderr"))
STDOUT_CLOSED = ("socketlab: stdout is closed, so what arrives is not shown (it is discarded). "
                 "Hint: run it without >&-, or keep the output with > file.txt.")


def is_closed(fd: int) -> bool:
    """Is there no open file on descriptor ``fd``?"""
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


def _fill_with_null(fd: int) -> None:
    opened = os.open(os.devnull, os.O_RDWR)
    if opened != fd:
        os.dup2(opened, fd)
        os.close(opened)


def _text_stream(fd: int, name: str) -> TextIO:
    if name == "stdin":
        return open(fd, encoding="utf-8", errors="surrogateescape", closefd=False)
    return open(fd, "w", encoding="utf-8", errors="backslashreplace", closefd=False)


def reopen_closed_streams() -> list[str]:
    """Put the null device on every closed standard descriptor; the names of those that were closed."""
    closed = [name for fd, name in STREAMS if is_closed(fd)]
    for fd, name in STREAMS:
        if name in closed:
            _fill_with_null(fd)
            if getattr(sys, name) is None:
                setattr(sys, name, _text_stream(fd, name))
    return closed


def say_what_was_closed(closed: list[str]) -> None:
    """Tell the operator (on stderr, if it is there) that stdout goes nowhere."""
    if "stdout" in closed and "stderr" not in closed:
        print(STDOUT_CLOSED, file=sys.stderr, flush=True)
