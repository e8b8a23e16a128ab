"""``mailsim run X --pcap`` and ``Trace.to_pcap()`` as a user meets them (no tshark needed)."""
from __future__ import annotations

import email
import email.utils
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import dpkt

from simulator.cli import main
from simulator.network import simulate
from simulator.scenarios import load
from simulator.trace import Trace
from simulator.wire.pcap_import import import_pcap

ONE_YEAR = timedelta(days=365)


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


def stamps(data: bytes) -> list[datetime]:
    return [datetime.fromtimestamp(ts, UTC) for ts, _frame in dpkt.pcap.Reader(io.BytesIO(data))]


def test_packets_are_stamped_on_the_scenarios_clock_like_the_date_headers():
    scenario = load("basic")
    result = simulate(scenario)
    data = result.trace.to_pcap(addresses=result.addresses)
    start = scenario.options.start_time
    assert stamps(data)[0] == start + timedelta(seconds=result.trace[0].time)
    # Wireshark's time of the relayed message (port 25, in clear) agrees with its Date:
    (sent_at, content), = [(when, ip.data.data) for when, ip in zip(stamps(data), packets(data),
                                                                     strict=True)
                           if isinstance(ip.data, dpkt.tcp.TCP) and ip.data.dport == 25
                           and b"\r\nDate: " in ip.data.data]
    date = email.utils.parsedate_to_datetime(email.message_from_bytes(content)["Date"])
    assert date.year == 2026 and timedelta(0) <= sent_at - date < timedelta(seconds=1)
    # another day in the scenario is another day in the capture, packet for packet
    later = replace(scenario, options=replace(scenario.options, start_time=start + ONE_YEAR))
    assert [t - ONE_YEAR for t in stamps(simulate(later).trace.to_pcap())] == stamps(data)


def test_a_saved_trace_exports_the_same_times_and_an_old_one_starts_in_2024(tmp_path):
    path = tmp_path / "basic.json"
    assert main(["run", "basic", "--trace", str(path), "--lang", "en"]) == 0
    saved = Trace.load(str(path))
    assert stamps(saved.to_pcap()) == stamps(simulate(load("basic")).trace.to_pcap())
    old = json.loads(path.read_text("utf-8"))
    del old["start_time"]                         # written before traces said when they began
    first = stamps(Trace.from_dict(old).to_pcap())[0]
    assert first == datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=saved[0].time)


def test_an_imported_capture_keeps_its_own_time():
    data = simulate(load("pop3-basic")).trace.to_pcap()
    imported = import_pcap(data).trace
    assert imported.start_time == stamps(data)[0]
    assert stamps(imported.to_pcap())[0] == stamps(data)[0]
