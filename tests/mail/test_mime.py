"""MIME helpers: what a student sees in the raw bytes and what a mail client decodes."""
from __future__ import annotations

import email.policy
import email.utils
import hashlib
import string
from datetime import UTC, datetime, timedelta, timezone, tzinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.mail import mime

DATE = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
SUBJECT = "Привет из лаборатории: проверка кодировок и переноса длинной темы письма"
BODY = "Здравствуй, Боб!\nЭто письмо в кириллице.\n-- \nАлиса\n"


def letter(charset: str = "utf-8", **extra) -> bytes:
    return mime.compose("alice@a.test", ["bob@b.test", "carol@c.test"], SUBJECT, BODY, date=DATE,
                        message_id="1.lab@a.test", charset=charset, sender_name="Алиса", **extra)


@pytest.mark.parametrize("charset", mime.CHARSETS)
def test_cyrillic_round_trips_in_each_charset(charset):
    raw = letter(charset)
    msg = mime.parse(raw)
    assert str(msg["Subject"]) == SUBJECT
    assert mime.body_text(raw) == BODY
    assert msg.get_content_charset() == charset
    assert f"=?{charset}?".encode() in raw.lower()             # RFC 2047 encoded word
    assert f'charset="{charset}"'.encode() in raw
    assert str(msg["From"]) == "Алиса <alice@a.test>"


@pytest.mark.parametrize("charset", mime.CHARSETS)
def test_wire_form_is_7bit_crlf_and_folded(charset):
    raw = letter(charset)
    assert raw.isascii()                                         # safe without 8BITMIME
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78   # RFC 5322 §2.1.1


def test_the_body_bytes_are_in_the_declared_charset():
    part = mime.parse(letter("koi8-r")).get_body()
    assert part.get_payload(decode=True).replace(b"\r\n", b"\n") == BODY.encode("koi8-r")


def test_composition_is_deterministic_and_has_the_envelope_headers():
    raw = letter(attachments=[("a.bin", "application/octet-stream", b"x")])
    assert raw == letter(attachments=[("a.bin", "application/octet-stream", b"x")])
    facts = mime.summary(raw)
    assert facts["message_id"] == "<1.lab@a.test>"
    assert facts["to"] == "bob@b.test, carol@c.test"
    assert facts["date"] == "Tue, 01 Sep 2026 09:00:00 +0000"
    assert facts["content_type"] == "multipart/mixed"


def test_attachment_round_trip_is_byte_exact():
    blob = bytes(range(256)) * 3
    raw = letter("windows-1251", attachments=[("схема.png", "image/png", blob),
                                              ("notes.txt", "text/plain", b"a\r\nb")])
    parts = list(mime.parse(raw).iter_attachments())
    assert [(p.get_filename(), p.get_content_type()) for p in parts] == [
        ("схема.png", "image/png"), ("notes.txt", "text/plain")]
    assert parts[0].get_payload(decode=True) == blob
    assert parts[1].get_payload(decode=True) == b"a\r\nb"
    assert all(p["Content-Transfer-Encoding"] == "base64" for p in parts)
    assert b"MIME-Version" not in raw.split(b"\r\n\r\n", 1)[1]   # only in the top-level header


def test_transfer_encoding_can_be_chosen():
    raw = letter("koi8-r", transfer_encoding="quoted-printable")
    assert b"Content-Transfer-Encoding: quoted-printable" in raw
    assert mime.body_text(raw) == BODY


def test_unknown_charset_is_refused():
    with pytest.raises(ValueError):
        letter("latin-1")


def test_prepend_header_keeps_the_rest_byte_identical():
    raw = letter("koi8-r")
    value = mime.received_header(helo="mta.a.test", peer_host="mta.a.test",
                                 peer_address="192.0.2.1", by_host="mx1.b.test",
                                 protocol="ESMTPS", queue_id="4QX2Lb1", recipient="bob@b.test",
                                 date=DATE)
    out = mime.prepend_header(raw, "Received", value)
    assert out.endswith(raw)
    head = out[:-len(raw)]
    assert head.startswith(b"Received: from mta.a.test") and head.endswith(b"\r\n")
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))
    assert b"\r\n " in head                                      # folded, continuation indented
    assert mime.summary(out)["received"] == [value]              # unfolds back to the value


