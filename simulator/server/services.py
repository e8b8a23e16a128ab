"""What the classroom host serves on real sockets: one entry per listening port.

Each service names the standard port (RFC 6409 §3: submission 587; RFC 8314
§3.3: implicit TLS on 465, 993 and 995; RFC 5321 §4.5.3.2 and RFC 1939 §3
for the idle timeouts) and makes a fresh sans-IO engine per connection,
built from the same network node that answers in the simulation, so a real
client talks to exactly the code a notebook shows.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..network.mta import SessionHandler
from ..protocols.pop2 import POP2Config, POP2Server
from ..protocols.pop3 import POP3Config, POP3Server
from ..protocols.smtp import Envelope, Path, Reply, ServerConfig, SMTPServer
from .ftp_side import FTPLiveConnection

#: Seconds a server waits for the client's next command before it hangs up.
#: SMTP: RFC 5321 §4.5.3.2.7 (at least 5 minutes); POP: RFC 1939 §3 (at
#: least 10 minutes); IMAP: RFC 9051 §5.4 (at least 30 minutes).
IDLE_TIMEOUTS = {"SMTP": 300.0, "POP3": 600.0, "POP2": 600.0, "IMAP": 1800.0,
                 "HTTP": 60.0,      # HTTP: a keep-alive connection nobody uses (RFC 9112 §9.5)
                 "FTP": 300.0}      # FTP: RFC 959 sets none; vsftpd's idle_session_timeout

#: security: "none", "starttls" (upgrade in the session) or "tls" (implicit TLS).
SERVICE_TABLE = (
    # name, protocol, standard port, security, role the host needs
    ("smtp", "SMTP", 25, "starttls", "mta"),
    ("submission", "SMTP", 587, "starttls", "submission"),
    ("smtps", "SMTP", 465, "tls", "submission"),
    ("pop3", "POP3", 110, "starttls", "pop3"),
    ("pop3s", "POP3", 995, "tls", "pop3"),
    ("pop2", "POP2", 109, "none", "pop2"),
    ("imap", "IMAP", 143, "starttls", "imap"),
    ("imaps", "IMAP", 993, "tls", "imap"),
    ("http", "HTTP", 80, "none", "imap"),          # the webmail over the served mailboxes
    ("ftp", "FTP", 21, "none", "ftp"),             # each account's files (RFC 959 §3.2)
)


@dataclass(frozen=True)
class Service:
    """One listening port of the served host."""

    name: str
    protocol: str
    port: int               # the standard port, as the trace and the students know it
    security: str           # none | starttls | tls
    make: Callable[[str, str], Any]     # (peer, conn_id) -> a fresh server engine
    #: (engine, driver): tells the service which live connection drives an engine
    attach: Callable[[Any, Any], None] | None = None
    #: the driver class of its connections (None: the plain LiveConnection)
    driver: type | None = None


class LiveSMTPHandler(SessionHandler):
    """The MTA's hooks, plus (``bind_sender``, submission only) RFC 6409 §6.1's check of
    the sender; :class:`TLSFirstSMTPHandler` adds RFC 4954 §4's 538 for AUTH in clear."""

    def __init__(self, mta, port: int, peer: str, bind_sender: bool = False) -> None:
        super().__init__(mta, port, peer)
        self.bind_sender = bind_sender

    def handle_MAIL(self, session, envelope: Envelope, path: Path) -> Reply | None:
        """RFC 6409 §6.1: an MSA may refuse a reverse path the user is not entitled to."""
        if self.bind_sender and session.auth_user is not None:
            own = self.own_address(session.auth_user)
            if path.route or path.mailbox.lower() != own.lower():
                text = (f"<{path.mailbox}>: Sender address rejected: not owned by "
                        f"user {session.auth_user}, send as <{own}>")
                return Reply(550, "5.7.1", (text,), key="serve.reply.sender_not_owned")
        return super().handle_MAIL(session, envelope, path)

    def own_address(self, login: str) -> str:
        """The address of the account a login name belongs to."""
        account = self.mta.net.store.find(login)
        return account.address if account is not None else login


