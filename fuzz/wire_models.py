"""What a client knows of a session over a real socket: the state, and which replies to expect.

The socket fuzzer cannot look inside the server, so each protocol has a
small client-side model (sans-IO, like the engines): :meth:`Model.prepare`
frames a batch of bytes the way the server will (LF-terminated lines, the
protocol's line limit), stops the batch after a command whose reply decides
how the next bytes are read (DATA, STARTTLS, AUTH, STLS, IDLE...), and says
how many replies to wait for; :meth:`Model.feed` checks the server's bytes
with :mod:`.replies` and moves the state the way a client would from them.

A mutated line may be read differently by the server than by the model;
then the model is merely wrong about the state (it draws less useful
commands) or about the count (the fuzzer stops waiting after a quiet spell).
What is never excused is a reply that breaks the protocol's syntax.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from simulator.protocols._base import has_control
from simulator.protocols.ftp import states as ftp_states
from simulator.protocols.ftp.parser import parse_epsv, parse_pasv
from simulator.protocols.pop3 import states as pop3_states
from simulator.protocols.pop3.parser import parse_command

from .grammar import Grammar
from .mutate import maybe_mutate
from .replies import (
    BadReply,
    FTPReplies,
    HTTPResponses,
    IMAPReplies,
    POP3Replies,
    SMTPReplies,
    pop2_reply,
)


class LineFramer:
    """Splits outgoing bytes into the lines the server will read; keeps a partial line."""

    def __init__(self) -> None:
        self.partial = b""

    def lines(self, data: bytes) -> list[bytes]:
        *lines, self.partial = (self.partial + data).split(b"\n")
        return [line + b"\n" for line in lines]


@dataclass
class Tracked:
    """A message the fuzzer can find again: its token and the recipients that took it."""

    token: str
    recipients: set[str] = field(default_factory=set)


class Model:
    """The client side of one session: draw, frame, expect, read."""

    protocol = ""
    initial = ""
    #: Commands after which the batch stops: their reply decides how to go on.
    turn_taking: frozenset[bytes] = frozenset()
    max_line = 512
    #: Seconds to wait for the replies the model expects before giving up on them.
    reply_wait = 10.0
    #: Replies the server sends before the client says anything (a greeting).
    greeting = 1

    def __init__(self, grammar: Grammar, rng: random.Random, rate: float) -> None:
        self.grammar, self.rng, self.rate = grammar, rng, rate
        self.state = self.initial
        self.closed = False
        self.wants_tls = False
        self.framer = LineFramer()
        #: ("C", bytes sent) and ("S", bytes received) in order, for the fault report
        self.transcript: list[tuple[str, bytes]] = []

    # -- sending ---------------------------------------------------------------------
    def draw(self) -> bytes:
        """One batch: one to four grammar lines, each maybe mutated."""
        lines = [self.grammar.next_line(self.state, self.rng)
                 for _ in range(self.rng.choice((1, 1, 1, 2, 4)))]
        return b"".join(maybe_mutate(line, self.rng, self.rate) for line in lines)

    def prepare(self, data: bytes) -> tuple[bytes, int]:
        """(bytes to send, replies to wait for): ``data`` cut after a turn-taking command."""
        partial = self.framer.partial
        out, expected = bytearray(), 0
        for line in self.framer.lines(data):
            out += line
            expected += self.expect(line)
            if self.takes_turn(line):
                self.framer.partial = b""
                return bytes(out[len(partial):]), expected
        out += self.framer.partial
        return bytes(out[len(partial):]), expected

    def verb(self, line: bytes) -> bytes:
        return line.split(b" ", 1)[0].strip(b"\r\n").upper()

    def takes_turn(self, line: bytes) -> bool:
        return self.verb(line) in self.turn_taking

    def expect(self, line: bytes) -> int:
        """How many replies the server owes for this line (and note what it asked)."""
        raise NotImplementedError

    # -- reading -----------------------------------------------------------------------
    def feed(self, data: bytes) -> list[str]:
        """Check the server's bytes; the kinds of the replies they completed."""
        raise NotImplementedError

    def tls_done(self) -> None:
        self.wants_tls = False
        self.state = self.initial
        self.framer = LineFramer()


