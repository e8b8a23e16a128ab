"""Every state × request kind of the HTTP server, fed whole and byte by byte (RFC 9112)."""
from __future__ import annotations

import pytest
from http_kit import INDEX, LateSite, feed, get, post, server, statuses

from simulator.protocols import ConnectionClosed, LocalProtocolError
from simulator.protocols.http import Response, states
from simulator.protocols.http.events import RequestReceived, ResponseSent

#: request kind -> (bytes of one such request, the status it gets, whether the connection stays)
KINDS = {
    "GET": (get("/"), 200, True),
    "HEAD": (get("/", method="HEAD"), 200, True),
    "POST": (post("/form", b"name=Bob"), 200, True),
    "OTHER": (get("/", method="DELETE"), 405, True),
    "OTHER-unknown": (get("/", method="LIST"), 501, True),
    "BAD": (b"GET / HTTP/1.1\r\n\r\n", 400, False),          # no Host (RFC 9112 §3.2)
    "BAD-garbage": (b"\x16\x03\x01 hello\r\n\r\n", 400, False),
}


def _explained(engine) -> list[tuple[str, str, str, str]]:
    return [(u.direction, u.state_before, u.state_after, u.explain)
            for u in engine.take_transcript()]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_request_of_each_kind_in_idle(kind, bytewise):
    data, status, keep = KINDS[kind]
    engine = server()
    feed(engine, data, bytewise)
    wire = engine.data_to_send()
    assert statuses(wire) == [status]
    assert engine.state == (states.IDLE if keep else states.CLOSED)
    table_kind = kind.split("-")[0]
    assert states.transition(states.IDLE, table_kind) is not None
    request, response = _explained(engine)
    assert request[:2] == ("c2s", "IDLE") and request[3].startswith("http.request.")
    assert response == ("s2c", "IDLE", "IDLE" if keep else "CLOSED", f"http.response.{status}")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_request_of_each_kind_on_a_reused_connection(kind, bytewise):
    """IDLE again after a first request: the same kinds, and the note that says so."""
    data, status, _ = KINDS[kind]
    engine = server()
    feed(engine, get("/"), bytewise)
    engine.data_to_send()
    engine.take_transcript()
    feed(engine, data, bytewise)
    assert statuses(engine.data_to_send()) == [status]
    request = engine.take_transcript()[0]
    if kind.startswith("BAD"):
        assert request.explain == "http.request.bad"
    else:
        assert "http.note.reused" in request.params["notes"]
        assert request.params["count"] == 2


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_request_of_each_kind_behind_a_body_in_progress(kind, bytewise):
    """In BODY the next bytes are body until Content-Length is reached; the request
    that follows is answered after the POST, in order (RFC 9112 §6.3, §9.3.2)."""
    data, status, _ = KINDS[kind]
    engine = server()
    whole = post("/form", b"name=Bob")
    feed(engine, whole[:-3], bytewise)
    assert engine.state == states.BODY
    feed(engine, whole[-3:] + data, bytewise)
    assert statuses(engine.data_to_send()) == [200, status]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_request_of_each_kind_while_the_site_is_busy(kind, bytewise):
    """WAITING: a pipelined request waits in the buffer until the first is answered."""
    data, status, _ = KINDS[kind]
    late = LateSite()
    engine = server(app=late)
    feed(engine, get("/inbox"), bytewise)
    assert engine.state == states.WAITING and engine.data_to_send() == b""
    feed(engine, data, bytewise)
    assert engine.data_to_send() == b""           # nothing overtakes the first answer
    events = engine.answer(Response(200, (("Content-Type", "text/plain"),), b"inbox"))
    assert isinstance(events[0], ResponseSent)
    wire = engine.data_to_send()
    if kind in ("GET", "HEAD", "POST"):            # the late site is asked again: WAITING
        assert statuses(wire) == [200] and engine.state == states.WAITING
        assert len(late.asked) == 2
    else:                                          # the engine answers these itself
        assert statuses(wire) == [200, status]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_nothing_is_read_after_the_connection_closed(kind, bytewise):
    data, _, _ = KINDS[kind]
    engine = server()
    feed(engine, get("/", "Connection: close"), bytewise)
    assert engine.state == states.CLOSED
    engine.data_to_send()
    assert feed(engine, data, bytewise) == [] and engine.data_to_send() == b""


def test_answer_without_a_waiting_request_is_the_drivers_mistake():
    with pytest.raises(LocalProtocolError):
        server().answer(Response(200))


def test_the_table_allows_every_kind_in_idle_and_nothing_elsewhere():
    assert set(states.allowed(states.IDLE)) == set(states.KINDS)
    assert all(states.allowed(s) == () for s in (states.BODY, states.WAITING, states.CLOSED))


def test_a_request_cut_short_is_thrown_away_and_said(bytewise):
    engine = server()
    feed(engine, post("/form", b"name=Bob")[:-4], bytewise)
    events = engine.receive_data(b"")
    assert engine.closed and ConnectionClosed("peer-closed") in events
    assert engine.data_to_send() == b""
    said = engine.take_transcript()[-1]
    assert said.explain == "http.request.bad" and "closed the connection" in said.params["error"]


def test_each_whole_request_is_one_event_with_its_body(bytewise):
    engine = server()
    events = feed(engine, post("/form", b"name=%D0%90&x=1"), bytewise)
    (received,) = [e for e in events if isinstance(e, RequestReceived)]
    assert received.request.form() == {"name": "А", "x": "1"}
    assert INDEX not in engine.data_to_send()
