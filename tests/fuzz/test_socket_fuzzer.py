"""The socket fuzzer's short fixed-seed pass: how CI runs ``make fuzz`` (issue 16, Build 2).

Bounded by a number of sessions, not by time.  A slow greeting under a
loaded CI machine is reported in the summary, never asserted (wall clock);
tracebacks, invalid replies and lost, duplicated or ghost messages fail.
"""
from __future__ import annotations

from fuzz.socket_fuzzer import MODELLED, fuzz
from simulator.server.services import SERVICE_TABLE


def test_a_short_fixed_seed_pass_on_every_port_finds_no_fault(tmp_path):
    report = fuzz(16, sessions=3, clients=2, workdir=tmp_path)
    summary = "\n".join(report.lines)
    assert [f for f in report.faults if f[0] != "hang"] == [], summary
    assert {protocol for _, protocol, *_ in SERVICE_TABLE} <= set(MODELLED)   # every port
    for name, protocol, *_ in SERVICE_TABLE:
        tally = report.tallies[name]
        assert tally.connections and sum(tally.replies.values()), summary
