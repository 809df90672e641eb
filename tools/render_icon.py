"""Render SocketLab's icon from the geometry below: ``python3 tools/render_icon.py [--check]``.

The icon is a rounded blue tile with two arrows: a white one going right (what
you send) above an amber one coming back left (what you receive). This script is
its source. It writes, into ``assets/``:

- ``socketlab.svg``: the same drawing as a vector file, for editors and the web;
- ``png/socketlab-<N>.png``: the window icon (Tk ``iconphoto``) at several sizes;
- ``socketlab.ico``: Windows (PNG-compressed entries, 16–256 px);
- ``socketlab.icns``: macOS (PNG entries, 16–1024 px).

Only the standard library is used: each shape is a signed distance function and a
pixel's coverage comes from its distance to the edge, which anti-aliases cleanly
at every size. Output is deterministic, so ``--check`` can prove the committed
files are what this script draws (pixel for pixel: another zlib may compress the
same PNG differently).
"""

from __future__ import annotations

import argparse
import io
import math
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"
CANVAS = 1024.0
"""Design units: the drawing is made on a 1024 × 1024 canvas and scaled."""

TILE = (64.0, 64.0, 960.0, 960.0)
TILE_RADIUS = 208.0
TOP_COLOUR = (0x0E, 0xA5, 0xE9)  # sky blue
BOTTOM_COLOUR = (0x1D, 0x4E, 0xD8)  # deep blue
SEND_COLOUR = (0xFF, 0xFF, 0xFF)
RECEIVE_COLOUR = (0xFB, 0xBF, 0x24)  # amber

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_TYPES = ((b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
              (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512))

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

Point = tuple[float, float]
Colour = tuple[int, int, int]


def arrow(y: float, tail_x: float, tip_x: float, shaft: float, head_width: float, head_length: float) -> list[Point]:
    """The outline of a horizontal arrow from ``tail_x`` to ``tip_x`` (either way round)."""
    direction = 1.0 if tip_x > tail_x else -1.0
    neck = tip_x - direction * head_length
    half, wing = shaft / 2, head_width / 2
    return [(tail_x, y - half), (neck, y - half), (neck, y - wing), (tip_x, y),
            (neck, y + wing), (neck, y + half), (tail_x, y + half)]


def arrows(size: int) -> list[tuple[list[Point], Colour]]:
    """The two arrows; bolder at small sizes so they stay readable at 16 px."""
    bold = size <= 32
    shaft = 150.0 if bold else 104.0
    head_width, head_length = (330.0, 210.0) if bold else (280.0, 190.0)
    top, bottom = (360.0, 664.0) if bold else (380.0, 644.0)
    return [(arrow(top, 224.0, 808.0, shaft, head_width, head_length), SEND_COLOUR),
            (arrow(bottom, 800.0, 216.0, shaft, head_width, head_length), RECEIVE_COLOUR)]


# ---- signed distances (negative inside), in design units ----


def rounded_box(x: float, y: float, box: tuple[float, float, float, float], radius: float) -> float:
    """Distance from (x, y) to a rectangle with rounded corners."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    hx, hy = (box[2] - box[0]) / 2 - radius, (box[3] - box[1]) / 2 - radius
    qx, qy = abs(x - cx) - hx, abs(y - cy) - hy
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


def polygon(x: float, y: float, points: list[Point]) -> float:
    """Distance from (x, y) to a simple polygon (even-odd rule for the sign)."""
    best = math.inf
    inside = False
    count = len(points)
    for i in range(count):
        ax, ay = points[i]
        bx, by = points[i - 1]
        ex, ey = bx - ax, by - ay
        wx, wy = x - ax, y - ay
        t = max(0.0, min(1.0, (wx * ex + wy * ey) / (ex * ex + ey * ey)))
        dx, dy = wx - ex * t, wy - ey * t
        best = min(best, dx * dx + dy * dy)
        if (ay > y) != (by > y) and x < (bx - ax) * (y - ay) / (by - ay) + ax:
            inside = not inside
    distance = math.sqrt(best)
    return -distance if inside else distance


# ---- raster ----


def coverage(distance: float, units_per_pixel: float) -> float:
    """How much of a pixel a shape covers, from the distance of its centre to the edge."""
    return max(0.0, min(1.0, 0.5 - distance / units_per_pixel))


def render(size: int) -> bytes:
    """RGBA pixels (straight alpha), row by row, for a ``size`` × ``size`` icon."""
    unit = CANVAS / size
    shapes = [(points, colour, _bounds(points, unit)) for points, colour in arrows(size)]
    pixels = bytearray()
    for row in range(size):
        y = (row + 0.5) * unit
        t = (y - TILE[1]) / (TILE[3] - TILE[1])
        base = _mix(TOP_COLOUR, BOTTOM_COLOUR, max(0.0, min(1.0, t)))
        for col in range(size):
            x = (col + 0.5) * unit
            alpha = coverage(rounded_box(x, y, TILE, TILE_RADIUS), unit)
            colour: tuple[float, float, float] = base
            for points, shape_colour, (x0, y0, x1, y1) in shapes:
                if x0 <= x <= x1 and y0 <= y <= y1:
                    cover = coverage(polygon(x, y, points), unit)
                    if cover:
                        colour = _mix(colour, shape_colour, cover)
            pixels += bytes((round(colour[0]), round(colour[1]), round(colour[2]), round(alpha * 255)))
    return bytes(pixels)


def _bounds(points: list[Point], margin: float) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin


def _mix(a: tuple[float, ...], b: tuple[float, ...], t: float) -> tuple[float, float, float]:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def png(size: int, rgba: bytes) -> bytes:
    """A PNG file (8-bit RGBA, no filtering, no timestamps) holding ``rgba``."""
    stride = size * 4
    raw = b"".join(b"\x00" + rgba[row * stride:(row + 1) * stride] for row in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def ico(images: dict[int, bytes]) -> bytes:
    """A Windows .ico whose entries are PNG files (read by Windows Vista and later)."""
    out = io.BytesIO()
    out.write(struct.pack("<HHH", 0, 1, len(images)))
    offset = 6 + 16 * len(images)
    for size, data in images.items():
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        out.write(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset))
        offset += len(data)
    for data in images.values():
        out.write(data)
    return out.getvalue()


def icns(images: dict[int, bytes]) -> bytes:
    """A macOS .icns whose entries are PNG files."""
    body = b"".join(kind + struct.pack(">I", 8 + len(images[size])) + images[size] for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


# ---- vector ----


def svg() -> str:
    """The same drawing as SVG (the large-size geometry)."""
    x0, y0, x1, y1 = TILE
    paths = "\n".join(
        f'  <path fill="#{_hex(colour)}" d="M{" L".join(f"{x:g},{y:g}" for x, y in points)} Z"/>'
        for points, colour in arrows(1024))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CANVAS:g}" height="{CANVAS:g}" '
        f'viewBox="0 0 {CANVAS:g} {CANVAS:g}">\n'
        '  <title>SocketLab</title>\n'
        '  <defs>\n'
        f'    <linearGradient id="tile" x1="0" y1="{y0:g}" x2="0" y2="{y1:g}" gradientUnits="userSpaceOnUse">\n'
        f'      <stop offset="0" stop-color="#{_hex(TOP_COLOUR)}"/>\n'
        f'      <stop offset="1" stop-color="#{_hex(BOTTOM_COLOUR)}"/>\n'
        '    </linearGradient>\n'
        '  </defs>\n'
        f'  <rect x="{x0:g}" y="{y0:g}" width="{x1 - x0:g}" height="{y1 - y0:g}" rx="{TILE_RADIUS:g}" '
        'fill="url(#tile)"/>\n'
        f'{paths}\n'
        '</svg>\n')


def _hex(colour: Colour) -> str:
    return "".join(f"{c:02X}" for c in colour)


# ---- files ----


def outputs(progress: Callable[[str], None]) -> dict[Path, bytes]:
    """Every file this script makes, by path."""
    sizes = sorted({*PNG_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    images: dict[int, bytes] = {}
    for size in sizes:
        progress(f"rendering {size} px")
        images[size] = png(size, render(size))
    files = {ASSETS / "png" / f"socketlab-{size}.png": images[size] for size in PNG_SIZES}
    files[ASSETS / "socketlab.ico"] = ico({size: images[size] for size in ICO_SIZES})
    files[ASSETS / "socketlab.icns"] = icns(images)
    files[ASSETS / "socketlab.svg"] = svg().encode()
    return files


def images_in(data: bytes) -> list[tuple[bytes, bytes]]:
    """Each PNG inside ``data`` (a .png, .ico or .icns) as (header, pixels): compression aside."""
    found: list[tuple[bytes, bytes]] = []
    start = data.find(PNG_SIGNATURE)
    while start >= 0:
        position, header, compressed = start + len(PNG_SIGNATURE), b"", b""
        while position + 8 <= len(data):
            length, kind = struct.unpack(">I4s", data[position:position + 8])
            body = data[position + 8:position + 8 + length]
            position += 12 + length
            if kind == b"IHDR":
                header = body
            elif kind == b"IDAT":
                compressed += body
            elif kind == b"IEND":
                break
        found.append((header, zlib.decompress(compressed)))
        start = data.find(PNG_SIGNATURE, position)
    return found


def same_drawing(path: Path, data: bytes) -> bool:
    """True if ``path`` holds what ``data`` holds; PNGs compressed by another zlib still count as the same."""
    if not path.exists():
        return False
    committed = path.read_bytes()
    if committed == data:
        return True
    return PNG_SIGNATURE in data and images_in(committed) == images_in(data)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Render SocketLab's icon files into assets/.")
    parser.add_argument("--check", action="store_true", help="write nothing; fail if a committed file differs")
    args = parser.parse_args(argv)
    files = outputs(lambda text: print(text, file=sys.stderr, flush=True))
    stale = [path for path, data in files.items() if not same_drawing(path, data)]
    if args.check:
        for path in stale:
            print(f"differs from what tools/render_icon.py draws: {path.relative_to(ASSETS.parent)}")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[path])
        print(f"wrote {path.relative_to(ASSETS.parent)} ({len(files[path]):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
