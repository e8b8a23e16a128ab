"""POP2 (RFC 937) engines, and the same mailbox read by POP2 and by POP3."""
import pytest
from engine_pump import pump

from simulator.locale import has
from simulator.protocols.pop2 import POP2Client, POP2Config, POP2Server
from simulator.protocols.pop2 import states as S
from simulator.protocols.pop2.replies import CATALOGUE
from simulator.protocols.pop3 import MemoryMaildrops, POP3Client, POP3Config, POP3Server

FIRST = b"From: Jon Postel <postel@usc-isif.arpa>\r\nSubject: one\r\n\r\n.leading dot\r\nend\r\n"
SECOND = b"From: Joyce Reynolds <jkrey@usc-isif.arpa>\r\nSubject: two\r\n\r\nbye\r\n"


def _backend():
    backend = MemoryMaildrops()
    backend.add_user("POSTEL", "SECRET")
    backend.add_message("POSTEL", FIRST, uid="m1")
    backend.add_message("POSTEL", SECOND, uid="m2")
    return backend


def _server(backend, session_id="p2"):
    server = POP2Server(POP2Config("USC-ISIF.ARPA"), backend, session_id=session_id)
    server.initiate()
    return server


def _say(server, line, bytewise=False):
    raw = line.encode() + b"\r\n"
    for chunk in ([raw[i:i + 1] for i in range(len(raw))] if bytewise else [raw]):
        server.receive_data(chunk)
    return server.data_to_send()


def _pump(client, server):
    pump(client, server)


@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
def test_rfc_937_style_session_read_ack_delete_quit(bytewise):
    """HELO, READ, RETR, ACKD ... QUIT, with the replies RFC 937 defines (+ # = -)."""
    backend = _backend()
    server = _server(backend)
    assert server.data_to_send() == b"+ POP2 USC-ISIF.ARPA server ready\r\n"
    assert _say(server, "HELO POSTEL SECRET", bytewise) == b"#2 messages in INBOX\r\n"
    assert _say(server, "READ", bytewise) == f"={len(FIRST)} octets in message 1\r\n".encode()
    assert _say(server, "RETR", bytewise) == FIRST             # exactly ccc octets, no dot
    assert _say(server, "ACKD", bytewise) == f"={len(SECOND)} octets in message 2\r\n".encode()
    assert _say(server, "RETR", bytewise) == SECOND
    assert _say(server, "ACKS", bytewise) == b"=0 no message 3\r\n"
    assert len(backend.messages("POSTEL")) == 2                # ACKD applies on leaving
    assert _say(server, "QUIT", bytewise) == b"+ USC-ISIF.ARPA POP2 server signing off\r\n"
    assert server.closed and backend.messages("POSTEL") == [("m2", SECOND)]


def test_nack_keeps_the_same_message_current():
    server = _server(_backend())
    server.data_to_send()
    _say(server, "HELO POSTEL SECRET")
    _say(server, "READ 2")
    _say(server, "RETR")
    assert _say(server, "NACK") == f"={len(SECOND)} octets in message 2\r\n".encode()
    assert _say(server, "RETR") == SECOND


def test_bad_helo_is_answered_minus_and_the_server_hangs_up():
    server = _server(_backend())
    server.data_to_send()
    assert _say(server, "HELO POSTEL WRONG") == b"- invalid user name or password, goodbye\r\n"
    assert server.closed and server.state == S.DONE


def test_wrong_state_and_unknown_commands_get_minus_and_nothing_changes():
    server = _server(_backend())
    server.data_to_send()
    assert _say(server, "RETR") == b"- RETR is not allowed in the AUTH state (allowed: HELO, QUIT)\r\n"
    _say(server, "HELO POSTEL SECRET")
    assert _say(server, "ACKD").startswith(b"- ACKD is not allowed in the MBOX state")
    assert _say(server, "LIST") == b"- unknown command 'LIST'\r\n"
    assert _say(server, "READ x") == b"- READ: 'x' is not a message number\r\n"
    assert server.state == S.MBOX


