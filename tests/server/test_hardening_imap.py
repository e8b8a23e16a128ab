"""Hostile IMAP input over a real socket to ``mailsim serve`` (issue 16): every line gets an
answer in words, and the connection stays usable wherever the protocol allows it."""
from __future__ import annotations

import socket
import ssl

import pytest

from simulator.protocols.imap import session as imap_session
from simulator.protocols.imap.lexer import MAX_NESTING
from simulator.protocols.imap.search import MAX_DEPTH

from .conftest import unverified

MESSAGE = b"From: a@example.test\r\nSubject: one\r\n\r\nhello\r\n"


class Wire:
    """One IMAP connection that sends raw bytes and reads whole lines back."""

    def __init__(self, live, *, secure: bool) -> None:
        port = live.settings["imaps" if secure else "imap"]
        sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        if secure:
            sock = unverified().wrap_socket(sock, server_hostname="localhost")
        self.sock: socket.socket | ssl.SSLSocket = sock
        self.file = sock.makefile("rb")
        assert self.line().startswith(b"* OK")

    def line(self) -> bytes:
        line = self.file.readline()
        assert line, "the server closed the connection"
        return line

    def command(self, tag: str, text: bytes) -> list[bytes]:
        """Send ``tag text`` CRLF; every line up to and including the tagged one."""
        self.sock.sendall(tag.encode() + b" " + text + b"\r\n")
        out = []
        for _ in range(10_000):
            out.append(self.line())
            if out[-1].startswith(tag.encode() + b" "):
                return out
        raise AssertionError("no tagged answer")

    def answer(self, tag: str, text: bytes) -> str:
        """The tagged line only, decoded (it must be 7-bit, RFC 3501 §9 ``text``)."""
        return self.command(tag, text)[-1].decode("ascii").rstrip("\r\n")

    def close(self) -> None:
        self.file.close()
        self.sock.close()


@pytest.fixture
def plain(live):
    wire = Wire(live, secure=False)
    yield wire
    wire.close()


@pytest.fixture
def inbox(live):
    """Logged in as teacher with INBOX selected (empty until a test appends)."""
    wire = Wire(live, secure=True)
    assert wire.answer("l", b"LOGIN teacher teacher").startswith("l OK")
    assert wire.answer("s", b"SELECT INBOX").startswith("s OK")
    yield wire
    wire.close()


def append(wire: Wire, tag: str, message: bytes = MESSAGE) -> None:
    wire.sock.sendall(tag.encode() + b" APPEND INBOX {%d+}\r\n" % len(message) + message + b"\r\n")
    while not (line := wire.line()).startswith(tag.encode() + b" "):
        pass
    assert line.startswith(tag.encode() + b" OK")


def still_alive(wire: Wire) -> None:
    assert wire.answer("z", b"NOOP") == "z OK NOOP completed"


@pytest.mark.parametrize("name", [b"10", b"NIL", b"SEAR]CH ALL", b"1:*", b"\xff\xfeLIST",
                                  b"(FETCH)", b'"NOOP"'])
def test_invalid_command_name_gets_bad_in_words(plain, name):
    reply = plain.answer("a", name)
    assert reply.startswith("a BAD Syntax error: ")
    assert "is not a command name" in reply and "Atom(" not in reply
    still_alive(plain)


def test_deeply_nested_parentheses_get_bad(plain):
    reply = plain.answer("a", b"NOOP " + b"(" * 990)
    assert reply.startswith("a BAD Syntax error: parentheses nested more than "
                            f"{MAX_NESTING} levels deep")
    still_alive(plain)


def test_three_thousand_nots_get_bad_and_a_real_search_still_works(inbox):
    reply = inbox.answer("a", b"SEARCH " + b"NOT " * 3000 + b"ALL")
    assert reply == f"a BAD Syntax error: search keys nested more than {MAX_DEPTH} levels deep"
    assert inbox.command("b", b"SEARCH NOT NOT OR SEEN (UNSEEN ALL)") == [
        b"* SEARCH\r\n", b"b OK SEARCH completed\r\n"]


def test_fetch_all_on_an_empty_mailbox_is_bad_in_words_and_uid_fetch_is_ok(inbox):
    # RFC 9051 §9 seq-number: BAD for "*" in an empty mailbox; Dovecot answers BAD too.
    reply = inbox.answer("a", b"FETCH 1:* BODY.PEEK[]")
    assert reply == ("a BAD Syntax error: the mailbox is empty, so no message number exists, "
                     "not even *")
    assert inbox.answer("b", b"UID FETCH 1:* BODY.PEEK[]") == "b OK UID FETCH completed"
    still_alive(inbox)


def test_fetch_beyond_the_last_message_and_over_32_bits(inbox):
    append(inbox, "p")
    assert inbox.answer("n", b"NOOP").startswith("n OK")          # hears "* 1 EXISTS"
    assert inbox.answer("a", b"FETCH 2 BODY[]") == (
        "a BAD Syntax error: there is no message 2: the last message is number 1")
    assert inbox.answer("b", b"FETCH 99 FLAGS") == (
        "b BAD Syntax error: there is no message 99: the last message is number 1")
    assert inbox.answer("c", b"FETCH 1:4294967296 RFC822.SIZE") == (
        "c BAD Syntax error: 4294967296 is over 4294967295, the largest message number or UID")
    got = inbox.command("d", b"FETCH 1 RFC822.SIZE")
    assert got == [b"* 1 FETCH (RFC822.SIZE %d)\r\n" % len(MESSAGE), b"d OK FETCH completed\r\n"]


