"""What each SMTP command does on the server, once the state table allowed it.

:class:`SMTPCommands` holds what a session knows (hello, envelope, TLS,
login) and one handler per verb, registered in :data:`HANDLERS` with
``@HANDLERS.command(VERB)`` (the one registration style of every engine,
``protocols/_base.py``).  A handler takes the argument text and returns the
reply; the session (:mod:`.server`, a subclass that adds framing and the state
table) then moves the state if the reply is below 400.  A handler changes the
session only when it accepts the command, so a refused command leaves
everything as it was (RFC 5321 §4.1.4 / §4.2.5 spirit).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .._base import CommandTable, EngineOutput
from ..sasl_plain import may_act_as
from .chunking import parse_bdat
from .commands import HELP, help_text
from .events import AuthFailed, AuthSucceeded, Event
from .models import Envelope, GuardedHandler, Handler, ServerConfig, describe_path
from .paths import Path, parse_path, path_argument
from .replies import Reply, reply
from .sasl import (
    SERVER_MECHANISMS,
    Cancelled,
    Challenge,
    Credentials,
    LoginServer,
    PlainServer,
    Step,
)

_BODY_TYPES = ("7BIT", "8BITMIME", "BINARYMIME")


def _syntax(verb: str) -> Reply:
    return reply("syntax", syntax=HELP[verb].syntax)


def _local_error() -> Reply:
    """A handler hook raised: 451 4.3.0 (:class:`.models.GuardedHandler`)."""
    return reply("local_error")


#: verb → handler(session, argument) → reply, for every verb of ``states.COMMANDS``.
HANDLERS: CommandTable[Callable[[SMTPCommands, str], Reply]] = CommandTable("SMTP server")


class SMTPCommands(EngineOutput):
    """What an SMTP server session knows, and what each command does to it."""

    def __init__(self, config: ServerConfig, handler: Handler | None) -> None:
        super().__init__()
        self.config = config
        self.handler = GuardedHandler(handler or Handler(), _local_error)
        self.secure = False
        self.auth_user: str | None = None
        self.helo: str | None = None
        self.esmtp = False              # the last hello was EHLO
        self._envelope: Envelope | None = None     # the open transaction's (from MAIL on)
        self._enhanced = False          # RFC 2034: enhanced codes only after EHLO
        self._auth_failures = 0         # 535s on this connection (a retry is allowed)
        self._sasl: PlainServer | LoginServer | None = None
        self._events: list[Event] = []
        self._params: dict[str, Any] = {}    # explanation parameters of the current line

    @property
    def envelope(self) -> Envelope:
        """The mail transaction's envelope (RFC 5321 §3.3): the open one after MAIL,
        otherwise an empty one with the session's facts (hello, TLS, login).

        Made when first asked for: a transaction ends (the final dot, RSET, a new
        hello) without building the next envelope, since MAIL builds its own."""
        if self._envelope is None:
            self._envelope = self._fresh_envelope()
        return self._envelope

    def _fresh_envelope(self) -> Envelope:
        return Envelope(helo=self.helo, esmtp=self.esmtp, auth_user=self.auth_user,
                        tls=self.secure)

    def _end_transaction(self) -> None:
        """Forget the envelope (RFC 5321 §4.1.1.5, §4.1.4): the next one starts empty."""
        self._envelope = None

    # ------------------------------------------------------ HELO / EHLO (§4.1.1.1)
    @HANDLERS.command("HELO")
    def _cmd_HELO(self, argument: str) -> Reply:
        if not argument or " " in argument:
            return _syntax("HELO")
        self._hello(argument, esmtp=False)
        return reply("helo", host=self.config.hostname, client=argument)

    @HANDLERS.command("EHLO")
    def _cmd_EHLO(self, argument: str) -> Reply:
        if not argument or " " in argument:
            return _syntax("EHLO")
        self._hello(argument, esmtp=True)
        keywords = "\n".join(self.extensions())
        return reply("ehlo", host=self.config.hostname, client=argument, keywords=keywords)

    def _hello(self, name: str, *, esmtp: bool) -> None:
        # A repeated hello aborts any open transaction, like RSET (§4.1.4).
        self.helo, self.esmtp = name, esmtp
        self._enhanced = esmtp and self.config.offers("ENHANCEDSTATUSCODES")   # RFC 2034
        self._end_transaction()

    def extensions(self) -> list[str]:
        """The EHLO keywords this session offers now (RFC 5321 §4.1.1.1, §2.2.2)."""
        cfg = self.config
        offered = [("PIPELINING", cfg.pipelining), (f"SIZE {cfg.max_message_size}", True),
                   ("8BITMIME", True), ("SMTPUTF8", cfg.smtputf8),
                   ("CHUNKING", True), ("BINARYMIME", True),
                   ("STARTTLS", cfg.starttls and not self.secure),
                   ("AUTH " + " ".join(cfg.auth_mechanisms), cfg.offer_auth),
                   ("ENHANCEDSTATUSCODES", True), ("HELP", True)]
        return [keyword for keyword, on in offered if on and cfg.offers(keyword.split()[0])]

    # -------------------------------------------------------- MAIL FROM (§4.1.1.2)
    @HANDLERS.command("MAIL")
    def _cmd_MAIL(self, argument: str) -> Reply:
        if self.config.auth_required and self.auth_user is None:
            return reply("auth_required")           # RFC 4954 §6
        try:
            path_text, params = path_argument(argument, "FROM")
        except ValueError:
            return _syntax("MAIL")
        envelope = self._fresh_envelope()
        refusal = self._mail_params(envelope, params)
        if refusal is not None:
            return refusal
        if not path_text.isascii() and not envelope.smtputf8:
            return reply("utf8_not_allowed_mail")   # RFC 6531 §3.5
        try:
            path = parse_path(path_text, smtputf8=envelope.smtputf8)
        except ValueError as exc:
            return reply("mail_bad_address", detail=str(exc))
        return self._accept_sender(envelope, replace(path, params=params) if params else path)

    def _mail_params(self, envelope: Envelope, params: tuple) -> Reply | None:
        """Apply SIZE, BODY, SMTPUTF8 (and ignore AUTH=) to the new envelope."""
        for key, value in params:
            if not self.esmtp:
                return reply("param_unknown", param=key)   # parameters need EHLO
            refusal = self._mail_param(envelope, key, value)
            if refusal is not None:
                return refusal
        return None

    def _mail_param(self, envelope: Envelope, key: str, value: str | None) -> Reply | None:
        if key in ("SIZE", "BODY") and not self.config.offers("SIZE" if key == "SIZE"
                                                              else "8BITMIME"):
            return reply("param_unknown", param=key)        # not offered: unknown here
        if key == "SIZE":                                   # RFC 1870 §6
            if value is None or not value.isdigit():
                return reply("param_bad", param=f"SIZE={value}")
            envelope.declared_size = int(value)
            if envelope.declared_size > self.config.max_message_size:
                return reply("size_exceeded")
        elif key == "BODY":                                 # RFC 6152 §3
            body = (value or "").upper()
            if body not in _BODY_TYPES or not self.config.offers(body):
                return reply("param_bad", param=f"BODY={value}")   # BINARYMIME: RFC 3030 §3
            envelope.body_type = value.upper()
        elif key == "SMTPUTF8" and self.config.smtputf8 and value is None:
            envelope.smtputf8 = True                        # RFC 6531 §3.4
        elif key != "AUTH":                                 # RFC 4954 §5: may be ignored
            return reply("param_unknown", param=key)
        return None

    def _accept_sender(self, envelope: Envelope, path: Path) -> Reply:
        self._describe(path, "reverse_")
        verdict = self.handler.handle_MAIL(self, envelope, path)
        if verdict is not None and verdict.code >= 400:
            return verdict
        envelope.mail_from = path
        self._envelope = envelope
        return verdict or reply("ok_mail", path=str(path))

    def _describe(self, path: Path, kind: str = "") -> None:
        """Explanation parameters; a routed path gets a note on what the route means here."""
        self._params.update(describe_path(path))
        if path.route:
            self._params["route_policy"] = self.config.source_routes
            self._params["notes"] = [f"smtp.route.{kind}{self.config.source_routes}"]

    # ---------------------------------------------------------- RCPT TO (§4.1.1.3)
    @HANDLERS.command("RCPT")
    def _cmd_RCPT(self, argument: str) -> Reply:
        try:
            path_text, params = path_argument(argument, "TO")
        except ValueError:
            return _syntax("RCPT")
        if params:
            return reply("param_unknown", param=params[0][0])   # no DSN here
        envelope = self.envelope
        if not path_text.isascii() and not envelope.smtputf8:
            return reply("utf8_not_allowed_rcpt")
        try:
            path = parse_path(path_text, smtputf8=envelope.smtputf8,
                              null_ok=False, postmaster_ok=True)
        except ValueError as exc:
            return reply("rcpt_bad_address", detail=str(exc))
        return self._accept_recipient(envelope, path)

    def _accept_recipient(self, envelope: Envelope, path: Path) -> Reply:
        self._describe(path)
        if len(envelope.rcpt_to) >= self.config.max_recipients:
            return reply("too_many_recipients")             # §4.5.3.1.8, §4.5.3.1.10
        verdict = self.handler.handle_RCPT(self, envelope, path)
        if verdict is not None and verdict.code >= 400:
            return verdict
        envelope.rcpt_to.append(path)
        return verdict or reply("ok_rcpt", path=str(path))

    # ------------------------------------------------- DATA, RSET, NOOP, QUIT …
    @HANDLERS.command("DATA")
    def _cmd_DATA(self, argument: str) -> Reply:
        if argument:
            return _syntax("DATA")
        if self.envelope.body_type == "BINARYMIME":
            return reply("binarymime_needs_bdat")       # RFC 3030 §3: 503, never DATA
        return reply("start_data")

    @HANDLERS.command("BDAT")
    def _cmd_BDAT(self, argument: str) -> Reply:
        """RFC 3030 §2: the reply a chunk gets once its octets are read (the session
        reads them whatever this says, and judges the whole message after LAST)."""
        chunk = parse_bdat(argument)
        if chunk is None:
            return _syntax("BDAT")
        return reply("ok_chunk", octets=chunk.size)

    @HANDLERS.command("RSET")
    def _cmd_RSET(self, argument: str) -> Reply:
        if argument:
            return _syntax("RSET")
        self._end_transaction()
        return reply("ok_reset")

    @HANDLERS.command("NOOP")
    def _cmd_NOOP(self, argument: str) -> Reply:
        return reply("ok_noop")            # §4.1.1.9: any argument is ignored

    @HANDLERS.command("QUIT")
    def _cmd_QUIT(self, argument: str) -> Reply:
        if argument:
            return _syntax("QUIT")
        return reply("closing", host=self.config.hostname)

    @HANDLERS.command("VRFY")
    def _cmd_VRFY(self, argument: str) -> Reply:
        if not argument:
            return _syntax("VRFY")
        return self.handler.handle_VRFY(self, argument) or reply("cannot_vrfy")

    @HANDLERS.command("HELP")
    def _cmd_HELP(self, argument: str) -> Reply:
        if not self.config.offers("HELP"):
            return reply("not_implemented")
        text = help_text(argument)
        if text is None:
            return reply("help_unknown", topic=argument)
        return reply("help", text=text)

    # ----------------------------------------------------- STARTTLS (RFC 3207)
    @HANDLERS.command("STARTTLS")
    def _cmd_STARTTLS(self, argument: str) -> Reply:
        if argument:
            return _syntax("STARTTLS")
        if self.secure:
            return reply("tls_active")
        if not self.config.starttls:
            return reply("not_implemented")
        if not self.esmtp:
            return reply("bad_sequence")   # an extension: only after EHLO
        return reply("tls_ready")

    # --------------------------------------------------------- AUTH (RFC 4954)
    @HANDLERS.command("AUTH")
    def _cmd_AUTH(self, argument: str) -> Reply:
        if not self.config.offer_auth:
            return reply("not_implemented")
        if self.auth_user is not None:
            return reply("auth_already")   # §4: only one successful AUTH
        if not self.esmtp:
            return reply("bad_sequence")
        if self._auth_failures:
            # Another try after 535 on the same connection (RFC 4954 §4).
            self._params.update(notes=["smtp.cmd.auth_again"], failures=self._auth_failures)
        mechanism, _, initial = argument.partition(" ")
        mechanism = mechanism.upper()
        if not mechanism:
            return _syntax("AUTH")
        if mechanism not in self.config.auth_mechanisms or mechanism not in SERVER_MECHANISMS:
            return reply("auth_unknown_mech")
        self._sasl = SERVER_MECHANISMS[mechanism]()
        self._params["mechanism"] = mechanism
        return self._sasl_step(self._sasl.start(initial.strip() or None))

    def _sasl_response(self, line: str) -> Reply:
        self._params = {"mechanism": self._sasl.mechanism}
        return self._sasl_step(self._sasl.respond(line))

    def _sasl_step(self, step: Step) -> Reply:
        mechanism = self._sasl.mechanism
        if isinstance(step, Challenge):
            return reply("auth_challenge", challenge=step.text)
        if isinstance(step, Credentials):
            return self._check_credentials(mechanism, step)
        answer = reply("auth_cancelled" if isinstance(step, Cancelled) else "auth_bad_base64")
        self._events.append(AuthFailed(None, mechanism, answer))
        return answer

    def _check_credentials(self, mechanism: str, creds: Credentials) -> Reply:
        self._params["user"] = creds.username
        if not self.handler.authenticate(self, mechanism, creds.username, creds.password):
            self._auth_failures += 1
            answer = reply("auth_failed")
            self._events.append(AuthFailed(creds.username, mechanism, answer))
            return answer
        if not self._may_act_as(creds):
            answer = reply("auth_not_authorized")
            self._params["authzid"] = creds.authzid
            self._events.append(AuthFailed(creds.username, mechanism, answer))
            return answer
        self.auth_user = creds.username
        self._end_transaction()         # AUTH is outside any transaction (RFC 4954 §4)
        self._events.append(AuthSucceeded(creds.username, mechanism))
        return reply("auth_ok")

    def _may_act_as(self, creds: Credentials) -> bool:
        """RFC 4616 §2: the password proved authcid; the server must fail unless
        authcid may act as the requested authzid (asked of the handler)."""
        if may_act_as(creds.authzid, creds.username):
            return True
        return self.handler.authorize(self, creds.username, creds.authzid)
