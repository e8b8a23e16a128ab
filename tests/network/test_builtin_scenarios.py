"""The five built-in SMTP scenarios: hops, mailboxes, determinism (issue 2)."""
from email import message_from_bytes, policy

import pytest

from simulator.network import simulate
from simulator.scenarios import builtin_names, load
from simulator.trace import Trace

SMTP_SCENARIOS = ["basic", "backup-mx", "source-route", "bounce", "retry"]


def inbox(result, address):
    account = result.store.find(address)
    return [message_from_bytes(m.data, policy=policy.default) for m in account.inbox.messages]


def smtp_lines(result, conn, verb):
    return [s.line for s in result.trace.filter(conn=conn, protocol="SMTP")
            if s.direction == "c2s" and s.line.startswith(verb)]


def test_basic_goes_from_the_mua_through_two_mtas_into_bobs_inbox(run):
    result = run("basic")
    assert result.smtp_hops() == [("pc.a.test", "mail.a.test"), ("mail.a.test", "mx.b.test")]
    [message] = inbox(result, "bob@b.test")
    assert message["Subject"] == "Привет, Bob!"
    assert "Алисы" in message.get_content()
    assert len(message.get_all("Received")) == 2
    assert message["Return-Path"] == "<alice@a.test>"
    assert message["Delivered-To"] == "bob@b.test"


def test_basic_submission_uses_587_with_starttls_then_auth(run):
    result = run("basic")
    first = result.trace.filter(conn="c1", protocol="SMTP")
    commands = [s.line.split()[0] for s in first if s.direction == "c2s"]
    assert commands[:4] == ["EHLO", "STARTTLS", "EHLO", "AUTH"]
    assert first[0].meta["port"] == 587
    relay = result.trace.filter(conn="c2", protocol="SMTP")
    assert relay[0].meta["port"] == 25
    assert not any(s.line.startswith("AUTH") for s in relay)


def test_basic_looks_up_the_mx_before_relaying(run):
    result = run("basic")
    dns = [s for s in result.trace if s.protocol == "DNS"]
    assert [s.params["qtype"] for s in dns] == ["MX", "A"]
    assert "10 mx.b.test." in dns[0].line
    first_relay_step = result.trace.filter(conn="c2")[0]
    assert dns[-1].index < first_relay_step.index


def test_backup_mx_takes_the_message_when_the_primary_is_down(run):
    result = run("backup-mx")
    failed = [s for s in result.trace if s.explain == "net.unreachable"]
    assert [s.dst for s in failed] == ["mx1.b.test"]
    assert result.smtp_hops()[-1] == ("mail.a.test", "mx2.b.test")
    [message] = inbox(result, "bob@b.test")
    assert "by mx2.b.test" in message.get_all("Received")[0]


def test_source_route_shrinks_forward_and_grows_reverse_hop_by_hop(run):
    result = run("source-route")
    relays = ["mail.a.test", "host1.relay.test", "host2.relay.test", "host3.relay.test",
              "mx.b.test"]
    assert [server for _, server in result.smtp_hops()] == relays
    conns = result.trace.connections()
    rcpts = [smtp_lines(result, c, "RCPT")[0] for c in conns]
    mails = [smtp_lines(result, c, "MAIL")[0].split()[1] for c in conns]
    assert rcpts[1:] == [
        "RCPT TO:<@host1.relay.test,@host2.relay.test,@host3.relay.test:bob@b.test>",
        "RCPT TO:<@host2.relay.test,@host3.relay.test:bob@b.test>",
        "RCPT TO:<@host3.relay.test:bob@b.test>",
        "RCPT TO:<bob@b.test>"]
    assert mails[1:] == [
        "FROM:<alice@a.test>",
        "FROM:<@host1.relay.test:alice@a.test>",
        "FROM:<@host2.relay.test,@host1.relay.test:alice@a.test>",
        "FROM:<@host3.relay.test,@host2.relay.test,@host1.relay.test:alice@a.test>"]


