"""The built-in ``eai-rf``: a Cyrillic address on an IDN domain (RFC 6531, RFC 6532, RFC 6533)."""
import email
import email.policy

from simulator.network import simulate
from simulator.network.idn import a_label, u_label
from simulator.scenarios import builtin_names, load


def _run():
    return simulate(load("eai-rf"))


def test_the_idn_domain_is_asked_of_the_dns_as_its_a_label():
    assert (a_label("Пример.РФ."), u_label("xn--e1afmkfd.xn--p1ai")) == (
        "xn--e1afmkfd.xn--p1ai", "пример.рф")
    assert a_label("b.test") == "b.test" and a_label("-bad-.рф") == "-bad-.рф"
    trace = _run().trace
    idna_step = next(s for s in trace if s.explain == "dns.idna")
    assert idna_step.params == {"domain": "пример.рф", "alabel": "xn--e1afmkfd.xn--p1ai"}
    after = trace.steps[trace.steps.index(idna_step) + 1]
    assert after.line.startswith("xn--e1afmkfd.xn--p1ai. IN MX?")


def test_maria_gets_utf8_header_fields_over_smtputf8():
    result = _run()
    assert "eai-rf" in builtin_names()
    mail = [s.line for s in result.trace if s.explain == "smtp.cmd.MAIL"]
    assert mail[0] == "MAIL FROM:<ivan@пример.рф> SIZE=435 BODY=8BITMIME SMTPUTF8"
    stored = result.store.account("мария@b.test").inbox.messages[0].data
    head = stored.split(b"\r\n\r\n")[0].decode("utf-8")
    assert "From: Иван <ivan@пример.рф>" in head and "Subject: Привет с домена .рф" in head
    assert "=?" not in head                               # no encoded words (RFC 6532 §3.6)
    assert "by mx.b.test with UTF8SMTP id" in head         # RFC 6531 §4.3


def test_olga_behind_a_server_without_smtputf8_makes_a_global_dsn():
    result = _run()
    (bounce,) = result.bounces
    assert (bounce.recipient, bounce.status, bounce.sender) == (
        "olga@c.test", "5.6.7", "ivan@пример.рф")
    to_old = [s for s in result.trace if s.dst == "old.c.test" or s.src == "old.c.test"]
    assert "smtp.client.needs_smtputf8" in [s.explain for s in to_old]
    assert not any(s.explain == "smtp.cmd.MAIL" for s in to_old)   # RFC 6531 §3.2: not sent
    assert result.store.account("olga@c.test").inbox.messages == []
    dsn = email.message_from_bytes(result.store.account("ivan@пример.рф").inbox.messages[0].data,
                                   policy=email.policy.SMTPUTF8)
    assert dsn.get_content_type() == "multipart/report"
    assert dsn.get_param("report-type") == "global-delivery-status"     # RFC 6522 §3
    parts = dsn.get_payload()
    assert [p.get_content_type() for p in parts] == [
        "text/plain", "message/global-delivery-status", "message/global-headers"]
    status = parts[1].as_bytes().decode("utf-8")
    assert "Final-Recipient: rfc822; olga@c.test" in status and "Status: 5.6.7" in status
    assert "From: Иван <ivan@пример.рф>" in parts[2].as_bytes().decode("utf-8")


def test_the_run_is_deterministic():
    assert _run().trace.to_json() == _run().trace.to_json()
