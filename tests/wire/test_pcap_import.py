"""pcap import: a capture's mail sessions become the steps the engines record (issue 14).

Three sources: pcap files exported from built-in scenarios (a round trip), the
same with segments retransmitted and out of order, and a capture made by
tcpdump on loopback while smtplib, poplib and imaplib talk to ``mailsim serve``.
"""
from __future__ import annotations

import io
import select
import shutil
import signal
import smtplib
import subprocess
import time

import dpkt
import pytest

from simulator.cli import main
from simulator.network import simulate
from simulator.scenarios import load
from simulator.trace import Trace
from simulator.wire.pcap_import import CaptureError, import_pcap


def dialogue(steps):
    """(direction, line) of every command and reply, connection by connection."""
    conns: dict[str, list] = {}
    for step in steps:
        if step.direction != "internal" and step.protocol in ("SMTP", "POP3", "IMAP"):
            conns.setdefault(step.conn, []).append((step.direction, step.line))
    return list(conns.values())


def in_clear(trace):
    return [s for s in trace if not s.meta.get("tls")]


@pytest.mark.parametrize("name", ["basic", "pop3-basic", "imap-append", "imap-pipelining",
                                  "wrong-password", "ports-tls", "sniffer"])
def test_an_exported_trace_imports_back_with_the_same_lines_until_tls(name):
    result = simulate(load(name))
    imported = import_pcap(result.trace.to_pcap(addresses=result.addresses))
    implicit = [c for c in result.trace.connections()
                if any(s.explain == "net.tls_implicit" for s in result.trace.filter(conn=c))]
    expected = [d for d in dialogue(in_clear(result.trace)) if d]
    assert dialogue(imported.trace) == expected
    assert [s.reason for s in imported.skipped] == ["encrypted"] * len(implicit)
    # after STARTTLS the capture says the rest is encrypted, as the original did
    assert (sum(s.explain == "net.tls" for s in imported.trace)
            == sum(s.explain == "net.tls" for s in result.trace))


def test_imported_steps_carry_the_engines_explanations():
    imported = import_pcap(simulate(load("pop3-basic")).trace.to_pcap())
    keys = {s.line.split(" ")[0]: s.explain for s in imported.trace if s.protocol == "POP3"}
    assert keys["USER"] == "pop3.cmd.USER" and keys["RETR"] == "pop3.cmd.RETR"
    assert keys["+OK"] == "pop3.reply.greeting" or keys["+OK"] == "pop3.reply.ok"
    greeting = next(s for s in imported.trace if s.protocol == "POP3")
    assert greeting.explain == "pop3.reply.greeting" and greeting.time >= 0


def shuffled_capture(data: bytes) -> bytes:
    """The same packets with every data segment sent twice and each pair of data
    segments of one direction swapped: retransmissions and reordering."""
    reader = dpkt.pcap.Reader(io.BytesIO(data))
    packets = list(reader)
    out, held = [], {}
    for ts, frame in packets:
        tcp = dpkt.ethernet.Ethernet(frame).data.data
        if isinstance(tcp, dpkt.tcp.TCP) and tcp.data:
            key = (tcp.sport, tcp.dport)
            if key in held:
                out += [(ts, frame), held.pop(key), (ts, frame)]   # later one first, then again
            else:
                held[key] = (ts, frame)
            continue
        for key in [k for k in held if k in ((tcp.sport, tcp.dport), (tcp.dport, tcp.sport))]:
            out.append(held.pop(key))
        out.append((ts, frame))
    out += held.values()
    buffer = io.BytesIO()
    writer = dpkt.pcap.Writer(buffer, linktype=reader.datalink())
    for ts, frame in out:
        writer.writepkt(frame, ts=ts)
    return buffer.getvalue()


def test_retransmitted_and_reordered_segments_are_reassembled_in_sequence():
    result = simulate(load("imap-pipelining"))           # a 200 kB FETCH: many segments
    data = result.trace.to_pcap()
    shuffled = shuffled_capture(data)
    assert len(shuffled) > len(data)
    assert dialogue(import_pcap(shuffled).trace) == dialogue(import_pcap(data).trace)