def test_source_route_received_headers_grow_one_per_hop(run):
    result = run("source-route")
    contents = [s for s in result.trace if s.explain == "smtp.data.content"]
    counts = [s.line.count("Received: ") for s in contents]
    assert counts == [0, 1, 2, 3, 4]
    [message] = inbox(result, "bob@b.test")
    assert len(message.get_all("Received")) == 5


def test_source_route_ignored_in_rfc5321_mode_goes_straight_to_the_mx(variant):
    result = simulate(variant("source-route", options={"source_routes": "ignore"}))
    assert result.smtp_hops() == [("pc.a.test", "mail.a.test"), ("mail.a.test", "mx.b.test")]
    assert smtp_lines(result, "c2", "RCPT") == ["RCPT TO:<bob@b.test>"]
    assert len(inbox(result, "bob@b.test")) == 1


def test_bounce_returns_a_dsn_to_the_reverse_path(run):
    result = run("bounce")
    refusal = [s for s in result.trace if s.direction == "s2c" and s.line.startswith("550")]
    assert refusal and "5.1.1" in refusal[0].line
    assert len(result.bounces) == 1
    [dsn] = inbox(result, "alice@a.test")
    assert dsn.get_content_type() == "multipart/report"
    assert dsn["Return-Path"] == "<>"
    status = next(p for p in dsn.walk() if p.get_content_type() == "message/delivery-status")
    text = status.as_string()
    assert "nobody@b.test" in text and "Status: 5.1.1" in text and "Action: failed" in text
    assert inbox(result, "bob@b.test") == []


def test_retry_waits_in_the_queue_and_delivers_on_the_third_attempt(run):
    result = run("retry")
    greylisted = [s for s in result.trace if s.line.startswith("451 4.7.1")]
    assert len(greylisted) == 2
    deferred = [s for s in result.trace if s.explain == "mta.deferred"]
    assert [s.params["wait"] for s in deferred] == ["60", "300"]
    [delivery] = result.deliveries
    assert delivery.address == "bob@b.test"
    assert delivery.time == pytest.approx(360.0, abs=1.0)   # 60 s + 300 s of queue waits
    assert len(result.bounces) == 0


def test_another_seed_gives_other_ids_but_the_same_story():
    a, b = simulate(load("basic"), seed=1), simulate(load("basic"), seed=2)
    assert a.trace.to_json() != b.trace.to_json()
    assert [s.explain for s in a.trace] == [s.explain for s in b.trace]


@pytest.mark.parametrize("name", SMTP_SCENARIOS)
def test_every_message_acknowledged_with_250_is_delivered_or_bounced(name, run):
    """RFC 5321 §6.1: once an MTA said 250 to the content it must not lose the message."""
    result = run(name)
    queued = {s.params["queue_id"] for s in result.trace if s.explain == "mta.queued"}
    handled = {s.params["queue_id"] for s in result.trace
               if s.explain in ("mta.relayed", "mda.deliver")}
    handled |= {s.params["original"] for s in result.trace if s.explain == "mta.bounce"}
    assert queued and queued <= handled


def test_every_builtin_scenario_is_listed():
    assert set(SMTP_SCENARIOS) <= set(builtin_names())


def test_routed_paths_are_explained_as_forward_and_reverse_routes(run):
    from simulator.locale import explain
    result = run("source-route")
    last = result.trace.connections()[-1]
    mail = next(s for s in result.trace.filter(conn=last) if s.line.startswith("MAIL"))
    rcpt = next(s for s in result.trace.filter(conn="c3") if s.line.startswith("RCPT"))
    assert "RFC 821 §3.6" in explain(mail.explain, mail.params, "en")
    assert "в обратном порядке" in explain(mail.explain, mail.params, "ru")
    assert "next host of the route" in explain(rcpt.explain, rcpt.params, "en")


def test_the_trace_names_each_hosts_roles(run):
    result = run("backup-mx")
    assert result.trace.roles["mx1.b.test"] == ["mta", "mda"]     # down, yet known as an MTA
    assert result.trace.roles["pc.a.test"] == ["mua"]
    assert Trace.from_json(result.trace.to_json()).roles == result.trace.roles
