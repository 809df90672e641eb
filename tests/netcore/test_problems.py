"""Explanations: every errno a person can cause maps to a plain message and a hint."""

from __future__ import annotations

import errno
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netcore.problems import INPUT_PROBLEMS, NOTICES, PROBLEMS, Problem, code_for, explain, fill


@pytest.mark.parametrize(("number", "code"), [
    (errno.EADDRINUSE, "address_in_use"), (errno.EACCES, "permission_denied"),
    (errno.EADDRNOTAVAIL, "address_not_available"), (errno.ECONNREFUSED, "connection_refused"),
    (errno.ETIMEDOUT, "timed_out"), (errno.EHOSTUNREACH, "host_unreachable"),
    (errno.ENETUNREACH, "network_unreachable"), (errno.ECONNRESET, "connection_reset"),
    (errno.EPIPE, "broken_pipe"), (errno.EMFILE, "too_many_files"), (errno.EMSGSIZE, "message_too_long"),
])
def test_each_errno_has_its_explanation(number: int, code: str) -> None:
    problem = explain(OSError(number, "text"), "connect", host="h", port="1", address="h:1", timeout="5",
                      size="70000")
    assert problem.code == code
    assert "{" not in problem.message and "{" not in problem.hint, "every placeholder must be filled"


def test_name_lookup_and_timeouts() -> None:
    assert code_for(socket.gaierror(socket.EAI_NONAME, "Name or service not known")) == "name_not_found"
    assert code_for(TimeoutError("timed out")) == "timed_out"
    assert code_for(OSError(99999, "weird")) == "other"


def test_every_problem_has_a_message_and_a_hint() -> None:
    for code, (message, hint) in PROBLEMS.items():
        assert message.strip() and hint.strip(), code
    assert all(text.strip() for text in [*NOTICES.values(), *INPUT_PROBLEMS.values()])


@given(st.text())
def test_fill_never_interprets_the_values(value: str) -> None:
    assert fill("<{detail}>", {"detail": value}) == f"<{value}>"
    assert fill("{unknown} {detail!}", {"detail": value}) == f"{{unknown}} '{value}'"


def test_problem_fills_its_templates() -> None:
    problem = Problem("address_in_use", {"host": "0.0.0.0", "port": "9000"})
    assert problem.message == "Port 9000 is already in use on 0.0.0.0."
