"""The words for TLS: handshake failures with a hint, TLS notices, and bad certificate files.

Kept beside :mod:`netcore.problems` (which merges these tables into its own), so
the TLS codes are found in one place; the same ``{name}`` slots and
:func:`netcore.problems.fill` rules apply. The window has Simplified Chinese for
every code here (``gui/locales/zh_tls.py``).
"""

from __future__ import annotations

TLS_PROBLEMS: dict[str, tuple[str, str]] = {
    "tls_unknown_ca": (
        'The certificate of {address} is signed by an authority this machine does not trust ({detail}).',
        'Give its CA certificate as the CA file (--ca FILE); for testing only, turn verification off.',
    ),
    "tls_self_signed": (
        '{address} showed a self-signed certificate: nothing this machine trusts vouches for it.',
        "Check its SHA-256 fingerprint with the server's, then give that certificate as the CA file (--ca FILE).",
    ),
    "tls_name_mismatch": (
        "The certificate of {address} is not for the name {name!} ({detail}).",
        "Connect with a name the certificate holds, or set the server name (SNI, --sni NAME) to one of them.",
    ),
    "tls_expired": (
        "The certificate of {address} has expired ({detail}).",
        "Renew the server's certificate, or check that this machine's date and time are right.",
    ),
    "tls_not_yet_valid": (
        "The certificate of {address} is not valid yet ({detail}).",
        "Check that this machine's date and time are right (and the server's).",
    ),
    "tls_cert_rejected": (
        "The certificate of {address} could not be verified: {detail}.",
        "Look at the certificate the server sends; for testing only, turn verification off (--insecure).",
    ),
    "tls_not_tls_server": (
        "{address} did not answer like a TLS server: {detail}.",
        "It probably speaks plain TCP: turn TLS off, or connect to the server's TLS port.",
    ),
    "tls_handshake_timeout": (
        "No answer to the TLS handshake from {address} within {timeout} s.",
        "A plain TCP server waits silently for the client to speak: turn TLS off, or connect to the "
        "server's TLS port.",
    ),
    "tls_closed_in_handshake": (
        "{address} closed the connection during the TLS handshake.",
        "The other side may not speak TLS, or it refused this side's TLS version or certificate: its log says why.",
    ),
    "tls_plain_client": (
        '{address} sent {first!}: plain data, not a TLS handshake (which starts with byte 0x16).',
        'That client speaks plain TCP: connect with TLS, or turn TLS off here. Only that connection was closed.',
    ),
    "tls_client_silent": (
        "{address} sent no TLS handshake within {timeout} s, so that connection was closed.",
        "A plain TCP client waits for the server to speak first: connect with TLS, or turn TLS off here.",
    ),
    "tls_peer_rejected": (
        "{address} refused the TLS handshake: {detail}.",
        "It may not trust this certificate (give it this server's certificate as its CA file), "
        "or share no TLS version.",
    ),
    "tls_broken": (
        "The TLS connection with {address} broke: {detail}.",
        "The other side sent a TLS alert or damaged data and the connection was closed; look at its log, "
        "then connect again.",
    ),
    "tls_failed": (
        "The TLS handshake with {address} failed: {detail}.",
        "Check that both sides speak TLS on this port, and their TLS versions and certificates.",
    ),
}

TLS_NOTICES: dict[str, str] = {
    "tls_ready": "TLS with {address}: {version}, cipher {cipher} ({bits} bits).",
    "tls_peer_cert": "Certificate of {address}: subject {subject}; issuer {issuer}; valid from {not_before} "
    "to {not_after}; SHA-256 {fingerprint}.",
    "tls_unverified": "The certificate of {address} was NOT verified (testing only): anyone on the way could "
    "pretend to be it.",
    "tls_server_cert": "TLS on: certificate {path}, SHA-256 fingerprint {fingerprint}.",
    "tls_self_signed_cert": "TLS on with a self-signed certificate made for this machine ({names}), kept in "
    "{path}. SHA-256 fingerprint {fingerprint}: clients can check it, or trust the file "
    "(openssl s_client -CAfile {path}).",
}

TLS_INPUT: dict[str, str] = {
    "tls_file_unreadable": "The file {value!} cannot be read: {detail}. Hint: check the file name and that "
    "this user may read it.",
    "tls_cert_bad": "The certificate file {value!} holds no certificate SocketLab can read ({detail}). "
    "Hint: give a PEM file that starts with -----BEGIN CERTIFICATE-----.",
    "tls_key_bad": "The key file {value!} holds no private key SocketLab can read ({detail}). "
    "Hint: give a PEM file that starts with -----BEGIN PRIVATE KEY----- (or RSA/EC PRIVATE KEY).",
    "tls_key_encrypted": "The key file {value!} is protected by a password. Hint: SocketLab needs a key "
    "without one, e.g. openssl pkey -in {value} -out plain.key.",
    "tls_key_mismatch": "The key file {value!} does not belong to the certificate {cert!}. Hint: give the key "
    "that was made together with that certificate.",
    "tls_pair_needed": "The {field} is missing: a certificate and its key go together. Hint: give both files, "
    "or neither to use a self-signed certificate made for this machine.",
    "tls_self_signed_failed": "Could not keep a self-signed certificate in {value!}: {detail}. Hint: check that "
    "the settings folder can be written, or give --cert FILE --key FILE.",
}
