"""The simulated DNS: what a student sees when mail is routed (RFC 5321 §5.1)."""
from __future__ import annotations

import random

import pytest
import yaml

from simulator.locale import texts
from simulator.network.dns import DNS, Exchanger, Lookup, ZoneError
from simulator.scenarios.model import Zone

SOA = "$TTL 3600\n@ IN SOA ns.{o} hostmaster.{o} (1 3600 600 86400 3600)\n@ IN NS ns.{o}\n"


def zone(origin: str, records: str, source: str = "lab.yaml", first_line: int = 1) -> Zone:
    return Zone(origin, SOA.format(o=origin + ".") + records, source, first_line)


B_TEST = """
@     IN MX 20 mx2
@     IN MX 10 mx1
ns    IN A  192.0.2.53
mx1   IN A  192.0.2.10
mx2   IN A  192.0.2.20
mail  IN A  192.0.2.30
www   IN CNAME mail
_submission._tcp IN SRV 0 1 587 mail
"""


@pytest.fixture
def net() -> DNS:
    dns = DNS()
    dns.add_zone(zone("b.test", B_TEST))
    dns.add_zone(zone("c.test", "ns IN A 192.0.2.99\n@ IN A 192.0.2.40\n"))
    dns.add_zone(zone("null.test", "@ IN MX 0 .\nns IN A 192.0.2.98\n"))
    return dns


def test_mx_answer_is_zone_file_style(net):
    lookup = net.query("b.test", "MX")
    assert lookup.rcode == "NOERROR"
    assert "b.test. 3600 IN MX 10 mx1.b.test." in lookup.answers
    assert lookup.question() == "b.test. IN MX?"
    assert lookup.summary() == "20 mx2.b.test., 10 mx1.b.test."


def test_names_are_case_insensitive_with_or_without_trailing_dot(net):
    assert net.query("B.Test.", "mx") == net.query("b.test", "MX")


def test_two_mx_are_tried_lowest_preference_first(net):
    route = net.mail_route("b.test")
    assert [(e.preference, e.host, e.address) for e in route.exchangers] == [
        (10, "mx1.b.test.", "192.0.2.10"), (20, "mx2.b.test.", "192.0.2.20")]
    assert route.error is None


def test_every_lookup_is_recorded_in_order(net):
    route = net.mail_route("b.test")
    assert [(lk.qname, lk.qtype) for lk in route.lookups] == [
        ("b.test.", "MX"), ("mx1.b.test.", "A"), ("mx2.b.test.", "A")]


def _tie_dns() -> DNS:
    records = "".join(f"@ IN MX 10 mx{i}\nmx{i} IN A 192.0.2.{i}\n" for i in range(1, 7))
    dns = DNS()
    dns.add_zone(zone("tie.test", records + "@ IN MX 5 first\nfirst IN A 192.0.2.100\n"))
    return dns


def test_equal_preferences_are_shuffled_deterministically_per_seed():
    dns = _tie_dns()
    hosts = lambda seed: [e.host for e in dns.mail_route("tie.test", random.Random(seed)).exchangers]
    assert hosts(1) == hosts(1)
    assert len({tuple(hosts(seed)) for seed in range(10)}) > 1      # really randomized
    assert all(hosts(seed)[0] == "first.tie.test." for seed in range(10))   # preference still wins


def test_default_order_is_reproducible_without_rng():
    assert _tie_dns().mail_route("tie.test") == _tie_dns().mail_route("tie.test")


def test_no_mx_falls_back_to_the_domain_address(net):
    route = net.mail_route("c.test")
    assert route.exchangers == (Exchanger(0, "c.test.", "192.0.2.40", implicit=True),)
    assert [(lk.qtype, lk.summary()) for lk in route.lookups] == [
        ("MX", "(no records)"), ("A", "192.0.2.40")]
    assert route.lookups[0].key == "dns.rcode.NODATA"


def test_no_mx_and_no_address_is_undeliverable():
    dns = DNS()
    dns.add_zone(zone("bare.test", "ns IN A 192.0.2.1\n"))
    route = dns.mail_route("bare.test")
    assert route.exchangers == () and route.error == "NOADDRESS"


def test_unknown_domain_is_nxdomain(net):
    route = net.mail_route("nowhere.example")
    assert route.error == "NXDOMAIN" and route.exchangers == ()
    assert route.lookups[0].summary() == "NXDOMAIN"
    assert net.query("ghost.b.test", "A").rcode == "NXDOMAIN"     # inside a zone, no such name


def test_existing_name_without_the_type_is_nodata(net):
    lookup = net.query("mx1.b.test", "MX")
    assert (lookup.rcode, lookup.answers) == ("NOERROR", ())


def test_servfail_by_fault_injection_covers_subdomains_and_clears(net):
    net.set_failure("b.test")
    route = net.mail_route("b.test")
    assert route.error == "SERVFAIL" and route.temporary
    assert net.query("mx1.b.test", "A").rcode == "SERVFAIL"
    net.clear_failure("b.test")
    assert net.mail_route("b.test").error is None


def test_failure_of_one_exchanger_address_leaves_it_without_address(net):
    net.set_failure("mx1.b.test")
    route = net.mail_route("b.test")
    assert [e.address for e in route.exchangers] == [None, "192.0.2.20"]
    assert route.lookups[1].rcode == "SERVFAIL"


def test_injected_nxdomain(net):
    net.set_failure("c.test", "NXDOMAIN")
    assert net.mail_route("c.test").error == "NXDOMAIN"
    with pytest.raises(ValueError):
        net.set_failure("c.test", "REFUSED")


