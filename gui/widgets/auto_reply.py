"""Auto-reply choice for the TCP server and UDP tabs: none, echo, hello, time, custom.

The rule itself comes from :func:`netcore.replies.make_reply_rule`; a bad custom
template is flagged on its field. A change applies at once to a running endpoint.
"""

from __future__ import annotations

import tkinter as tk
from functools import partial
from tkinter import ttk
from typing import Protocol

from gui.i18n_tk import Choice, Texts
from gui.settings import TabSettings
from gui.widgets.address_row import AddressRow
from gui.widgets.send_bar import SendBar, input_message
from netcore import InputError
from netcore.replies import REPLY_KINDS, ReplyRule, make_reply_rule


class ReplyOwner(Protocol):
    """The tab an :class:`AutoReply` belongs to."""

    texts: Texts
    prefs: TabSettings
    row: AddressRow

    @property
    def send_bar(self) -> SendBar: ...

    def set_reply(self, rule: ReplyRule | None) -> None: ...


class AutoReply(ttk.Frame):
    """Auto-reply choice and custom template; ``rule()`` builds the engine's rule."""

    def __init__(self, parent: tk.Misc, tab: ReplyOwner) -> None:
        super().__init__(parent)
        self.tab = tab
        tab.texts.bind(ttk.Label(self), "reply.title").pack(anchor="w")
        self.kind = Choice(self, list(REPLY_KINDS), "reply", 14)
        self.kind.widget.pack(fill="x", pady=(2, 2))
        tab.texts.call(self.kind.retranslate)
        self.template = ttk.Entry(self)
        self.template.pack(fill="x")
        self.kind.set(tab.prefs.reply)
        self.template.insert(0, tab.prefs.reply_template)
        self.kind.on_change(lambda _code: self.apply())
        self.template.bind("<Return>", lambda _e: self.apply())
        self.template.bind("<FocusOut>", lambda _e: self.apply())
        self._sync()

    def _sync(self) -> None:
        self.template.state(["!disabled" if self.kind.get() == "custom" else "disabled"])

    def rule(self) -> ReplyRule | None:
        """The chosen rule; raises InputError for a bad template."""
        encoding = self.tab.send_bar.encoding.get()
        return make_reply_rule(self.kind.get(), self.template.get(), encoding)

    def apply(self) -> None:
        """Use the choice now (if running) and remember it."""
        self._sync()
        self.template.state(["!invalid"])
        try:
            rule = self.rule()
        except InputError as error:
            self.template.state(["invalid"])
            self.tab.row.set_info_from(partial(input_message, error), "error")
            return
        self.tab.prefs.reply, self.tab.prefs.reply_template = self.kind.get(), self.template.get()
        self.tab.set_reply(rule)
