"""What a served connection records in the live trace besides the engine's own lines.

The engine's lines are recorded by the driver's exchanges; the driver adds
the lines it says itself (a busy, fault or goodbye reply), its TCP and TLS
steps, whose connection it is after a login (``meta.user``, so that the
teacher's view can follow each student), and the diagnosis of a
mis-configured client (:mod:`.misconfig`).

:class:`LiveRecording` is a part of :class:`.driver.LiveConnection`.
"""
from __future__ import annotations

from typing import Any

from ..protocols import Utterance
from ..protocols.ftp import LoggedIn as FTPLoggedIn
from ..protocols.imap import Authenticated as IMAPAuthenticated
from ..protocols.pop3 import Authenticated as POP3Authenticated
from ..protocols.smtp import AuthSucceeded
from ..trace import Where
from .misconfig import WATCHED, Finding

#: The engines' events for a login that succeeded (RFC 4954 §6, RFC 1939 §7, RFC 9051 §6.2,
#: RFC 959 §4.1.1).
LOGINS = (AuthSucceeded, POP3Authenticated, IMAPAuthenticated, FTPLoggedIn)
#: The engines' events after which the driver looks at a command again: a login that
#: failed (a diagnosis, the throttle) or succeeded (whose connection this is).
NOTABLE = WATCHED + LOGINS


#: Whether the events of each type are NOTABLE, learnt as the types come: one dict
#: lookup per event instead of an isinstance() against eight classes (110 against
#: 300 ns a command, timeit; about 1.3 µs per short SMTP session).
_NOTABLE_TYPES: dict[type, bool] = {}


def notable(events: list[Any]) -> bool:
    """Whether the engine's events call for :meth:`.driver.LiveConnection._after_command`."""
    for event in events:
        kind = type(event)
        looked_at = _NOTABLE_TYPES.get(kind)
        if looked_at is None:
            looked_at = _NOTABLE_TYPES[kind] = issubclass(kind, NOTABLE)
        if looked_at:
            return True
    return False


class LiveRecording:
    """The trace steps of a :class:`.driver.LiveConnection` (its attributes and methods)."""

    def _say(self, line: bytes, explain: str, params: dict[str, Any]) -> None:
        """Record a line the driver itself sends, as a server step of this connection."""
        state = "" if self.engine is None else str(self.engine.state)
        said = [Utterance("s2c", line, state, state, explain, params)]
        self.world.net.recorder.exchange(lambda: None, lambda: said, self._where())

    def _where(self) -> Where:
        """Who talks to whom on this connection, for the recorder (made again when TLS
        starts: :meth:`.tls_switch.TLSSwitch._upgrade` forgets it)."""
        if self._where_cache is None:
            meta: dict[str, Any] = {"port": self.service.port, "live": True}
            if self.tls:
                meta["tls"] = True
            self._where_cache = Where(self.conn_id, self.peer, self.world.host.name.lower(),
                                      self.service.protocol, meta)
        return self._where_cache

    def _note_login(self, events: list[Any]) -> None:
        """A login succeeded: a step saying whose connection this is (``meta.user``, the
        account's address), so a teacher's view can follow each student's connections."""
        for event in events:
            if isinstance(event, LOGINS):
                account = self.world.net.store.find(event.user)
                self.user = account.address if account is not None else event.user
                self.world.net.recorder.internal(
                    self.peer, self.service.protocol, f"logged in: {self.user}",
                    "serve.explain.logged_in", dst=self.world.host.name.lower(),
                    conn=self.conn_id, params={"user": self.user, "port": self.service.port},
                    port=self.service.port, live=True, user=self.user)
                return

    def _diagnosis(self, finding: Finding) -> None:
        """A mis-configured client recognised (:mod:`.misconfig`): a step with the fix."""
        self.world.net.recorder.internal(
            self.peer, self.service.protocol, f"diagnosis: {finding.key}",
            f"serve.diagnosis.{finding.key}", dst=self.world.host.name.lower(),
            conn=self.conn_id, params={**finding.params, "port": self.service.port},
            port=self.service.port, live=True, diagnosis=finding.key)

    def _internal(self, explain: str, line: str, **params: Any) -> None:
        """A TCP step of this connection (connect, close, a timeout…): ``line`` followed by
        the service's name and port; ``params`` add to the port in the step's params."""
        where = self._where()
        port = self.service.port
        if params:
            event = (where.client, "TCP", f"{line} {self.service.name} ({port})", explain,
                     where.server, where.conn, {"port": port, **params},
                     {"port": port, "live": True})
        else:
            text, shared_params, meta = _tcp_texts(line, self.service.name, port)
            event = (where.client, "TCP", text, explain, where.server, where.conn,
                     shared_params, meta)
        self.world.net.recorder.event(event)


#: The text, params and meta of the TCP steps that have no params of their own
#: (every connection's connect and close), per line and service: made once and
#: shared by the steps of every connection (nobody changes a step's params or meta).
#: 650 -> 440 ns a step (timeit), and four objects fewer a step in the live trace's
#: ring (freed cold when the ring forgets them).
_TCP_TEXTS: dict[tuple[str, str, int], tuple[str, dict[str, Any], dict[str, Any]]] = {}


def _tcp_texts(line: str, service: str, port: int) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The text, params and meta of a TCP step without params of its own (see above)."""
    key = (line, service, port)
    texts = _TCP_TEXTS.get(key)
    if texts is None:
        texts = _TCP_TEXTS[key] = (f"{line} {service} ({port})", {"port": port},
                                   {"port": port, "live": True})
    return texts
