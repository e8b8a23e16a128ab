"""IMAP4rev2 by default (RFC 9051 §6.3.1, appendix E) and MULTIAPPEND (RFC 3502)."""
from __future__ import annotations

from imap_kit import World, feed, lines, say


def test_both_versions_are_advertised_and_the_session_speaks_rev1_until_enable():
    world = World(messages=2)
    server = world.session(login=True)
    caps = lines(say(server, "A1 CAPABILITY"))[0]
    assert caps.startswith("* CAPABILITY IMAP4rev1 IMAP4rev2 ")
    assert "* 2 RECENT" in say(server, "A2 SELECT INBOX")        # still rev1
    assert lines(say(server, "A3 SEARCH ALL"))[0] == "* SEARCH 1 2"


def test_enable_imap4rev2_switches_recent_off_esearch_on_and_uid_in_unsolicited_fetch():
    world = World(messages=2)
    a = world.session(login=True)
    assert lines(say(a, "E1 ENABLE IMAP4rev2"))[0] == "* ENABLED IMAP4rev2"
    out = say(a, "A1 SELECT INBOX")
    assert "RECENT" not in out and "[UNSEEN" not in out
    assert lines(say(a, "A2 SEARCH ALL"))[0] == '* ESEARCH (TAG "A2") ALL 1:2'
    assert "\\Recent" not in say(a, "A3 FETCH 1 FLAGS")
    b = world.session(select="INBOX")
    say(b, "B1 STORE 1 +FLAGS (\\Flagged)")
    assert "* 1 FETCH (UID 1 FLAGS (\\Flagged))" in say(a, "A4 NOOP")
    assert "* OK [CLOSED]" in say(a, "A5 SELECT INBOX")


def test_enable_rev2_is_ignored_when_the_server_does_not_offer_it():
    server = World(imap4rev2=False).session(login=True)
    assert lines(say(server, "E1 ENABLE IMAP4rev2"))[0] == "* ENABLED"


def test_multiappend_stores_all_messages_or_none():
    server = World().session(login=True)
    assert feed(server, b'A1 APPEND INBOX (\\Seen) "01-Mar-2024 10:00:00 +0000" {7}\r\n') \
        .startswith(b"+ ")
    assert feed(server, b"Subj: 1 {7}\r\n").startswith(b"+ ")
    assert feed(server, b"Subj: 2\r\n") == b"A1 OK [APPENDUID 1 1:2] APPEND completed\r\n"
    feed(server, b"A2 APPEND INBOX {3}\r\n")
    assert b"A2 BAD" in feed(server, b"abc (\\Seen)\r\n")             # a flag list without message
    assert "MESSAGES 2" in say(server, "A3 STATUS INBOX (MESSAGES)")
    say(server, "A4 SELECT INBOX")
    assert "* 1 FETCH (FLAGS (\\Recent \\Seen))" in say(server, "A5 FETCH 1 FLAGS")
    assert "* 2 FETCH (FLAGS (\\Recent))" in say(server, "A6 FETCH 2 FLAGS")
