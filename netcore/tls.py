"""TLS settings for the stream endpoints: contexts, what to say after a handshake, and why one failed.

A front-end builds a :class:`ServerTls` (the user's certificate and key, or the
machine's self-signed pair) or a :class:`ClientTls` (verify against the system's
store or a CA file, a server name for SNI, or no verification for testing) before
the endpoint starts, so a bad file is an input error naming it. The endpoint then
wraps each connected socket with the context (see :mod:`netcore.tls_stream`).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from netcore.problems import Problem
from netcore.validation import check_host, input_error

TLS_RECORD_BYTE = 0x16
"""The first byte of every TLS handshake record (a ClientHello starts with it)."""


@dataclass(frozen=True)
class ServerTls:
    """The server's side: its context and the certificate a client will see."""

    context: ssl.SSLContext
    cert_path: str
    fingerprint: str
    made_for: tuple[str, ...] = ()
    """The names and addresses of a self-signed certificate made for this machine (empty: the user's files)."""
    handshake_seconds: float = 10.0
    """A connection that has not finished its handshake by then is closed (a plain client waiting to be greeted)."""

    def notice(self) -> tuple[str, dict[str, str]]:
        """The code and parameters of the notice that says TLS is on, and how to check the certificate."""
        params = {"path": self.cert_path, "fingerprint": self.fingerprint, "names": ", ".join(self.made_for)}
        return ("tls_self_signed_cert" if self.made_for else "tls_server_cert"), params


@dataclass(frozen=True)
class ClientTls:
    """The client's side: its context, the name it sends (SNI) and checks, and whether it verifies."""

    context: ssl.SSLContext
    server_name: str
    verify: bool


def server_tls(cert: str | None = None, key: str | None = None, folder: Path | None = None) -> ServerTls:
    """A server context from ``cert`` and ``key``, or from the machine's self-signed pair when both are None."""
    if (cert is None) != (key is None):
        raise input_error("tls_pair_needed", {"field": "key" if key is None else "cert"})
    from netcore import certs  # cryptography loads only when TLS is used

    made_for: tuple[str, ...] = ()
    if cert is None or key is None:
        pair = certs.ensure_self_signed(folder)
        cert, key, made_for = str(pair.cert_path), str(pair.key_path), pair.names
    certificate = certs.read_certificate(cert, "cert")
    certs.check_key(key, certificate, cert, "key")
    context = _ends_quietly(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ValueError) as exc:  # checked above, so only an odd file gets here
        raise input_error("tls_cert_bad", {"field": "cert", "value": cert, "detail": _reason(exc)}) from None
    return ServerTls(context, cert, certs.fingerprint(certs.der_of(certificate)), made_for)


def client_tls(host: str, ca: str | None = None, sni: str | None = None, insecure: bool = False) -> ClientTls:
    """A client context: verify against the system store (or ``ca``) unless ``insecure``."""
    name = check_host(sni, "sni") if sni and sni.strip() else host.strip().strip("[]")
    if insecure:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif ca:
        from netcore import certs

        certs.read_certificate(ca, "ca")  # names the file if it is missing or holds no certificate
        context = _with_ca(ca)
    else:
        context = ssl.create_default_context()
    return ClientTls(_ends_quietly(context), name, verify=not insecure)


def _ends_quietly(context: ssl.SSLContext) -> ssl.SSLContext:
    """A peer's FIN without close_notify ends the stream like one with it (SocketLab's own half-close
    sends no close_notify, see :mod:`netcore.tls_stream`), instead of leaving the TLS layer broken."""
    context.options |= getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    return context


def _with_ca(ca: str) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=ca)
    except (OSError, ValueError) as exc:
        raise input_error("tls_cert_bad", {"field": "ca", "value": ca, "detail": _reason(exc)}) from None


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str) and reason:
        return reason.replace("_", " ").lower()
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


# ---- after the handshake ----

def session_notices(sock: ssl.SSLSocket, address: str, verified: bool) -> list[tuple[str, dict[str, str]]]:
    """The notices that say what the handshake agreed and who the other side is."""
    name, _protocol, bits = sock.cipher() or ("?", "?", 0)
    notices = [("tls_ready", {"address": address, "version": sock.version() or "?", "cipher": name,
                              "bits": str(bits)})]
    der = sock.getpeercert(binary_form=True)
    if der:
        from netcore import certs

        notices.append(("tls_peer_cert", {"address": address, **certs.facts(der).params()}))
    if not verified:
        notices.append(("tls_unverified", {"address": address}))
    return notices


# ---- why a handshake failed ----

_VERIFY_CODES = {
    18: "tls_self_signed",  # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
    19: "tls_unknown_ca",  # SELF_SIGNED_CERT_IN_CHAIN
    20: "tls_unknown_ca",  # UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    21: "tls_unknown_ca",  # UNABLE_TO_VERIFY_LEAF_SIGNATURE
    2: "tls_unknown_ca",  # UNABLE_TO_GET_ISSUER_CERT
    10: "tls_expired",  # CERT_HAS_EXPIRED
    9: "tls_not_yet_valid",  # CERT_NOT_YET_VALID
    62: "tls_name_mismatch",  # HOSTNAME_MISMATCH
    64: "tls_name_mismatch",  # IP_ADDRESS_MISMATCH
}
_NOT_TLS = {"WRONG_VERSION_NUMBER", "HTTP_REQUEST", "HTTPS_PROXY_REQUEST", "UNKNOWN_PROTOCOL",
            "PACKET_LENGTH_TOO_LONG", "RECORD_LAYER_FAILURE", "UNEXPECTED_RECORD", "RECORD_TOO_LARGE",
            "UNEXPECTED_MESSAGE", "LENGTH_TOO_SHORT", "BAD_PACKET_LENGTH"}


def explain_handshake(exc: OSError, server_side: bool, address: str, name: str = "",
                      first: bytes = b"") -> Problem | None:
    """A TLS failure in plain words; None when ``exc`` is an ordinary socket error (explained as usual)."""
    params = {"address": address, "name": name, "detail": _detail(exc)}
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Problem(_VERIFY_CODES.get(exc.verify_code, "tls_cert_rejected"), params)
    if server_side and first and first[0] != TLS_RECORD_BYTE:
        return Problem("tls_plain_client", {**params, "first": shown_bytes(first)})
    if isinstance(exc, (ssl.SSLEOFError, ssl.SSLZeroReturnError)):
        return Problem("tls_closed_in_handshake", params)
    if not isinstance(exc, ssl.SSLError):
        return None
    reason = str(getattr(exc, "reason", "") or "")
    if reason in _NOT_TLS:
        code = "tls_failed" if server_side else "tls_not_tls_server"
        return Problem(code, params)
    if "ALERT" in reason:
        return Problem("tls_peer_rejected", params)
    return Problem("tls_failed", params)


def _detail(exc: OSError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return str(exc.verify_message)
    return _reason(exc)


def shown_bytes(data: bytes) -> str:
    """The first bytes a plain client sent, escaped for one line (``GET / HTTP/1.1\\r\\n``)."""
    return repr(bytes(data))[2:-1]
