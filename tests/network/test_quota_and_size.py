"""users[].quota and hosts[].max_message_size, enforced where real servers enforce them
(issue 18): SIZE in EHLO (RFC 1870), 552 5.3.4 at MAIL FROM with SIZE= or after the final
dot, 452 4.2.2 / 552 5.2.3 after the dot for a full mailbox (RFC 3463 §3.3), the MDA's own
quota check, and IMAP APPEND answered NO [OVERQUOTA] (RFC 9208, RFC 5530)."""
from email import message_from_bytes, policy

import pytest

from simulator.network import simulate


def dsn_status(result, address="alice@a.test"):
    """The message/delivery-status part of the one DSN in ``address``'s INBOX."""
    [dsn] = [message_from_bytes(m.data, policy=policy.default)
             for m in result.store.find(address).inbox.messages
             if b"delivery-status" in m.data]
    return next(p for p in dsn.walk()
                if p.get_content_type() == "message/delivery-status").as_string()


def relay_lines(result, conn):
    return [s.line for s in result.trace.filter(conn=conn, protocol="SMTP")]


@pytest.fixture(scope="module")
def quota_run():
    from simulator.scenarios import load
    return simulate(load("quota"))


def test_the_server_announces_its_size_limit_in_ehlo(quota_run):
    ehlo = quota_run.trace.find(command="EHLO", conn="c2")
    assert "250-SIZE 20000" in ehlo.reply.line.splitlines() or "SIZE 20000" in ehlo.reply.line


def test_a_full_mailbox_answers_452_after_the_final_dot_and_the_sender_retries(quota_run):
    data = quota_run.trace.find(command="DATA", conn="c4")
    assert data.codes == [354, 452]
    assert data.reply.line.startswith("452 4.2.2")
    assert data.reply.explain == "mta.reply.mailbox_full"
    [deferred] = [s for s in quota_run.trace if s.explain == "mta.deferred"]
    assert deferred.params["notes"] == ["mta.cause.quota"]
    assert "X.2.2" in deferred.explanation("en") and "X.2.2" in deferred.explanation("ru")
    # Bob made room at t = 30; the retry at 70 s is delivered, not bounced.
    second = [d for d in quota_run.deliveries if d.address == "bob@b.test"]
    assert [round(d.time) for d in second] == [0, 71]


def test_a_declared_size_over_the_limit_gets_552_at_mail_and_the_dsn_keeps_5_3_4(quota_run):
    mail = quota_run.trace.find(command="MAIL", conn="c6")
    assert "SIZE=" in mail.command.line and mail.code == 552
    assert mail.reply.line == "552 5.3.4 Message size exceeds fixed maximum message size"
    size_bounces = [b for b in quota_run.bounces if b.status == "5.3.4"]
    assert [b.diagnostic for b in size_bounces] == [
        "552 5.3.4 Message size exceeds fixed maximum message size"]
    assert not [b for b in quota_run.bounces if b.status.startswith("5.5")]
    status = dsn_status(quota_run)
    assert "Status: 5.3.4" in status and "smtp; 552 5.3.4" in status


def test_append_over_quota_is_refused_with_overquota_and_fits_after_expunge(quota_run):
    replies = [s for s in quota_run.trace if s.protocol == "IMAP" and s.direction == "s2c"
               and s.line.startswith(("A2 ", "A6 "))]
    assert replies[0].line.startswith("A2 NO [OVERQUOTA]")
    assert replies[0].explain == "imap.reply.over_quota"
    assert "5300" in replies[0].explanation("en") and "RFC 9208 §4.3.1" in \
        replies[0].explanation("ru")
    assert replies[1].line.startswith("A6 OK [APPENDUID")
    bob = quota_run.store.find("bob@b.test")
    assert len(bob.folder("Sent").messages) == 1 and bob.usage <= bob.quota


def scenario(quota=None, max_size=None, extensions=None, rcpts=("bob@b.test",),
             photo=0, schedule=(60,), carol_quota=None):
    """Alice (a.test) writes to b.test; mx.b.test has the given limits."""
    mx = {"name": "mx.b.test", "roles": ["mta", "mda", "imap"], "domains": ["b.test"]}
    if max_size:
        mx["max_message_size"] = max_size
    if extensions:
        mx["extensions"] = extensions
    return {
        "options": {"retry_schedule": list(schedule)},
        "hosts": [{"name": "pc.a.test", "roles": ["mua"], "user": "alice@a.test",
                   "smtp_server": "mail.a.test"},
                  {"name": "mail.a.test", "roles": ["mta", "mda"], "domains": ["a.test"],
                   "submission": True}, mx],
        "users": [{"address": "alice@a.test", "password": "pw"},
                  {"address": "bob@b.test", "password": "pw", "quota": quota},
                  {"address": "carol@b.test", "password": "pw", "quota": carol_quota}],
        "messages": [{"at": 0, "client": "pc.a.test", "from": "alice@a.test",
                      "to": list(rcpts), "subject": "Hello", "body": "Hi.\n",
                      **({"photo_size": photo} if photo else {})}],
        "sessions": [],
    }


def run(variant, first=None, **kw):
    """Run ``scenario(**kw)``; ``first`` sends one message to these addresses before it."""
    data = scenario(**kw)
    if first:
        data["messages"].insert(0, {**data["messages"][0], "to": list(first), "at": 0})
        data["messages"][1]["at"] = 10
    data["users"] = [{k: v for k, v in u.items() if v is not None} for u in data["users"]]
    return simulate(variant("quota", **data))


