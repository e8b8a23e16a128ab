"""Mailbox names against ``mailsim serve --maildir`` over a real socket (issue 16 item 8).

Each of these used to kill the connection (``OSError: File name too long``,
``ValueError: embedded null byte``), leave a ghost folder that vanished on
restart, or put two folders in one directory.
"""
import contextlib

import pytest

from .conftest import serving
from .imap_line import ImapLine

INBOX_RU = b"&BBIERQQ+BDQETwRJBDgENQ-"         # «Входящие» as Thunderbird sends it


@contextlib.contextmanager
def logged_in(maildir):
    """Start the server on ``maildir``, log in over IMAPS; stopping it is the restart."""
    with serving(maildir=str(maildir)) as live:
        client = ImapLine(live.settings["imaps"])
        assert client.ask(b"l LOGIN student student", b"l").startswith(b"l OK")
        try:
            yield client
        finally:
            client.close()


def append(client: ImapLine, mailbox: bytes, subject: bytes) -> bytes:
    message = b"Subject: " + subject + b"\r\n\r\nbody\r\n"
    return client.ask(b"p APPEND " + mailbox + b" {%d+}\r\n" % len(message) + message, b"p")


def uid_and_validity(client: ImapLine, mailbox: bytes) -> tuple[bytes, list[bytes]]:
    assert client.ask(b"s SELECT " + mailbox, b"s").startswith(b"s OK")
    validity = next(x for x in client.untagged if b"UIDVALIDITY" in x).split()[3]
    assert client.ask(b"f FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])", b"f").startswith(
        b"f OK")
    return validity, [x for x in client.untagged if x.startswith((b"* ", b"Subject"))]


@pytest.mark.parametrize(("command", "answer"), [
    (b"c CREATE " + b"x" * 300, b"c NO [LIMIT] Mailbox name too long"),
    (b"c RENAME Junk " + b"y" * 300, b"c NO [LIMIT] Mailbox name too long"),
    (b"c CREATE " + b"/".join([b"a"] * 150), b"c NO [LIMIT] Mailbox name has 150 levels"),
    (b"c CREATE {3+}\r\na\0b", b"c NO [CANNOT] Mailbox name is not modified UTF-7"),
    (b"c CREATE \xd0\x92\xd1\x85", b"c NO [CANNOT] Mailbox name is not modified UTF-7"),
])
def test_a_bad_name_is_a_clear_no_and_leaves_no_ghost_after_a_restart(tmp_path, command, answer):
    with logged_in(tmp_path) as client:
        assert client.ask(command, b"c").startswith(answer)
        assert client.ask(b"n NOOP", b"n") == b"n OK NOOP completed\r\n"     # still connected
        client.ask(b'l LIST "" *', b"l")
        before = sorted(client.untagged)
        assert not any(b"xxxx" in x or b"yyyy" in x or b"a/a" in x for x in before)
        assert append(client, b"x" * 300, b"lost?").startswith(b"p NO")
    with logged_in(tmp_path) as client:
        client.ask(b'l LIST "" *', b"l")
        assert sorted(client.untagged) == before
    assert all(len(p.name) <= 255 for p in tmp_path.rglob("*"))


def test_a_null_byte_in_a_utf8_name_is_refused_too(tmp_path):
    with logged_in(tmp_path) as client:
        assert client.ask(b"e ENABLE IMAP4rev2", b"e").startswith(b"e OK")
        assert client.ask(b"c CREATE {3+}\r\na\0b", b"c") == (
            b"c NO [CANNOT] Invalid mailbox name: U+0000 is not allowed\r\n")
        assert client.ask(b"n NOOP", b"n").startswith(b"n OK")


def test_dot_name_and_dot_slash_name_keep_their_own_messages_and_uids(tmp_path):
    with logged_in(tmp_path) as client:
        for name in (b"dot.name", b"dot/name"):
            assert client.ask(b"c CREATE " + name, b"c").startswith(b"c OK")
        assert append(client, b"dot.name", b"dotted").startswith(b"p OK [APPENDUID")
        assert append(client, b"dot/name", b"nested").startswith(b"p OK [APPENDUID")
        before = {name: uid_and_validity(client, name) for name in (b"dot.name", b"dot/name")}
    assert b"dotted" in b"".join(before[b"dot.name"][1])
    assert b"nested" in b"".join(before[b"dot/name"][1])
    with logged_in(tmp_path) as client:
        after = {name: uid_and_validity(client, name) for name in before}
    assert after == before


def test_a_cyrillic_folder_from_thunderbird_survives_a_restart(tmp_path):
    with logged_in(tmp_path) as client:
        assert client.ask(b"c CREATE " + INBOX_RU, b"c").startswith(b"c OK")
        assert append(client, INBOX_RU, b"privet").startswith(b"p OK [APPENDUID")
        before = uid_and_validity(client, INBOX_RU)
    assert (tmp_path / "student@example.test" / (".&BBIERQQ+BDQETwRJBDgENQ-")).is_dir()
    with logged_in(tmp_path) as client:
        client.ask(b'l LIST "" *', b"l")
        assert b'* LIST (\\HasNoChildren) "/" ' + INBOX_RU + b"\r\n" in client.untagged
        assert uid_and_validity(client, INBOX_RU) == before
        assert client.ask(b"u UNSELECT", b"u").startswith(b"u OK")
        assert client.ask(b"e ENABLE IMAP4rev2", b"e").startswith(b"e OK")
        client.ask(b'l LIST "" *', b"l")
        assert "Входящие".encode() + b"\r\n" in client.untagged
