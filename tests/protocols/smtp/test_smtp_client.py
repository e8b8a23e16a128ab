"""The client engine against the server engine (and against scripted replies)."""
from __future__ import annotations

import pytest
from smtp_kit import Users, converse, new_server

from simulator.protocols.smtp import (
    ClientState,
    ConnectionClosed,
    Envelope,
    Handler,
    MessageReceived,
    Path,
    RecipientResult,
    Reply,
    SMTPClient,
    TLSRequested,
    TransactionFinished,
    parse_path,
    reply,
)

CONTENT = b"Subject: test\r\n\r\nHello.\r\n"


def envelope(*recipients: str, sender="<alice@bar.test>", content=CONTENT) -> Envelope:
    return Envelope(mail_from=parse_path(sender, smtputf8=True),
                    rcpt_to=[parse_path(r, smtputf8=True) for r in recipients], content=content)


def deliver(env, *, handler=None, client_opts=None, bytewise=False, **server_config):
    server = new_server(handler or Users(unknown=("nobody",)), **server_config)
    client = SMTPClient("bar.test", env, **(client_opts or {}))
    client_events, server_events = converse(client, server, bytewise=bytewise)
    messages = [e.envelope for e in server_events if isinstance(e, MessageReceived)]
    return client, messages, client_events


def commands(client_or_list) -> list[str]:
    transcript = client_or_list.take_transcript() if hasattr(client_or_list, "take_transcript") \
        else client_or_list
    return [u.line.split(" ")[0] for u in transcript if u.direction == "c2s"
            and u.explain.startswith("smtp.cmd.")]


@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
@pytest.mark.parametrize("pipelining", [False, True], ids=["plain", "pipelined"])
def test_message_delivered(bytewise, pipelining):
    client, messages, events = deliver(envelope("<bob@foo.com>", "<carol@foo.com>"),
                                       bytewise=bytewise, client_opts={"pipelining": pipelining})
    assert client.closed and client.state is ClientState.DONE
    assert client.result.delivered and client.result.failed_stage is None
    assert [p.mailbox for p in client.result.accepted] == ["bob@foo.com", "carol@foo.com"]
    (message,) = messages
    assert message.content == CONTENT and message.mail_from.mailbox == "alice@bar.test"
    assert sum(isinstance(e, TransactionFinished) for e in events) == 1
    assert isinstance(events[-1], ConnectionClosed)
    assert commands(client) == ["EHLO", "MAIL", "RCPT", "RCPT", "DATA", "QUIT"]


def test_pipelining_sends_mail_rcpts_and_data_in_one_write():
    server = new_server(Users())
    client = SMTPClient("bar.test", envelope("<bob@foo.com>", "<carol@foo.com>"))
    client.receive_data(server.data_to_send())
    server.receive_data(client.data_to_send())                   # EHLO
    client.receive_data(server.data_to_send())                   # 250-… PIPELINING
    group = client.data_to_send()
    assert group.split(b"\r\n")[:-1] == [b"MAIL FROM:<alice@bar.test> SIZE=25",
                                         b"RCPT TO:<bob@foo.com>", b"RCPT TO:<carol@foo.com>",
                                         b"DATA"]


def test_without_pipelining_the_client_waits_for_each_reply():
    server = new_server(Users(), pipelining=False)
    client = SMTPClient("bar.test", envelope("<bob@foo.com>", "<carol@foo.com>"))
    client.receive_data(server.data_to_send())
    server.receive_data(client.data_to_send())
    client.receive_data(server.data_to_send())
    assert client.data_to_send() == b"MAIL FROM:<alice@bar.test> SIZE=25\r\n"


@pytest.mark.parametrize("pipelining", [False, True], ids=["plain", "pipelined"])
def test_a_repeated_recipient_is_sent_twice_and_the_session_ends(pipelining):
    client, (message,), _ = deliver(envelope("<bob@foo.com>", "<bob@foo.com>"),
                                    client_opts={"pipelining": pipelining})
    assert commands(client).count("RCPT") == 2 and client.closed
    assert len(message.rcpt_to) == 2


