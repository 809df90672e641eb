"""Checksums: the published check values, the Modbus example, and verify(append(x)) for any x."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netcore.checksums import ALGORITHMS, append, check_name, checksum, verify
from netcore.validation import InputError

CHECK = b"123456789"


def test_published_check_values() -> None:
    assert checksum("crc16-modbus", CHECK) == bytes.fromhex("374B")  # 0x4B37, low byte first
    assert checksum("crc16-ccitt", CHECK) == bytes.fromhex("29B1")
    assert checksum("crc32", CHECK) == bytes.fromhex("CBF43926")
    assert checksum("sum8", CHECK) == bytes((sum(CHECK) % 256,)) == b"\xdd"
    assert checksum("xor8", CHECK) == b"\x31"
    assert checksum("lrc", CHECK) == bytes(((256 - 0xDD) % 256,))


def test_modbus_read_holding_registers_ends_with_c5_cd() -> None:
    assert append("crc16-modbus", bytes.fromhex("01 03 00 00 00 0A")) == bytes.fromhex("01 03 00 00 00 0A C5 CD")


@given(st.sampled_from(sorted(ALGORITHMS)), st.binary(max_size=300))
def test_any_message_verifies_after_append_and_a_flipped_bit_does_not(name: str, data: bytes) -> None:
    frame = append(name, data)
    assert verify(name, frame)
    if name in ("crc16-modbus", "crc16-ccitt", "crc32", "xor8", "sum8", "lrc"):
        broken = bytearray(frame)
        broken[0] ^= 0x01
        assert not verify(name, bytes(broken))


def test_unknown_names_are_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        check_name("crc8")
    assert "crc16-modbus" in str(caught.value) and caught.value.field == "checksum"
    assert checksum("none", b"abc") == b"" and verify("none", b"")