# --------------------------------------------------------------------------- SMTP

class SMTPModel(Model):
    """RFC 5321 as a client tracks it; DATA carries tracked messages (a token in Message-ID)."""

    protocol = "SMTP"
    initial = "INIT"
    turn_taking = frozenset({b"DATA", b"STARTTLS", b"AUTH", b"QUIT", b"BDAT"})

    def __init__(self, grammar: Grammar, rng: random.Random, rate: float,
                 new_token, sink: str) -> None:
        super().__init__(grammar, rng, rate)
        self.reader = SMTPReplies()
        self.asked: list[tuple[bytes, bytes]] = [(b"<greeting>", b"")]   # (verb, line) owed
        self.new_token, self.sink = new_token, sink
        self.rcpts: set[str] = set()
        self.message: Tracked | None = None
        self.after_crlf = True              # in DATA: the last content line ended with CRLF
        self.accepted: list[Tracked] = []
        self.refused: list[str] = []

    def draw(self) -> bytes:
        if self.state == "DATA" and self.rng.random() < 0.6:
            self.message = Tracked(self.new_token())
            return tracked_message(self.message.token, self.sink)
        return super().draw()

    def takes_turn(self, line: bytes) -> bool:
        if self.state == "AUTH":
            return True                      # the reply says whether the exchange goes on
        return self.state != "DATA" and super().takes_turn(line)

    def expect(self, line: bytes) -> int:
        if self.state == "DATA":
            # RFC 5321 §4.1.1.4: the content ends with CRLF "." CRLF, so a "." line
            # after a line that ended with a bare LF is content, as the server reads it.
            ended, self.after_crlf = self.after_crlf and line == b".\r\n", line.endswith(b"\r\n")
            if not ended:
                return 0
            self.asked.append((b"<end>", line))
            self.state = "SENT"             # nothing more until the reply to the dot
            return 1
        verb = b"<sasl>" if self.state == "AUTH" else self.verb(line)
        self.asked.append((verb, line))
        return 1

    def feed(self, data: bytes) -> list[str]:
        codes = self.reader.feed(data)
        for code in codes:
            self._reply(int(code))
        return codes

    def _reply(self, code: int) -> None:
        if not self.asked:
            if code != 421:
                raise BadReply("a reply nobody asked for", str(code).encode())
            self.closed = True
            return
        verb, line = self.asked.pop(0)
        ok = 200 <= code < 400
        if code == 421 or (verb == b"QUIT" and code == 221):
            self.closed = True
        elif verb == b"<greeting>":
            self.closed = code >= 400 and code != 554     # 554: only QUIT is served
        elif verb == b"<end>":
            if self.message is not None:
                if 200 <= code < 300:
                    self.message.recipients = set(self.rcpts)
                    self.accepted.append(self.message)
                else:
                    self.refused.append(self.message.token)
            self.message, self.rcpts, self.state = None, set(), "READY"
        elif verb in (b"EHLO", b"HELO") and ok:
            self.state, self.rcpts = "READY", set()
        elif verb == b"MAIL" and ok:
            self.state, self.rcpts = "MAIL", set()
        elif verb == b"RCPT" and ok:
            self.state = "RCPT"
            self.rcpts.add(line.decode("utf-8", "replace").lower())
        elif verb == b"DATA" and code == 354:
            self.state, self.after_crlf = "DATA", True
        elif verb == b"RSET" and ok and self.state != "INIT":
            self.state, self.rcpts = "READY", set()
        elif verb in (b"AUTH", b"<sasl>"):
            self.state = "AUTH" if code == 334 else "READY" if self.state == "AUTH" else self.state
        elif verb == b"STARTTLS" and code == 220:
            self.wants_tls = True


def tracked_message(token: str, sink: str) -> bytes:
    """A small RFC 5322 message whose Message-ID carries ``token``, dot-stuffed and ended."""
    return (f"From: Fuzz <fuzz@fuzz.test>\r\nTo: <{sink}>\r\nSubject: fuzz {token}\r\n"
            f"Message-ID: <{token}@fuzz.test>\r\n\r\nhello\r\n..a stuffed dot\r\n.\r\n").encode()


