"""The ``sessions`` section of scenario files: what loads, and every mistake reported
on its line in Russian and in English."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.scenarios import ScenarioError, Session, load_text

DOCS = Path(__file__).resolve().parents[1] / "docs" / "scenarios.md"

BASE = """\
name: reading
hosts:
  - {name: laptop.b.test, roles: [mua], user: bob@b.test}
  - {name: mail.b.test, roles: [mta, mda, pop3], domains: [b.test]}
  - {name: old.b.test, roles: [pop2]}
users:
  - {address: bob@b.test, password: bob-pw}
  - {address: bob@c.test, password: other}
  - {address: alice@b.test, password: alice-pw}
sessions:
"""

GOOD = BASE + """\
  - at: 10
    client: laptop.b.test
    protocol: pop3
    server: mail.b.test
    user: bob@b.test
    apop: true
    stls: true
    commands: ["STAT", "RETR 1", "DELE 1"]
    drop: true
    pause: 2.5
  - {at: 20, client: laptop.b.test, protocol: pop2, server: old.b.test, user: alice,
     leave_copy: false}
  - {client: laptop.b.test, protocol: pop3, server: mail.b.test, user: alice, password: wrong}
"""


def error_of(text: str, lang: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_text(text, "my.yaml", lang)
    return info.value


def line_with(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_sessions_load_into_the_model():
    first, second, third = load_text(GOOD).sessions
    assert first == Session(at=10.0, client="laptop.b.test", protocol="pop3",
                            server="mail.b.test", user="bob@b.test", apop=True, stls=True,
                            commands=("STAT", "RETR 1", "DELE 1"), drop=True, pause=2.5)
    assert (second.protocol, second.user, second.leave_copy, second.commands) == (
        "pop2", "alice", False, None)
    assert (third.at, third.password, third.leave_copy, third.drop) == (0.0, "wrong", True, False)


def test_a_scenario_without_sessions_has_none():
    assert load_text(BASE.replace("sessions:\n", "")).sessions == ()


def test_the_documented_session_example_loads():
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text("utf-8"), re.DOTALL)
    pop, ftp, imap = [b for b in blocks if "sessions:" in b]
    sessions = load_text(pop, "docs.yaml").sessions
    assert sessions and {s.protocol for s in sessions} <= {"pop3", "pop2"}
    assert {s.protocol for s in load_text(ftp, "docs.yaml").sessions} == {"ftp"}
    assert {s.protocol for s in load_text(imap, "docs.yaml").sessions} == {"imap"}


def item(*lines: str) -> str:
    """One entry of the sessions list, a key per line."""
    return "  - " + "\n    ".join(lines) + "\n"


POP3 = ("client: laptop.b.test", "protocol: pop3", "server: mail.b.test")

# Each case: the session item, the text on the line the error must name, and words
# the Russian and the English messages must contain.
BAD = {
    "unknown protocol": (
        item("{client: laptop.b.test, protocol: imap4, server: mail.b.test, user: bob@b.test}"),
        "imap4", ["pop3, pop2", "imap4"], ["pop3, pop2", "imap4"]),
    "client is not a mail client": (
        item("client: mail.b.test", "protocol: pop3", "server: mail.b.test", "user: alice"),
        "client: mail.b.test", ["mua", "роли"], ["mua", "roles"]),
    "server does not serve that protocol": (
        item("client: laptop.b.test", "protocol: pop2", "server: mail.b.test", "user: alice"),
        "server: mail.b.test", ["pop2", "mta, mda, pop3"], ["pop2", "mta, mda, pop3"]),
    "undeclared server": (
        item("client: laptop.b.test", "protocol: pop3", "server: mial.b.test", "user: alice"),
        "mial.b.test", ["mail.b.test", "hosts"], ["mail.b.test", "hosts"]),
    "unknown user": (
        item(*POP3, "user: carol"), "user: carol", ["users", "'carol'"], ["users", "'carol'"]),
    "ambiguous local part": (
        item(*POP3, "user: bob"), "    user: bob", ["ровно одного"], ["exactly one"]),
    "apop over pop2": (
        item("client: laptop.b.test", "protocol: pop2", "server: old.b.test", "user: alice",
             "apop: true"), "apop: true", ["APOP", "RFC 937"], ["APOP", "RFC 937"]),
    "empty commands": (
        item(*POP3, "user: alice", "commands: []"), "commands: []", ["пуст"], ["empty"]),
    "two commands on one line": (
        item(*POP3, "user: alice", 'commands: ["STAT\\r\\nDELE 1"]'), "commands:",
        ["одна командная строка"], ["one command line"]),
    "leave_copy with commands": (
        item(*POP3, "user: alice", "commands: [STAT]", "leave_copy: false"), "leave_copy",
        ["план", "commands"], ["download plan", "commands"]),
    "drop without commands": (
        item(*POP3, "user: alice", "drop: true"), "drop: true", ["commands"], ["commands"]),
    "drop with quit": (
        item(*POP3, "user: alice", "drop: true", "commands:", "  - STAT", "  - quit"),
        "- quit", ["QUIT"], ["QUIT"]),
    "negative pause": (
        item(*POP3, "user: alice", "pause: -5"), "pause: -5", ["секунд"], ["seconds"]),
    "misspelt key": (
        item(*POP3, "user: alice", "comands: [STAT]"), "comands", ["commands"], ["commands"]),
    "missing user": (
        item(*POP3), "client: laptop.b.test", ["user", "sessions #1"], ["user", "sessions #1"]),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_session_is_reported_on_its_line_in_both_languages(case):
    item, needle, ru_words, en_words = BAD[case]
    text = BASE + item
    line = line_with(text, needle)
    for lang, words in (("ru", ru_words), ("en", en_words)):
        error = error_of(text, lang)
        assert error.line == line, (lang, str(error))
        where = "строка" if lang == "ru" else "line"
        assert str(error).startswith(f"my.yaml, {where} {line}: ")
        for word in words:
            assert word in error.message, (lang, word, error.message)


def test_russian_and_english_messages_differ():
    item = BAD["drop with quit"][0]
    assert error_of(BASE + item, "ru").message != error_of(BASE + item, "en").message
