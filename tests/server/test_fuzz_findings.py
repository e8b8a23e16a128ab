"""Defects the socket fuzzer (``make fuzz``) found, replayed over a real socket (issue 16)."""
import random
import smtplib
import socket

import pytest

from fuzz.grammar import Account, FTPGrammar, HTTPGrammar
from fuzz.wire_models import FTPModel, HTTPModel
from simulator.protocols.ftp.parser import parse_pasv

from .conftest import serving

ADDRESS = "teacher@example.test"


def _copies(live, message_id: bytes) -> int:
    def count():
        inbox = live.world.net.store.account(ADDRESS).inbox
        return sum(message_id in m.data for m in inbox.messages)
    return live.call(count)


def test_the_same_recipient_twice_in_one_transaction_gets_one_copy(live):
    """RCPT TO:<teacher@…> twice (once with the domain in capitals) used to deliver two copies."""
    data = b"Subject: once\r\nMessage-ID: <twice@fuzz.test>\r\n\r\nhello\r\n"
    with smtplib.SMTP("127.0.0.1", live.settings["smtp"], timeout=10) as client:
        refused = client.sendmail("fuzz@client.test",
                                  [ADDRESS, ADDRESS, "teacher@EXAMPLE.test"], data)
    assert refused == {}                 # every RCPT is still answered 250
    assert _copies(live, b"<twice@fuzz.test>") == 1      # delivered before the 250 came back


def test_control_characters_in_a_command_get_500_not_an_echo(live):
    """``HELO a\\rb`` used to come back inside the 250 greeting, a lone CR and all."""
    with socket.create_connection(("127.0.0.1", live.settings["smtp"]), timeout=10) as sock:
        reader = sock.makefile("rb")
        reader.readline()                                   # 220
        sock.sendall(b"HELO client.test\rsset\r\nHELO client.test\r\n")
        assert reader.readline().startswith(b"500 ")
        assert reader.readline().startswith(b"250 ")        # the session goes on


def test_the_fuzzers_sink_reader_finds_a_tracked_message_after_an_empty_data_line():
    """``make fuzz`` reported fz20261206-123 lost: the server had filed it.

    The walk sent an empty line in DATA before the tracked text, so the
    Message-ID line was body (RFC 5322 §2.1) and ``TOP n 0`` never showed it.
    """
    from fuzz.socket_fuzzer import SINK, read_sink
    from fuzz.wire_models import tracked_message

    sink = f"{SINK.user}@example.test"
    with serving(users=[(SINK.user, SINK.password)]) as live:
        with smtplib.SMTP("127.0.0.1", live.settings["smtp"], timeout=10) as client:
            client.ehlo("client.test")
            client.mail("fuzz@client.test")
            client.rcpt(sink)
            code, _ = client.data(b"\r\nbody first\r\n" + tracked_message("fz9-1", sink)[:-5])
            assert code == 250
            client.sendmail("fuzz@client.test", [sink], tracked_message("fz9-2", sink)[:-5])
        tokens = read_sink("127.0.0.1", live.settings["pop3"])
    assert tokens == {"fz9-1": 1, "fz9-2": 1}


def _ftp_passive(live):
    """A logged-in FTP control connection after PASV: (socket, its reader, the data port)."""
    sock = socket.create_connection(("127.0.0.1", live.settings["ftp"]), timeout=30)
    reader = sock.makefile("rb")
    reader.readline()                                       # 220
    sock.sendall(b"USER student\r\nPASS student\r\nPASV\r\n")
    assert reader.readline().startswith(b"331 ") and reader.readline().startswith(b"230 ")
    pasv = reader.readline()
    assert pasv.startswith(b"227 ")
    return sock, reader, pasv


@pytest.mark.parametrize("refused", [b"RETR\r\n", b"RETR a\tb\r\n"],
                         ids=["no-argument", "tab-in-name"])
