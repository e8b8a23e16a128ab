"""A trace as a pcap file that Wireshark and tshark open (issue 14).

Every node gets one IPv4 address (the zones' A records when known, else a
stable one from 10.0.0.0/24), every connection a TCP handshake, segments whose
sequence and acknowledgement numbers count the octets exactly (RFC 9293 §3.4),
and FIN at close; a connection refused gets RST.  DNS lookups become a UDP
query and its response built by dnspython (RFC 1035 §4.1).  TLS travels as
the records of :mod:`simulator.wire.tls`.  Packets are built with dpkt;
timestamps are the trace's seconds after its ``start_time`` (a simulation's
scenario start, so packets and Date headers agree; the same run, the same file).
"""
from __future__ import annotations

import hashlib
import io
import ipaddress
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dpkt

from .flows import Flow, Write, flows

if TYPE_CHECKING:                  # the trace imports this module for Trace.to_pcap
    from ..trace import Step, Trace

#: Time 0 of a trace that does not say when it started: 2024-01-01 00:00:00 UTC.
DEFAULT_START = 1_704_067_200
#: RFC 9293 §3.7.1: the segment size on an Ethernet (1500 − 20 − 20).
MSS = 1460
WINDOW = 65535
#: Where a node without a known address gets one (RFC 1918 space, never the zones').
FALLBACK_NET = ipaddress.ip_network("10.0.0.0/16")
RESOLVER = "dns"
DNS_PORT = 53
#: Client ports come from the IANA dynamic range (RFC 6335 §6).
EPHEMERAL = 49152
TICK = 1                       # µs between packets that happen "at once"


def to_pcap(trace: Trace, addresses: Mapping[str, str] | None = None, *,
            start: float | None = None) -> bytes:
    """The pcap file (libpcap format, Ethernet frames) of ``trace``.

    ``addresses`` maps host names to IPv4 addresses (a simulation's zones:
    ``SimulationResult.addresses``); others come from the trace's own DNS
    answers, from ``ip:port`` node names of a live trace, or are assigned.
    ``start`` (Unix seconds) is the steps' time 0: by default the trace's
    ``start_time``, or :data:`DEFAULT_START` for a trace without one.
    """
    if start is None:
        start = trace.start_time.timestamp() if trace.start_time else DEFAULT_START
    book = node_addresses(trace, addresses)
    capture = _Capture()
    for step in trace:
        if step.protocol == "DNS" and step.conn is None and step.dst == RESOLVER:
            capture.dns_lookup(step, book)
    for flow in flows(trace):
        capture.tcp_flow(flow, book)
    out = io.BytesIO()
    writer = dpkt.pcap.Writer(out, linktype=dpkt.pcap.DLT_EN10MB)
    for micros, _order, frame in sorted(capture.packets, key=lambda p: (p[0], p[1])):
        writer.writepkt(frame, ts=start + micros / 1e6)
    return out.getvalue()


# -- addresses -------------------------------------------------------------------------

def node_addresses(trace: Trace, known: Mapping[str, str] | None = None) -> dict[str, str]:
    """One IPv4 address per node: known ones, the trace's A answers, ``ip:port`` names,
    then free addresses of 10.0.0.0/16 in the order the nodes appear."""
    book: dict[str, str] = {k.lower(): v for k, v in (known or {}).items() if _ipv4(v)}
    names: dict[str, None] = dict.fromkeys(n.lower() for n in trace.nodes)
    for step in trace:
        names.update(dict.fromkeys((step.src.lower(), step.dst.lower())))
        for line in step.meta.get("answers", ()) if step.protocol == "DNS" else ():
            name, _ttl, _cls, rtype, data = (str(line).split(None, 4) + [""] * 5)[:5]
            if rtype == "A" and _ipv4(data):
                book.setdefault(name.rstrip(".").lower(), data)
    for name in names:
        host = _host_part(name)
        if host and name not in book:
            book[name] = host
    used = set(book.values())
    spare = (str(a) for a in FALLBACK_NET.hosts() if str(a) not in used)
    for name in names:
        if name not in book and name != "internet":
            book[name] = next(spare)
    return book


