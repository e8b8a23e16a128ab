"""What the protocol console talks to: a simulated server session, or a live one on loopback.

Both kinds answer :meth:`open` and :meth:`send` with trace Steps, so the
console widget draws one kind of thing whatever is behind it.

* :class:`SimulatedSession` (``simulator.network.interactive``, shared with
  the quiz tasks) talks to a host of a scenario's simulated network.
* :class:`LiveSession` speaks to ``mailsim serve`` through
  :class:`simulator.server.live_client.LineClient` (the only socket code).
  A real server does not tell its state, so live lines carry an explanation
  of the reply class (2xx, +OK, tagged OK …) and no state.
"""
from __future__ import annotations

from simulator.network.interactive import STUDENT, SimulatedSession
from simulator.network.literal import LiteralTracker
from simulator.trace import Step, Trace

from .console_replies import live_explain, reply_done

__all__ = ["LiveSession", "SimulatedSession"]

CLOSE_WAIT = 2.0            # seconds to wait for the server to hang up after QUIT / LOGOUT


def _verb_of(protocol: str, line: str) -> str:
    """The command word of ``line`` (IMAP lines start with a tag)."""
    words = line.upper().split()
    if protocol == "IMAP":
        words = words[1:]
    return words[0] if words else ""


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

    def offers(self, command: str) -> bool:
        """A live server's switches are not known here: every command of the table."""
        return True

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
