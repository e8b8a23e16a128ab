"""Every state x command pair, generated from the table the engine enforces."""
import pytest
from pop3_kit import RFC_TIMESTAMP, new_server, say

from simulator.locale import has
from simulator.protocols.pop3 import states as S

#: A well-formed example of each command, so only the state decides the answer.
EXAMPLES = {
    "USER": "USER mrose", "PASS": "PASS secret",
    "APOP": "APOP mrose c4c9334bac560ecc979e58001b3e22fb", "STAT": "STAT", "LIST": "LIST",
    "RETR": "RETR 1", "DELE": "DELE 1", "NOOP": "NOOP", "RSET": "RSET", "QUIT": "QUIT",
    "TOP": "TOP 1 2", "UIDL": "UIDL", "CAPA": "CAPA", "STLS": "STLS", "LAST": "LAST",
}

#: How to bring a fresh session into each state a client can talk in.
SETUP = {
    S.AUTHORIZATION: [],
    S.AUTHORIZATION_USER: ["USER mrose"],
    S.TRANSACTION: ["USER mrose", "PASS secret"],
    S.TLS: ["STLS"],
}


def _server_in(state):
    server = new_server(apop_timestamp=RFC_TIMESTAMP, historical=True, stls=True)
    for line in SETUP[state]:
        say(server, line)
    assert server.state == state
    return server


PAIRS = [(state, verb) for state in SETUP for verb in S.ALL_COMMANDS]


@pytest.mark.parametrize("state,verb", PAIRS, ids=[f"{s}-{v}" for s, v in PAIRS])
def test_state_command_pair(state, verb):
    server = _server_in(state)
    reply = say(server, EXAMPLES[verb])
    tr = S.transition(state, verb)
    if tr is None:
        assert reply.startswith(f"-ERR {verb} is not allowed in the {state} state".encode())
        assert server.state == state
    else:
        assert reply.startswith(b"+OK"), reply
        assert server.state == (S.CLOSED if tr.on_ok == S.UPDATE else tr.on_ok)


def test_every_state_and_command_is_explained_in_both_languages():
    for lang in ("ru", "en"):
        assert all(has(f"pop3.state.{s}", lang) for s in (*S.STATES, S.GREETING))
        assert all(has(f"pop3.cmd.{v}", lang) for v in S.ALL_COMMANDS)


def test_every_catalogue_reply_is_explained():
    from simulator.protocols.pop3.replies import CATALOGUE
    for lang in ("ru", "en"):
        assert [n for n in CATALOGUE if not has(f"pop3.reply.{n}", lang)] == []


def test_table_is_plain_data_for_the_state_diagram():
    edges = S.edges()
    assert (S.AUTHORIZATION, S.AUTHORIZATION_USER, "USER") in edges
    assert (S.AUTHORIZATION_USER, S.TRANSACTION, "PASS") in edges
    assert (S.TRANSACTION, S.UPDATE, "QUIT") in edges
    assert (S.AUTHORIZATION, S.TLS, "STLS") in edges
    assert set(S.TABLE) == set(S.STATES)
    assert S.TABLE[S.UPDATE] == {} and S.TABLE[S.CLOSED] == {}


def test_wrong_state_reply_lists_what_is_allowed():
    server = new_server()
    reply = say(server, "STAT")
    assert reply == (b"-ERR STAT is not allowed in the AUTHORIZATION state "
                     b"(allowed: CAPA, USER, APOP, QUIT)\r\n")


def test_pass_before_user_is_refused_and_nothing_changes():
    server = new_server()
    assert say(server, "PASS secret").startswith(b"-ERR PASS is not allowed in the AUTHORIZATION")
    assert server.state == S.AUTHORIZATION
    say(server, "USER mrose")
    assert say(server, "PASS secret").startswith(b"+OK")


def test_failed_pass_returns_to_authorization_and_user_can_retry():
    server = new_server()
    say(server, "USER mrose")
    assert say(server, "PASS wrong") == b"-ERR [AUTH] invalid user name or password\r\n"
    assert server.state == S.AUTHORIZATION
    assert say(server, "PASS secret").startswith(b"-ERR PASS is not allowed")
    say(server, "USER mrose")
    assert say(server, "PASS secret").startswith(b"+OK")


def test_quit_in_authorization_closes_without_update(backend):
    server = new_server(backend)
    assert say(server, "QUIT") == b"+OK dewey POP3 server signing off\r\n"
    assert server.closed and len(backend.messages("mrose")) == 2


def test_closed_session_ignores_further_bytes():
    server = new_server()
    say(server, "QUIT")
    assert server.receive_data(b"NOOP\r\n") == [] and server.data_to_send() == b""


def test_transcript_records_state_before_and_after():
    server = new_server()
    server.take_transcript()
    say(server, "USER mrose")
    say(server, "PASS secret")
    say(server, "QUIT")
    steps = [(u.direction, u.state_before, u.state_after, u.explain)
             for u in server.take_transcript()]
    assert steps == [
        ("c2s", "AUTHORIZATION", "AUTHORIZATION_USER", "pop3.cmd.USER"),
        ("s2c", "AUTHORIZATION_USER", "AUTHORIZATION_USER", "pop3.reply.user_ok"),
        ("c2s", "AUTHORIZATION_USER", "TRANSACTION", "pop3.cmd.PASS"),
        ("s2c", "TRANSACTION", "TRANSACTION", "pop3.reply.login_ok"),
        ("c2s", "TRANSACTION", "UPDATE", "pop3.cmd.QUIT"),
        ("s2c", "UPDATE", "CLOSED", "pop3.reply.quit_update"),
    ]