def _ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _host_part(name: str) -> str | None:
    """The address of a live trace's ``127.0.0.1:50312`` node."""
    host, _, port = name.rpartition(":")
    return host if port.isdigit() and _ipv4(host) else None


def _port_part(name: str) -> int | None:
    host, _, port = name.rpartition(":")
    return int(port) if port.isdigit() and _ipv4(host) else None


# -- packets -----------------------------------------------------------------------------

def _mac(ip: str) -> bytes:
    """A locally administered MAC address that shows the IPv4 address it belongs to."""
    return b"\x02\x00" + ipaddress.IPv4Address(ip).packed


def _isn(label: str) -> int:
    """A stable initial sequence number per connection and side (RFC 9293 §3.4.1)."""
    return int.from_bytes(hashlib.sha256(label.encode()).digest()[:4], "big")


@dataclass
class _Side:
    ip: str
    port: int
    seq: int                    # the next sequence number this side sends


@dataclass
class _Capture:
    packets: list[tuple[int, int, bytes]] = field(default_factory=list)
    ip_id: int = 0

    def frame(self, micros: int, src: str, dst: str, proto: int, payload) -> None:
        self.ip_id = (self.ip_id + 1) & 0xFFFF
        packet = dpkt.ip.IP(src=ipaddress.IPv4Address(src).packed,
                            dst=ipaddress.IPv4Address(dst).packed, p=proto, ttl=64,
                            id=self.ip_id, data=payload)
        packet.len = len(packet)
        ether = dpkt.ethernet.Ethernet(src=_mac(src), dst=_mac(dst),
                                       type=dpkt.ethernet.ETH_TYPE_IP, data=packet)
        self.packets.append((micros, len(self.packets), bytes(ether)))

    # -- DNS (RFC 1035 §4.1) ---------------------------------------------------------
    def dns_lookup(self, step: Step, book: Mapping[str, str]) -> None:
        query, response = dns_messages(step)
        client, server = book[step.src.lower()], book[RESOLVER]
        port = EPHEMERAL + step.index % 16384
        micros = _micros(step.time)
        for when, (src, sport), (dst, dport), message in (
                (micros, (client, port), (server, DNS_PORT), query),
                (micros + TICK, (server, DNS_PORT), (client, port), response)):
            udp = dpkt.udp.UDP(sport=sport, dport=dport, data=message)
            udp.ulen = len(udp)
            self.frame(when, src, dst, dpkt.ip.IP_PROTO_UDP, udp)

    # -- TCP (RFC 9293) ------------------------------------------------------------------
    def tcp_flow(self, flow: Flow, book: Mapping[str, str]) -> None:
        number = int(flow.conn[1:]) if flow.conn[1:].isdigit() else _isn(flow.conn) % 16384
        client = _Side(book[flow.client.lower()],
                       _port_part(flow.client) or EPHEMERAL + 1000 + number % 15000,
                       _isn(flow.conn + "/client"))
        server = _Side(book[flow.server.lower()], flow.port or 0, _isn(flow.conn + "/server"))
        clock = _Clock(_micros(flow.opened))
        syn_options = struct.pack("!BBH", 2, 4, MSS)                # MSS option
        self.segment(clock.at(flow.opened), client, server, dpkt.tcp.TH_SYN, syn_options)
        if flow.failed == "refused":
            self.segment(clock.tick(), server, client, dpkt.tcp.TH_RST | dpkt.tcp.TH_ACK,
                         ack=client.seq)
            return
        if flow.failed:
            return                                  # nobody answers an unreachable host
        self.segment(clock.tick(), server, client, dpkt.tcp.TH_SYN | dpkt.tcp.TH_ACK,
                     syn_options, ack=client.seq)
        self.segment(clock.tick(), client, server, dpkt.tcp.TH_ACK, ack=server.seq)
        for write in flow.writes:
            sender, receiver = (client, server) if write.direction == "c2s" else (server, client)
            self.write(clock, write, sender, receiver)
        end = flow.closed if flow.closed is not None else (
            flow.writes[-1].time if flow.writes else flow.opened)
        self.segment(clock.at(end), client, server, dpkt.tcp.TH_FIN | dpkt.tcp.TH_ACK,
                     ack=server.seq)
        self.segment(clock.tick(), server, client, dpkt.tcp.TH_FIN | dpkt.tcp.TH_ACK,
                     ack=client.seq)
        self.segment(clock.tick(), client, server, dpkt.tcp.TH_ACK, ack=server.seq)

    def write(self, clock: _Clock, write: Write, sender: _Side, receiver: _Side) -> None:
        """The write's octets in MSS-sized segments; the receiver acknowledges every
        second one and the last (a delayed ACK, RFC 9293 §3.8.6.3)."""
        chunks = [write.data[i:i + MSS] for i in range(0, len(write.data), MSS)]
        micros = clock.at(write.time)
        for n, chunk in enumerate(chunks, 1):
            flags = dpkt.tcp.TH_ACK | (dpkt.tcp.TH_PUSH if n == len(chunks) else 0)
            self.segment(micros, sender, receiver, flags, data=chunk, ack=receiver.seq)
            if n % 2 == 0 or n == len(chunks):
                self.segment(clock.tick(), receiver, sender, dpkt.tcp.TH_ACK, ack=sender.seq)
            micros = clock.tick()

    def segment(self, micros: int, src: _Side, dst: _Side, flags: int, options: bytes = b"",
                *, data: bytes = b"", ack: int = 0) -> None:
        tcp = dpkt.tcp.TCP(sport=src.port, dport=dst.port, seq=src.seq & 0xFFFFFFFF,
                           ack=ack & 0xFFFFFFFF if flags & dpkt.tcp.TH_ACK else 0,
                           flags=flags, win=WINDOW, opts=options, data=data)
        tcp.off = (20 + len(options)) // 4
        self.frame(micros, src.ip, dst.ip, dpkt.ip.IP_PROTO_TCP, tcp)
        # SYN and FIN take one sequence number each (RFC 9293 §3.4).
        src.seq += len(data) + bool(flags & (dpkt.tcp.TH_SYN | dpkt.tcp.TH_FIN))


