"""Translation: every string the window shows goes through :func:`tr`.

Catalogs live in :mod:`gui.locales` (``en`` and ``zh``, Simplified Chinese). Keys
are dotted names (``menu.file``); templates use ``{name}`` slots filled literally
by :func:`netcore.problems.fill`, so text from the network is never interpreted.
The engine's problem, notice and input-error codes are translated by code too:
``problem.<code>``, ``hint.<code>``, ``notice.<code>``, ``input.<code>``.
No Tk here; :mod:`gui.i18n_tk` re-labels widgets when the language changes.
"""

from __future__ import annotations

import locale
import os
import sys
from collections.abc import Callable

from gui.locales import CATALOGS
from netcore.problems import fill

LANGUAGES: dict[str, str] = {"en": "English", "zh": "简体中文"}
"""Language code to its own name (shown untranslated in the language menu)."""

_state: dict[str, str] = {"language": "en"}
_listeners: list[Callable[[], None]] = []


def tr(key: str, **params: object) -> str:
    """The text for ``key`` in the current language, with ``params`` filled in.

    Falls back to English, then to the key itself, so a missing string shows up
    plainly instead of crashing (the catalog test keeps that from happening).
    """
    template = CATALOGS[_state["language"]].get(key)
    if template is None:
        template = CATALOGS["en"].get(key, key)
    if not params:
        return template
    return fill(template, {name: str(value) for name, value in params.items()})


def later(key: str, **params: object) -> Callable[[], str]:
    """``tr(key, **params)`` asked when shown, so a message redrawn after a switch is in the new language."""
    return lambda: tr(key, **params)


def has(key: str) -> bool:
    """True if ``key`` exists in the English catalog."""
    return key in CATALOGS["en"]


def language() -> str:
    """The current language code, ``"en"`` or ``"zh"``."""
    return _state["language"]


def set_language(code: str) -> None:
    """Switch language (unknown codes mean English) and tell every listener."""
    code = code if code in CATALOGS else "en"
    if code == _state["language"]:
        return
    _state["language"] = code
    for listener in list(_listeners):
        listener()


def add_listener(listener: Callable[[], None]) -> None:
    """Call ``listener`` after each language switch."""
    _listeners.append(listener)


def remove_listener(listener: Callable[[], None]) -> None:
    """Forget a listener added with :func:`add_listener`."""
    if listener in _listeners:
        _listeners.remove(listener)


def system_language() -> str:
    """``"zh"`` if the user's system language is Chinese, else ``"en"``."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return _code_for(value)
    if sys.platform == "win32":
        return "zh" if _windows_ui_language() == 0x04 else "en"
    try:
        value = locale.getlocale()[0] or ""
    except ValueError:
        value = ""
    return _code_for(value)


def _code_for(locale_name: str) -> str:
    first = locale_name.split(":", 1)[0].lower()
    return "zh" if first.startswith("zh") or first.startswith("chinese") else "en"


def _windows_ui_language() -> int:
    try:
        import ctypes

        windll = getattr(ctypes, "windll")  # noqa: B009  # typeshed has windll only on Windows
        return int(windll.kernel32.GetUserDefaultUILanguage()) & 0x3FF
    except (AttributeError, OSError):
        return 0
