"""Every built-in scenario's trace opens in tshark as the trace has it (issue 14).

One tshark run per scenario reads the expert summary and follows every TCP
stream (raw and ascii); a second lists the SMTP, POP and IMAP requests its
dissectors found.  tshark sees the standard ports, so its dissectors fire.
"""
from __future__ import annotations

import re

import pytest

from simulator.network import simulate
from simulator.scenarios.loader import builtin_names, load_builtin
from simulator.wire import flows, node_addresses

from .tshark import as_ascii, complaints, expert_levels, follows, needs_tshark, run

pytestmark = needs_tshark


@pytest.fixture(scope="module", params=builtin_names())
def exported(request, tmp_path_factory):
    result = simulate(load_builtin(request.param))
    path = tmp_path_factory.mktemp("pcap") / f"{request.param}.pcap"
    result.trace.to_pcap(str(path), addresses=result.addresses)
    return result, path


def test_tshark_reads_the_pcap_without_warnings_and_follows_each_connection_byte_exact(exported):
    result, path = exported
    trace = result.trace
    streams = flows(trace)
    args = ["-q", "-z", "expert"]
    for n in range(len(streams)):
        args += ["-z", f"follow,tcp,raw,{n}", "-z", f"follow,tcp,ascii,{n}"]
    out = run(path, *args)
    assert complaints(out) == []
    assert not expert_levels(out.stdout) & {"Errors", "Warnings"}, out.stdout.decode()
    book = node_addresses(trace, result.addresses)
    followed = follows(out.stdout)
    for n, flow in enumerate(streams):
        raw, text = followed[("raw", n)], followed[("ascii", n)]
        assert raw["nodes"][0].rsplit(":", 1)[0] == book[flow.client]
        assert raw["nodes"][1] == f"{book[flow.server]}:{flow.port}"
        for node, direction in ((0, "c2s"), (1, "s2c")):
            wire = b"".join(d for who, d in raw["chunks"] if who == node)
            assert wire == b"".join(w.data for w in flow.writes if w.direction == direction)
            shown = b"".join(d for who, d in text["chunks"] if who == node)
            assert shown == as_ascii(wire)
            if flow.tls_at is None:             # in clear: exactly the trace's octets
                steps = [s for s in trace.filter(conn=flow.conn) if s.direction == direction]
                assert wire == b"".join(s.raw for s in steps)
            else:                               # in TLS: the clear prefix, then records only
                prefix = flow.cleartext(direction)
                assert wire.startswith(prefix)
                for step in trace.filter(conn=flow.conn):
                    if step.meta.get("tls") and len(step.raw) > 8:
                        assert step.raw not in wire[len(prefix):]


FIELDS = {"SMTP": ("smtp.req", "smtp.req.command", "smtp.req.parameter"),
          "POP3": ("pop.request", "pop.request.command", "pop.request.parameter"),
          "IMAP": ("imap.request", "imap.request", None)}


def test_smtp_pop_and_imap_dissectors_find_the_commands_sent_in_clear(exported):
    result, path = exported
    for protocol, (display, command, parameter) in FIELDS.items():
        fields = ["-e", "tcp.stream", "-e", command] + (["-e", parameter] if parameter else [])
        out = run(path, "-Y", display, "-T", "fields", "-E", "occurrence=a",
                  "-E", "aggregator=\x1f", *fields)
        found = _requests(out.stdout.decode("utf-8", "replace"), protocol)
        expected = _expected_requests(result.trace, protocol)
        for stream, lines in expected.items():
            got = iter(found.get(stream, []))
            missing = [line for line in lines if line not in got]   # in order, as a subsequence
            assert missing == [], (protocol, stream, found.get(stream))
            if protocol != "IMAP":
                assert found.get(stream, []) == lines


def _requests(text: str, protocol: str) -> dict[int, list[str]]:
    """tcp stream → the request lines tshark's dissector found, in order."""
    found: dict[int, list[str]] = {}
    for row in text.splitlines():
        stream, *values = row.split("\t")
        commands = values[0].split("\x1f") if values and values[0] else []
        params = values[1].split("\x1f") if len(values) > 1 else [""] * len(commands)
        params += [""] * (len(commands) - len(params))
        for cmd, param in zip(commands, params):
            line = cmd if protocol == "IMAP" else f"{cmd} {param}".strip()
            found.setdefault(int(stream), []).append(line.upper() if protocol != "IMAP" else line)
    return found


def _expected_requests(trace, protocol: str) -> dict[int, list[str]]:
    """stream → the command lines sent in clear, as tshark's dissector names them.

    tshark cuts an SMTP line into four letters of verb and what follows the
    fifth (``STAR`` and ``TLS`` for STARTTLS) and, after a pipelined DATA that the server refused (RFC 2920
    §3.1: 503 instead of 354), takes the client's further lines for message
    text: those are not expected of it.
    """
    expected: dict[int, list[str]] = {}
    for n, flow in enumerate(flows(trace)):
        if flow.protocol != protocol:
            continue
        clear = [i for w in flow.writes[:flow.tls_at] for i in w.steps]
        lines: list[str] = []
        for index in clear:
            step = trace[index]
            if step.direction != "c2s" or step.command is None:
                continue
            if protocol == "IMAP":
                if "\n" not in step.line:          # not the octets of a literal (APPEND)
                    lines.append(step.line)
                continue
            verb, _, rest = step.line.partition(" ")
            if protocol == "SMTP" and verb == "BDAT":
                break       # tshark's SMTP dissector takes all after BDAT (RFC 3030) for data
            if protocol == "SMTP":
                verb, rest = step.line[:4], step.line[5:]
            # tshark writes each octet of a UTF-8 character (SMTPUTF8, RFC 6531) on its own
            line = "".join(c if c.isascii() else "\ufffd" * len(c.encode())
                           for c in f"{verb} {rest}".strip().upper())
            lines.append(line)
            if protocol == "SMTP" and step.command == "DATA" and _refused(trace, step):
                break
        expected[n] = lines
    return expected


def _refused(trace, data_step) -> bool:
    replies = [s for s in trace.filter(conn=data_step.conn) if s.answers == data_step.index]
    return not any(re.match(r"354\b", s.line) for s in replies)
