"""Hypothesis profiles for the adversarial suite: ``ci`` (default) and ``soak``.

``ci`` keeps the whole suite within about a minute on two cores; ``soak`` runs many
more and longer programs and is selected with ``SOCKETLAB_SOAK=1`` (see
docs/soak.md). ``SOCKETLAB_SOAK_EXAMPLES`` and ``SOCKETLAB_SOAK_STEPS`` override
the soak figures. The profiles are registered, never loaded, so the property
tests elsewhere keep their own settings; tests here apply :data:`PROFILE`.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

SOAK = os.environ.get("SOCKETLAB_SOAK", "") not in ("", "0")

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "ci",
    max_examples=10,
    stateful_step_count=25,
    deadline=None,
    print_blob=True,
    suppress_health_check=_QUIET,
    database=None,
)
settings.register_profile(
    "soak",
    max_examples=int(os.environ.get("SOCKETLAB_SOAK_EXAMPLES", "150")),
    stateful_step_count=int(os.environ.get("SOCKETLAB_SOAK_STEPS", "60")),
    deadline=None,
    print_blob=True,
    suppress_health_check=_QUIET,
    database=None,
)

PROFILE = settings.get_profile("soak" if SOAK else "ci")
"""The settings every generated test here runs with."""
UDP_PROFILE = settings(PROFILE, max_examples=max(1, PROFILE.max_examples // 2))
"""Fewer programs for UDP: each sends from thousands of source ports."""

MACHINE_TIMEOUT = pytest.mark.timeout(0 if SOAK else 900)
"""pytest-timeout for a state-machine test: none in a soak; in CI room for hypothesis to shrink a failure."""