def test_a_transfer_refused_for_its_syntax_leaves_pasvs_data_setup(refused):
    """``make fuzz`` on FTP: a 226 "nobody asked for" after PASV, ``RETR`` (501), ``LIST``.

    A 5 0 z reply is a syntax error: the command was not carried out (RFC 959
    §4.2.1), so the data setup of PASV still holds and the next LIST uses it —
    the server kept it for a missing argument but dropped it for a TAB in the
    name, and the fuzzer's model dropped it for both.  Both now keep it, and
    the fuzzer's model reads the exchange without a stray reply.
    """
    with serving() as live:
        sock, reader, pasv = _ftp_passive(live)
        with sock:
            model = FTPModel(FTPGrammar(Account("student", "student")), random.Random(0), 0.0)
            model.feed(b"220 hi\r\n")
            model.prepare(b"USER student\r\nPASS student\r\nPASV\r\n")
            model.feed(b"331 p\r\n230 in\r\n" + pasv)
            model.prepare(refused)
            sock.sendall(refused)
            answer = reader.readline()
            assert answer.startswith(b"501 ")
            assert model.feed(answer) == ["501", "no-150"]
            assert model.prepare(b"LIST\r\n")[1] == 2           # a transfer: 150, then 226
            _, port = parse_pasv(pasv.decode())
            with socket.create_connection(("127.0.0.1", port), timeout=30) as data:
                sock.sendall(b"LIST\r\n")
                opening = reader.readline()
                listing = data.makefile("rb").read()
            done = reader.readline()
    assert opening.startswith(b"150 ") and b"incoming" in listing and done.startswith(b"226 ")
    assert model.feed(opening + done) == ["150", "226"]


def _http_exchange(live, data: bytes) -> bytes:
    """Send ``data`` to the webmail (its last request closes) and read until the server closes."""
    with socket.create_connection(("127.0.0.1", live.settings["http"]), timeout=30) as sock:
        sock.sendall(data)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    return out


GET = b"GET /nothing HTTP/1.1\r\nHost: mail.example.test\r\n\r\n"
LAST = b"GET /nothing HTTP/1.1\r\nHost: mail.example.test\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize("before", [b"\r\n", b"\r\n\r\n", b"\n"], ids=["crlf", "two", "lf"])
def test_empty_lines_where_a_request_line_is_expected_are_ignored(live, before):
    """``make fuzz`` on HTTP: a stray ``400 no request line received`` after a request.

    RFC 9112 §2.2: a server expecting a request line SHOULD ignore at least one
    empty line before it (old clients send CRLF after a POST body).  h11 refused
    one; both requests are now answered, at the start of a connection too.
    """
    out = _http_exchange(live, before + GET + before + LAST)
    assert out.count(b"HTTP/1.1 ") == out.count(b"HTTP/1.1 303 See Other") == 2, out


def test_the_fuzzers_http_model_reads_a_lowercase_head_as_a_method_with_a_body(live):
    """``make fuzz`` on HTTP: "not an HTTP/1.1 status line" in the HTML of a 501.

    ``head`` is not HEAD (methods are case-sensitive, RFC 9110 §9.1): the server
    answers 501 with a body, which the model took for a HEAD's bodiless answer.
    """
    model = HTTPModel(HTTPGrammar(Account("student", "student")), random.Random(0), 0.0)
    request = b"head / HTTP/1.1\r\nHost: mail.example.test\r\n\r\n"
    assert model.prepare(request) == (request, 1)
    out = _http_exchange(live, request + LAST)
    assert out.startswith(b"HTTP/1.1 501 ")
    model.reader.expect(False)                  # the GET behind it
    assert model.feed(out) == ["5xx", "3xx"]


def test_the_fuzzers_http_model_reads_a_head_that_bytes_left_before_it_made_a_501(live):
    """``make fuzz`` on HTTP (seed 16021): a mutated POST said ``Content-Length: 44`` with an
    extra empty line, so the server read 44 octets of body from one line earlier and kept
    "lo"; the next ``HEAD`` arrived as ``loHEAD`` and got a 501 with a body, which the model
    read as a bodiless answer to HEAD ("not an HTTP/1.1 status line")."""
    model = HTTPModel(HTTPGrammar(Account("student", "student")), random.Random(0), 0.0)
    body = b"to=sink%40example.test&subject=fz&body=hello"
    mutated = (b"POST /send HTTP/1.1\r\nHost: mail.example.test\r\nContent-Type: "
               b"application/x-www-form-urlencoded\r\nContent-Length: 44\r\n\n\r\n" + body)
    head = b"HEAD /message/2 HTTP/1.1\r\nHost: mail.example.test\r\n\r\n"
    model.mutated = True                        # what draw() notes of a mutated request
    model.prepare(mutated)
    model.mutated = False
    model.prepare(head)
    model.prepare(LAST)
    out = _http_exchange(live, mutated + head + LAST)
    assert b"loHEAD is not a method" in out
    assert model.feed(out) == ["3xx", "5xx", "3xx"]
