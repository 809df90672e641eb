"""Review finding for the terminal output: per-peer text decoders outlive their connection.

It pins down a defect a review found, now fixed.
"""

from __future__ import annotations

from cli.output import Display, event_line
from netcore.events import CloseReason, DataReceived, PeerClosed, PeerConnected

DEVICE = ("192.0.2.7", 502)  # a device that always connects from the same source port


def test_a_new_connection_from_the_same_address_starts_with_a_fresh_decoder() -> None:
    display = Display("utf-8")
    event_line(PeerConnected(endpoint="s", peer=DEVICE, local=("192.0.2.1", 9000)), display)
    event_line(DataReceived(endpoint="s", peer=DEVICE, data="ok \u4f60".encode()[:-1]), display)  # cut mid-character
    event_line(PeerClosed(endpoint="s", peer=DEVICE, reason=CloseReason.FIN), display)

    event_line(PeerConnected(endpoint="s", peer=DEVICE, local=("192.0.2.1", 9000)), display)
    line = event_line(DataReceived(endpoint="s", peer=DEVICE, data=b"A"), display)
    assert line == "[192.0.2.7:502] received 1 bytes: A"
