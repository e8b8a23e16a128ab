"""TRANSACTION behaviour a user notices: sizes, stuffing, DELE/RSET, TOP, UIDL, bad input."""
import pytest
from engine_pump import pump
from pop3_kit import feed, new_server, say

from simulator.protocols.pop3 import MemoryMaildrops, POP3Client, POP3Config, POP3Server

DOTTY = (b"From: a@example.org\r\nSubject: dots\r\n\r\n"
         b"line one\r\n.\r\n..\r\n.hidden\r\n...three\r\nlast\r\n")


def _logged_in(backend=None, bytewise=False, **config):
    server = new_server(backend, **config)
    say(server, "USER mrose", bytewise)
    say(server, "PASS secret", bytewise)
    return server


def _dotty_backend():
    backend = MemoryMaildrops()
    backend.add_user("mrose", "secret")
    backend.add_message("mrose", DOTTY, uid="dots")
    backend.add_message("mrose", b"Subject: no blank line at all\r\n", uid="headonly")
    return backend


def test_dot_lines_are_stuffed_on_the_wire(bytewise):
    server = _logged_in(_dotty_backend(), bytewise)
    wire = say(server, "RETR 1", bytewise)
    assert b"\r\n..\r\n...\r\n..hidden\r\n....three\r\n" in wire
    assert wire.endswith(b"last\r\n.\r\n")


def test_message_with_dot_lines_round_trips_exactly_server_to_client():
    backend = _dotty_backend()
    server = POP3Server(POP3Config("dewey"), backend, session_id="s1")
    client = POP3Client("mrose", "secret", script=["STAT", "LIST", "RETR 1", "RETR 2", "QUIT"])
    server.initiate()
    pump(client, server)
    res = client.result
    assert res.messages[1] == DOTTY
    assert res.messages[2] == b"Subject: no blank line at all\r\n"
    assert res.stat == (2, len(DOTTY) + 31)
    assert res.listing == {n: len(data) for n, data in res.messages.items()}


def test_stat_and_list_sizes_equal_what_retr_delivers_after_unstuffing(backend):
    backend.add_message("mrose", DOTTY)
    server = POP3Server(POP3Config("dewey"), backend, session_id="s1")
    client = POP3Client("mrose", "secret", script=["STAT", "LIST", "RETR 1", "RETR 2",
                                                   "RETR 3", "QUIT"])
    server.initiate()
    pump(client, server)
    res = client.result
    assert res.stat == (3, sum(len(m) for m in res.messages.values()))
    assert res.listing == {n: len(m) for n, m in res.messages.items()}


def test_dele_marks_and_a_second_dele_is_refused(backend, bytewise):
    server = _logged_in(backend, bytewise)
    assert say(server, "DELE 1", bytewise) == b"+OK message 1 deleted\r\n"
    assert say(server, "DELE 1", bytewise) == b"-ERR message 1 already deleted\r\n"
    assert say(server, "RETR 1", bytewise) == b"-ERR message 1 already deleted\r\n"
    assert say(server, "STAT", bytewise) == b"+OK 1 200\r\n"
    assert say(server, "LIST", bytewise) == b"+OK 1 message (200 octets)\r\n2 200\r\n.\r\n"
    assert say(server, "LIST 2", bytewise) == b"+OK 2 200\r\n"      # numbers stay stable
    assert len(backend.messages("mrose")) == 2                      # only marked so far


def test_rset_unmarks_everything(backend):
    server = _logged_in(backend)
    say(server, "DELE 1")
    say(server, "DELE 2")
    assert say(server, "RSET") == b"+OK maildrop has 2 messages (320 octets)\r\n"
    assert say(server, "RETR 1").startswith(b"+OK 120 octets")
    say(server, "QUIT")
    assert len(backend.messages("mrose")) == 2


def test_quit_reports_the_messages_left(backend):
    server = _logged_in(backend)
    say(server, "DELE 1")
    assert say(server, "QUIT") == b"+OK dewey POP3 server signing off (1 message left)\r\n"
    assert [uid for uid, _ in backend.messages("mrose")] == ["QhdPYR:00WBw1Ph7x7"]


