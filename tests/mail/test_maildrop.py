"""The mail store served over POP3 and POP2 through the StoreMaildrop adapter."""
from engine_pump import pump

from simulator.mail.maildrop import StoreMaildrop
from simulator.mail.store import MailStore
from simulator.protocols.pop2 import POP2Client, POP2Config, POP2Server
from simulator.protocols.pop3 import POP3Client, POP3Config, POP3Server

HELLO = b"From: bob@example.org\r\nSubject: hello\r\n\r\n.dot line\r\nbye\r\n"
LF_ONLY = b"From: carol@example.org\nSubject: lf\n\nbody\n"


def _store():
    store = MailStore()
    store.add_user("alice@example.org", "wonderland")
    store.deliver("alice@example.org", HELLO)
    store.deliver("alice@example.org", LF_ONLY)
    return store


def _pump(client, server):
    server.initiate()
    pump(client, server)


def _pop3(store, client, session_id="pop3", **config):
    _pump(client, POP3Server(POP3Config("mail.example.org", **config), StoreMaildrop(store),
                             session_id=session_id))


def test_pop3_reads_the_inbox_with_crlf_sizes():
    store = _store()
    client = POP3Client("alice", "wonderland", script=["STAT", "LIST", "UIDL", "RETR 1",
                                                        "RETR 2", "QUIT"])
    _pop3(store, client)
    res = client.result
    inbox = store.account("alice@example.org").inbox
    assert res.messages == {1: HELLO, 2: LF_ONLY.replace(b"\n", b"\r\n")}
    assert res.stat == (2, inbox.total_size)
    assert res.uidl == {1: f"{inbox.uidvalidity}.1", 2: f"{inbox.uidvalidity}.2"}


def test_delete_after_download_expunges_from_the_store_only_after_quit():
    store = _store()
    laptop = POP3Client("alice@example.org", "wonderland", leave_copy=False)
    _pop3(store, laptop)
    assert laptop.result.quit_ok
    assert store.account("alice@example.org").inbox.messages == []
    assert store.locked_by("alice@example.org") is None


def test_leave_a_copy_keeps_messages_and_uidl_skips_them_next_time():
    store = _store()
    phone = POP3Client("alice", "wonderland")
    _pop3(store, phone)
    store.deliver("alice@example.org", b"Subject: new\r\n\r\nnew\r\n")
    again = POP3Client("alice", "wonderland", seen_uids=phone.result.seen_uids)
    _pop3(store, again)
    assert len(store.account("alice@example.org").inbox.messages) == 3
    assert list(again.result.messages) == [3]


def test_store_lock_excludes_a_second_session():
    store = _store()
    store.lock("alice@example.org", "imap-session")
    client = POP3Client("alice", "wonderland")
    _pop3(store, client)
    assert client.result.responses[1].code == "IN-USE"


def test_apop_uses_the_account_password_as_shared_secret():
    store = _store()
    client = POP3Client("alice", "wonderland", use_apop=True, script=["STAT", "QUIT"])
    _pop3(store, client, apop_timestamp="<42.1@mail.example.org>")
    assert client.result.logged_in and client.result.stat[0] == 2


def test_wrong_password_and_unknown_user_are_refused():
    assert StoreMaildrop(_store()).check_password("alice", "nope") is None
    assert StoreMaildrop(_store()).apop_secret("nobody") is None


def test_pop2_and_pop3_see_the_same_store_content():
    store = _store()
    pop2 = POP2Client("alice", "wonderland")
    _pump(pop2, POP2Server(POP2Config("mail.example.org"), StoreMaildrop(store), session_id="p2"))
    pop3 = POP3Client("alice", "wonderland", script=["RETR 1", "RETR 2", "QUIT"])
    _pop3(store, pop3)
    assert pop2.result.messages == pop3.result.messages
