"""The TLS switch of the TCP server and TCP client tabs, with what each side needs.

Server: a certificate and key file (both empty: a self-signed certificate made
for this machine) and, once listening, the certificate's SHA-256 fingerprint for
the other side to check. Client: a CA file (empty: the system's store), the server
name (SNI) and "Don't verify (testing only)". The panels build the engine's TLS
settings (:mod:`netcore.tls`); a bad file is an input error flagged on its field.
"""

from __future__ import annotations

import tkinter as tk
from pathlib import Path
from tkinter import filedialog, ttk

from gui.i18n import tr
from gui.i18n_tk import Texts
from gui.settings import TabSettings
from netcore.tls import ClientTls, ServerTls, client_tls, server_tls

MAX_NAME = 14
"""Characters of the certificate's file name the button shows."""


def _file_entry(panel: ttk.Frame, texts: Texts, row: int, column: int, key: str, title_key: str,
                width: int = 10) -> ttk.Entry:
    """``Label [entry] …`` in ``panel``'s grid from ``column``; the button picks a file into the entry."""
    texts.bind(ttk.Label(panel), key).grid(row=row, column=column, sticky="w", padx=(4 if column else 0, 4),
                                           pady=(2, 0))
    entry = ttk.Entry(panel, width=width)
    entry.grid(row=row, column=column + 1, sticky="ew", pady=(2, 0))

    def choose() -> None:
        name = filedialog.askopenfilename(parent=panel, title=tr(title_key))
        if name:
            entry.delete(0, "end")
            entry.insert(0, name)

    button = ttk.Button(panel, text="…", width=2, command=choose)
    button.grid(row=row, column=column + 2, sticky="e", padx=(2, 0), pady=(2, 0))
    return entry


class _TlsPanel(ttk.Frame):
    """The switch and the fields it enables; locked while the endpoint runs."""

    def __init__(self, parent: tk.Misc, texts: Texts, prefs: TabSettings, bar: tk.Misc | None = None) -> None:
        super().__init__(parent)
        self.texts, self.prefs = texts, prefs
        self.enabled = tk.BooleanVar(self, prefs.tls)
        self.switch = ttk.Checkbutton(bar or self, variable=self.enabled, command=self._sync)
        """The switch itself: in ``bar`` (the connection row) when given."""
        texts.bind(self.switch, "tls.switch")
        self.fields: list[ttk.Entry] = []
        self.checks: list[ttk.Checkbutton] = []
        self._locked = False

    def _sync(self) -> None:
        state = "disabled" if self._locked or not self.enabled.get() else "!disabled"
        for widget in (*self.fields, *self.checks):
            widget.state([state])
        for child in self.winfo_children():
            if isinstance(child, ttk.Button):
                child.state([state])
        self.switch.state(["disabled" if self._locked else "!disabled"])

    def lock(self, locked: bool) -> None:
        """While the endpoint runs nothing here changes (it would not apply)."""
        self._locked = locked
        self._sync()

    @staticmethod
    def _text(entry: ttk.Entry) -> str | None:
        return entry.get().strip() or None


class ServerTlsPanel(_TlsPanel):
    """TLS for the server: the switch, and a button for its certificate and key (none: self-signed).

    Small enough for the connection row: the fields are in :class:`CertificateDialog`.
    """

    def __init__(self, parent: tk.Misc, texts: Texts, prefs: TabSettings) -> None:
        super().__init__(parent, texts, prefs)
        self.switch.grid(row=0, column=0, sticky="w", padx=(0, 4))
        self.cert_var = tk.StringVar(self, prefs.tls_cert)
        self.key_var = tk.StringVar(self, prefs.tls_key)
        self.button = ttk.Button(self, command=self.choose)
        texts.call(self._name_source)
        self.button.grid(row=0, column=1, sticky="w")
        self.fingerprint = ""
        """The SHA-256 fingerprint of the certificate the running server shows ("" before it listens)."""
        self.dialog: CertificateDialog | None = None
        for var in (self.cert_var, self.key_var):
            var.trace_add("write", lambda *_: self._name_source())
        self._sync()

    def _sync(self) -> None:
        super()._sync()
        dialog = getattr(self, "dialog", None)
        if dialog is not None and dialog.winfo_exists():
            dialog.set_locked(self._locked)

    def _name_source(self) -> None:
        """The button names the certificate: ``server.pem…``, or ``Self-signed…``."""
        cert = Path(self.cert_var.get().strip()).name
        shown = cert if len(cert) <= MAX_NAME else cert[:MAX_NAME - 1] + "…"
        self.button.configure(text=f"{shown}…" if cert else tr("tls.certificate"))

    def choose(self) -> None:
        """Open the small window with the certificate and key fields."""
        if self.dialog is None or not self.dialog.winfo_exists():
            self.dialog = CertificateDialog(self)
        self.dialog.deiconify()
        self.dialog.lift()

    def settings(self) -> ServerTls | None:
        """The engine's TLS settings from the fields (None: TLS off); InputError names a bad field."""
        self.remember()
        if not self.enabled.get():
            return None
        return server_tls(self.cert_var.get().strip() or None, self.key_var.get().strip() or None)

    def remember(self) -> None:
        self.prefs.tls = self.enabled.get()
        self.prefs.tls_cert, self.prefs.tls_key = self.cert_var.get().strip(), self.key_var.get().strip()


