"""The reading side of a mail client: the scenario's sessions over POP3, POP2 and IMAP.

A session connects to 110 (RFC 1939 §3), 109 (RFC 937) or 143 (IMAP, see
:mod:`.imap_reader`), logs in and
either follows the reader's download plan or sends the scenario's
commands.  Like Thunderbird's "leave messages on server", a reader that
keeps copies remembers the UIDL ids (RFC 1939 §7) it has downloaded, per
account, between its sessions, so a second session fetches only what is new.
What the session achieved is recorded as one internal step after it ends.
"""
from __future__ import annotations

from ..protocols.imap import PORT as IMAP_PORT
from ..protocols.pop2 import PORT as POP2_PORT
from ..protocols.pop2 import POP2Client
from ..protocols.pop3 import PORT as POP3_PORT
from ..protocols.pop3 import PORT_TLS as POP3_PORT_TLS
from ..protocols.pop3 import POP3Client
from .context import NodeContext
from .imap_reader import imap_client, imap_summary
from .refusal import refusal_params

_PORTS = {"pop3": (POP3_PORT, "POP3"), "pop2": (POP2_PORT, "POP2"), "imap": (IMAP_PORT, "IMAP")}


class MailboxReader:
    """Runs one MUA host's reading sessions and keeps its seen-UIDL memory."""

    def __init__(self, net: NodeContext, host_name: str) -> None:
        self.net = net
        self.name = host_name
        #: account address -> UIDL ids downloaded earlier and (as far as we know) still kept
        self.seen: dict[str, set[str]] = {}
        #: sender address (lower case) -> the bytes of the last message this host sent
        self.sent: dict[str, bytes] = {}

    def schedule(self, session) -> None:
        self.net.scheduler.at(session.at, self.start, session)

    def start(self, session) -> None:
        """Open the connection with a client engine for this session."""
        account = self.net.store.find(session.user)
        key = account.address if account else session.user
        password = session.password if session.password is not None else (
            account.password if account else "")
        engine = self._engine(session, password, key)
        port, protocol = _PORTS[session.protocol]
        if session.tls:                          # POP3S: TLS before the greeting (RFC 8314 §3.3)
            port = POP3_PORT_TLS
        server = session.server.lower()
        self.net.recorder.internal(
            self.name, "MUA", f"check {session.user} on {server}:{port} ({protocol})",
            _start_key(session), params={"user": session.user, "server": server, "port": port,
                                         "protocol": protocol})
        if session.protocol == "imap":
            # Pauses and IDLE run on the IMAP driver's timer, not through ``think``.
            self.net.connect(self.name, server, port, protocol, engine,
                             on_close=lambda conn: self._finished(session, key, conn),
                             connect_explain="imap.client.connect")
            return
        self.net.connect(self.name, server, port, protocol, engine,
                         on_close=lambda conn: self._finished(session, key, conn),
                         think=lambda data: self._think(session, engine, data),
                         on_idle=lambda conn: self._idle(session, conn),
                         connect_explain="pop.connect")

    # -- the client engine ----------------------------------------------------
    def _engine(self, session, password: str, key: str):
        if session.protocol == "imap":
            return imap_client(session, password, self._sent_copy(session, key))
        if session.protocol == "pop2":
            if session.commands is None:
                return POP2Client(session.user, password, delete=not session.leave_copy)
            helo = f"HELO {session.user} {password}"
            return POP2Client(session.user, password, script=[helo, *_script(session)])
        if session.commands is None:
            return POP3Client(session.user, password, use_apop=session.apop, stls=session.stls,
                              leave_copy=session.leave_copy, seen_uids=self.seen.get(key, ()),
                              retries=session.retries)
        return POP3Client(session.user, password, use_apop=session.apop, stls=session.stls,
                          script=_script(session), retries=session.retries)

    def _sent_copy(self, session, key: str) -> bytes | None:
        """What ``append_sent`` stores: the message this host last sent for the user.
        If it was never sent (a refused AUTH, say), the trace says why nothing is copied."""
        if not any(step.sent_copy for step in session.steps):
            return None
        copy = self.sent.get(key.lower())
        if copy is None:
            self.net.recorder.internal(self.name, "MUA", "no sent message to copy to Sent",
                                       "mua.no_sent_copy", params={"user": session.user})
        return copy

    def _think(self, session, engine, data: bytes) -> float:
        """The user reads for ``pause`` seconds before signing off (only once logged in)."""
        is_quit = data[:4].upper() == b"QUIT"
        return session.pause if is_quit and engine.result.logged_in else 0.0

    def _idle(self, session, conn) -> None:
        """The script is over without QUIT: with ``drop`` the connection breaks."""
        if session.drop:
            self.net.scheduler.after(session.pause, self._drop, conn)

    def _drop(self, conn) -> None:
        if conn.closed:
            return
        self.net.recorder.internal(self.name, "MUA", f"connection to {conn.server} broken",
                                   "pop.broken", dst=conn.server, conn=conn.id,
                                   params={"server": conn.server})
        conn.drop()

    # -- what the session achieved ----------------------------------------------
    def _finished(self, session, key: str, conn) -> None:
        engine = conn.client_engine
        if conn.server_engine is None:
            return                     # the connection itself failed; the TCP step says why
        summary = _SUMMARIES[session.protocol](session, engine)
        if session.protocol == "pop3" and session.commands is None and engine.result.quit_ok:
            self.seen[key] = set(engine.result.seen_uids)
        explain, line, params = summary
        params.update(user=session.user, server=conn.server)
        self.net.recorder.internal(self.name, "MUA", line, explain, conn=conn.id, params=params)


