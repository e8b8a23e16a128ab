"""Right explanations (issue 18): which MX is tried after a failure and why, DSNs with the
status the server gave (or 5.4.7 when the queue gives up), one 'smtp;' in Diagnostic-Code,
and one explanation per cause of a forced reply."""
from email import message_from_bytes, policy

import pytest

from simulator.network import simulate


def greylist(node, times=99, command="RCPT"):
    return {"kind": "reply", "node": node, "command": command, "times": times,
            "reply": "451 4.7.1 Greylisted, please try again later"}


def dsn_status(result, address="alice@a.test"):
    [dsn] = [message_from_bytes(m.data, policy=policy.default)
             for m in result.store.find(address).inbox.messages]
    return next(p for p in dsn.walk() if p.get_content_type() == "message/delivery-status")


def test_a_451_at_rcpt_hands_the_message_to_the_next_mx_at_once(variant):
    """RFC 5321 §5.1: a transient failure of one MX is not the domain's answer."""
    result = simulate(variant("backup-mx", faults=[greylist("mx1.b.test")]))
    [delivery] = result.deliveries
    assert delivery.host == "mx2.b.test" and delivery.time < 1
    [step] = [s for s in result.trace if s.explain == "mta.next_mx"]
    assert (step.params["host"], step.params["next"]) == ("mx1.b.test", "mx2.b.test")
    assert "451 4.7.1" in step.explanation("en") and "RFC 5321 §5.1" in step.explanation("ru")


def test_when_every_mx_answers_451_the_trace_says_none_is_left(variant):
    faults = [greylist("mx1.b.test", 1), greylist("mx2.b.test", 1)]
    result = simulate(variant("backup-mx", faults=faults))
    order = [s.explain for s in result.trace
             if s.explain in ("mta.next_mx", "mta.no_mx_left", "mta.deferred")]
    assert order == ["mta.next_mx", "mta.no_mx_left", "mta.deferred"]
    assert result.deliveries[0].host == "mx1.b.test"        # the next attempt, from the top


def test_a_5xx_is_not_retried_on_another_mx_and_the_trace_says_why(variant):
    fault = {"kind": "reply", "node": "mx1.b.test", "command": "RCPT",
             "reply": "550 5.7.1 Recipient refused by policy"}
    result = simulate(variant("backup-mx", faults=[fault]))
    [step] = [s for s in result.trace if s.explain == "mta.no_next_mx"]
    assert "1 MX host is not tried" in step.explanation("en")
    assert ("mail.a.test", "mx2.b.test") not in result.smtp_hops()
    [bounce] = result.bounces
    assert bounce.status == "5.7.1"
    status = dsn_status(result).as_string()
    assert "Status: 5.7.1" in status
    assert "Diagnostic-Code: smtp; 550 5.7.1 Recipient refused by policy" in status
    assert "smtp; smtp;" not in status


def test_expiry_reports_5_4_7_and_what_the_server_really_said(variant):
    result = simulate(variant("retry", faults=[greylist("mx.b.test")],
                              options={"retry_schedule": [60]}))
    [bounce] = result.bounces
    assert bounce.status == "5.4.7"                          # RFC 3463 §3.5: time expired
    assert bounce.diagnostic == "451 4.7.1 Greylisted, please try again later"
    status = dsn_status(result).as_string()
    assert "Status: 5.4.7" in status and "Status: 5.7.1" not in status
    assert status.count("smtp;") == 1
    assert "Diagnostic-Code: smtp; 451 4.7.1 Greylisted" in status


def test_a_dns_failure_is_not_called_an_smtp_diagnostic(variant):
    result = simulate(variant("basic", faults=[{"kind": "dns", "name": "b.test",
                                                "rcode": "NXDOMAIN"}]))
    status = dsn_status(result).as_string()
    assert "Diagnostic-Code: X-mailsim; DNS: b.test: NXDOMAIN" in status


@pytest.mark.parametrize("reply, key, words", [
    ("451 4.7.1 Greylisted", "greylisting", "greylisting"),
    ("552 5.2.2 Mailbox full", "quota_full", "over its quota"),
    ("452 4.2.2 Mailbox full", "quota", "mailbox is full"),
    ("552 5.3.4 Message too big", "size", "larger than this server takes"),
    ("554 5.7.1 Spam refused", "policy", "policy"),
    ("421 4.3.2 Shutting down", "transient", "transient error"),
])
def test_each_cause_of_a_forced_reply_has_its_own_explanation(variant, reply, key, words):
    fault = {"kind": "reply", "node": "mx.b.test", "command": "RCPT", "reply": reply,
             "times": 1}
    result = simulate(variant("basic", faults=[fault]))
    [step] = [s for s in result.trace if s.explain.startswith("fault.reply.")]
    assert step.explain == f"fault.reply.{key}"
    assert words in step.explanation("en")
    assert "greylisting" not in step.explanation("en") or key == "greylisting"


def test_a_quota_refusal_after_the_final_dot_bounces_with_the_server_status(variant):
    """after: DATA answers the final dot, where a real 552 5.2.2 comes (RFC 5321 §4.1.1.4)."""
    fault = {"kind": "reply", "node": "mx.b.test", "after": "DATA",
             "reply": "552 5.2.2 Mailbox full"}
    result = simulate(variant("basic", faults=[fault]))
    data = result.trace.find(command="DATA", conn="c2")
    assert data.codes == [354, 552] and data.reply.explain == "fault.reply.quota_full"
    [bounce] = result.bounces
    assert (bounce.status, bounce.diagnostic) == ("5.2.2", "552 5.2.2 Mailbox full")
    assert [d.address for d in result.deliveries] == ["alice@a.test"]


@pytest.mark.parametrize("fields", [{}, {"command": "RCPT", "after": "DATA"}])
def test_a_reply_fault_answers_one_moment(variant, fields):
    from simulator.scenarios import ScenarioError
    fault = {"kind": "reply", "node": "mx.b.test", "reply": "552 5.2.2 Mailbox full", **fields}
    with pytest.raises(ScenarioError, match="after: DATA"):
        variant("basic", faults=[fault])
