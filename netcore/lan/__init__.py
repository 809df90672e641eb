"""LAN helpers: sending on chosen interfaces, finding each other (discovery), and diagnosing.

Engine-side and pure where they can be: the discovery protocol's encode/decode are
pure functions; the sockets live in workers or bounded calls.
"""
