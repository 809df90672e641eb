"""Files in the per-user config folder: where they live, read safely, written atomically.

``SOCKETLAB_CONFIG_DIR`` overrides the folder (tests use it). A file that cannot be
parsed is renamed aside (``NAME.corrupt-YYYYmmdd-HHMMSS``) rather than overwritten,
so nothing a person saved is silently lost. Writes go to a temporary file that is
flushed, fsynced and renamed over the old one: a crash leaves the old file or the new.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from pathlib import Path

import platformdirs


def config_dir() -> Path:
    """``$SOCKETLAB_CONFIG_DIR`` if set, else the platform's per-user config directory."""
    override = os.environ.get("SOCKETLAB_CONFIG_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("SocketLab", appauthor=False))


def read_json(path: Path) -> tuple[object | None, Path | None]:
    """The parsed JSON of ``path`` (None if missing or unreadable) and where a corrupt file was set aside."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:  # missing, or a folder, or no permission: nothing to read, nothing to move
        return None, None
    except ValueError:  # not UTF-8: corrupt
        return None, set_aside(path)
    try:
        return json.loads(text), None
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        return None, set_aside(path)


def set_aside(path: Path) -> Path | None:
    """Rename ``path`` to ``NAME.corrupt-<time>``; the new name, or None if it could not be moved."""
    target = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        os.replace(path, target)
    except OSError:
        return None
    return target


def write_json(path: Path, data: object) -> None:
    """Write ``data`` as JSON to ``path`` atomically (OSError if the folder cannot be written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
