"""Composing every kind of MIME message a mail program writes, and inspecting it part by part:
what a student builds in notebook 05 and what the built-ins mime-attachment and
mime-cyrillic send."""
from __future__ import annotations

import io
import re
import string
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from simulator.mail import mime, samples

DATE = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
PDF_NAME = "Отчёт за сентябрь 2026 года, окончательный вариант.pdf"


def full_letter(charset: str = "utf-8", **extra) -> bytes:
    forwarded = mime.compose("carol@c.test", ["alice@a.test"], "Расписание",
                             "Занятия в среду.\n", date=DATE, message_id="orig@c.test",
                             charset="koi8-r")
    return mime.compose(
        "alice@a.test", ["bob@b.test"], "Отчёт и фото", "Привет, Боб! Отчёт во вложении.\n",
        date=DATE, message_id="full@a.test", charset=charset, sender_name="Алиса",
        html='<p>Привет, Боб!</p><img src="cid:logo@a.test">',
        inline=[("logo@a.test", "image/png", samples.tiny_png(32, 32))],
        attachments=[(PDF_NAME, "application/pdf", samples.tiny_pdf("Report")),
                     ("море.png", "image/png", samples.tiny_png())],
        forward=[forwarded], **extra)


def test_the_samples_are_real_files():
    picture = Image.open(io.BytesIO(samples.tiny_png(96, 64)))
    picture.load()                                       # decodes every pixel, checks CRCs
    assert picture.size == (96, 64) and picture.mode == "RGB"
    pdf = samples.tiny_pdf("Report")
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
    assert any(octet >= 0x80 for octet in pdf)          # binary: it needs base64 in mail
    # The cross-reference table points at each object, as a PDF reader will look for it.
    start = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    assert pdf[start:].startswith(b"xref\n0 6\n")
    offsets = [int(n) for n in re.findall(rb"(\d{10}) 00000 n ", pdf)]
    assert [pdf[o:].split(b"\n", 1)[0] for o in offsets] == [
        b"%d 0 obj" % n for n in range(1, 6)]
    assert b"(Report) Tj" in pdf
    assert samples.tiny_pdf() == samples.tiny_pdf()     # the same bytes every run
    with pytest.raises(ValueError):
        samples.tiny_pdf("Отчёт")


def test_the_tree_of_a_letter_with_everything():
    tree = mime.mime_tree(full_letter())
    assert [(p.number, p.content_type) for p in tree] == [
        ("", "multipart/mixed"), ("1", "multipart/alternative"), ("1.1", "text/plain"),
        ("1.2", "multipart/related"), ("1.2.1", "text/html"), ("1.2.2", "image/png"),
        ("2", "application/pdf"), ("3", "image/png"), ("4", "message/rfc822"),
        ("4.1", "text/plain")]
    parts = {p.number: p for p in tree}
    related = dict(mime.parse(full_letter()).get_payload()[0].get_payload()[1].get_params())
    assert related["type"] == "text/html"                # RFC 2387 §3.1
    assert (parts["1.2.2"].content_id, parts["1.2.2"].disposition) == ("<logo@a.test>", "inline")
    assert (parts["2"].filename, parts["2"].disposition) == (PDF_NAME, "attachment")
    assert parts["4.1"].charset == "koi8-r"              # the forwarded letter kept its own


