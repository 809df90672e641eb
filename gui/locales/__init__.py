"""The catalogs: ``CATALOGS["en"]`` and ``CATALOGS["zh"]``, one flat dict each.

English for the engine's codes comes straight from :mod:`netcore.problems`, so
the two front-ends say the same thing; Chinese for them is in ``zh_netcore``.
"""

from __future__ import annotations

from gui.locales.en import EN
from gui.locales.lan import LAN_EN, LAN_ZH
from gui.locales.lessons import LESSONS_EN, LESSONS_ZH
from gui.locales.tls import TLS_EN, TLS_ZH, ZH_TLS_INPUT, ZH_TLS_NOTICES, ZH_TLS_PROBLEMS
from gui.locales.toolkit import TOOLKIT_EN, TOOLKIT_ZH
from gui.locales.views import VIEWS_EN, VIEWS_ZH
from gui.locales.zh import ZH
from gui.locales.zh_netcore import ZH_INPUT, ZH_NOTICES, ZH_PROBLEMS
from netcore.problems import INPUT_PROBLEMS, NOTICES, PROBLEMS


def _engine_keys(problems: dict[str, tuple[str, str]], notices: dict[str, str],
                 inputs: dict[str, str]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for code, (message, hint) in problems.items():
        keys[f"problem.{code}"] = message
        keys[f"hint.{code}"] = hint
    keys.update({f"notice.{code}": text for code, text in notices.items()})
    keys.update({f"input.{code}": text for code, text in inputs.items()})
    return keys


CATALOGS: dict[str, dict[str, str]] = {
    "en": {**_engine_keys(PROBLEMS, NOTICES, INPUT_PROBLEMS), **EN, **VIEWS_EN, **LESSONS_EN, **TOOLKIT_EN,
           **LAN_EN, **TLS_EN},
    "zh": {**_engine_keys({**ZH_PROBLEMS, **ZH_TLS_PROBLEMS}, {**ZH_NOTICES, **ZH_TLS_NOTICES},
                          {**ZH_INPUT, **ZH_TLS_INPUT}), **ZH, **VIEWS_ZH, **LESSONS_ZH, **TOOLKIT_ZH, **LAN_ZH,
                                                                          **TLS_ZH},
}