def test_null_mx_means_no_mail(net):
    route = net.mail_route("null.test")
    assert route.error == "NULLMX" and route.exchangers == ()
    assert not route.temporary


def test_srv_lookup_for_submission(net):
    lookup = net.srv("_submission", "_tcp", "b.test")
    assert lookup.qname == "_submission._tcp.b.test."
    assert lookup.summary() == "0 1 587 mail.b.test."
    assert net.srv("submission", "tcp", "b.test") == lookup
    assert net.query("_tcp.b.test", "SRV").rcode == "NOERROR"     # empty non-terminal exists


def test_cname_is_followed(net):
    lookup = net.query("www.b.test", "A")
    assert lookup.answers == ("www.b.test. 3600 IN CNAME mail.b.test.",
                              "mail.b.test. 3600 IN A 192.0.2.30")


def test_address_falls_back_to_aaaa():
    dns = DNS()
    dns.add_zone(zone("six.test", "ns IN A 192.0.2.1\nmx IN AAAA 2001:db8::25\n@ IN MX 10 mx\n"))
    assert dns.address("mx.six.test").summary() == "2001:db8::25"
    route = dns.mail_route("six.test")
    assert route.exchangers[0].address == "2001:db8::25"
    assert [lk.qtype for lk in route.lookups] == ["MX", "A", "AAAA"]


def test_hosts_and_origins_for_the_topology(net):
    assert net.hosts()["mx1.b.test"] == "192.0.2.10"
    assert net.hosts()["c.test"] == "192.0.2.40"
    assert net.zone_origins() == ["b.test.", "c.test.", "null.test."]


def test_longest_origin_wins():
    dns = DNS()
    dns.add_zone(zone("test", "ns IN A 192.0.2.1\nx.sub IN A 192.0.2.2\n"))
    dns.add_zone(zone("sub.test", "ns IN A 192.0.2.3\nx IN A 192.0.2.4\n"))
    assert dns.query("x.sub.test", "A").summary() == "192.0.2.4"


# -- malformed zones: a located, explained error instead of a traceback ------------------------
# The records start on line 4 of the zone text (after $TTL, SOA, NS); the zone text
# itself starts on line 20 of the scenario file, so record n is on file line 22 + n.

@pytest.mark.parametrize("records, bad_record, words", [
    ("@ IN MX 10 mx1\n@ 3x IN MX 10 mx1\n", 2, ["'3x'", "TTL", "1h"]),
    ("@ IN MX 10 mx1\nmx1 IN A 192.0.2.1\n@ IN MX mx2\n", 3, ["MX", "preference host"]),
    ("mx1 IN A 192.0.2.1\n@ IN MAILSERVER mx1\n", 2, ["'MAILSERVER'", "A, AAAA, MX"]),
    ("@ IN MX 10\nmx1 IN A 192.0.2.1\n", 1, ["MX", "preference host"]),
    ("mx1 IN A 192.0.2.300\n", 1, ["192.0.2.10"]),
])
def test_malformed_zone_names_file_line_and_expectation(records, bad_record, words):
    bad = zone("b.test", records, source="lab3.yaml", first_line=20)
    with pytest.raises(ZoneError) as caught:
        DNS().add_zone(bad)
    err = caught.value
    assert (err.source, err.line) == ("lab3.yaml", 22 + bad_record)
    english = err.message("en")
    assert english.startswith(f"lab3.yaml, line {22 + bad_record}: ")
    assert "expected" in english and all(w in english for w in words)
    assert err.message("ru").startswith(f"lab3.yaml, строка {22 + bad_record}: ")
    assert "Traceback" not in str(err) and "dns." not in english


@pytest.mark.parametrize("text, word", [
    ("$TTL 3600\n@ IN NS ns.b.test.\nns IN A 192.0.2.1\n", "SOA"),
    ("$TTL 3600\n@ IN SOA ns.b.test. h.b.test. 1 2 3 4 5\n", "NS"),
])
def test_zone_without_soa_or_ns_points_at_the_zone_start(text, word):
    with pytest.raises(ZoneError) as caught:
        DNS().add_zone(Zone("b.test", text, "lab3.yaml", 7))
    assert caught.value.line == 7 and word in caught.value.message("en")


def test_the_same_zone_twice_is_an_error(net):
    with pytest.raises(ZoneError, match="lab.yaml"):
        net.add_zone(zone("b.test", "ns IN A 192.0.2.1\n"))


def test_lookup_explanations_exist_in_both_languages():
    for key in ("dns.query.MX", "dns.query.SRV", "dns.rcode.NXDOMAIN", "dns.rcode.SERVFAIL",
                "dns.rcode.NODATA", "dns.fallback.A", "dns.nullmx", "dns.route.NOADDRESS"):
        assert key in texts("ru") and key in texts("en"), key
    assert Lookup("b.test.", "MX", "SERVFAIL").key == "dns.rcode.SERVFAIL"


def test_dns_locale_files_have_the_same_keys():
    from importlib import resources

    def keys(lang):
        tree = yaml.safe_load(resources.files("simulator.locale").joinpath(lang, "dns.yaml")
                              .read_text("utf-8"))
        out, stack = set(), [("", tree)]
        while stack:
            prefix, node = stack.pop()
            for k, v in node.items():
                (stack.append((prefix + k + ".", v)) if isinstance(v, dict)
                 else out.add(prefix + k))
        return out

    assert keys("ru") == keys("en")
