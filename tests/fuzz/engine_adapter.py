"""One small adapter over the engines' driver calls, and the fuzzing walks built on it.

Every engine is driven the same way (``initiate``, ``receive_data``,
``data_to_send``, ``take_transcript``, ``state``, ``closed``, ``tls_started``);
:class:`Subject` is the only place that knows where an engine differs from
that (IMAP runs queued commands with ``run_pending``; which state waits for
the TLS handshake), so a change of the engine contract touches this file only.

The walks check what the issue asks of every engine (issue 16, Build 2):
nothing the peer sends raises (a client may raise RemoteProtocolError, the
h11 way of saying "the peer broke the protocol"); every reply is valid for
its protocol (:mod:`fuzz.replies`); the state stays in the state table.
"""
from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from fuzz.grammar import Grammar
from fuzz.mutate import maybe_mutate, split
from simulator.protocols._base import RemoteProtocolError

#: Examples per test: moderate by default (the whole suite stays fast and
#: derandomised, so CI is repeatable); MAILSIM_FUZZ_EXAMPLES=5000 for a long,
#: random run.
EXAMPLES = int(os.environ.get("MAILSIM_FUZZ_EXAMPLES", "0") or 0)
FUZZ = settings(
    max_examples=EXAMPLES or 100,
    derandomize=not EXAMPLES,
    database=None if not EXAMPLES else settings.default.database,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Each example is a seed for a whole random walk.  Hypothesis picks the
#: seeds (and reports the failing one); the walk itself draws from
#: random.Random(seed), whose uniform choices reach far deeper than
#: hypothesis's preference for the simplest value would.
SEEDS = st.integers(0, 2**32 - 1)


@dataclass
class Subject:
    """An engine under test, seen through the driver calls every engine has."""

    engine: Any
    states: Iterable[str]
    #: state -> states the table lets the engine move to from there
    moves: Callable[[str], set[str]]
    settle: Callable[[Any], Any] | None = None   # IMAP: run the queued commands
    states_seen: set[str] = field(default_factory=set)
    notes: dict[str, Any] = field(default_factory=dict)     # the output checker's memory

    @property
    def state(self) -> str:
        return str(self.engine.state)

    @property
    def closed(self) -> bool:
        return self.engine.closed

    @property
    def awaiting_tls(self) -> bool:
        return self.engine.awaiting_tls

    def start(self) -> bytes:
        self.engine.initiate()
        return self.engine.data_to_send()

    def feed(self, data: bytes) -> bytes:
        """Give bytes to the engine; return what it wants to send back."""
        self.engine.receive_data(data)
        if self.settle is not None:
            self.settle(self.engine)
        self._check_state()
        return self.engine.data_to_send()

    def handshake(self) -> None:
        """What a driver does once the TLS handshake is done."""
        self.engine.tls_started()
        self._check_state()

    def transcript(self) -> list:
        return self.engine.take_transcript()

    def _check_state(self) -> None:
        state = self.state
        assert state in set(map(str, self.states)), f"state {state!r} is not in the table"
        self.states_seen.add(state)

    def check_moves(self, utterances: list) -> None:
        """Every recorded move is an edge of the state table (or stays put)."""
        for u in utterances:
            if u.state_after != u.state_before:
                allowed = self.moves(u.state_before)
                assert u.state_after in allowed, (
                    f"{u.state_before} -> {u.state_after} on {u.raw[:80]!r} is not in the table "
                    f"(allowed: {sorted(allowed)})")


def _note(text: str) -> None:
    """Show ``text`` with a failing example; a no-op when a walk is replayed by hand."""
    try:
        note(text)
    except InvalidArgument:
        pass


def table_moves(table: dict, automatic: Iterable[tuple[str, str, str]] = (),
                closed: str | None = None, extra: dict[str, set[str]] | None = None
                ) -> Callable[[str], set[str]]:
    """``moves(state)`` read from a state table of Transition(on_ok, on_failure) or plain targets."""
    def moves(state: str) -> set[str]:
        out: set[str] = set()
        for target in dict(table.get(state, {})).values():
            targets = (target,) if isinstance(target, str) else (
                target.on_ok, target.on_failure)
            out |= {str(t) for t in targets}
        out |= {b for a, b, _ in automatic if a == state}
        if closed:
            out.add(closed)
        return out | (extra or {}).get(state, set())
    return moves


@dataclass
class Walk:
    """One random conversation with a server engine: grammar lines, mutated, split."""

    subject: Subject
    grammar: Grammar
    check_output: Callable[[Subject, bytes, list], None]
    rng: random.Random
    rate: float                 # how often a line is mutated
    handshake_rate: float = 0.7

    def run(self, steps: int) -> None:
        self.check_output(self.subject, self.subject.start(), self.subject.transcript())
        for _ in range(steps):
            if self.subject.closed:
                break
            if self.subject.awaiting_tls and self.rng.random() < self.handshake_rate:
                self.subject.handshake()
            self.step()
        if not self.subject.closed and self.rng.random() < 0.5:
            self.deliver(b"")                  # the client hangs up
            assert self.subject.closed, "the engine ignored the end of the connection"

    def step(self) -> None:
        lines = [self.grammar.next_line(self.subject.state, self.rng)
                 for _ in range(self.rng.choice((1, 1, 1, 2, 4)))]     # sometimes pipelined
        data = b"".join(maybe_mutate(line, self.rng, self.rate) for line in lines)
        _note(f"in {self.subject.state} sent {data[:300]!r}")
        for chunk in split(data, self.rng):
            if self.subject.closed:
                break
            self.deliver(chunk)

    def deliver(self, chunk: bytes) -> None:
        out = self.subject.feed(chunk)
        utterances = self.subject.transcript()
        self.subject.check_moves(utterances)
        self.check_output(self.subject, out, utterances)


def converse(client: Subject, server: Subject, rng: random.Random, rate: float,
             rounds: int = 200) -> None:
    """Pump a client engine against a server engine, mutating what the server says.

    The client may give up with RemoteProtocolError (the peer broke the
    protocol); any other exception is a bug.  The client's state stays in
    its table whatever it is told.
    """
    client.start()
    down = server.start()
    for _ in range(rounds):
        if client.awaiting_tls and server.awaiting_tls:
            server.handshake()
            client.handshake()
        mutated = b"".join(maybe_mutate(line, rng, rate) for line in down.splitlines(True))
        _note(f"client in {client.state} got {mutated[:300]!r}")
        try:
            up = b"".join(client.feed(chunk) for chunk in split(mutated, rng))
        except RemoteProtocolError:
            return
        client.check_moves(client.transcript())
        if client.closed or (not up and not mutated):
            return
        down = server.feed(up) if up and not server.closed else b""
        server.transcript()
        if not up and not down:
            return