# --------------------------------------------------------------------------- POP3

class POP3Model(Model):
    """RFC 1939 as a client tracks it: which +OK carries a block, where the session is."""

    protocol = "POP3"
    initial = pop3_states.AUTHORIZATION
    turn_taking = frozenset({b"STLS", b"QUIT"})
    max_line = 255

    def __init__(self, grammar: Grammar, rng: random.Random, rate: float) -> None:
        super().__init__(grammar, rng, rate)
        self.reader = POP3Replies()
        self.reader.expect(False)                       # the greeting
        self.asked: list[str] = ["<greeting>"]

    def expect(self, line: bytes) -> int:
        cmd = parse_command(line)
        block = (len(line) <= self.max_line and not has_control(line)
                 and pop3_states.is_multiline(cmd.verb, cmd.args))
        self.reader.expect(block)
        self.asked.append(cmd.verb)
        return 1

    def feed(self, data: bytes) -> list[str]:
        statuses = self.reader.feed(data)
        for status in statuses:
            verb = self.asked.pop(0)
            ok = status == "+OK"
            if verb == "USER":
                self.state = "AUTHORIZATION_USER" if ok else "AUTHORIZATION"
            elif verb in ("PASS", "APOP"):
                self.state = "TRANSACTION" if ok else "AUTHORIZATION"
            elif verb == "STLS" and ok:
                self.wants_tls = True
            elif verb == "QUIT":
                self.closed = True
        return statuses


# --------------------------------------------------------------------------- POP2

class POP2Model(Model):
    """RFC 937 as a client tracks it: RETR's answer is the =ccc octets last announced."""

    protocol = "POP2"
    initial = "AUTH"
    max_line = 512

    def __init__(self, grammar: Grammar, rng: random.Random, rate: float) -> None:
        super().__init__(grammar, rng, rate)
        self.buf = bytearray()
        self.asked: list[tuple[str, int]] = [("<greeting>", 0)]   # (verb, octets of text)
        self.size = 0

    def takes_turn(self, line: bytes) -> bool:
        return True                                  # lock-step: RFC 937 has no pipelining

    def expect(self, line: bytes) -> int:
        text = line.rstrip(b"\r\n").decode("utf-8", "replace")
        verb, _, rest = text.partition(" ")
        verb = verb.upper()
        retr = (verb == "RETR" and not rest.strip(" ") and self.state == "ITEM" and self.size > 0
                and len(line) <= self.max_line and not has_control(line))
        self.asked.append((verb, self.size if retr else 0))
        return 1

    def feed(self, data: bytes) -> list[str]:
        self.buf += data
        kinds = []
        while self.asked:
            verb, octets = self.asked[0]
            if octets:
                if len(self.buf) < octets:
                    break
                del self.buf[:octets]
                self.asked.pop(0)
                self.state = "NEXT"
                kinds.append("text")
                continue
            end = self.buf.find(b"\n")
            if end < 0:
                break
            line = bytes(self.buf[:end + 1])
            del self.buf[:end + 1]
            self.asked.pop(0)
            lead, number = pop2_reply(line)
            kinds.append(lead)
            self._moved(verb, lead, number)
        if self.buf and not self.asked:
            raise BadReply("a reply nobody asked for", bytes(self.buf))
        return kinds

    def _moved(self, verb: str, lead: str, number: int | None) -> None:
        if lead == "#":                              # a folder's count: HELO or FOLD worked
            self.state, self.size = "MBOX", 0
        elif lead == "=":                            # a message's size: READ, ACKS, ACKD, NACK
            self.state, self.size = "ITEM", number or 0
        elif (verb, lead) in (("HELO", "-"), ("QUIT", "+")):
            self.closed = True                       # RFC 937: a bad HELO is answered, then hung up


# --------------------------------------------------------------------------- IMAP

