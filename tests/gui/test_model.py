"""Pure parts of the window: log rows, counters, the receive spool, local interfaces."""

from __future__ import annotations

from gui.logmodel import CALL, ERROR, EVENT, RECEIVED, SENT, LogRecord, data_record, format_row, to_csv
from gui.traffic import Counters, ReceiveSpool, human_rate
from netcore.interfaces import LocalAddress, bind_choices, local_addresses, reachable_addresses


def test_data_row_text_and_hex() -> None:
    record = data_record(RECEIVED, 0.0, ("127.0.0.1", 5000), "héllo\r\n\x00".encode())
    text = format_row(record, hex_mode=False, encoding="utf-8", timestamps=False)
    assert text == "←\t127.0.0.1:5000\t9 B\théllo\\r\\n\\x00"
    assert format_row(record, True, "utf-8", False).endswith("68 C3 A9 6C 6C 6F 0D 0A 00")
    assert format_row(record, False, "latin-1", True).count("\t") == 4
    event = LogRecord(EVENT, 0.0, key="ev.stopped")
    assert format_row(event, False, "utf-8", False) == "•\tStopped"


def test_undecodable_bytes_show_as_escapes() -> None:
    record = data_record(SENT, 0.0, ("::1", 80), b"ok\xff\xfe")
    assert format_row(record, False, "utf-8", False).endswith("ok\\xff\\xfe")
    assert "[::1]:80" in format_row(record, False, "utf-8", False)


def test_merged_rows_sum_bytes_and_keep_a_bounded_preview() -> None:
    first = data_record(RECEIVED, 0.0, ("h", 1), b"a" * 1000)
    for _ in range(10):
        nxt = data_record(RECEIVED, 0.0, ("h", 1), b"b" * 1000)
        assert first.can_merge(nxt)
        first.merge(nxt)
    assert first.nbytes == 11_000 and first.count == 11 and first.data == b"a" * 1000
    assert "11,000 B ×11" in format_row(first, False, "utf-8", False)
    assert not first.can_merge(data_record(SENT, 0.0, ("h", 1), b"x"))
    assert not first.can_merge(data_record(RECEIVED, 0.0, ("h", 2), b"x"))


def test_event_rows_and_csv() -> None:
    call = LogRecord(CALL, 0.0, raw_text="bind(('0.0.0.0', 9000)) -> ok")
    error = LogRecord(ERROR, 0.0, key="problem.address_in_use", params={"port": "9000", "host": "h"},
                      hint_key="hint.address_in_use")
    assert format_row(call, False, "utf-8", False) == "•\tbind(('0.0.0.0', 9000)) -> ok"
    assert "Port 9000 is already in use on h. — Another program" in format_row(error, False, "utf-8", False)
    csv_text = to_csv([data_record(SENT, 0.0, ("h", 1), b"a,b"), call], "utf-8")
    lines = csv_text.splitlines()
    assert lines[0] == "time,direction,peer,bytes,messages,text,hex,message"
    assert lines[1].endswith(',sent,h:1,3,1,"a,b",61 2C 62,')


def test_counters_and_rates() -> None:
    now = [100.0]
    counters = Counters(clock=lambda: now[0])
    counters.received(100)
    counters.sent(10)
    counters.sent(5)
    now[0] += 0.5
    assert counters.sample()
    assert (counters.bytes_in, counters.msgs_in, counters.bytes_out, counters.msgs_out) == (100, 1, 15, 2)
    assert counters.rate_in == 200.0 and counters.rate_out == 30.0
    counters.reset()
    assert counters.bytes_in == counters.msgs_out == 0 and counters.idle
    assert human_rate(999) == "999 B/s" and human_rate(12_345) == "12.3 KB/s" and human_rate(4.5e6) == "4.5 MB/s"


def test_spool_keeps_everything_up_to_its_limit(tmp_path: object) -> None:
    spool = ReceiveSpool(limit=10)
    spool.write(b"12345")
    spool.write(b"67890abc")
    assert spool.read_all() == b"1234567890" and spool.dropped == 3
    spool.clear()
    spool.write(b"x")
    assert spool.read_all() == b"x"
    spool.close()


def test_local_addresses_include_loopback() -> None:
    ips = [a.ip for a in local_addresses()]
    assert "127.0.0.1" in ips
    assert ips.index("127.0.0.1") >= len([a for a in local_addresses() if not a.is_loopback])


def test_reachable_addresses_for_wildcards_and_specific_hosts() -> None:
    pool = [LocalAddress("eth0", "192.168.1.23", 24, 4), LocalAddress("eth0", "fe80::1%eth0", 64, 6),
            LocalAddress("eth0", "fd00::2", 64, 6), LocalAddress("lo", "127.0.0.1", 8, 4),
            LocalAddress("lo", "::1", 128, 6)]
    assert reachable_addresses("0.0.0.0", pool) == ["192.168.1.23"]
    assert reachable_addresses("::", pool)[:2] == ["fd00::2", "fe80::1%eth0"]
    assert reachable_addresses("127.0.0.1", pool) == []
    assert reachable_addresses("192.168.1.23", pool) == ["192.168.1.23"]
    assert bind_choices(pool)[:5] == ["0.0.0.0", "127.0.0.1", "::", "::1", "192.168.1.23"]
    assert pool[1].is_link_local and pool[3].is_loopback and pool[0].label == "192.168.1.23 (eth0)"
