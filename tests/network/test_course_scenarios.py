"""The four scenarios of the course (issue 11): DNS fallbacks, a shared IMAP folder,
one mailbox over POP3 and IMAP, and ports with and without TLS."""
import re
from importlib import resources

import pytest
import yaml

from simulator.network import simulate
from simulator.scenarios import builtin_names, load

COURSE = ["dns-fallback", "imap-shared", "pop3-vs-imap", "ports-tls"]


@pytest.fixture(scope="module")
def runs():
    return {name: simulate(load(name)) for name in COURSE}


def test_each_is_a_builtin_with_both_languages():
    assert set(COURSE) <= set(builtin_names())


def test_the_client_finds_its_server_by_srv_before_anything_else(runs):
    trace = runs["dns-fallback"].trace
    first = trace[0]
    assert first.protocol == "DNS" and first.params["qtype"] == "SRV"
    assert first.line == "_submissions._tcp.a.test. IN SRV? → 0 1 465 mail.a.test."
    assert trace.filter(conn="c1")[0].meta["port"] == 465


def test_no_mx_falls_back_to_the_domains_own_address(runs):
    result = runs["dns-fallback"]
    steps = [s.explain for s in result.trace if s.protocol == "DNS"]
    assert "dns.rcode.NODATA" in steps and "dns.fallback.A" in steps
    assert ("mail.a.test", "c.test") in result.smtp_hops()
    assert [d.address for d in result.deliveries if d.host == "c.test"] == ["carol@c.test"]


def test_a_null_mx_bounces_at_once_and_no_address_bounces_too(runs):
    result = runs["dns-fallback"]
    bounces = {b.recipient: b for b in result.bounces}
    assert bounces["dan@d.test"].status == "5.1.10"        # RFC 7505 §4.1
    assert bounces["eve@e.test"].status == "5.1.2"
    assert 60 < bounces["dan@d.test"].time < 61       # sent at 60: no retry schedule waited out
    keys = [s.explain for s in result.trace]
    assert "dns.nullmx" in keys and "dns.route.NOADDRESS" in keys
    # Nobody ever opened a connection to d.test, though it has an A record.
    assert not any(s.dst == "d.test" for s in result.trace if s.protocol == "TCP")


def test_a_shared_folder_shows_one_users_flag_to_the_other(runs):
    trace = runs["imap-shared"].trace
    lines = [s.line for s in trace if s.protocol == "IMAP"]
    assert '* NAMESPACE (("" "/")) NIL (("Shared/" "/"))' in lines
    carol = [s for s in trace if s.protocol == "IMAP" and s.dst == "desk.b.test"]
    assert any("STORE" in s.line or "\\Answered" in s.line for s in carol)
    last = [s.line for s in trace.filter(conn=trace.connections()[-1]) if "FETCH (UID" in s.line]
    assert last and "\\Answered" in last[-1]
    team = runs["imap-shared"].store.account("team@b.test")
    assert [m.uid for m in team.folders["Support"].messages] == [1]


def test_pop3_sees_only_inbox_without_flags_and_empties_it_for_imap(runs):
    result = runs["pop3-vs-imap"]
    pop = [s.line for s in result.trace if s.protocol == "POP3"]
    assert "+OK 2 1183" in pop and not any("Flagged" in line for line in pop)
    imap = [s.line for s in result.trace if s.protocol == "IMAP"]
    assert imap.count("* 0 EXISTS") == 1 and "* STATUS Work (MESSAGES 1)" in imap
    bob = result.store.account("bob@b.test")
    assert bob.inbox.messages == [] and len(bob.folders["Work"].messages) == 1


def test_ports_and_where_the_password_travels(runs):
    trace = runs["ports-tls"].trace
    by_port = {}
    for conn in trace.connections():
        steps = trace.filter(conn=conn)
        by_port.setdefault(steps[0].meta["port"], []).append(steps)
    [implicit] = by_port[465]
    assert implicit[1].explain == "net.tls_implicit"       # TLS before the greeting
    assert implicit[2].line.startswith("220 ")
    assert not any(s.line == "STARTTLS" for s in implicit)
    assert all(s.meta.get("tls") for s in implicit if s.protocol == "SMTP")
    [starttls] = by_port[587]
    before_tls = [s for s in starttls if s.protocol == "SMTP" and not s.meta.get("tls")]
    assert not any(s.line.startswith("AUTH") for s in before_tls)
    assert all(not s.line.startswith("AUTH") for relay in by_port[25] for s in relay)
    plain, apop, stls = by_port[110]
    assert "PASS bob-pw" in [s.line for s in plain if not s.meta.get("tls")]
    assert [s for s in apop if re.fullmatch(r"APOP bob@b.test [0-9a-f]{32}", s.line)]
    assert not any("bob-pw" in s.line for s in apop)
    assert [s.line for s in stls if s.line == "PASS bob-pw" and s.meta.get("tls")]


def test_a_client_without_a_server_or_srv_record_says_it_cannot_send(variant):
    data = yaml.safe_load(resources.files("simulator.scenarios").joinpath("dns-fallback.yaml")
                          .read_text("utf-8"))
    zones = dict(data["zones"], **{"a.test": data["zones"]["a.test"].replace("_submission",
                                                                             "_none")})
    result = simulate(variant("dns-fallback", zones=zones))
    failed = [s for s in result.trace if s.explain == "mua.failed"]
    assert len(failed) == 3 and not result.deliveries
