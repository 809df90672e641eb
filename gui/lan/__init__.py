"""The window's LAN helpers: diagnose, "Can others reach me?", find and be found, UDP network options.

Each helper runs its probes on a :class:`~gui.lan.job.Job` (a worker thread) and
shows what it found in a small window of its own, so the tabs stay uncrowded.
"""
