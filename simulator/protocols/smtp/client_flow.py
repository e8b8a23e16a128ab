"""What an SMTP client session knows, and what it does with each reply.

:class:`ReplyFlow` has one handler per awaited reply (the client's state),
registered in :data:`HANDLERS` with ``@HANDLERS.command(STATE)``, the one
registration style of every engine (``protocols/_base.py``); :mod:`.client`
adds the reading of reply lines.  Every move goes through ``self._go(outcome)`` so that the client obeys
:data:`CLIENT_TRANSITIONS` exactly.  A failure that ends the transaction
(greeting, EHLO, MAIL, DATA, content) is followed by QUIT, not RSET: the
client has nothing else to send on this connection.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from .._base import CommandTable, EngineOutput
from .chunking import CHUNK_SIZE, chunks, is_binary
from .content import (
    dot_stuff,
    has_long_line,
    header_section,
    normalize_newlines,
    stuff_lines,
)
from .events import (
    ConnectionClosed,
    Event,
    RecipientResult,
    TLSRequested,
    TransactionFinished,
)
from .models import ClientResult, Envelope, describe_path
from .paths import Path
from .replies import Reply
from .sasl import b64, plain_initial_response
from .states import CLIENT_TRANSITIONS, ClientState

#: What the client itself concludes when the server lacks a needed extension;
#: a relay bounces on it rather than sending bytes the server may mangle.
_NEEDS_SMTPUTF8 = Reply(553, "5.6.7", (("the server does not offer SMTPUTF8 for these "
                                       "non-ASCII addresses"),), key="smtp.client.needs_smtputf8")
#: RFC 6531 §4.2: X.6.9, a message with UTF-8 header fields that cannot be transferred.
_NEEDS_SMTPUTF8_HEADERS = Reply(550, "5.6.9", (("UTF-8 header fields need SMTPUTF8, which the "
                                                "server does not offer"),),
                                key="smtp.client.needs_smtputf8_headers")
_NEEDS_8BITMIME = Reply(554, "5.6.3", (("8-bit content needs 8BITMIME, which the server "
                                       "does not offer"),), key="smtp.client.needs_8bitmime")
#: RFC 3030 §3's third way: binary MIME that cannot be converted is a permanent failure
#: (RFC 3463 §3.7: X.6.3, conversion required but not supported).
_NEEDS_BINARYMIME = Reply(554, "5.6.3", (("binary content needs BINARYMIME, which the server "
                                         "does not offer"),), key="smtp.client.needs_binarymime")

#: 8-bit content -> (7-bit content, [(content type, transfer encoding), …]) or None.
Downgrader = Callable[[bytes], "tuple[bytes, Sequence[tuple[str, str]]] | None"]

_S = ClientState


def _ok(answer: Reply) -> bool:
    return 200 <= answer.code < 300


#: awaited reply (the client's state) → handler(client, reply).
HANDLERS: CommandTable[Callable[[ReplyFlow, Reply], None]] = CommandTable("SMTP client")


class ReplyFlow(EngineOutput):
    """What an SMTP client session knows, and what it does with each reply."""

    def __init__(self, hostname: str, envelope: Envelope, *,
                 credentials: tuple[str, str] | None = None, starttls: bool = False,
                 pipelining: bool = True, retries: Sequence[str] = (),
                 downgrade: Downgrader | None = None,
                 encode_binary: Downgrader | None = None, chunk_size: int = CHUNK_SIZE,
                 shorten_lines: Downgrader | None = None) -> None:
        """``downgrade``: converts 8-bit content to 7 bits for a server without 8BITMIME
        (RFC 6152 §3), returning the new content and (content type, transfer encoding)
        per converted part, or None when it cannot; without it such mail is returned.
        ``encode_binary``: the same for binary MIME and a server without BINARYMIME
        (RFC 3030 §3). ``chunk_size``: octets per BDAT when the server offers CHUNKING.
        ``shorten_lines``: the same for lines over 998 octets (RFC 5321 §4.5.3.1.6);
        without it such a message is sent as it is, and the server refuses it."""
        super().__init__()
        self.hostname = hostname
        self.envelope = envelope
        self.credentials = credentials
        self.retries = list(retries)            # passwords to try after a 535, in order
        self.want_starttls = starttls       # opportunistic: used only when offered
        self.pipelining = pipelining
        self.downgrade = downgrade
        self.encode_binary = encode_binary
        self.shorten_lines = shorten_lines
        self.chunk_size = chunk_size
        self.state = ClientState.GREETING
        self._closed = False
        self.secure = False
        self.result = ClientResult()
        # Binary MIME goes as it is, octet for octet (RFC 3030 §3); anything else as
        # CRLF lines, looked at several times (SIZE, 8BITMIME, line count): one regex
        # pass over the whole message instead of one per look.
        self._binary = is_binary(envelope.content)
        self._plain = envelope.content if self._binary else normalize_newlines(envelope.content)
        self._wire_content = dot_stuff(envelope.content) if self._binary \
            else stuff_lines(self._plain)
        self._chunks: deque[bytes] = deque()
        self._pending: deque[tuple[ClientState, Path | None]] = deque()
        self._staged: list[tuple[bytes, str, dict[str, Any]]] = []
        self._events: list[Event] = []
        self._finished = False
        self._auth_step = 0
        self._rcpts_sent = 0                # not len(recipients): a path may repeat


    # -------------------------------------------------------------------- helpers
    def _go(self, outcome: str) -> None:
        """Move along the client table (the single source of truth for its states)."""
        self.state = CLIENT_TRANSITIONS[self.state][outcome]

    def _stage_command(self, line: str, verb: str, params: dict[str, Any] | None = None) -> None:
        params = {"verb": verb, "argument": line.partition(" ")[2], **(params or {})}
        self._staged.append(((line + "\r\n").encode("utf-8"), f"smtp.cmd.{verb}", params))

    def _stage_raw(self, raw: bytes, explain: str, params: dict[str, Any]) -> None:
        self._staged.append((raw, explain, params))

    def _flush(self) -> None:
        for raw, explain, params in self._staged:
            self._out += raw
            self._transcribe("c2s", raw, self.state, self.state, explain, params)
        self._staged = []

    def _fail(self, stage: str, answer: Reply | None) -> None:
        if self.result.failed_stage is None:       # the first failure is the cause
            self.result.failed_stage, self.result.failure = stage, answer

    def _finish(self) -> None:
        if not self._finished:
            self._finished = True
            self._events.append(TransactionFinished(self.result))

    # ------------------------------------------------------------ opening (§3.1)
    @HANDLERS.command(_S.GREETING)
    def _on_GREETING(self, answer: Reply) -> None:
        self.result.greeting = answer
        if answer.code != 220:
            return self._give_up("GREETING", answer)   # e.g. 554: no service here
        self._go("220")
        self._stage_command(f"EHLO {self.hostname}", "EHLO")

    @HANDLERS.command(_S.EHLO)
    def _on_EHLO(self, answer: Reply) -> None:
        if answer.code in (500, 502):                   # an RFC 821 server (§3.2)
            self._go("500/502")
            return self._stage_command(f"HELO {self.hostname}", "HELO")
        if not _ok(answer):
            return self._give_up("EHLO", answer)
        self.result.extensions = _extensions(answer)
        self._after_hello()

    @HANDLERS.command(_S.HELO)
    def _on_HELO(self, answer: Reply) -> None:
        if not _ok(answer):
            return self._give_up("HELO", answer)
        self.result.extensions = {}
        self._go("ok")
        self._start_mail()

    def _after_hello(self) -> None:
        ext = self.result.extensions
        if self.want_starttls and "STARTTLS" in ext and not self.secure:
            self._go("starttls")
            return self._stage_command("STARTTLS", "STARTTLS")
        if self.credentials and not self.result.authenticated and self._mechanism():
            self._go("auth")
            return self._start_auth()
        self._go("ok")
        self._start_mail()

    # -------------------------------------------------------- STARTTLS (RFC 3207)
    @HANDLERS.command(_S.STARTTLS)
    def _on_STARTTLS(self, answer: Reply) -> None:
        if answer.code != 220:
            return self._give_up("STARTTLS", answer)
        self._go("220")
        self._events.append(TLSRequested())

    @HANDLERS.command(_S.TLS)
    def _on_TLS(self, answer: Reply) -> None:
        pass        # nothing should arrive during the handshake; ignore it

    # ------------------------------------------------------------ AUTH (RFC 4954)
    def _mechanism(self) -> str | None:
        offered = self.result.extensions.get("AUTH", "").upper().split()
        return next((m for m in ("PLAIN", "LOGIN") if m in offered), None)

    def _start_auth(self) -> None:
        mechanism = self._mechanism()
        if mechanism == "PLAIN":                        # RFC 4616 with initial response
            response = plain_initial_response(*self.credentials)
            return self._stage_command(f"AUTH PLAIN {response}", "AUTH",
                                       {"mechanism": "PLAIN", "user": self.credentials[0]})
        self._stage_command("AUTH LOGIN", "AUTH", {"mechanism": "LOGIN"})

    @HANDLERS.command(_S.AUTH)
    def _on_AUTH(self, answer: Reply) -> None:
        if answer.code == 334:
            self._go("334")
            return self._auth_continue()
        if answer.code == 535 and self.retries:         # the user types the password again
            self._go("retry")
            self.credentials = (self.credentials[0], self.retries.pop(0))
            self._auth_step = 0
            return self._start_auth()
        if answer.code != 235:
            return self._give_up("AUTH", answer)        # 535 5.7.8 and friends
        self.result.authenticated = True
        self._go("235")
        self._start_mail()

    def _auth_continue(self) -> None:
        user, password = self.credentials
        self._auth_step += 1
        if self._mechanism() == "PLAIN":
            line = plain_initial_response(user, password)
        else:
            line = b64(user) if self._auth_step == 1 else b64(password)
        self._stage_raw((line + "\r\n").encode(), "smtp.auth.client_response",
                        {"step": self._auth_step})

    # ---------------------------------------------------- the mail transaction
    def _start_mail(self) -> None:
        envelope = self.envelope
        if not envelope.rcpt_to:
            return self._give_up("RCPT", None)
        # RFC 6531 §3.2: neither a non-ASCII address nor a UTF-8 header field (RFC 6532)
        # may reach a server without SMTPUTF8; this client returns the message.
        utf8_addresses = not all(p.is_ascii for p in self._all_paths())
        needs_utf8 = utf8_addresses or not header_section(self._plain).isascii()
        if needs_utf8 and "SMTPUTF8" not in self.result.extensions:
            return self._refuse(_NEEDS_SMTPUTF8 if utf8_addresses else _NEEDS_SMTPUTF8_HEADERS)
        # RFC 3030 §3: never binary data to a server without BINARYMIME: convert, or return.
        if self._binary and not self._binarymime() and \
                not self._convert(self.encode_binary, "smtp.client.binary_encoded"):
            return self._refuse(_NEEDS_BINARYMIME)
        eight_bit = not self._plain_content().isascii()
        # RFC 6152 §3: no 8-bit octets to a server without 8BITMIME: convert, or return.
        if eight_bit and not self._binary and "8BITMIME" not in self.result.extensions and \
                not self._convert(self.downgrade, "smtp.client.downgraded"):
            return self._refuse(_NEEDS_8BITMIME)
        # RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets with its CRLF. Binary
        # MIME has no lines; anything else with a longer one is re-encoded if it can be
        # (RFC 2045 §6.7), or sent as it is for the server to refuse.
        if not self._binary and has_long_line(self._plain):
            self._convert(self.shorten_lines, "smtp.client.lines_encoded")
        self._stage_command(self._mail_line(needs_utf8), "MAIL",
                            describe_path(self._reverse_path()))
        self._pending.append((_S.MAIL, None))
        if self.pipelining and "PIPELINING" in self.result.extensions:
            self._pipeline_rest()

    def _refuse(self, verdict: Reply) -> None:
        """The server lacks an extension this message needs: say why in the trace (the
        server never hears of it), then return the message instead of sending it."""
        self._transcribe("internal", b"", self.state, self.state, verdict.key,
                         {"code": verdict.code, "enhanced": verdict.enhanced})
        self._give_up("MAIL", verdict)

    def _binarymime(self) -> bool:
        ext = self.result.extensions
        return "BINARYMIME" in ext and "CHUNKING" in ext        # RFC 3030 §3 item 3

    def _convert(self, hook: Downgrader | None, explain: str) -> bool:
        """The other way out of RFC 6152 §3 and RFC 3030 §3: convert the content
        instead of returning it."""
        converted = hook(self._plain) if hook else None
        if converted is None:
            return False
        content, parts = converted
        before = len(self._plain)
        self._plain, self._wire_content = content, dot_stuff(content)
        self._binary = False
        listed = ", ".join(f"{ctype} → {cte}" for ctype, cte in parts)
        self._transcribe("internal", b"", self.state, self.state, explain,
                         {"count": len(parts), "parts": listed, "before": before,
                          "after": len(content)})
        return True

    def _mail_line(self, needs_utf8: bool) -> str:
        ext, content = self.result.extensions, self._plain_content()
        params = []
        if "SIZE" in ext:
            params.append(f"SIZE={len(content)}")               # RFC 1870 §6
        if self._binary:
            params.append("BODY=BINARYMIME")                    # RFC 3030 §3
        elif "8BITMIME" in ext and not content.isascii():
            params.append("BODY=8BITMIME")                      # RFC 6152 §3
        if needs_utf8:
            params.append("SMTPUTF8")                           # RFC 6531 §3.4
        return " ".join([f"MAIL FROM:{self._reverse_path()}", *params])

    def _pipeline_rest(self) -> None:
        # RFC 2920 §3.1: RCPTs may follow MAIL at once; DATA ends the group.
        # With CHUNKING the chunks wait for the RCPT replies: BDAT has no go-ahead like
        # 354, so chunks sent to a transaction without recipients would be sent in vain.
        for path in self.envelope.rcpt_to:
            self._send_rcpt(path, pipelined=True)
        if not self._chunking():
            self._stage_command("DATA", "DATA", {"pipelined": True})
            self._pending.append((_S.DATA, None))

    def _send_rcpt(self, path: Path, pipelined: bool = False) -> None:
        params = describe_path(path) | {"pipelined": pipelined}
        self._stage_command(f"RCPT TO:{path}", "RCPT", params)
        self._pending.append((_S.RCPT, path))
        self._rcpts_sent += 1

    @HANDLERS.command(_S.MAIL)
    def _on_MAIL(self, answer: Reply) -> None:
        self._pending.popleft()
        self.result.mail = answer
        if self._pending:                               # the rest is already on the wire
            if not _ok(answer):
                self._fail("MAIL", answer)
            return self._go("pipelined")
        if not _ok(answer):
            return self._give_up("MAIL", answer)
        self._go("ok")
        self._send_rcpt(self.envelope.rcpt_to[0])

    @HANDLERS.command(_S.RCPT)
    def _on_RCPT(self, answer: Reply) -> None:
        _, path = self._pending.popleft()
        self.result.recipients[path] = answer
        self._events.append(RecipientResult(path, answer))
        if self._pending and self._pending[0][0] is _S.RCPT:
            return self._go("next")
        if self._pending:                               # DATA was pipelined
            return self._go("pipelined")
        if self._rcpts_sent < len(self.envelope.rcpt_to):
            self._go("next")
            return self._send_rcpt(self.envelope.rcpt_to[self._rcpts_sent])
        if not self.result.accepted:
            return self._give_up("RCPT", answer, outcome="none accepted")
        if self._chunking():
            self._chunks = deque(chunks(self._plain_content(), self.chunk_size))
            self._send_chunks()
            return self._go("last chunk" if self._pending[0][0] is _S.CONTENT else "chunks")
        self._go("some accepted")
        self._stage_command("DATA", "DATA")
        self._pending.append((_S.DATA, None))

    # ------------------------------------------------------ BDAT (RFC 3030 §2)
    def _chunking(self) -> bool:
        return "CHUNKING" in self.result.extensions

    def _send_chunks(self) -> None:
        """The next chunk, or all that are left when the server pipelines (RFC 3030 §4.2)."""
        pipelined = self.pipelining and "PIPELINING" in self.result.extensions
        while self._chunks:
            data = self._chunks.popleft()
            last = not self._chunks
            params = {"octets": len(data), "last": last}
            self._stage_command(f"BDAT {len(data)}" + (" LAST" if last else ""), "BDAT", params)
            self._stage_raw(data, "smtp.bdat.chunk", params)
            self._pending.append((_S.CONTENT if last else _S.BDAT, None))
            if not pipelined:
                return

    @HANDLERS.command(_S.BDAT)
    def _on_BDAT(self, answer: Reply) -> None:
        self._pending.popleft()
        if not _ok(answer):
            # RFC 3030 §2: no more chunks after a 4xx/5xx; those already on the wire
            # are discarded by the server, and their replies are read in order.
            self._fail("BDAT", answer)
            self._chunks.clear()
            if not self._pending:
                return self._give_up("BDAT", answer)
        if not self._pending:
            self._send_chunks()
        self._go("last chunk" if self._pending[0][0] is _S.CONTENT else "next")

    @HANDLERS.command(_S.DATA)
    def _on_DATA(self, answer: Reply) -> None:
        self._pending.popleft()
        nothing_to_send = self.result.failed_stage is not None or not self.result.accepted
        if nothing_to_send and not self.result.failed_stage:
            self._fail("RCPT", self._last_rcpt_reply())
        if answer.code != 354:
            return self._give_up("DATA", answer)
        self._go("354")
        if nothing_to_send:
            # RFC 2920 §3.1: a 354 although no RCPT succeeded: send only the dot.
            return self._stage_raw(b".\r\n", "smtp.data.empty", {"lines": 0, "octets": 0})
        lines = self._wire_content.count(b"\r\n") - 1
        self._stage_raw(self._wire_content, "smtp.data.content",
                        {"lines": lines, "octets": len(self._plain_content())})

    @HANDLERS.command(_S.CONTENT)
    def _on_CONTENT(self, answer: Reply) -> None:
        if self.result.failed_stage is None:
            self.result.final = answer
            if not _ok(answer):
                self._fail("CONTENT", answer)
        self._go("any")
        self._quit()

    @HANDLERS.command(_S.QUIT)
    def _on_QUIT(self, answer: Reply) -> None:
        self._go("any")
        self._closed = True
        self._events.append(ConnectionClosed("quit"))

    # -------------------------------------------------------------------- endings
    def _give_up(self, stage: str, answer: Reply | None, outcome: str = "failure") -> None:
        """A failure that ends the transaction: record it, then QUIT."""
        self._fail(stage, answer)
        self._go(outcome)
        self._pending.clear()
        self._send_quit()

    def _quit(self) -> None:
        self._pending.clear()
        self._send_quit()

    def _send_quit(self) -> None:
        self._finish()
        self._stage_command("QUIT", "QUIT")

    def _service_closing(self, answer: Reply) -> None:
        self._fail(self.state.value, answer)
        self._finish()
        self.state = _S.DONE
        self._closed = True
        self._events.append(ConnectionClosed("closing"))

    # ----------------------------------------------------------------- details
    def _reverse_path(self) -> Path:
        return self.envelope.mail_from or Path("")

    def _all_paths(self) -> list[Path]:
        return [self._reverse_path(), *self.envelope.rcpt_to]

    def _plain_content(self) -> bytes:
        return self._plain

    def _last_rcpt_reply(self) -> Reply | None:
        replies = list(self.result.recipients.values())
        return replies[-1] if replies else None


def _extensions(answer: Reply) -> dict[str, str]:
    """EHLO keywords (lines after the first) → their parameters (RFC 5321 §4.1.1.1)."""
    out = {}
    for line in answer.lines[1:]:
        keyword, _, params = line.partition(" ")
        out[keyword.upper()] = params
    return out
