"""ProtocolConsole with IMAP in simulated mode: tags, untagged lines, literals, IDLE."""
import re

import pytest

from simulator.network.literal import LiteralTracker
from simulator.widgets.console import ProtocolConsole


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", html))


def type_and_send(console, command):
    console.command.value = command
    console.send.click()


@pytest.fixture
def imap():
    console = ProtocolConsole.simulated("imap-basic", "IMAP", lang="en")
    type_and_send(console, "a1 LOGIN bob@b.test bob-pw")
    return console


def test_greeting_login_and_the_state(imap):
    shown = text(imap.transcript.value)
    assert "S: * OK [CAPABILITY IMAP4rev1" in shown and "C: a1 LOGIN bob@b.test bob-pw" in shown
    assert "S: a1 OK" in shown
    assert "Server state: AUTHENTICATED" in text(imap.state.value)
    assert "SELECT" in imap.state.value and "APPEND" in imap.state.value
    assert bytes(imap.image.value[:5]) == b"<?xml"


def test_tagged_command_gets_untagged_data_then_its_tagged_completion(imap):
    type_and_send(imap, "a2 SELECT INBOX")
    type_and_send(imap, "a3 FETCH 1:* (FLAGS)")
    lines = [s.line for s in imap.steps]
    select = lines.index("a2 SELECT INBOX")
    assert lines[select + 1].startswith("* ") and "* 3 EXISTS" in lines
    done = next(i for i, line in enumerate(lines) if line.startswith("a2 OK"))
    assert all(line.startswith("* ") for line in lines[select + 1:done])
    assert lines[-1] == "a3 OK FETCH completed" and "* 1 FETCH (FLAGS (\\Recent))" in lines
    assert "Server state: SELECTED" in text(imap.state.value)


def test_append_with_a_synchronising_literal(imap):
    type_and_send(imap, "a2 APPEND INBOX {20}")
    assert imap.steps[-1].line.startswith("+ ")                 # the server asks for the octets
    assert imap.session.literal.collecting and imap.session.literal.left == 20
    assert "Literal: 20 of 20 octets still to type" in text(imap.state.value)
    type_and_send(imap, "Subject: hi")
    assert imap.session.literal.left == 7 and imap.pending[-1] == "Subject: hi"
    assert "C: Subject: hi" in text(imap.transcript.value)      # shown greyed while typed
    type_and_send(imap, "")
    type_and_send(imap, "hello")
    assert not imap.session.literal.busy and imap.pending == []
    assert re.match(r"a2 OK \[APPENDUID \d+ 4\] APPEND completed", imap.steps[-1].line)
    command = next(s for s in imap.steps if s.line.startswith("a2 APPEND"))
    assert command.raw == b"a2 APPEND INBOX {20}\r\nSubject: hi\r\n\r\nhello\r\n"
    type_and_send(imap, "a3 SELECT INBOX")
    assert "* 4 EXISTS" in [s.line for s in imap.steps]


def test_append_with_literal_plus_needs_no_continuation(imap):
    type_and_send(imap, "a2 APPEND INBOX {3+}")
    assert imap.session.literal.left == 3 and not imap.steps[-1].line.startswith("+")
    type_and_send(imap, "abc")
    assert imap.steps[-1].line.endswith("APPEND completed")


def test_the_hint_explains_tags_and_literals_in_both_languages(imap):
    assert "APPEND needs the message as a literal" in text(imap.state.value)
    assert "{N}" in text(imap.state.value)
    imap.language.value = "ru"
    assert "APPEND передаёт письмо литералом" in text(imap.state.value)


def test_idle_allows_done_and_logout_closes(imap):
    type_and_send(imap, "a2 SELECT INBOX")
    type_and_send(imap, "a3 IDLE")
    assert "Server state: IDLE" in text(imap.state.value)
    assert "Allowed here: DONE" in text(imap.state.value)
    type_and_send(imap, "DONE")
    assert imap.steps[-1].line == "a3 OK IDLE completed"
    type_and_send(imap, "a4 LOGOUT")
    assert "* BYE" in text(imap.transcript.value) and imap.session.closed
    assert imap.send.disabled


def test_a_wrong_state_command_is_refused_with_its_tag(imap):
    type_and_send(imap, "a2 FETCH 1 FLAGS")            # nothing selected yet
    assert imap.steps[-1].line.startswith("a2 BAD") or imap.steps[-1].line.startswith("a2 NO")


def test_literal_tracker_counts_octets_and_a_refused_literal():
    tracker = LiteralTracker()
    tracker.client_line("a1 APPEND INBOX {5}")
    assert tracker.busy and not tracker.collecting
    tracker.server_line("a1 NO [TOOBIG] too big")       # refused: back to commands
    assert not tracker.busy
    tracker.client_line('a2 LOGIN {3}')
    tracker.server_line("+ go on")
    tracker.client_line("bob {6}")                      # literal ends, a second one begins
    assert tracker.busy and not tracker.collecting and tracker.size == 6
    tracker.server_line("+ go on")
    tracker.client_line("bob-pw")
    assert not tracker.busy
