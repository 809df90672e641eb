"""The sequence chart's words, in English and Simplified Chinese.

The chart model holds codes and numbers; this turns them into the labels the window
and the SVG export both draw, so the two always agree. Pure.
"""

from __future__ import annotations

import re
import time

from netcore.events import format_address
from netcore.payload import decode_for_display, printable
from netcore.session.sequence import Item, Lane, SequenceModel

LANGUAGES = ("en", "zh")
PREVIEW_CHARS = 24

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "self.tcp-server": "this server", "self.tcp-client": "this client", "self.udp": "this UDP socket",
        "self.relay": "this relay", "others": "other peers",
        "handshake": "{call_from} → {call_to}: SYN, SYN-ACK, ACK (the kernel's three-way handshake; inferred)",
        "message": "{call_from} {size} {preview} → {call_to}",
        "datagram": "{call_from} {size} {preview} → {call_to}",
        "fin": "FIN: the peer closed its side; recv() returned b''",
        "rst": "RST: the peer reset the connection",
        "close": "close(): FIN, the connection ends",
        "shutdown": "shutdown(SHUT_WR): FIN, still receiving",
        "band": "{count} messages, {size} in {span}",
        "overflow": "{count} datagrams ({size}) counted, not drawn",
        "error": "{text}",
        "stream": "{count} {call_from} → {count_out} {call_to}: TCP is a byte stream; it keeps no message "
                  "boundaries",
        "datagrams": "each {call_from} arrived as one {call_to}: UDP keeps every datagram whole",
        "bytes": "{n} B", "kb": "{n} KB", "mb": "{n} MB",
        "seconds": "{n} s",
        "title": "SocketLab: {lanes}",
        "tuple": "A TCP connection is these four values: local address and port, remote address and port.",
    },
    "zh": {
        "self.tcp-server": "本服务器", "self.tcp-client": "本客户端", "self.udp": "本 UDP 套接字",
        "self.relay": "本中继", "others": "其他对端",
        "handshake": "{call_from} → {call_to}：SYN、SYN-ACK、ACK（内核完成的三次握手；推断）",
        "message": "{call_from} {size} {preview} → {call_to}",
        "datagram": "{call_from} {size} {preview} → {call_to}",
        "fin": "FIN：对方关闭了它的一侧；recv() 返回 b''",
        "rst": "RST：对方重置了连接",
        "close": "close()：FIN，连接结束",
        "shutdown": "shutdown(SHUT_WR)：FIN，仍在接收",
        "band": "{count} 条消息，{size}，历时 {span}",
        "overflow": "{count} 个数据报（{size}）已计数，未画出",
        "error": "{text}",
        "stream": "{count} 次 {call_from} → {count_out} 次 {call_to}：TCP 是字节流，不保留消息边界",
        "datagrams": "每次 {call_from} 都作为一次 {call_to} 到达：UDP 让每个数据报保持完整",
        "bytes": "{n} 字节", "kb": "{n} KB", "mb": "{n} MB",
        "seconds": "{n} 秒",
        "title": "SocketLab：{lanes}",
        "tuple": "一条 TCP 连接由这四个值确定：本地地址和端口、远端地址和端口。",
    },
}


_SLOT = re.compile(r"\{([a-z_]+)\}")


def _fill(template: str, values: dict[str, str]) -> str:
    """Fill ``{name}`` slots in one pass: a payload that contains ``{count}`` stays as it is."""
    return _SLOT.sub(lambda match: values.get(match.group(1), match.group(0)), template)


def clock_text(when: float) -> str:
    """``14:03:07.123``: local time with milliseconds, as the log and the chart show it."""
    local = time.localtime(when)
    return time.strftime("%H:%M:%S", local) + f".{int(when * 1000) % 1000:03d}"


def size_text(nbytes: int, lang: str = "en") -> str:
    """``5 B``, ``12.3 KB``, ``5.0 MB`` (1 KB = 1000 B)."""
    words = TEXT[lang]
    if nbytes < 1000:
        return _fill(words["bytes"], {"n": f"{nbytes:,}"})
    if nbytes < 1_000_000:
        return _fill(words["kb"], {"n": f"{nbytes / 1000:.1f}"})
    return _fill(words["mb"], {"n": f"{nbytes / 1_000_000:.1f}"})


def preview(data: bytes, limit: int = PREVIEW_CHARS) -> str:
    """A short quoted preview of a payload: ``'hello\\n'``, cut with ``…`` past ``limit`` characters."""
    text = printable(decode_for_display(data[: limit * 4], "utf-8"))
    if len(text) > limit or len(data) > limit * 4:
        text = text[:limit] + "…"
    return f"'{text}'"


def lane_label(model: SequenceModel, lane: Lane, lang: str = "en") -> str:
    """The heading of a lane: who it is and its address:port."""
    words = TEXT[lang]
    if lane.role == "self":
        name = words.get(f"self.{model.kind}", model.kind)
        return f"{name} {format_address(model.local)}" if model.local else name
    if lane.role == "others":
        return words["others"]
    return format_address(lane.address)


def item_label(item: Item, lang: str = "en") -> str:
    """The one-line label drawn with an item."""
    words = TEXT[lang]
    span = _fill(words["seconds"], {"n": f"{max(0.0, item.end_time - item.time):.1f}"})
    values = {"call_from": item.call_from, "call_to": item.call_to, "size": size_text(item.nbytes, lang),
              "preview": preview(item.data) if item.nbytes else "", "count": f"{item.count:,}", "span": span,
              "count_out": f"{item.count_out:,}",
              "text": item.text}
    return " ".join(_fill(words[item.kind], values).split())
