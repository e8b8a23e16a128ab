"""SPF, DKIM and DMARC at the receiving MTA (issue 14): the evaluators against the RFCs'
own examples, and the verdicts the built-in scenarios show."""
import pytest

from simulator.network import dkim_check, dmarc_check, simulate, spf_check
from simulator.network.dns import DNS
from simulator.scenarios import ScenarioError, load, load_text
from simulator.scenarios.model import Zone

# RFC 7208 Appendix A: the zone every example of A.1 is evaluated over.
EXAMPLE_COM = """$TTL 3600
@          IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300
@          IN NS  ns.example.com.
@          IN MX  10 mail-a.example.com.
@          IN MX  20 mail-b.example.com.
@          IN A   192.0.2.10
@          IN A   192.0.2.11
@          IN TXT "{record}"
amy        IN A   192.0.2.65
bob        IN A   192.0.2.66
mail-a     IN A   192.0.2.129
mail-b     IN A   192.0.2.130
www        IN A   192.0.2.10
www        IN A   192.0.2.11
"""
EXAMPLE_ORG = """$TTL 3600
@          IN SOA ns.example.org. hostmaster.example.org. 1 3600 600 86400 300
@          IN NS  ns.example.org.
@          IN MX  10 mail-c.example.org.
mail-c     IN A   192.0.2.140
"""


def spf_result(record: str, ip: str, *, failing: str | None = None) -> str:
    dns = DNS()
    dns.add_zone(Zone("example.com", EXAMPLE_COM.format(record=record)))
    dns.add_zone(Zone("example.org", EXAMPLE_ORG))
    if failing:
        dns.set_failure(failing)
    return spf_check.check(dns, lambda lookup: None, ip=ip, mail_from="user@example.com",
                           helo="mx.client.test").result


@pytest.mark.parametrize(("record", "passing", "failing"), [
    ("v=spf1 +all", ["192.0.2.10", "198.51.100.1"], []),
    ("v=spf1 a -all", ["192.0.2.10", "192.0.2.11"], ["192.0.2.65", "192.0.2.129"]),
    ("v=spf1 a:example.org -all", [], ["192.0.2.10", "192.0.2.140"]),
    ("v=spf1 mx -all", ["192.0.2.129", "192.0.2.130"], ["192.0.2.10", "192.0.2.140"]),
    ("v=spf1 mx:example.org -all", ["192.0.2.140"], ["192.0.2.129"]),
    ("v=spf1 mx mx:example.org -all", ["192.0.2.129", "192.0.2.130", "192.0.2.140"],
     ["192.0.2.65"]),
    ("v=spf1 mx/30 mx:example.org/30 -all", ["192.0.2.131", "192.0.2.142"],
     ["192.0.2.127", "192.0.2.144"]),
    ("v=spf1 ip4:192.0.2.128/28 -all", ["192.0.2.128", "192.0.2.143"],
     ["192.0.2.127", "192.0.2.144"]),
])
def test_spf_gives_the_results_of_rfc_7208_appendix_a_1(record, passing, failing):
    assert [spf_result(record, ip) for ip in passing] == ["pass"] * len(passing)
    assert [spf_result(record, ip) for ip in failing] == ["fail"] * len(failing)


@pytest.mark.parametrize(("record", "result"), [
    ("v=spf1 a ~all", "softfail"), ("v=spf1 a ?all", "neutral"),
    ("v=spf1 a foo:bar -all", "permerror"), ("not an spf record", "none"),
])
def test_spf_gives_each_result_of_rfc_7208_section_2_6(record, result):
    assert spf_result(record, "198.51.100.1") == result


def test_a_dns_failure_is_an_spf_temperror_and_every_query_is_reported():
    asked = []
    dns = DNS()
    dns.add_zone(Zone("example.com", EXAMPLE_COM.format(record="v=spf1 mx -all")))
    found = spf_check.check(dns, asked.append, ip="192.0.2.129", mail_from="a@example.com",
                            helo="h")
    assert found.result == "pass"
    assert [q.question() for q in asked] == ["example.com. IN TXT?", "example.com. IN MX?",
                                             "mail-a.example.com. IN A?",
                                             "mail-b.example.com. IN A?"]
    assert spf_result("v=spf1 mx -all", "192.0.2.129", failing="example.com") == "temperror"


