"""Plain explanations of socket calls and chart items, in the current language.

Each call has a short text (``explain.<call>``) and, for the lesson calls, whether
it blocks, its usual errors and the matching Python line; see
:mod:`gui.locales.views`.
"""

from __future__ import annotations

from gui.i18n import has, tr
from netcore.session.sequence import Item

_ITEM_CALL = {"message": "recv", "datagram": "recvfrom", "close": "close", "shutdown": "shutdown",
              "handshake": "handshake", "fin": "fin", "rst": "rst", "band": "band"}


def call_name(text: str) -> str:
    """``recv`` from ``recv()``, ``shutdown(SHUT_WR)`` or ``recv() = b''``."""
    return text.split("(", 1)[0].strip()


def explain_call(call: str) -> str:
    """What ``call`` does, whether it blocks, its usual errors and its Python line ("" if unknown)."""
    name = call_name(call)
    if not has(f"explain.{name}"):
        return ""
    lines = [tr(f"explain.{name}")]
    for part in ("blocks", "errors", "python"):
        key = f"explain.{name}.{part}"
        if has(key):
            lines.append(tr(f"explain.{part}", text=tr(key)))
    return "\n".join(lines)


def explain_item(item: Item) -> str:
    """The explanation shown with a chart item: the call that received it, or what the arrow means."""
    if item.kind in ("message", "datagram") and item.source == 0:
        return explain_call(item.call_from)  # sent from here: send()/sendto()
    key = _ITEM_CALL.get(item.kind, "")
    return explain_call(key) if key else ""


def first_sentence(call: str) -> str:
    """The first sentence of ``call``'s explanation ("Claims a local address and port for this socket.")."""
    name = call_name(call)
    if not has(f"explain.{name}"):
        return ""
    text = tr(f"explain.{name}")
    for stop in (". ", "。"):
        if stop in text:
            return text.split(stop, 1)[0] + stop.strip()
    return text
