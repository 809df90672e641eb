"""Review findings for the TCP server: accept errors and timeout messages.

Each test pins down a defect a review found, now fixed.
"""

from __future__ import annotations

import os
import socket
import sys
import time

import pytest

from netcore.events import ErrorEvent, PeerConnected
from tests.netcore.conftest import Recorder


@pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_NOFILE")
def test_accept_out_of_files_backs_off_instead_of_flooding(serve, rec: Recorder) -> None:
    import resource

    server, port = serve()
    rec.pump()
    before = len(rec.of(ErrorEvent, server.name))
    client = socket.socket()  # its descriptor exists before the limit drops
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    lowest_free = os.dup(0)
    os.close(lowest_free)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (lowest_free, hard))  # no new descriptor anywhere now
        client.connect(("127.0.0.1", port))  # completes in the kernel; the server's accept() gets EMFILE
        time.sleep(0.5)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        errors = rec.of(ErrorEvent, server.name)[before:]
        assert errors and errors[0].code == "too_many_files"
        assert len(errors) <= 5, f"{len(errors)} 'too many files' errors in half a second"
        # once descriptors are free again the waiting client is accepted
        rec.wait_type(PeerConnected, server.name, timeout=3.0)
    finally:
        client.close()


@pytest.mark.skipif(not hasattr(socket, "TCP_USER_TIMEOUT"), reason="needs TCP_USER_TIMEOUT (Linux)")
def test_timeout_on_an_established_connection_is_explained_without_placeholders(serve, rec: Recorder) -> None:
    server, port = serve()
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.connect(("127.0.0.1", port))  # and never reads: a peer that went silent
    try:
        peer = rec.wait_type(PeerConnected, server.name).peer
        # the kernel gives up on the silent peer after 0.3 s of unanswered window probes (ETIMEDOUT),
        # as it does after minutes when a LAN device is unplugged mid-transfer
        conn = server._by_peer[peer]  # test-only reach-in: no public way to set a socket option
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, 300)
        for _ in range(8):
            server.send(b"x" * 1_000_000)
        error = rec.wait_type(ErrorEvent, server.name, timeout=20.0)
        assert "{" not in error.message and "{" not in error.hint, error.message
    finally:
        client.close()
