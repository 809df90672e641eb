"""How long the stdin pump waits for room before it sends the next piece.

The pump waits while much is still unsent (:class:`~netcore.worker.SendBudget`), so
a fast pipe into a slow peer loses nothing. But a server's budget is shared by all
its clients and includes auto-replies: a few clients that never read (their echo
backlog stuck in the server) would hold it above the limit for ever, and the
operator's lines would reach nobody. So :class:`RoomWaiter` waits only while the
backlog *moves*: when nothing drains for :data:`STALL_SECONDS`, what is left is
taken as stuck and not waited for again; the next pieces go out at once to those
who read, and a peer whose own outbox is full is refused by the engine with an
error that names it (``send_buffer_full``).
"""

from __future__ import annotations

from netcore.worker import SendBudget

STALL_SECONDS = 0.5


class RoomWaiter:
    """Call it before each send: returns once there is room, or once the backlog is stuck."""

    def __init__(self, budget: SendBudget, limit: int, stall_seconds: float = STALL_SECONDS) -> None:
        self.budget = budget
        self.limit = limit
        self.stall_seconds = stall_seconds
        self.stuck = 0
        """Bytes taken as stuck at the last stall (not waited for); forgotten as they drain."""

    def __call__(self) -> None:
        self.stuck = min(self.stuck, self.budget.pending)
        last = self.budget.pending
        while not self.budget.wait_below(self.stuck + self.limit, self.stall_seconds):
            now = self.budget.pending
            if now >= last:  # nothing drained for a while: do not wait for peers that do not read
                self.stuck = now
                return
            last = now  # draining (a slow reader): keep waiting, it loses nothing
