"""Fault injection and MTA policy: what goes wrong, and that mail is never lost."""
from email import message_from_bytes, policy

from simulator.network import Network, simulate
from simulator.protocols.smtp import Envelope, Path, SMTPClient

GREYLIST_FOREVER = {"kind": "reply", "node": "mx.b.test", "command": "RCPT",
                    "reply": "451 4.7.1 Greylisted, please try again later", "times": 99}


def inbox(result, address):
    return [message_from_bytes(m.data, policy=policy.default)
            for m in result.store.find(address).inbox.messages]


def explained(result, key):
    return [s for s in result.trace if s.explain == key]


def test_exhausted_retries_bounce_with_the_last_error(variant):
    result = simulate(variant("retry", faults=[GREYLIST_FOREVER],
                              options={"retry_schedule": [60, 120]}))
    assert len(explained(result, "mta.deferred")) == 2
    assert len(explained(result, "mta.expired")) == 1
    assert inbox(result, "bob@b.test") == []
    [dsn] = inbox(result, "alice@a.test")
    report = dsn.as_string()
    assert "Greylisted" in report and "bob@b.test" in report
    assert len(result.bounces) == 1


def test_dns_servfail_defers_and_delivery_follows_when_dns_recovers(variant):
    fault = {"kind": "dns", "name": "b.test", "rcode": "SERVFAIL", "start": 0, "end": 100}
    result = simulate(variant("basic", faults=[fault], options={"retry_schedule": [60, 120]}))
    lookups = [s for s in result.trace if s.protocol == "DNS"]
    assert lookups[0].meta["rcode"] == "SERVFAIL"
    assert [s.params["wait"] for s in explained(result, "mta.deferred")] == ["60", "120"]
    [delivery] = result.deliveries
    assert delivery.time > 100


def test_nxdomain_bounces_at_once(variant):
    fault = {"kind": "dns", "name": "b.test", "rcode": "NXDOMAIN"}
    result = simulate(variant("basic", faults=[fault]))
    assert explained(result, "mta.deferred") == []
    [dsn] = inbox(result, "alice@a.test")
    assert "5.1.2" in dsn.as_string()


def test_a_cut_link_makes_the_mx_unreachable_until_it_is_repaired(variant):
    fault = {"kind": "link_down", "node": "mx.b.test", "peer": "internet", "start": 0, "end": 200}
    result = simulate(variant("basic", faults=[fault], options={"retry_schedule": [60, 300]}))
    assert [s.dst for s in explained(result, "net.unreachable")] == ["mx.b.test", "mx.b.test"]
    assert [s.explain for s in result.trace if s.protocol == "FAULT"] == [
        "fault.link_down.on", "fault.link_down.off"]
    assert len(inbox(result, "bob@b.test")) == 1


def test_every_mx_down_keeps_the_message_queued_then_delivers(variant):
    # Attempts at 0 s and 120 s find both down (each costs two 30 s timeouts);
    # the third, at 480 s, finds the primary back.
    faults = [{"kind": "node_down", "node": "mx1.b.test", "end": 400},
              {"kind": "node_down", "node": "mx2.b.test", "end": 400}]
    result = simulate(variant("backup-mx", faults=faults,
                              options={"retry_schedule": [60, 300, 900]}))
    assert len(explained(result, "mta.deferred")) == 2
    [delivery] = result.deliveries
    assert delivery.host == "mx1.b.test"          # the primary is back and preferred again


def test_no_open_relay_for_an_unauthenticated_client(variant):
    hosts = [{"name": "pc.a.test", "roles": ["mua"], "user": "alice@a.test",
              "smtp_server": "mx.b.test"},
             {"name": "mail.a.test", "roles": ["mta", "mda"], "domains": ["a.test"],
              "submission": True},
             {"name": "mx.b.test", "roles": ["mta", "mda"], "domains": ["b.test"]}]
    messages = [{"at": 0, "client": "pc.a.test", "from": "alice@a.test",
                 "to": ["someone@a.test"], "subject": "relay?", "body": "x"}]
    result = simulate(variant("basic", hosts=hosts, messages=messages))
    refusals = [s.line for s in result.trace if s.line.startswith("550")]
    assert refusals == ["550 5.7.1 <someone@a.test>: Relay access denied"]
    assert explained(result, "mua.failed")
    assert explained(result, "mta.queued") == []


def test_submission_port_refuses_mail_before_authentication(variant):
    network = Network(variant("basic", messages=[]), seed=1)
    envelope = Envelope(mail_from=Path("alice@a.test"), rcpt_to=[Path("bob@b.test")],
                        content=b"Subject: no auth\r\n\r\nhi\r\n")
    conn = network.connect("pc.a.test", "mail.a.test", 587, "SMTP",
                           SMTPClient("pc.a.test", envelope, starttls=True))
    result = network.run()
    assert conn.client_engine.result.failure.code == 530
    assert result.deliveries == [] and explained(result, "mta.queued") == []


def test_an_mx_that_refuses_ehlo_hands_the_message_to_the_next_one(variant):
    fault = {"kind": "reply", "node": "mx1.b.test", "command": "EHLO",
             "reply": "554 5.7.1 No service for you"}
    result = simulate(variant("backup-mx", faults=[fault]))
    assert result.smtp_hops()[1:] == [("mail.a.test", "mx1.b.test"),
                                      ("mail.a.test", "mx2.b.test")]
    [delivery] = result.deliveries
    assert delivery.host == "mx2.b.test" and len(result.bounces) == 0


def test_a_permanent_refusal_of_mail_from_bounces_without_trying_other_mx(variant):
    fault = {"kind": "reply", "node": "mx1.b.test", "command": "MAIL",
             "reply": "550 5.7.1 Sender blocked"}
    result = simulate(variant("backup-mx", faults=[fault]))
    assert ("mail.a.test", "mx2.b.test") not in result.smtp_hops()
    assert len(result.bounces) == 1 and result.deliveries[0].address == "alice@a.test"
