"""A capture (pcap or pcapng) of real SMTP, POP3 and IMAP sessions as a Trace (issue 14).

Packets are read with dpkt (Ethernet, Linux cooked, loopback and raw IP links;
IPv4 and IPv6), each TCP connection's two byte streams are put back together in
sequence-number order — retransmitted and overlapping octets taken once,
segments that arrived out of order placed where they belong (RFC 9293 §3.10.7.4)
— and the dialogue is cut into the units the engines record: a command line, a
whole reply (an SMTP multi-line reply, a POP3 multi-line response up to its dot),
an IMAP response with its literals, the message after DATA.  Explanations are
the engines' own texts for the command or reply where the capture gives what
they need.  The protocol is known from the server's greeting, else its port.
Connections that carry no mail protocol, or only TLS, are listed as skipped.
"""
from __future__ import annotations

import io
import ipaddress
import re
import struct
from dataclasses import dataclass, field, replace

import dpkt

from ..locale import texts
from ..protocols import Utterance
from ..trace import Trace

#: Well-known ports (RFC 5321, RFC 6409, RFC 8314, RFC 1939, RFC 9051, RFC 937).
PORTS = {25: "SMTP", 587: "SMTP", 465: "SMTP", 110: "POP3", 995: "POP3", 143: "IMAP",
         993: "IMAP", 109: "POP2"}
TLS_PORTS = {465, 993, 995}
GREETINGS = ((b"220", "SMTP"), (b"+OK", "POP3"), (b"* OK", "IMAP"), (b"* PREAUTH", "IMAP"),
             (b"* BYE", "IMAP"))
FRAMED = ("SMTP", "POP3", "IMAP")
_PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
                b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}
_PCAPNG = b"\x0a\x0d\x0d\x0a"
_LITERAL = re.compile(rb"\{(\d+)(\+?)\}\r\n$")


class CaptureError(ValueError):
    """A file that is not a capture mailsim can read: ``key`` names the ru/en text
    (``cli.pcap.error.*``) and ``params`` fill it."""

    def __init__(self, key: str, **params) -> None:
        super().__init__(f"{key} {params}")
        self.key, self.params = key, params


@dataclass(frozen=True)
class Skipped:
    """A connection of the capture that is not shown, and why (``reason``: ``not_mail``,
    ``encrypted``, ``no_data``), or shown only in part (``gap``: octets missing)."""

    client: str
    server: str
    port: int
    reason: str


@dataclass
class Imported:
    """The capture as a trace, and the connections left out."""

    trace: Trace
    skipped: list[Skipped] = field(default_factory=list)


def import_pcap(source: str | bytes, name: str = "capture") -> Imported:
    """Read a pcap/pcapng file (a path or its bytes) into a :class:`Trace` of its mail sessions.

    Raises :class:`CaptureError` for a file that is not a capture, is cut off in
    the middle of a packet, or uses a link type mailsim does not know.
    """
    data = source if isinstance(source, bytes) else _read(source)
    segments = _segments(data)
    start = min((seg.time for seg in segments), default=0.0)   # the capture's time 0
    connections = _connections([replace(seg, time=round(seg.time - start, 6))
                                for seg in segments])
    trace = Trace(scenario=name, seed=0)
    skipped = []
    conn_number = 0
    for conn in connections:
        verdict = conn.classify()
        if verdict in FRAMED:
            conn_number += 1
            conn.to_steps(trace, f"c{conn_number}", verdict)
            if conn.gap:                          # shown up to the octets never captured
                skipped.append(Skipped(conn.client_name, conn.server_name, conn.server[1],
                                       "gap"))
        else:
            skipped.append(Skipped(conn.client_name, conn.server_name, conn.server[1], verdict))
    trace.nodes = list(dict.fromkeys(n for s in trace for n in (s.src, s.dst)))
    return Imported(trace, skipped)


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise CaptureError("cli.pcap.error.missing", path=path) from None
    except OSError as exc:
        raise CaptureError("cli.pcap.error.unreadable", path=path,
                           reason=exc.strerror or str(exc)) from None


# -- packets -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Segment:
    time: float
    src: tuple[str, int]
    dst: tuple[str, int]
    seq: int
    flags: int
    payload: bytes


