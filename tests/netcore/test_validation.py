"""Input checks: what a person types is refused with a message naming the field."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netcore.validation import InputError, check_host, check_port, check_timeout, parse_host_port


@given(st.integers(min_value=0, max_value=65535))
def test_every_valid_port_is_accepted(port: int) -> None:
    assert check_port(str(port)) == port == check_port(port)


@given(st.integers(min_value=65536, max_value=10**9))
def test_ports_past_65535_are_refused(port: int) -> None:
    with pytest.raises(InputError, match="too large"):
        check_port(port)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "[::1]", "0.0.0.0", "::", "localhost", "my-pc.lan",
                                  "fe80::1%eth0", "192.168.1.23"])
def test_good_hosts(host: str) -> None:
    assert check_host(host) == host.strip("[]")


@pytest.mark.parametrize("host", ["", "a b", "1.2.3", "256.1.1.1", "-x.lan", "x..lan", "::g"])
def test_bad_hosts_name_the_field(host: str) -> None:
    with pytest.raises(InputError) as caught:
        check_host(host, field="bind host")
    assert caught.value.field == "bind host" and caught.value.code in ("host_empty", "host_malformed")


@pytest.mark.parametrize(("text", "expected"), [("127.0.0.1:9000", ("127.0.0.1", 9000)),
                                                 ("[::1]:53", ("::1", 53)), ("::1:53", ("::1", 53)),
                                                 ("example.lan:0", ("example.lan", 0))])
def test_host_port(text: str, expected: tuple[str, int]) -> None:
    assert parse_host_port(text) == expected


def test_host_port_without_port_and_bad_timeouts() -> None:
    with pytest.raises(InputError, match="host:port"):
        parse_host_port("127.0.0.1")
    for bad in ("0", "-1", "x", "99999"):
        with pytest.raises(InputError):
            check_timeout(bad)
    assert check_timeout("2.5") == 2.5


@pytest.mark.parametrize("text", ["²", "①", "٣", "９０００", "1²"])
def test_unicode_digits_are_not_a_port(text: str) -> None:
    with pytest.raises(InputError) as caught:  # str.isdigit() says yes; only ASCII 0-9 make a port
        check_port(text)
    assert caught.value.field == "port" and caught.value.code == "port_not_number"
