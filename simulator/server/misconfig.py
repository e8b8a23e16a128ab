"""Recognising a mis-configured mail client from what it sends (issue 17, item 5).

A student who ticks the wrong box in Outlook or Thunderbird meets a terse
error or a hang.  The server sees the cause plainly, so the live trace gets a
*diagnosis* step right after the exchange that shows it, with the fix in the
client's own words (``serve.diagnosis.*`` in ru and en):

==========================  ==========================================================
``tls_on_plain_port``       a TLS ClientHello (record type 22, version 3.x, RFC 8446
                            §5.1) as the first bytes on 25/587/110/143: SSL/TLS chosen
                            for a STARTTLS port
``plain_on_tls_port``       no ClientHello on 465/993/995 (the client waits for a
                            greeting, or sends a command): STARTTLS or none chosen for
                            an implicit-TLS port (RFC 8314 §3)
``auth_before_starttls``    a password offered before STARTTLS where TLS is required
                            (SMTP 538/530 to AUTH, POP3 ``[AUTH]`` to USER, IMAP
                            ``[PRIVACYREQUIRED]``)
``wrong_domain``            the user name has a domain this server does not serve
``unknown_user``            the user name is no account (the display name, a typo)
``wrong_password``          the account exists, the password is wrong (535,
                            ``-ERR [AUTH]``, ``NO [AUTHENTICATIONFAILED]``)
``pop3_in_use``             the maildrop is locked by another session (``[IN-USE]``,
                            RFC 2449 §8.1.2)
``mx_port``                 a mail client on the MX port 25: AUTH there, or mail to
                            another domain refused as relaying (RFC 6409 §1)
``smtp_auth_off``           MAIL without AUTH on submission (530): "my server requires
                            authentication" is not ticked
==========================  ==========================================================

Only the first few bytes and the engines' own events are looked at, and only
after an error reply: a well-configured client costs one comparison per command.
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..protocols.ftp.events import LoginFailed as FTPLoginFailed
from ..protocols.imap.events import CommandCompleted
from ..protocols.pop3.events import AuthenticationFailed
from ..protocols.smtp.events import AuthFailed


@dataclass(frozen=True)
class Finding:
    """One diagnosis: its key under ``serve.diagnosis`` and the values its text needs."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


#: OpenSSL's reasons for a handshake that met something other than TLS (plain text).
NOT_TLS = ("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "UNKNOWN_PROTOCOL", "RECORD_LAYER_FAILURE",
           "PACKET_LENGTH_TOO_LONG", "UNEXPECTED_RECORD", "VERSION_TOO_LOW")
#: The client's alerts when it does not trust the certificate (RFC 8446 §6.2).
CERT_REFUSED = ("UNKNOWN_CA", "BAD_CERTIFICATE", "CERTIFICATE_UNKNOWN")


def handshake_finding(exc: BaseException, port: int) -> Finding | None:
    """Why a handshake on an implicit-TLS port failed, if a client setting explains it."""
    # asyncio ends a handshake that outlived ssl_handshake_timeout with ConnectionAbortedError
    # (a reset or an early close by the client is ConnectionResetError or an SSLError).
    if isinstance(exc, (TimeoutError, ConnectionAbortedError)):
        return Finding("plain_on_tls_port_silent", {"port": port})
    reason = str(getattr(exc, "reason", "") or "").upper()
    if any(r in reason for r in CERT_REFUSED):
        return Finding("certificate_refused", {"port": port})
    if any(r in reason for r in NOT_TLS):
        return Finding("plain_on_tls_port", {"port": port})
    return None


def is_client_hello(data: bytes) -> bool:
    """A TLS handshake record (content type 22, legacy version 3.x): RFC 8446 §5.1."""
    return len(data) >= 3 and data[0] == 0x16 and data[1] == 0x03


def login_finding(user: str | None, find_account, domain: str) -> Finding:
    """Why a login failed: the user name's form, or (the name being right) the password."""
    user = (user or "").strip()
    if user and find_account(user) is not None:
        return Finding("wrong_password", {"user": user})
    local, at, other = user.rpartition("@") if "@" in user else (user, "", "")
    if at and other.lower() != domain and find_account(local) is not None:
        return Finding("wrong_domain", {"user": user, "login": local,
                                        "address": f"{local}@{domain}", "domain": other})
    return Finding("unknown_user", {"user": user or "—", "domain": domain})