def test_short_header_is_added_verbatim():
    out = mime.prepend_header(b"Subject: x\r\n\r\nbody\r\n", "Return-Path", "<alice@a.test>")
    assert out == b"Return-Path: <alice@a.test>\r\nSubject: x\r\n\r\nbody\r\n"


def test_received_header_format():
    value = mime.received_header(helo="client.a.test", peer_host="mua.a.test",
                                 peer_address="192.0.2.7", by_host="mta.a.test",
                                 protocol="esmtpa", queue_id="Q1", recipient="<bob@b.test>",
                                 date=DATE)
    assert value == ("from client.a.test (mua.a.test [192.0.2.7]) by mta.a.test with ESMTPA "
                     "id Q1 for <bob@b.test>; Tue, 01 Sep 2026 09:00:00 +0000")


def test_received_header_without_recipient_or_reverse_name_and_with_ipv6():
    value = mime.received_header(helo="x", peer_host="", peer_address="2001:db8::7",
                                 by_host="mx.b.test", protocol="SMTP", queue_id="Q2",
                                 recipient=None, date=DATE)
    assert value.startswith("from x ([IPv6:2001:db8::7]) by mx.b.test with SMTP id Q2; ")
    with pytest.raises(ValueError):
        mime.received_header(helo="x", peer_host="", peer_address="1.2.3.4", by_host="y",
                             protocol="HTTP", queue_id="Q", recipient=None, date=DATE)


class _Autumn(tzinfo):
    """A zone whose wall-clock hour repeats: fold 0 is summer time (-0400), fold 1 winter."""

    def utcoffset(self, dt):
        return timedelta(hours=-5 if dt.fold else -4)

    def dst(self, dt):
        return timedelta(hours=0 if dt.fold else 1)


def test_date_text_is_the_stdlib_date_for_every_zone_fold_and_repeat():
    """date_text remembers texts by their fields: one wall-clock second in two zones,
    in both halves of a DST fold, or naive, must never share a text."""
    autumn = _Autumn()
    dates = [datetime(2026, 9, 1, 9, 0, 0, 999_999, tzinfo=UTC),
             datetime(2026, 9, 1, 9, 0, 0),                                  # naive: -0000
             datetime(2026, 9, 1, 9, 0, 0, tzinfo=timezone(timedelta(hours=3))),
             datetime(2024, 11, 3, 1, 30, 5, tzinfo=autumn),                 # -0400
             datetime(2024, 11, 3, 1, 30, 5, 10, tzinfo=autumn, fold=1)]     # -0500
    for date in dates * 2:                                # the second round is remembered
        assert mime.date_text(date) == email.utils.format_datetime(date)
    assert len({mime.date_text(date) for date in dates}) == len(dates)


def test_mime_tree_describes_every_part():
    blob = hashlib.sha256(b"x").digest()
    tree = mime.mime_tree(letter("koi8-r", attachments=[("k.bin", "application/octet-stream",
                                                         blob)]))
    assert [(p.depth, p.number, p.content_type) for p in tree] == [
        (0, "", "multipart/mixed"), (1, "1", "text/plain"), (1, "2", "application/octet-stream")]
    text, attachment = tree[1], tree[2]
    assert (text.charset, text.transfer_encoding) == ("koi8-r", "base64")
    assert (attachment.filename, attachment.size, attachment.disposition) == (
        "k.bin", 32, "attachment")
    assert attachment.wire_size == len("ABCD" * 11) + 2          # 32 octets -> 44 chars + CRLF
    assert tree[0].size is None and tree[0].wire_size is None


