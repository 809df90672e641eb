"""Find a viewable X11 window by its exact title, polling every few milliseconds.

``xdotool search --sync`` checks only twice a second, too coarse to time a start-up
of about a second, so the measurements use this instead. It talks to libX11 through
ctypes (no Python package needed) and also works as a command:
``python3 tools/xwait.py SocketLab --timeout 30`` prints the window id once the
window is on screen, or exits 1 when the time is up.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import sys
import time

IS_VIEWABLE = 2
_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)




def _ignore(_display: int | None, _event: int | None) -> int:
    """A window can vanish between listing and asking its name: that is no reason to exit."""
    return 0


_ignore_x_errors = _ERROR_HANDLER(_ignore)


class _WindowAttributes(ctypes.Structure):
    """XWindowAttributes (Xlib.h), to read ``map_state``."""

    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("border_width", ctypes.c_int), ("depth", ctypes.c_int), ("visual", ctypes.c_void_p),
                ("root", ctypes.c_ulong), ("c_class", ctypes.c_int), ("bit_gravity", ctypes.c_int),
                ("win_gravity", ctypes.c_int), ("backing_store", ctypes.c_int), ("backing_planes", ctypes.c_ulong),
                ("backing_pixel", ctypes.c_ulong), ("save_under", ctypes.c_int), ("colormap", ctypes.c_ulong),
                ("map_installed", ctypes.c_int), ("map_state", ctypes.c_int), ("all_event_masks", ctypes.c_long),
                ("your_event_mask", ctypes.c_long), ("do_not_propagate_mask", ctypes.c_long),
                ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p)]


class Display:
    """One connection to the X server named by ``name`` (or ``$DISPLAY``)."""

    def __init__(self, name: str | None = None) -> None:
        path = ctypes.util.find_library("X11")
        if path is None:
            raise OSError("libX11 not found")
        self.x = ctypes.CDLL(path)
        self.x.XOpenDisplay.restype = ctypes.c_void_p
        self.x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self.x.XDefaultRootWindow.restype = ctypes.c_ulong
        self.x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self.x.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                                      ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                                      ctypes.POINTER(ctypes.c_uint)]
        self.x.XFetchName.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_char_p)]
        self.x.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(_WindowAttributes)]
        self.x.XFree.argtypes = [ctypes.c_void_p]
        self.x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self.x.XSetErrorHandler.argtypes = [_ERROR_HANDLER]
        self.x.XSetErrorHandler.restype = ctypes.c_void_p
        self.x.XSetErrorHandler(_ignore_x_errors)
        self.handle = self.x.XOpenDisplay(name.encode() if name else None)
        if not self.handle:
            raise OSError(f"cannot open X display {name or '$DISPLAY'}")
        self.root = self.x.XDefaultRootWindow(self.handle)

    def close(self) -> None:
        self.x.XCloseDisplay(self.handle)

    def children(self, window: int) -> list[int]:
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        kids, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        if not self.x.XQueryTree(self.handle, window, ctypes.byref(root), ctypes.byref(parent), ctypes.byref(kids),
                                 ctypes.byref(count)):
            return []
        found = [kids[i] for i in range(count.value)]
        if kids:
            self.x.XFree(kids)
        return found

    def name(self, window: int) -> str | None:
        text = ctypes.c_char_p()
        if not self.x.XFetchName(self.handle, window, ctypes.byref(text)) or text.value is None:
            return None
        value = text.value.decode("utf-8", "replace")
        self.x.XFree(text)
        return value

    def viewable(self, window: int) -> bool:
        attributes = _WindowAttributes()
        if not self.x.XGetWindowAttributes(self.handle, window, ctypes.byref(attributes)):
            return False
        return bool(attributes.map_state == IS_VIEWABLE)

    def find(self, title: str, depth: int = 3) -> int | None:
        """A viewable window titled exactly ``title`` (also inside a window manager's frames)."""
        level = [self.root]
        for _ in range(depth):
            below: list[int] = []
            for window in level:
                for child in self.children(window):
                    if self.name(child) == title and self.viewable(child):
                        return child
                    below.append(child)
            level = below
        return None

    def wait(self, title: str, timeout: float, interval: float = 0.005) -> int | None:
        """Poll until a window titled ``title`` is viewable; its id, or None after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            window = self.find(title)
            if window is not None or time.monotonic() > deadline:
                return window
            time.sleep(interval)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Wait for a viewable X11 window with this exact title.")
    parser.add_argument("title")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--display", default=None)
    args = parser.parse_args(argv)
    display = Display(args.display)
    try:
        window = display.wait(args.title, args.timeout)
    finally:
        display.close()
    if window is None:
        print(f"no viewable window titled {args.title!r} within {args.timeout:g} s", file=sys.stderr)
        return 1
    print(window)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
