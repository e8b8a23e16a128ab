"""MaildirStore: MailStore's API on real Maildir folders that survive a restart."""
import mailbox
import os
import shutil

import pytest

from simulator.mail.imap_backend import StoreBackend
from simulator.mail.maildir_store import MaildirBox, MaildirStore
from simulator.mail.maildrop import StoreMaildrop
from simulator.mail.store import StoreError
from simulator.protocols.imap.backend import BackendError

MESSAGE = b"From: a@x.test\r\nSubject: hi\r\n\r\nbody\r\n"


def fresh(root):
    store = MaildirStore(root)
    store.add_user("bob@b.test", "pw")
    return store


def test_delivery_is_a_maildir_file_and_survives_restart(tmp_path):
    store = fresh(tmp_path)
    first = store.deliver("bob@b.test", MESSAGE)
    store.deliver("bob@b.test", MESSAGE.replace(b"hi", b"two"))
    box = mailbox.Maildir(tmp_path / "bob@b.test", create=False)
    # iterkeys: iterating a mailbox.Mailbox itself yields messages, not keys
    delivered = sorted(box.get_bytes(k) for k in box.iterkeys())
    assert delivered == sorted([MESSAGE, MESSAGE.replace(b"hi", b"two")])
    again = fresh(tmp_path)
    inbox = again.account("bob@b.test").inbox
    assert [m.uid for m in inbox.messages] == [1, 2]
    assert inbox.messages[0].data == first.data
    assert inbox.uidvalidity == store.account("bob@b.test").inbox.uidvalidity
    assert again.deliver("bob@b.test", MESSAGE).uid == 3


def test_flags_live_in_the_maildir_info(tmp_path):
    store = fresh(tmp_path)
    store.deliver("bob@b.test", MESSAGE)
    backend = StoreBackend(store)
    backend.set_flags("bob@b.test", "INBOX", 1, {"\\Seen", "\\Flagged", "$Work"})
    box = mailbox.Maildir(tmp_path / "bob@b.test", create=False)
    (key,) = box.keys()
    assert box.get_message(key).get_flags() == "FS"
    flags = fresh(tmp_path).account("bob@b.test").inbox.messages[0].flags
    assert flags == {"\\Seen", "\\Flagged", "$Work"}


def test_pop3_deletion_removes_the_file(tmp_path):
    store = fresh(tmp_path)
    store.deliver("bob@b.test", MESSAGE)
    drop = StoreMaildrop(store)
    (uid, _), = drop.messages("bob@b.test")
    drop.delete("bob@b.test", [uid])
    assert list(mailbox.Maildir(tmp_path / "bob@b.test", create=False).keys()) == []
    assert fresh(tmp_path).account("bob@b.test").inbox.messages == []


def test_folders_are_maildir_plus_plus_and_keep_their_uids(tmp_path):
    store = fresh(tmp_path)
    backend = StoreBackend(store)
    backend.create("bob@b.test", "Work/2026")
    backend.append("bob@b.test", "Work/2026", MESSAGE, {"\\Seen"}, None)
    assert (tmp_path / "bob@b.test" / ".Work.2026" / "cur").is_dir()
    backend.rename("bob@b.test", "Work", "Old")
    again = StoreBackend(fresh(tmp_path))
    assert [m.uid for m in again.messages("bob@b.test", "Old/2026")] == [1]
    assert again.mailbox("bob@b.test", "Sent").special_use == "\\Sent"


def test_a_file_missing_from_the_uid_list_gets_a_new_uid_once(tmp_path):
    store = fresh(tmp_path)
    store.deliver("bob@b.test", MESSAGE)
    (tmp_path / "bob@b.test" / "new" / "123.foreign.host").write_bytes(MESSAGE)
    inbox = fresh(tmp_path).account("bob@b.test").inbox
    assert [m.uid for m in inbox.messages] == [1, 2]
    assert [m.uid for m in fresh(tmp_path).account("bob@b.test").inbox.messages] == [1, 2]


