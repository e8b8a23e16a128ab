"""The SMTP server engine (sans-IO): bytes in, events, replies and a transcript out.

The session reads command lines (at most 512 octets, RFC 5321 §4.5.3.1.4),
checks each against the state table in :mod:`.states`, runs the command
(:mod:`.server_commands`) and answers with a catalogue reply.  Nothing the
peer sends raises out of :meth:`SMTPServer.receive_data`: every bad input gets
a reply and the session goes on.  Only misuse by the driver (for example
``tls_started()`` without STARTTLS) raises LocalProtocolError and moves the
session to ERROR.
"""
from __future__ import annotations

from .._base import CONTROLS, LineBuffer, LocalProtocolError, TooLong, Utterance
from .chunking import ChunkReader, ChunkSize, parse_bdat
from .commands import MAX_COMMAND_LINE, split_command
from .content import MAX_TEXT_LINE, DataReader, has_long_line
from .events import (
    CommandReceived,
    ConnectionClosed,
    Event,
    MessageReceived,
    MessageRejected,
    TLSRequested,
)
from .models import Envelope, Handler, ServerConfig
from .replies import Reply, class_key, reply
from .server_commands import HANDLERS, SMTPCommands
from .states import (
    CHUNK_READ,
    CHUNK_REFUSED,
    COMMANDS,
    CONTENT_END,
    LAST_CHUNK_READ,
    SASL_DONE,
    TLS_DONE,
    TRANSITIONS,
    State,
)

#: Which 503 text to give for a command out of sequence (RFC 5321 §4.1.4).
_SEQUENCE_HINTS = {
    (State.INIT, "MAIL"): "need_helo", (State.INIT, "RCPT"): "need_helo",
    (State.INIT, "DATA"): "need_helo", (State.INIT, "STARTTLS"): "need_helo",
    (State.INIT, "AUTH"): "need_helo", (State.READY, "RCPT"): "need_mail",
    (State.READY, "DATA"): "need_mail", (State.MAIL, "DATA"): "need_rcpt",
    (State.MAIL, "MAIL"): "nested_mail", (State.RCPT, "MAIL"): "nested_mail",
    (State.INIT, "BDAT"): "need_helo", (State.READY, "BDAT"): "need_mail",
    (State.MAIL, "BDAT"): "need_rcpt", (State.BDAT, "MAIL"): "nested_mail",
    (State.BDAT, "DATA"): "data_after_bdat",       # RFC 3030 §2
}


#: The states in which the session reads nothing more: over, or misused by its driver.
_STOPPED = frozenset({State.CLOSED, State.ERROR})

# The states that the path of every command line tests, named once here: on Python
# 3.11 each ``State.X`` read in a method goes through the ``__getattr__`` hook of
# Enum's metaclass (75 ns, timeit), and a short session (HELO, MAIL, RCPT, DATA, the
# body, QUIT, the driver asking ``closed`` after each) made some forty of them: 3 µs.
_TLS, _AUTH = State.TLS, State.AUTH

#: The verbs this server knows (a set: looked up for every command line).
_KNOWN = frozenset(COMMANDS)

#: The explanation key of each command's line (``smtp.cmd.unknown`` for any other verb).
_EXPLAIN = {verb: f"smtp.cmd.{verb}" for verb in COMMANDS}


