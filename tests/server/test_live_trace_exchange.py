"""What a served connection's exchange leaves in the live trace, and when the MDA runs.

The live trace keeps an exchange its own, cheaper way (one lock, flat records made
Steps only when read); a student must still see exactly the steps a plain trace shows:
the lines the client sent, then what the nodes did meanwhile, then the answers, with
their sources, destinations, texts and parameters (issue 16).
"""
import asyncio
from itertools import count

from simulator.network.recorder import Recorder
from simulator.protocols import Utterance
from simulator.server.clock import RealTimeScheduler
from simulator.server.live_trace import LiveTrace
from simulator.trace import Trace, Where

WHERE = Where("c7", "127.0.0.1:40000", "mail.example.test", "SMTP", {"port": 25, "live": True})


def exchanges(recorder: Recorder) -> None:
    """A command and its reply; a pipelined group whose content the MTA queues and the
    MDA delivers meanwhile; a large line; a line of the server's own (TLS done)."""
    def said(*lines):
        return lambda: [Utterance(*line) for line in lines]

    recorder.exchange(lambda: None, said(
        ("c2s", b"MAIL FROM:<a@outside.test>\r\n", "READY", "MAIL", "smtp.cmd.MAIL",
         {"verb": "MAIL"}),
        ("s2c", b"250 2.1.0 Sender OK\r\n", "MAIL", "MAIL", "smtp.reply.ok_mail",
         {"code": 250})), WHERE)

    def deliver() -> None:
        recorder.internal("mail.example.test", "MTA", "queued Q1", "mta.queued",
                          params={"queue_id": "Q1"}, queue_id="Q1")
        recorder.internal("mail.example.test", "MDA", "deliver Q1", "mda.deliver",
                          params={"queue_id": "Q1"}, queue_id="Q1")
    recorder.exchange(deliver, said(
        ("c2s", b"x" * 5000 + b"\r\n.\r\n", "DATA", "READY", "smtp.data.content",
         {"lines": 1}),
        ("s2c", b"250 2.0.0 Ok: queued as Q1\r\n", "READY", "READY", "mta.reply.queued",
         {"code": 250}),
        ("c2s", b"MAIL FROM:<b@outside.test>\r\n", "READY", "MAIL", "smtp.cmd.MAIL", {}),
        ("s2c", b"250 2.1.0 Sender OK\r\n", "MAIL", "MAIL", "smtp.reply.ok_mail", {}),
        ("internal", b"", "TLS", "INIT", "smtp.tls.established", {}),
        ("s2c", b"221 2.0.0 Bye\r\n", "INIT", "CLOSED", "smtp.reply.closing", {})), WHERE)


def recorded(trace: Trace) -> list[dict]:
    exchanges(Recorder(trace, lambda: 1.25))
    return [{k: v for k, v in step.to_dict().items() if k not in ("index", "answers")}
            for step in trace.steps]


def test_the_live_trace_keeps_an_exchange_exactly_as_a_plain_trace_does():
    plain = recorded(Trace())
    assert [s["direction"] for s in plain] == ["c2s", "s2c", "c2s", "c2s", "internal",
                                               "internal", "s2c", "s2c", "internal", "s2c"]
    assert [s["line"] for s in plain][4:6] == ["queued Q1", "deliver Q1"]
    assert plain[8]["src"] == plain[8]["dst"] == "mail.example.test"
    assert plain[9]["dst"] == "127.0.0.1:40000"
    # kept as flat records, a large line cut to its head (raw_limit), or made Steps at
    # once for a listener (``--trace FILE``): the same steps every way
    live = LiveTrace(raw_limit=1 << 20)
    assert recorded(live) == plain
    cut = LiveTrace(raw_limit=1024, raw_head=64)
    steps = recorded(cut)
    assert steps[2]["line"].endswith(" …") and steps[2]["meta"]["raw_size"] == 5005
    assert [s for i, s in enumerate(steps) if i != 2] == \
        [s for i, s in enumerate(plain) if i != 2]
    heard = []
    listened = LiveTrace(raw_limit=1 << 20)
    listened.listeners.append(heard.append)
    assert recorded(listened) == plain and len(heard) == len(plain)


