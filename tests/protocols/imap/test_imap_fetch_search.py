"""FETCH sections and BODYSTRUCTURE from the stdlib parser; SEARCH keys; mailbox commands."""
from __future__ import annotations

import re

from imap_kit import World, lines, say

MULTIPART = (b"From: a@example.org\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
             b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\nworld\r\n"
             b"--XX\r\nContent-Type: application/pdf; name=a.pdf\r\n"
             b"Content-Disposition: attachment; filename=a.pdf\r\n"
             b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--XX--\r\n")


def selected(messages: int = 3):
    world = World(messages=messages)
    world.account.inbox.append(MULTIPART)
    return world, world.session(select="INBOX")


def test_bodystructure_of_a_multipart():
    _, server = selected()
    out = say(server, "A1 FETCH 4 BODYSTRUCTURE")
    # "hello\r\nworld": the CRLF before "--XX" belongs to the delimiter (RFC 2046 §5.1.1),
    # so the part has 12 octets and one line break (Dovecot says the same)
    assert ('(("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 12 1 NIL NIL NIL NIL)'
            '("application" "pdf" ("name" "a.pdf") NIL NIL "base64" 8 NIL '
            '("attachment" ("filename" "a.pdf")) NIL NIL) "mixed" ("boundary" "XX") NIL NIL NIL)'
            ) in out


def test_sections_and_partial_fetch():
    _, server = selected()
    assert "BODY[1] {12}\r\nhello\r\nworld" in say(server, "A1 FETCH 4 BODY.PEEK[1]")
    assert "BODY[2] JVBERi0=" in say(server, "A2 FETCH 4 BODY.PEEK[2]").replace('"', "")
    assert 'BODY[1]<2> "llo"' in say(server, "A3 FETCH 4 BODY.PEEK[1]<2.3>")
    mime = say(server, "A4 FETCH 4 BODY.PEEK[2.MIME]")
    assert "Content-Disposition: attachment" in mime
    fields = say(server, "A5 FETCH 4 BODY.PEEK[HEADER.FIELDS (SUBJECT)]")
    assert "Subject: parts\r\n\r\n" in fields and "From:" not in fields


def test_peek_keeps_unseen_and_body_sets_seen():
    world, server = selected()
    other = world.session(select="INBOX")
    assert "\\Seen" not in say(server, "A1 FETCH 1 (BODY.PEEK[TEXT] FLAGS)")
    out = say(server, "A2 FETCH 1 BODY[TEXT]")
    assert re.search(r"\* 1 FETCH \(BODY\[TEXT\] \"hello\" FLAGS \(.*\\Seen\)\)", out.replace(
        "{7}\r\nhello\r\n", '"hello"'))
    assert "* 1 FETCH (FLAGS (\\Seen))" in say(other, "B1 NOOP")


def test_search_keys():
    _, server = selected(5)
    say(server, "A0 STORE 2 +FLAGS (\\Seen $Work)")
    assert lines(say(server, "A1 SEARCH SEEN"))[0] == "* SEARCH 2"
    assert lines(say(server, "A2 SEARCH NOT SEEN KEYWORD $Work"))[0] == "* SEARCH"
    assert lines(say(server, "A3 SEARCH OR 1 SUBJECT parts"))[0] == "* SEARCH 1 6"
    assert lines(say(server, "A4 SEARCH BODY world"))[0] == "* SEARCH 6"
    assert lines(say(server, 'A5 SEARCH HEADER Message-ID "<m3@"'))[0] == "* SEARCH 3"
    assert lines(say(server, "A6 SEARCH LARGER 300"))[0] == "* SEARCH 6"
    assert lines(say(server, "A7 SEARCH SINCE 1-Mar-2024 BEFORE 2-Mar-2024 2:3"))[0] == \
        "* SEARCH 2 3"
    assert lines(say(server, "A8 UID SEARCH (FROM alice) NOT 1"))[0] == "* SEARCH 2 3 4 5"


def test_rev2_search_answers_esearch_and_drops_recent():
    world = World(messages=3, imap4rev2=True)
    world.account.inbox.append(MULTIPART)
    server = world.session(login=True)
    assert "IMAP4rev2" in say(server, "A0 CAPABILITY")
    assert "* ENABLED IMAP4rev2" in say(server, "A1 ENABLE IMAP4rev2")
    out = say(server, "A2 SELECT INBOX")
    assert "RECENT" not in out
    assert '* ESEARCH (TAG "A3") ALL 1:4' in say(server, "A3 SEARCH ALL")


def test_list_patterns_and_children():
    _, server = selected()
    say(server, "A1 CREATE work/2024/")
    out = say(server, 'A2 LIST "" work/%')
    assert '* LIST (\\HasNoChildren) "/" work/2024' in out
    assert '* LIST (\\HasChildren) "/" work' in say(server, 'A3 LIST "" w*')
    assert "A4 NO [INUSE]" in say(server, "A4 DELETE work")


def test_move_reports_copyuid_then_expunge():
    _, server = selected()
    out = lines(say(server, "A1 MOVE 1 Trash"))
    assert re.fullmatch(r"\* OK \[COPYUID \d+ 1 1\] Moved UIDs", out[0])
    assert out[1:] == ["* 1 EXPUNGE", "A1 OK MOVE completed"]


def test_copy_to_missing_mailbox_says_trycreate():
    _, server = selected()
    assert "A1 NO [TRYCREATE]" in say(server, "A1 COPY 1 Nowhere")


def test_select_and_status_agree():
    """imaptest 'select': EXAMINE keeps \\Recent, SELECT claims it, STATUS counts it."""
    world = World(messages=2)
    server = world.session(login=True)
    assert "* 2 RECENT" in say(server, "A1 EXAMINE INBOX")
    say(server, "A2 CLOSE")
    assert "RECENT 2" in say(server, "A3 STATUS INBOX (MESSAGES RECENT UNSEEN)")
    assert "A4 OK [READ-WRITE]" in say(server, "A4 SELECT INBOX")
    say(server, "A5 CLOSE")
    assert "(RECENT 0)" in say(server, "A6 STATUS INBOX (RECENT)")
