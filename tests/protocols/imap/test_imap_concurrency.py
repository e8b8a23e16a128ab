"""Several sessions on one mailbox: when untagged EXPUNGE / EXISTS / FETCH may arrive
(RFC 3501 §7.4.1, RFC 9051 §7.5.1), and the imaptest expunge/store scenarios."""
from __future__ import annotations

import re

from imap_kit import World, lines, message, say


def two(n: int = 4, third: bool = False):
    world = World(messages=n)
    sessions = [world.session(select="INBOX") for _ in range(3 if third else 2)]
    return world, sessions


def expunges(text: str) -> list[str]:
    return re.findall(r"\* \d+ EXPUNGE", text)


def test_expunge_reaches_the_other_session_at_noop_not_before():
    _, (a, b) = two()
    say(a, "A1 STORE 1,3 +FLAGS \\Deleted")
    assert expunges(say(a, "A2 EXPUNGE")) == ["* 1 EXPUNGE", "* 2 EXPUNGE"]
    # FETCH, STORE and SEARCH must not carry it (RFC 3501 §7.4.1)...
    for command in ("B1 FETCH 2 UID", "B2 STORE 2 +FLAGS \\Seen", "B3 SEARCH ALL"):
        assert expunges(say(b, command)) == []
    # ...so the numbers B uses still mean what B thinks they mean
    assert "* 2 FETCH (UID 2)" in say(b, "B4 FETCH 2 UID")
    assert expunges(say(b, "B5 NOOP")) == ["* 1 EXPUNGE", "* 2 EXPUNGE"]
    assert "* 1 FETCH (UID 2)" in say(b, "B6 FETCH 1 UID")


def test_no_expunge_when_no_command_is_in_progress():
    _, (a, b) = two()
    say(a, "A1 STORE 1 +FLAGS \\Deleted")
    say(a, "A2 EXPUNGE")
    assert b.data_to_send() == b""          # B is between commands: silence


def test_check_and_uid_commands_may_report_expunges():
    _, (a, b) = two()
    say(a, "A1 STORE 1 +FLAGS \\Deleted")
    say(a, "A2 EXPUNGE")
    assert expunges(say(b, "B1 CHECK")) == ["* 1 EXPUNGE"]
    say(a, "A3 STORE 1 +FLAGS \\Deleted")
    say(a, "A4 EXPUNGE")
    assert expunges(say(b, "B2 UID FETCH 1:* UID")) == ["* 1 EXPUNGE"]


def test_idle_gets_expunge_at_once():
    _, (a, b) = two()
    say(b, "B1 IDLE")
    say(a, "A1 STORE 2 +FLAGS \\Deleted")
    assert "* 2 FETCH (FLAGS (\\Deleted))" in b.data_to_send().decode()
    say(a, "A2 EXPUNGE")
    assert b.data_to_send() == b"* 2 EXPUNGE\r\n"
    assert lines(say(b, "DONE")) == ["B1 OK IDLE completed"]


def test_idle_gets_new_mail_pushed_and_exists_only_grows():
    world, (a, b) = two(2)
    say(b, "B1 IDLE")
    world.account.inbox.append(message(9))          # the MDA delivers behind the engines' backs
    woken = world.hub.notify("bob@example.org/INBOX")
    assert woken == [b]
    assert b.data_to_send() == b"* 3 EXISTS\r\n* 1 RECENT\r\n"    # B noticed first: \Recent is B's
    assert lines(say(a, "A1 NOOP")) == ["* 3 EXISTS", "* 2 RECENT", "A1 OK NOOP completed"]
    # EXISTS never goes down: after an expunge elsewhere it stays until EXPUNGE is said
    say(b, "DONE")
    say(b, "B2 STORE 3 +FLAGS \\Deleted")
    say(b, "B3 EXPUNGE")
    assert "EXISTS" not in say(a, "A2 FETCH 1 UID")
    assert lines(say(a, "A3 NOOP"))[0] == "* 3 EXPUNGE"


