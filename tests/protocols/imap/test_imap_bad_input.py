"""Bad input: each gets the right BAD / NO / BYE, and every session stays consistent."""
from __future__ import annotations

from imap_kit import World, feed, lines, say

from simulator.protocols.imap import LOGOUT, SELECTED, ConnectionClosed


def selected(**config):
    world = World(messages=3, **config)
    return world, world.session(select="INBOX")


def still_works(server) -> None:
    assert "Z9 OK" in say(server, "Z9 NOOP")


def test_unbalanced_parentheses(bytewise):
    _, server = selected()
    out = lines(feed(server, b"A1 FETCH 1 (FLAGS UID\r\n", bytewise).decode())
    assert out == ["A1 BAD Syntax error: unbalanced parentheses or brackets (column 21)"]
    still_works(server)


def test_literal_longer_than_announced(bytewise):
    _, server = selected()
    out = feed(server, b"A1 LOGIN {3+}\r\nbobby secret\r\n", bytewise).decode()
    assert out.startswith("A1 BAD")
    assert server.state == SELECTED
    still_works(server)


def test_synchronising_literal_over_the_limit_is_refused_before_it_is_sent(bytewise):
    _, server = selected(max_literal=1000)
    out = lines(feed(server, b"A1 APPEND INBOX {5000}\r\n", bytewise).decode())
    assert out == ["A1 NO [TOOBIG] Literal of 5000 octets is over the limit of 1000"]
    still_works(server)


def test_non_synchronising_literal_over_the_limit_ends_the_session():
    _, server = selected(max_literal=1000)
    events = server.receive_data(b"A1 APPEND INBOX {5000+}\r\n")
    assert server.data_to_send().startswith(b"* BYE [TOOBIG]")
    assert server.state == LOGOUT and ConnectionClosed("literal-too-big") in events


def test_synchronising_literal_gets_a_continuation(bytewise):
    _, server = selected()
    out = feed(server, b"A1 APPEND INBOX {14}\r\n", bytewise)
    assert out == b"+ Ready for literal data\r\n"
    out = feed(server, b"Subject: x\r\n\r\n\r\n", bytewise).decode()
    assert "A1 OK [APPENDUID" in out and "* 4 EXISTS" in out


def test_tag_with_illegal_characters():
    _, server = selected()
    out = lines(say(server, "A*1 NOOP"))
    assert out[0].startswith("* BAD Invalid tag 'A*1'")
    still_works(server)


def test_hundred_kilobyte_line_gets_bye_and_the_others_carry_on():
    world, server = selected()
    other = world.session(select="INBOX")
    server.receive_data(b"A1 SEARCH " + b"X" * 100_000 + b"\r\n")
    assert server.data_to_send().startswith(b"* BYE [TOOBIG] command line too long")
    assert server.closed
    assert world.hub.sessions("bob@example.org/INBOX") == [other]
    assert "* SEARCH 1 2 3" in say(other, "B1 SEARCH ALL")


def test_unknown_command_and_wrong_state():
    world = World()
    server = world.session()
    assert lines(say(server, "A1 XYZZY")) == ["A1 BAD Unknown command XYZZY"]
    assert lines(say(server, "A2 FETCH 1 FLAGS")) == [
        "A2 BAD FETCH is not allowed in the NOT_AUTHENTICATED state"]


def test_message_number_beyond_the_mailbox_is_bad():
    _, server = selected()
    assert "A1 BAD" in say(server, "A1 FETCH 9 FLAGS")
    assert "A2 OK" in say(server, "A2 UID FETCH 9 FLAGS")     # UIDs that do not exist: ignored


def test_searchres_dollar_before_any_save_is_empty_and_inside_a_set_is_bad():
    _, server = selected()
    assert say(server, "A1 FETCH $ FLAGS") == "A1 OK FETCH completed\r\n"   # RFC 5182 §2.1
    assert "A2 BAD" in say(server, "A2 FETCH 1,$ FLAGS")


def test_bad_fetch_store_search_items():
    _, server = selected()
    assert "A1 BAD" in say(server, "A1 FETCH 1 (FLAGS BOGUS)")
    assert "A2 BAD" in say(server, "A2 STORE 1 XFLAGS \\Seen")
    assert "A3 BAD" in say(server, "A3 SEARCH FROB")
    assert "A4 BAD" in say(server, "A4 SEARCH OR SEEN")
    still_works(server)


def test_too_many_errors_end_the_session():
    world = World(max_errors=3)
    server = world.session()
    out = say(server, "A1 X\r\nA2 X\r\nA3 X")
    assert out.endswith("* BYE too many protocol errors, closing the connection\r\n")
    assert server.closed


def test_dropped_connection_releases_the_mailbox():
    world, server = selected()
    assert ConnectionClosed("peer-closed") in server.receive_data(b"")
    assert world.hub.sessions("bob@example.org/INBOX") == []


def test_imap_package_loads_no_io_modules():
    import subprocess
    import sys
    code = ("import sys, simulator.protocols.imap; "
            "print(','.join(m for m in ('asyncio', 'socket', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