class SMTPServer(SMTPCommands):
    """One server-side SMTP session (RFC 5321 §3, §4.1)."""

    #: After QUIT, a 421, or the client hanging up (set by :meth:`_close`).  Like
    #: ``awaiting_tls`` (the TLS state: from the 220 to STARTTLS to ``tls_started()``), a
    #: plain attribute, not a property that reads the state: the driver asks both after
    #: every input and output, twenty times in a short session (20 ns a read, not 60).
    closed = False
    awaiting_tls = False

    def __init__(self, config: ServerConfig, handler: Handler | None = None, *,
                 peer: str | None = None) -> None:
        super().__init__(config, handler)
        self.peer = peer
        self.state = State.INIT
        self._refused = False           # greeted with 554: only QUIT is served
        self._lines = LineBuffer(MAX_COMMAND_LINE)
        self._data: DataReader | None = None
        self._chunk: ChunkReader | None = None    # the octets of a BDAT being read

    # ----------------------------------------------------------------- driver API
    def initiate(self) -> list[Event]:
        """Queue the opening reply: 220, or what ``Handler.handle_connect`` chose (RFC 5321 §3.1)."""
        self._events = []
        own = self.handler.handle_connect(self) if self.handler.hooks_connect else None
        opening = own or reply("greeting", host=self.config.hostname,
                               banner=self.config.greeting)
        opening = opening.without_enhanced()
        if opening.code == 554:
            self._refused = True        # §3.1: wait for QUIT, answer 503 meanwhile
        self._send(opening)
        if opening.code == 421:
            self._close("closing")
        return self._events

    def receive_data(self, data: bytes) -> list[Event]:
        """Feed bytes from the client; ``b""`` means the client closed the connection."""
        self._events = []
        if self.state in _STOPPED:
            return []
        if data == b"":
            self._peer_closed()
        elif self.state is _TLS:
            self._discard_plaintext(data)
        elif self._data is not None:
            self._data.feed(data)
        elif self._chunk is not None:
            self._chunk.feed(data)
        else:
            self._lines.feed(data)
        self._pump()
        return self._events

    def tls_started(self) -> None:
        """The driver finished the TLS handshake: forget everything (RFC 3207 §4.2)."""
        if self.state is not State.TLS:
            was, self.state = self.state, State.ERROR
            raise LocalProtocolError(f"tls_started() needs an accepted STARTTLS, state was {was}")
        self.secure, self.awaiting_tls = True, False
        self.helo, self.esmtp, self._enhanced, self.auth_user = None, False, False, None
        self._end_transaction()
        self._transcribe("internal", b"", State.TLS, TRANSITIONS[State.TLS][TLS_DONE],
                     "smtp.tls.established", {})
        self.state = TRANSITIONS[State.TLS][TLS_DONE]

    # ------------------------------------------------------------------- framing
    def _pump(self) -> None:
        while self.state not in _STOPPED:
            if self._data is not None:
                if not self._data.done:
                    return
                self._finish_data()
            elif self._chunk is not None:
                if not self._chunk.done:
                    return
                self._finish_chunk()
            elif self.state is _TLS:
                self._discard_plaintext(self._lines.take_rest())
                return
            else:
                line = self._lines.next_line()
                if line is None:
                    return
                self._line(line)

    def _line(self, line: bytes | TooLong) -> None:
        """One command line, or a SASL response in AUTH, or a framing error.  Each sets
        the line's explanation parameters (``_params``) afresh."""
        if isinstance(line, TooLong):
            self._params = {"length": line.length, "limit": MAX_COMMAND_LINE}
            return self._answer(line.prefix, "", "", reply("line_too_long"), "smtp.input.line_too_long")
        text, problem = self._framed(line)
        if problem:
            self._params = {}
            return self._answer(line, "", "", reply(problem), f"smtp.input.{problem}")
        if self.state is _AUTH:
            return self._answer(line, "", "", self._sasl_response(text), "smtp.auth.response")
        verb, argument = split_command(text)
        self._command(line, verb, argument)

    @staticmethod
    def _framed(line: bytes) -> tuple[str, str | None]:
        """A command line's text, and what is wrong with its framing (None: nothing)."""
        if not line.endswith(b"\r\n"):
            return "", "bare_lf"        # RFC 5321 §2.3.8: only CRLF ends a line
        # No control character but the CRLF (has_control(), without asking again how the
        # line ends; NUL included: no command has room for one).
        if len(line.translate(None, CONTROLS)) != len(line) - 2:
            return "", "control_char"
        try:
            return line[:-2].decode("utf-8"), None
        except UnicodeDecodeError:
            return "", "bad_bytes"

    def _discard_plaintext(self, data: bytes) -> None:
        # RFC 3207 §4.2 / CVE-2011-0411: plaintext sent after STARTTLS and before
        # the handshake must not be executed later as if it came over TLS.
        if data:
            self._transcribe("c2s", data, self.state, self.state, "smtp.tls.discarded",
                         {"octets": len(data)})

    # ------------------------------------------------------------------ commands
    def _command(self, raw: bytes, verb: str, argument: str) -> None:
        """Dispatch one command through the handler hook and the state table."""
        self._params = {"verb": verb, "argument": argument}
        explain = _EXPLAIN.get(verb, "smtp.cmd.unknown")
        # RFC 3030 §2: the octets after a BDAT line are read (and dropped if refused)
        # before any reply; a server without CHUNKING reads them as commands.
        chunk = parse_bdat(argument) if verb == "BDAT" and self.config.offers("CHUNKING") \
            else None
        override = self.handler.handle_command(self, verb, argument) \
            if self.handler.hooks_commands else None
        if override is not None:
            return self._answer(raw, verb, argument, override, explain, chunk=chunk)
        refusal = self._refusal(verb)
        if refusal is not None:
            return self._answer(raw, verb, argument, refusal, explain, chunk=chunk)
        answer = HANDLERS[verb](self, argument)
        self._answer(raw, verb, argument, answer, explain, move=verb, chunk=chunk)

    def _refusal(self, verb: str) -> Reply | None:
        """The reply for a command the table does not allow here, or None."""
        if self._refused and verb != "QUIT":
            return reply("refused_session")
        if verb not in _KNOWN or (verb == "BDAT" and not self.config.offers("CHUNKING")):
            return reply("unknown_command")
        if verb not in TRANSITIONS[self.state]:
            return reply(_SEQUENCE_HINTS.get((self.state, verb), "bad_sequence"))
        return None

    def _answer(self, raw: bytes, verb: str, argument: str, answer: Reply, explain: str,
                move: str | None = None, chunk: ChunkSize | None = None) -> None:
        """Record the command, apply the state move on success, send the reply
        (for BDAT: once its octets are read, RFC 3030 §2)."""
        before = self.state
        if move is not None and answer.code < 400:
            self.state = TRANSITIONS[before][move]
        if self.state is _AUTH and answer.code != 334:
            self._move(SASL_DONE)       # the SASL exchange ended (235, 535 or 501)
        if chunk is not None:
            self._params.update(octets=chunk.size, last=chunk.last)
        # The line's parameters are its own dict (made afresh for each line), not copied.
        self._transcript.append(Utterance("c2s", raw, str(before), str(self.state), explain,
                                          self._params))
        self._events.append(CommandReceived(verb, argument, answer))
        if chunk is not None:
            # keep what may become the message; of a refused chunk only a line to show
            keep = self.config.max_message_size + 1 if self.state is State.CHUNK \
                else MAX_TEXT_LINE
            self._chunk = ChunkReader(chunk, answer, keep=keep)
            self._chunk.feed(self._lines.take_rest())
            return
        self._send(answer)
        if self.state is not before:
            # What arriving in DATA, TLS or CLOSED does, once the reply is queued
            # (:data:`_ON_ENTRY`); the other states (READY, MAIL, RCPT …) do nothing.
            on_entry = _ON_ENTRY.get(self.state)
            if on_entry is not None:
                on_entry(self)

    def _move(self, key: str) -> None:
        self.state = TRANSITIONS[self.state][key]

    def _start_data(self) -> None:
        """354 sent: what follows is message content up to CRLF.CRLF (RFC 5321 §4.1.1.4)."""
        self._data = DataReader(self.config.max_message_size)
        self._data.feed(self._lines.take_rest())

    def _await_tls(self) -> None:
        """220 to STARTTLS sent: the driver runs the handshake (RFC 3207 §4.2)."""
        self.awaiting_tls = True
        self._events.append(TLSRequested())

    def _quit(self) -> None:
        """221 to QUIT sent: the session is over (RFC 5321 §4.1.1.10)."""
        self._close("quit")

    # -------------------------------------------------------------- message data
    def _finish_data(self) -> None:
        """CRLF.CRLF arrived: judge the content, answer, end the transaction (§4.1.1.4)."""
        reader, self._data = self._data, None
        envelope = self.envelope
        envelope.content = bytes(reader.content)
        answer = self._content_problem(reader) or self.handler.handle_DATA(self, envelope) \
            or reply("ok_queued")
        params = {"lines": reader.lines, "octets": len(envelope.content),
                  "wire_octets": len(reader.raw)}
        self._move(CONTENT_END)
        self._transcript.append(Utterance("c2s", bytes(reader.raw), str(State.DATA),
                                          str(self.state), "smtp.data.content", params))
        accepted = 200 <= answer.code < 300
        self._events.append((MessageReceived if accepted else MessageRejected)(envelope, answer))
        self._end_transaction()
        self._send(answer)
        self._lines.feed(reader.take_rest())

    # ------------------------------------------------------------- BDAT chunks
    def _finish_chunk(self) -> None:
        """The octets of a BDAT are in: keep or drop them, then answer (RFC 3030 §2)."""
        reader, self._chunk = self._chunk, None
        rest = reader.take_rest()
        if self.state is State.CHUNK:
            self._take_chunk(reader)
        else:                           # a refused BDAT: its octets are read and dropped
            self._transcribe("c2s", bytes(reader.data), self.state, self.state,
                             "smtp.bdat.discarded", {"octets": reader.chunk.size})
            self._send(reader.answer)
        self._lines.feed(rest)

    def _take_chunk(self, reader: ChunkReader) -> None:
        envelope, chunk = self.envelope, reader.chunk
        too_big = not reader.kept_all or \
            len(envelope.content) + chunk.size > self.config.max_message_size
        if not too_big:
            envelope.content += bytes(reader.data)
        if too_big:
            answer, key = reply("size_exceeded"), LAST_CHUNK_READ if chunk.last else CHUNK_REFUSED
        elif chunk.last:
            answer = self._chunked_content_problem(envelope) \
                or self.handler.handle_DATA(self, envelope) or reply("ok_queued")
            key = LAST_CHUNK_READ
        else:
            answer, key = reader.answer, CHUNK_READ
        params = {"octets": chunk.size, "last": chunk.last, "total": len(envelope.content),
                  "body": envelope.body_type}
        self._transcribe("c2s", bytes(reader.data), State.CHUNK, TRANSITIONS[State.CHUNK][key],
                         "smtp.bdat.chunk", params)
        self._move(key)
        if key != CHUNK_READ:           # the transaction is over, one way or the other
            accepted = 200 <= answer.code < 300
            self._events.append((MessageReceived if accepted else MessageRejected)(envelope,
                                                                                    answer))
            self._end_transaction()
        self._send(answer)

    @staticmethod
    def _content_problem(reader: DataReader) -> Reply | None:
        # Size first (RFC 1870 §6.1: 552), then the §4.5.3.1.6 line limit, for
        # which §4.5.3.1.10 gives "500 Line too long" as the example reply.
        problems = reader.problems
        if problems.too_big:
            return reply("size_exceeded")
        if problems.line_too_long:
            return reply("data_line_too_long")
        if problems.bare_lf:
            return reply("data_bare_lf")
        return None

    @staticmethod
    def _chunked_content_problem(envelope: Envelope) -> Reply | None:
        # BDAT has no dot to stuff, but only BINARYMIME content is free of lines (RFC 3030
        # §3): 7BIT and 8BITMIME content keeps the line limit that DATA enforces (RFC 5321
        # §4.5.3.1.6), judged once the last chunk is in since a line may span chunks.
        if envelope.body_type != "BINARYMIME" and has_long_line(envelope.content):
            return reply("data_line_too_long")
        return None

    # ------------------------------------------------------------------- helpers
    def _send(self, answer: Reply) -> None:
        if not self._enhanced:
            answer = answer.without_enhanced()
        data = answer.wire
        self._out += data
        state = str(self.state)
        # The reply's own parameters, not a copy: an Utterance is never changed, and the
        # trace copies them into the Step it makes (trace.utterance_fields).
        self._transcript.append(Utterance("s2c", data, state, state,
                                          answer.key or class_key(answer.code),
                                          answer.explanation))

    def _peer_closed(self) -> None:
        lost = self.state in (State.MAIL, State.RCPT, State.DATA, State.CHUNK, State.BDAT)
        self._transcribe("c2s", b"", self.state, State.CLOSED, "smtp.conn.peer_closed",
                     {"transaction_lost": lost})
        self._data = self._chunk = None
        self._close("peer-closed")

    def _close(self, reason: str) -> None:
        self.state = State.CLOSED
        self.closed, self.awaiting_tls = True, False
        self._events.append(ConnectionClosed(reason))


#: What arriving in a state does, beyond the move (:meth:`SMTPServer._answer`).
_ON_ENTRY = {State.DATA: SMTPServer._start_data, State.TLS: SMTPServer._await_tls,
             State.CLOSED: SMTPServer._quit}
