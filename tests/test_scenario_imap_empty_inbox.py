"""The simulated mail program does not FETCH 1:* from an empty INBOX (issue 18): the
EXISTS of SELECT said there is nothing, and "1:*" would name no message (RFC 9051 §9),
so the server would answer BAD."""
from pathlib import Path

from simulator.network import simulate
from simulator.scenarios import load_text

LAB = Path(__file__).parent / "fixtures" / "labs" / "login-retry.yaml"


def test_an_empty_inbox_is_selected_but_not_fetched():
    # No message is sent, and the IMAP session follows the mail program's plan.
    text = LAB.read_text("utf-8").replace(
        "messages:\n  - {at: 0,", "messages: []\nunused:\n  - {at: 0,").replace(
        "unused:\n", "# ").replace(
        '    commands: ["SELECT INBOX", "FETCH 1 (FLAGS)"]\n', "")
    scenario = load_text(text, source="lab.yaml")
    assert scenario.messages == () and scenario.sessions[1].commands is None
    trace = simulate(scenario).trace
    imap = [s for s in trace if s.protocol == "IMAP" and s.direction != "internal"]
    assert any(s.line == "* 0 EXISTS" for s in imap)
    assert trace.find(protocol="IMAP", command="SELECT").reply.code == "OK"
    assert trace.find(protocol="IMAP", command="FETCH") is None
    assert not trace.exchanges(protocol="IMAP", code="BAD")
    assert trace.find(protocol="IMAP", command="LOGOUT").reply.code == "OK"


def test_a_mailbox_with_mail_is_still_fetched():
    text = LAB.read_text("utf-8").replace(
        '    commands: ["SELECT INBOX", "FETCH 1 (FLAGS)"]\n', "")
    trace = simulate(load_text(text, source="lab.yaml")).trace
    fetch = trace.find(protocol="IMAP", command="FETCH")
    assert fetch.command.line.split(" ", 2)[2].startswith("1:* (UID FLAGS RFC822.SIZE")
    assert fetch.reply.code == "OK"