class CertificateDialog(tk.Toplevel):
    """Certificate and key files for the server (both empty: a self-signed certificate for this machine)."""

    def __init__(self, panel: ServerTlsPanel) -> None:
        super().__init__(panel)
        self.title(tr("tls.certificate_title"))
        self.transient(panel.winfo_toplevel())
        self.resizable(True, False)
        body = ttk.Frame(self, padding=10)
        body.pack(fill="both", expand=True)
        texts = Texts()
        self.cert = _file_entry(body, texts, 0, 0, "tls.cert", "tls.choose_cert", width=40)
        self.key = _file_entry(body, texts, 1, 0, "tls.key", "tls.choose_key", width=40)
        self.cert.configure(textvariable=panel.cert_var)
        self.key.configure(textvariable=panel.key_var)
        body.columnconfigure(1, weight=1)
        note = ttk.Label(body, justify="left", wraplength=420)
        texts.bind(note, "tls.self_signed_note").grid(row=2, column=0, columnspan=3, sticky="w", pady=(8, 8))
        buttons = ttk.Frame(body)
        buttons.grid(row=3, column=0, columnspan=3, sticky="e")

        def self_signed() -> None:
            panel.cert_var.set("")
            panel.key_var.set("")

        use_self_signed = texts.bind(ttk.Button(buttons, command=self_signed), "tls.use_self_signed")
        use_self_signed.pack(side="left", padx=(0, 6))
        texts.bind(ttk.Button(buttons, command=self.withdraw), "tls.done").pack(side="left")
        self.buttons = [child for child in body.winfo_children() if isinstance(child, ttk.Button)]
        self.buttons.append(use_self_signed)  # "Done" always works
        self.set_locked(panel._locked)
        self.protocol("WM_DELETE_WINDOW", self.withdraw)
        self.bind("<Escape>", lambda _e: self.withdraw())

    def set_locked(self, locked: bool) -> None:
        """While the server runs its certificate cannot change: the fields are read-only."""
        for widget in (self.cert, self.key, *self.buttons):
            widget.state(["disabled" if locked else "!disabled"])


class ClientTlsPanel(_TlsPanel):
    """TLS for the client: what to verify the server against, the name to ask for, or no verification."""

    def __init__(self, parent: tk.Misc, texts: Texts, prefs: TabSettings, bar: tk.Misc) -> None:
        super().__init__(parent, texts, prefs, bar)
        self.switch.pack(side="left", padx=(6, 0))
        self.insecure = tk.BooleanVar(self, False)
        """Never remembered: verification is back on at the next start."""
        check = ttk.Checkbutton(self, variable=self.insecure)
        texts.bind(check, "tls.insecure").grid(row=0, column=0, columnspan=5, sticky="w")
        self.ca = _file_entry(self, texts, 1, 0, "tls.ca", "tls.choose_ca", width=8)
        texts.bind(ttk.Label(self), "tls.sni").grid(row=1, column=3, sticky="w", padx=(8, 4), pady=(2, 0))
        self.sni = ttk.Entry(self, width=8)
        self.sni.grid(row=1, column=4, sticky="ew", pady=(2, 0))
        self.columnconfigure(1, weight=1)
        self.columnconfigure(4, weight=1)
        self.ca.insert(0, prefs.tls_ca)
        self.sni.insert(0, prefs.tls_sni)
        self.fields = [self.ca, self.sni]
        self.checks = [check]
        self._sync()

    def settings(self, host: str) -> ClientTls | None:
        """The engine's TLS settings for connecting to ``host`` (None: TLS off)."""
        self.remember()
        if not self.enabled.get():
            return None
        return client_tls(host, ca=None if self.insecure.get() else self._text(self.ca),
                          sni=self._text(self.sni), insecure=self.insecure.get())

    def remember(self) -> None:
        self.prefs.tls = self.enabled.get()
        self.prefs.tls_ca, self.prefs.tls_sni = self.ca.get().strip(), self.sni.get().strip()
