"""Random bytes never make the HTTP engines raise or hang (hypothesis)."""
from __future__ import annotations

from http_kit import get, server, statuses
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.protocols import RemoteProtocolError
from simulator.protocols.http import Browser, HTTPClient, Step

#: Pieces of real requests, so the fuzzer gets past the first line often.
PIECES = st.sampled_from([b"GET ", b"POST ", b"HEAD ", b"/ ", b"HTTP/1.1", b"HTTP/1.0", b"\r\n",
                          b"Host: a\r\n", b"Content-Length: 3\r\n", b"Transfer-Encoding: chunked\r\n",
                          b"0\r\n\r\n", b"5\r\nhello\r\n", b":", b" ", b"\n", b"\x00", b"\xff"])
NOISE = st.lists(st.one_of(PIECES, st.binary(max_size=20)), max_size=30).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(data=NOISE, cuts=st.lists(st.integers(min_value=0, max_value=600), max_size=6))
def test_the_server_never_raises_and_answers_only_with_http(data, cuts):
    engine = server()
    pieces, last = [], 0
    for cut in sorted(cuts) + [len(data)]:
        pieces.append(data[last:cut])
        last = max(last, cut)
    for piece in pieces:
        if piece:
            engine.receive_data(piece)
    engine.receive_data(b"")
    wire = engine.data_to_send()
    assert engine.closed
    assert wire == b"" or wire.startswith(b"HTTP/1.1 ")
    assert all(u.explain.startswith("http.") for u in engine.take_transcript())


@settings(max_examples=200, deadline=None)
@given(data=st.binary(min_size=1, max_size=200).filter(
    lambda b: not b[:1].isalpha() and b.strip(b"\r\n")))    # empty lines alone are skipped
def test_garbage_gets_a_400(data):
    engine = server()
    engine.receive_data(data + b"\r\n\r\n")
    assert statuses(engine.data_to_send()) == [400]
    assert engine.closed


@settings(max_examples=200, deadline=None)
@given(data=NOISE)
def test_the_client_raises_only_the_protocol_error(data):
    client = HTTPClient(Browser("www.b.test", [Step()]))
    try:
        client.receive_data(data)
        client.receive_data(b"")
    except RemoteProtocolError:
        pass
    assert client.closed


def test_a_valid_request_after_fuzzing_starts_clean():
    engine = server()
    engine.receive_data(get("/"))
    assert statuses(engine.data_to_send()) == [200]


def test_empty_lines_before_a_request_line_are_skipped_even_cut_between_reads():
    """RFC 9112 §2.2: at least one empty line before a request line is ignored; a CRLF
    cut between two reads is still one empty line, not an illegal request line."""
    engine = server()
    for piece in (get("/") + b"\r", b"\n\r\n", b"\n" + get("/")[:5], get("/")[5:]):
        engine.receive_data(piece)
    assert statuses(engine.data_to_send()) == [200, 200]
    assert not engine.closed
