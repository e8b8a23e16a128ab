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
import re
import secrets
from collections import deque
from datetime import UTC, datetime
from importlib import resources

from ..mail.store import MailStore
from ..network.simulation import Network
from ..network.webmail import WebmailService
from ..scenarios import Scenario, load, load_builtin
from ..scenarios.loader import load_text
from ..scenarios.model import User
from .clock import RealTimeScheduler
from .ftp_side import FTPSide
from .imap_side import ImapSide
from .live_trace import LiveTrace
from .services import build_services

#: Deliveries a running server remembers in ``world.net.deliveries``.
RECENT_DELIVERIES = 1000


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
