"""The TLS switch of the TCP server and client tabs, with a real Tk root and real TLS sessions on loopback."""

from __future__ import annotations

import socket
import ssl
import tkinter as tk
from pathlib import Path
from typing import Any

import pytest

from gui import i18n
from gui.i18n import tr
from gui.logmodel import LogRecord
from gui.tabs.base import EndpointTab
from netcore.events import State
from tests.gui.conftest import pump_until
from tests.gui.helpers import received, send_text, set_field, start_listening

pytestmark = pytest.mark.gui


def rows(tab: EndpointTab, key: str) -> list[LogRecord]:
    tab.flush()
    return [record for record in tab.log.records if record.key == key]


def wait_row(root: tk.Tk, tab: EndpointTab, key: str, what: str) -> LogRecord:
    pump_until(root, lambda: bool(rows(tab, key)), timeout=10, what=what)
    return rows(tab, key)[0]


def tls_server(root: tk.Tk, window: Any) -> tuple[Any, int]:
    server = window.tabs()[0]
    server.tls.enabled.set(True)
    server.tls._sync()
    return server, start_listening(root, server)


def test_server_and_client_tabs_talk_tls_with_the_fingerprint_shown(window: Any, root: tk.Tk,
                                                                   config_dir: Path) -> None:
    server, port = tls_server(root, window)
    pump_until(root, lambda: bool(server.tls.fingerprint), what="the fingerprint")
    fingerprint = server.tls.fingerprint
    assert fingerprint in server.row.info_label.cget("text")
    assert str(server.tls.switch.state()).count("disabled")  # locked while it runs
    client = window.tabs()[1]
    client.tls.enabled.set(True)
    client.tls._sync()
    set_field(client.tls.ca, str(config_dir / "tls-cert.pem"))
    set_field(client.row.host, "localhost")
    set_field(client.row.port, str(port))
    assert client.start()
    ready = wait_row(root, client, "notice.tls_ready", "the client's TLS row")
    assert ready.params["version"].startswith("TLSv1.")
    cert = wait_row(root, client, "notice.tls_peer_cert", "the certificate row")
    assert cert.params["fingerprint"] == fingerprint
    wait_row(root, server, "notice.tls_ready", "the server's TLS row")
    assert send_text(client, "over tls")
    pump_until(root, lambda: received(server) == b"over tls", timeout=10, what="the bytes at the server")
    assert client.prefs.tls and client.prefs.tls_ca.endswith("tls-cert.pem")
    i18n.set_language("zh")
    try:
        window.set_language("zh")
        assert "TLS" in tr("notice.tls_ready", **ready.params) and "加密套件" in tr("notice.tls_ready",
                                                                                  **ready.params)
    finally:
        window.set_language("en")
    client.stop()
    pump_until(root, lambda: client.row.current is State.STOPPED, what="client stopped")
    assert "disabled" not in client.tls.switch.state()


def test_client_that_verifies_refuses_the_self_signed_server_in_words(window: Any, root: tk.Tk) -> None:
    _server, port = tls_server(root, window)
    client = window.tabs()[1]
    client.tls.enabled.set(True)
    client.tls._sync()
    set_field(client.row.host, "127.0.0.1")
    set_field(client.row.port, str(port))
    assert client.start()
    pump_until(root, lambda: client.row.current is State.ERROR, timeout=10, what="the refusal")
    assert "self-signed" in client.row.info_label.cget("text")
    assert rows(client, "problem.tls_self_signed")


def test_dont_verify_connects_and_says_so(window: Any, root: tk.Tk) -> None:
    _server, port = tls_server(root, window)
    client = window.tabs()[1]
    client.tls.enabled.set(True)
    client.tls.insecure.set(True)
    client.tls._sync()
    set_field(client.row.host, "127.0.0.1")
    set_field(client.row.port, str(port))
    assert client.start()
    wait_row(root, client, "notice.tls_unverified", "the not-verified row")


def test_a_plain_client_to_the_tls_tab_is_explained_and_the_tab_serves_on(window: Any, root: tk.Tk,
                                                                        config_dir: Path) -> None:
    server, port = tls_server(root, window)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as plain:
        plain.sendall(b"hello?\n")
        problem = wait_row(root, server, "problem.tls_plain_client", "the plain-client row")
    assert problem.params["first"] == "hello?\\n"
    context = ssl.create_default_context(cafile=str(config_dir / "tls-cert.pem"))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, \
            context.wrap_socket(raw, server_hostname="localhost") as sock:
        sock.sendall(b"fine")
        pump_until(root, lambda: received(server).endswith(b"fine"), timeout=10, what="the TLS client's bytes")
    assert server.row.current is State.LISTENING


def test_a_bad_certificate_file_is_flagged_and_named(window: Any, root: tk.Tk, tmp_path: Path) -> None:
    server = window.tabs()[0]
    server.tls.enabled.set(True)
    server.tls._sync()
    server.tls.choose()
    dialog = server.tls.dialog
    assert dialog is not None
    set_field(dialog.cert, str(tmp_path / "missing.pem"))
    set_field(dialog.key, str(tmp_path / "missing.key"))
    assert server.tls.cert_var.get().endswith("missing.pem")
    assert server.tls.button.cget("text") == "missing.pem…"
    dialog.withdraw()
    set_field(server.row.port, "0")
    assert not server.start()
    assert "invalid" in server.tls.button.state()
    assert "missing.pem" in server.row.info_label.cget("text")
    server.tls.cert_var.set("")
    server.tls.key_var.set("")
    assert server.tls.button.cget("text") == tr("tls.certificate")
    start_listening(root, server)
