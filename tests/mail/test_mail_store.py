"""The message store as POP3, IMAP and the MDA see it."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from simulator.mail.store import INBOX, MailStore, NoSuchFolder, NoSuchUser, StoreError

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
MSG = b"From: alice@a.test\nSubject: =?koi8-r?b?8NLJ18XU?=\nDate: Tue, 01 Sep 2026 08:00:00 +0000\n\nhi\n"


@pytest.fixture
def store() -> MailStore:
    store = MailStore()
    store.add_user("bob@b.test", "secret", "Bob")
    store.add_user("carol@b.test", "pw")
    return store


def test_delivery_lands_in_inbox_with_crlf_and_decoded_subject(store):
    message = store.deliver("bob@b.test", MSG, T0)
    assert store.find("bob").inbox.messages == [message]
    assert b"\n" not in message.data.replace(b"\r\n", b"")
    assert message.size == len(MSG) + MSG.count(b"\n")
    assert message.summary()["subject"] == "Привет"
    assert message.internal_date == T0


@pytest.mark.parametrize(("sent", "stored"), [
    (b"a\r\nb\r\n", b"a\r\nb\r\n"),               # CRLF already: the same bytes
    (b"a\nb\n", b"a\r\nb\r\n"),
    (b"\na\r\n\r\nb\n", b"\r\na\r\n\r\nb\r\n"),     # a LF first, mixed ends
    (b"a\r\r\n\n", b"a\r\r\n\r\n"),               # a CR before a CRLF stays a CR
    (b"a\rb\r\n", b"a\rb\r\n"),                   # only a bare LF is an end to mend
])
def test_every_bare_lf_and_only_it_becomes_crlf_on_delivery(store, sent, stored):
    assert store.deliver("bob@b.test", sent, T0).data == stored


def test_internal_date_comes_from_the_clock_or_the_message_never_the_wall_clock():
    ticking = iter([T0, T0 + timedelta(seconds=5)])
    store = MailStore(clock=lambda: next(ticking))
    store.add_user("bob@b.test")
    assert [store.deliver("bob@b.test", MSG).internal_date for _ in range(2)] == [
        T0, T0 + timedelta(seconds=5)]
    quiet = MailStore()
    quiet.add_user("bob@b.test")
    assert quiet.deliver("bob@b.test", MSG).internal_date == datetime(2026, 9, 1, 8, 0,
                                                                      tzinfo=UTC)


def test_uids_increase_and_are_never_reused(store):
    inbox = store.find("bob").inbox
    first = [inbox.append(MSG).uid for _ in range(3)]
    assert first == [1, 2, 3]
    removed = inbox.remove([2, 3])
    assert [m.uid for m in removed] == [2, 3]
    assert inbox.append(MSG).uid == 4
    assert [m.uid for m in inbox.messages] == [1, 4]
    assert inbox.get(2) is None and inbox.get(4).uid == 4


def test_uidvalidity_is_deterministic_and_fresh_for_a_recreated_folder():
    def build():
        store = MailStore()
        account = store.add_user("bob@b.test")
        return store, account

    (_, one), (_, two) = build(), build()
    assert {n: f.uidvalidity for n, f in one.folders.items()} == \
           {n: f.uidvalidity for n, f in two.folders.items()}
    old = one.create_folder("Lab").uidvalidity
    one.delete_folder("Lab")
    assert one.create_folder("Lab").uidvalidity > old


def test_new_accounts_have_special_use_folders(store):
    account = store.find("bob@b.test")
    assert sorted(account.folders) == ["Drafts", INBOX, "Junk", "Sent", "Trash"]
    assert account.folder("Sent").special_use == "\\Sent"
    assert account.folder("inbox") is account.inbox            # INBOX is case-insensitive
    with pytest.raises(NoSuchFolder):
        account.folder("sent")                                   # other names are not


def test_login_by_local_part_or_full_address(store):
    bob = store.find("bob@b.test")
    assert store.find("bob") is bob and bob.login == "bob"
    assert store.find("bob@B.TEST") is bob                       # the domain is case-insensitive
    assert store.authenticate("bob", "secret") is bob
    assert store.authenticate("bob@b.test", "secret") is bob


def test_ambiguous_local_part_needs_the_full_address(store):
    store.add_user("bob@c.test", "other")
    assert store.find("bob") is None
    assert store.authenticate("bob@c.test", "other").address == "bob@c.test"


def test_wrong_password_or_unknown_user_is_refused(store):
    assert store.authenticate("bob", "Secret") is None
    assert store.authenticate("mallory", "secret") is None


def test_mailbox_check_for_rcpt_uses_the_full_address(store):
    assert store.has_mailbox("bob@b.test") and store.has_mailbox("<bob@B.test>")
    assert not store.has_mailbox("bob@elsewhere.test") and not store.has_mailbox("bob")


def test_delivery_to_an_unknown_user_is_a_clear_error(store):
    with pytest.raises(KeyError) as caught:
        store.deliver("nobody@b.test", MSG)
    assert isinstance(caught.value, NoSuchUser)
    assert "nobody@b.test" in caught.value.message("en")
    assert "nobody@b.test" in caught.value.message("ru")


def test_maildrop_lock_is_exclusive_and_released(store):
    assert store.lock("bob@b.test", "pop3-1")
    assert not store.lock("bob", "pop3-2")                       # same maildrop by local part
    assert not store.lock("bob@b.test", "pop3-2")
    assert store.locked_by("bob@b.test") == "pop3-1"
    store.unlock("bob@b.test", "pop3-2")                         # not the holder: no effect
    assert store.locked_by("bob@b.test") == "pop3-1"
    store.unlock("bob@b.test", "pop3-1")
    assert store.locked_by("bob@b.test") is None
    assert store.lock("bob@b.test", "pop3-2")
    assert store.lock("carol@b.test", "pop3-3")                   # other maildrops are independent


def test_folders_create_rename_delete(store):
    account = store.find("bob")
    account.create_folder("Lab")
    account.create_folder("Lab/Week1").append(MSG)
    with pytest.raises(StoreError):
        account.create_folder("Lab")
    account.rename_folder("Lab", "Course")
    assert "Course/Week1" in account.folders and "Lab/Week1" not in account.folders
    assert account.folder("Course/Week1").messages[0].uid == 1
    account.delete_folder("Course/Week1")
    assert not account.has_folder("Course/Week1")
    with pytest.raises(StoreError) as caught:
        account.delete_folder("INBOX")
    assert "RFC 3501" in caught.value.message("en")


def test_renaming_inbox_moves_its_messages_and_keeps_an_empty_inbox(store):
    account = store.find("bob")
    account.inbox.append(MSG, ["\\Seen"])
    moved = account.rename_folder("INBOX", "Old")
    assert account.inbox.messages == [] and len(moved.messages) == 1
    assert moved.messages[0].flags == {"\\Seen"}


def test_snapshot_is_json_ready_and_deterministic():
    def run():
        store = MailStore()
        store.add_user("zed@b.test")
        store.add_user("amy@b.test")
        store.deliver("amy@b.test", MSG, T0)
        store.find("amy").inbox.messages[0].flags.update({"\\Seen", "\\Answered"})
        return store.snapshot()

    snap = run()
    assert json.dumps(snap) == json.dumps(run())
    assert list(snap) == ["amy@b.test", "zed@b.test"]
    assert snap["amy@b.test"]["INBOX"] == [
        {"uid": 1, "flags": ["\\Answered", "\\Seen"], "size": len(MSG) + 5, "subject": "Привет"}]


def test_locale_texts_exist_in_both_languages():
    from simulator.locale import texts

    mail_keys = {lang: {k for k in texts(lang) if k.startswith("mail.")} for lang in ("ru", "en")}
    assert mail_keys["ru"] == mail_keys["en"]
    assert "mail.store.no_user" in mail_keys["en"]
