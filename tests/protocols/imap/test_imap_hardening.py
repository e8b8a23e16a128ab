"""Nothing a client sends raises out of the IMAP engine (issue 16), in either driving mode."""
from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st
from imap_kit import World, feed, lines, message, say

from simulator import locale
from simulator.protocols.imap import LOGOUT, SELECTED, ConnectionClosed, mimeparts
from simulator.protocols.imap import session as imap_session
from simulator.protocols.imap.lexer import MAX_NESTING
from simulator.protocols.imap.search import MAX_DEPTH, MAX_KEYS
from simulator.protocols.imap.sequence import STAR, SequenceSet


def broken(server, cmd):
    raise RuntimeError("a bug in the handler")


@pytest.mark.parametrize("concurrent", [False, True], ids=["at-once", "queued"])
def test_bad_sets_are_answered_when_the_command_runs_not_when_it_is_queued(concurrent):
    server = World(messages=0, concurrent=concurrent).session(select="INBOX")
    server.receive_data(b"A1 FETCH 1:* BODY.PEEK[]\r\nA2 FETCH 1:4294967296 RFC822.SIZE\r\n")
    server.run_pending()
    assert lines(server.data_to_send().decode()) == [
        "A1 BAD Syntax error: the mailbox is empty, so no message number exists, not even *",
        "A2 BAD Syntax error: 4294967296 is over 4294967295, the largest message number or UID"]


def test_nesting_just_under_the_limits_still_works():
    server = World(messages=2).session(select="INBOX")
    nested = b"(" * (MAX_NESTING - 1) + b"ALL" + b")" * (MAX_NESTING - 1)
    assert lines(say(server, b"A1 SEARCH " + nested + b"\r\n")) == [
        "* SEARCH 1 2", "A1 OK SEARCH completed"]
    nots = b"NOT " * MAX_DEPTH + b"ALL"
    assert lines(say(server, b"A2 SEARCH " + nots + b"\r\n")) == [
        "* SEARCH 1 2", "A2 OK SEARCH completed"]
    assert say(server, b"A3 SEARCH NOT " + nots + b"\r\n").startswith("A3 BAD")


def test_the_explanation_of_a_deep_line_is_in_both_languages():
    server = World().session()
    say(server, b"A1 NOOP " + b"(" * 500 + b"\r\n")
    reply = [u for u in server.take_transcript() if u.direction == "s2c"][-1]
    for lang in ("ru", "en"):
        text = locale.explain(reply.explain, reply.params, lang)
        assert str(MAX_NESTING) in text and "syntax." not in text


@pytest.mark.parametrize("concurrent", [False, True], ids=["at-once", "queued"])
def test_a_handler_that_raises_gets_serverbug_and_the_state_is_kept(monkeypatch, concurrent):
    server = World(messages=1, concurrent=concurrent).session(select="INBOX")
    monkeypatch.setitem(imap_session.HANDLERS, "CHECK", broken)
    server.receive_data(b"A1 CHECK\r\nA2 NOOP\r\n")
    server.run_pending()
    assert lines(server.data_to_send().decode()) == [
        "A1 NO [SERVERBUG] internal server error; the session goes on", "A2 OK NOOP completed"]
    assert server.state == SELECTED
    fault = [u for u in server.take_transcript() if u.explain == "imap.reply.server_fault"]
    assert fault[0].params["error"] == "RuntimeError"
    for lang in ("ru", "en"):
        assert "RuntimeError" in locale.explain(fault[0].explain, fault[0].params, lang)


def test_a_fault_in_the_middle_of_authenticate_ends_the_session(monkeypatch):
    server = World().session()
    assert say(server, "A1 AUTHENTICATE PLAIN").startswith("+")
    monkeypatch.setattr(imap_session.commands_auth, "sasl_response", broken)
    events = server.receive_data(b"AGJvYgBzZWNyZXQ=\r\n")
    assert server.data_to_send() == (
        b"* BYE [SERVERBUG] internal server error, closing the connection\r\n")
    assert server.state == LOGOUT and ConnectionClosed("fault") in events


def test_a_fault_in_the_framer_ends_the_session(monkeypatch):
    server = World().session()

    def lost(self):
        raise IndexError("the framer lost its place")
    monkeypatch.setattr(type(server._reader), "next_frame", lost)
    assert feed(server, b"A1 NOOP\r\n").startswith(b"* BYE [SERVERBUG]")
    assert server.closed


