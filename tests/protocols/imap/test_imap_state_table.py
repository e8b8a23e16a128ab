"""Every state x command pair, generated from the table (RFC 3501 §3, §6)."""
from __future__ import annotations

import pytest
from imap_kit import World, lines, say

from simulator.protocols.imap import states as S

#: A well-formed example of every command, so that only the state decides.
EXAMPLES = {
    "CAPABILITY": "CAPABILITY", "NOOP": "NOOP", "LOGOUT": "LOGOUT", "STARTTLS": "STARTTLS",
    "LOGIN": "LOGIN bob secret", "AUTHENTICATE": "AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ=",
    "ENABLE": "ENABLE IMAP4rev2", "ID": "ID NIL", "SELECT": "SELECT INBOX", "EXAMINE": "EXAMINE INBOX",
    "CREATE": "CREATE Projects", "DELETE": "DELETE Junk", "RENAME": "RENAME Drafts Old",
    "SUBSCRIBE": "SUBSCRIBE Sent", "UNSUBSCRIBE": "UNSUBSCRIBE Sent", "LIST": 'LIST "" *',
    "LSUB": 'LSUB "" *', "NAMESPACE": "NAMESPACE", "STATUS": "STATUS INBOX (MESSAGES)",
    "APPEND": "APPEND INBOX {12+}\r\nSubject: x\r\n", "IDLE": "IDLE", "CHECK": "CHECK",
    "CLOSE": "CLOSE", "UNSELECT": "UNSELECT", "EXPUNGE": "EXPUNGE", "SEARCH": "SEARCH ALL",
    "FETCH": "FETCH 1 FLAGS", "STORE": "STORE 1 +FLAGS \\Flagged", "COPY": "COPY 1 Trash",
    "MOVE": "MOVE 1 Trash", "UID FETCH": "UID FETCH 1 FLAGS",
    "UID STORE": "UID STORE 1 +FLAGS \\Flagged", "UID SEARCH": "UID SEARCH ALL",
    "UID COPY": "UID COPY 1 Trash", "UID MOVE": "UID MOVE 1 Trash", "UID EXPUNGE": "UID EXPUNGE 1",
}
REACHABLE = (S.NOT_AUTHENTICATED, S.AUTHENTICATED, S.SELECTED)


def session_in(state: str):
    world = World(messages=2, starttls=True)
    return world.session(login=state != S.NOT_AUTHENTICATED,
                         select="INBOX" if state == S.SELECTED else None)


def test_every_command_has_an_example():
    assert set(EXAMPLES) == set(S.ALL_COMMANDS)


@pytest.mark.parametrize("state", REACHABLE)
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_state_command_pair(state, name):
    server = session_in(state)
    assert server.state == state
    out = lines(say(server, "T1 " + EXAMPLES[name]))
    allowed = S.transition(state, name) is not None
    if not allowed:
        assert out == [f"T1 BAD {name} is not allowed in the {state} state"]
        assert server.state == state
        return
    assert not any(x.startswith("T1 BAD") for x in out), out
    transition = S.transition(state, name)
    ok = any(x.startswith("T1 OK") for x in out)
    if name == "IDLE":
        assert out[-1] == "+ idling" and server.state == S.IDLE
    elif ok:
        expected = transition.on_ok
        assert server.state == expected, (out, server.state)
    else:
        assert server.state == transition.on_failure


@pytest.mark.parametrize("state", REACHABLE)
def test_unknown_command_is_bad_in_every_state(state):
    server = session_in(state)
    assert lines(say(server, "T1 FROBNICATE")) == ["T1 BAD Unknown command FROBNICATE"]


def test_idle_accepts_only_done():
    server = session_in(S.SELECTED)
    say(server, "I1 IDLE")
    assert lines(say(server, "DONE")) == ["I1 OK IDLE completed"]
    assert server.state == S.SELECTED
    say(server, "I2 IDLE")
    assert lines(say(server, "I3 NOOP")) == ["I2 BAD Expected DONE to end IDLE"]
    assert server.state == S.SELECTED


def test_failed_select_leaves_selected_state():
    """RFC 3501 §6.3.1: a failed SELECT closes the mailbox that was selected."""
    server = session_in(S.SELECTED)
    out = lines(say(server, "T1 SELECT Nowhere"))
    assert out == ["T1 NO [NONEXISTENT] Mailbox Nowhere does not exist"]
    assert server.state == S.AUTHENTICATED and server.view is None


def test_starttls_waits_for_the_handshake_and_forgets_clear_text():
    server = session_in(S.NOT_AUTHENTICATED)
    out = lines(say(server, "T1 STARTTLS\r\nT2 LOGIN bob secret"))
    assert out == ["T1 OK Begin TLS negotiation now"]
    assert server.state == S.TLS
    assert say(server, "T3 NOOP") == ""
    server.tls_started()
    assert server.state == S.NOT_AUTHENTICATED
    caps = lines(say(server, "T4 CAPABILITY"))[0]
    assert "STARTTLS" not in caps


def test_login_disabled_before_tls():
    world = World(login_requires_tls=True, starttls=True)
    server = world.session()
    assert "LOGINDISABLED" in say(server, "T1 CAPABILITY")
    assert "[PRIVACYREQUIRED]" in say(server, "T2 LOGIN bob secret")
    assert server.state == S.NOT_AUTHENTICATED


def test_authenticate_plain_with_continuation_and_cancel():
    server = session_in(S.NOT_AUTHENTICATED)
    assert say(server, "A1 AUTHENTICATE PLAIN") == "+ \r\n"
    assert server.state == S.SASL
    assert lines(say(server, "*")) == ["A1 BAD AUTHENTICATE cancelled"]
    assert server.state == S.NOT_AUTHENTICATED
    say(server, "A2 AUTHENTICATE PLAIN")
    out = lines(say(server, "AGJvYgBzZWNyZXQ="))
    assert out[0].startswith("A2 OK [CAPABILITY") and server.state == S.AUTHENTICATED


def test_wrong_password_is_no():
    server = session_in(S.NOT_AUTHENTICATED)
    assert lines(say(server, "A1 LOGIN bob wrong")) == [
        "A1 NO [AUTHENTICATIONFAILED] Invalid credentials"]
    assert server.state == S.NOT_AUTHENTICATED


def test_edges_are_drawn_from_the_table():
    edges = S.edges()
    assert (S.NOT_AUTHENTICATED, S.AUTHENTICATED, "LOGIN") in edges
    assert (S.SELECTED, S.AUTHENTICATED, "CLOSE") in edges
    assert all(state in S.STATES or state == S.PREVIOUS for edge in edges for state in edge[:2])
