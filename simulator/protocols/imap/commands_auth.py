"""Commands for any state and for logging in (RFC 3501 §6.1-§6.2, RFC 9051 §6.1-§6.2),
plus ENABLE (RFC 5161, RFC 9051 §6.3.1) and IDLE (RFC 2177, RFC 9051 §6.3.13).

Each handler takes the session and the parsed command and returns the
tagged completion, or an :class:`~.outcome.Outcome` without one when the
command goes on (IDLE waits for DONE, AUTHENTICATE for the client's SASL
response).  The session applies the move; no handler sets its state.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..sasl_plain import MalformedPlain, decode_plain, may_act_as
from . import states as S
from .events import Authenticated, IdleEnded, IdleStarted, TLSRequested
from .framing import CommandText
from .lexer import ParseError
from .outcome import HANDLERS, Outcome
from .parser import Command, arity, astring
from .responses import Response, continuation, data, tagged, untagged_status
from .states import Move
from .types import NIL

if TYPE_CHECKING:
    from .session import IMAPServer

BASE_CAPABILITIES = ("IMAP4rev1", "ID", "LITERAL+", "SASL-IR", "ENABLE", "IDLE", "ESEARCH", "SEARCHRES",
                     "LIST-EXTENDED", "LIST-STATUS", "BINARY", "MULTIAPPEND",
                     "NAMESPACE", "UNSELECT", "UIDPLUS", "MOVE", "CHILDREN", "SPECIAL-USE")
ENABLEABLE = ("IMAP4REV2",)


def capabilities(s: IMAPServer) -> str:
    """The capability list for this moment (RFC 9051 §6.1.1): it changes with TLS and login."""
    caps = _caps_after_login(s).split()
    if s.state == S.NOT_AUTHENTICATED:
        if s.config.starttls and not s.tls:
            caps.append("STARTTLS")
        if s.config.login_requires_tls and not s.tls:
            caps.append("LOGINDISABLED")
        else:
            caps.append("AUTH=PLAIN")
    return " ".join(caps)


def offered(s: IMAPServer, name: str) -> bool:
    """Whether a command that exists only with a configuration switch is on."""
    return name != "STARTTLS" or s.config.starttls


@HANDLERS.command("CAPABILITY")
def do_capability(s: IMAPServer, cmd: Command) -> Response:
    arity(cmd.args, 0, 0)
    caps = capabilities(s)
    s.say(data("CAPABILITY", f"CAPABILITY {caps}".encode(), capabilities=caps))
    return tagged(cmd.tag, "completed", name="CAPABILITY")


#: What the server says about itself in the ID response (RFC 2971 §3.3 field names).
SERVER_ID = ("name", "mailsim", "vendor", "mailsim project")


@HANDLERS.command("ID")
def do_id(s: IMAPServer, cmd: Command) -> Response:
    """ID: NIL or (field value ...) from the client, our own list back (RFC 2971 §3.1).

    Fields are strings of at most 30 octets, values nstrings of at most 1024,
    at most 30 pairs (RFC 2971 §3.3); the server only records them.
    """
    arity(cmd.args, 1, 1)
    value = cmd.args[0]
    if value is not NIL:
        if not isinstance(value, list) or len(value) % 2 or len(value) > 60:
            raise ParseError("syntax.id_list")
        for field, item in zip(value[::2], value[1::2]):
            if field is NIL or len(astring(field)) > 30 or (
                    item is not NIL and len(astring(item)) > 1024):
                raise ParseError("syntax.id_list")
    listed = " ".join(f'"{v}"' for v in SERVER_ID)
    s.say(data("ID", f"ID ({listed})".encode(), fields=listed))
    return tagged(cmd.tag, "completed", name="ID")


@HANDLERS.command("NOOP", "CHECK")
def do_noop(s: IMAPServer, cmd: Command) -> Response:
    """NOOP does nothing, which is exactly when the server may tell what changed (§6.1.2)."""
    arity(cmd.args, 0, 0)
    return tagged(cmd.tag, "completed", name=cmd.name)


@HANDLERS.command("LOGOUT")
def do_logout(s: IMAPServer, cmd: Command) -> Response:
    """BYE first, then the tagged OK (RFC 9051 §6.1.3)."""
    arity(cmd.args, 0, 0)
    s.say(untagged_status("bye_logout", host=s.config.hostname))
    return tagged(cmd.tag, "logout_ok")


@HANDLERS.command("STARTTLS")
def do_starttls(s: IMAPServer, cmd: Command) -> Response:
    arity(cmd.args, 0, 0)
    if s.tls:
        return tagged(cmd.tag, "starttls_again")
    s.emit(TLSRequested())
    s.notes["discarded"] = s.discard_unread()   # no clear-text injection (RFC 9051 §11.1)
    return tagged(cmd.tag, "starttls_ok")


@HANDLERS.command("LOGIN")
def do_login(s: IMAPServer, cmd: Command) -> Response:
    arity(cmd.args, 2, 2)
    if s.config.login_requires_tls and not s.tls:
        return tagged(cmd.tag, "login_disabled")
    return _login(s, cmd.tag, astring(cmd.args[0]), astring(cmd.args[1]), "LOGIN")


def _login(s: IMAPServer, tag: str, user: str, password: str, method: str,
           authzid: str = "") -> Response:
    if s.failed_logins:
        # Another try after a NO: the session stayed not authenticated (RFC 9051 §6.2.3).
        s.notes.update(notes=["imap.reply.login_again"], failures=s.failed_logins)
    account = s.backend.authenticate(user, password)
    if account is None:
        s.failed_logins += 1
        return tagged(tag, "auth_failed", user=user)
    if not may_act_as(authzid, user, account):
        # RFC 4616 §2: the password was right, but acting as someone else is refused;
        # RFC 5530 §3 names this case AUTHORIZATIONFAILED.
        return tagged(tag, "authz_failed", user=user, authzid=authzid)
    s.user, s.account = user, account
    s.emit(Authenticated(user, account, method))
    return tagged(tag, "login_ok", caps=_caps_after_login(s), user=user)


def _caps_after_login(s: IMAPServer) -> str:
    """The capabilities in the login OK: no STARTTLS or AUTH= any more (RFC 9051 §6.2.2)."""
    caps = list(BASE_CAPABILITIES)
    if s.config.imap4rev2:
        caps.insert(1, "IMAP4rev2")
    return " ".join(caps)


@HANDLERS.command("AUTHENTICATE")
def do_authenticate(s: IMAPServer, cmd: Command) -> Response | Outcome:
    """AUTHENTICATE PLAIN (RFC 4616), the response inline (SASL-IR, RFC 4959) or after ``+``."""
    arity(cmd.args, 1, 2)
    mechanism = astring(cmd.args[0]).upper()
    if mechanism != "PLAIN":
        return tagged(cmd.tag, "auth_mechanism", mechanism=mechanism)
    if s.config.login_requires_tls and not s.tls:
        return tagged(cmd.tag, "login_disabled")
    if len(cmd.args) == 2:
        return _check_plain(s, cmd.tag, astring(cmd.args[1]).encode())
    s.say(continuation("authenticate"))
    return Outcome(None, Move.SASL_CONTINUE)


def sasl_response(s: IMAPServer, frame: CommandText) -> Response:
    """The client's line after ``+``: base64 credentials, or ``*`` to cancel."""
    line = frame.parts[0]
    s.record(frame.raw, "imap.cmd.sasl_response", {"cancel": line == b"*"})
    if line == b"*":
        return tagged(s.waiting_tag, "auth_cancelled")
    return _check_plain(s, s.waiting_tag, line)


