"""The maildrop lock, the UPDATE state, dropped connections, repeated bad logins, STLS."""
import pytest
from pop3_kit import feed, new_server, say

from simulator.protocols._base import LocalProtocolError
from simulator.protocols.pop3 import (
    AuthenticationFailed,
    ConnectionClosed,
    MaildropUpdated,
    POP3Config,
    POP3Server,
    TLSRequested,
)


def _second(backend, session_id="s2"):
    server = POP3Server(POP3Config("dewey"), backend, session_id=session_id)
    server.initiate()
    server.data_to_send()
    return server


def _login(server):
    say(server, "USER mrose")
    return say(server, "PASS secret")


def test_second_session_gets_in_use_while_the_first_holds_the_lock(backend):
    first = new_server(backend)
    _login(first)
    second = _second(backend)
    say(second, "USER mrose")
    second.receive_data(b"PASS secret\r\n")
    assert second.data_to_send() == b"-ERR [IN-USE] maildrop mrose is locked by another session\r\n"
    assert second.state == "AUTHORIZATION"


def test_lock_is_released_on_quit(backend):
    first = new_server(backend)
    _login(first)
    say(first, "QUIT")
    assert backend.locked_by("mrose") is None
    assert _login(_second(backend)).startswith(b"+OK")


def test_dropped_connection_deletes_nothing_and_releases_the_lock(backend):
    first = new_server(backend)
    _login(first)
    say(first, "DELE 1")
    say(first, "DELE 2")
    events = first.receive_data(b"")
    assert ConnectionClosed("peer-closed") in events and first.closed
    assert len(backend.messages("mrose")) == 2
    assert backend.locked_by("mrose") is None
    dropped = first.take_transcript()[-1]
    assert dropped.explain == "pop3.event.dropped" and dropped.params["marked"] == 2
    assert _login(_second(backend)).startswith(b"+OK mrose's maildrop has 2 messages")


def test_nothing_is_deleted_unless_quit_succeeds_in_transaction(backend):
    server = new_server(backend)
    _login(server)
    say(server, "DELE 1")
    say(server, "RSET")
    say(server, "DELE 2")
    assert len(backend.messages("mrose")) == 2
    events = server.receive_data(b"QUIT\r\n")
    assert MaildropUpdated(("QhdPYR:00WBw1Ph7x7",), 1) in events
    assert len(backend.messages("mrose")) == 1


def test_three_wrong_passwords_close_the_connection_with_an_explanation(backend):
    server = new_server(backend)
    for attempt in (1, 2):
        say(server, "USER mrose")
        assert say(server, "PASS nope") == b"-ERR [AUTH] invalid user name or password\r\n"
    say(server, "USER mrose")
    events = server.receive_data(b"PASS nope\r\n")
    assert server.data_to_send() == b"-ERR [AUTH] 3 failed logins, closing the connection\r\n"
    assert server.closed
    assert AuthenticationFailed("mrose", "too-many") in events
    assert ConnectionClosed("too-many-failures") in events
    assert server.take_transcript()[-1].explain == "pop3.reply.too_many_failures"


def test_failure_limit_is_configurable(backend):
    server = new_server(backend, max_failures=1)
    say(server, "USER mrose")
    assert say(server, "PASS nope").startswith(b"-ERR [AUTH] 1 failed logins")
    assert server.closed


def test_unknown_user_is_refused_only_after_pass(backend):
    server = new_server(backend)
    assert say(server, "USER nobody").startswith(b"+OK")
    assert say(server, "PASS secret").startswith(b"-ERR [AUTH]")


def test_stls_then_handshake_then_authorization_afresh(backend):
    server = new_server(backend, stls=True)
    events = server.receive_data(b"STLS\r\nUSER injected\r\n")
    assert server.data_to_send() == b"+OK Begin TLS negotiation\r\n"
    assert TLSRequested() in events and server.state == "TLS"
    stls_step = next(u for u in server.take_transcript() if u.explain == "pop3.cmd.STLS")
    assert stls_step.params["discarded"] == len(b"USER injected\r\n")   # no plaintext injection
    server.tls_started()
    assert server.state == "AUTHORIZATION"
    assert say(server, "PASS secret").startswith(b"-ERR PASS is not allowed")
    assert say(server, "STLS") == b"-ERR TLS is already active\r\n"
    assert _login(server).startswith(b"+OK")


def test_stls_is_refused_when_not_offered(backend):
    server = new_server(backend)
    assert say(server, "STLS") == b"-ERR unknown command 'STLS'\r\n"


def test_tls_started_outside_tls_state_is_a_local_error(backend):
    server = new_server(backend)
    with pytest.raises(LocalProtocolError):
        server.tls_started()


def test_each_session_sees_the_maildrop_as_at_lock_time(backend):
    server = new_server(backend)
    _login(server)
    backend.add_message("mrose", b"Subject: late\r\n\r\nnew\r\n")   # arrives mid-session
    assert say(server, "STAT") == b"+OK 2 320\r\n"
    say(server, "QUIT")
    second = _second(backend)
    assert _login(second).startswith(b"+OK mrose's maildrop has 3 messages")


def test_bytes_after_quit_are_ignored(backend):
    server = new_server(backend)
    _login(server)
    wire = feed(server, b"QUIT\r\nDELE 1\r\n", bytewise=False)
    assert wire == b"+OK dewey POP3 server signing off (2 messages left)\r\n"
    assert len(backend.messages("mrose")) == 2


def test_plaintext_login_can_be_refused_until_stls(backend):
    server = new_server(backend, stls=True, plaintext_login=False)
    capa = say(server, "CAPA")
    assert b"\r\nUSER\r\n" not in capa and b"STLS" in capa        # RFC 2449 §6.5
    assert say(server, "USER mrose").startswith(b"-ERR [AUTH]")
    assert server.state == "AUTHORIZATION"
    assert say(server, "STLS").startswith(b"+OK")
    server.tls_started()
    assert b"\r\nUSER\r\n" in say(server, "CAPA")
    assert say(server, "USER mrose").startswith(b"+OK")
    assert say(server, "PASS secret").startswith(b"+OK")


def test_apop_stays_allowed_without_tls_when_plaintext_is_refused(backend):
    from simulator.protocols.pop3 import apop_digest
    stamp = "<1896.697170952@dbc.mtview.ca.us>"
    server = new_server(backend, plaintext_login=False, apop_timestamp=stamp)
    assert say(server, f"APOP mrose {apop_digest(stamp, 'tanstaaf')}").startswith(b"+OK")
