"""What the SMTP engines share with their users: the envelope, the server
configuration and the handler hooks (the aiosmtpd ``handle_MAIL`` habit).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .paths import Path
from .replies import Reply

if TYPE_CHECKING:   # pragma: no cover
    from .server import SMTPServer


@dataclass
class Envelope:
    """One mail transaction as SMTP sees it (RFC 5321 §2.3.1): envelope plus content.

    ``content`` is what followed DATA, dot-stuffing removed (§4.5.2), with
    CRLF line ends and a final CRLF.  The session facts (helo, esmtp, tls,
    auth_user) are copied in so that a handler sees the whole picture.
    """

    mail_from: Path | None = None
    rcpt_to: list[Path] = field(default_factory=list)
    content: bytes = b""
    helo: str | None = None
    esmtp: bool = False
    auth_user: str | None = None
    smtputf8: bool = False
    body_type: str = "7BIT"           # or "8BITMIME" (RFC 6152), "BINARYMIME" (RFC 3030 §3)
    declared_size: int | None = None  # SIZE= on MAIL (RFC 1870)
    tls: bool = False


#: EHLO keywords a server offers only when asked to (``extensions: {CHUNKING: true}``):
#: most MTAs on the way do not offer them, and BDAT would replace DATA in every lesson.
OFF_BY_DEFAULT = frozenset({"CHUNKING", "BINARYMIME"})


@dataclass
class ServerConfig:
    """How a server behaves; defaults are those of a plain port-25 MTA."""

    hostname: str
    max_message_size: int = 10 * 1024 * 1024   # advertised with SIZE (RFC 1870 §4)
    max_recipients: int = 100                  # RFC 5321 §4.5.3.1.8: at least 100
    starttls: bool = False          # offer STARTTLS (the driver can do TLS)
    auth_mechanisms: tuple[str, ...] = ("PLAIN", "LOGIN")
    offer_auth: bool = False        # advertise AUTH (submission port 587, RFC 6409)
    auth_required: bool = False     # MAIL needs AUTH first (530 5.7.0, RFC 4954 §6)
    source_routes: str = "ignore"   # "ignore" (RFC 5321 app. C) or "honour" (RFC 821)
    smtputf8: bool = True
    pipelining: bool = True
    greeting: str = "ESMTP mailsim"
    #: EHLO keywords turned off (a scenario's ``extensions: {SIZE: false}``): not offered,
    #: and their parameters and commands are refused as if unknown (RFC 5321 §2.2.2).
    extensions_off: frozenset[str] = frozenset()
    #: keywords of :data:`OFF_BY_DEFAULT` turned on (``extensions: {CHUNKING: true}``).
    extensions_on: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.source_routes not in ("ignore", "honour"):
            raise ValueError("source_routes must be 'ignore' or 'honour'")
        self.auth_mechanisms = tuple(m.upper() for m in self.auth_mechanisms)
        self.extensions_off = frozenset(e.upper() for e in self.extensions_off)
        self.extensions_on = frozenset(e.upper() for e in self.extensions_on)
        # The extensions that have their own switch follow the list too.
        self.pipelining = self.pipelining and self.offers("PIPELINING")
        self.smtputf8 = self.smtputf8 and self.offers("SMTPUTF8")
        self.starttls = self.starttls and self.offers("STARTTLS")
        self.offer_auth = self.offer_auth and self.offers("AUTH")

    def offers(self, keyword: str) -> bool:
        """Whether the EHLO keyword ``keyword`` is on for this server.

        BINARYMIME needs CHUNKING too: binary data travels only in BDAT chunks
        (RFC 3030 §3 item 3)."""
        keyword = keyword.upper()
        if keyword == "BINARYMIME" and not self.offers("CHUNKING"):
            return False
        if keyword in OFF_BY_DEFAULT:
            return keyword in self.extensions_on and keyword not in self.extensions_off
        return keyword not in self.extensions_off


class Handler:
    """Hooks that decide what the server answers; override what you need.

    Each ``handle_*`` returns a :class:`Reply` to send instead of the default,
    or None for the default.  A reply of class 4xx/5xx refuses the command and
    leaves the session state unchanged.
    """

    def handle_connect(self, session: SMTPServer) -> Reply | None:
        """The opening reply: None = 220; 554 refuses the session (RFC 5321 §3.1),
        421 closes it at once (§3.8)."""
        return None

    def handle_command(self, session: SMTPServer, verb: str, argument: str) -> Reply | None:
        """Called first for every complete command line; a reply short-circuits it."""
        return None

    def authenticate(self, session: SMTPServer, mechanism: str, username: str,
                     password: str) -> bool:
        """Check credentials from AUTH PLAIN / LOGIN (RFC 4954, RFC 4616)."""
        return False

    def authorize(self, session: SMTPServer, username: str, authzid: str) -> bool:
        """Whether ``username``, already authenticated, may act as ``authzid`` (RFC 4616 §2).

        Called only for an authzid other than empty or the user name itself;
        the default grants nothing, so AUTH fails with 535 5.7.8.
        """
        return False

    def handle_MAIL(self, session: SMTPServer, envelope: Envelope, path: Path) -> Reply | None:
        """The reverse path was parsed and is acceptable to the engine."""
        return None

    def handle_RCPT(self, session: SMTPServer, envelope: Envelope, path: Path) -> Reply | None:
        """A forward path, e.g. refuse with 550 5.1.1 (unknown user) or 550 5.7.1 (relaying)."""
        return None

    def handle_DATA(self, session: SMTPServer, envelope: Envelope) -> Reply | None:
        """The content is complete; return e.g. 250 2.0.0 with a queue id."""
        return None

    def handle_VRFY(self, session: SMTPServer, argument: str) -> Reply | None:
        """Default 252: cannot verify, will try delivery (RFC 5321 §3.5.3, §7.3)."""
        return None


def describe_path(path: Path) -> dict[str, Any]:
    """Explanation parameters for a path (used by the transcript)."""
    return {"path": str(path), "mailbox": path.mailbox or "<>",
            "route": ",".join(path.route), "hops": len(path.route)}


class GuardedHandler(Handler):
    """Calls a Handler's hooks so that a hook's own bug never escapes the engine.

    A hook that raises is answered like a local failure: 451 4.3.0 (RFC 5321
    §4.2.3, RFC 3463 §3.4), which a client retries later, so a message is
    never lost; ``authenticate`` and ``authorize`` count as a failed login.  The exception is
    kept in ``errors`` for the driver to log.  Each hook is spelled out (no
    attribute forwarding), so the session calls exactly the Handler interface.
    """

    def __init__(self, handler: Handler, local_error: Callable[[], Reply]) -> None:
        self._handler = handler
        self._local_error = local_error
        self.errors: list[BaseException] = []
        #: Whether ``handler`` has a ``handle_command`` (``handle_connect``) of its own.  The
        #: default answers None to every line (to the connection), so the engine asks the
        #: hook only when this is true: a handler decides once, by its class, whether each
        #: command costs a call (0.3 µs a line), and each connection (0.4 µs).
        kind = type(handler)
        self.hooks_commands = kind.handle_command is not Handler.handle_command
        self.hooks_connect = kind.handle_connect is not Handler.handle_connect

    def handle_connect(self, session: SMTPServer) -> Reply | None:
        return self._reply(self._handler.handle_connect, session)

    def handle_command(self, session: SMTPServer, verb: str, argument: str) -> Reply | None:
        return self._reply(self._handler.handle_command, session, verb, argument)

    def authenticate(self, session: SMTPServer, mechanism: str, username: str,
                     password: str) -> bool:
        return self._verdict(self._handler.authenticate, session, mechanism, username, password)

    def authorize(self, session: SMTPServer, username: str, authzid: str) -> bool:
        return self._verdict(self._handler.authorize, session, username, authzid)

    def handle_MAIL(self, session: SMTPServer, envelope: Envelope, path: Path) -> Reply | None:
        return self._reply(self._handler.handle_MAIL, session, envelope, path)

    def handle_RCPT(self, session: SMTPServer, envelope: Envelope, path: Path) -> Reply | None:
        return self._reply(self._handler.handle_RCPT, session, envelope, path)

    def handle_DATA(self, session: SMTPServer, envelope: Envelope) -> Reply | None:
        return self._reply(self._handler.handle_DATA, session, envelope)

    def handle_VRFY(self, session: SMTPServer, argument: str) -> Reply | None:
        return self._reply(self._handler.handle_VRFY, session, argument)

    def _reply(self, hook: Callable[..., Reply | None], *args: Any) -> Reply | None:
        try:
            return hook(*args)
        except Exception as exc:        # noqa: BLE001 - any bug in a hook
            self.errors.append(exc)
            return self._local_error()

    def _verdict(self, hook: Callable[..., bool], *args: Any) -> bool:
        try:
            return hook(*args)
        except Exception as exc:        # noqa: BLE001 - any bug in a hook: no login
            self.errors.append(exc)
            return False


@dataclass
class ClientResult:
    """What happened to the transaction, as the client saw it."""

    greeting: Reply | None = None
    extensions: dict[str, str] = field(default_factory=dict)   # EHLO keyword → parameters
    mail: Reply | None = None                                  # the reply to MAIL FROM
    recipients: dict[Path, Reply] = field(default_factory=dict)
    final: Reply | None = None          # the reply to the content (after the final dot)
    failed_stage: str | None = None     # ClientState value where it went wrong
    failure: Reply | None = None        # the reply that ended it (None: local reason)
    tls: bool = False
    authenticated: bool = False

    @property
    def accepted(self) -> list[Path]:
        """Recipients whose RCPT got a 2xx reply, in the order they were sent."""
        return [p for p, r in self.recipients.items() if 200 <= r.code < 300]

    @property
    def delivered(self) -> bool:
        """The server took responsibility for the message (2xx after the dot)."""
        return self.final is not None and 200 <= self.final.code < 300
