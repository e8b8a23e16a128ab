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
import struct
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import dpkt

from ..protocols import Utterance
from ..trace import Trace
from .framing import FRAMERS

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
    first_packet = datetime.fromtimestamp(start, UTC) if segments else None
    trace = Trace(scenario=name, seed=0, start_time=first_packet)
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
        framer = FRAMERS[protocol]()
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
