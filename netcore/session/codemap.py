"""Which line of a generated lesson script makes a given socket call (for the live code view). Pure.

The window highlights that line while the tab's endpoint makes the real call, so a
student sees the script and the program it stands for move together, in each of
the three styles of :mod:`netcore.lessons` (threads, selectors, asyncio).
"""

from __future__ import annotations

import functools
import io
import re
import tokenize

PATTERNS: dict[str, re.Pattern[str]] = {
    "socket": re.compile(r"socket\.socket\(|create_connection\(|start_server\(|open_connection\(|"
                         r"create_datagram_endpoint\("),
    "setsockopt": re.compile(r"\.setsockopt\(|start_server\("),
    "bind": re.compile(r"\.bind\(|start_server\(|create_datagram_endpoint\("),
    "listen": re.compile(r"\.listen\(|start_server\("),
    "accept": re.compile(r"\.accept\(|async def handle\("),
    "connect": re.compile(r"\.connect(?:_ex)?\(|create_connection\(|open_connection\("),
    "getsockopt": re.compile(r"\.getsockopt\("),
    "recv": re.compile(r"\.recv\(|reader\.read\("),
    "send": re.compile(r"\.sendall\(|\.send\(|writer\.write\("),
    "recvfrom": re.compile(r"\.recvfrom\(|def datagram_received\("),
    "sendto": re.compile(r"\.sendto\("),
    "shutdown": re.compile(r"\.shutdown\(|\.write_eof\("),
    "close": re.compile(r"\.close\(\)"),
}
"""Per call, what the line that makes it looks like in each style of script.

In the threaded and the selectors scripts the line makes the call itself. In the
asyncio ones the event loop makes it, and the pattern finds the line that asks for
it: ``start_server(`` for socket, bind and listen, ``async def handle(`` for each
accepted client, ``reader.read(`` for recv, ``writer.write(`` for send."""


def line_for(code: str, call: str) -> int | None:
    """The 1-based number of the first line of ``code`` that makes ``call`` (None: no such line).

    Only code counts: comments, docstrings and other strings never match.
    """
    pattern = PATTERNS.get(call)
    if pattern is None:
        return None
    for number, line in enumerate(code_only(code), start=1):
        if pattern.search(line):
            return number
    return None


@functools.lru_cache(maxsize=8)
def code_only(code: str) -> tuple[str, ...]:
    """``code``'s lines with every comment and string blanked out (the window asks once per call: cached)."""
    lines = [list(line) for line in code.splitlines()]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return tuple(code.splitlines())
    for token in tokens:
        if token.type in (tokenize.COMMENT, tokenize.STRING):
            _blank(lines, token.start, token.end)
    return tuple("".join(line) for line in lines)


def _blank(lines: list[list[str]], start: tuple[int, int], end: tuple[int, int]) -> None:
    """Spaces over the text from ``start`` to ``end`` ((1-based row, column) as tokenize gives them)."""
    for row in range(start[0], end[0] + 1):
        line = lines[row - 1] if row <= len(lines) else []
        first = start[1] if row == start[0] else 0
        last = end[1] if row == end[0] else len(line)
        line[first:last] = " " * (last - first)
