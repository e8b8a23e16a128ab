"""The HTTP built-ins show what the course text gets wrong about HTTP/1.1 (E21)."""
from __future__ import annotations

from importlib import resources

import pytest

from simulator.network import simulate
from simulator.scenarios import ScenarioError, load, load_text


def _steps(name: str):
    return list(simulate(load(name)).trace)


def test_http_basic_shows_each_status_and_the_request_without_host():
    trace = _steps("http-basic")
    statuses = [s.params["status"] for s in trace if s.direction == "s2c"]
    assert statuses == [200, 200, 404, 301, 200, 200, 304, 405, 501, 400]
    bad = next(s for s in trace if s.explain == "http.request.bad")
    assert bad.line == "GET / HTTP/1.1" and "http.note.no_host" in bad.params["notes"]
    assert trace[0].explain == "http.browser.resolve" and trace[0].dst == "dns"  # name first
    assert b"Content-Type: image/svg+xml" in next(
        s.raw for s in trace if s.direction == "s2c" and s.params["type"] == "image/svg+xml")


def test_http_keepalive_counts_four_connections_then_one_then_one():
    trace = _steps("http-keepalive")
    done = [s.params for s in trace if s.explain == "http.browser.done"]
    assert [(d["requests"], d["connections"]) for d in done] == [(4, 4), (4, 1), (4, 1)]
    pipelined = [s for s in trace if "http.note.pipelined" in s.params.get("notes", ())]
    assert len(pipelined) == 3 and {s.time for s in pipelined} == {pipelined[0].time}
    # the persistent connection is faster than four of their own, and pipelining faster still
    ends = [s.time for s in trace if s.explain == "http.browser.done"]
    starts = [s.time for s in trace if s.explain.startswith("http.browser.start")]
    took = [end - start for start, end in zip(starts, ends)]
    assert took[0] > took[1] > took[2]


def test_http_post_form_encodes_the_fields_and_refuses_a_huge_body_from_its_head():
    trace = _steps("http-post-form")
    posts = [s for s in trace if s.explain == "http.request.POST"]
    assert posts[0].raw.endswith(b"name=%D0%90%D0%BD%D0%BD%D0%B0&text=%D0%A1%D0%BF%D0%B0"
                                 b"%D1%81%D0%B8%D0%B1%D0%BE+%26+%D0%B4%D0%BE+%D0%B2%D1%81"
                                 b"%D1%82%D1%80%D0%B5%D1%87%D0%B8%21")
    assert b"Transfer-Encoding: chunked" in posts[1].raw
    answer = next(s for s in trace if s.direction == "s2c" and s.params["status"] == 200
                  and "Анна" in s.line)
    assert "Спасибо &amp; до встречи!" in answer.line
    assert trace[-3].params["status"] == 413 and trace[-3].state_after == "CLOSED"


BROKEN = """
name: web
hosts:
  - {name: pc.b.test, roles: [browser]}
  - {name: www.b.test, roles: [http], pages: {"/": hi}}
visits:
  - {client: pc.b.test, server: www.b.test, requests: [%s]}
"""


@pytest.mark.parametrize("requests", ['"GET index.html"', "[]", '{raw: "x", method: GET}'])
def test_a_bad_request_item_names_its_line(requests):
    with pytest.raises(ScenarioError) as err:
        load_text(BROKEN % requests, "web.yaml", lang="en")
    assert str(err.value).startswith("web.yaml, line 7: each item of 'requests' must be a "
                                     "request line such as \"GET /index.html\"")


def test_a_visit_needs_a_browser_and_a_web_server():
    text = BROKEN.replace("roles: [browser]", "roles: [mua]") % '"GET /"'
    with pytest.raises(ScenarioError, match="browser"):
        load_text(text, "web.yaml", lang="en")


def test_webmail_is_a_mail_client_on_the_server():
    """Browser → HTTP → webmail → IMAP/SMTP: the message sent from the browser arrives."""
    result = simulate(load("webmail"))
    trace = list(result.trace)
    protocols = {(s.src, s.dst, s.protocol) for s in trace if s.direction == "c2s"}
    assert ("laptop.b.test", "webmail.b.test", "HTTP") in protocols
    assert ("webmail.b.test", "mail.b.test", "IMAP") in protocols
    assert ("webmail.b.test", "mail.b.test", "SMTP") in protocols
    assert not any(s.src == "laptop.b.test" and s.protocol in ("IMAP", "SMTP") for s in trace)
    http = [(s.params["method"], s.params["target"], s.params["status"])
            for s in trace if s.direction == "s2c" and s.protocol == "HTTP"]
    assert http == [("GET", "/", 200), ("POST", "/login", 303), ("GET", "/inbox", 200),
                    ("GET", "/message/1", 200), ("POST", "/send", 303),
                    ("GET", "/inbox?sent=1", 200), ("POST", "/logout", 303), ("GET", "/", 200)]
    login = next(s for s in trace if s.params.get("target") == "/login" and s.direction == "s2c")
    assert "HttpOnly" in login.line and "bob-pw" not in login.line
    inbox = next(s for s in trace if s.params.get("target") == "/inbox" and s.direction == "s2c")
    assert "Lunch on Friday?" in inbox.line
    (reply,) = result.store.find("alice@b.test").folders["INBOX"].messages
    assert b"Subject: Re: Lunch on Friday?" in reply.data and b"by mail.b.test" in reply.data
    (copy,) = result.store.find("bob@b.test").folders["Sent"].messages
    assert copy.data.startswith(b"From: Bob <bob@b.test>") and "\\Seen" in copy.flags
    # reading it over IMAP set \Seen; the list before it did not (BODY.PEEK)
    assert "\\Seen" in result.store.find("bob@b.test").folders["INBOX"].messages[0].flags


def test_webmail_escapes_what_a_message_says_and_refuses_a_wrong_password():
    from simulator.network.webmail_pages import header_row, inbox_page
    row = header_row(1, b"From: <x@y>\r\nSubject: <script>alert(1)</script>\r\n\r\n", 10,
                     frozenset())
    page = inbox_page("bob@b.test", [row]).body
    assert b"<script>" not in page and b"&lt;script&gt;" in page
    text = resources.files("simulator.scenarios").joinpath("webmail.yaml").read_text("utf-8")
    text = text.replace("password: bob-pw}", "password: nope}")
    trace = list(simulate(load_text(text, "webmail.yaml")).trace)
    login = next(s for s in trace if s.params.get("target") == "/login" and s.direction == "s2c")
    assert login.params["status"] == 200 and "Wrong e-mail address or password" in login.line
    assert not any(s.protocol == "SMTP" and s.src == "webmail.b.test" for s in trace)


def test_webmail_shows_a_cyrillic_sender_split_over_two_encoded_words_as_one_name():
    from simulator.network.webmail_pages import header_row, message_page
    header = (b"From: =?koi8-r?B?7sHUwczY0Q==?= =?koi8-r?B?IPDF1NLP18E=?= <natasha@a.test>\r\n"
              b"Subject: hi\r\n\r\n")
    assert header_row(1, header, 10, frozenset()).sender == "Наталья Петрова <natasha@a.test>"
    page = message_page("bob@b.test", 1, header + b"body\r\n").body.decode()
    assert "Наталья Петрова &lt;natasha@a.test&gt;" in page


def test_trace_questions_know_http_methods_and_status_codes():
    trace = simulate(load("http-basic")).trace
    refused = trace.exchanges(code="4xx")
    assert [(e.name, e.code) for e in refused] == [("GET", 404), ("DELETE", 405), (None, 400)]
    assert trace.find(command="HEAD").code == 200
