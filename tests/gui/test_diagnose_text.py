"""Diagnose's findings and verdicts in the window's words: English says exactly what the engine
(and the CLI) says, Chinese re-tells every shape the engine has. Real probes on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from gui import i18n
from gui.lan.diagnose_text import finding_text, verdict_text
from netcore.lan.diagnose import VERDICTS, Facts, diagnose, firewall_hint, verdict
from netcore.lan.probes import OPEN, REFUSED, TIMEOUT, UNREACHABLE, PortResult, Resolved
from tests.gui.test_no_english import WORD, allowed_words

V4, V6 = Resolved(socket.AF_INET, "127.0.0.1"), Resolved(socket.AF_INET6, "::1")


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.set_language("zh")
    yield
    i18n.set_language("en")


def _facts(code: str) -> Facts:
    """Facts that make each verdict (the input the engine's :func:`verdict` sums up)."""
    facts = Facts("box.example", 9000, udp=code.endswith("/udp"), addresses=[V4])
    outcome = {"open": OPEN, "refused": REFUSED, "refused/udp": REFUSED, "unreachable": UNREACHABLE}.get(code, TIMEOUT)
    facts.results = {"127.0.0.1": PortResult(outcome)}
    if code == "name-not-found":
        facts.addresses, facts.name_error = [], "Name or service not known"
    elif code == "wrong-family":
        facts.addresses = [V6, V4]
        facts.results = {"::1": PortResult(REFUSED), "127.0.0.1": PortResult(OPEN)}
    elif code == "loopback-only":
        facts.local_target, facts.loopback = True, {"127.0.0.1": PortResult(OPEN)}
    elif code == "filtered":
        facts.others = {22: PortResult(REFUSED)}
    return facts


CASES = [*VERDICTS, "refused/udp", "no-answer/udp"]


@pytest.mark.parametrize("case", CASES)
def test_every_verdict_in_english_is_the_engines_line(case: str) -> None:
    facts = _facts(case)
    code, sentence = verdict(facts)
    assert code == case.split("/")[0]
    assert verdict_text(code, facts) == f"verdict: {code}: {sentence}"


@pytest.mark.parametrize("case", CASES)
def test_every_verdict_in_chinese_keeps_its_code_and_no_english(case: str, chinese: None) -> None:
    facts = _facts(case)
    code, sentence = verdict(facts)
    shown = verdict_text(code, facts)
    assert shown.startswith(f"结论：{code}：") and sentence not in shown
    words = set(WORD.findall(shown.replace(code, ""))) - allowed_words() - {"box", "example"}
    assert not words, shown


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
@pytest.mark.parametrize("udp", [False, True])
def test_the_firewall_hint_is_the_engines(platform: str, udp: bool) -> None:
    line = "firewall: if it is a firewall, " + firewall_hint(8080, udp, platform)
    assert finding_text(line, 8080, udp, platform) == line
    i18n.set_language("zh")
    try:
        assert finding_text(line, 8080, udp, platform).startswith("防火墙：")
    finally:
        i18n.set_language("en")


Lines = list[tuple[str, int, bool]]


def _real_lines(port: int, udp: bool = False) -> Lines:
    lines: list[str] = []
    diagnose("127.0.0.1", port, udp, timeout=1.0, report=lines.append)
    return [(line, port, udp) for line in lines]


def test_real_findings_are_told_in_both_languages() -> None:
    with socket.socket() as listener, socket.socket() as closed, socket.socket(socket.AF_INET,
                                                                               socket.SOCK_DGRAM) as quiet:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        closed.bind(("127.0.0.1", 0))  # bound, not listening: a connect is refused
        quiet.bind(("127.0.0.1", 0))
        runs = [_real_lines(listener.getsockname()[1]), _real_lines(closed.getsockname()[1]),
                _real_lines(closed.getsockname()[1], udp=True), _real_lines(quiet.getsockname()[1], udp=True)]
    lines = [line for run in runs for line in run]
    assert any(": open" in line for line, _, _ in lines) and any(": refused" in line for line, _, _ in lines)
    assert any(line.startswith("firewall:") for line, _, _ in lines)  # the silent UDP port
    for line, port, udp in lines:
        assert finding_text(line, port, udp) == line  # English: the engine's own words
    i18n.set_language("zh")
    try:
        for line, port, udp in lines:
            told = finding_text(line, port, udp)
            assert told != line, line
            assert not set(WORD.findall(told)) - allowed_words() - {"udp", "tcp"}, told  # "ufw allow 80/udp"
    finally:
        i18n.set_language("en")


def test_an_unknown_shape_is_shown_as_it_came() -> None:
    assert finding_text("something new: 42") == "something new: 42"