def test_a_good_command_resets_the_error_count():
    server = World(max_errors=3).session()
    for n in range(5):
        assert say(server, f"B{n} BOGUS\r\nC{n} BOGUS").count("BAD") == 2
        assert "OK" in say(server, f"N{n} NOOP")
    assert not server.closed


# -- COPY, MOVE, STORE act on the mailbox as it is now (issue 16 item 7) --------------

def two_on_inbox(n: int = 3):
    world = World(messages=n)
    world.account.create_folder("X")
    return world, world.session(select="INBOX"), world.session(select="INBOX")


def uids_in(world, folder: str) -> list[int]:
    return [m.uid for m in world.account.folder(folder).messages]


def test_the_same_move_from_two_sessions_makes_one_copy():
    world, a, b = two_on_inbox()
    assert lines(say(a, "A1 UID MOVE 2 X"))[-1] == "A1 OK UID MOVE completed"
    # B has not heard of the expunge: it hears it now, and nothing is copied again
    assert lines(say(b, "B1 UID MOVE 2 X")) == [
        "* 2 EXPUNGE", "B1 NO [EXPUNGEISSUED] Some messages were expunged by another session"]
    assert uids_in(world, "X") == [1]
    assert uids_in(world, "INBOX") == [1, 3]


def test_a_copy_naming_a_message_expunged_elsewhere_copies_nothing():
    world, a, b = two_on_inbox()
    say(a, "A1 STORE 1 +FLAGS (\\Deleted)")
    say(a, "A2 EXPUNGE")
    assert say(b, "B1 COPY 1:3 X").endswith(
        "B1 NO [EXPUNGEISSUED] Some messages were expunged by another session\r\n")
    assert uids_in(world, "X") == []                  # all or nothing (RFC 9051 §6.4.7)
    assert say(b, "B2 COPY 1:2 X").endswith("B2 OK [COPYUID 11 2:3 1:2] COPY completed\r\n")


def test_store_on_a_message_expunged_elsewhere_is_refused_not_faked():
    world, a, b = two_on_inbox()
    say(a, "A1 UID MOVE 1 X")
    out = say(b, "B1 STORE 1 +FLAGS (\\Flagged)")
    assert "FETCH" not in out                         # no flags of a message that is gone
    assert out.endswith("B1 NO [EXPUNGEISSUED] Some messages were expunged by another session\r\n")
    assert world.account.folder("X").messages[0].flags == set()


# -- the selected mailbox deleted or renamed (RFC 2180 §3.2) ---------------------------

BYE_X = "* BYE Mailbox X was deleted or renamed; please log in again"


def test_renaming_the_selected_mailbox_ends_the_sessions_that_had_it_selected():
    world, _, _ = two_on_inbox()
    a, b = world.session(select="X"), world.session(select="X")
    assert lines(say(a, "A1 RENAME X W")) == ["A1 OK RENAME completed"]
    events = b.receive_data(b"B1 NOOP\r\n")
    assert lines(b.data_to_send().decode()) == [BYE_X]
    assert b.closed and ConnectionClosed("mailbox-gone") in events
    assert lines(say(a, "A2 FETCH 1 UID")) == [BYE_X]
    assert world.hub.sessions("bob@example.org/X") == []


def test_a_new_mailbox_with_the_old_name_is_not_the_one_selected():
    world, _, _ = two_on_inbox()
    idler = world.session(select="X")
    other = world.session(login=True)
    assert say(idler, "I1 IDLE").startswith("+")
    say(other, "O1 DELETE X")
    say(other, "O2 CREATE X")
    out = say(other, b"O3 APPEND X {5+}\r\nhello\r\n")
    assert "O3 OK [APPENDUID" in out                       # no SERVERBUG from waking the idler
    assert idler.data_to_send() == b""                     # nothing about the new X's messages
    assert lines(say(idler, "DONE")) == ["I1 OK IDLE completed"]
    assert lines(say(idler, "I2 NOOP")) == [BYE_X]


def test_deleting_its_own_selected_mailbox_just_deselects():
    world, _, _ = two_on_inbox()
    server = world.session(select="X")
    assert lines(say(server, "A1 DELETE X")) == ["A1 OK DELETE completed"]
    assert lines(say(server, "A2 SELECT INBOX"))[-1] == "A2 OK [READ-WRITE] SELECT completed"


# -- messages are client input too: MIME nesting is bounded ----------------------------