def _check_plain(s: IMAPServer, tag: str, b64: bytes) -> Response:
    """PLAIN is ``authzid NUL authcid NUL password`` in base64 (RFC 4616 §2); "=" is empty."""
    try:
        message = decode_plain(b64)
    except MalformedPlain:
        return tagged(tag, "auth_bad_response")
    return _login(s, tag, message.authcid, message.password, "AUTHENTICATE PLAIN",
                  message.authzid)


@HANDLERS.command("ENABLE")
def do_enable(s: IMAPServer, cmd: Command) -> Response:
    """ENABLE IMAP4rev2 switches this session to RFC 9051 rules (no \\Recent, ESEARCH).

    Only what the server advertises can be enabled; the rest is ignored (RFC 5161 §3.1).
    """
    arity(cmd.args, 1)
    wanted = [astring(a).upper() for a in cmd.args]
    enabled = [w for w in wanted if w in ENABLEABLE and s.config.imap4rev2]
    if "IMAP4REV2" in enabled:
        s.rev2 = True
    names = " ".join("IMAP4rev2" if e == "IMAP4REV2" else e for e in enabled)
    s.say(data("ENABLED", f"ENABLED {names}".rstrip().encode(), enabled=names))
    return tagged(cmd.tag, "enable_ok")


@HANDLERS.command("IDLE")
def do_idle(s: IMAPServer, cmd: Command) -> Outcome:
    """IDLE: "+ idling", then changes are pushed as they happen until DONE (RFC 2177)."""
    arity(cmd.args, 0, 0)
    s.say(continuation("idle"))
    s.emit(IdleStarted(cmd.tag))
    return Outcome(None, Move.ENTER_IDLE)


def idle_line(s: IMAPServer, frame: CommandText) -> Response:
    """The only thing a client may send in IDLE is DONE; anything else ends IDLE with BAD."""
    done = frame.parts[0].strip().upper() == b"DONE" and len(frame.parts) == 1
    s.record(frame.raw, "imap.cmd.DONE" if done else "imap.cmd.idle_garbage", {})
    tag = s.waiting_tag
    s.emit(IdleEnded(tag))
    return tagged(tag, "completed", name="IDLE") if done else tagged(tag, "idle_expected_done")


