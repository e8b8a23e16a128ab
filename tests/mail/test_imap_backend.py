"""StoreBackend: the MailStore seen through the IMAP backend protocol."""
from __future__ import annotations

import pytest

from simulator.mail.imap_backend import StoreBackend
from simulator.mail.store import MailStore
from simulator.protocols.imap import BackendError, IMAPConfig, IMAPServer, MailboxHub


@pytest.fixture
def backend() -> StoreBackend:
    store = MailStore()
    store.add_user("bob@example.org", "secret")
    store.add_user("carol@example.org", "pw")
    store.add_user("team@example.org", "")
    return StoreBackend(store, shared="team@example.org")


def test_authenticate_by_local_part(backend):
    assert backend.authenticate("bob", "secret") == "bob@example.org"
    assert backend.authenticate("bob", "nope") is None


def test_special_use_and_inbox_first(backend):
    boxes = backend.mailboxes("bob@example.org")
    assert boxes[0].name == "INBOX"
    assert {b.name: b.special_use for b in boxes}["Sent"] == "\\Sent"


def test_create_makes_parents_and_refuses_duplicates(backend):
    backend.create("bob@example.org", "a/b/c")
    names = {b.name for b in backend.mailboxes("bob@example.org")}
    assert {"a", "a/b", "a/b/c"} <= names
    with pytest.raises(BackendError) as err:
        backend.create("bob@example.org", "a/b")
    assert err.value.reply == "mailbox_exists"


def test_append_expunge_and_flags(backend):
    record = backend.append("bob@example.org", "INBOX", b"Subject: x\n\nhi\n", ["\\Seen"], None)
    assert record.uid == 1 and record.data.endswith(b"\r\n")
    backend.set_flags("bob@example.org", "INBOX", 1, {"\\Deleted"})
    assert backend.messages("bob@example.org", "INBOX")[0].flags == {"\\Deleted"}
    assert backend.expunge("bob@example.org", "INBOX", [1]) == [1]
    assert backend.mailbox("bob@example.org", "INBOX").uidnext == 2


def test_append_to_missing_mailbox_says_trycreate(backend):
    with pytest.raises(BackendError) as err:
        backend.append("bob@example.org", "Nowhere", b"x", [], None)
    assert err.value.reply == "no_mailbox_trycreate"


def test_shared_namespace_is_one_mailbox_for_two_users(backend):
    backend.create("bob@example.org", "Shared/Team")
    bob = backend.mailbox("bob@example.org", "Shared/Team")
    carol = backend.mailbox("carol@example.org", "Shared/Team")
    assert bob.key == carol.key == "team@example.org/Team"
    assert backend.namespaces("bob@example.org")[2] == [("Shared/", "/")]


def test_two_users_see_each_other_in_the_shared_folder(backend):
    backend.create("bob@example.org", "Shared/Team")
    hub = MailboxHub()
    config = IMAPConfig(hostname="imap.example.org")
    sessions = []
    for user, password in (("bob", "secret"), ("carol", "pw")):
        server = IMAPServer(config, backend, hub, session_id=user)
        server.initiate()
        server.receive_data(f"L LOGIN {user} {password}\r\nS SELECT Shared/Team\r\n".encode())
        server.data_to_send()
        sessions.append(server)
    bob, carol = sessions
    carol.receive_data(b"I IDLE\r\n")
    carol.data_to_send()
    bob.receive_data(b"A APPEND Shared/Team {10+}\r\nSubject: x\r\n")
    assert b"A OK [APPENDUID" in bob.data_to_send()
    assert carol.data_to_send().startswith(b"* 1 EXISTS")
