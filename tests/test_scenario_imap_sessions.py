"""IMAP scripts in ``sessions``: groups, idle, pause, pipeline, and mistakes on their line (ru/en)."""
from __future__ import annotations

import pytest

from simulator.scenarios import ScenarioError, load_text
from simulator.scenarios.model import SessionStep

BASE = """\
name: imap-reading
hosts:
  - {name: laptop.b.test, roles: [mua], user: bob@b.test}
  - {name: mail.b.test, roles: [mta, mda, imap, pop3], domains: [b.test], shared: team@b.test}
users:
  - {address: bob@b.test, password: bob-pw}
sessions:
  - client: laptop.b.test
    server: mail.b.test
    user: bob
"""


def session(*lines: str):
    return load_text(BASE + "".join(f"    {line}\n" for line in lines)).sessions[0]


def test_groups_idle_and_pauses_become_steps():
    s = session("protocol: imap", "commands:", "  - SELECT INBOX", "  - - A1 FETCH 1 BODY[]",
                "    - A2 NOOP", "  - pause: 5", "  - idle: 30", "  - NOOP", "  - pause: 2")
    assert s.steps == (SessionStep(("SELECT INBOX",)),
                       SessionStep(("A1 FETCH 1 BODY[]", "A2 NOOP")),
                       SessionStep(("IDLE",), idle=30.0, pause=5.0),
                       SessionStep(("NOOP",)), SessionStep((), pause=2.0))
    assert s.commands == ("SELECT INBOX", "A1 FETCH 1 BODY[]", "A2 NOOP", "IDLE", "NOOP")


def test_pipeline_true_joins_runs_of_plain_lines():
    s = session("protocol: imap", "pipeline: true", "commands:", "  - SELECT INBOX", "  - NOOP",
                "  - idle: 10", "  - NOOP", "  - CHECK")
    assert [step.commands for step in s.steps] == [("SELECT INBOX", "NOOP"), ("IDLE",),
                                                   ("NOOP", "CHECK")]


def test_without_commands_the_plan_is_used_and_shared_is_read():
    s = session("protocol: imap")
    assert s.commands is None and s.steps == ()
    scenario = load_text(BASE + "    protocol: imap\n")
    assert scenario.host("mail.b.test").shared == "team@b.test"


BAD = {
    "a number as an item": (("protocol: imap", "commands:", "  - 42"), "  - 42",
                            "строкой", "string"),
    "idle of zero": (("protocol: imap", "commands:", "  - idle: 0"), "idle: 0",
                     "секунд", "seconds"),
    "unknown step key": (("protocol: imap", "commands:", "  - wait: 3"), "wait: 3",
                         "idle, pause", "idle, pause"),
    "empty group": (("protocol: imap", "commands:", "  - []"), "  - []", "пуст", "empty"),
    "a mapping inside a group": (("protocol: imap", "commands:", "  - - NOOP",
                                  "    - {idle: 3}"), "{idle: 3}", "idle", "idle"),
    "pipeline over pop3": (("protocol: pop3", "pipeline: true"), "pipeline", "IMAP", "IMAP"),
    "drop over imap": (("protocol: imap", "drop: true"), "drop", "LOGOUT", "LOGOUT"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_mistakes_are_reported_on_their_line_in_both_languages(case):
    lines, needle, ru, en = BAD[case]
    text = BASE + "".join(f"    {line}\n" for line in lines)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if needle in row)
    for lang, word in (("ru", ru), ("en", en)):
        with pytest.raises(ScenarioError) as info:
            load_text(text, "my.yaml", lang)
        assert info.value.line == line, (lang, str(info.value))
        assert word in info.value.message, (lang, info.value.message)


APPEND = ("protocol: imap", "commands:", "  - append:", "      folder: Sent",
          "      flags: [\\Seen, $Work]", "      to: alice@b.test", "      subject: Привет",
          "      body: Текст")


def test_append_composes_the_message_from_the_user_at_the_session_start():
    s = session("at: 30", *APPEND, "  - SELECT Sent")
    step = s.steps[0]
    assert step.commands == ("APPEND Sent (\\Seen $Work)",) and s.steps[1].commands == ("SELECT Sent",)
    from simulator.mail.mime import parse
    msg = parse(step.literal)
    assert msg["From"] == "bob@b.test" and msg["To"] == "alice@b.test"
    assert msg["Subject"] == "Привет" and msg.get_content().strip() == "Текст"
    assert msg["Date"] == "Tue, 01 Sep 2026 09:00:30 +0000"            # start_time + at
    assert b"\r\n" in step.literal and step.literal == session("at: 30", *APPEND).steps[0].literal


def test_a_non_ascii_folder_is_sent_in_modified_utf7():
    s = session("protocol: imap", "commands:", "  - append:", "      folder: Входящие",
                "      subject: s")
    assert s.steps[0].commands == ("APPEND &BBIERQQ+BDQETwRJBDgENQ-",)


APPEND_BAD = {
    "a flag that is no flag": (("      subject: s", "      flags: [\\Urgent]"), "\\Urgent",
                               "флаги IMAP", "IMAP flags"),
    "no subject": ((), "folder: Sent", "subject", "subject"),      # where the mapping starts
    "a bad address": (("      subject: s", "      to: nobody"), "to: nobody", "nobody", "nobody"),
    "append with idle": (("      subject: s", "    idle: 3"), "  - append:", "append", "append"),
}


@pytest.mark.parametrize("case", APPEND_BAD, ids=list(APPEND_BAD))
def test_append_mistakes_are_reported_on_their_line(case):
    extra, needle, ru, en = APPEND_BAD[case]
    lines = ("protocol: imap", "commands:", "  - append:", "      folder: Sent", *extra)
    text = BASE + "".join(f"    {line}\n" for line in lines)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if needle in row)
    for lang, word in (("ru", ru), ("en", en)):
        with pytest.raises(ScenarioError) as info:
            load_text(text, "my.yaml", lang)
        assert info.value.line == line, (lang, str(info.value))
        assert word in info.value.message, (lang, info.value.message)
