"""What the protocol console talks to: a simulated server session, or a live one on loopback.

Both kinds answer :meth:`open` and :meth:`send` with trace Steps, so the
console widget draws one kind of thing whatever is behind it.

* :class:`SimulatedSession` builds the scenario's network (and by default
  runs it to the end, so the mailboxes hold the scenario's mail), then opens
  a connection to one of its hosts exactly as the network does
  (``HostNode.server_session``) and records every exchange with the
  network's own :class:`~simulator.network.recorder.Recorder`.  The engine,
  the explanations and the states are those of the player's traces.  The
  network's IMAP service completes pipelined commands on its clock; the
  student types one command at a time and wants the answer now, so the
  console asks the host for an *interactive* session, which answers each
  command as it reads it.  Only the engine contract is used.
* :class:`LiveSession` speaks to ``mailsim serve`` through
  :class:`simulator.server.live_client.LineClient` (the only socket code).
  A real server does not tell its state, so live lines carry an explanation
  of the reply class (2xx, +OK, tagged OK …) and no state.
"""
from __future__ import annotations

from dataclasses import replace

from simulator.network.simulation import Network
from simulator.protocols import Engine
from simulator.scenarios import load
from simulator.scenarios.model import Scenario
from simulator.trace import Step, Trace

from .console_literal import LiteralTracker
from .console_replies import live_explain, reply_done

PORTS = {"SMTP": 25, "SUBMISSION": 587, "POP3": 110, "POP2": 109, "IMAP": 143}
CLOSE_WAIT = 2.0            # seconds to wait for the server to hang up after QUIT / LOGOUT
STUDENT = "student"         # the console's node name in the trace (the student's terminal)


def _scenario(source: str | Scenario) -> Scenario:
    return source if isinstance(source, Scenario) else load(source)


def _verb_of(protocol: str, line: str) -> str:
    """The command word of ``line`` (IMAP lines start with a tag)."""
    words = line.upper().split()
    if protocol == "IMAP":
        words = words[1:]
    return words[0] if words else ""


class SimulatedSession:
    """One connection from the student's console to a host of a scenario's network.

    ``SimulatedSession("pop3-basic", "POP3")`` talks to the first host that
    listens on 110, after the scenario's mail has been delivered: its reading
    sessions are left out, so the student is the one who reads the mailbox
    (``readers=True`` keeps them; ``run=False`` starts on empty mailboxes).
    ``port`` overrides the protocol's standard port (587 for submission).
    """

    def __init__(self, scenario: str | Scenario, protocol: str = "SMTP", *,
                 host: str | None = None, port: int | None = None, run: bool = True,
                 readers: bool = False) -> None:
        self.protocol = "SMTP" if protocol.upper() == "SUBMISSION" else protocol.upper()
        self.port = port or PORTS[protocol.upper()]
        chosen = _scenario(scenario)
        if not readers:
            chosen = replace(chosen, sessions=())
        self.net = Network(chosen, chosen.seed)
        if run:
            self.net.run()
        self.host = host or self._listening_host()
        self.conn: str | None = None
        self.engine: Engine | None = None
        self.literal = LiteralTracker()

    def _listening_host(self) -> str:
        for name in sorted(self.net.nodes):
            if self.net.listens(name, self.port):
                return name
        raise LookupError(f"no host of {self.net.scenario.name!r} listens on port {self.port}")

    @property
    def trace(self) -> Trace:
        return self.net.trace

    @property
    def scenario_name(self) -> str:
        return self.net.scenario.name

    @property
    def state(self) -> str | None:
        """The engine's state now, as the trace names it (None before :meth:`open`)."""
        return None if self.engine is None else str(self.engine.state)

    @property
    def closed(self) -> bool:
        return self.engine is None or self.engine.closed

    def open(self) -> list[Step]:
        """Connect: a fresh server engine, its greeting recorded."""
        self.literal.reset()
        self.conn = self.net.new_conn_id()
        self.engine = self.net.nodes[self.host].server_session(self.port, STUDENT, self.conn,
                                                               interactive=True)
        return self._exchange(self.engine.initiate)

    def send(self, line: str) -> list[Step]:
        """Send one line (CRLF added) and return the steps it caused on this connection."""
        data = line.encode("utf-8") + b"\r\n"
        self.literal.client_line(line)
        steps = self._exchange(lambda: self.engine.receive_data(data))
        for step in steps:
            if step.direction == "s2c":
                self.literal.server_line(step.line)
        if self.engine.awaiting_tls:
            steps += self._handshake()
        self.net.scheduler.run()        # let the MTA relay or deliver what it accepted
        return steps

    def close(self) -> list[Step]:
        """The student closes the window: the server reads end-of-stream."""
        if self.engine is None or self.closed:
            return []
        return self._exchange(lambda: self.engine.receive_data(b""))

    def _exchange(self, feed) -> list[Step]:
        first = len(self.net.trace)
        self.net.recorder.exchange(feed, self.engine.take_transcript, conn=self.conn,
                                   client=STUDENT, server=self.host, protocol=self.protocol,
                                   port=self.port)
        self.engine.data_to_send()      # already in the transcript; nobody else reads it
        return [s for s in self.net.trace.steps[first:] if s.conn == self.conn]

    def _handshake(self) -> list[Step]:
        """STARTTLS / STLS accepted: play the handshake as the network does (bytes stay readable)."""
        first = len(self.net.trace)
        self.net.recorder.internal(STUDENT, "TLS", "TLS handshake", "net.tls", dst=self.host,
                                   conn=self.conn)
        return self.net.trace.steps[first:] + self._exchange(self.engine.tls_started)


