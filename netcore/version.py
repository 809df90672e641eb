"""SocketLab's version, one place for every front-end (kept equal to pyproject.toml's by a test)."""

VERSION = "0.1.0"