def test_dot_stuffing_round_trip_through_both_engines():
    content = b".\r\n..\r\n.x\r\nend\r\n"
    client, (message,), _ = deliver(envelope("<bob@foo.com>", content=content))
    assert message.content == content
    sent = next(u for u in client.take_transcript() if u.explain == "smtp.data.content")
    assert sent.raw == b"..\r\n...\r\n..x\r\nend\r\n.\r\n"


@pytest.mark.parametrize("pipelining", [False, True], ids=["plain", "pipelined"])
def test_one_recipient_rejected_other_accepted(pipelining):
    client, (message,), events = deliver(envelope("<nobody@foo.com>", "<bob@foo.com>"),
                                         client_opts={"pipelining": pipelining})
    results = {e.path.mailbox: e.reply.code for e in events if isinstance(e, RecipientResult)}
    assert results == {"nobody@foo.com": 550, "bob@foo.com": 250}
    assert client.result.delivered and [p.mailbox for p in message.rcpt_to] == ["bob@foo.com"]
    assert client.result.recipients[parse_path("<nobody@foo.com>")].enhanced == "5.1.1"


@pytest.mark.parametrize("pipelining", [False, True], ids=["plain", "pipelined"])
def test_all_recipients_rejected_sends_no_content(pipelining):
    client, messages, _ = deliver(envelope("<nobody@foo.com>"), client_opts={"pipelining": pipelining})
    assert messages == [] and not client.result.delivered
    assert client.result.failed_stage == "RCPT" and client.result.failure.code == 550
    transcript = client.take_transcript()
    assert not any(u.explain.startswith("smtp.data") for u in transcript)
    assert commands(transcript)[-1] == "QUIT" and client.closed


def test_pipelined_all_rejected_server_answers_data_with_503():
    _, _, events = deliver(envelope("<nobody@foo.com>"))
    data_reply = next(e.reply for e in events if getattr(e, "stage", None) == "DATA")
    assert (data_reply.code, data_reply.enhanced) == (503, "5.5.1")


def test_354_after_all_rcpts_failed_gets_only_a_dot():
    # RFC 2920 §3.1: a server that says 354 anyway gets an empty message.
    class Always354(Users):
        def handle_command(self, session, verb, argument):
            return reply("start_data") if verb == "DATA" else None

    client, messages, _ = deliver(envelope("<nobody@foo.com>"), handler=Always354(unknown=("nobody",)))
    assert messages == []
    dots = [u.raw for u in client.take_transcript() if u.explain == "smtp.data.empty"]
    assert dots == [b".\r\n"] and client.result.failed_stage == "RCPT"


@pytest.mark.parametrize("pipelining", [False, True], ids=["plain", "pipelined"])
def test_size_too_big_fails_at_mail(pipelining):
    big = b"x" * 70 + b"\r\n"
    client, messages, _ = deliver(envelope("<bob@foo.com>", content=big * 10),
                                  client_opts={"pipelining": pipelining}, max_message_size=100)
    assert messages == [] and client.result.failed_stage == "MAIL"
    assert (client.result.failure.code, client.result.failure.enhanced) == (552, "5.3.4")


def test_starttls_then_second_ehlo():
    client, (message,), events = deliver(envelope("<bob@foo.com>"),
                                         client_opts={"starttls": True}, starttls=True)
    assert TLSRequested() in events and client.result.tls and message.tls
    assert commands(client) == ["EHLO", "STARTTLS", "EHLO", "MAIL", "RCPT", "DATA", "QUIT"]
    assert "STARTTLS" not in client.result.extensions


def test_starttls_not_offered_goes_on_in_plaintext():
    client, (message,), _ = deliver(envelope("<bob@foo.com>"), client_opts={"starttls": True})
    assert not client.result.tls and not message.tls


@pytest.mark.parametrize("mechanisms", [("PLAIN", "LOGIN"), ("LOGIN",)], ids=["PLAIN", "LOGIN"])
def test_auth_good_password(mechanisms):
    client, (message,), _ = deliver(
        envelope("<bob@foo.com>"), client_opts={"credentials": ("alice", "secret")},
        offer_auth=True, auth_required=True, auth_mechanisms=mechanisms)
    assert client.result.authenticated and message.auth_user == "alice"
    verbs = commands(client)
    assert verbs[:2] == ["EHLO", "AUTH"] and verbs[2] == "MAIL"


