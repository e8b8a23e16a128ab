"""Cutting a reassembled SMTP, POP3 or IMAP byte stream into the units the engines
record (used by :mod:`.pcap_import`): a command line, a whole reply (an SMTP multi-line
reply, a POP3 multi-line response up to its dot, RFC 1939 §3), an IMAP response with its
literals (RFC 9051 §4.3), the message after DATA (RFC 5321 §4.1.1.4).  Each unit gets
the engine's own explanation where the capture gives what its text needs.
"""
from __future__ import annotations

import re

from ..locale import texts

_LITERAL = re.compile(rb"\{(\d+)(\+?)\}\r\n$")


class _Framer:
    """Cuts both directions of one protocol into steps; ``encrypted`` once TLS starts."""

    protocol = ""

    def __init__(self) -> None:
        self.buffers = {"c2s": b"", "s2c": b""}
        self.encrypted = False
        self.greeted = False

    def feed(self, direction: str, data: bytes) -> list[tuple[bytes, str, dict]]:
        self.buffers[direction] += data
        out = []
        while not self.encrypted:
            unit = self.cut(direction, self.buffers[direction])
            if unit is None:
                break
            self.buffers[direction] = self.buffers[direction][len(unit):]
            out.append((unit, *self.explain(direction, unit)))
        return out

    def cut(self, direction: str, buffer: bytes) -> bytes | None:
        end = buffer.find(b"\n")
        return None if end < 0 else buffer[:end + 1]

    def explain(self, direction: str, unit: bytes) -> tuple[str, dict]:
        raise NotImplementedError


def _fits(key: str, params: dict) -> bool:
    """Whether ``key`` exists and every placeholder of its texts is in ``params``."""
    wanted = set()
    for lang in ("ru", "en"):
        text = texts(lang).get(key)
        if text is None:
            return False
        wanted |= set(re.findall(r"(?<!\{)\{(\w+)", text))
    return wanted <= set(params)


def _choose(candidates: list[str], params: dict) -> str:
    return next((k for k in candidates if _fits(k, params)), "wire.pcap.line")


class _SMTP(_Framer):
    """RFC 5321 §4.2: a reply is lines up to one without a hyphen after the code;
    after 354 the client's octets up to ``CRLF.CRLF`` are the message (§4.1.1.4)."""

    def __init__(self) -> None:
        super().__init__()
        self.body = False
        self.last = ""

    def cut(self, direction, buffer):
        if direction == "c2s" and self.body:
            end = buffer.find(b"\r\n.\r\n")
            if buffer.startswith(b".\r\n"):
                return buffer[:3]
            return None if end < 0 else buffer[:end + 5]
        if direction == "c2s":
            return super().cut(direction, buffer)
        at = 0
        while True:
            end = buffer.find(b"\n", at)
            if end < 0:
                return None
            line = buffer[at:end + 1]
            at = end + 1
            if line[3:4] != b"-":
                return buffer[:at]

    def explain(self, direction, unit):
        if direction == "c2s":
            if self.body:
                self.body = False
                lines = unit.count(b"\n") - 1
                return _choose(["smtp.data.content"], {"lines": lines, "octets": len(unit)}), {
                    "lines": lines, "octets": len(unit)}
            text = unit.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, argument = text.partition(" ")
            self.last = verb.upper()
            params = {"verb": self.last, "argument": argument}
            if self.last == "AUTH":
                params["mechanism"] = argument.split(" ")[0].upper()
            return _choose([f"smtp.cmd.{self.last}"], params), params
        code = unit[:3].decode("ascii", "replace")
        params = {"code": int(code) if code.isdigit() else code}
        if code == "354":
            self.body = True
        if code == "220" and self.last == "STARTTLS":
            self.encrypted = True
        keys = ["smtp.reply.greeting"] if not self.greeted else []
        self.greeted = True
        return _choose(keys + [f"smtp.reply_class.x{code[:1]}"], params), params


#: RFC 1939 §3, RFC 2449 §5: the +OK replies that go on to a dot line.
_POP3_MULTILINE = {"RETR", "TOP", "CAPA"}
_POP3_MULTILINE_WITHOUT_ARG = {"LIST", "UIDL"}


