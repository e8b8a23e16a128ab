"""One client's pipeline of expensive commands does not keep the others from their greeting."""
import imaplib
import socket

import pytest

from simulator.server.fairness import EngineTimeBudget

from .conftest import delivered, loop_paused, serving
from .test_live_trace import big_message

SEARCHES = 30


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_connection_that_overspends_its_budget_waits_while_others_run():
    clock = FakeClock()
    budget = EngineTimeBudget(share=0.5, burst=0.25, clock=clock)
    assert budget.spend(0.1) == 0.0                 # within the burst: no pause
    assert budget.spend(0.35) == pytest.approx(0.4)               # 0.2 s over budget at 0.5 s/s: 0.4 s
    clock.now += 0.4                                # it paused: the budget refilled to zero
    assert budget.spend(0.0) == 0.0


def test_a_pipeline_of_heavy_searches_yields_to_a_new_clients_greeting():
    # A zero time slice: a turn after every command, however fast this machine runs SEARCH.
    with serving(time_slice=0.0) as live:
        heavy = imaplib.IMAP4("127.0.0.1", live.settings["imap"], timeout=120)
        heavy.login("teacher", "teacher")
        for _ in range(2):
            heavy.append("INBOX", None, None, big_message(1 << 20))
        heavy.select("INBOX")
        pipeline = b"".join(b"s%d SEARCH TEXT needle\r\n" % i for i in range(SEARCHES))
        with loop_paused(live):
            heavy.sock.sendall(pipeline)
            delivered(heavy.sock)
            newcomer = socket.create_connection(("127.0.0.1", live.settings["imap"]), 30)
        with newcomer:
            assert newcomer.makefile("rb").readline().startswith(b"* OK")
            last = f"s{SEARCHES - 1} OK".encode()
            while not (line := heavy.readline()).startswith(last):
                assert line, "the server closed the heavy client's connection"
            peer = f"127.0.0.1:{newcomer.getsockname()[1]}"
            steps = live.call(lambda: list(live.trace))
        greeting = next(s.index for s in steps if s.dst == peer and s.direction == "s2c")
        done = next(s.index for s in steps if s.raw.startswith(last))
        assert greeting < done        # the newcomer was greeted while the pipeline ran
