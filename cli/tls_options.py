"""The TLS options of ``tcp-server`` and ``tcp-client``, checked together, and the contexts they make.

``--tls`` turns TLS on; the other options only make sense with it, and a
certificate goes with its key: anything else is a usage error (exit 2), not
something quietly ignored.
"""

from __future__ import annotations

import argparse

from netcore.tls import ClientTls, ServerTls, client_tls, server_tls
from netcore.validation import InputError


def add_server_tls_options(parser: argparse.ArgumentParser) -> None:
    """``--tls [--cert FILE --key FILE]``."""
    group = parser.add_argument_group("TLS")
    group.add_argument("--tls", action="store_true",
                       help="speak TLS; without --cert/--key, a self-signed certificate made for this machine "
                            "(kept in the settings folder; its SHA-256 fingerprint is shown)")
    group.add_argument("--cert", metavar="FILE", help="the server's certificate (PEM), with --key")
    group.add_argument("--key", metavar="FILE", help="the private key of --cert (PEM, without a password)")


def add_client_tls_options(parser: argparse.ArgumentParser) -> None:
    """``--tls [--ca FILE] [--sni NAME] [--insecure]``."""
    group = parser.add_argument_group("TLS")
    group.add_argument("--tls", action="store_true",
                       help="speak TLS, verifying the server's certificate against the system's store")
    group.add_argument("--ca", metavar="FILE", help="verify against the CA certificate(s) in FILE instead "
                                                   "(e.g. the server's own self-signed certificate)")
    group.add_argument("--sni", metavar="NAME", help="the server name to send and to check the certificate "
                                                    "against (default: the host)")
    group.add_argument("--insecure", action="store_true", help="do not verify the certificate (testing only)")


def _only_with_tls(args: argparse.Namespace, options: tuple[str, ...]) -> None:
    given = [f"--{name}" for name in options if getattr(args, name, None)]
    if given and not args.tls:
        them = "them" if len(given) > 1 else "it"
        raise InputError("tls", f"{' and '.join(given)} only work{'s' if len(given) == 1 else ''} with --tls. "
                         f"Hint: add --tls, or leave {them} out.", "tls_option_without_tls")


def server_tls_from(args: argparse.Namespace) -> ServerTls | None:
    """The server's TLS from the options (None: plain TCP); InputError for a bad combination or file."""
    _only_with_tls(args, ("cert", "key"))
    if not args.tls:
        return None
    if bool(args.cert) != bool(args.key):
        missing = "--key" if args.cert else "--cert"
        raise InputError(missing.lstrip("-"), f"{missing} is missing: a certificate and its key go together. "
                         "Hint: give both --cert FILE and --key FILE, or neither for a self-signed certificate "
                         "made for this machine.", "tls_pair_needed")
    return server_tls(args.cert, args.key)


def client_tls_from(args: argparse.Namespace) -> ClientTls | None:
    """The client's TLS from the options (None: plain TCP)."""
    _only_with_tls(args, ("ca", "sni", "insecure"))
    if not args.tls:
        return None
    if args.insecure and args.ca:
        raise InputError("ca", "--insecure and --ca contradict each other: one verifies, the other does not. "
                         "Hint: leave one out.", "tls_options_conflict")
    return client_tls(args.host, ca=args.ca, sni=args.sni, insecure=args.insecure)