def _segments(data: bytes) -> list[_Segment]:
    """Every TCP segment of the capture, in file order."""
    magic = data[:4]
    try:
        if magic in _PCAP_MAGICS:
            _check_pcap_records(data, _PCAP_MAGICS[magic])
            reader = dpkt.pcap.Reader(io.BytesIO(data))
        elif magic == _PCAPNG:
            reader = dpkt.pcapng.Reader(io.BytesIO(data))
        else:
            raise CaptureError("cli.pcap.error.not_pcap")
        decode = _link_decoder(reader.datalink())
        packets = list(reader)
    except (dpkt.NeedData, dpkt.UnpackError, struct.error, ValueError) as exc:
        if isinstance(exc, CaptureError):
            raise
        raise CaptureError("cli.pcap.error.damaged", reason=str(exc)[:120]) from None
    out = []
    for time, frame in packets:
        try:
            ip = decode(frame)
        except (dpkt.NeedData, dpkt.UnpackError, struct.error, ValueError):
            continue                              # a frame we cannot decode is not mail
        tcp = getattr(ip, "data", None)
        if not isinstance(tcp, dpkt.tcp.TCP):
            continue
        src, dst = _address(ip.src), _address(ip.dst)
        out.append(_Segment(float(time), (src, tcp.sport), (dst, tcp.dport), tcp.seq,
                            tcp.flags, bytes(tcp.data)))
    return out


def _check_pcap_records(data: bytes, order: str) -> None:
    """Walk the record headers: a file cut in the middle of a packet is an error
    (dpkt would silently stop there)."""
    at, number = 24, 0
    if len(data) < at:
        raise CaptureError("cli.pcap.error.truncated", packet=1)
    while at < len(data):
        number += 1
        if at + 16 > len(data):
            raise CaptureError("cli.pcap.error.truncated", packet=number)
        caplen = struct.unpack(order + "I", data[at + 8:at + 12])[0]
        at += 16 + caplen
        if at > len(data):
            raise CaptureError("cli.pcap.error.truncated", packet=number)


def _link_decoder(linktype: int):
    """A function from a frame to its IP packet, for the capture's link type."""
    def ethernet(frame):
        return dpkt.ethernet.Ethernet(frame).data

    def loopback(frame):
        return dpkt.loopback.Loopback(frame).data

    def raw(frame):
        return dpkt.ip.IP(frame) if frame[:1] and frame[0] >> 4 == 4 else dpkt.ip6.IP6(frame)

    def cooked(frame):
        return dpkt.sll.SLL(frame).data

    def cooked2(frame):
        return dpkt.sll2.SLL2(frame).data

    decoders = {dpkt.pcap.DLT_EN10MB: ethernet, dpkt.pcap.DLT_NULL: loopback,
                dpkt.pcap.DLT_LOOP: loopback, dpkt.pcap.DLT_RAW: raw, 101: raw, 12: raw,
                14: raw, dpkt.pcap.DLT_LINUX_SLL: cooked, 276: cooked2}
    if linktype not in decoders:
        raise CaptureError("cli.pcap.error.linktype", linktype=linktype)
    return decoders[linktype]


def _address(packed: bytes) -> str:
    return str(ipaddress.ip_address(packed))


# -- connections and streams ----------------------------------------------------------

def _connections(segments: list[_Segment]) -> list[_Connection]:
    found: dict[frozenset, _Connection] = {}
    order: list[_Connection] = []
    for seg in segments:
        key = frozenset((seg.src, seg.dst))
        conn = found.get(key)
        if conn is None or (conn.finished and seg.flags & dpkt.tcp.TH_SYN
                            and not seg.flags & dpkt.tcp.TH_ACK):
            conn = found[key] = _Connection()       # a new connection on the same ports
            order.append(conn)
        conn.add(seg)
    return order


class _Stream:
    """One direction of a connection, reassembled by sequence number."""

    def __init__(self) -> None:
        self.isn: int | None = None               # the SYN's sequence number + 1
        self.pieces: list[tuple[int, int, float, bytes]] = []   # (seq, arrival, time, data)
        self.fin = False

    def add(self, seg: _Segment, arrival: int) -> None:
        if seg.flags & dpkt.tcp.TH_SYN:
            self.isn = (seg.seq + 1) & 0xFFFFFFFF
        if seg.flags & (dpkt.tcp.TH_FIN | dpkt.tcp.TH_RST):
            self.fin = True
        if seg.payload:
            seq = (seg.seq + (1 if seg.flags & dpkt.tcp.TH_SYN else 0)) & 0xFFFFFFFF
            self.pieces.append((seq, arrival, seg.time, seg.payload))

    def chunks(self) -> tuple[list[tuple[float, bytes]], bool]:
        """(time, octets) in stream order, each piece's octets taken once; and whether a
        gap (octets never captured) cut the stream short."""
        if not self.pieces:
            return [], False
        base = self.isn if self.isn is not None else min(
            self.pieces, key=lambda p: _relative(p[0], self.pieces[0][0]))[0]
        ordered = sorted(((_relative(seq, base), arrival, time, data)
                          for seq, arrival, time, data in self.pieces), key=lambda p: p[:2])
        out, cursor, last = [], 0, 0.0
        for offset, _arrival, time, data in ordered:
            end = offset + len(data)
            if end <= cursor:
                continue                          # a retransmission of octets we have
            if offset > cursor:
                return out, True                  # octets missing from the capture
            last = max(last, time)                # never before octets it follows
            out.append((last, data[cursor - offset:]))
            cursor = end
        return out, False


