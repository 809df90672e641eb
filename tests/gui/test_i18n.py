"""Every visible string exists in English and Chinese, with the same slots."""

from __future__ import annotations

import ast
import re
import tkinter as tk
from pathlib import Path
from tkinter import ttk
from typing import Any

import pytest

from gui import i18n
from gui.i18n import tr
from gui.i18n_tk import Texts
from gui.locales import CATALOGS
from gui.settings import TAB_KINDS
from netcore.events import CloseReason, State
from netcore.payload import ENCODINGS, LINE_ENDINGS, SEND_MODES, build_payload
from netcore.problems import INPUT_PROBLEMS, NOTICES, PROBLEMS
from netcore.replies import REPLY_KINDS, make_reply_rule
from netcore.validation import InputError

GUI = Path(__file__).resolve().parents[2] / "gui"
SLOT = re.compile(r"\{(\w+)!?\}")
KEY = re.compile(r"^[a-z_]+\.[a-z_]*[a-z]$")  # f-string fragments like "ev.closed_" end in _


def _keys_in_sources() -> set[str]:
    prefixes = {key.split(".", 1)[0] for key in CATALOGS["en"]}
    found: set[str] = set()
    for path in GUI.rglob("*.py"):
        if "locales" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and KEY.match(node.value) and node.value.split(".", 1)[0] in prefixes:
                found.add(node.value)
    return found


def _dynamic_keys() -> set[str]:
    keys = {f"state.{s.value}" for s in State} | {f"tab.{k}" for k in TAB_KINDS}
    keys |= {f"ev.{s.value}" for s in State if s not in (State.STOPPING, State.CONNECTED)}
    keys |= {f"ev.closed_{r.name.lower()}" for r in CloseReason}
    keys |= {f"mode.{m}" for m in SEND_MODES} | {f"ending.{e}" for e in LINE_ENDINGS}
    keys |= {f"reply.{k}" for k in REPLY_KINDS} | {"theme.light", "theme.dark"}
    return keys


def test_both_catalogs_have_the_same_keys_and_no_empty_text() -> None:
    assert set(CATALOGS["en"]) == set(CATALOGS["zh"])
    assert all(text.strip() for catalog in CATALOGS.values() for text in catalog.values())


def test_translations_use_the_same_slots() -> None:
    for key, english in CATALOGS["en"].items():
        assert set(SLOT.findall(CATALOGS["zh"][key])) == set(SLOT.findall(english)), key


def test_every_key_the_code_uses_exists() -> None:
    used = _keys_in_sources() | _dynamic_keys()
    assert len(used) > 100
    missing = sorted(key for key in used if key not in CATALOGS["en"])
    assert not missing


def test_every_engine_code_is_translated() -> None:
    zh = CATALOGS["zh"]
    for code in PROBLEMS:
        assert f"problem.{code}" in zh and f"hint.{code}" in zh
        assert zh[f"problem.{code}"] != PROBLEMS[code][0]
    for code in NOTICES:
        assert f"notice.{code}" in zh
    for code in INPUT_PROBLEMS:
        assert f"input.{code}" in zh


@pytest.mark.parametrize(("text", "mode", "encoding", "ending"), [
    ("zz", "hex", "utf-8", "none"), ("abc", "hex", "utf-8", "none"), ("é", "text", "ascii", "none"),
    ("\\q", "escapes", "utf-8", "none"), ("x", "bogus", "utf-8", "none"), ("x", "text", "utf-8", "bogus"),
    ("x", "text", "no-such-codec", "none"),
])
def test_payload_errors_have_translations(text: str, mode: str, encoding: str, ending: str) -> None:
    with pytest.raises(InputError) as caught:
        build_payload(text, mode, encoding, ending)
    assert f"input.{caught.value.code}" in CATALOGS["zh"], caught.value.code


def test_reply_errors_have_translations() -> None:
    for kind, template in (("bogus", ""), ("custom", "\\q")):
        with pytest.raises(InputError) as caught:
            make_reply_rule(kind, template)
        assert f"input.{caught.value.code}" in CATALOGS["zh"]


def test_tr_fills_slots_literally_and_switches_language() -> None:
    assert tr("status.copied", address="{x} %s") == "Copied {x} %s"
    i18n.set_language("zh")
    assert tr("tab.tcp_server") == "TCP 服务器"
    assert tr("problem.address_in_use", port=9000, host="0.0.0.0") == "端口 9000 在 0.0.0.0 上已被占用。"
    i18n.set_language("en")
    assert tr("no.such.key") == "no.such.key"


def test_encodings_offered_are_labelled() -> None:
    from gui.widgets.send_bar import ENCODING_LABELS

    assert set(ENCODING_LABELS) == set(ENCODINGS)


@pytest.mark.parametrize(("env", "expected"), [("zh_CN.UTF-8", "zh"), ("zh_TW", "zh"), ("en_US.UTF-8", "en"),
                                               ("C", "en"), ("de_DE", "en")])
def test_first_start_follows_the_system_language(monkeypatch: pytest.MonkeyPatch, env: str, expected: str) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", env)
    assert i18n.system_language() == expected


def test_tk_own_dialogs_follow_the_window_language(window: Any, root: tk.Tk) -> None:
    """The Linux file dialog and message boxes are Tk's: their buttons switch with the window."""
    def tk_text(source: str) -> str:
        return str(root.tk.eval(f'namespace eval ::tk {{::msgcat::mc "{source}"}}'))

    window.set_language("zh")
    assert tk_text("&Save") != "&Save" and tk_text("File &name:") != "File &name:"
    assert re.search(r"[\u4e00-\u9fff]", tk_text("&Cancel"))
    window.set_language("en")
    assert tk_text("&Save") == "&Save"


def test_a_closed_helper_window_does_not_break_the_language_switch(window: Any, root: tk.Tk) -> None:
    """Can others reach me? binds its "Visible on the network" box to the tab's texts; closed, it is forgotten."""
    server = window.tabs()[0]
    reach = server.open_reach()
    root.update()
    reach.close()
    root.update()
    window.set_language("zh")  # raised TclError (invalid command name …visibleswitch.!checkbutton)
    assert server.send_bar.send_button.cget("text") == tr("send.send") == "发送"
    reach = server.open_reach()  # opened again: it speaks the language now in use
    root.update()
    boxes = [str(c.cget("text")) for c in _descendants(reach) if c.winfo_class() == "TCheckbutton"]
    assert tr("lan.visible_as") in boxes
    reach.close()


def test_texts_forget_widgets_that_are_gone(root: tk.Tk) -> None:
    texts = Texts()
    kept, gone = ttk.Label(root), ttk.Label(root)
    texts.bind(kept, "send.send")
    texts.bind(gone, "send.send")
    gone.destroy()
    i18n.set_language("zh")
    texts.apply()
    assert kept.cget("text") == "发送"


def _descendants(widget: tk.Misc) -> list[tk.Misc]:
    found = []
    for child in widget.winfo_children():
        found += [child, *_descendants(child)]
    return found
