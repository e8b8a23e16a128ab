"""The live trace's ring keeps a whole exchange as one entry, yet forgets exactly the steps
a step-by-step ring forgets: the same steps in memory, the same count dropped and the
same weight retained, whenever a notebook or the dashboard looks (issue 16, item 10).

The step-by-step ring is the same trace with a listener (``--trace FILE``): for it every
step is made and kept one at a time as it is added.
"""
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.protocols import Utterance
from simulator.server.live_trace import LiveTrace
from simulator.trace import Where

WHERE = Where("c1", "127.0.0.1:40000", "mail.example.test", "SMTP", {"port": 25, "live": True})

lines = st.lists(st.tuples(st.sampled_from(["c2s", "s2c", "internal"]),
                           st.integers(0, 300)), max_size=6)
reactions = st.lists(st.integers(0, 40), max_size=2)
#: an exchange (its lines' directions and sizes, its reactions' line lengths), a lone
#: internal step, or a look at the steps in memory
actions = st.one_of(st.tuples(st.just("exchange"), lines, reactions),
                    st.tuples(st.just("internal"), st.integers(0, 40)),
                    st.just(("read",)))


def record(trace: LiveTrace, action: tuple, number: int) -> None:
    if action[0] == "exchange":
        said = [Utterance(direction, b"%d " % number + b"x" * size + b"\r\n", "A", "B",
                          "smtp.cmd.NOOP", {"n": number}) for direction, size in action[1]]
        held = [internal(f"reaction {number}", length) for length in action[2]]
        if said or held:
            trace.add_exchange(said, held, float(number), WHERE)
    elif action[0] == "internal":
        trace.add_internal(internal(f"internal {number}", action[1]), float(number))


def internal(line: str, length: int) -> tuple:
    """An event inside the MTA, as the recorder reports it (see ``internal_fields``)."""
    return ("mail.example.test", "MTA", line + "." * length, "mta.queued",
            "mail.example.test", "c1", {}, {})


def in_memory(trace: LiveTrace) -> tuple:
    return ([s.to_dict() for s in trace.steps], len(trace), trace.dropped,
            trace.retained_bytes)


@settings(max_examples=300, deadline=None)
@given(st.lists(actions, max_size=60), st.integers(2, 12), st.integers(200, 3000),
       st.integers(100, 400))
def test_whole_exchanges_are_forgotten_as_a_step_by_step_ring_forgets_them(
        script, max_steps, max_bytes, raw_limit):
    lazy = LiveTrace(max_steps=max_steps, max_bytes=max_bytes, raw_limit=raw_limit,
                     raw_head=50)
    stepwise = LiveTrace(max_steps=max_steps, max_bytes=max_bytes, raw_limit=raw_limit,
                         raw_head=50)
    stepwise.listeners.append(lambda step: None)
    for number, action in enumerate(script):
        record(lazy, action, number)
        record(stepwise, action, number)
        if action[0] == "read":
            assert in_memory(lazy) == in_memory(stepwise)
        assert len(lazy) == len(stepwise) <= max_steps
    assert in_memory(lazy) == in_memory(stepwise)
