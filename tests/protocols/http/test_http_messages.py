"""HTTP/1.1 message behaviour a user of the simulator sees (RFC 9110, RFC 9112)."""
from __future__ import annotations

from email.utils import format_datetime

import pytest
from engine_pump import pump
from http_kit import INDEX, MODIFIED, feed, get, post, server, statuses

from simulator.protocols.http import Browser, HTTPClient, Page, Response, Step


def _responses(data: bytes, bytewise: bool = False, **kwargs) -> tuple[bytes, list]:
    engine = server(**kwargs)
    feed(engine, data, bytewise)
    return engine.data_to_send(), engine.take_transcript()


def test_host_is_mandatory_in_http_1_1_but_not_in_1_0(bytewise):
    wire, transcript = _responses(b"GET / HTTP/1.1\r\n\r\n", bytewise)
    assert wire.startswith(b"HTTP/1.1 400 Bad Request\r\n") and b"Host" in wire
    assert "http.note.no_host" in transcript[0].params["notes"]
    wire, transcript = _responses(b"GET / HTTP/1.0\r\n\r\n", bytewise)
    assert wire.startswith(b"HTTP/1.1 200 OK\r\n") and wire.endswith(INDEX)
    assert transcript[-1].state_after == "CLOSED"      # HTTP/1.0: one request per connection


def test_content_type_is_a_mime_type_and_the_length_is_exact():
    wire, transcript = _responses(get("/logo.svg"))
    assert b"\r\nContent-Type: image/svg+xml\r\n" in wire
    assert b"\r\nContent-Length: 6\r\n\r\n<svg/>" in wire
    assert transcript[-1].params["type"] == "image/svg+xml"


def test_head_has_the_fields_of_get_and_no_body():
    head, _ = _responses(get("/", method="HEAD"))
    full, _ = _responses(get("/"))
    assert head == full[:-len(INDEX)]
    assert f"Content-Length: {len(INDEX)}".encode() in head


@pytest.mark.parametrize("fields, status", [
    (("If-None-Match: {etag}",), 304),
    (('If-None-Match: "other"',), 200),
    (("If-None-Match: W/{etag}",), 304),                                   # weak comparison
    (("If-None-Match: *",), 304),
    (("If-Modified-Since: {modified}",), 304),
    (("If-Modified-Since: Sun, 30 Aug 2026 00:00:00 GMT",), 200),           # older copy
    (("If-Modified-Since: not a date",), 200),                              # ignored
    (('If-None-Match: "other"', "If-Modified-Since: {modified}"), 200),     # INM wins
])
def test_conditional_get(fields, status):
    etag = Page(INDEX).etag()
    modified = format_datetime(MODIFIED, usegmt=True)
    wire, transcript = _responses(get("/", *(f.format(etag=etag, modified=modified)
                                             for f in fields)))
    assert statuses(wire) == [status]
    assert "http.note.conditional" in transcript[0].params["notes"]
    if status == 304:
        assert wire.endswith(b"\r\n\r\n") and INDEX not in wire


def test_a_moved_page_says_where():
    wire, transcript = _responses(get("/old"))
    assert wire.startswith(b"HTTP/1.1 301 Moved Permanently\r\nLocation: /\r\n")
    assert transcript[-1].params["location"] == "/"


def test_a_405_names_what_is_allowed():
    wire, _ = _responses(get("/", method="PUT"))
    assert b"\r\nAllow: GET, HEAD, POST\r\n" in wire


def test_a_chunked_request_body_is_read_to_the_zero_chunk(bytewise):
    body = b"5\r\nname=\r\n3\r\nBob\r\n0\r\n\r\n"
    data = get("/form", "Content-Type: application/x-www-form-urlencoded",
               "Transfer-Encoding: chunked", method="POST") + body
    wire, transcript = _responses(data, bytewise)
    assert b"<li>name = Bob</li>" in wire
    assert "http.note.chunked_request" in transcript[0].params["notes"]