def test_top_sends_header_blank_line_and_n_body_lines():
    server = _logged_in(_dotty_backend())
    wire = say(server, "TOP 1 2")
    assert wire == (b"+OK top of message follows\r\nFrom: a@example.org\r\nSubject: dots\r\n"
                    b"\r\nline one\r\n..\r\n.\r\n")
    assert say(server, "TOP 1 0").endswith(b"Subject: dots\r\n\r\n.\r\n")
    assert say(server, "TOP 2 5") == (b"+OK top of message follows\r\n"
                                      b"Subject: no blank line at all\r\n.\r\n")


def test_uidl_lists_permanent_ids(backend):
    server = _logged_in(backend)
    assert say(server, "UIDL") == (b"+OK unique-id listing follows\r\n"
                                   b"1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n")
    assert say(server, "UIDL 2") == b"+OK 2 QhdPYR:00WBw1Ph7x7\r\n"


def test_capa_lists_extensions_and_stls_only_before_login():
    server = new_server(stls=True, implementation="mailsim-test")
    wire = say(server, "CAPA")
    for cap in (b"TOP", b"UIDL", b"USER", b"RESP-CODES", b"PIPELINING", b"STLS",
                b"IMPLEMENTATION mailsim-test"):
        assert cap + b"\r\n" in wire
    say(server, "USER mrose")
    say(server, "PASS secret")
    assert b"STLS" not in say(server, "CAPA")


@pytest.mark.parametrize("line,reply", [
    ("RETR x", b"-ERR no such message: 'x' is not a message number\r\n"),
    ("RETR 0", b"-ERR no such message, only 2 messages in maildrop\r\n"),
    ("RETR 999", b"-ERR no such message, only 2 messages in maildrop\r\n"),
    ("RETR -1", b"-ERR no such message: '-1' is not a message number\r\n"),
    ("RETR", b"-ERR RETR takes one argument: a message number\r\n"),
    ("TOP 1", b"-ERR TOP takes two arguments: a message number and a number of lines\r\n"),
    ("TOP 1 x", b"-ERR TOP: 'x' is not a number of lines\r\n"),
    ("DELE 3", b"-ERR no such message, only 2 messages in maildrop\r\n"),
    ("LIST 1 2", b"-ERR LIST takes at most one argument: a message number\r\n"),
    ("STAT 1", b"-ERR STAT takes no arguments\r\n"),
    ("FROB", b"-ERR unknown command 'FROB'\r\n"),
    ("", b"-ERR empty command line\r\n"),
])
def test_bad_input_gets_a_clear_err_and_the_session_goes_on(backend, bytewise, line, reply):
    server = _logged_in(backend, bytewise)
    assert say(server, line, bytewise) == reply
    assert server.state == "TRANSACTION"
    assert say(server, "STAT", bytewise) == b"+OK 2 320\r\n"


def test_commands_are_case_insensitive(backend):
    server = new_server(backend)
    say(server, "user mrose")
    assert say(server, "Pass secret").startswith(b"+OK")
    assert say(server, "stat") == b"+OK 2 320\r\n"


def test_line_over_255_octets_is_refused_and_the_session_goes_on(backend, bytewise):
    server = _logged_in(backend, bytewise)
    long_line = b"NOOP " + b"x" * 300 + b"\r\n"
    assert say(server, long_line, bytewise) == b"-ERR line too long (307 octets; at most 255 with CRLF)\r\n"
    assert say(server, "STAT", bytewise) == b"+OK 2 320\r\n"
    assert say(server, b"NOOP " + b"y" * 248 + b"\r\n") == b"-ERR NOOP takes no arguments\r\n"


def test_pipelined_commands_in_one_chunk_are_answered_in_order(backend):
    server = new_server(backend)
    wire = feed(server, b"USER mrose\r\nPASS secret\r\nSTAT\r\nNOOP\r\n", bytewise=False)
    assert wire == (b"+OK send PASS for mrose\r\n"
                    b"+OK mrose's maildrop has 2 messages (320 octets)\r\n"
                    b"+OK 2 320\r\n+OK\r\n")


def test_a_partial_line_waits_for_its_end(backend):
    server = _logged_in(backend)
    assert feed(server, b"ST", bytewise=False) == b""
    assert feed(server, b"AT\r\nNO", bytewise=False) == b"+OK 2 320\r\n"
    assert feed(server, b"OP\r\n", bytewise=False) == b"+OK\r\n"


def test_password_with_spaces_is_one_argument():
    backend = MemoryMaildrops()
    backend.add_user("u", "correct horse battery")
    server = new_server(backend)
    say(server, "USER u")
    assert say(server, "PASS correct horse battery").startswith(b"+OK")
