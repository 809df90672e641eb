"""The sequence chart as an SVG picture (for slides and handouts).

Draws a :class:`~netcore.session.sequence.SequenceModel`: a heading per lane with its
address:port, the lanes as vertical lines, one row per item from top to bottom with
its time on the left, arrows with their labels, dashed arrows for FIN/RST/close,
shaded bands for folded runs. Pure: the model in, SVG text out.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from netcore.session.chart_text import clock_text, item_label, lane_label
from netcore.session.sequence import Item, SequenceModel

LANE_GAP = 260
LEFT = 150
TOP = 70
ROW = 34
FONT = "DejaVu Sans, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, Noto Sans CJK SC, sans-serif"
COLOURS = {"message": "#1f5fa8", "datagram": "#7a3fb0", "handshake": "#2e7d32", "fin": "#b26a00",
           "close": "#b26a00", "shutdown": "#b26a00", "rst": "#c62828", "error": "#c62828", "band": "#1f5fa8",
           "overflow": "#c62828", "stream": "#6a1b9a", "datagrams": "#6a1b9a"}
DASHED = frozenset({"fin", "close", "shutdown", "rst"})


def _x(lane: int) -> int:
    return LEFT + lane * LANE_GAP


def _text(x: float, y: float, content: str, size: int = 12, anchor: str = "middle", colour: str = "#222",
          weight: str = "normal") -> str:
    return (f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" text-anchor="{anchor}" fill="{colour}" '
            f'font-weight="{weight}">{escape(content)}</text>')


def _centre(x1: float, x2: float, label: str, width: int) -> float:
    """Where to centre ``label`` over an arrow so that it stays inside the picture."""
    half = len(label) * 3.3 + 4
    return min(max((x1 + x2) / 2, half), width - half)


def _arrow(item: Item, y: int, label: str, width: int) -> list[str]:
    x1, x2 = _x(item.source), _x(item.target)
    colour = COLOURS.get(item.kind, "#222")
    dash = ' stroke-dasharray="6 4"' if item.kind in DASHED else ""
    head = x2 - 9 if x2 > x1 else x2 + 9
    return [
        f'<line x1="{x1}" y1="{y}" x2="{head}" y2="{y}" stroke="{colour}" stroke-width="2"{dash}/>',
        f'<polygon points="{x2},{y} {head},{y - 5} {head},{y + 5}" fill="{colour}"/>',
        _text(_centre(x1, x2, label, width), y - 6, label, 11, colour=colour),
    ]


def _band(item: Item, y: int, label: str, width: int) -> list[str]:
    x1, x2 = sorted((_x(item.source), _x(item.target)))
    return [f'<rect x="{x1}" y="{y - 13}" width="{max(x2 - x1, 40)}" height="22" fill="#1f5fa8" '
            f'fill-opacity="0.15" stroke="#1f5fa8" stroke-width="1" rx="4"/>',
            _text(_centre(x1, x2, label, width), y + 3, label, 11, colour="#1f5fa8")]


def _mark(item: Item, y: int, label: str) -> list[str]:
    x = _x(item.source)
    colour = COLOURS.get(item.kind, "#222")
    return [f'<circle cx="{x}" cy="{y}" r="5" fill="{colour}"/>', _text(x + 10, y + 4, label, 11, "start", colour)]


def render_svg(model: SequenceModel, lang: str = "en", title: str = "") -> str:
    """The whole chart as an SVG document."""
    items = list(model.items)
    lanes = len(model.lanes)
    width = LEFT + max(lanes - 1, 1) * LANE_GAP + 240
    height = TOP + ROW * (len(items) + 1) + 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family={quoteattr(FONT)}>',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
    if title:
        out.append(_text(12, 22, title, 14, "start", weight="bold"))
    for index, lane in enumerate(model.lanes):
        x = _x(index)
        out.append(f'<rect x="{x - 100}" y="{TOP - 40}" width="200" height="24" rx="4" fill="#eef3f8" '
                   f'stroke="#8aa4c0"/>')
        out.append(_text(x, TOP - 23, lane_label(model, lane, lang), 12, weight="bold"))
        out.append(f'<line x1="{x}" y1="{TOP - 16}" x2="{x}" y2="{height - 10}" stroke="#9aa5b1" '
                   f'stroke-width="1.5"/>')
    for row, item in enumerate(items, start=1):
        y = TOP + row * ROW
        label = item_label(item, lang)
        out.append(_text(8, y + 4, clock_text(item.time), 10, "start", "#666"))
        if item.kind == "band":
            out.extend(_band(item, y, label, width))
        elif item.arrow and item.source != item.target:
            out.extend(_arrow(item, y, label, width))
        else:
            out.extend(_mark(item, y, label))
    out.append("</svg>")
    return "\n".join(out) + "\n"