def test_three_sessions_each_hear_the_expunge_once():
    _, (a, b, c) = two(third=True)
    say(a, "A1 STORE 1:2 +FLAGS \\Deleted")
    say(a, "A2 EXPUNGE")
    assert expunges(say(b, "B1 NOOP")) == ["* 1 EXPUNGE", "* 1 EXPUNGE"]
    assert expunges(say(b, "B2 NOOP")) == []
    assert expunges(say(c, "C1 FETCH 1:4 UID")) == []
    assert "* 1 FETCH (UID 1)" in say(c, "C2 FETCH 1 UID")
    assert expunges(say(c, "C3 NOOP")) == ["* 1 EXPUNGE", "* 1 EXPUNGE"]
    assert "* 1 FETCH (UID 3)" in say(c, "C4 FETCH 1 UID")


def test_imaptest_expunge_scenario_two():
    """imaptest 'expunge' part 2: B updates flags while A expunged a message B still sees."""
    _, (a, b) = two(4)
    say(a, "A1 STORE 2 +FLAGS \\Deleted")
    say(a, "A2 EXPUNGE")
    assert "* 1 FETCH (FLAGS (\\Answered))" in say(b, "B1 STORE 1 FLAGS \\Answered")
    assert "* 1 FETCH (FLAGS (\\Recent \\Answered))" in say(a, "A3 CHECK")
    assert expunges(say(b, "B2 NOOP")) == ["* 2 EXPUNGE"]


def test_both_sessions_expunge_the_same_message():
    _, (a, b) = two(4)
    say(a, "A1 STORE 1 +FLAGS \\Deleted")
    say(b, "B1 STORE 1 +FLAGS \\Deleted")
    assert expunges(say(a, "A2 EXPUNGE")) == ["* 1 EXPUNGE"]
    assert expunges(say(b, "B2 EXPUNGE")) == ["* 1 EXPUNGE"]


def test_store_does_not_overwrite_the_other_sessions_flags():
    """imaptest 'store': +FLAGS and -FLAGS apply to the current flags, not a stale copy."""
    _, (a, b) = two(4)
    say(a, "A1 STORE 1 FLAGS (\\Seen)")
    say(b, "B0 NOOP")
    say(a, "A2 STORE 1 +FLAGS (\\Answered)")
    say(b, "B1 STORE 1 -FLAGS (\\Seen)")
    say(a, "A3 CHECK")
    assert "* 1 FETCH (FLAGS (\\Answered))" in say(a, "A4 FETCH 1 FLAGS").replace("\\Recent ", "")
    assert "\\Answered" in say(b, "B2 FETCH 1 FLAGS")


def test_fetch_of_a_message_expunged_elsewhere_uses_the_cached_copy():
    _, (a, b) = two(4)
    say(a, "A1 STORE 1 +FLAGS \\Deleted")
    say(a, "A2 EXPUNGE")
    out = say(b, "B1 FETCH 1 (UID RFC822.SIZE)")
    assert "* 1 FETCH (UID 1 RFC822.SIZE" in out and "B1 OK" in out
    assert "B2 NO [EXPUNGEISSUED]" in say(b, "B2 STORE 1 +FLAGS \\Seen")


def test_recent_belongs_to_one_session_only():
    world = World(messages=2)
    a = world.session(select="INBOX")
    b = world.session(select="INBOX")
    assert "\\Recent" in say(a, "A1 FETCH 1 FLAGS")
    assert "\\Recent" not in say(b, "B1 FETCH 1 FLAGS")
    examine = world.session(login=True)
    assert "* 0 RECENT" in say(examine, "E1 EXAMINE INBOX")


def test_copy_to_a_selected_mailbox_shows_exists_and_recent():
    world = World(messages=2)
    a = world.session(select="INBOX")
    b = world.session(select="Trash")
    out = say(a, "A1 COPY 1:2 Trash")
    assert re.search(r"A1 OK \[COPYUID \d+ 1:2 1:2\] COPY completed", out)
    out = lines(say(b, "B1 NOOP"))
    assert out[:2] == ["* 2 EXISTS", "* 2 RECENT"]