def test_dot_name_and_dot_slash_name_are_two_folders_after_a_restart(tmp_path):
    store = fresh(tmp_path)
    account = store.account("bob@b.test")
    for name in ("dot.name", "dot", "dot/name"):
        account.create_folder(name)
    account.folder("dot.name").append(MESSAGE.replace(b"hi", b"dotted"))
    account.folder("dot/name").append(MESSAGE.replace(b"hi", b"nested"))
    account.folder("dot/name").append(MESSAGE.replace(b"hi", b"nested 2"))
    validity = {n: account.folder(n).uidvalidity for n in ("dot.name", "dot/name")}
    again = fresh(tmp_path).account("bob@b.test")
    assert {"dot.name", "dot", "dot/name"} <= set(again.folders)
    dotted, nested = again.folder("dot.name"), again.folder("dot/name")
    assert [(m.uid, m.data) for m in dotted.messages] == [(1, MESSAGE.replace(b"hi", b"dotted"))]
    assert [m.uid for m in nested.messages] == [1, 2]
    assert {n: again.folder(n).uidvalidity for n in validity} == validity
    assert (tmp_path / "bob@b.test" / ".dot\\2ename").is_dir()


def test_a_cyrillic_folder_is_modified_utf7_on_disk_and_comes_back(tmp_path):
    fresh(tmp_path).account("bob@b.test").create_folder("Входящие/Работа").append(MESSAGE)
    assert (tmp_path / "bob@b.test" / ".&BBIERQQ+BDQETwRJBDgENQ-.&BCAEMAQxBD4EQgQw-").is_dir()
    folder = fresh(tmp_path).account("bob@b.test").folder("Входящие/Работа")
    assert [m.uid for m in folder.messages] == [1]


def test_a_create_the_disk_refuses_leaves_no_folder_now_or_after_a_restart(tmp_path, monkeypatch):
    store = fresh(tmp_path)

    def disk_full(self, name):
        (tmp_path / "bob@b.test" / ("." + name)).mkdir()      # half made, then the disk fails
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mailbox.Maildir, "add_folder", disk_full)
    with pytest.raises(StoreError) as caught:
        store.account("bob@b.test").create_folder("Archive")
    assert caught.value.key == "disk_error" and "No space" in caught.value.params["detail"]
    assert not store.account("bob@b.test").has_folder("Archive")
    monkeypatch.undo()
    assert not fresh(tmp_path).account("bob@b.test").has_folder("Archive")


def test_a_rename_the_disk_refuses_half_way_is_undone(tmp_path, monkeypatch):
    store = fresh(tmp_path)
    account = store.account("bob@b.test")
    account.create_folder("a")
    account.create_folder("a/b").append(MESSAGE)
    real, calls = os.rename, []

    def second_fails(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(os, "rename", second_fails)
    with pytest.raises(StoreError):
        account.rename_folder("a", "z")
    monkeypatch.undo()
    assert set(account.folders) >= {"a", "a/b"} and not account.has_folder("z")
    again = fresh(tmp_path).account("bob@b.test")
    assert [m.uid for m in again.folder("a/b").messages] == [1] and not again.has_folder("z")
    account.rename_folder("a", "z")
    assert [m.uid for m in fresh(tmp_path).account("bob@b.test").folder("z/b").messages] == [1]


def test_a_message_the_disk_refuses_is_not_shown_and_its_uid_is_not_reused(tmp_path, monkeypatch):
    store = fresh(tmp_path)
    backend = StoreBackend(store)

    def disk_full(self, message):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(MaildirBox, "write", disk_full)
    with pytest.raises(BackendError) as caught:
        backend.append("bob@b.test", "INBOX", MESSAGE, (), None)
    assert caught.value.reply == "store_failed" and "No space" in caught.value.params["detail"]
    assert backend.messages("bob@b.test", "INBOX") == []
    monkeypatch.undo()
    assert backend.append("bob@b.test", "INBOX", MESSAGE, (), None).uid == 2
    assert [m.uid for m in fresh(tmp_path).account("bob@b.test").inbox.messages] == [2]


def test_a_deleted_folder_stays_deleted_even_if_removing_its_files_stops_half_way(
        tmp_path, monkeypatch):
    account = fresh(tmp_path).account("bob@b.test")
    account.create_folder("Old").append(MESSAGE)
    monkeypatch.setattr(shutil, "rmtree", lambda *args, **kwargs: None)
    account.delete_folder("Old")
    assert not account.has_folder("Old")
    assert not fresh(tmp_path).account("bob@b.test").has_folder("Old")


def test_subscriptions_survive_a_restart(tmp_path):
    backend = StoreBackend(fresh(tmp_path))
    backend.create("bob@b.test", "Projects/2024")          # CREATE subscribes nothing
    backend.subscribe("bob@b.test", "Projects/2024", True)
    backend.subscribe("bob@b.test", "Junk", False)
    before = backend.subscriptions("bob@b.test")
    assert "Projects/2024" in before and "Projects" not in before and "Junk" not in before
    assert StoreBackend(fresh(tmp_path)).subscriptions("bob@b.test") == before
