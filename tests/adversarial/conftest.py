"""Fixtures for the adversarial suite: the engine tests' recorder and leak checks, reused.

``no_worker_left_behind`` (autouse) stops every registered endpoint after a test
and fails it if a ``socketlab-`` worker thread is still alive.
"""

from __future__ import annotations

from tests.netcore.conftest import many_files, no_worker_left_behind, queue, rec, serve  # noqa: F401 - fixtures
