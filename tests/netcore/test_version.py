"""The version the program shows is the package's version."""

from __future__ import annotations

import re
from pathlib import Path

from netcore.version import VERSION


def test_the_version_matches_pyproject() -> None:
    text = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"', text, re.MULTILINE)
    assert match is not None and match.group(1) == VERSION
