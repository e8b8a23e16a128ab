"""Login retries inside a session (issue 18): after a refused POP3 or IMAP login the
client tries again as RFC 1939 §7 and RFC 9051 §6.2.3 allow, and a script whose login
never succeeds says which of its commands were not sent, instead of dropping them."""
from pathlib import Path

import pytest

from simulator.network import simulate
from simulator.scenarios import ScenarioError, load_text

LAB = Path(__file__).parent / "fixtures" / "labs" / "login-retry.yaml"


def run(**swaps):
    text = LAB.read_text("utf-8")
    for old, new in swaps.values():
        assert old in text
        text = text.replace(old, new, 1)
    return simulate(load_text(text, source="lab.yaml"))


def lines(result, conn):
    return [s.line for s in result.trace.filter(conn=conn) if s.direction != "internal"]


def summary(result, key):
    return next(s for s in result.trace if s.explain == key)


def test_pop3_tries_the_next_password_after_err_auth():
    result = run()
    pop3 = result.trace.find(protocol="POP3", command="PASS").command.conn
    sent = lines(result, pop3)
    assert sent[1:9] == ["USER bob", "+OK send PASS for bob", "PASS bob-typo",
                         "-ERR [AUTH] invalid user name or password", "USER bob",
                         "+OK send PASS for bob", "PASS bob-pw", sent[8]]
    assert sent[8].startswith("+OK")
    commands = [x.command.line for x in result.trace.exchanges(conn=pop3) if x.command]
    assert commands[-3:] == ["STAT", "RETR 1", "QUIT"]


def test_imap_tries_the_next_password_after_no_authenticationfailed():
    result = run()
    logins = result.trace.exchanges(protocol="IMAP", command="LOGIN")
    assert [x.command.line for x in logins] == ["A1 LOGIN bob@b.test bob-typo",
                                                "A2 LOGIN bob@b.test bob-pw"]
    assert logins[0].reply.line.startswith("A1 NO [AUTHENTICATIONFAILED]")
    assert logins[1].reply.code == "OK"
    fetch = result.trace.find(protocol="IMAP", command="FETCH")
    assert fetch.reply.code == "OK"


def test_a_script_login_of_its_own_is_a_retry_too():
    own = ('    password: bob-typo\n    commands: ["LOGIN bob@b.test bob-typo", '
           '"LOGIN bob@b.test bob-pw", "SELECT INBOX"')
    result = run(p=('    password: [bob-typo, bob-pw]\n    commands: ["SELECT INBOX"', own))
    codes = [x.reply.code for x in result.trace.exchanges(protocol="IMAP", command="LOGIN")]
    assert codes == ["NO", "OK"]
    assert result.trace.find(protocol="IMAP", command="SELECT").reply.code == "OK"


@pytest.mark.parametrize("protocol, old, new, key", [
    ("pop3", "password: [bob-typo, bob-pw]\n    commands: [\"STAT\"",
     "password: [bob-typo, bob-typo2]\n    commands: [\"STAT\"", "pop.session.refused"),
    ("imap", "password: [bob-typo, bob-pw]\n    commands: [\"SELECT",
     "password: [bob-typo, bob-typo2]\n    commands: [\"SELECT", "imap.client.refused"),
])
def test_when_every_password_fails_the_unsent_commands_are_named(protocol, old, new, key):
    result = run(x=(old, new))
    step = summary(result, key)
    assert step.params["attempts"] == 2 and step.params["unsent"] == 2
    en, ru = step.explanation("en"), step.explanation("ru")
    assert "2 times" in en and "2 scripted commands" in en
    assert "2 раза" in ru and "2 команды сценария" in ru


def test_pop2_has_no_second_try_and_the_file_says_so():
    text = LAB.read_text("utf-8").replace("roles: [mta, mda, pop3, imap]",
                                          "roles: [mta, mda, pop3, pop2, imap]")
    text = text.replace("protocol: pop3", "protocol: pop2").replace(
        'commands: ["STAT", "RETR 1"]', 'commands: ["READ 1"]')
    with pytest.raises(ScenarioError) as info:
        load_text(text, source="lab.yaml", lang="en")
    assert "line 29:" in str(info.value) and "RFC 937" in str(info.value)