class TLSFirstSMTPHandler(LiveSMTPHandler):
    """``--require-tls``: AUTH before STARTTLS is answered 538 (RFC 4954 §4, §6).  Its own
    class, so that without the option no command pays for the check."""

    def handle_command(self, session, verb: str, argument: str) -> Reply | None:
        if verb == "AUTH" and not session.secure:
            text = "Encryption required for requested authentication mechanism"
            return Reply(538, "5.7.11", (text,), key="serve.reply.encryption_required")
        return super().handle_command(session, verb, argument)


def build_services(world) -> list[Service]:
    """The services the served host's roles call for, in the order of SERVICE_TABLE."""
    roles = set(world.host.roles) | ({"submission"} if world.host.submission else set())
    makers = {"SMTP": _smtp, "POP3": _pop3, "POP2": _pop2, "IMAP": _imap, "HTTP": _http,
              "FTP": _ftp}
    out = []
    for name, protocol, port, security, role in SERVICE_TABLE:
        if role not in roles or (protocol == "IMAP" and world.imap is None) or \
                (protocol == "FTP" and world.ftp is None):
            continue
        if world.require_tls and _cannot_require_tls(protocol, security):
            continue
        maker = makers[protocol]
        attach = world.webmail.attach_live if protocol == "HTTP" else None
        driver = FTPLiveConnection if protocol == "FTP" else None
        out.append(Service(name, protocol, port, security,
                           lambda peer, conn, m=maker, n=name, s=security:
                           m(world, n, s, peer, conn), attach, driver))
    return out


def _cannot_require_tls(protocol: str, security: str) -> bool:
    """Ports that stay closed with --require-tls: POP2, HTTP and FTP have no TLS here."""
    return security == "none"


def _smtp(world, name: str, security: str, peer: str, conn_id: str) -> SMTPServer:
    submission = name != "smtp"
    mta = world.mta
    config = _smtp_config(mta.name, world.net.source_routes, security == "starttls",
                          submission, mta.extensions_off, mta.extensions_on)
    port = 587 if submission else 25
    handler = mta.session_handler(port, peer,
                                  TLSFirstSMTPHandler if world.require_tls else LiveSMTPHandler,
                                  bind_sender=submission and world.bind_sender)
    engine = SMTPServer(config, handler, peer=peer)
    engine.secure = security == "tls"
    return engine


@lru_cache(maxsize=16)
def _smtp_config(hostname: str, source_routes: str, starttls: bool, submission: bool,
                 extensions_off: frozenset[str], extensions_on: frozenset[str]) -> ServerConfig:
    """One port's SMTP settings, made once for all its connections (no engine changes
    them): making them checked every EHLO keyword again for each short connection."""
    return ServerConfig(hostname=hostname, source_routes=source_routes, starttls=starttls,
                        offer_auth=submission, auth_required=submission,
                        extensions_off=extensions_off,
                        extensions_on=extensions_on)        # the scenario's EHLO keywords


def _pop3(world, name: str, security: str, peer: str, conn_id: str) -> POP3Server:
    service = world.pop3
    config = POP3Config(hostname=service.name, apop_timestamp=service.apop_timestamp(),
                        stls=security == "starttls", implicit_tls=security == "tls",
                        plaintext_login=not world.require_tls)
    return POP3Server(config, service.backend, session_id=f"{service.name}/{conn_id}")


def _pop2(world, name: str, security: str, peer: str, conn_id: str) -> POP2Server:
    service = world.pop2
    return POP2Server(POP2Config(hostname=service.name), service.backend,
                      session_id=f"{service.name}/{conn_id}")


def _imap(world, name: str, security: str, peer: str, conn_id: str):
    config = world.imap.config(starttls=security == "starttls",
                               login_requires_tls=world.require_tls and security != "tls")
    engine = world.imap.engine(config, conn_id)
    engine.tls = security == "tls"
    return engine


def _http(world, name: str, security: str, peer: str, conn_id: str):
    """The webmail (:mod:`simulator.network.webmail`) over the served host's own IMAP and
    submission: a browser logs in with the same accounts as a mail program."""
    return world.webmail.server_session(80, peer, conn_id)


def _ftp(world, name: str, security: str, peer: str, conn_id: str):
    """FTP (RFC 959) over each account's own files; :class:`.ftp_side.FTPLiveConnection`
    makes the engine itself, with the address the client reached (for 227 replies)."""
    return world.ftp.session(peer)