class LiveSession:
    """A session with ``mailsim serve`` on loopback, as Steps for the console."""

    def __init__(self, protocol: str, port: int, host: str = "127.0.0.1") -> None:
        self.protocol, self.port, self.host = protocol.upper(), port, host
        self.trace = Trace(scenario="live")
        self.client = None
        self.state: str | None = None
        self._command = ""
        self._line = ""                     # the last command line (its tag ends the reply)
        self.literal = LiteralTracker()

    @property
    def closed(self) -> bool:
        return self.client is None or self.client.closed

    @property
    def scenario_name(self) -> str:
        return ""                           # a live server is not a scenario

    def open(self) -> list[Step]:
        from simulator.server.live_client import LineClient  # sockets only when live
        self.literal.reset()
        self.client = LineClient(self.host, self.port)
        return self._replies("")

    def send(self, line: str) -> list[Step]:
        raw = self.client.send_line(line)
        data = self.literal.busy            # literal octets: the command is the earlier line
        self.literal.client_line(line)
        if not data:
            self._line = line
        argument = line.split(" ", 1)[1] if " " in line else ""
        explain = "ui.console.literal_data" if data else live_explain(self.protocol, "", line,
                                                                      True)
        steps = [self._add("c2s", raw, line, explain, {"argument": argument})]
        if not self._awaits_reply(line):
            return steps
        steps += self._replies(self._line)
        if _verb_of(self.protocol, line) in ("QUIT", "LOGOUT"):
            steps += self._replies(line, until_closed=True)    # notice the server hang up
        return steps

    def close(self) -> list[Step]:
        if self.client is not None:
            self.client.close()
        return []

    def _awaits_reply(self, line: str) -> bool:
        """In SMTP DATA the server stays silent until the final dot (RFC 5321 §4.1.1.4);
        in an IMAP literal until its last octet, or at once for a ``{N+}`` (RFC 7888)."""
        if self.protocol == "IMAP":
            return not self.literal.collecting
        return self._command != "354" or line == "."

    def _replies(self, command: str, until_closed: bool = False) -> list[Step]:
        if until_closed:
            lines = self.client.read_reply(lambda _: False, timeout=CLOSE_WAIT)
        else:
            lines = self.client.read_reply(lambda got: reply_done(self.protocol, command, got))
        if lines and self.protocol == "SMTP":
            self._command = lines[-1][:3]
        for text in lines:
            self.literal.server_line(text)
        return [self._add("s2c", (text + "\r\n").encode(), text,
                          live_explain(self.protocol, command, text, False)) for text in lines]

    def _add(self, direction: str, raw: bytes, line: str, explain: str,
             params: dict | None = None) -> Step:
        src, dst = (STUDENT, self.host) if direction == "c2s" else (self.host, STUDENT)
        return self.trace.add(time=0.0, conn="live", src=src, dst=dst, protocol=self.protocol,
                              direction=direction, raw=raw, line=line, explain=explain,
                              params=params or {}, meta={"port": self.port})
