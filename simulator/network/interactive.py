"""A student's own session with a host of a simulated network: the console's and the quiz's.

:class:`SimulatedSession` builds the scenario's network (and by default runs
it to the end, so the mailboxes hold the scenario's mail), then opens a
connection to one of its hosts exactly as the network does
(``HostNode.server_session``) and records every exchange with the network's
own :class:`~simulator.network.recorder.Recorder`.  The engine, the
explanations and the states are those of the player's traces.  The network's
IMAP service completes pipelined commands on its clock; the student types one
command at a time and wants the answer now, so the session asks the host for
an *interactive* session, which answers each command as it reads it.  Only
the engine contract is used.

The notebook's ProtocolConsole draws it (``simulator.widgets``) and a quiz
``task`` replays a student's command list through it (``simulator.quiz``), so
it lives here, below both.
"""
from __future__ import annotations

from dataclasses import replace

from simulator.protocols import Engine, Utterance
from simulator.protocols.ftp import FTPServer, TransferRequested
from simulator.protocols.imap import Authenticated as IMAPAuthenticated
from simulator.protocols.pop3 import Authenticated as POP3Authenticated
from simulator.protocols.pop3 import POP3Server
from simulator.protocols.smtp import AuthSucceeded
from simulator.scenarios import load
from simulator.scenarios.model import Scenario
from simulator.trace import Step, Trace, Where

from .literal import LiteralTracker
from .simulation import Network

PORTS = {"SMTP": 25, "SUBMISSION": 587, "POP3": 110, "POP2": 109, "IMAP": 143, "HTTP": 80,
         "FTP": 21}
#: What a STOR typed in the console uploads: the student has no file at hand.
CONSOLE_UPLOAD = b"typed in the mailsim console\n"
STUDENT = "student"         # the console's node name in the trace (the student's terminal)
#: The engines' events for a login that succeeded (RFC 4954 §6, RFC 1939 §7, RFC 9051 §6.2).
LOGINS = (AuthSucceeded, POP3Authenticated, IMAPAuthenticated)


def _scenario(source: str | Scenario) -> Scenario:
    return source if isinstance(source, Scenario) else load(source)



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
        self.tls = False
        self.conns: list[str] = []      # every connection this session opened, in order
        #: the address of the account logged in on this session (None before a login)
        self.user: str | None = None

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

    def offers(self, command: str) -> bool:
        """Whether the engine knows ``command``: POP3's LAST and STLS have switches."""
        engine = self.engine
        return not isinstance(engine, POP3Server) or engine.config.offers(command)

    def open(self) -> list[Step]:
        """Connect: a fresh server engine, its greeting recorded."""
        self.literal.reset()
        self.tls, self.user = False, None
        self.conn = self.net.new_conn_id()
        self.conns.append(self.conn)
        self.engine = self.net.nodes[self.host].server_session(self.port, STUDENT, self.conn,
                                                               interactive=True)
        return self._exchange(self.engine.initiate)

    def send(self, line: str | bytes) -> list[Step]:
        """Send one line (CRLF added) and return the steps it caused on this connection.

        ``bytes`` go as they are: a notebook can send what a keyboard cannot type
        (a NUL, a bare LF, bytes that are not UTF-8) and see how the server answers.
        """
        data = (line if isinstance(line, bytes) else line.encode("utf-8")) + b"\r\n"
        line = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
        self.literal.client_line(line)
        events: list = []
        steps = self._exchange(lambda: self.engine.receive_data(data), events)
        for event in events:
            if isinstance(event, TransferRequested):
                steps += self._data_connection(event)
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

    def _exchange(self, feed, events: list | None = None) -> list[Step]:
        """Run ``feed`` (it gives the engine's events) as one recorded exchange on this
        connection; its events go into ``events`` (a login among them names the session's
        user); the steps it caused on this connection come back."""
        first = len(self.net.trace)
        events = [] if events is None else events
        meta = {"port": self.port, **({"tls": True} if self.tls else {})}
        self.net.recorder.exchange(lambda: events.extend(feed() or ()),
                                   self.engine.take_transcript,
                                   Where(self.conn, STUDENT, self.host, self.protocol, meta))
        self._note_login(events)
        self.engine.data_to_send()      # already in the transcript; nobody else reads it
        return [s for s in self.net.trace.steps[first:] if s.conn == self.conn]

    def _data_connection(self, request: TransferRequested) -> list[Step]:
        """FTP's data connection for one transfer, opened at once (the console's student
        is reachable in both modes): connect, 150, the payload, close, 226 (RFC 959 §3.2)."""
        engine = self.engine
        if not isinstance(engine, FTPServer):
            return []
        data_conn = self.net.new_conn_id()
        opener, target = (STUDENT, self.host) if request.passive else (self.host, STUDENT)
        first = len(self.net.trace)
        self.net.recorder.internal(opener, "FTP-DATA", f"connect {target}:{request.port}",
                                   "ftp.data.connect", dst=target, conn=data_conn,
                                   params={"host": target, "port": request.port,
                                           "passive": request.passive, "verb": request.verb},
                                   port=request.port)
        steps = self.net.trace.steps[first:] + self._exchange(engine.transfer_opened)
        payload = CONSOLE_UPLOAD if request.payload is None else request.payload
        upload = request.payload is None
        direction = "c2s" if (STUDENT if upload else self.host) == opener else "s2c"
        key = {"RETR": "ftp.data.file", "STOR": "ftp.data.upload"}.get(request.verb,
                                                                          "ftp.data.listing")
        note = Utterance(direction, payload, "TRANSFER", "TRANSFER", key,
                         {"verb": request.verb, "path": request.path, "octets": len(payload),
                          "lines": payload.count(b"\n"), "passive": request.passive})
        first = len(self.net.trace)
        self.net.recorder.exchange(lambda: None, lambda: [note],
                                   Where(data_conn, opener, target, "FTP-DATA",
                                         {"port": request.port}))
        self.net.recorder.internal(self.host if not upload else STUDENT, "FTP-DATA",
                                   "close the data connection", "ftp.data.close",
                                   dst=STUDENT if not upload else self.host, conn=data_conn,
                                   params={"octets": len(payload), "verb": request.verb})
        steps += self.net.trace.steps[first:]
        return steps + self._exchange(
            lambda: engine.transfer_done(payload if upload else b""))

    def _handshake(self) -> list[Step]:
        """STARTTLS / STLS accepted: play the handshake as the network does (bytes stay readable)."""
        first = len(self.net.trace)
        self.net.recorder.internal(STUDENT, "TLS", "TLS handshake", "net.tls", dst=self.host,
                                   conn=self.conn)
        self.tls = True             # what follows is inside TLS: ``meta.tls``, as on the network
        return self.net.trace.steps[first:] + self._exchange(self.engine.tls_started)

    def _note_login(self, events: list) -> None:
        """A login succeeded: remember whose session this is (the account's address), as
        ``mailsim serve`` does for a real client's connection."""
        for event in events:
            if isinstance(event, LOGINS):
                account = self.net.store.find(event.user)
                self.user = account.address if account is not None else event.user
