"""Which line of a generated lesson script makes a given socket call (for the live code view). Pure.

The window highlights that line while the tab's endpoint makes the real call, so a
student sees the script and the program it stands for move together.
"""

from __future__ import annotations

import re

PATTERNS: dict[str, re.Pattern[str]] = {
    "socket": re.compile(r"socket\.socket\(|create_connection\("),
    "setsockopt": re.compile(r"\.setsockopt\("),
    "bind": re.compile(r"\.bind\("),
    "listen": re.compile(r"\.listen\("),
    "accept": re.compile(r"\.accept\("),
    "connect": re.compile(r"\.connect\(|create_connection\("),
    "recv": re.compile(r"\.recv\("),
    "send": re.compile(r"\.sendall\(|\.send\("),
    "recvfrom": re.compile(r"\.recvfrom\("),
    "sendto": re.compile(r"\.sendto\("),
    "shutdown": re.compile(r"\.shutdown\("),
    "close": re.compile(r"\.close\(\)"),
}


def line_for(code: str, call: str) -> int | None:
    """The 1-based number of the first line of ``code`` that makes ``call`` (None: no such line)."""
    pattern = PATTERNS.get(call)
    if pattern is None:
        return None
    for number, line in enumerate(code.splitlines(), start=1):
        if pattern.search(line) and not line.lstrip().startswith("#"):
            return number
    return None
