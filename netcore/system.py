"""Process-wide settings a network tool wants: room for many open sockets."""

from __future__ import annotations


def raise_open_file_limit(wanted: int = 65536) -> int:
    """Raise the soft limit on open files toward ``wanted`` (POSIX); return the limit.

    Each TCP client costs one file descriptor; many systems start at 1024.
    On Windows (no ``resource`` module) this does nothing and returns 0.
    """
    try:
        import resource
    except ImportError:
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            return target
        except (ValueError, OSError):
            return soft
    return soft