#: The engine events a diagnosis may come from.
WATCHED = (AuthFailed, AuthenticationFailed, CommandCompleted, FTPLoginFailed)
#: How a refusal begins (SMTP 5xx, POP3 -ERR): a reply the diagnosis reads without events.
REFUSALS = (b"5", b"-")


class Diagnoser:
    """The diagnoses of one connection; ``after(line, reply, events)`` per command."""

    def __init__(self, protocol: str, port: int, find_account, domain: str) -> None:
        self.protocol, self.port = protocol, port
        self.find_account, self.domain = find_account, domain
        self.seen: set[str] = set()

    def after(self, line: bytes, reply: bytes, events: Iterable[Any]) -> list[Finding]:
        """What the client got wrong, judged by its line, the reply and the engine's events.

        Each diagnosis is given once per connection: smtplib, for one, tries
        PLAIN and then LOGIN with the same wrong password.
        """
        found = [f for event in events if isinstance(event, WATCHED)
                 for f in self._from_event(event, line, reply)]
        if not found and reply[:1] in REFUSALS:
            found = self._from_reply(line, reply)
        if not found:
            return found            # the usual case: one isinstance per event, one comparison
        fresh = [f for f in found if f.key not in self.seen]
        self.seen.update(f.key for f in fresh)
        return fresh

    def _from_event(self, event, line: bytes, reply: bytes) -> list[Finding]:
        if isinstance(event, AuthFailed) and event.reply.code == 535:
            return [self._login(event.user)]
        if isinstance(event, FTPLoginFailed):               # PASS answered 530 (RFC 959)
            return [self._login(event.user)]
        if isinstance(event, AuthenticationFailed):
            if event.reason == "in-use":
                return [Finding("pop3_in_use", {"user": event.user})]
            if event.reason == "auth":
                return [self._login(event.user)]
        if isinstance(event, CommandCompleted) and event.status == "NO" and \
                event.name in ("LOGIN", "AUTHENTICATE"):
            if b"[PRIVACYREQUIRED]" in reply:
                return [Finding("auth_before_starttls", {"port": self.port})]
            return [self._login(imap_user(event.name, line))]
        return []

    def _from_reply(self, line: bytes, reply: bytes) -> list[Finding]:
        verb = line.split(None, 1)[0].upper() if line.strip() else b""
        if self.protocol == "SMTP":
            if verb == b"AUTH" and reply[:3] in (b"538", b"530"):
                return [Finding("auth_before_starttls", {"port": self.port})]
            if self.port == 25 and (verb == b"AUTH" or (verb == b"RCPT" and b"Relay access"
                                                       in reply)):
                return [Finding("mx_port", {"port": self.port})]
            if verb == b"MAIL" and reply[:3] == b"530":
                return [Finding("smtp_auth_off", {"port": self.port})]
        if self.protocol == "POP3" and verb in (b"USER", b"PASS") and b"STLS first" in reply:
            return [Finding("auth_before_starttls", {"port": self.port})]
        return []

    def _login(self, user: str | None) -> Finding:
        return login_finding(user, self.find_account, self.domain)


_ASTRING = re.compile(rb'\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))')


def imap_user(command: str, line: bytes) -> str | None:
    """The user name of a failed IMAP login: LOGIN's first argument (RFC 9051 §6.2.3), or the
    authentication identity of an AUTHENTICATE PLAIN response (RFC 4616 §2)."""
    if command == "LOGIN":
        parts = line.split(None, 2)
        if len(parts) < 3:
            return None
        match = _ASTRING.match(parts[2])
        if not match:
            return None
        raw = match.group(1) if match.group(1) is not None else match.group(2)
        return re.sub(rb"\\(.)", rb"\1", raw).decode("utf-8", "replace")
    words = line.split()
    try:
        decoded = base64.b64decode(words[-1], validate=True) if words else b""
    except (binascii.Error, ValueError):
        return None
    pieces = decoded.split(b"\0")
    return pieces[1].decode("utf-8", "replace") if len(pieces) == 3 else None
