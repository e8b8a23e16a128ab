"""BINARY (RFC 3516): decoded parts, sizes, partial ranges, literal8 in FETCH and APPEND."""
from __future__ import annotations

import base64

from imap_kit import World, feed, lines, say

PHOTO = bytes(range(256)) * 2          # has NUL and every other octet
MIXED = (b"From: a@example.org\r\nSubject: photo\r\nMIME-Version: 1.0\r\n"
         b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
         b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n"
         b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
         b"=D0=9F=D1=80=D0=B8=D0=B2=D0=B5=D1=82  \r\nsoft=\r\nbreak\r\n"
         b"--XX\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
         + base64.encodebytes(PHOTO).replace(b"\n", b"\r\n") +
         b"--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n"
         b"begin 644 x\r\n--XX--\r\n")


def selected():
    world = World()
    world.account.inbox.append(MIXED)
    return world.session(select="INBOX")


def test_quoted_printable_part_is_decoded_with_transport_space_removed():
    server = selected()
    out = say(server, "A1 FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1])")
    text = "Привет\r\nsoftbreak".encode()
    assert f"BINARY.SIZE[1] {len(text)} BINARY[1] {{{len(text)}}}\r\n".encode() + text in out.encode()
    assert "\\Seen" not in say(server, "A2 FETCH 1 FLAGS")


def test_base64_part_with_nul_comes_as_literal8_and_partial_ranges_cut_decoded_octets():
    server = selected()
    server.receive_data(b"A1 FETCH 1 (BINARY.SIZE[2] BINARY.PEEK[2])\r\n")
    wire = server.data_to_send()
    assert b"BINARY.SIZE[2] 512 BINARY[2] ~{512}\r\n" + PHOTO + b")" in wire
    server.receive_data(b"A2 FETCH 1 BINARY.PEEK[2]<1.3>\r\n")
    assert b"BINARY[2]<1> ~{3}\r\n\x01\x02\x03" not in server.data_to_send()  # no NUL: plain
    server.receive_data(b"A3 FETCH 1 BINARY.PEEK[2]<0.2>\r\n")
    assert b"BINARY[2]<0> ~{2}\r\n\x00\x01)" in server.data_to_send()


def test_binary_without_peek_sets_seen_and_whole_message_is_as_stored():
    server = selected()
    out = say(server, "A1 FETCH 1 (BINARY[])")
    assert f"BINARY[] {{{len(MIXED)}}}" in out and "FLAGS (\\Recent \\Seen)" in out


def test_unknown_encoding_is_no_unknown_cte_and_bad_items_are_bad():
    server = selected()
    assert lines(say(server, "A1 FETCH 1 BINARY.PEEK[3]"))[-1].startswith("A1 NO [UNKNOWN-CTE]")
    assert lines(say(server, "A2 FETCH 1 BINARY[1.MIME]"))[0].startswith("A2 BAD")
    assert lines(say(server, "A3 FETCH 1 BINARY.SIZE[1]<0.5>"))[0].startswith("A3 BAD")


def test_append_literal8_stores_binary_parts_as_base64():
    server = World().session(select="INBOX")
    msg = (b"From: a@example.org\r\nContent-Type: application/octet-stream\r\n"
           b"Content-Transfer-Encoding: binary\r\n\r\n\x00\x01\xff\r\n")
    assert feed(server, b"A1 APPEND INBOX ~{%d}\r\n" % len(msg)).startswith(b"+ ")
    assert b"A1 OK [APPENDUID" in feed(server, msg + b"\r\n")
    out = feed(server, b"A2 FETCH 1 (BODY.PEEK[1] BINARY.PEEK[1])\r\n")
    assert b"BODY[1] {10}\r\nAAH/DQo=\r\n" in out
    assert b"BINARY[1] ~{5}\r\n\x00\x01\xff\r\n" in out
    raw = b"A3 APPEND INBOX {3}\r\n"
    feed(server, raw)
    assert b"A3 BAD" in feed(server, b"a\x00b\r\n")                 # NUL only in literal8
    feed(server, b"A4 SELECT ~{5}\r\n")
    assert b"A4 BAD" in feed(server, b"INBOX\r\n")                  # literal8 only in APPEND
