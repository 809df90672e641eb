"""Generated hostile clients against a real TcpServer, in every auto-reply mode.

A hypothesis state machine connects clients (from new or reused source ports),
sends random bytes split at random points, floods, half-closes, closes without
reading, resets, reconnects, keeps the server's worker busy for a moment and lets
the front-end stop draining. After every step the server must still be
listening, answer a well-behaved probe as its mode says, and hold exactly one
socket per live connection plus its listener and wake-up pair (counted in
/proc/self/fd). Teardown: ``stop()`` within 2 s, no worker thread, no socket.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from netcore import EventQueue, TcpServer, TcpServerConfig
from netcore.events import State
from tests.adversarial.clients import HostileClient, connect, pattern
from tests.adversarial.helpers import (
    HOST,
    MODES,
    STAMP,
    Drainer,
    Stall,
    reply_rule,
    socket_inodes,
    sync,
    tcp_probe,
    wait_until,
    worker_threads,
)
from tests.adversarial.profiles import MACHINE_TIMEOUT, PROFILE, SOAK

SERVER_SOCKETS = 3
"""Sockets a TcpServer holds besides its connections: the listener and the wake-up socketpair."""
SETTLE_SECONDS = 3.0
STOP_SECONDS = 2.0
QUEUE_BYTES = 1024 * 1024
QUEUE_EVENTS = 4000
"""A small event queue, so floods and pauses reach its high watermark quickly."""
FLOOD_MAX = (4 if SOAK else 2) * 1024 * 1024
PAUSE_MAX = 0.5 if SOAK else 0.25
"""Longest a flood may last, and how long the front-end stops draining during one (in one step)."""

chunks = st.binary(min_size=1, max_size=2048)
cuts = st.lists(st.integers(min_value=1, max_value=2047), max_size=4)


class TcpServerMachine(RuleBasedStateMachine):
    """One TcpServer in :attr:`mode` and the hostile clients of one generated program."""

    mode = "echo"
    batched = True
    """Run each short client action while the worker is busy, so it sees the action's effects at once.

    That makes a generated program replay the same way (hypothesis can shrink it);
    the racy variant (False) lets the worker interleave with the client freely.
    """
    clients = Bundle("clients")
    freed_ports = Bundle("freed_ports")

    def __init__(self) -> None:
        super().__init__()
        self.baseline = socket_inodes()
        self.queue = EventQueue(max_bytes=QUEUE_BYTES, max_events=QUEUE_EVENTS)
        self.server = TcpServer(TcpServerConfig(HOST, 0, reply=reply_rule(self.mode)), self.queue, "hostile")
        self.drainer = Drainer(self.queue, self.server.name)
        self.all: list[HostileClient] = []
        self.stall: Stall | None = None
        self.front_end_stopped = False
        self.refused = 0
        self.server.start()
        assert wait_until(lambda: self.server.state is State.LISTENING, 3.0), "the server did not start"
        assert self.server.local_address is not None
        self.port = self.server.local_address[1]

    @contextlib.contextmanager
    def _batch(self) -> Iterator[None]:
        if not self.batched or self.stall is not None:
            yield
            return
        stall = Stall(self.server)
        try:
            yield
        finally:
            stall.release()

    # ---- connecting ----

    def _track(self, client: HostileClient) -> HostileClient:
        if client.refused:
            self.refused += 1
        else:
            self.all.append(client)
        return client

    @rule(target=clients, small_buffer=st.booleans())
    def connect_new(self, small_buffer: bool) -> HostileClient:
        with self._batch():
            return self._track(connect(self.port, small_buffer))

    @rule(target=clients, port=consumes(freed_ports), small_buffer=st.booleans())
    def connect_from_reused_port(self, port: int, small_buffer: bool) -> HostileClient:
        with self._batch():
            return self._track(connect(self.port, small_buffer, source_port=port))

    @rule(target=clients, client=consumes(clients), data=chunks)
    def reset_and_reconnect(self, client: HostileClient, data: bytes) -> HostileClient:
        """Send, reset, and connect again at once from the same source port."""
        with self._batch():
            client.send(data)
            client.reset()
            return self._track(connect(self.port, False, source_port=client.addr[1]))

    # ---- talking ----

    @rule(client=clients, data=chunks, splits=cuts)
    def send_split(self, client: HostileClient, data: bytes, splits: list[int]) -> None:
        with self._batch():
            start = 0
            for cut in [*sorted(set(splits)), len(data)]:
                if cut > start:
                    client.send(data[start:cut])
                    start = cut

    @rule(client=clients, size=st.integers(min_value=64 * 1024, max_value=FLOOD_MAX))
    def flood(self, client: HostileClient, size: int) -> None:
        """Send up to ``size`` bytes without reading (the server's answers pile up)."""
        client.send(pattern(size, client.total_sent), budget=PAUSE_MAX)

    @rule(client=clients)
    def read(self, client: HostileClient) -> None:
        got = client.read_available()
        if self.mode == "echo" and client.sent is not None:
            start = client.read - len(got)
            want = bytes(client.sent[start : start + len(got)])
            assert got == want, f"echo gave back other bytes than were sent, at offset {start}"

    # ---- ending ----

    @rule(client=clients)
    def half_close(self, client: HostileClient) -> None:
        with self._batch():
            client.half_close()

    @precondition(lambda self: self.stall is None and not self.front_end_stopped)
    @rule(client=consumes(clients))
    def finish_politely(self, client: HostileClient) -> None:
        """Half-close and read to the end: the server answers everything, then closes (nothing lost)."""
        if client.closed:
            return
        start = client.read
        client.half_close()
        got, ended = client.read_to_end()
        client.close()
        assert ended, f"no end of stream within 5 s after the client's FIN ({len(got)} bytes read)"
        if client.sent is None or self.mode not in ("echo", "time"):
            return
        answered = re.sub(STAMP, b"", got) if self.mode == "time" else got
        want = bytes(client.sent[start:]) if self.mode == "echo" else bytes(client.sent)
        if self.mode == "time" and start:
            return  # part of the answer was read before, stamps and all: only the end is checked
        assert answered == want, f"{self.mode}: answered {len(answered)} bytes of {len(want)} sent"

    @rule(client=consumes(clients))
    def close_without_reading(self, client: HostileClient) -> None:
        with self._batch():
            client.close()

    @rule(target=freed_ports, client=consumes(clients), data=st.binary(max_size=64))
    def reset(self, client: HostileClient, data: bytes) -> int:
        """Optionally send, then RST (SO_LINGER 0): the source port is free again at once."""
        with self._batch():
            if data:
                client.send(data)
            client.reset()
            return client.addr[1]

    # ---- the server's side: busy worker, a front-end that stops draining ----

    @precondition(lambda self: self.stall is None)
    @rule()
    def server_gets_busy(self) -> None:
        """The worker is busy for a while (until released, at most 3 s): events pile up in the kernel."""
        self.stall = Stall(self.server)

    @precondition(lambda self: self.stall is not None)
    @rule()
    def server_gets_free(self) -> None:
        assert self.stall is not None
        self.stall.release()
        self.stall = None

    @precondition(lambda self: not self.front_end_stopped)
    @rule()
    def front_end_stops_draining(self) -> None:
        """The front-end falls behind for the next steps: the queue fills and the server must stop reading."""
        self.drainer.pause()
        self.front_end_stopped = True

    @precondition(lambda self: self.front_end_stopped)
    @rule()
    def front_end_drains_again(self) -> None:
        self.drainer.resume()
        self.front_end_stopped = False

    @rule(client=clients, size=st.integers(min_value=256 * 1024, max_value=FLOOD_MAX),
          seconds=st.floats(min_value=0.05, max_value=PAUSE_MAX))
    def flood_while_front_end_stalls(self, client: HostileClient, size: int, seconds: float) -> None:
        self.drainer.pause()
        try:
            client.send(pattern(size, client.total_sent), budget=seconds)
        finally:
            self.drainer.resume()

    # ---- after every step ----

    @invariant()
    def server_serves(self) -> None:
        if self.stall is not None or self.front_end_stopped:  # on purpose: checked once over
            return
        synced = sync(self.server)
        self.drainer.catch_up()
        died = self._death()
        assert died is None, f"{died}\n{self.drainer.story()}"
        assert synced, f"the worker did not run a command within 2 s\n{self.drainer.story()}"
        not_served = self._probe()
        assert not_served is None, f"the probe was not served: {not_served}\n{self.drainer.story()}"
        problem = self._settled_accounting()
        assert problem is None, f"{problem}\n{self.drainer.story()}"

    def _death(self) -> str | None:
        """Why the server is no longer serving (None: it is listening)."""
        if self.drainer.fatal:
            return f"the server stopped: {self.drainer.fatal[0].message}"
        if not self.server.running or self.server.state is not State.LISTENING:
            return f"the server is {self.server.state.name}, worker alive: {self.server.running}"
        return None

    def _probe(self) -> str | None:
        try:
            tcp_probe(self.port, self.mode, lambda data, peer: self.server.send(data, [peer]), self.drainer)
        except (AssertionError, OSError) as exc:
            return f"{exc!r}; server {self.server.state.name}"
        return None

    def _settled_accounting(self) -> str | None:
        """None once the server's sockets match the clients' (within SETTLE_SECONDS), else why not."""
        end = time.monotonic() + SETTLE_SECONDS
        while True:
            problem = self._accounting()
            if problem is None or time.monotonic() > end:
                return problem
            time.sleep(0.01)

    def _accounting(self) -> str | None:
        try:
            peers = set(self.server.peers())
        except RuntimeError:  # the worker changed the dict while we copied it
            return "peers changed while being read"
        mine = [c for c in self.all if c.open]
        live = len(self.server._connections)  # test-only reach-in: every connection it holds, however keyed
        theirs = len(socket_inodes() - self.baseline) - len(mine)
        if theirs != live + SERVER_SOCKETS:
            return (f"the server holds {theirs} sockets but has {live} connections "
                    f"(+{SERVER_SOCKETS} listener and wake-up): a socket outside its bookkeeping")
        if live != len(peers):
            return f"{live} connections but {len(peers)} peers listed: {sorted(peers)}"
        if self.mode == "hello":
            must = {c.addr for c in mine if not c.half_closed and not c.may_be_closed}
        else:
            must = {c.addr for c in mine if not c.half_closed}
        missing = must - peers
        if missing:
            return f"open clients {sorted(missing)} are not among the server's connections {sorted(peers)}"
        extra = peers - {c.addr for c in mine}
        if extra:
            return f"the server still holds connections {sorted(extra)} whose clients are gone"
        return None

    def teardown(self) -> None:
        try:
            if self.stall is not None or self.front_end_stopped:  # the last steps are checked too
                self._end_pauses()
                self.server_serves()
        finally:
            self._stop_everything()

    def _end_pauses(self) -> None:
        if self.stall is not None:
            self.stall.release()
            self.stall = None
        self.drainer.resume()
        self.front_end_stopped = False

    def _stop_everything(self) -> None:
        self._end_pauses()
        for client in self.all:
            client.close()
        started = time.monotonic()
        stopped = self.server.stop(STOP_SECONDS)
        took = time.monotonic() - started
        self.drainer.close()
        leftover = socket_inodes() - self.baseline
        assert stopped and took <= STOP_SECONDS, f"stop() took {took:.2f} s"
        assert not worker_threads(), f"threads left running: {worker_threads()}"
        assert not leftover, f"{len(leftover)} sockets left after stop(): {sorted(leftover)}"


def machine_for(mode: str, batched: bool = True) -> type[TcpServerMachine]:
    """The machine with the server in auto-reply ``mode``."""
    name = f"TcpServer_{mode}" + ("" if batched else "_racy")
    return type(name, (TcpServerMachine,), {"mode": mode, "batched": batched})


@MACHINE_TIMEOUT
@pytest.mark.parametrize("mode", MODES)
def test_tcp_server_survives_hostile_clients(mode: str) -> None:
    run_state_machine_as_test(machine_for(mode), settings=PROFILE)


@MACHINE_TIMEOUT
@pytest.mark.parametrize("mode", MODES if SOAK else ("echo",))
def test_tcp_server_survives_racing_clients(mode: str) -> None:
    """The same, with the worker free to interleave (a failure here may not replay: hypothesis says Flaky)."""
    run_state_machine_as_test(machine_for(mode, batched=False), settings=PROFILE)