def _script(session) -> list[str]:
    """The session's commands, with QUIT added unless the connection is to break."""
    lines = list(session.commands)
    if not session.drop and lines[-1].split()[0].upper() != "QUIT":
        lines.append("QUIT")
    return lines


def _start_key(session) -> str:
    if session.protocol == "imap":
        return f"imap.client.start.{'script' if session.commands is not None else 'plan'}"
    return f"pop.session.start.{_mode(session)}"


def _mode(session) -> str:
    if session.commands is not None:
        return "script"
    return "keep" if session.leave_copy else "delete"


def _pop3_summary(session, engine) -> tuple[str, str, dict]:
    r = engine.result
    if not r.logged_in:
        refusal = next((x.text for x in reversed(r.responses) if not x.ok), "")
        return ("pop.session.refused", f"login refused: {refusal}",
                refusal_params(refusal, r.attempts, r.unsent))
    if session.commands is None:
        count = len(r.downloaded)
        skipped = len(set(r.uidl.values()) - set(r.downloaded))
    else:
        count, skipped = len(r.messages), 0
    deleted = len(r.deleted) if r.quit_ok else 0
    return _outcome(session, r.quit_ok, count, skipped, deleted, len(r.deleted))


def _pop2_summary(session, engine) -> tuple[str, str, dict]:
    r = engine.result
    if r.count is None:
        refusal = next((x.text for x in reversed(r.replies) if not x.ok), "")
        return "pop.session.refused", f"login refused: {refusal}", {"reply": refusal}
    deleted = len(r.deleted) if r.quit_ok else 0
    return _outcome(session, r.quit_ok, len(r.messages), 0, deleted, len(r.deleted))


def _outcome(session, quit_ok: bool, count: int, skipped: int, deleted: int,
             marked: int) -> tuple[str, str, dict]:
    params = {"count": count, "skipped": skipped, "deleted": deleted, "marked": marked}
    if not quit_ok:
        return "pop.session.dropped", f"downloaded {count}, nothing deleted (no QUIT)", params
    if session.commands is not None:
        return ("pop.session.script",
                f"retrieved {count} messages, {deleted} deleted on the server", params)
    if deleted:
        return ("pop.session.deleted",
                f"downloaded {count} new messages, deleted {deleted} on the server", params)
    return "pop.session.kept", f"downloaded {count} new messages, kept on the server", params


_SUMMARIES = {"pop3": _pop3_summary, "pop2": _pop2_summary,
              "imap": lambda session, engine: imap_summary(engine)}
