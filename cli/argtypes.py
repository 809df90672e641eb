"""argparse types for the command line: each refuses a bad value with a sentence (exit 2), never nan or inf."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from netcore.validation import InputError, check_host, check_port, check_timeout


def port(text: str) -> int:
    """0-65535 (0: any free port, when listening)."""
    try:
        return check_port(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def remote_port(text: str) -> int:
    """A port to connect to: 0 only means "any free port" when listening, so it is refused here."""
    value = port(text)
    if value == 0:
        raise argparse.ArgumentTypeError("0 is not a port you can connect to (0 means 'any free port' only when "
                                         "listening); give the server's port, 1-65535")
    return value


def host(text: str) -> str:
    """An IP address or a host name."""
    try:
        return check_host(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def timeout(text: str) -> float:
    """A connect timeout: more than 0, at most an hour."""
    try:
        return check_timeout(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def seconds(high: float, positive: bool = False) -> Callable[[str], float]:
    """Seconds from 0 (more than 0 if ``positive``) to ``high``; never nan, inf or negative."""
    low = "more than 0" if positive else "from 0"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and 0 <= value <= high) or (positive and value == 0):
            raise argparse.ArgumentTypeError(f"must be a number of seconds {low} to {high:g}, not {text!r}")
        return value
    return parse


def count(low: int, high: int) -> Callable[[str], int]:
    """A whole number from ``low`` to ``high``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}, not {text!r}")
        return value
    return parse