def test_harmless_errors_between_good_commands_never_end_the_session(plain):
    for n in range(30):                      # more than the 20 BADs in a row allowed
        assert plain.answer(f"b{n}", b"BOGUS").startswith(f"b{n} BAD")
        assert plain.answer(f"n{n}", b"NOOP").startswith(f"n{n} OK")


def test_twenty_errors_in_a_row_end_the_session(plain):
    plain.sock.sendall(b"".join(b"b%d BOGUS\r\n" % n for n in range(20)))
    lines = [plain.line() for _ in range(21)]
    assert all(line.startswith(b"b") and b" BAD " in line for line in lines[:20])
    assert lines[20] == b"* BYE too many protocol errors, closing the connection\r\n"
    assert plain.file.readline() == b""


def test_a_command_the_server_fails_on_gets_serverbug_and_the_session_goes_on(
        live, plain, monkeypatch):
    def broken(server, cmd):
        raise RuntimeError("a bug in the handler")
    monkeypatch.setitem(imap_session.HANDLERS, "NOOP", broken)
    assert plain.answer("a", b"NOOP") == (
        "a NO [SERVERBUG] internal server error; the session goes on")
    assert plain.answer("b", b"CAPABILITY").startswith("b OK")
    fault = [s for s in live.trace if s.explain == "imap.reply.server_fault"]
    assert fault and fault[0].params["error"] == "RuntimeError"


def test_two_sessions_moving_the_same_message_make_one_copy(live, inbox):
    append(inbox, "p")
    assert inbox.answer("c", b"CREATE X").startswith("c OK")
    other = Wire(live, secure=True)
    try:
        assert other.answer("l", b"LOGIN teacher teacher").startswith("l OK")
        assert other.answer("s", b"SELECT INBOX").startswith("s OK")
        uid = inbox.command("u", b"UID SEARCH ALL")[0].split()[-1]
        assert inbox.answer("m", b"UID MOVE " + uid + b" X") == "m OK UID MOVE completed"
        assert other.command("m", b"UID MOVE " + uid + b" X") == [
            b"* 1 EXPUNGE\r\n",
            b"m NO [EXPUNGEISSUED] Some messages were expunged by another session\r\n"]
        assert other.command("t", b"STATUS X (MESSAGES)")[0] == b"* STATUS X (MESSAGES 1)\r\n"
    finally:
        other.close()


def test_the_selected_mailbox_deleted_by_another_session_ends_with_bye(live, inbox):
    assert inbox.answer("c", b"CREATE Drafts2").startswith("c OK")
    other = Wire(live, secure=True)
    try:
        assert other.answer("l", b"LOGIN teacher teacher").startswith("l OK")
        assert other.answer("s", b"SELECT Drafts2").startswith("s OK")
        assert inbox.answer("d", b"DELETE Drafts2") == "d OK DELETE completed"
        other.sock.sendall(b"n NOOP\r\n")
        assert other.line() == b"* BYE Mailbox Drafts2 was deleted or renamed; please log in again\r\n"
        assert other.file.readline() == b""
        still_alive(inbox)
    finally:
        other.close()


def test_a_list_pattern_full_of_wildcards_is_answered_and_the_server_stays_responsive(live, inbox):
    # One regex group per wildcard backtracked exponentially: 10 stars took 16 s.
    assert inbox.answer("c", b"CREATE Archive/2024/January").startswith("c OK")
    assert inbox.answer("a", b'LIST "" "' + b"*" * 40 + b'Q"') == "a OK LIST completed"
    assert inbox.command("b", b'LIST "" "' + b"%*" * 40 + b'January"') == [
        b'* LIST (\\HasNoChildren) "/" Archive/2024/January\r\n', b"b OK LIST completed\r\n"]
    other = Wire(live, secure=False)              # a fresh client still gets its greeting
    other.close()


def nested_message(depth: int) -> bytes:
    body = b"Content-Type: text/plain\r\n\r\ndeep inside\r\n"
    for level in range(depth):
        body = (b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (level, level)
                + body + b"\r\n--b%d--\r\n" % level)
    return b"Subject: nested\r\nMIME-Version: 1.0\r\n" + body


def test_a_message_nested_thousands_of_levels_is_stored_fetched_and_searched(inbox):
    append(inbox, "p", nested_message(3000))
    assert inbox.answer("n", b"NOOP").startswith("n OK")
    got = inbox.command("a", b"FETCH 1 BODYSTRUCTURE")
    assert b'"application" "octet-stream"' in got[0] and got[-1] == b"a OK FETCH completed\r\n"
    assert inbox.command("b", b"SEARCH TEXT inside") == [b"* SEARCH 1\r\n",
                                                         b"b OK SEARCH completed\r\n"]


def test_thousands_of_ranges_and_repeated_items_and_keys_are_answered(inbox):
    append(inbox, "p")
    absent = b",".join(b"%d" % (4_000_000_000 - i) for i in range(5000))
    assert inbox.answer("a", b"UID FETCH " + absent + b" UID") == "a OK UID FETCH completed"
    got = inbox.command("b", b"FETCH 1 (" + b"ENVELOPE " * 1000 + b"UID)")
    assert len(got) == 2 and got[0].count(b"ENVELOPE") == 1
    assert inbox.answer("c", b"SEARCH " + b"FROM a " * 3000 + b"ALL") == (
        "c BAD Syntax error: more than 250 search keys in one SEARCH")