def _relative(seq: int, base: int) -> int:
    """``seq`` counted from ``base`` modulo 2^32, negative for octets before it."""
    offset = (seq - base) & 0xFFFFFFFF
    return offset - (1 << 32) if offset >= 1 << 31 else offset


class _Connection:
    def __init__(self) -> None:
        self.client: tuple[str, int] | None = None
        self.server: tuple[str, int] = ("", 0)
        self.streams: dict[tuple[str, int], _Stream] = {}
        self.opened: float | None = None
        self.closed: float | None = None
        self.count = 0
        self.gap = False
        self.c2s: list[tuple[float, bytes]] = []
        self.s2c: list[tuple[float, bytes]] = []

    @property
    def finished(self) -> bool:
        return bool(self.streams) and all(s.fin for s in self.streams.values())

    def add(self, seg: _Segment) -> None:
        if self.opened is None:
            self.opened = seg.time
        if seg.flags & dpkt.tcp.TH_SYN and not seg.flags & dpkt.tcp.TH_ACK:
            self.client, self.server = seg.src, seg.dst
        self.streams.setdefault(seg.src, _Stream()).add(seg, self.count)
        self.streams.setdefault(seg.dst, _Stream())
        self.count += 1
        if seg.flags & (dpkt.tcp.TH_FIN | dpkt.tcp.TH_RST):
            self.closed = seg.time
        if self.client is None:                  # no SYN captured: the mail port is the server
            a, b = seg.src, seg.dst
            self.client, self.server = (b, a) if a[1] in PORTS and b[1] not in PORTS else (
                (a, b) if b[1] in PORTS or a[1] > b[1] else (b, a))

    @property
    def client_name(self) -> str:
        return _endpoint(self.client)

    @property
    def server_name(self) -> str:
        return self.server[0]                     # the port is the connection's meta

    def classify(self) -> str:
        """The protocol, or why the connection is skipped."""
        self.c2s, c_gap = self.streams[self.client].chunks()
        self.s2c, s_gap = self.streams[self.server].chunks()
        self.gap = c_gap or s_gap
        first_s = self.s2c[0][1] if self.s2c else b""
        first_c = self.c2s[0][1] if self.c2s else b""
        if first_c[:1] == b"\x16" or first_s[:1] == b"\x16":
            return "encrypted"                    # a TLS handshake record (RFC 8446 §5.1)
        for prefix, protocol in GREETINGS:
            if first_s.startswith(prefix):
                return protocol
        if not self.c2s and not self.s2c:
            return "no_data"
        if self.server[1] in TLS_PORTS:
            return "encrypted"
        if self.server[1] in PORTS and PORTS[self.server[1]] in FRAMED:
            return PORTS[self.server[1]]
        return "not_mail"

    def to_steps(self, trace: Trace, conn: str, protocol: str) -> None:
        client, server, port = self.client_name, self.server_name, self.server[1]
        trace.add(time=self.opened, conn=conn, src=client, dst=server, protocol="TCP",
                  direction="internal", raw=b"", line=f"connect {server}:{port}", explain="net.connect",
                  params={"host": server, "port": port, "path": f"{client} → {server}"},
                  meta={"port": port, "captured": True})
        framer = _FRAMERS[protocol]()
        events = sorted([(t, 0, "c2s", d) for t, d in self.c2s]
                        + [(t, 1, "s2c", d) for t, d in self.s2c], key=lambda e: (e[0], e[1]))
        for time, _order, direction, data in events:
            for raw, explain, params in framer.feed(direction, data):
                line = Utterance(direction, raw, "", "", explain).line
                src, dst = (client, server) if direction == "c2s" else (server, client)
                trace.add(time=time, conn=conn, src=src, dst=dst, protocol=protocol,
                          direction=direction, raw=raw, line=line, explain=explain,
                          params=params, meta={"port": port, "captured": True})
            if framer.encrypted:
                trace.add(time=time, conn=conn, src=client, dst=server, protocol="TLS",
                          direction="internal", raw=b"", line="TLS handshake",
                          explain="net.tls", meta={"port": port, "captured": True})
                break
        trace.add(time=self.closed if self.closed is not None else events[-1][0] if events
                  else self.opened, conn=conn, src=client, dst=server, protocol="TCP",
                  direction="internal", raw=b"", line=f"close {server}:{port}", explain="net.close",
                  meta={"port": port, "captured": True, "fin": self.closed is not None})


def _endpoint(address: tuple[str, int] | None) -> str:
    host, port = address or ("?", 0)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# -- framing: the units the engines record ------------------------------------------------

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


_FRAMERS = {"SMTP": _SMTP, "POP3": _POP3, "IMAP": _IMAP}