@pytest.mark.parametrize("mechanisms", [("PLAIN",), ("LOGIN",)], ids=["PLAIN", "LOGIN"])
def test_auth_bad_password_ends_with_535(mechanisms):
    client, messages, _ = deliver(
        envelope("<bob@foo.com>"), client_opts={"credentials": ("alice", "wrong")},
        offer_auth=True, auth_mechanisms=mechanisms)
    assert messages == [] and client.result.failed_stage == "AUTH"
    assert (client.result.failure.code, client.result.failure.enhanced) == (535, "5.7.8")
    assert commands(client)[-1] == "QUIT"


def test_auth_login_sends_username_and_password_in_base64():
    client, _, _ = deliver(envelope("<bob@foo.com>"), client_opts={"credentials": ("alice", "pw")},
                           offer_auth=True, auth_mechanisms=("LOGIN",))
    answers = [u.raw for u in client.take_transcript() if u.explain == "smtp.auth.client_response"]
    assert answers == [b"YWxpY2U=\r\n", b"cHc=\r\n"]


def test_submission_without_credentials_fails_with_530():
    client, _, _ = deliver(envelope("<bob@foo.com>"), offer_auth=True, auth_required=True)
    assert client.result.failed_stage == "MAIL" and client.result.failure.code == 530


def test_ehlo_rejected_falls_back_to_helo():
    class OldServer(Users):
        def handle_command(self, session, verb, argument):
            return reply("not_implemented") if verb == "EHLO" else None

    client, (message,), _ = deliver(envelope("<bob@foo.com>"), handler=OldServer())
    assert commands(client)[:3] == ["EHLO", "HELO", "MAIL"]
    assert not message.esmtp and message.declared_size is None      # no SIZE= after HELO
    assert client.result.extensions == {}


def test_8bit_and_utf8_parameters_are_added_when_offered():
    env = envelope("<мария@пример.рф>", sender="<иван@пример.рф>", content="Привет\r\n".encode())
    client, (message,), _ = deliver(env)
    mail = next(u.line for u in client.take_transcript() if u.explain == "smtp.cmd.MAIL")
    assert mail.endswith("BODY=8BITMIME SMTPUTF8")
    assert message.smtputf8 and message.body_type == "8BITMIME"


def test_utf8_address_without_server_support_fails_locally():
    env = envelope("<мария@пример.рф>")
    client, messages, _ = deliver(env, smtputf8=False)
    assert messages == [] and client.result.failed_stage == "MAIL"
    assert (client.result.failure.code, client.result.failure.enhanced) == (553, "5.6.7")
    assert commands(client) == ["EHLO", "QUIT"]


def test_8bit_content_is_not_sent_to_a_server_without_8bitmime():
    """RFC 6152 §3: without 8BITMIME the client must not send 8-bit octets."""
    client = SMTPClient("c.test", Envelope(mail_from=Path("a@c.test"), rcpt_to=[Path("b@d.test")],
                                           content="Привет\r\n".encode()))
    client.receive_data(b"220 old.example SMTP\r\n")
    assert client.data_to_send() == b"EHLO c.test\r\n"
    client.receive_data(b"250-old.example\r\n250 SIZE 100000\r\n")
    assert client.data_to_send() == b"QUIT\r\n"
    assert (client.result.failure.code, client.result.failure.enhanced) == (554, "5.6.3")


def test_too_many_recipients_some_delivered():
    client, (_message,), _ = deliver(envelope("<a@foo.com>", "<b@foo.com>"), max_recipients=1)
    codes = {p.mailbox: r.code for p, r in client.result.recipients.items()}
    assert codes == {"a@foo.com": 250, "b@foo.com": 452} and client.result.delivered


def test_content_rejected_by_handler():
    class Reject(Users):
        def handle_DATA(self, session, envelope):
            return Reply(554, "5.7.1", ("Message refused",))

    client, _, _ = deliver(envelope("<bob@foo.com>"), handler=Reject())
    assert client.result.final.code == 554 and client.result.failed_stage == "CONTENT"