class IMAPModel(Model):
    """RFC 3501 / 9051 as a client tracks it, by tag; responses are self-delimiting."""

    protocol = "IMAP"
    initial = "NOT_AUTHENTICATED"
    turn_taking = frozenset({b"STARTTLS", b"AUTHENTICATE", b"IDLE", b"LOGOUT"})
    #: Literals make the count a guess (a lying {n} rightly keeps the server waiting).
    reply_wait = 2.0

    def __init__(self, grammar: Grammar, rng: random.Random, rate: float) -> None:
        super().__init__(grammar, rng, rate)
        self.reader = IMAPReplies()
        self.tags: dict[bytes, bytes] = {}
        self.waiting: bytes | None = None        # IDLE or AUTHENTICATE sent, "+" expected
        self.previous = self.state

    def verb(self, line: bytes) -> bytes:
        words = line.strip(b"\r\n").split(b" ")
        if len(words) < 2:
            return b""
        verb = words[1].upper()
        return verb + b" " + words[2].upper() if verb == b"UID" and len(words) > 2 else verb

    def takes_turn(self, line: bytes) -> bool:
        return self.state in ("IDLE", "SASL") or super().takes_turn(line)

    def expect(self, line: bytes) -> int:
        if self.state in ("IDLE", "SASL"):
            return 1
        verb = self.verb(line)
        if verb:
            self.tags[line.split(b" ", 1)[0]] = verb
            if verb in (b"IDLE", b"AUTHENTICATE"):
                self.waiting, self.previous = verb, self.state
        return 1 if verb else 0

    def feed(self, data: bytes) -> list[str]:
        kinds = []
        for kind, first in self.reader.feed(data):
            kinds.append(kind)
            self._moved(kind, first)
        return kinds

    def _moved(self, kind: str, first: bytes) -> None:
        if kind == "continuation" and self.waiting:
            self.state = "IDLE" if self.waiting == b"IDLE" else "SASL"
            self.waiting = None
        elif kind == "untagged-BYE":
            self.closed = True
        elif kind.startswith("tagged-"):
            tag = first.split(b" ", 1)[0]
            verb = self.tags.pop(tag, b"")
            ok = kind == "tagged-OK"
            if self.state in ("IDLE", "SASL"):
                self.state = "AUTHENTICATED" if self.state == "SASL" and ok else self.previous
            elif verb in (b"LOGIN", b"AUTHENTICATE") and ok:
                self.state = "AUTHENTICATED"
            elif verb in (b"SELECT", b"EXAMINE") and ok:
                self.state = "SELECTED"
            elif verb in (b"SELECT", b"EXAMINE") and self.state == "SELECTED":
                self.state = "AUTHENTICATED"      # a failed SELECT closes the old mailbox
            elif verb in (b"CLOSE", b"UNSELECT") and ok:
                self.state = "AUTHENTICATED"
            elif verb == b"STARTTLS" and ok:
                self.wants_tls = True
            elif verb == b"LOGOUT":
                self.closed = True
            self.waiting = None if verb == self.waiting else self.waiting


# --------------------------------------------------------------------------- FTP