def test_a_message_larger_than_the_whole_quota_gets_552_5_2_3_and_no_retry(variant):
    result = run(variant, quota=2000, photo=3000)
    data = result.trace.find(command="DATA", conn="c2")
    assert data.reply.line.startswith("552 5.2.3")
    assert data.reply.explain == "mta.reply.quota_too_big"
    [bounce] = result.bounces
    assert bounce.status == "5.2.3" and bounce.time < 1
    assert not [s for s in result.trace if s.explain == "mta.deferred"]
    assert "Status: 5.2.3" in dsn_status(result)


def test_without_the_size_extension_a_big_message_gets_552_after_the_final_dot(variant):
    result = run(variant, max_size=3000, photo=5000, extensions={"SIZE": False})
    ehlo = result.trace.find(command="EHLO", conn="c2")
    assert "SIZE" not in ehlo.reply.line
    mail = result.trace.find(command="MAIL", conn="c2")
    assert "SIZE=" not in mail.command.line and mail.code == 250
    data = result.trace.find(command="DATA", conn="c2")
    assert data.codes == [354, 552] and data.reply.line.startswith("552 5.3.4")
    [bounce] = result.bounces
    assert bounce.status == "5.3.4"


def test_the_mda_meets_the_quota_of_one_recipient_and_defers_only_that_one(variant):
    """One reply after the dot answers every recipient, so the server accepts the message
    and its MDA finds Bob's mailbox full: Carol gets it, Bob's copy waits, then expires."""
    result = run(variant, quota=1000, first=["bob@b.test"],
                 rcpts=("bob@b.test", "carol@b.test"), schedule=(60,))
    data = result.trace.find(command="DATA", conn="c4")
    assert data.code == 250
    assert [d.address for d in result.deliveries if d.host == "mx.b.test"] == [
        "bob@b.test", "carol@b.test"]
    deferred = [s for s in result.trace if s.explain == "mta.deferred"]
    assert [s.src for s in deferred] == ["mx.b.test"]
    assert deferred[0].params["notes"] == ["mta.cause.quota"]
    [bounce] = result.bounces
    assert (bounce.recipient, bounce.status) == ("bob@b.test", "5.4.7")
    [expiry] = [s for s in result.trace if s.explain == "mta.bounce"]
    assert expiry.params["notes"] == ["mta.cause.expiry"]


@pytest.mark.parametrize("off, absent", [
    ({"PIPELINING": False}, "PIPELINING"), ({"8bitmime": False}, "8BITMIME"),
    ({"STARTTLS": False}, "STARTTLS"), ({"HELP": False}, "HELP"),
    ({"SMTPUTF8": False}, "SMTPUTF8"), ({"ENHANCEDSTATUSCODES": False}, "ENHANCEDSTATUSCODES"),
])
def test_an_extension_turned_off_is_not_offered(variant, off, absent):
    result = run(variant, extensions=off)
    ehlo = result.trace.find(command="EHLO", conn="c2")
    offered = [line[4:].split()[0] for line in ehlo.reply.line.splitlines()[1:]]
    assert absent not in offered and "SIZE" in offered


def test_without_pipelining_the_client_waits_for_each_reply(variant):
    result = run(variant, extensions={"PIPELINING": False})
    lines = relay_lines(result, "c2")
    mail = next(i for i, line in enumerate(lines) if line.startswith("MAIL"))
    assert lines[mail + 1].startswith("250 ") and lines[mail + 2].startswith("RCPT")
    piped = relay_lines(run(variant), "c2")
    mail = next(i for i, line in enumerate(piped) if line.startswith("MAIL"))
    assert piped[mail + 1].startswith("RCPT")


def test_without_enhancedstatuscodes_replies_carry_only_the_basic_code(variant):
    result = run(variant, extensions={"ENHANCEDSTATUSCODES": False})
    mail = result.trace.find(command="MAIL", conn="c2")
    assert mail.reply.line.startswith("250 Sender")
    basic = run(variant)
    assert basic.trace.find(command="MAIL", conn="c2").reply.line.startswith("250 2.1.0")


def test_a_parameter_or_command_of_an_extension_turned_off_is_refused_as_unknown():
    """RFC 5321 §2.2.2: what EHLO did not offer is not there (555 for MAIL parameters,
    RFC 5321 §4.1.1.11; 502 for a command)."""
    from simulator.protocols.smtp import ServerConfig, SMTPServer
    server = SMTPServer(ServerConfig("mx.b.test", extensions_off=frozenset({"size", "HELP",
                                                                              "8BITMIME"})))
    server.initiate()
    server.data_to_send()
    server.receive_data(b"EHLO pc.a.test\r\nMAIL FROM:<a@a.test> SIZE=10\r\n"
                        b"MAIL FROM:<a@a.test> BODY=8BITMIME\r\nHELP\r\n")
    replies = server.data_to_send().decode().split("\r\n")
    assert not [r for r in replies if r[4:].startswith(("SIZE", "HELP", "8BITMIME"))]
    assert [r[:3] for r in replies if r and r[3] == " "] == ["250", "555", "555", "502"]


def test_copy_over_quota_is_refused_and_nothing_is_copied(variant):
    """COPY adds messages like APPEND, so the quota answers it the same way (RFC 9208 §4.3.1)."""
    session = {"at": 5, "client": "laptop.b.test", "protocol": "imap", "server": "mx.b.test",
               "user": "bob@b.test", "commands": ["SELECT INBOX", "COPY 1 Sent"]}
    result = simulate(variant("quota", sessions=[session], messages=[
        {"at": 0, "client": "pc.a.test", "from": "alice@a.test", "to": ["bob@b.test"],
         "subject": "Photo", "body": "A photo.\n", "photo_size": 3000}]))
    copy = result.trace.find(command="COPY")
    assert copy.code == "NO" and "[OVERQUOTA]" in copy.reply.line
    assert result.store.find("bob@b.test").folder("Sent").messages == []