# --- greetings that are not 220 ------------------------------------------------------

class Greeting(Handler):
    def __init__(self, name):
        self.name = name

    def handle_connect(self, session):
        return reply(self.name, host="mx.test")


def test_421_at_greeting_gives_up_without_quit():
    client, _, _ = deliver(envelope("<bob@foo.com>"), handler=Greeting("not_available"))
    assert client.result.failed_stage == "GREETING" and client.result.failure.code == 421
    assert commands(client) == [] and client.closed


def test_554_at_greeting_sends_quit():
    client, _, _ = deliver(envelope("<bob@foo.com>"), handler=Greeting("refused"))
    assert client.result.failed_stage == "GREETING" and commands(client) == ["QUIT"]
    assert client.closed


def test_451_at_greeting_scripted():
    client = SMTPClient("bar.test", envelope("<bob@foo.com>"))
    events = client.receive_data(b"451 4.3.0 Try again later\r\n")
    assert client.result.failure == Reply.parse("451 4.3.0 Try again later")
    assert client.result.failure.is_transient and client.data_to_send() == b"QUIT\r\n"
    assert any(isinstance(e, TransactionFinished) for e in events)


def test_garbage_from_the_server_stops_the_client():
    client = SMTPClient("bar.test", envelope("<bob@foo.com>"))
    client.receive_data(b"hello there\r\n")
    assert client.state is ClientState.ERROR and client.closed
    assert client.result.failed_stage == "GREETING"


def test_server_closing_mid_transaction():
    client = SMTPClient("bar.test", envelope("<bob@foo.com>"))
    client.receive_data(b"220 mx.test ready\r\n")
    events = client.receive_data(b"")
    assert client.closed and client.result.failed_stage == "EHLO"
    assert any(isinstance(e, ConnectionClosed) and e.reason == "peer-closed" for e in events)


def _mime_8bit() -> bytes:
    return (b'Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset="utf-8"\r\n'
            b"Content-Transfer-Encoding: 8bit\r\n\r\n" + "Привет, мир!\r\n".encode())


def test_8bit_content_is_converted_when_the_client_can_downgrade():
    """RFC 6152 §3's other way: convert to 7 bits, record it, and send that instead."""
    seven_bit = b"Subject: x\r\n\r\nconverted\r\n"
    seen = []

    def downgrade(content):
        seen.append(content)
        return seven_bit, [("text/plain", "base64")]

    client = SMTPClient("c.test", Envelope(mail_from=Path("a@c.test"), rcpt_to=[Path("b@d.test")],
                                           content=_mime_8bit()), downgrade=downgrade)
    client.receive_data(b"220 old.example SMTP\r\n")
    client.data_to_send()
    client.receive_data(b"250-old.example\r\n250 SIZE 100000\r\n")
    assert client.data_to_send() == f"MAIL FROM:<a@c.test> SIZE={len(seven_bit)}\r\n".encode()
    note = next(u for u in client.take_transcript() if u.explain == "smtp.client.downgraded")
    assert note.params["parts"] == "text/plain → base64" and note.params["count"] == 1
    assert seen == [_mime_8bit()]
    client.receive_data(b"250 ok\r\n")
    client.data_to_send()
    client.receive_data(b"250 ok\r\n")
    client.data_to_send()
    client.receive_data(b"354 go\r\n")
    assert client.data_to_send() == seven_bit + b".\r\n"


def test_content_the_downgrader_cannot_convert_is_still_returned():
    client = SMTPClient("c.test", Envelope(mail_from=Path("a@c.test"), rcpt_to=[Path("b@d.test")],
                                           content=_mime_8bit()), downgrade=lambda _: None)
    client.receive_data(b"220 old.example SMTP\r\n")
    client.data_to_send()
    client.receive_data(b"250-old.example\r\n250 SIZE 100000\r\n")
    assert client.data_to_send() == b"QUIT\r\n"
    assert client.result.failure.enhanced == "5.6.3"