class _POP3(_Framer):
    def __init__(self) -> None:
        super().__init__()
        self.pending: list[tuple[str, bool]] = []   # (verb, has an argument) sent, unanswered

    def cut(self, direction, buffer):
        line = super().cut(direction, buffer)
        if line is None or direction == "c2s" or not line.startswith(b"+OK"):
            return line
        verb, has_arg = self.pending[0] if self.pending else ("", False)
        if verb in _POP3_MULTILINE or (verb in _POP3_MULTILINE_WITHOUT_ARG and not has_arg):
            end = buffer.find(b"\r\n.\r\n", len(line) - 2)
            return None if end < 0 else buffer[:end + 5]
        return line

    def explain(self, direction, unit):
        text = unit.decode("utf-8", "replace").rstrip("\r\n")
        if direction == "c2s":
            verb, _, rest = text.partition(" ")
            verb = verb.upper()
            self.pending.append((verb, bool(rest)))
            params = {"verb": verb, "args": rest.split(" ") if rest else []}
            return _choose([f"pop3.cmd.{verb}"], params), params
        if unit.startswith(b"+ "):
            return _choose([], {}), {}             # a SASL challenge (RFC 5034)
        verb = self.pending.pop(0)[0] if self.pending and self.greeted else ""
        ok = unit.startswith(b"+OK")
        if verb == "STLS" and ok:
            self.encrypted = True
        keys = ["pop3.reply.greeting"] if not self.greeted else []
        self.greeted = True
        return _choose(keys + ["pop3.reply.ok" if ok else "pop3.reply.err"], {}), {}


class _IMAP(_Framer):
    """RFC 9051 §2.2: lines, each literal ``{n}`` followed by its n octets; the client
    waits for ``+`` after a synchronising literal, so its line ends a step there."""

    def __init__(self) -> None:
        super().__init__()
        self.commands: dict[str, str] = {}        # tag → command name
        self.continued: str | None = None        # the tag whose literal comes next
        self.size = 0                             # and its size
        self.starttls: str | None = None

    def cut(self, direction, buffer):
        at = 0
        if direction == "c2s" and self.continued is not None:
            at = self.size                        # the literal's octets first
            if len(buffer) < at:
                return None
        while True:
            end = buffer.find(b"\n", at)
            if end < 0:
                return None
            line = buffer[at:end + 1]
            literal = _LITERAL.search(line)
            if literal is None:
                return buffer[:end + 1]
            if direction == "c2s" and not literal.group(2):
                return buffer[:end + 1]          # a synchronising literal: wait for "+"
            at = end + 1 + int(literal.group(1))
            if at > len(buffer):
                return None

    def explain(self, direction, unit):
        text = unit.decode("utf-8", "replace")
        words = text.split(" ", 2)
        if direction == "c2s":
            if self.continued is not None:        # the octets of a literal, and the rest
                tag, self.continued = self.continued, None
                name = self.commands.get(tag, "")
                params = {"tag": tag, "name": name}
                literal = _LITERAL.search(unit)
                if literal and not literal.group(2):      # yet another literal announced
                    self.continued, self.size = tag, int(literal.group(1))
                return _choose([f"imap.cmd.{name}"], params), params
            tag = words[0]
            name = words[1].rstrip("\r\n").upper() if len(words) > 1 else ""
            if name == "UID" and len(words) > 2:
                name = "UID " + words[2].split(" ")[0].upper()
            self.commands[tag] = name
            literal = _LITERAL.search(unit)
            params = {"tag": tag, "name": name}
            if literal and not literal.group(2):
                self.continued, self.size = tag, int(literal.group(1))
                params["size"] = self.size
                return _choose(["imap.cmd.literal_announced"], params), params
            if name == "STARTTLS":
                self.starttls = tag
            return _choose([f"imap.cmd.{name}"], params), params
        if not self.greeted:
            self.greeted = True
            return _choose(["imap.reply.greeting"], {}), {}
        if words[0] == "+":                       # ready for the literal announced
            params = {"size": self.size} if self.continued is not None else {}
            return _choose(["imap.cont.literal"] if params else [], params), params
        if words[0] == "*":
            word = words[2] if len(words) > 2 and words[1].isdigit() else words[1]
            word = word.split(" ")[0].rstrip("\r\n").upper()
            return _choose([f"imap.data.{word}"], {}), {}
        status = words[1].upper() if len(words) > 1 else ""
        if words[0] == self.starttls and status == "OK":
            self.encrypted = True
        params = {"tag": words[0], "status": status, "name": self.commands.get(words[0], "")}
        return _choose(["imap.reply.completed"] if status == "OK" else [], params), params


FRAMERS = {"SMTP": _SMTP, "POP3": _POP3, "IMAP": _IMAP}
