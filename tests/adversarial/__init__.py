"""Adversarial, generated tests: hostile peers against real endpoints on loopback (issue 7)."""