class _Clock:
    """Whole microseconds that never go back within one connection."""

    def __init__(self, micros: int) -> None:
        self.now = micros - TICK

    def at(self, seconds: float) -> int:
        self.now = max(_micros(seconds), self.now + TICK)
        return self.now

    def tick(self) -> int:
        self.now += TICK
        return self.now


def _micros(seconds: float) -> int:
    return round(seconds * 1_000_000)


def dns_messages(step: Step) -> tuple[bytes, bytes]:
    """The wire form of a recorded lookup: the query and the response (RFC 1035 §4.1)."""
    qname = str(step.params.get("qname") or step.line.split()[0])
    qtype = str(step.params.get("qtype") or "A")
    try:
        query = dns.message.make_query(qname, qtype)
    except dns.exception.DNSException:
        query = dns.message.make_query(qname, "A")
    query.id = step.index & 0xFFFF
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA | dns.flags.RA
    try:
        response.set_rcode(dns.rcode.from_text(str(step.meta.get("rcode", "NOERROR"))))
    except dns.exception.DNSException:
        response.set_rcode(dns.rcode.SERVFAIL)
    for line in step.meta.get("answers", ()):
        _add_answer(response, str(line))
    return query.to_wire(), response.to_wire()


def _add_answer(response: dns.message.Message, line: str) -> None:
    """One ``name ttl class type data`` line into the answer section."""
    try:
        name, ttl, rdclass, rdtype, data = line.split(None, 4)
        rrset = dns.rrset.from_text(name, int(ttl), rdclass, rdtype, data)
    except (ValueError, dns.exception.DNSException):
        return                                  # a line the trace wrote for people only
    found = response.find_rrset(response.answer, rrset.name, rrset.rdclass, rrset.rdtype,
                                create=True)
    found.update_ttl(rrset.ttl)
    for rdata in rrset:
        found.add(rdata)