def test_retr_of_a_missing_message_is_refused():
    server = _server(_backend())
    server.data_to_send()
    _say(server, "HELO POSTEL SECRET")
    assert _say(server, "READ 9") == b"=0 no message 9\r\n"
    assert _say(server, "RETR") == b"- no message 9 to retrieve\r\n"
    assert server.state == S.ITEM


def test_fold_selects_another_mailbox_and_applies_deletions():
    backend = _backend()
    server = _server(backend)
    server.data_to_send()
    _say(server, "HELO POSTEL SECRET")
    _say(server, "READ")
    _say(server, "RETR")
    _say(server, "ACKD")
    assert _say(server, "FOLD archive") == b"#0 messages in archive\r\n"
    assert [uid for uid, _ in backend.messages("POSTEL")] == ["m2"]


def test_dropped_connection_deletes_nothing_and_unlocks():
    backend = _backend()
    server = _server(backend)
    server.data_to_send()
    _say(server, "HELO POSTEL SECRET")
    _say(server, "READ")
    _say(server, "RETR")
    _say(server, "ACKD")
    server.receive_data(b"")
    assert len(backend.messages("POSTEL")) == 2 and backend.locked_by("POSTEL") is None


def test_client_reads_everything_and_deletes_with_ackd():
    backend = _backend()
    client = POP2Client("POSTEL", "SECRET", delete=True)
    _pump(client, _server(backend))
    assert client.result.count == 2
    assert client.result.messages == {1: FIRST, 2: SECOND}
    assert client.result.sizes == {1: len(FIRST), 2: len(SECOND)}
    assert client.result.quit_ok and backend.messages("POSTEL") == []
    assert client.state == S.EXIT


def test_client_fed_byte_by_byte_counts_octets_correctly():
    backend = _backend()
    client = POP2Client("POSTEL", "SECRET")
    server = _server(backend)
    pump(client, server, bytewise=True)
    assert client.result.messages == {1: FIRST, 2: SECOND}
    assert len(backend.messages("POSTEL")) == 2                # ACKS keeps them


def test_same_mailbox_read_by_pop2_and_pop3_gives_the_same_content():
    backend = _backend()
    pop2 = POP2Client("POSTEL", "SECRET")
    _pump(pop2, _server(backend))
    pop3 = POP3Client("POSTEL", "SECRET", script=["RETR 1", "RETR 2", "QUIT"])
    server3 = POP3Server(POP3Config("dog-house"), backend, session_id="p3")
    server3.initiate()
    _pump(pop3, server3)
    assert pop2.result.messages == pop3.result.messages
    assert pop2.result.sizes == {1: len(FIRST), 2: len(SECOND)}


def test_pop2_and_pop3_share_the_maildrop_lock():
    backend = _backend()
    server2 = _server(backend)
    server2.data_to_send()
    _say(server2, "HELO POSTEL SECRET")
    server3 = POP3Server(POP3Config("dog-house"), backend, session_id="p3")
    server3.initiate()
    server3.receive_data(b"USER POSTEL\r\nPASS SECRET\r\n")
    assert b"-ERR [IN-USE]" in server3.data_to_send()


def test_tables_and_texts():
    assert set(S.TABLE) == set(S.STATES)
    assert (S.ITEM, S.NEXT, "RETR") in S.edges()
    for lang in ("ru", "en"):
        assert all(has(f"pop2.state.{s}", lang) for s in (*S.STATES, *S.CLIENT_STATES))
        assert all(has(f"pop2.cmd.{v}", lang) for v in S.ALL_COMMANDS)
        assert all(has(f"pop2.reply.{n}", lang) for n in CATALOGUE)


def test_every_transcript_step_is_explained():
    backend = _backend()
    client = POP2Client("POSTEL", "SECRET", delete=True)
    server = _server(backend)
    _pump(client, server)
    for step in [*server.take_transcript(), *client.take_transcript()]:
        assert has(step.explain, "ru") and has(step.explain, "en"), step.explain