def test_connections_that_are_not_mail_are_listed_and_skipped(capsys, tmp_path):
    trace = Trace(scenario="web", seed=1)
    for n, (direction, raw) in enumerate([("s2c", b"SSH-2.0-OpenSSH_9.2\r\n"),
                                          ("c2s", b"SSH-2.0-client\r\n")]):
        src, dst = ("pc.test", "web.test") if direction == "c2s" else ("web.test", "pc.test")
        trace.add(time=n, conn="c1", src=src, dst=dst, protocol="SSH", direction=direction,
                  raw=raw, line=raw.decode().strip(), meta={"port": 22})
    basic = simulate(load("basic")).trace
    trace.extend(basic.filter(conn="c2"))
    path = tmp_path / "mixed.pcap"
    trace.to_pcap(str(path))
    imported = import_pcap(str(path))
    assert [(s.port, s.reason) for s in imported.skipped] == [(22, "not_mail")]
    assert main(["replay", str(path), "--all", "--lang", "en"]) == 0
    out = capsys.readouterr()
    assert "Connections left out:" in out.err
    assert " (port 22): not SMTP, POP3 or IMAP" in out.err
    assert "EHLO mail.a.test" in out.out and "SSH-2.0" not in out.out


@pytest.mark.parametrize(("content", "message"), [
    (b"this is not a capture at all", "not a pcap or pcapng capture"),
    (None, "cut off in packet"),
    (b"\xd4\xc3\xb2\xa1\x02\x00", "cut off in packet 1"),
])
def test_bad_captures_get_one_clear_line_and_no_traceback(tmp_path, capsys, content, message):
    if content is None:
        content = simulate(load("basic")).trace.to_pcap()[:-7]     # cut in the last packet
    path = tmp_path / "bad.pcap"
    path.write_bytes(content)
    assert main(["replay", str(path), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_a_missing_capture_says_so(tmp_path, capsys):
    assert main(["replay", str(tmp_path / "nothing.pcap"), "--lang", "ru"]) == 2
    assert "такого файла нет" in capsys.readouterr().err


# -- a real capture: tcpdump on loopback ------------------------------------------------------

def start_tcpdump(path, ports):
    tcpdump = shutil.which("tcpdump")
    if tcpdump is None:
        pytest.skip("tcpdump is not installed (.ci/run installs it)")
    rule = " or ".join(f"tcp port {p}" for p in ports)
    proc = subprocess.Popen([tcpdump, "-i", "lo", "-n", "-U", "-B", "8192", "-w",
                             str(path), rule], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    said = b""
    deadline = time.monotonic() + 30
    while b"listening on" not in said and time.monotonic() < deadline:
        if proc.poll() is not None:
            said += proc.stderr.read()
            if b"ermission" in said or b"not permitted" in said:
                pytest.skip(f"capturing on loopback is not permitted here: {said.decode()}")
            pytest.fail(f"tcpdump stopped: {said.decode()}")
        ready, _, _ = select.select([proc.stderr], [], [], 0.5)
        if ready:
            said += proc.stderr.read1(4096)
    assert b"listening on" in said, said
    return proc


def wait_for(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)               # reading the capture costs CPU that tcpdump needs
    return False


def test_a_tcpdump_capture_of_real_clients_replays_as_the_live_trace(tmp_path):
    import imaplib
    import poplib

    from tests.server.conftest import serving
    path = tmp_path / "loopback.pcap"
    with serving() as live:
        ports = [live.settings[name] for name in ("smtp", "pop3", "imap")]
        tcpdump = start_tcpdump(path, ports)
        try:
            first = len(live.trace.snapshot())
            with smtplib.SMTP("127.0.0.1", ports[0], timeout=10) as smtp:
                smtp.sendmail("student@example.test", ["teacher@example.test"],
                              b"Subject: captured\r\n\r\nSeen on the wire.\r\n")
            assert wait_for(lambda: live.call(
                lambda: len(live.world.net.store.account("teacher@example.test").inbox.messages)))
            pop = poplib.POP3("127.0.0.1", ports[1], timeout=10)
            pop.user("teacher")
            pop.pass_("teacher")
            pop.retr(1)
            pop.quit()
            imap = imaplib.IMAP4("127.0.0.1", ports[2], timeout=10)
            imap.login("teacher@example.test", "teacher")
            imap.select("INBOX")
            imap.fetch("1", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            imap.logout()
            # the capture is complete once each connection's FIN is in it (tcpdump may lag
            # behind on a busy machine: wait for it, within a bound)
            complete = wait_for(lambda: _complete(path, ports), seconds=90)
        finally:
            tcpdump.send_signal(signal.SIGINT)
            said = tcpdump.communicate(timeout=30)[1].decode(errors="replace")
        live_steps = live.trace.snapshot().steps[first:]
    assert complete, (said, _summary(path))          # tcpdump's counts say what it dropped
    imported = import_pcap(str(path))
    ours = _ours(imported.trace, ports)
    assert [s for s in imported.skipped if s.port in ports] == []
    for got, want in zip(dialogue(ours), dialogue(live_steps), strict=True):
        first = next((n for n, pair in enumerate(zip(got, want)) if pair[0] != pair[1]),
                     min(len(got), len(want)))
        assert got == want, (first, got[first - 1:first + 2], want[first - 1:first + 2])
    assert [s.meta["port"] for s in ours if s.explain == "net.connect"] == ports


def _summary(path) -> str:
    imported = import_pcap(path.read_bytes())
    return repr(([(s.conn, s.line[:30], dict(s.meta)) for s in imported.trace
                  if s.direction == "internal"], imported.skipped))


def _ours(trace, ports) -> list:
    """The steps of connections to the three servers: another program's connection whose
    ephemeral port happens to equal one of them also matches tcpdump's filter."""
    conns = {s.conn for s in trace if s.explain == "net.connect" and s.meta["port"] in ports}
    return [s for s in trace if s.conn in conns]


def _complete(path, ports) -> bool:
    """Three connections, each closed, the last with the server's LOGOUT reply."""
    try:
        trace = _ours(import_pcap(path.read_bytes()).trace, ports)
    except (OSError, CaptureError):             # not written yet, or a packet half written
        return False
    closed = sum(s.explain == "net.close" and s.meta["fin"] for s in trace)
    return len(dialogue(trace)) == 3 and closed >= 3 and any(
        "LOGOUT" in s.line for s in trace if s.direction == "s2c")


def test_the_player_plays_an_imported_capture_with_explanations():
    pytest.importorskip("ipywidgets")
    from simulator.widgets import TracePlayer
    imported = import_pcap(simulate(load("pop3-basic")).trace.to_pcap())
    player = TracePlayer(imported.trace, lang="en")
    step = next(s for s in imported.trace if s.line == "STAT")
    player.show(step.number)
    assert "STAT asks for the maildrop summary" in player.details.value


def test_a_segment_missing_from_the_capture_is_reported_and_the_rest_shown():
    data = simulate(load("pop3-basic")).trace.to_pcap()
    reader = dpkt.pcap.Reader(io.BytesIO(data))
    packets = list(reader)
    retr = next(n for n, (_, frame) in enumerate(packets)
                if b"RETR 1" in bytes(dpkt.ethernet.Ethernet(frame).data.data.data))
    buffer = io.BytesIO()
    writer = dpkt.pcap.Writer(buffer, linktype=reader.datalink())
    for n, (ts, frame) in enumerate(packets):
        if n != retr:                            # the capture lost the segment with RETR 1
            writer.writepkt(frame, ts=ts)
    imported = import_pcap(buffer.getvalue())
    assert [s.reason for s in imported.skipped] == ["gap"]
    lines = [s.line for s in imported.trace if s.direction == "c2s"]
    assert "LIST" in lines and "RETR 1" not in lines
