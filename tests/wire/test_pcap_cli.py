"""``mailsim run X --pcap`` and ``Trace.to_pcap()`` as a user meets them (no tshark needed)."""
from __future__ import annotations

import io

import dpkt

from simulator.cli import main
from simulator.network import simulate
from simulator.scenarios import load


def packets(data: bytes):
    for _ts, frame in dpkt.pcap.Reader(io.BytesIO(data)):
        yield dpkt.ethernet.Ethernet(frame).data


def test_run_with_pcap_puts_every_host_at_its_address_from_the_zones(tmp_path, capsys):
    path = tmp_path / "ports-tls.pcap"
    assert main(["run", "ports-tls", "--pcap", str(path), "--lang", "en"]) == 0
    assert f"Packets written to {path}" in capsys.readouterr().out
    ips = list(packets(path.read_bytes()))
    seen = {dpkt.utils.inet_to_str(ip.src) for ip in ips} | {
        dpkt.utils.inet_to_str(ip.dst) for ip in ips}
    # ports-tls.yaml: mail 192.0.2.10, laptop .11, oldpc .12, mx 198.51.100.20, home .22
    assert {"192.0.2.10", "192.0.2.11", "192.0.2.12", "198.51.100.20", "198.51.100.22"} <= seen
    syns = [ip.data.dport for ip in ips if isinstance(ip.data, dpkt.tcp.TCP)
            and ip.data.flags & dpkt.tcp.TH_SYN and not ip.data.flags & dpkt.tcp.TH_ACK]
    assert syns == [465, 25, 587, 25, 110, 110, 110]
    queries = [dpkt.dns.DNS(ip.data.data) for ip in ips
               if isinstance(ip.data, dpkt.udp.UDP) and ip.data.dport == 53]
    assert queries[0].qd[0].name == "_submissions._tcp.a.test"


def test_the_same_trace_gives_the_same_pcap_and_segments_count_every_octet():
    result = simulate(load("basic"))
    data = result.trace.to_pcap(addresses=result.addresses)
    assert data == simulate(load("basic")).trace.to_pcap(addresses=result.addresses)
    sent: dict[tuple, int] = {}
    for ip in packets(data):
        tcp = ip.data
        if not isinstance(tcp, dpkt.tcp.TCP):
            continue
        key = (ip.src, tcp.sport)
        if tcp.flags & dpkt.tcp.TH_SYN:
            sent[key] = tcp.seq + 1
            continue
        assert tcp.seq == sent[key] % 2 ** 32          # no gap, no overlap (RFC 9293 §3.4)
        sent[key] = tcp.seq + len(tcp.data) + bool(tcp.flags & dpkt.tcp.TH_FIN)
        if tcp.flags & dpkt.tcp.TH_ACK:
            assert tcp.ack <= sent.get((ip.dst, tcp.dport), 0) % 2 ** 32


def test_run_with_an_unwritable_pcap_path_is_a_one_line_error(tmp_path, capsys):
    assert main(["run", "basic", "--pcap", str(tmp_path / "no" / "x.pcap"), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and "Traceback" not in err