class FTPModel(Model):
    """RFC 959 as a client tracks it, with the data connection of each transfer.

    Data setup and transfers end a batch.  ``data`` is what the fuzzer must do on
    the data connection before the batch goes out: ``(verb, port)`` — connect to
    ``port`` (passive; the last 227/229 named it) or, with ``port`` None, take the
    server's connection on the fuzzer's own listener (active).  A transfer the
    server takes up is answered twice (150, then 226/425/426); one it refuses at
    once, once: the missing preliminary reply is counted as ``"no-150"``.
    """

    protocol = "FTP"
    initial = ftp_states.NOT_LOGGED_IN
    turn_taking = frozenset(v.encode() for v in (*ftp_states.DATA_SETUP, *ftp_states.TRANSFERS,
                                                  "QUIT"))
    reply_wait = 30.0             # a transfer the server cannot open waits for its timeout

    def __init__(self, grammar: Grammar, rng: random.Random, rate: float) -> None:
        super().__init__(grammar, rng, rate)
        self.reader = FTPReplies()
        self.asked: list[tuple[str, bool]] = [("<greeting>", False)]   # (verb, a transfer)
        self.passive_port: int | None = None         # from the last 227/229; None: active
        self.data: tuple[str, int | None] | None = None
        self.transfer_verb = ""                       # what the active listener serves

    def expect(self, line: bytes) -> int:
        verb = self.verb(line).decode("ascii", "replace")
        transfer = verb in ftp_states.TRANSFERS and self.state == ftp_states.DATA_READY
        if transfer:
            self.data = (verb, self.passive_port)
            self.transfer_verb = verb
        self.asked.append((verb, transfer))
        return 2 if transfer else 1

    def feed(self, data: bytes) -> list[str]:
        kinds = []
        for code in self.reader.feed(data):
            text = self.reader.texts.pop(0)
            kinds.append(code)
            if not self.asked:
                if code != "421":
                    raise BadReply("a reply nobody asked for", code.encode())
                self.closed = True
                continue
            verb, transfer = self.asked[0]
            if transfer and code.startswith("1"):
                self.asked[0] = (verb, False)         # the final reply follows
                continue
            self.asked.pop(0)
            if transfer:
                kinds.append("no-150")
            self._moved(verb, int(code), text)
        return kinds

    def _moved(self, verb: str, code: int, text: str) -> None:
        S = ftp_states
        if code == 421 or (verb == "QUIT" and code == 221):
            self.closed = True
        elif verb == "USER" and code == 331:
            self.state = S.NEED_PASSWORD
        elif verb == "USER":
            self.state = S.NOT_LOGGED_IN
        elif verb == "PASS":
            self.state = S.LOGGED_IN if code == 230 else S.NOT_LOGGED_IN
        elif verb in ("PASV", "EPSV") and code in (227, 229):
            self.state = S.DATA_READY
            self.passive_port = (parse_pasv(text) or (None, None))[1] if code == 227 \
                else parse_epsv(text)
        elif verb in ("PORT", "EPRT") and code == 200:
            self.state, self.passive_port = S.DATA_READY, None
        elif verb in S.TRANSFERS and self.state == S.DATA_READY and code // 10 != 50:
            # The data setup is used up by a transfer, done or failed; a syntax error
            # (5 0 z, RFC 959 §4.2.1: "RETR" without its name) did nothing, so it stays.
            self.state = S.LOGGED_IN


# --------------------------------------------------------------------------- HTTP

class HTTPModel(Model):
    """RFC 9112 as a browser tracks it: one request a batch, one response each, the cookie."""

    protocol = "HTTP"
    initial = "OPEN"
    greeting = 0
    reply_wait = 2.0              # a request whose length lies rightly leaves the server waiting

    def __init__(self, grammar: Grammar, rng: random.Random, rate: float) -> None:
        super().__init__(grammar, rng, rate)
        self.reader = HTTPResponses()
        self.buffer = b""
        self.mutated = False
        #: a request on this connection was mutated: its framing may have left bytes
        #: that the server reads before the next request line
        self.tainted = False

    def draw(self) -> bytes:
        lines = self.grammar.request(self.rng)
        sent = [maybe_mutate(line, self.rng, self.rate) if line.endswith(b"\r\n") else line
                for line in lines]
        # A mutation may leave bytes after the request's end (a repeated chunk, a field line
        # cut to garbage after the empty line): the server may refuse those on their own.
        self.mutated = sent != lines
        return b"".join(sent)

    def prepare(self, data: bytes) -> tuple[bytes, int]:
        head = data[:5] == b"HEAD "                 # methods are case-sensitive (RFC 9110 §9.1)
        self.reader.expect(None if head and self.tainted else head)
        self.reader.rest_may_be_refused = self.mutated
        self.tainted = self.tainted or self.mutated
        return data, 1

    def feed(self, data: bytes) -> list[str]:
        self.buffer = (self.buffer + data)[-4096:]
        kinds = self.reader.feed(data)
        found = re.search(rb"(?i)set-cookie: sid=([0-9a-f]*)", self.buffer)
        if found:
            self.grammar.cookie = f"sid={found.group(1).decode()}" if found.group(1) else None
            self.buffer = b""
        if self.reader.closing:
            self.closed = True
        return kinds


MODELS = {"SMTP": SMTPModel, "POP3": POP3Model, "POP2": POP2Model, "IMAP": IMAPModel,
          "FTP": FTPModel, "HTTP": HTTPModel}
