"""Delivery status notifications (RFC 3464, RFC 6522): what a bounced sender receives."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from simulator.mail import mime
from simulator.mail.dsn import build_dsn

DATE = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


def original() -> bytes:
    return mime.compose("alice@a.test", ["bob@b.test"], "Привет", "Здравствуй, Боб!\n", date=DATE,
                        message_id="1.lab@a.test", charset="koi8-r", sender_name="Алиса")


def dsn(action: str = "failed") -> bytes:
    return build_dsn(
        reporting_mta="mx1.b.test", original=original(), action=action, date=DATE,
        recipients=[("nobody@b.test", "5.1.1", "550 5.1.1 <nobody@b.test>: no such user"),
                    ("<full@b.test>", "5.2.2", "552 5.2.2 mailbox full")],
        message_id="dsn.1@mx1.b.test", to="alice@a.test", postmaster="postmaster@mx1.b.test")


def test_dsn_is_a_multipart_report_with_per_recipient_fields():
    msg = mime.parse(dsn())
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "delivery-status"
    _human, status, headers = msg.iter_parts()
    assert status.get_content_type() == "message/delivery-status"
    per_message, *per_rcpt = status.get_payload()
    assert per_message["Reporting-MTA"] == "dns; mx1.b.test"
    assert [(b["Final-Recipient"], b["Action"], b["Status"]) for b in per_rcpt] == [
        ("rfc822; nobody@b.test", "failed", "5.1.1"), ("rfc822; full@b.test", "failed", "5.2.2")]
    assert per_rcpt[0]["Diagnostic-Code"] == "smtp; 550 5.1.1 <nobody@b.test>: no such user"
    assert headers.get_content_type() == "text/rfc822-headers"
    assert "Message-ID: <1.lab@a.test>" in headers.get_content()


def test_dsn_explains_in_english_and_russian():
    text = " ".join(mime.parse(dsn()).get_body().get_content().split())
    assert "could not be delivered" in text and "не удалось доставить" in text
    assert "<nobody@b.test>: status 5.1.1" in text and "<full@b.test>: статус 5.2.2" in text
    delayed = " ".join(mime.parse(dsn("delayed")).get_body().get_content().split())
    assert "will keep trying" in delayed and "попытки продолжаются" in delayed


def test_dsn_headers_prevent_loops():
    msg = mime.parse(dsn())
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["From"].addresses[0].addr_spec == "postmaster@mx1.b.test"
    assert msg["Subject"] == "Undelivered Mail Returned to Sender"
    with pytest.raises(ValueError):
        dsn("bounced")


def test_mime_tree_of_a_dsn_has_the_three_report_parts():
    assert [p.content_type for p in mime.mime_tree(dsn())] == [
        "multipart/report", "text/plain", "message/delivery-status", "text/rfc822-headers"]
