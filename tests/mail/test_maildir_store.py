"""MaildirStore: MailStore's API on real Maildir folders that survive a restart."""
import mailbox

from simulator.mail.imap_backend import StoreBackend
from simulator.mail.maildrop import StoreMaildrop
from simulator.mail.maildir_store import MaildirStore

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
    assert sorted(box.get_bytes(k) for k in box.keys())[0] in (MESSAGE, MESSAGE.replace(b"hi", b"two"))
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
