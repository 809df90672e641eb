"""Diagnose's findings and verdict in the window's language (pure: no Tk, no sockets).

:mod:`netcore.lan.diagnose` reports one English line per finding (the CLI prints
them as they are). The window shows the same findings through :func:`gui.i18n.tr`:
each line is matched against the engine's few fixed shapes and re-told from the
catalog (English templates say exactly what the engine says); a line of an
unknown shape is shown as it came. The verdict code stays as it is; its sentence
is told from the code and the facts.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from gui.i18n import language, tr
from netcore.events import format_address
from netcore.lan.diagnose import Facts

OUTCOMES = ("open", "refused", "timeout", "unreachable", "error")
_OUTCOME = "(?P<outcome>" + "|".join(OUTCOMES) + ")"
_DETAIL = r"(?: — (?P<detail>.*))?"


def _outcome(match: re.Match[str]) -> str:
    text = tr(f"diag.outcome_{match['outcome']}")
    detail = detail_text(match["detail"] or "")
    return f"{text} — {detail}" if detail else text


def detail_text(detail: str) -> str:
    """A probe's detail: "no answer in 3 s", an errno (its name kept, its English text only in English)."""
    if not detail:
        return ""
    waited = re.fullmatch(r"no answer in (\S+) s", detail)
    if waited:
        return tr("diag.detail_waited", seconds=waited[1])
    for english, key in (("no answer and no refusal", "diag.detail_silent"),
                         ("a datagram came back", "diag.detail_echo")):
        if detail == english:
            return tr(key)
    errno_name = re.fullmatch(r"(E[A-Z0-9]+) \((.*)\)", detail)
    if errno_name and not _system_text_shown():
        return errno_name[1]
    return system_text(detail)


def _system_text_shown() -> bool:
    """The system's own error texts are English: shown only when the window is in English."""
    return language() == "en"


def system_text(text: str) -> str:
    """An error text from the system (English): itself in English, left out in other languages."""
    return text if _system_text_shown() else ""


Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]
RULES: list[Rule] = [
    (re.compile(r"name: (?P<host>.+) not found \((?P<error>.*)\)"),
     lambda m: tr("diag.name_not_found", host=m["host"], error=system_text(m["error"]))),
    (re.compile(r"name: (?P<host>.+?) → (?P<list>.*)"),
     lambda m: tr("diag.name", host=m["host"], addresses=m["list"])),
    (re.compile(r"route: no way from this machine to (?P<ip>\S+) \((?P<error>.*)\)"),
     lambda m: tr("diag.no_route", ip=m["ip"], error=system_text(m["error"]))),
    (re.compile(r"route: from (?P<source>\S+) on (?P<name>.+), on a directly attached network"),
     lambda m: tr("diag.route_attached", source=m["source"], interface=m["name"])),
    (re.compile(r"route: from (?P<source>\S+) on (?P<name>.+), through a router .*"),
     lambda m: tr("diag.route_router", source=m["source"], interface=m["name"])),
    (re.compile(rf"(?P<kind>TCP|UDP) port (?P<address>\S+): {_OUTCOME}{_DETAIL}"),
     lambda m: tr("diag.port", kind=m["kind"], address=m["address"], outcome=_outcome(m))),
    (re.compile(rf"this machine: port (?P<port>\d+) on (?P<loopback>\S+): {_OUTCOME}{_DETAIL}"),
     lambda m: tr("diag.loopback", port=m["port"], loopback=m["loopback"], outcome=_outcome(m))),
    (re.compile(rf"other port (?P<port>\d+): {_OUTCOME}{_DETAIL}"),
     lambda m: tr("diag.other_port", port=m["port"], outcome=_outcome(m))),
]


def finding_text(line: str, port: int = 0, udp: bool = False, platform: str = sys.platform) -> str:
    """One engine finding in the current language (unknown shapes as they are)."""
    if line.startswith("firewall: "):
        return tr("diag.firewall", hint=firewall_text(port, udp, platform))
    for pattern, tell in RULES:
        match = pattern.fullmatch(line)
        if match:
            return tell(match)
    return line


def firewall_text(port: int, udp: bool = False, platform: str = sys.platform) -> str:
    """What to allow on the other machine, for this OS (as :func:`netcore.lan.diagnose.firewall_hint`)."""
    proto = "udp" if udp else "tcp"
    system = "windows" if platform.startswith("win") else "macos" if platform == "darwin" else "linux"
    return tr(f"diag.firewall_{system}", port=port, proto=proto, PROTO=proto.upper())


def verdict_text(code: str, facts: Facts) -> str:
    """``verdict: CODE: sentence`` with the sentence in the current language, the code as it is."""
    first = facts.addresses[0].label if facts.addresses else facts.host
    sentence = tr(f"diag.verdict_{verdict_key(code, facts)}", host=facts.host, port=facts.port,
                  where=format_address((facts.host, facts.port)), first=first)
    return tr("diag.verdict_line", code=code, sentence=sentence)


def verdict_key(code: str, facts: Facts) -> str:
    """The catalog key of a verdict's sentence (``refused`` and ``no-answer`` differ for UDP)."""
    key = code.replace("-", "_")
    if facts.udp and code in ("refused", "no-answer"):
        return f"{key}_udp"
    return key
