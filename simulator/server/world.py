"""The world ``mailsim serve`` runs: a scenario's Network on the wall clock.

The served host is the scenario's first host with ``submission: true`` (the
classroom's ``mail.example.test``).  Real clients reach its services over
loopback; everything behind it — the MTA's queue, MX lookups in the
simulated DNS, relaying to the scenario's other domains, retries and
bounces (RFC 5321 §4.5.4.1, RFC 3464) — is the simulation's own code,
scheduled on the asyncio loop.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
import threading
from bisect import bisect_left
from collections import deque
from datetime import UTC, datetime
from importlib import resources
from itertools import accumulate

from ..mail.store import MailStore
from ..network.simulation import Network
from ..network.webmail import WebmailService
from ..protocols import Utterance
from ..scenarios import Scenario, load, load_builtin
from ..scenarios.loader import load_text
from ..scenarios.model import User
from ..trace import Step, Trace, utterance_fields
from .clock import RealTimeScheduler
from .ftp_side import FTPSide
from .imap_side import ImapSide
from .services import build_services

#: Deliveries a running server remembers in ``world.net.deliveries``.
RECENT_DELIVERIES = 1000


class LiveTrace(Trace):
    """The trace of a running server: bounded in memory, complete in its listeners.

    A server that runs for a whole class must not keep every byte: each
    FETCH of an 8 MB message would add 16 MB (issue 16, item 10).  So

    - a step whose bytes are larger than ``raw_limit`` keeps only its first
      ``raw_head`` octets; ``meta`` gets ``raw_size`` and ``raw_sha256``
      (a reference to the body, not a copy);
    - only the newest steps stay in memory, at most ``max_steps`` of them and
      about ``max_bytes`` of raw bytes and text; ``dropped`` counts the rest;
    - every step, in order, still goes to the listeners as it is added
      (``mailsim serve --trace FILE`` streams them to a file).

    Step indexes keep counting across drops, so the file's steps are
    numbered 0, 1, 2, … and the ones in memory are its tail.

    Without listeners, what an engine said (its Utterance) or a node did (the
    step's fields) waits in ``_pending`` and becomes a Step only when someone
    reads :attr:`steps`: most steps of a busy server leave the ring unread,
    and making a Step (its decoded line, copies of its parameters) cost as
    much as the SMTP engine's own work on the line.  An utterance waits as a
    flat tuple of strings, bytes and numbers, which the garbage collector
    stops tracking after one look: ten thousand waiting steps then cost a
    full collection nothing.  A notebook reads the trace from another thread
    than the server's (:mod:`.background`), so keeping, making and forgetting
    steps hold a lock.

    What each kept step weighs is summed as it is kept (``_sums``, running
    totals, oldest first), so forgetting the oldest quarter finds its cut by
    bisection instead of weighing every step it drops: the work per step
    stays the same however long the server runs.
    """

    def __init__(self, *args, max_steps: int = 10_000, max_bytes: int = 8 << 20,
                 raw_limit: int = 16 << 10, raw_head: int = 1 << 10, **kwargs) -> None:
        self._lock = threading.Lock()
        self._pending: list = []    # Step | (index, fields) | utterance record, oldest first
        self._sums: list[int] = []  # running total of the weights, one per kept step
        self._weighed = 0           # the weight of every step ever kept
        self._forgotten = 0         # … and of those forgotten since
        self.dropped = 0
        super().__init__(*args, **kwargs)
        self.listeners: list = []
        self.max_steps, self.max_bytes = max_steps, max_bytes
        self.raw_limit, self.raw_head = raw_limit, raw_head

    @property
    def retained_bytes(self) -> int:
        """What the steps in memory weigh against ``max_bytes`` (see :func:`_weight`)."""
        return self._weighed - self._forgotten

    @property
    def steps(self) -> list[Step]:
        """A copy of the steps in memory, oldest first (those not made yet are made now):
        the server's thread goes on adding and forgetting steps while a notebook reads."""
        with self._lock:
            self._build()
            return list(self._steps)

    @steps.setter
    def steps(self, steps: list[Step]) -> None:
        with self._lock:
            self._steps = steps
            self._pending = []
            self._added = self.dropped + len(steps)
            self._forgotten = self._weighed
            self._sums = list(accumulate((_weight(s) for s in steps), initial=self._weighed))[1:]
            self._weighed = self._sums[-1] if self._sums else self._weighed

    def __len__(self) -> int:
        return len(self._steps) + len(self._pending)

    def __getitem__(self, index: int) -> Step:
        with self._lock:
            self._build()
            return self._steps[index]

    def extend(self, steps) -> None:
        """Append steps from elsewhere, numbered as this trace's next ones."""
        for step in steps:
            self.add(**{k: v for k, v in step.__dict__.items() if k not in ("index", "answers")})

    def add(self, **fields):
        if len(fields.get("raw", b"")) > self.raw_limit:
            fields = referenced(fields, self.raw_limit, self.raw_head)
        with self._lock:
            step = Step.made(self._added, fields)
            self._keep(step, _weight(step))
        for listener in self.listeners:
            listener(step)
        return step

    def add_fields(self, fields: dict) -> Step | None:
        """Keep ``fields`` as they are; they become a Step when :attr:`steps` is read."""
        if self.listeners or len(fields.get("raw", b"")) > self.raw_limit:
            return self.add(**fields)
        with self._lock:
            self._keep((self._added, fields), _weight(fields))
        return None

    def add_exchange(self, lines, reactions, time, conn, client, server, protocol,
                     meta) -> None:
        """:meth:`Trace.add_exchange` with the lock taken once for the whole exchange."""
        if self.listeners:
            super().add_exchange(lines, reactions, time, conn, client, server, protocol, meta)
            return
        with self._lock:
            read = [u for u in lines if u.direction == "c2s"]
            self._keep_lines(read, time, conn, client, server, protocol, meta)
            for fields in reactions:
                fields["time"] = time
                if len(fields.get("raw", b"")) > self.raw_limit:
                    step = Step.made(self._added, referenced(fields, self.raw_limit,
                                                             self.raw_head))
                    self._keep(step, _weight(step))
                else:
                    self._keep((self._added, fields), _weight(fields))
            if len(read) == len(lines):
                return
            said = [u for u in lines if u.direction == "s2c"]
            if len(read) + len(said) == len(lines):     # the usual case: replies only
                self._keep_lines(said, time, conn, server, client, protocol, meta)
                return
            for u in lines:
                if u.direction != "c2s":
                    self._keep_lines((u,), time, conn, server,
                                     client if u.direction == "s2c" else server, protocol, meta)

    def add_utterance(self, utterance, time, conn, src, dst, protocol, meta) -> None:
        """Keep the utterance as it is; it becomes a Step when :attr:`steps` is read."""
        self.add_utterances((utterance,), time, conn, src, dst, protocol, meta)

    def add_utterances(self, utterances, time, conn, src, dst, protocol, meta) -> None:
        """Keep what one engine said, each utterance as a flat record (made a Step when
        :attr:`steps` is read); a large one, or any for listeners, becomes a Step now."""
        if self.listeners:
            for u in utterances:
                super().add_utterance(u, time, conn, src, dst, protocol, meta)
            return
        with self._lock:
            self._keep_lines(utterances, time, conn, src, dst, protocol, meta)

    def _keep_lines(self, utterances, time, conn, src, dst, protocol, meta) -> None:
        """Keep each utterance as a flat record, a large one as a Step (the caller holds
        the lock)."""
        limit = self.raw_limit
        pending, sums = self._pending, self._sums
        for u in utterances:
            raw = u.raw
            size = len(raw)
            if size > limit:
                step = Step.made(self._added, referenced(
                    utterance_fields(u, time, conn, src, dst, protocol, meta),
                    limit, self.raw_head))
                self._keep(step, _weight(step))
                continue
            # :meth:`_keep` written out for the usual line (a call less per line)
            pending.append((self._added, u.direction, raw, u.state_before, u.state_after,
                            u.explain, u.params, time, conn, src, dst, protocol, meta))
            self._added += 1
            self._weighed += 2 * size
            sums.append(self._weighed)
            if len(sums) > self.max_steps or \
                    self._weighed - self._forgotten > self.max_bytes:
                self._forget_oldest()   # trims ``pending`` and ``sums`` in place

    def _keep(self, entry, weight: int) -> None:
        """Number ``entry`` and keep it (the caller holds the lock)."""
        self._pending.append(entry)
        self._added += 1
        self._weighed += weight
        self._sums.append(self._weighed)
        if len(self._sums) > self.max_steps or self._weighed - self._forgotten > self.max_bytes:
            self._forget_oldest()

    def _build(self) -> None:
        """Make Steps of everything pending, in order (the caller holds the lock)."""
        pending, self._pending = self._pending, []
        for entry in pending:
            if isinstance(entry, tuple):
                entry = _pending_step(entry)
            self._steps.append(entry)

    def snapshot(self) -> Trace:
        """The steps in memory as a plain Trace numbered from 0, for a TracePlayer.

        A player numbers steps by position; once old steps are dropped, the
        live indexes no longer start at 0.  (For every step, load the
        ``--trace`` file with :meth:`Trace.load`.)
        """
        steps = list(self.steps)
        return Trace(scenario=self.scenario, seed=self.seed, nodes=list(self.nodes),
                     roles={h: list(r) for h, r in self.roles.items()},
                     start_time=self.start_time, steps=[dataclasses.replace(s, index=i) for i, s in enumerate(steps)])

    def _forget_oldest(self) -> None:
        """Drop the oldest quarter (at least enough to fit), never the newest step.
        The caller holds the lock."""
        sums = self._sums
        total = len(sums)
        cut = total - self.max_steps * 3 // 4
        # The fewest oldest steps whose weight, taken away, leaves at most 3/4 of max_bytes.
        excess = self._weighed - self.max_bytes * 3 // 4
        if excess > self._forgotten:
            cut = max(cut, bisect_left(sums, excess) + 1)
        cut = min(cut, total - 1)
        if cut <= 0:
            return
        self._forgotten = sums[cut - 1]
        del sums[:cut]
        from_pending = max(0, cut - len(self._steps))
        del self._steps[:cut]
        del self._pending[:from_pending]
        self.dropped += cut


def _pending_step(entry: tuple) -> Step:
    """The Step of an entry kept by :meth:`LiveTrace.add_fields` or ``add_utterances``."""
    if len(entry) == 2:
        index, fields = entry
        return Step.made(index, fields)
    index, direction, raw, before, after, explain, params, *where = entry
    utterance = Utterance(direction, raw, before, after, explain, params)
    return Step.made(index, utterance_fields(utterance, *where))


def referenced(fields: dict, limit: int, head: int) -> dict:
    """A step's fields with large bytes replaced by their head, size and SHA-256."""
    raw = fields.get("raw", b"")
    if len(raw) <= limit:
        return fields
    kept = raw[:head]
    meta = {**fields.get("meta", {}), "raw_size": len(raw),
            "raw_sha256": hashlib.sha256(raw).hexdigest()}
    line = kept.decode("utf-8", "replace").split("\r\n", 1)[0]
    return {**fields, "raw": kept, "line": line + " …", "meta": meta}


def _weight(entry) -> int:
    """What a kept step counts against ``max_bytes``: its raw bytes twice (they are
    shown decoded too), else its text.  The same for a step not made yet (its fields),
    so that adding and forgetting it count alike; an utterance weighs its raw bytes
    twice (:meth:`LiveTrace.add_utterances`)."""
    if isinstance(entry, Step):
        return 2 * len(entry.raw) if entry.raw else len(entry.line)
    return 2 * len(entry["raw"]) if entry["raw"] else len(entry["line"])


def load_scenario(name: str, domain: str | None, users: list[tuple[str, str]],
                  lang: str | None = None, students: list | None = None) -> Scenario:
    """The scenario to serve: ``domain`` renames the served domain, ``users`` are added.

    ``students`` (class mode, :mod:`.roster`) replace the scenario's own accounts of
    the served domain, whose passwords are printed in the README: on a LAN only the
    class's accounts may log in.  Outside addresses (other.test) stay.
    """
    scenario = load(name, lang)
    served = served_domain(scenario)
    if domain and domain.lower() != served:
        text = _scenario_text(name)
        pattern = r"(?<![\w.-])" + re.escape(served) + r"(?![\w-])"
        scenario = load_text(re.sub(pattern, domain.lower(), text), name, lang)
        served = domain.lower()
    own = scenario.users
    if students is not None:
        own = tuple(u for u in own if not u.address.lower().endswith("@" + served))
        own += tuple(User(_address(s.login, served), s.password, s.name or s.login)
                     for s in students)
    extra = tuple(User(_address(login, served), password, login.partition("@")[0])
                  for login, password in users)
    known = {u.address.lower() for u in own}
    extra = tuple(u for u in extra if u.address.lower() not in known)
    start = dataclasses.replace(scenario.options, start_time=datetime.now(UTC))
    return dataclasses.replace(scenario, users=own + extra, options=start)


def _scenario_text(name: str) -> str:
    if name.endswith((".yaml", ".yml")) or "/" in name:
        with open(name, encoding="utf-8") as handle:
            return handle.read()
    load_builtin(name)              # raises the usual ScenarioError for an unknown name
    return resources.files("simulator.scenarios").joinpath(f"{name}.yaml").read_text("utf-8")


def _address(login: str, domain: str) -> str:
    return login if "@" in login else f"{login}@{domain}"


def served_host(scenario: Scenario):
    """The first host with submission, else the first MTA: the one real clients reach."""
    hosts = [h for h in scenario.hosts if h.submission] or \
        [h for h in scenario.hosts if "mta" in h.roles]
    if not hosts:
        raise ValueError(f"scenario {scenario.name} has no MTA to serve")
    return hosts[0]


def served_domain(scenario: Scenario) -> str:
    host = served_host(scenario)
    return (host.domains[0] if host.domains else host.name.split(".", 1)[-1]).lower()


class World:
    """The Network of one served scenario and the services of its served host."""

    def __init__(self, scenario: Scenario, loop, *, store: MailStore | None = None,
                 require_tls: bool = False, bind_sender: bool = False,
                 trace_max_steps: int = 10_000, trace_max_bytes: int = 8 << 20,
                 spool=None, files_root=None, ftp_passive_ports: tuple[int, int] | None = None,
                 bind: str = "127.0.0.1") -> None:
        self.scenario = scenario
        self.require_tls = require_tls
        self.bind_sender = bind_sender
        self.scheduler = RealTimeScheduler(loop)
        self.trace = LiveTrace(scenario=scenario.name, seed=scenario.seed,
                               max_steps=trace_max_steps, max_bytes=trace_max_bytes)
        self.host = served_host(scenario)
        self.net = Network(scenario, scenario.seed, scheduler=self.scheduler, store=store,
                           trace=self.trace)
        # A simulation lists every delivery in its result; a server that runs for a whole
        # class keeps only the latest (the mailboxes and the trace file hold them all).
        self.net.deliveries = deque(maxlen=RECENT_DELIVERIES)
        self.net.recorder.clock = self.scheduler.trace_time
        if store is not None:
            store.clock = self.net.now_datetime
        self.trace.nodes.append("client")
        node = self.net.nodes[self.host.name.lower()]
        self.mta = node.services.get(25)
        if spool is not None and self.mta is not None:
            self.mta.relay.spool = spool          # the relay queue on disk (--maildir)
        self.pop3 = node.services.get(110)
        self.pop2 = node.services.get(109)
        self.imap = ImapSide.create(self) if "imap" in self.host.roles else None
        #: the webmail runs on the served host itself; its session ids must not be guessable
        self.webmail = WebmailService(self.net.context, self.host,
                                      token=lambda: secrets.token_hex(16)) \
            if self.imap is not None else None
        #: each account's files for FTP (under ``files_root``/ftp with --maildir)
        self.ftp = FTPSide(self.net.store, self.host.name.lower(), self.net.now_datetime,
                           root=files_root, bind=bind, passive_ports=ftp_passive_ports) \
            if "ftp" in self.host.roles else None
        self.services = build_services(self)

    @property
    def domain(self) -> str:
        return served_domain(self.scenario)

    def start(self) -> None:
        """Put the scenario's own messages and faults on the (real) clock, and the relay
        queue a previous run left on disk back in the queue."""
        if self.mta is not None:
            self.mta.relay.restore()
        self.net.start()
