"""Reading what the operator types or pipes in, in bounded pieces, on a daemon thread.

Nothing here holds more than one bounded piece of stdin in memory:

- **text lines** (``tcp-server``): a line is read up to ``limit`` bytes at a time; a
  longer line, or one with no newline at all, goes out in pieces, as ``nc`` and
  ``socat`` send whatever they read. The peer gets exactly the same bytes.
- **whole lines** (``--hex``, and ``udp`` where a line is one datagram): a line longer
  than ``limit`` cannot be cut without changing its meaning, so it is skipped
  (read and thrown away piece by piece) and ``on_too_long`` is told its length.
- **raw chunks** (``tcp-client`` in text mode): whatever ``read1`` returns, up to 64 KiB.

A closed stdin (``<&-``, or no ``sys.stdin`` at all) is the end of input.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import BinaryIO

STDIN_CHUNK = 65536
HEX_LINE_LIMIT = 1024 * 1024
"""Characters of hex text one line may have (half as many bytes once parsed)."""

TooLong = Callable[[int], None]


def stdin_source() -> BinaryIO | None:
    """``sys.stdin``'s bytes, or None when there is no stdin to read."""
    return getattr(sys.stdin, "buffer", None)


def read_piece(source: BinaryIO, limit: int) -> bytes:
    """Up to ``limit`` bytes of the next line (a newline ends it), plus room for a ``\\r\\n``."""
    return bytes(source.readline(limit + 2))


def is_cut(piece: bytes, limit: int) -> bool:
    """Is ``piece`` only the start of a line longer than ``limit``?"""
    return len(piece) > limit and not piece.endswith(b"\n")


def skip_rest_of_line(source: BinaryIO, first: bytes, limit: int) -> int:
    """Read and drop the rest of an over-long line; its whole length (newline not counted)."""
    length = len(first)
    while True:
        piece = read_piece(source, limit)
        if not piece:
            return length
        if piece.endswith(b"\n"):
            return length + len(piece.rstrip(b"\r\n"))
        length += len(piece)


def next_line(source: BinaryIO, limit: int, on_too_long: TooLong | None) -> bytes | None:
    """The next line or piece to send; b"" at end of input; None when an over-long line was skipped."""
    piece = read_piece(source, limit)
    if on_too_long is None or not is_cut(piece, limit):
        return piece
    on_too_long(skip_rest_of_line(source, piece, limit))
    return None


def read_some(source: BinaryIO) -> bytes:
    """Whatever is there now, up to :data:`STDIN_CHUNK` bytes (b"" at end of input)."""
    read1 = getattr(source, "read1", None)
    if read1 is not None:
        return bytes(read1(STDIN_CHUNK))
    return bytes(source.read(STDIN_CHUNK))


def start_pump(
    send: Callable[[bytes], None],
    on_eof: Callable[[], None],
    wait_for_room: Callable[[], object],
    read: Callable[[BinaryIO], bytes | None],
    source: BinaryIO | None,
) -> threading.Thread:
    """Read ``source`` with ``read`` on a daemon thread, sending each piece once there is room."""

    def run() -> None:
        while source is not None:
            try:
                piece = read(source)
            except (OSError, ValueError):  # stdin went away (a hung-up terminal, a closed file): end of input
                break
            if piece is None:
                continue
            if not piece:
                break
            wait_for_room()
            send(piece)
        on_eof()

    thread = threading.Thread(target=run, name="socketlab-stdin", daemon=True)
    thread.start()
    return thread


def hex_line_too_long(length: int) -> None:
    """Say (on stderr) that a hex line was skipped."""
    print(f"socketlab: a hex line longer than {HEX_LINE_LIMIT:,} characters ({length:,}) was not sent. "
          "Hint: put the hex on several lines; each line is parsed and sent on its own.", file=sys.stderr, flush=True)


def datagram_line_too_long(length: int) -> None:
    """Say (on stderr) that a line too large for one datagram was skipped."""
    print(f"socketlab: a stdin line of {length:,} bytes is too large for one datagram (at most 65,507 bytes); "
          "it was not sent. Hint: split it into shorter lines; each line is one datagram.",
          file=sys.stderr, flush=True)