def nested(depth: int) -> bytes:
    body = b"Content-Type: text/plain; charset=utf-8\r\n\r\ndeep inside\r\n"
    for level in range(depth):
        body = (b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (level, level)
                + body + b"\r\n--b%d--\r\n" % level)
    return b"From: a@example.org\r\nSubject: nested\r\nMIME-Version: 1.0\r\n" + body


def test_a_message_nested_a_thousand_levels_is_fetched_and_searched():
    world = World()
    raw = nested(1000)
    world.account.inbox.append(raw)
    server = world.session(select="INBOX")
    structure = say(server, "A1 FETCH 1 BODYSTRUCTURE")
    assert structure.endswith("A1 OK FETCH completed\r\n")
    assert structure.count('"mixed"') == mimeparts.MAX_DEPTH     # then one opaque leaf
    assert '("application" "octet-stream" ("boundary" "b899")' in structure
    whole = feed(server, b"A2 FETCH 1 BODY.PEEK[]\r\n")
    assert raw in whole and whole.endswith(b"A2 OK FETCH completed\r\n")
    assert lines(say(server, "A3 SEARCH SUBJECT nested"))[0] == "* SEARCH 1"
    assert lines(say(server, "A4 SEARCH TEXT inside"))[0] == "* SEARCH 1"


def test_body_search_decodes_transfer_encoding_and_charset():
    world = World()
    world.account.inbox.append(
        b"Subject: koi8\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
        b"--x\r\nContent-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: base64\r\n"
        b"\r\n" + base64.b64encode("Привет, мир".encode("koi8-r")) + b"\r\n--x--\r\n")
    server = world.session(select="INBOX")
    assert lines(say(server, "A1 SEARCH CHARSET UTF-8 BODY {6+}\r\nмир"))[0] == "* SEARCH 1"
    assert lines(say(server, "A2 SEARCH BODY Privet"))[0] == "* SEARCH"


# -- sequence sets with thousands of ranges --------------------------------------------

ranges = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=12)


@given(ranges, st.integers(0, 25), st.lists(st.integers(1, 40), unique=True))
def test_merged_intervals_name_exactly_the_numbers_of_the_ranges(pairs, largest, values):
    seqset = SequenceSet(tuple(pairs), "")       # 0 is STAR, "*"

    def named(value: int) -> bool:
        return any(min(lo, hi) <= value <= max(lo, hi) for lo, hi in
                   ((largest if v == STAR else v for v in pair) for pair in pairs))
    assert seqset.select(sorted(values), largest) == [v for v in sorted(values) if named(v)]
    assert seqset.resolve(largest) == [n for n in range(1, largest + 1) if named(n)]


def test_a_set_of_thousands_of_ranges_is_answered():
    # 1,500 UIDs that do not exist against 5,000 messages took 11.7 s, one range at a time.
    world = World(messages=0)
    for n in range(300):
        world.account.inbox.append(message(n))
    server = world.session(select="INBOX")
    absent = ",".join(str(4_000_000_000 - i) for i in range(5000))
    assert lines(say(server, f"A1 UID FETCH {absent},7 UID")) == [
        "* 7 FETCH (UID 7)", "A1 OK UID FETCH completed"]
    assert lines(say(server, "A2 SEARCH " + ",".join(["1:*"] * 5000) + " UID 299:*")) == [
        "* SEARCH 299 300", "A2 OK SEARCH completed"]


# -- one command cannot multiply the server's work ----------------------------------------

def test_a_repeated_fetch_item_is_answered_once():
    server = World(messages=2).session(select="INBOX")
    out = lines(say(server, "A1 FETCH 1:2 (UID " + "ENVELOPE " * 500 + "UID)"))
    assert len(out) == 3 and out[-1] == "A1 OK FETCH completed"
    assert all(line.count("ENVELOPE") == 1 and line.count("UID") == 1 for line in out[:2])


def test_search_keys_are_bounded_and_repeats_agree():
    server = World(messages=3).session(select="INBOX")
    assert lines(say(server, "A1 SEARCH " + "FROM alice " * (MAX_KEYS - 1) + "SUBJECT 2")) == [
        "* SEARCH 2", "A1 OK SEARCH completed"]
    assert say(server, "A2 SEARCH " + "(FROM alice) " * MAX_KEYS + "ALL") == (
        f"A2 BAD Syntax error: more than {MAX_KEYS} search keys in one SEARCH\r\n")
    assert lines(say(server, "A3 SEARCH OR SUBJECT 1 SUBJECT 3 NOT SUBJECT 3 TEXT hello"))[0] \
        == "* SEARCH 1"