def test_form_output_is_escaped():
    wire, _ = _responses(post("/form", b"name=%3Cscript%3E"))
    assert b"<script>" not in wire and b"&lt;script&gt;" in wire


def test_pipelined_requests_are_answered_in_order(bytewise):
    data = get("/missing") + get("/") + get("/old") + get("/", method="HEAD")
    wire, transcript = _responses(data, bytewise)
    assert statuses(wire) == [404, 200, 301, 200]
    notes = [u.params["notes"] for u in transcript if u.direction == "c2s"]
    if not bytewise:
        assert all("http.note.pipelined" in n for n in notes[1:])


def test_a_body_over_the_limit_gets_413_and_a_close():
    wire, transcript = _responses(post("/form", b"x" * 100), max_body=10)
    assert statuses(wire) == [413]
    assert [u.explain for u in transcript] == ["http.request.too_large", "http.response.413"]
    assert transcript[-1].state_after == "CLOSED"


def test_a_chunked_response_reaches_the_browser_whole(bytewise):
    browser = Browser("www.b.test", [Step("GET", "/long")])
    client, engine = HTTPClient(browser), server()
    pump(client, engine, bytewise=bytewise)
    (exchange,) = browser.history
    assert exchange.response.body == b"0123456789" * 60
    assert exchange.response.header("Transfer-Encoding") == "chunked"


def test_keep_alive_uses_one_connection_and_close_one_per_request():
    steps = [Step("GET", "/"), Step("GET", "/logo.svg"), Step("GET", "/missing")]
    for keep, count in ((True, 1), (False, 3)):
        browser = Browser("www.b.test", steps, keep_alive=keep)
        while not browser.done:
            pump(HTTPClient(browser), server())
        assert browser.connections == count
        assert [e.response.status for e in browser.history] == [200, 200, 404]


def test_the_browser_revalidates_its_cached_copy_and_follows_redirects():
    browser = Browser("www.b.test", [Step("GET", "/"), Step("GET", "/old")])
    pump(HTTPClient(browser), server())
    assert [(e.step.target, e.response.status) for e in browser.history] == \
        [("/", 200), ("/old", 301), ("/", 304)]


def test_requests_left_unanswered_when_the_server_closes_are_asked_again():
    """A 400 closes the connection; the pipelined requests behind it go on a new one."""
    raw = Step("GET", "/", raw=b"GET / HTTP/1.1\r\n\r\n")
    browser = Browser("www.b.test", [raw, Step("GET", "/"), Step("GET", "/logo.svg")],
                      pipeline=True)
    while not browser.done:
        pump(HTTPClient(browser), server())
    assert [e.response.status for e in browser.history] == [400, 200, 200]
    assert browser.connections == 2


def test_cookies_are_kept_sent_and_deleted():
    class CookieSite:
        def respond(self, request):
            if request.path == "/login":
                return Response(303, (("Location", "/"), ("Set-Cookie", "sid=abc; HttpOnly")))
            if request.path == "/logout":
                return Response(303, (("Location", "/"), ("Set-Cookie", "sid=; Max-Age=0")))
            return Response(200, (("Content-Type", "text/plain"),),
                            repr(request.cookies()).encode())
    browser = Browser("www.b.test", [Step("POST", "/login", form=(("u", "x"),)),
                                     Step("GET", "/logout")])
    pump(HTTPClient(browser), server(app=CookieSite()))
    bodies = [e.response.body for e in browser.history if e.response.status == 200]
    assert bodies == [b"{'sid': 'abc'}", b"{}"]
    assert browser.history[1].request.method == "GET"       # 303 turns POST into GET


def test_the_client_refuses_bytes_that_are_no_response():
    client = HTTPClient(Browser("www.b.test", [Step()]))
    with pytest.raises(Exception) as err:
        client.receive_data(b"SSH-2.0-OpenSSH\r\n\r\n")
    assert "not an HTTP response" in str(err.value) and client.closed

