"""The "mistakes" built-ins (issue 11): what a server answers when a client gets it wrong,
each answer a real reply of the RFC with its own explanation in the trace."""
import pytest

from simulator.network import simulate
from simulator.scenarios import builtin_names, load

MISTAKES = ["imap-mistakes", "pop-mistakes", "smtp-mistakes"]


@pytest.fixture(scope="module")
def runs():
    return {name: simulate(load(name)) for name in MISTAKES}


def test_each_is_a_listed_builtin():
    assert set(MISTAKES) <= set(builtin_names())


def _explained(trace, key):
    return next(s for s in trace if s.explain == key)


def _answer(trace, line):
    """The tagged completion of the command sent as ``line`` (tag left out)."""
    command = next(s for s in trace if s.direction == "c2s" and s.line.partition(" ")[2] == line)
    tag = command.line.split()[0]
    return next(s for s in trace[trace.steps.index(command) + 1:]
                if s.conn == command.conn and s.line.startswith(tag + " "))


@pytest.mark.parametrize(("line", "reply", "note"), [
    ("FETCH 1(FLAGS)", "BAD", "imap.syntax.missing_space"),
    ("FETCH 4294967296 (FLAGS)", "BAD", "imap.syntax.number_too_big"),
    ("FETCH $1 (FLAGS)", "BAD", "imap.syntax.searchres"),
    ("SEARCH LARGER many", "BAD", "imap.syntax.expected_number"),
    ("FETCH 1 (FLAGS\x01)", "BAD", "imap.syntax.control_char"),
    ("APPEND Archive (\\Seen)", "BAD", "imap.syntax.append_literal"),
    ("FETCH 1:* (FLAGS)", "BAD", "imap.syntax.empty_mailbox"),
])
def test_a_syntax_error_is_bad_and_its_note_names_the_rule(runs, line, reply, note):
    answer = _answer(runs["imap-mistakes"].trace, line)
    assert answer.line.split()[1] == reply and note in answer.params["notes"]


def test_nesting_past_the_limit_is_refused_not_recursed(runs):
    trace = runs["imap-mistakes"].trace
    bad = {n for s in trace if s.line.split()[1:2] == ["BAD"] for n in s.params.get("notes", ())}
    assert {"imap.syntax.too_deep", "imap.syntax.search_too_deep"} <= bad


@pytest.mark.parametrize(("line", "start"), [
    ('CREATE "&Jjo"', "NO [CANNOT]"),
    ("RENAME Shared/Team Mine", "NO [NOPERM]"),
    ("UID COPY 99 Archive", "OK UID COPY completed: no messages"),
    ("STORE 1:3 +FLAGS (\\Seen)", "NO [EXPUNGEISSUED]"),
])
def test_what_cannot_be_done_is_no_with_a_response_code(runs, line, start):
    answer = _answer(runs["imap-mistakes"].trace, line)
    assert answer.line.split(" ", 1)[1].startswith(start)


def test_a_tag_used_twice_is_refused_and_the_first_command_still_completes(runs):
    trace = runs["imap-mistakes"].trace
    b1 = [s.line for s in trace if s.line.startswith("B1 ")]
    assert b1 == ["B1 FETCH 1 (FLAGS)", "B1 NOOP",
                  "B1 BAD Tag B1 is already in use by a command in progress",
                  "B1 OK FETCH completed"]


def test_pipelined_commands_keep_their_order_and_the_trace_says_why(runs):
    notes = {n for s in runs["imap-mistakes"].trace for n in s.params.get("notes", ())}
    assert {"imap.order.data", "imap.order.barrier",
            "imap.order.sequence_after_expunge"} <= notes


def test_the_laptop_is_told_bye_when_the_phone_deletes_its_selected_mailbox(runs):
    result = runs["imap-mistakes"]
    bye = _explained(result.trace, "imap.reply.bye_mailbox_gone")
    assert bye.line == "* BYE Mailbox Work was deleted or renamed; please log in again"
    assert "Work" not in result.store.account("bob@b.test").folders


def test_a_wrong_password_stops_the_script_and_the_summary_says_so(runs):
    refused = _explained(runs["imap-mistakes"].trace, "imap.client.refused")
    assert refused.params["notes"] == ["pop.session.unsent"]


def test_pop3_stls_after_the_login_and_a_missing_message_are_err(runs):
    lines = [s.line for s in runs["pop-mistakes"].trace.filter(conn="c3")]
    assert lines[lines.index("STLS", 3) + 1].startswith("-ERR STLS is not allowed in the TRANSACTION")
    assert lines[lines.index("RETR 7") + 1] == "-ERR no such message, only 2 messages in maildrop"


def test_two_wrong_passwords_are_counted_and_the_script_is_not_sent(runs):
    refused = _explained(runs["pop-mistakes"].trace, "pop.session.refused")
    assert refused.params["attempts"] == 2 and refused.params["unsent"] == 2
    assert refused.params["notes"] == ["pop.session.attempts", "pop.session.unsent"]


def test_a_broken_connection_before_quit_deletes_nothing(runs):
    result = runs["pop-mistakes"]
    dropped = [s for s in result.trace if s.explain == "pop.session.dropped"]
    assert [s.params["deleted"] for s in dropped] == [0, 0]
    assert len(result.store.account("bob@b.test").inbox.messages) == 2   # DELE 1 undone


def test_pop2_meets_the_lock_of_a_pop3_session(runs):
    in_use = _explained(runs["pop-mistakes"].trace, "pop2.reply.in_use")
    assert in_use.line == "- mailbox bob@b.test is locked by another session, goodbye"


def test_each_undeliverable_message_comes_back_with_the_status_of_its_cause(runs):
    result = runs["smtp-mistakes"]
    status = {b.recipient: b.status for b in result.bounces}
    assert status == {"dave@b.test": "5.7.1", "bob@b.test": "5.2.3", "carol@c.test": "5.4.6",
                      "erin@d.test": "5.4.7", "nobody@b.test": "5.1.1",
                      "alcie@a.test": "5.1.1"}         # the DSN's own failure, logged only
    causes = [n for s in result.trace if s.explain == "mta.bounce" for n in s.params["notes"]]
    assert causes == ["mta.cause.policy", "mta.cause.size", "mta.cause.loop", "mta.cause.expiry"]


def test_an_mx_where_nothing_listens_refuses_at_once_and_is_retried(runs):
    refused = [s for s in runs["smtp-mistakes"].trace if s.explain == "net.refused"]
    assert len(refused) == 2 and refused[1].time - refused[0].time == pytest.approx(60, abs=1)


def test_a_bounce_is_never_bounced(runs):
    result = runs["smtp-mistakes"]
    assert _explained(result.trace, "mta.double_bounce")
    assert [m for m in result.store.account("alice@a.test").inbox.messages
            if b"alcie" in m.data] == []


def test_a_message_refused_at_auth_leaves_nothing_to_file_in_sent(runs):
    result = runs["smtp-mistakes"]
    assert _explained(result.trace, "mua.no_sent_copy").src == "laptop.a.test"
    assert result.store.account("alice@a.test").folders["Sent"].messages == []