def test_a_bounce_is_checked_as_postmaster_at_the_helo_name():
    """RFC 7208 §2.4: an empty MAIL FROM is checked as postmaster@<HELO>."""
    dns = DNS()
    dns.add_zone(Zone("example.com", EXAMPLE_COM.format(record="v=spf1 a -all")))
    found = spf_check.check(dns, lambda q: None, ip="192.0.2.10", mail_from="",
                            helo="example.com")
    assert (found.sender, found.result) == ("postmaster@example.com", "pass")


# -- DKIM ---------------------------------------------------------------------------------
MESSAGE = (b"From: Alice <alice@a.test>\r\nTo: bob@b.test\r\nSubject: Lab 5\r\n"
           b"Date: Tue, 01 Sep 2026 09:00:00 +0000\r\nMessage-ID: <1@a.test>\r\n\r\nHello\r\n")
NOW = 1788253200.0      # 2026-09-01 09:00:00 UTC, the scenarios' default start


def signer_zone() -> tuple[DNS, dkim_check.DKIMKey]:
    dns = DNS()
    dns.add_zone(Zone("a.test", "$TTL 3600\n@ IN SOA ns.a.test. h.a.test. 1 3600 600 86400 300"
                                "\n@ IN NS ns.a.test.\n"))
    key = dkim_check.make_key("a.test", "s1", 7)
    dns.publish_txt(key.record_name, key.record)
    return dns, key


def dkim_of(message: bytes, dns: DNS) -> str:
    return dkim_check.verify(message, dns, lambda q: None, NOW).result


def test_a_dkim_signature_survives_new_headers_on_top_and_breaks_with_the_body():
    dns, key = signer_zone()
    signed = dkim_check.sign(MESSAGE, key, NOW)
    assert signed.startswith(b"DKIM-Signature: v=1; a=rsa-sha256;")
    assert b"t=1788253200;" in signed                     # the simulated clock, not the wall's
    assert dkim_of(signed, dns) == "pass"
    assert dkim_of(b"Received: from mx.b.test by mx.c.test\r\n" + signed, dns) == "pass"
    assert dkim_of(signed.replace(b"Hello", b"Hellp"), dns) == "fail"
    assert dkim_of(signed.replace(b"Subject: Lab 5", b"Subject: Lab 6"), dns) == "fail"
    assert dkim_of(MESSAGE, dns) == "none"


def test_a_dkim_signature_without_a_published_key_is_a_permerror():
    _, key = signer_zone()
    dns = DNS()
    dns.add_zone(Zone("a.test", "$TTL 3600\n@ IN SOA ns.a.test. h.a.test. 1 3600 600 86400 300"
                                "\n@ IN NS ns.a.test.\n"))
    assert dkim_of(dkim_check.sign(MESSAGE, key, NOW), dns) == "permerror"


def test_the_same_seed_makes_the_same_key_and_the_same_signature():
    first = dkim_check.make_key("a.test", "s1", 7)
    dkim_check.make_key.cache_clear()
    again = dkim_check.make_key("a.test", "s1", 7)
    assert first.private_pem == again.private_pem
    assert dkim_check.sign(MESSAGE, first, NOW) == dkim_check.sign(MESSAGE, again, NOW)
    assert dkim_check.make_key("a.test", "s1", 8).record != first.record


# -- DMARC --------------------------------------------------------------------------------
def dmarc_zone(record: str, origin: str = "example.com") -> DNS:
    dns = DNS()
    dns.add_zone(Zone(origin, f"$TTL 3600\n@ IN SOA ns.{origin}. h.{origin}. 1 3600 600 86400 "
                              f"300\n@ IN NS ns.{origin}.\n_dmarc IN TXT \"{record}\"\n"))
    return dns


def dmarc_of(dns, from_domain, *, spf=("none", ""), dkim=()) -> dmarc_check.DMARCResult:
    return dmarc_check.check(dns, lambda q: None, from_domain=from_domain, spf_result=spf[0],
                             spf_domain=spf[1], dkim_results=list(dkim))


