"""Every command line of a session and every fault's command is checked when the file is
loaded (issue 18): a typo gets its line and a "did you mean", never a silent no-op or a
traceback later."""
from importlib import resources

import pytest

from simulator.scenarios import ScenarioError, load_text


def builtin(name):
    return resources.files("simulator.scenarios").joinpath(f"{name}.yaml").read_text("utf-8")


def line_of(text, needle):
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def refused(text, lang):
    with pytest.raises(ScenarioError) as info:
        load_text(text, source="lab.yaml", lang=lang)
    return str(info.value)


@pytest.mark.parametrize("name, old, new, words", [
    ("imap-basic", "- SELECT INBOX", "- SELCT INBOX", ("'SELCT'", "IMAP", "'SELECT'")),
    ("imap-basic", "- SELECT INBOX", "- FOO 1", ("'FOO'", "IMAP")),
    ("imap-basic", "- SELECT INBOX", "- A7 SELCT INBOX", ("'SELCT'", "'SELECT'")),
    ("pop3-basic", '"RETR 1"', '"RETRR 1"', ("'RETRR'", "POP3", "'RETR'")),
    ("retry", "command: RCPT", "command: RCTP", ("'RCTP'", "SMTP", "'RCPT'")),
])
def test_an_unknown_command_names_its_line_and_the_likely_one(name, old, new, words):
    text = builtin(name).replace(old, new, 1)
    assert text != builtin(name)
    line = line_of(text, new.strip("- "))
    en, ru = refused(text, "en"), refused(text, "ru")
    assert f"lab.yaml, line {line}:" in en and f"lab.yaml, строка {line}:" in ru
    assert all(w in en for w in words)
    if len(words) == 3:                     # a likely command exists: it is named
        assert f"did you mean {words[2]}" in en and f"может быть, {words[2]}" in ru
    assert "Traceback" not in en


@pytest.mark.parametrize("size, words", [
    ("12", ("12 octets", "append:")),
    ("99999999999", ("99999999999 octets", "more than an IMAP server takes", "append:")),
])
def test_a_literal_typed_into_a_session_line_is_refused_with_its_line(size, words):
    text = builtin("imap-basic").replace("- SELECT INBOX", f"- APPEND Sent {{{size}}}", 1)
    message = refused(text, "en")
    assert f"line {line_of(text, 'APPEND Sent')}:" in message
    assert all(w in message for w in words)
    assert "октет" in refused(text, "ru")


def test_commands_in_any_case_and_with_tags_still_load():
    text = builtin("imap-basic").replace("- SELECT INBOX", "- a1 select INBOX", 1)
    assert load_text(text, source="lab.yaml", lang="en").sessions[0].commands[1] == \
        "a1 select INBOX"
    fault = builtin("retry").replace("command: RCPT", "command: rcpt", 1)
    assert load_text(fault, source="lab.yaml", lang="en").faults[0].command == "RCPT"


def test_charset_names_are_case_insensitive():
    text = builtin("basic")
    lines = text.replace("    subject:", "    charset: KOI8-R\n    subject:", 1)
    scenario = load_text(lines, source="lab.yaml", lang="en")
    assert scenario.messages[0].charset == "koi8-r"
    bad = text.replace("    subject:", "    charset: KOI8-U\n    subject:", 1)
    assert "must be one of utf-8, koi8-r, windows-1251" in refused(bad, "en")
