"""Checks on what a person typed, made before any socket exists.

Each check returns the clean value or raises :class:`InputError` naming the field,
so a front-end can flag exactly that field. Pure functions, no I/O.
"""

from __future__ import annotations

import ipaddress
import re

from netcore.events import Address
from netcore.problems import INPUT_PROBLEMS, fill

_HOSTNAME_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")


class InputError(ValueError):
    """Bad input in one named field: ``field`` is e.g. ``"port"``, ``"host"``, ``"hex"``.

    ``code`` names the problem for translation and ``params`` fill its template;
    ``str(error)`` is the English message.
    """

    def __init__(
        self, field: str, message: str, code: str = "invalid", params: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.params = dict(params or {})

    @property
    def message(self) -> str:
        """The English message (same as ``str(self)``)."""
        return str(self)


def input_error(code: str, params: dict[str, str]) -> InputError:
    """An :class:`InputError` for ``params["field"]`` from the template ``code``."""
    return InputError(params["field"], fill(INPUT_PROBLEMS[code], params), code, params)


def check_port(value: object, field: str = "port") -> int:
    """A port number 0–65535 from an int or its text; 0 means "pick a free one"."""
    text = str(value).strip()
    if not text:
        raise input_error("port_empty", {"field": field})
    if not (text.isascii() and text.isdigit()):  # "²" and "①" are digits to str.isdigit, not to int()
        raise input_error("port_not_number", {"field": field, "value": text})
    port = int(text)
    if port > 65535:
        raise input_error("port_range", {"field": field, "value": text})
    return port


def check_host(value: str, field: str = "host") -> str:
    """An IPv4 or IPv6 address (brackets allowed) or a host name; returns it clean."""
    host = value.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host:
        raise input_error("host_empty", {"field": field})
    if is_ip_address(host) or _is_hostname(host):
        return host
    raise input_error("host_malformed", {"field": field, "value": value.strip()})


def is_ip_address(host: str) -> bool:
    """True for an IPv4 or IPv6 literal (a ``%zone`` suffix allowed), not for names."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _is_hostname(host: str) -> bool:
    if len(host) > 253 or host.replace(".", "").isdigit():
        return False  # all digits and dots but not a valid IPv4 address
    labels = host.rstrip(".").split(".")
    return all(_HOSTNAME_LABEL.match(label) for label in labels)


def check_timeout(value: object, field: str = "timeout") -> float:
    """A positive number of seconds, at most one hour."""
    try:
        seconds = float(str(value).strip())
    except ValueError:
        raise input_error("timeout_invalid", {"field": field, "value": str(value)}) from None
    if not 0 < seconds <= 3600:
        raise input_error("timeout_range", {"field": field, "value": str(value)})
    return seconds


def parse_host_port(text: str, field: str = "address") -> Address:
    """``host:port``, ``[v6]:port`` or ``v6-address:port`` into ``(host, port)``."""
    text = text.strip()
    if text.startswith("["):
        host, sep, port = text[1:].partition("]:")
    else:
        host, sep, port = text.rpartition(":")
    if not sep:
        raise input_error("address_form", {"field": field, "value": text})
    return check_host(host, field), check_port(port, field)


def is_ipv6(host: str) -> bool:
    """True for an IPv6 literal such as ``::1`` (not for names)."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).version == 6
    except ValueError:
        return False
