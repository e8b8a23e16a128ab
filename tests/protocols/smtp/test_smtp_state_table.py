"""The server obeys its state table: every state × command pair, generated and by hand."""
from __future__ import annotations

import pytest
from smtp_kit import Users, ask, make_server

from simulator.protocols.smtp import CLIENT_TRANSITIONS, COMMANDS, TRANSITIONS, ClientState, State
from simulator.protocols.smtp.states import CHUNK_READ, COMMAND_STATES

#: How to reach each state that reads commands.
ROUTES = {
    State.INIT: (),
    State.READY: ("EHLO client.test",),
    State.MAIL: ("EHLO client.test", "MAIL FROM:<s@client.test>"),
    State.RCPT: ("EHLO client.test", "MAIL FROM:<s@client.test>", "RCPT TO:<r@foo.com>"),
    # a first chunk of 4 octets, "ab" and the CRLF that ask() appends (RFC 3030 §2)
    State.BDAT: ("EHLO client.test", "MAIL FROM:<s@client.test>", "RCPT TO:<r@foo.com>",
                 "BDAT 4\r\nab"),
}

#: A form of each command that succeeds wherever the table allows it.
GOOD_FORM = {
    "HELO": "HELO client.test", "EHLO": "EHLO client.test",
    "MAIL": "MAIL FROM:<other@client.test>", "RCPT": "RCPT TO:<more@foo.com>",
    "DATA": "DATA", "RSET": "RSET", "NOOP": "NOOP", "QUIT": "QUIT", "VRFY": "VRFY someone",
    "HELP": "HELP", "STARTTLS": "STARTTLS", "AUTH": "AUTH LOGIN", "BDAT": "BDAT 4\r\nab",
}


def server_in(state: State):
    server = make_server(Users(), starttls=True, offer_auth=True,
                         extensions_on={"CHUNKING", "BINARYMIME"})
    ask(server, *ROUTES[state])
    assert server.state is state
    return server


PAIRS = [(s, v) for s in sorted(COMMAND_STATES, key=list(State).index) for v in COMMANDS]


@pytest.mark.parametrize("state,verb", PAIRS, ids=[f"{s.value}-{v}" for s, v in PAIRS])
def test_every_state_and_command_follows_the_table(state, verb):
    server = server_in(state)
    (reply,) = ask(server, GOOD_FORM[verb])
    if verb in TRANSITIONS[state]:
        assert reply.code < 400, reply
        after = TRANSITIONS[state][verb]
        if after is State.CHUNK:             # the chunk's octets were read too
            after = TRANSITIONS[after][CHUNK_READ]
        assert server.state is after
    else:
        assert reply.code == 503
        assert server.state is state
        if state is not State.INIT:          # enhanced codes only after EHLO (RFC 2034)
            assert reply.enhanced == "5.5.1"
    assert_flags_follow_state(server)


def assert_flags_follow_state(server):
    # ``closed`` and ``awaiting_tls`` are attributes the engine sets, not read from the state.
    assert server.closed is (server.state is State.CLOSED)
    assert server.awaiting_tls is (server.state is State.TLS)


def test_flags_follow_the_tls_handshake_and_a_hang_up():
    server = server_in(State.READY)
    ask(server, "STARTTLS")
    assert server.awaiting_tls and server.state is State.TLS
    server.tls_started()
    assert_flags_follow_state(server)
    server = server_in(State.READY)
    ask(server, "STARTTLS")
    server.receive_data(b"")                 # the client hung up instead of the handshake
    assert_flags_follow_state(server)
    assert server.closed


def test_table_covers_every_state_and_only_known_targets():
    assert set(TRANSITIONS) == set(State)
    for moves in TRANSITIONS.values():
        assert all(isinstance(target, State) for target in moves.values())
    assert set(CLIENT_TRANSITIONS) == set(ClientState)
    for moves in CLIENT_TRANSITIONS.values():
        assert all(isinstance(target, ClientState) for target in moves.values())


def test_commands_allowed_anywhere_per_rfc5321_4_1_4():
    for state in COMMAND_STATES:
        assert {"NOOP", "HELP", "VRFY", "RSET", "QUIT"} <= set(TRANSITIONS[state])


# --- a few pairs by hand, so that a wrong table cannot pass silently ----------------

def test_mail_before_helo_is_a_bad_sequence():
    server = server_in(State.INIT)
    (reply,) = ask(server, "MAIL FROM:<a@b.test>")
    assert (reply.code, server.state) == (503, State.INIT)


def test_data_needs_a_recipient():
    server = server_in(State.MAIL)
    (reply,) = ask(server, "DATA")
    assert (reply.code, reply.enhanced, server.state) == (503, "5.5.1", State.MAIL)


def test_rcpt_before_mail_is_a_bad_sequence():
    server = server_in(State.READY)
    (reply,) = ask(server, "RCPT TO:<r@foo.com>")
    assert (reply.code, reply.enhanced, server.state) == (503, "5.5.1", State.READY)


def test_second_mail_inside_a_transaction_is_refused():
    server = server_in(State.RCPT)
    (reply,) = ask(server, "MAIL FROM:<x@y.test>")
    assert (reply.code, server.state) == (503, State.RCPT)
    assert server.envelope.mail_from.mailbox == "s@client.test"


def test_data_after_rcpt_gives_354_and_reads_content():
    server = server_in(State.RCPT)
    (reply,) = ask(server, "DATA")
    assert (reply.code, server.state) == (354, State.DATA)
    ask(server, "MAIL FROM:<not-a-command@x.test>", ".")
    assert server.state is State.READY


def test_rset_in_rcpt_forgets_the_transaction_but_not_the_helo():
    server = server_in(State.RCPT)
    ask(server, "RSET")
    assert server.state is State.READY
    assert server.envelope.rcpt_to == [] and server.envelope.helo == "client.test"


def test_ehlo_inside_a_transaction_resets_it():
    server = server_in(State.RCPT)
    ask(server, "EHLO again.test")
    assert server.state is State.READY and server.envelope.mail_from is None


def test_quit_from_init_closes():
    server = server_in(State.INIT)
    (reply,) = ask(server, "QUIT")
    assert (reply.code, server.state, server.closed) == (221, State.CLOSED, True)


def test_refused_command_leaves_state_even_when_allowed():
    server = server_in(State.READY)
    (reply,) = ask(server, "MAIL FROM:<broken@>")
    assert (reply.code, server.state) == (501, State.READY)


def test_engine_reads_the_table_itself(monkeypatch):
    # One source of truth: take VRFY out of READY and the engine refuses it.
    monkeypatch.delitem(TRANSITIONS[State.READY], "VRFY")
    server = server_in(State.READY)
    (reply,) = ask(server, "VRFY someone")
    assert reply.code == 503


def test_closed_session_ignores_further_bytes():
    server = server_in(State.INIT)
    ask(server, "QUIT")
    assert server.receive_data(b"NOOP\r\n") == []
    assert server.data_to_send() == b""
