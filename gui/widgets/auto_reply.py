"""Auto-reply choice for the TCP server and UDP tabs: none, echo, hello, time, custom.

The rule itself comes from :func:`netcore.replies.make_reply_rule`; a bad custom
template is flagged on its field. A change applies at once to a running endpoint.
"""

from __future__ import annotations

import tkinter as tk
from functools import partial
from tkinter import ttk
from typing import Protocol

from gui.i18n import tr
from gui.i18n_tk import Choice, Texts
from gui.settings import TabSettings
from gui.widgets.address_row import AddressRow
from gui.widgets.hover_tip import HoverTip
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
        tab.texts.bind(ttk.Label(self), "reply.title").grid(row=0, column=0, sticky="w", padx=(0, 6))
        self.kind = Choice(self, list(REPLY_KINDS), "reply", 14)
        self.kind.widget.grid(row=0, column=1, sticky="ew")
        tab.texts.call(self.kind.retranslate)
        self.template = ttk.Entry(self)
        """The custom template; shown only while "custom" is the choice."""
        self.template.grid(row=1, column=0, columnspan=2, sticky="ew", pady=(4, 0))
        self.template_tip = HoverTip(self.template, lambda: tr("reply.placeholders"))
        """What a template may say (a new user would not guess ``{message}``)."""
        self.columnconfigure(1, weight=1)
        self.kind.set(tab.prefs.reply)
        self.template.insert(0, tab.prefs.reply_template)
        self.kind.on_change(lambda _code: self._chosen())
        self.template.bind("<Return>", lambda _e: self.apply())
        self.template.bind("<FocusOut>", lambda _e: self.apply())
        self._sync()

    def _sync(self) -> None:
        """Show the template field only for a custom reply (it means nothing otherwise)."""
        if self.kind.get() == "custom":
            self.template.grid()
        else:
            self.template.grid_remove()

    def _chosen(self) -> None:
        self.apply()
        if self.kind.get() == "custom":
            self.template.focus_set()
            self.template.icursor("end")

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
