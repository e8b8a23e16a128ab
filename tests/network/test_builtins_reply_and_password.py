"""The built-ins written from docs/writing-a-lab.md (issue 18): imap-answered and
wrong-password, each deterministic, listed, and replayed in Russian and English."""
import base64

import pytest

from simulator.cli import main
from simulator.mail.mime import parse
from simulator.network import simulate
from simulator.scenarios import builtin_names, load

NEW = ["imap-answered", "wrong-password"]


def stored(result, address, folder="INBOX"):
    return [m for m in result.store.account(address).folder(folder).messages]


@pytest.mark.parametrize("name", NEW)
def test_listed_deterministic_and_replayed_in_both_languages(name, capsys):
    assert name in builtin_names()
    assert simulate(load(name)).trace.to_json() == simulate(load(name)).trace.to_json()
    assert main(["scenarios", "--lang", "en"]) == 0
    assert name in capsys.readouterr().out
    for lang, word in (("ru", "Сервер"), ("en", "server")):
        assert main(["replay", name, "--all", "--lang", lang]) == 0
        assert word in capsys.readouterr().out


def test_imap_answered_sets_answered_by_the_client_and_keeps_the_thread(run):
    result = run("imap-answered")
    store = result.trace.find(command="STORE")
    assert store.command.line == "A3 STORE 1 +FLAGS (\\Answered)"
    assert any("\\Answered" in s.line for s in store.replies)
    question, thanks = stored(result, "bob@b.test")
    assert question.flags == {"\\Answered", "\\Seen"} and thanks.flags == set()
    reply = parse(stored(result, "alice@b.test")[0].data)
    assert reply["In-Reply-To"] == reply["References"] == "<lab-question@b.test>"
    assert parse(thanks.data)["References"] == "<lab-question@b.test> <lab-answer@b.test>"
    [sent] = stored(result, "bob@b.test", "Sent")
    assert parse(sent.data)["Message-ID"] == "<lab-answer@b.test>" and sent.flags == {"\\Seen"}
    thread = result.trace.exchanges(command="FETCH")[-2]
    shown = "\n".join(s.line for s in thread.replies)
    assert "In-Reply-To: <lab-answer@b.test>" in shown
    assert "References: <lab-question@b.test> <lab-answer@b.test>" in shown


def test_wrong_password_fails_then_succeeds_in_each_protocol(run):
    trace = run("wrong-password").trace
    smtp = trace.exchanges(command="AUTH")
    assert [x.reply.code for x in smtp] == [535, 235]
    sent = [base64.b64decode(x.command.line.split()[-1]).split(b"\0")[-1] for x in smtp]
    assert sent == [b"alice-wp", b"alice-pw"]          # the trace shows what was typed
    assert [x.reply.line for x in trace.exchanges(command="PASS")] == [
        "-ERR [AUTH] invalid user name or password", "+OK bob's maildrop has 1 message (545 octets)"]
    logins = trace.exchanges(command="LOGIN")
    assert logins[0].reply.line == "A1 NO [AUTHENTICATIONFAILED] Invalid credentials"
    assert logins[1].reply.code == "OK"
    assert trace.find(command="RETR").reply.code == "+OK"
    assert trace.find(protocol="IMAP", command="FETCH").reply.code == "OK"
    assert len(run("wrong-password").deliveries) == 1


def test_each_second_try_says_it_is_one_in_both_languages(run):
    """The server knows the refusals on its connection; the retry's step says so, citing
    the section that allows it."""
    trace = run("wrong-password").trace
    second = [trace.exchanges(command="AUTH")[1].command,
              trace.exchanges(protocol="POP3", command="USER")[1].command,
              trace.exchanges(command="LOGIN")[1].reply]
    words = [("1 refused attempt", "1 отказ"), ("1 refused attempt", "1 отказ"),
             ("1 unsuccessful try", "1 неудачная попытка")]       # beside an OK: no "refused"
    for step, rfc, (en, ru) in zip(second, ("RFC 4954 §4", "RFC 1939 §7", "RFC 9051 §6.2.3"),
                                   words):
        assert en in step.explanation("en") and rfc in step.explanation("en")
        assert ru in step.explanation("ru") and rfc in step.explanation("ru")
    first = trace.exchanges(command="AUTH")[0].command
    assert "refused attempt" not in first.explanation("en")