def test_dmarc_alignment_follows_the_examples_of_rfc_7489_section_3_1():
    relaxed, strict = dmarc_zone("v=DMARC1; p=reject"), \
        dmarc_zone("v=DMARC1; p=reject; adkim=s; aspf=s")
    # §3.1.1: From: foo.example.com, d=example.com: relaxed aligned, strict not.
    signed = {"dkim": [("pass", "example.com")]}
    assert dmarc_of(relaxed, "foo.example.com", **signed).result == "pass"
    assert dmarc_of(strict, "foo.example.com", **signed).result == "fail"
    # §3.1.2: MAIL FROM child.example.com, From: example.com: relaxed aligned, strict not.
    bounced = {"spf": ("pass", "child.example.com")}
    assert dmarc_of(relaxed, "example.com", **bounced).result == "pass"
    assert dmarc_of(strict, "example.com", **bounced).result == "fail"
    assert dmarc_of(strict, "example.com", spf=("pass", "example.com")).result == "pass"


def test_dmarc_needs_a_pass_for_an_aligned_domain_and_reads_the_policy():
    dns = dmarc_zone("v=DMARC1; p=quarantine")
    verdict = dmarc_of(dns, "example.com", spf=("pass", "evil.test"),
                       dkim=[("pass", "evil.test")])
    assert (verdict.result, verdict.disposition, verdict.policy) == ("fail", "quarantine",
                                                                     "quarantine")
    assert dmarc_of(dns, "example.com", spf=("fail", "example.com"),
                    dkim=[("pass", "example.com")]).disposition == "none"


def test_dmarc_finds_the_policy_of_the_organizational_domain():
    """RFC 7489 §6.6.3: no record at mail.example.com → that of example.com (§3.2)."""
    assert dmarc_check.organizational_domain("mail.example.com") == "example.com"
    assert dmarc_check.organizational_domain("news.example.co.uk") == "example.co.uk"
    dns = dmarc_zone("v=DMARC1; p=reject; sp=quarantine")
    verdict = dmarc_of(dns, "mail.example.com")
    assert (verdict.policy_domain, verdict.policy, verdict.disposition) == (
        "example.com", "quarantine", "quarantine")
    assert dmarc_of(dmarc_zone("v=DMARC1; p=reject"), "other.test").result == "none"
    assert dmarc_of(dmarc_zone("v=DMARC1; pct=50"), "example.com").result == "permerror"


# -- the built-in scenarios -----------------------------------------------------------------
def verdicts(name: str) -> list[tuple[str, str]]:
    return [(s.src, s.explain) for s in simulate(load(name)).trace
            if s.explain.startswith(("auth.", "mta.reply.dmarc", "mta.reply.spf"))]


def test_spoofing_a_forged_ceo_passes_plain_smtp_and_is_refused_by_spf_and_dmarc():
    result = simulate(load("spoofing"))
    forged = result.store.account("bob@b.test").inbox.get(1).data
    assert b"From: Director <ceo@a.test>" in forged and b"Authentication-Results" not in forged
    refusals = [s.line for s in result.trace if s.direction == "s2c" and s.line[:3] == "550"]
    dmarc = ("550 5.7.26 Unauthenticated mail from a.test is not accepted due to the "
             "domain's DMARC policy")
    spf = "550 5.7.23 SPF: 203.0.113.67 is not allowed to send mail for shop.test"
    assert refusals == [dmarc, dmarc, spf]
    assert [k for n, k in verdicts("spoofing") if n == "mx.c.test"] == [
        "auth.spf.fail", "auth.dkim.none", "auth.dmarc.fail", "mta.reply.dmarc_reject",
        "auth.forged_results",
        "auth.spf.pass", "auth.dkim.none", "auth.dmarc.fail", "mta.reply.dmarc_reject",
        "auth.spf.pass", "auth.dkim.pass", "auth.dmarc.pass",
        "auth.spf.fail", "auth.dkim.none", "auth.dmarc.none", "mta.reply.spf_fail"]
    real = result.store.account("carol@c.test").inbox.get(1).data
    assert (b"Authentication-Results: mx.c.test; spf=pass smtp.mailfrom=ceo@a.test;\r\n"
            b" dkim=pass header.d=a.test header.s=s2026;\r\n"
            b" dmarc=pass header.from=a.test policy.dmarc=reject\r\n") in real
    assert real.index(b"Authentication-Results") < real.index(b"DKIM-Signature")


