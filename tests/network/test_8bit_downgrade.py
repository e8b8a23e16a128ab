"""A hop without 8BITMIME gets the message converted to 7 bits, not bounced (RFC 6152 §3)."""
import email
import email.policy

from simulator.network import simulate
from simulator.scenarios import builtin_names, load

TEXT = "Привет, Боб!\nОтчёт за неделю готов: все письма дошли, очередь пуста.\nАлиса\n"


def _run():
    return simulate(load("mime-8bit-downgrade"))


def test_the_message_is_delivered_not_bounced_and_reads_the_same():
    result = _run()
    assert "mime-8bit-downgrade" in builtin_names()
    assert result.bounces == [] and [d.address for d in result.deliveries] == ["bob@b.test"]
    stored = result.store.account("bob@b.test").folder("INBOX").messages[0].data
    assert stored.isascii()
    message = email.message_from_bytes(stored, policy=email.policy.default)
    assert message["Content-Transfer-Encoding"] == "base64"
    assert message.get_content().replace("\r\n", "\n") == TEXT


def test_the_trace_shows_the_conversion_before_mail_and_no_body_parameter():
    trace = _run().trace
    relay = trace.find(command="MAIL", conn="c2")
    note = next(s for s in trace if s.explain == "smtp.client.downgraded")
    assert note.conn == "c2" and note.index < relay.command.index
    assert note.params["parts"] == "text/plain → base64"
    assert "BODY=8BITMIME" not in relay.command.line
    assert f"SIZE={note.params['after']}" in relay.command.line
    data = next(s for s in trace.filter(conn="c2") if s.explain == "smtp.data.content")
    assert data.raw.isascii()


def test_the_submission_hop_offers_8bitmime_and_gets_the_8bit_original():
    trace = _run().trace
    submission = trace.find(command="MAIL", conn="c1")
    assert "BODY=8BITMIME" in submission.command.line
    assert not [s for s in trace.filter(conn="c1") if s.explain == "smtp.client.downgraded"]
