"""The Trace is the contract: it must survive JSON exactly and follow its schema."""
import json
from importlib import resources

import jsonschema
import pytest

from simulator.trace import Step, Trace, TraceFormatError


def sample_trace() -> Trace:
    trace = Trace(scenario="demo", seed=7, nodes=["pc", "mx"])
    trace.add(time=0.0, conn="c1", src="mx", dst="pc", protocol="SMTP", direction="s2c",
              raw=b"220 mx ESMTP\r\n", line="220 mx ESMTP", state_before="INIT",
              state_after="INIT", explain="smtp.reply.greeting", params={"host": "mx"})
    trace.add(time=0.01, conn="c1", src="pc", dst="mx", protocol="SMTP", direction="c2s",
              raw="MAIL FROM:<алиса@пример.test>\r\n".encode(), line="MAIL FROM:<алиса@пример.test>",
              state_before="READY", state_after="MAIL", explain="smtp.cmd.MAIL")
    trace.add(time=0.02, conn="c1", src="pc", dst="mx", protocol="SMTP", direction="c2s",
              raw=b"Subject: \xcf\xf0\xe8\xe2\xe5\xf2\r\n", line="Subject: ?",
              explain="smtp.data.content", meta={"lines": 1})
    trace.add(time=0.5, conn=None, src="mx", dst="dns", protocol="DNS", direction="internal",
              raw=b"", line="b.test. IN MX? → 10 mx.b.test.", explain="dns.query.MX")
    return trace


def test_json_round_trip_is_exact():
    trace = sample_trace()
    again = Trace.from_json(trace.to_json())
    assert again == trace
    assert again.to_json() == trace.to_json()


def test_non_utf8_bytes_survive_as_base64():
    step = sample_trace()[2]
    data = step.to_dict()
    assert "raw_b64" in data and "raw" not in data
    assert Step.from_dict(data).raw == b"Subject: \xcf\xf0\xe8\xe2\xe5\xf2\r\n"


def test_serialised_trace_follows_the_published_schema():
    schema = json.loads(resources.files("simulator").joinpath("trace_schema.json").read_text())
    jsonschema.validate(json.loads(sample_trace().to_json()), schema)


def test_steps_are_numbered_in_order_and_filterable():
    trace = sample_trace()
    assert [s.index for s in trace] == [0, 1, 2, 3]
    assert [s.index for s in trace.filter(protocol="DNS")] == [3]
    assert trace.connections() == ["c1"]
    assert len(trace.filter(node="pc")) == 3


@pytest.mark.parametrize("text, words", [
    ("{", "not valid JSON"),
    ("[]", "JSON object"),
    ('{"format": "other"}', "not a mailsim trace"),
    ('{"format": "mailsim-trace", "version": 99, "steps": []}', "version 99"),
])
def test_unreadable_traces_get_a_clear_message(text, words):
    with pytest.raises(TraceFormatError, match=words):
        Trace.from_json(text)


def test_unknown_direction_is_refused():
    with pytest.raises(ValueError, match="direction"):
        Step(index=0, time=0, conn=None, src="a", dst="b", protocol="X", direction="sideways",
             raw=b"", line="")


def test_recorded_steps_are_the_steps_the_constructor_makes():
    """Trace.add makes steps on a fast path (Step.made); they must be the same values,
    each with its own params and meta, frozen, and refused for the same mistakes."""
    trace = sample_trace()
    for step in trace:
        fields = {k: v for k, v in step.__dict__.items() if k != "index"}
        assert Step.made(step.index, fields) == Step(index=step.index, **fields)
    first, second = trace[1], trace[2]
    assert first.params == {} and first.params is not second.params
    with pytest.raises(AttributeError):
        first.line = "changed"
    base = {"time": 0, "conn": None, "src": "a", "dst": "b", "protocol": "X", "raw": b"",
            "line": ""}
    with pytest.raises(ValueError, match="direction"):
        Step.made(0, {**base, "direction": "sideways"})
    with pytest.raises(TypeError, match="colour"):
        Step.made(0, {**base, "direction": "c2s", "colour": "red"})
    with pytest.raises(TypeError, match="line"):
        Step.made(0, {k: v for k, v in base.items() if k != "line"} | {"direction": "c2s"})


def test_a_reply_is_linked_to_its_command_as_it_is_added():
    trace = sample_trace()
    reply = trace.add(time=0.03, conn="c1", src="mx", dst="pc", protocol="SMTP",
                      direction="s2c", raw=b"250 OK\r\n", line="250 OK",
                      params={"code": 250})
    assert reply.answers == 1 and trace.command_of(reply) is trace[1]