def test_mime_tree_enters_a_forwarded_message():
    outer = email.message.EmailMessage(policy=email.policy.SMTP)
    outer["Subject"] = "Fwd"
    outer.set_content("see attached")
    outer.add_attachment(mime.parse(letter()))
    assert [(p.depth, p.number, p.content_type) for p in mime.mime_tree(outer.as_bytes())] == [
        (0, "", "multipart/mixed"), (1, "1", "text/plain"), (1, "2", "message/rfc822"),
        (2, "2.1", "text/plain")]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=string.ascii_letters + string.digits + "()<>[]@.:;,-\t ",
                        min_size=1, max_size=30), min_size=1, max_size=12),
       st.sampled_from(["Received", "X-Trace", "Delivered-To"]))
def test_a_long_header_is_folded_exactly_as_the_stdlib_folds_it(words, name):
    # prepend_header replays folds found for a value's shape (a speed-up for
    # Received:); the bytes must be the email package's own, whatever the value.
    value = " ".join(words)
    folded = email.policy.compat32.clone(linesep="\r\n", max_line_length=78) \
        .fold_binary(name, value)
    if value.isascii() and len(name) + len(value) + 2 > 78:
        assert mime.prepend_header(b"body", name, value) == folded + b"body"


def test_a_long_cyrillic_sender_name_reads_as_written_in_the_mailbox_listing():
    # The stdlib folds this From field into two encoded words, split inside "Петрова";
    # RFC 2047 §6.2: the white space between them is not shown.
    name = "Наталья Александровна Петрова-Водкина"
    data = mime.compose("natasha@a.test", ["bob@b.test"], "Тема", "x", date=DATE,
                        message_id="2.lab@a.test", sender_name=name)
    assert b"?=\r\n =?" in data.split(b"\r\nTo:")[0]
    assert mime.summary(data)["from"] == f"{name} <natasha@a.test>"


@pytest.mark.parametrize("field, shown", [
    # two koi8-r words, the space encoded at the start of the second (as The Bat! writes it)
    ("=?koi8-r?B?7sHUwczY0Q==?= =?koi8-r?B?IPDF1NLP18E=?= <natasha@a.test>",
     "Наталья Петрова <natasha@a.test>"),
    # folded between the words (Thunderbird): the fold is white space between them too
    ("=?UTF-8?B?0J3QsNGC0LDQu9GM0Y8g?=\r\n =?UTF-8?B?0J/QtdGC0YDQvtCy0LA=?= <natasha@a.test>",
     "Наталья Петрова <natasha@a.test>"),
    # no encoded space: the words are one word (RFC 2047 §8, "(ab)")
    ("=?utf-8?B?0J3QsNGC0LDQu9GM0Y8=?= =?utf-8?B?0J/QtdGC0YDQvtCy0LA=?= <natasha@a.test>",
     "НатальяПетрова <natasha@a.test>"),
    # an encoded word next to plain text keeps the space between them (RFC 2047 §8, "(a b)")
    ("=?koi8-r?B?7sHUwczY0Q==?= Petrova <natasha@a.test>", "Наталья Petrova <natasha@a.test>"),
    ("Natalya =?utf-8?B?0J/QtdGC0YDQvtCy0LA=?= <natasha@a.test>",
     "Natalya Петрова <natasha@a.test>"),
])
def test_white_space_between_adjacent_encoded_words_is_not_shown(field, shown):
    data = f"From: {field}\r\nTo: {field}\r\nSubject: x\r\n\r\nbody\r\n".encode("ascii")
    facts = mime.summary(data)
    assert (facts["from"], facts["to"]) == (shown, shown)


def test_the_inspector_decodes_each_header_field_on_its_own():
    data = (b"Received: from a.test by b.test; Tue, 01 Sep 2026 09:00:00 +0000\r\n"
            b"Received: from c.test by a.test; Tue, 01 Sep 2026 08:59:59 +0000\r\n"
            b"From: =?koi8-r?B?7sHUwczY0Q==?= =?koi8-r?B?IPDF1NLP18E=?= <natasha@a.test>\r\n"
            b"\r\nbody\r\n")
    fields = mime.mime_tree(data)[0].fields
    assert [f.decoded for f in fields] == [
        "from a.test by b.test; Tue, 01 Sep 2026 09:00:00 +0000",
        "from c.test by a.test; Tue, 01 Sep 2026 08:59:59 +0000",       # not the first again
        "Наталья Петрова <natasha@a.test>"]
