"""What a tab adds for the device tester: its Frames choice, its checksum, sending saved messages.

Mixed into :class:`gui.tabs.base.EndpointTab`: the Frames choice sits above the log,
the checksum beside the send bar's line ending; both go into the endpoint's
:class:`~netcore.framing.FrameSettings` when it starts and at once when they change.
"""

from __future__ import annotations

from functools import partial
from tkinter import ttk
from typing import TYPE_CHECKING

from gui.widgets.frames_choice import FramesChoice
from gui.widgets.send_bar import input_message
from netcore.framing import FrameSettings
from netcore.library import SavedMessage
from netcore.validation import InputError

if TYPE_CHECKING:
    from gui.i18n_tk import Texts
    from gui.settings import TabSettings
    from gui.widgets.address_row import AddressRow
    from gui.widgets.send_bar import SendBar
    from netcore.worker import Endpoint


class ToolkitMixin:
    """Framing and saved messages for one tab (``self`` is an :class:`EndpointTab`)."""

    frames: FramesChoice
    texts: Texts
    prefs: TabSettings
    send_bar: SendBar
    row: AddressRow
    endpoint: Endpoint | None

    def build_frames(self, bar: ttk.Frame) -> None:
        """The Frames choice, in the row of view choices (left of Step)."""
        self.frames = FramesChoice(bar, self.texts, self.prefs.frame, lambda _spec: self.apply_framing(),
                                   self._frames_error)
        self.frames.pack(side="right", padx=(0, 4))
        self.send_bar.checksum.on_change(lambda _name: self.apply_framing())

    def _frames_error(self, error: InputError | None) -> None:
        self.send_bar.show_error(None if error is None else partial(input_message, error))

    def frame_settings(self) -> FrameSettings:
        """The framing for the endpoint: the Frames choice, frames checked with the send bar's checksum."""
        return FrameSettings(self.frames.spec, self.send_bar.checksum.get())

    def apply_framing(self) -> None:
        """Use the current choices from now on (a running endpoint switches at once)."""
        self.prefs.frame, self.prefs.checksum = self.frames.spec, self.send_bar.checksum.get()
        setter = getattr(self.endpoint, "set_framing", None)
        if setter is not None:
            setter(self.frame_settings())

    def saved_target(self) -> tuple[str, str]:
        """``{host}`` and ``{port}`` for a saved message sent from this tab (the address row's)."""
        return self.row.host.get().strip(), self.row.port.get().strip()

    def send_saved(self, message: SavedMessage) -> bool:
        """Send a saved message from this tab, its ``{host}``/``{port}`` filled from the tab's target."""
        host, port = self.saved_target()
        return self.send_bar.send_message(message, host, port)