def test_what_the_nodes_did_during_an_exchange_bears_its_time():
    """One clock reading per exchange: the MTA's queueing and the MDA's delivery, done
    while the final dot was read, show the time of that dot and of its 250."""
    clock = count(10)
    trace = LiveTrace()
    exchanges(Recorder(trace, lambda: float(next(clock))))
    times = [step.time for step in trace.steps]
    assert times == [10.0, 10.0] + [11.0] * 8


def test_callbacks_due_now_all_run_at_the_loops_next_turn_in_order():
    async def run() -> list[str]:
        scheduler = RealTimeScheduler(asyncio.get_running_loop())
        ran: list[str] = []
        scheduler.after(0, ran.append, "first")
        scheduler.after(0, ran.append, "second")
        await asyncio.sleep(0)
        scheduler.after(0, ran.append, "third")       # after the settle: a new one
        await asyncio.sleep(0)
        return ran
    assert asyncio.run(run()) == ["first", "second", "third"]


def test_only_a_line_over_raw_limit_is_cut_not_lines_over_it_together():
    """The live trace looks for a large line only when an exchange's lines together pass
    ``raw_limit``; then only a line that alone passes it keeps just its head."""
    def said(*sizes):
        return [Utterance(direction, b"x" * size + b"\r\n", "A", "B", "smtp.cmd.NOOP", {})
                for direction, size in zip(("c2s", "s2c"), sizes)]
    trace = LiveTrace(raw_limit=100, raw_head=10)
    trace.add_exchange(said(60, 60), (), 1.0, WHERE)        # 124 octets together
    trace.add_exchange(said(40, 120), (), 2.0, WHERE)       # the reply alone passes it
    steps = trace.steps
    assert [len(step.raw) for step in steps] == [62, 62, 42, 10]
    assert ["raw_size" in step.meta for step in steps] == [False, False, False, True]
    assert steps[3].meta["raw_size"] == 122


class _Recording:
    """A trace that only notes what the recorder hands it."""

    def __init__(self) -> None:
        self.exchanges: list[tuple] = []
        self.internal: list[tuple] = []

    def add_exchange(self, lines, reactions, time, where) -> None:
        self.exchanges.append((lines, reactions, time, where))

    def add_internal(self, event, time) -> None:
        self.internal.append((event, time))


def test_an_exchange_keeps_the_engines_list_and_only_its_own_events():
    """The transcript's list is kept as it is (an engine hands over a fresh one); an
    exchange without events passes the empty tuple; a nested exchange's events are its
    own, and an event outside any exchange is recorded at once."""
    trace = _Recording()
    recorder = Recorder(trace, lambda: 2.5)
    outer_said = [Utterance("s2c", b"250 Ok\r\n", "READY", "READY", "smtp.reply.ok", {})]
    inner_said = [Utterance("s2c", b"* OK\r\n", "INIT", "INIT", "imap.greeting", {})]

    def outer() -> None:
        recorder.internal("mx", "MTA", "queued Q1", "mta.queued")
        recorder.exchange(lambda: None, lambda: inner_said, WHERE)
        recorder.internal("mx", "MDA", "deliver Q1", "mda.deliver")
    recorder.exchange(outer, lambda: outer_said, WHERE)
    recorder.exchange(lambda: None, lambda: outer_said[:], WHERE)
    recorder.internal("mx", "DNS", "lookup", "dns.lookup")

    (inner_lines, inner_events, _, _), (lines, events, _, _), (_, none, _, _) = trace.exchanges
    assert inner_lines is inner_said and inner_events == ()
    assert lines is outer_said and [e[2] for e in events] == ["queued Q1", "deliver Q1"]
    assert none == ()
    assert [(event[2], time) for event, time in trace.internal] == [("lookup", 2.5)]


class _Loop:
    def __init__(self) -> None:
        self.now = 100.0

    def time(self) -> float:
        return self.now


def test_trace_time_gives_the_same_stamp_while_the_loop_time_stands_still():
    loop = _Loop()
    scheduler = RealTimeScheduler(loop)
    for now in (100.0, 100.0012345, 100.0012345, 100.5, 101.25, 101.25):
        loop.now = now
        assert scheduler.trace_time() == round((now - 100.0) * 1e6) / 1e6
    first = scheduler.trace_time()
    assert scheduler.trace_time() is first      # one float for the steps of one moment