def test_base64_grows_by_a_third_plus_its_line_breaks():
    # 4 characters per 3 octets (RFC 2045 §6.8) and a CRLF after every 76: 78/57 ≈ 1.37.
    parts = {p.number: p for p in mime.mime_tree(full_letter())}
    pdf, png = parts["2"], parts["3"]
    assert pdf.size == len(samples.tiny_pdf("Report"))
    for part in (pdf, png):
        chars = 4 * -(-part.size // 3)
        assert part.wire_size == chars + 2 * -(-chars // 76)
        assert 0.33 < part.growth < 0.40


def test_quoted_printable_grows_with_the_share_of_non_ascii():
    def growth(body: str) -> float:
        data = mime.compose("a@a.test", ["b@b.test"], "x", body, date=DATE, message_id="q@a.test",
                            charset="koi8-r", transfer_encoding="quoted-printable")
        return mime.mime_tree(data)[0].growth
    english, russian = growth("Hello, Bob! " * 5 + "\n"), growth("Привет, Боб! " * 5 + "\n")
    assert english < 0.05                                # ASCII stays as it is
    assert 1 < russian < 2                               # letters become =XX, spaces stay
    assert growth("Приветмир" * 8 + "\n") > 2            # all letters: ×3 and soft breaks


def test_encoded_words_in_subject_and_from_in_each_charset():
    for charset in mime.CHARSETS:
        data = full_letter(charset)
        head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")    # the header is 7-bit
        subject = re.search(r"^Subject: ([^\r\n]*(?:\r\n [^\r\n]*)*)", head, re.MULTILINE).group(1)
        sender = re.search(r"^From: ([^\r\n]*(?:\r\n [^\r\n]*)*)", head, re.MULTILINE).group(1)
        assert subject.lower().startswith(f"=?{charset}?b?")       # RFC 2047 §2
        assert sender.lower().startswith(f"=?{charset}?b?") and sender.endswith("<alice@a.test>")
        fields = {f.name: f for f in mime.mime_tree(data)[0].fields}
        assert fields["Subject"].decoded == "Отчёт и фото"
        assert fields["From"].decoded == "Алиса <alice@a.test>"
        assert fields["Subject"].raw == " ".join(subject.split())   # unfolded, still encoded


def test_a_long_sender_name_keeps_the_chosen_charset_and_encoding():
    name = "Наталья Александровна Петрова-Водкина"
    data = mime.compose("natasha@a.test", ["bob@b.test"], "Тема", "текст", date=DATE,
                        message_id="n@a.test", charset="koi8-r", header_encoding="Q",
                        sender_name=name)
    field = data.split(b"\r\nTo: ")[0].decode("ascii")
    assert field.startswith("From: =?koi8-r?q?") and "utf-8" not in field
    assert "\r\n =?koi8-r?q?" in field and field.endswith("<natasha@a.test>")
    assert mime.summary(data)["from"] == f"{name} <natasha@a.test>"


def test_a_cyrillic_file_name_is_an_rfc2231_parameter_with_continuations():
    data = full_letter()
    assert b"filename*=utf-8''%D0%BC%D0%BE%D1%80%D0%B5.png" in data        # RFC 2231 §4
    assert b"filename*0*=utf-8''%D0%9E%D1%82" in data                        # RFC 2231 §3
    assert b"filename*1*=" in data
    assert max(len(line) for line in data.split(b"\r\n")) <= 78


def test_inline_parts_need_an_html_body():
    with pytest.raises(ValueError, match="html"):
        mime.compose("a@a.test", ["b@b.test"], "x", "y", date=DATE, message_id="i@a.test",
                     inline=[("logo@a.test", "image/png", samples.tiny_png())])
    with pytest.raises(ValueError, match="type/subtype"):
        mime.compose("a@a.test", ["b@b.test"], "x", "y", date=DATE, message_id="i@a.test",
                     attachments=[("a.pdf", "pdf", b"x")])


def test_a_forwarded_message_travels_byte_for_byte_and_says_7bit():
    original = full_letter("koi8-r")
    fwd = mime.compose("bob@b.test", ["carol@c.test"], "Fwd: Отчёт и фото", "См. ниже.\n",
                       date=DATE, message_id="fwd@b.test", forward=[original])
    assert original in fwd                                # headers, boundaries, all of it
    inner = mime.parse(fwd).get_payload()[1]
    assert inner.get_content_type() == "message/rfc822"
    assert inner["Content-Transfer-Encoding"] == "7bit"   # RFC 2046 §5.2.1: no base64 here
    assert "MIME-Version" not in inner


def test_the_whole_composition_is_deterministic_and_7bit():
    assert full_letter() == full_letter()
    assert full_letter().isascii()


def test_the_parts_decode_to_the_files_that_were_attached():
    message = mime.parse(full_letter("windows-1251"))
    files = {p.get_filename(): p.get_payload(decode=True) for p in message.iter_attachments()}
    assert files[PDF_NAME] == samples.tiny_pdf("Report")
    assert files["море.png"] == samples.tiny_png()
    html = message.get_body(("html",)).get_content()
    assert html == '<p>Привет, Боб!</p><img src="cid:logo@a.test">\r\n'


CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
WORD = st.text(alphabet=CYRILLIC + string.ascii_letters + string.digits, min_size=1, max_size=12)
LINE = st.lists(st.text(alphabet=CYRILLIC + " ,.!?-=:;\"'" + string.ascii_letters,
                        max_size=90), min_size=1, max_size=6)


@settings(max_examples=120, deadline=None)
@given(charset=st.sampled_from(mime.CHARSETS),
       cte=st.sampled_from([None, "8bit", "quoted-printable", "base64"]),
       header_encoding=st.sampled_from(mime.HEADER_ENCODINGS),
       subject=st.lists(WORD, min_size=1, max_size=8).map(" ".join),
       name=st.lists(WORD, min_size=1, max_size=3).map(" ".join),
       lines=LINE, filename=WORD, blob=st.binary(max_size=300))
def test_every_charset_and_transfer_encoding_round_trips_byte_exact(
        charset, cte, header_encoding, subject, name, lines, filename, blob):
    body = "\n".join(lines) + "\n"
    data = mime.compose("alice@a.test", ["bob@b.test"], subject, body, date=DATE,
                        message_id="p@a.test", charset=charset, sender_name=name,
                        transfer_encoding=cte, header_encoding=header_encoding,
                        html=f"<p>{body}</p>\n",
                        attachments=[(f"{filename}.bin", "application/octet-stream", blob)])
    message = mime.parse(data)
    assert str(message["Subject"]) == subject
    # A long name is several encoded words, all in the chosen charset and encoding, on
    # lines of at most 78 characters; read back as RFC 2047 §6.2 says
    field = re.search(rb"^From: .*?\r\n(?! )", data, re.MULTILINE | re.DOTALL).group(0)
    words = re.findall(r"=\?([^?]+)\?([bBqQ])\?", field.decode("ascii"))
    assert {c.lower() for c, _ in words} <= {charset}
    assert header_encoding is None or {e.upper() for _, e in words} <= {header_encoding}
    assert max(map(len, field.split(b"\r\n"))) <= 78
    assert mime.summary(data)["from"] == f"{name} <alice@a.test>"
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    expected = body.replace("\n", "\r\n").encode(charset)
    assert plain.get_payload(decode=True) == expected               # the octets, exactly
    page = f"<p>{body}</p>\n".replace("\n", "\r\n").encode(charset)
    assert html.get_payload(decode=True) == page
    attached = next(message.iter_attachments())
    assert attached.get_filename() == f"{filename}.bin"
    assert attached.get_payload(decode=True) == blob
    if cte != "8bit":
        assert data.isascii()
    sizes = {p.number: p for p in mime.mime_tree(data)}
    assert sizes["1.1"].size == len(expected)