def test_dkim_forwarding_spf_breaks_on_forwarding_while_dkim_carries_dmarc():
    result = simulate(load("dkim-forwarding"))
    by_host = verdicts("dkim-forwarding")
    assert [k for n, k in by_host if n == "mx.b.test"] == [
        "auth.spf.pass", "auth.dkim.pass", "auth.dmarc.pass",
        "auth.spf.pass", "auth.dkim.none", "auth.dmarc.pass"]
    assert [k for n, k in by_host if n == "mx.c.test"] == [
        "auth.spf.fail", "auth.dkim.pass", "auth.dmarc.pass",
        "auth.spf.fail", "auth.dkim.none", "auth.dmarc.fail"]
    bob = result.store.account("bob@c.test")
    assert [m.data.count(b"Authentication-Results:") for m in (bob.inbox.get(1),)] == [2]
    assert b"Subject: Lab 5 results" in bob.inbox.get(1).data
    assert b"Subject: Football on Friday?" in bob.folder("Junk").get(1).data
    assert [(d.address, d.folder) for d in result.deliveries] == [("bob@c.test", "INBOX"),
                                                                   ("bob@c.test", "Junk")]


def test_open_relay_takes_a_strangers_spam_until_the_fix_then_550_5_7_1():
    result = simulate(load("open-relay"))
    rcpt_replies = [(s.time, s.line) for s in result.trace
                    if s.src == "relay.a.test" and s.line.startswith(("250 2.1.5", "550"))]
    assert rcpt_replies == [(0.1, "250 2.1.5 <victim@c.test>: Ok"),
                            (120.1, "550 5.7.1 <victim@c.test>: Relay access denied")]
    inbox = result.store.account("victim@c.test").inbox
    assert [b"You have won!" in inbox.get(1).data, b"Subject: Hello" in inbox.get(2).data] == [
        True, True]
    assert b"by relay.a.test" in inbox.get(1).data


BAD_HOST = """
name: bad
zones:
  a.test: |
    $TTL 3600
    @ IN SOA ns.a.test. h.a.test. 1 3600 600 86400 300
    @ IN NS ns.a.test.
    mx IN A 192.0.2.1
hosts:
  - {{name: mx.a.test, roles: [mta], domains: [a.test], {extra}}}
"""


@pytest.mark.parametrize(("extra", "said"), [
    ("dkim_selector: 's 1'", "must be a DKIM selector"),
    ("open_relay: {since: 5}", "until"),
    ("forward: {bob: bob@c.test}", "not an e-mail address"),
])
def test_a_mistake_in_the_new_host_keys_is_named_with_its_line(extra, said):
    with pytest.raises(ScenarioError) as caught:
        load_text(BAD_HOST.format(extra=extra), lang="en")
    assert caught.value.line == 10 and said in str(caught.value)


def test_only_results_in_this_servers_name_are_removed_as_forged():
    """RFC 8601 §5: a border MTA deletes fields that claim its own authserv-id."""
    from simulator.network.sender_auth import strip_own_results
    message = (b"Authentication-Results: MX.C.TEST; dmarc=pass\r\n"
               b"Authentication-Results: mx.b.test; spf=pass\r\n smtp.mailfrom=a@a.test\r\n"
               b"Authentication-Results: mx.c.test;\r\n dkim=pass\r\n"
               b"Subject: hi\r\n\r\nAuthentication-Results: mx.c.test; in the body\r\n")
    cleaned, removed = strip_own_results(message, "mx.c.test")
    assert removed == 2
    assert cleaned == (b"Authentication-Results: mx.b.test; spf=pass\r\n smtp.mailfrom=a@a.test"
                       b"\r\nSubject: hi\r\n\r\nAuthentication-Results: mx.c.test; in the body\r\n")
