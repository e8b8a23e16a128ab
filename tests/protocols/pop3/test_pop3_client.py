"""The client engine: mail-reader behaviours over several sessions, parsing, transcript."""
import subprocess
import sys

import pytest
from engine_pump import pump
from pop3_kit import RFC_TIMESTAMP, rfc_backend

from simulator.locale import has
from simulator.protocols._base import RemoteProtocolError
from simulator.protocols.pop3 import (
    MessageDownloaded,
    POP3Client,
    POP3Config,
    POP3Server,
    TLSRequested,
)


def _session(backend, client, session_id="s", **config):
    server = POP3Server(POP3Config("dewey", **config), backend, session_id=session_id)
    server.initiate()
    pump(client, server)
    return server


def test_leave_a_copy_downloads_each_message_once_over_two_sessions():
    backend = rfc_backend()
    phone = POP3Client("mrose", "secret", leave_copy=True)
    _session(backend, phone)
    assert len(phone.result.downloaded) == 2 and len(backend.messages("mrose")) == 2
    backend.add_message("mrose", b"Subject: third\r\n\r\nhi\r\n", uid="third")
    again = POP3Client("mrose", "secret", leave_copy=True, seen_uids=phone.result.seen_uids)
    _session(backend, again)
    assert again.result.downloaded == ["third"]                 # the old two are skipped
    assert again.result.messages == {3: b"Subject: third\r\n\r\nhi\r\n"}
    assert again.result.seen_uids == {uid for uid, _ in backend.messages("mrose")}


def test_delete_after_download_empties_the_maildrop():
    backend = rfc_backend()
    laptop = POP3Client("mrose", "secret", leave_copy=False)
    _session(backend, laptop)
    assert len(laptop.result.downloaded) == 2
    assert laptop.result.deleted == [1, 2] and laptop.result.quit_ok
    assert backend.messages("mrose") == [] and laptop.result.seen_uids == set()


def test_phone_leaves_copies_and_laptop_deletes_what_it_had_seen():
    backend = rfc_backend()
    phone = POP3Client("mrose", "secret", leave_copy=True)
    _session(backend, phone, "phone")
    laptop = POP3Client("mrose", "secret", leave_copy=False)
    _session(backend, laptop, "laptop")
    assert laptop.result.downloaded == phone.result.downloaded
    assert backend.messages("mrose") == []
    phone2 = POP3Client("mrose", "secret", seen_uids=phone.result.seen_uids)
    _session(backend, phone2, "phone")
    assert phone2.result.downloaded == [] and phone2.result.seen_uids == set()


def test_download_events_carry_byte_exact_messages():
    backend = rfc_backend()
    client = POP3Client("mrose", "secret")
    server = POP3Server(POP3Config("dewey"), backend, session_id="s")
    server.initiate()
    events = []
    for _ in range(50):
        down = server.data_to_send()
        if down:
            events += client.receive_data(down)
        up = client.data_to_send()
        if up:
            server.receive_data(up)
        if not down and not up:
            break
    got = [e for e in events if isinstance(e, MessageDownloaded)]
    assert [e.data for e in got] == [data for _, data in backend.messages("mrose")]
    assert [e.uid for e in got] == [uid for uid, _ in backend.messages("mrose")]


def test_client_fed_byte_by_byte_gets_the_same_result():
    backend = rfc_backend()
    client = POP3Client("mrose", "secret", script=["LIST", "UIDL", "RETR 2", "TOP 1 0", "QUIT"])
    server = POP3Server(POP3Config("dewey"), backend, session_id="s")
    server.initiate()
    pump(client, server, bytewise=True)
    res = client.result
    assert res.listing == {1: 120, 2: 200}
    assert res.uidl == {1: "whqtswO00WBw418f9t5JxYwZ", 2: "QhdPYR:00WBw1Ph7x7"}
    assert res.messages[2] == backend.messages("mrose")[1][1]
    assert res.tops[1].endswith(b"\r\n\r\n") and res.quit_ok


def test_wrong_password_makes_the_client_quit():
    client = POP3Client("mrose", "bad")
    _session(rfc_backend(), client)
    assert not client.result.logged_in
    assert [r.verb for r in client.result.responses] == ["USER", "PASS", "QUIT"]
    assert client.result.responses[1].code == "AUTH"


def test_in_use_is_reported_to_the_client():
    backend = rfc_backend()
    backend.acquire("mrose", "someone-else")
    client = POP3Client("mrose", "secret")
    _session(backend, client)
    assert client.result.responses[1].code == "IN-USE"
    steps = client.take_transcript()
    assert any(u.explain == "pop3.reply.in_use" for u in steps)


def test_client_with_stls_waits_for_the_handshake():
    backend = rfc_backend()
    server = POP3Server(POP3Config("dewey", stls=True), backend, session_id="s")
    client = POP3Client("mrose", "secret", stls=True, script=["STAT", "QUIT"])
    server.initiate()
    client.receive_data(server.data_to_send())
    server.receive_data(client.data_to_send())           # STLS
    events = client.receive_data(server.data_to_send())
    assert TLSRequested() in events and client.state == "TLS"
    assert client.data_to_send() == b""                   # nothing in clear text now
    server.tls_started()
    client.tls_started()
    pump(client, server)
    assert client.result.stat == (2, 320) and client.result.quit_ok


def test_raw_script_without_login_replays_bad_input():
    client = POP3Client("mrose", "secret", login=False,
                        script=["PASS secret", "USER mrose", "PASS secret", "RETR 9", "QUIT"])
    _session(rfc_backend(), client)
    oks = [r.ok for r in client.result.responses]
    assert oks == [False, True, True, False, True]
    assert client.state == "CLOSED"


def test_client_transcript_keys_all_have_texts():
    client = POP3Client("mrose", "tanstaaf", use_apop=True, leave_copy=False)
    _session(rfc_backend(), client, apop_timestamp=RFC_TIMESTAMP)
    for step in client.take_transcript():
        assert has(step.explain, "ru") and has(step.explain, "en"), step.explain


def test_server_transcript_keys_all_have_texts():
    backend = rfc_backend()
    client = POP3Client("mrose", "secret", login=False, script=[
        "CAPA", "PASS x", "USER mrose", "PASS secret", "STAT", "LIST", "LIST 1", "UIDL",
        "UIDL 1", "TOP 1 1", "RETR 1", "DELE 1", "DELE 1", "RETR x", "RETR 9", "TOP 1",
        "NOOP", "RSET", "FROB", "QUIT"])
    server = _session(backend, client)
    for step in server.take_transcript():
        assert has(step.explain, "ru") and has(step.explain, "en"), step.explain


def test_garbage_from_the_server_is_a_remote_protocol_error():
    client = POP3Client("mrose", "secret")
    with pytest.raises(RemoteProtocolError):
        client.receive_data(b"220 this is SMTP\r\n")


def test_importing_pop3_loads_neither_asyncio_nor_socket():
    code = ("import sys, simulator.protocols.pop3, simulator.protocols.pop2; "
            "print([m for m in ('asyncio', 'socket') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
