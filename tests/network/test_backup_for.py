"""hosts[].backup_for: a store-and-forward secondary MX (RFC 5321 §5.1, issue 18).

It takes mail for the domain from anyone, queues it, and forwards it only to a more
preferred MX of the domain — never to itself or a less preferred one — when one answers.
"""
from email import message_from_bytes, policy

from simulator.network import simulate
from simulator.scenarios import load


def test_the_backup_accepts_queues_and_forwards_when_the_primary_returns():
    result = simulate(load("backup-mx-forward"))
    rcpt = result.trace.find(command="RCPT", conn="c3")
    assert rcpt.code == 250 and rcpt.reply.explain == "mta.reply.backup_rcpt"
    [queued] = [s for s in result.trace if s.explain == "mta.queued" and s.src == "mx2.b.test"]
    assert queued.params["notes"] == ["mta.backup_queued"]
    # Only the more preferred mx1 is ever tried by the backup: not itself, not mx3.
    assert {server for client, server in result.smtp_hops() if client == "mx2.b.test"} == {
        "mx1.b.test"}
    tries = [s.dst for s in result.trace if s.src == "mx2.b.test" and s.protocol == "TCP"
             and s.explain in ("net.connect", "net.unreachable")]
    assert set(tries) == {"mx1.b.test"} and len(tries) == 3
    [delivery] = result.deliveries
    assert (delivery.host, delivery.address) == ("mx1.b.test", "bob@b.test")
    assert delivery.time > 400                       # after the primary came back
    [message] = [message_from_bytes(m.data, policy=policy.default)
                 for m in result.store.find("bob@b.test").inbox.messages]
    hops = [h.split()[1] for h in message.get_all("Received")]   # "from X by Y"
    assert hops[:2] == ["mx2.b.test", "mail.a.test"]
    assert result.bounces == []


def test_the_trace_says_where_a_backup_may_forward_and_why():
    result = simulate(load("backup-mx-forward"))
    route = [s for s in result.trace if s.explain == "mta.backup_route"]
    assert len(route) == 3
    assert route[0].params["hosts"] == "mx1.b.test (10)"
    assert route[0].params["skipped"] == "mx2.b.test (20), mx3.b.test (30)"
    for lang in ("en", "ru"):
        assert "RFC 5321 §5.1" in route[0].explanation(lang)


def backup_variant(variant, mx2, faults=(), to=("bob@b.test",)):
    """backup-mx-forward with mx2 replaced and the given faults."""
    scenario = load("backup-mx-forward")
    hosts = [{"name": h.name, "roles": list(h.roles),
              **({"domains": list(h.domains)} if h.domains else {}),
              **({"backup_for": list(h.backup_for)} if h.backup_for else {}),
              **({"user": h.user} if h.user else {}),
              **({"smtp_server": h.smtp_server} if h.smtp_server else {}),
              **({"submission": True} if h.submission else {})}
             for h in scenario.hosts if h.name != "mx2.b.test"]
    messages = [{"at": 0, "client": "pc.a.test", "from": "alice@a.test", "to": list(to),
                 "subject": "Hi", "body": "Hi.\n"}]
    return simulate(variant("backup-mx-forward", hosts=[*hosts, mx2], faults=list(faults),
                            messages=messages, sessions=[]))


def test_without_backup_for_a_host_that_is_not_final_refuses_to_relay(variant):
    result = backup_variant(variant, {"name": "mx2.b.test", "roles": ["mta"]},
                            faults=[{"kind": "node_down", "node": "mx1.b.test"}])
    rcpt = result.trace.find(command="RCPT", conn="c3")
    assert rcpt.reply.line.startswith("550 5.7.1") and rcpt.reply.explain.endswith(
        "relay_denied")


def test_the_backup_bounces_what_the_primary_refuses(variant):
    """It took every address of the domain; the primary's 550 comes back as its DSN."""
    result = backup_variant(variant, {"name": "mx2.b.test", "roles": ["mta"],
                                      "backup_for": "b.test"},
                            faults=[{"kind": "node_down", "node": "mx1.b.test", "end": 100}],
                            to=["nobody@b.test"])
    [bounce] = result.bounces
    assert (bounce.host, bounce.status, bounce.recipient) == ("mx2.b.test", "5.1.1",
                                                              "nobody@b.test")
    assert [d.address for d in result.deliveries] == ["alice@a.test"]


def test_a_backup_that_is_the_best_mx_bounces_a_loop_instead_of_queueing_forever(variant):
    result = backup_variant(variant, {"name": "mx2.b.test", "roles": ["mta"],
                                      "backup_for": "b.test"},
                            faults=[{"kind": "node_down", "node": "mx1.b.test"}])
    # mx1 down, mx2 forwards only to mx1 — still a normal wait, no loop:
    assert not [b for b in result.bounces if b.status == "5.4.6"]
    zone = load("backup-mx-forward").zones[1].text.replace("10 mx1.b.test.", "40 mx1.b.test.")
    scenario = load("backup-mx-forward")
    zones = {z.origin: z.text for z in scenario.zones} | {"b.test": zone}
    looped = simulate(variant("backup-mx-forward", zones=zones, sessions=[]))
    [bounce] = looped.bounces
    assert bounce.host == "mx2.b.test" and bounce.status == "5.4.6"
    assert "loops back to myself" in bounce.diagnostic
    [step] = [s for s in looped.trace if s.explain == "mta.bounce"]
    assert step.params["notes"] == ["mta.cause.loop"]
