"""The built-in ``binarymime``: a photo as raw octets in BDAT chunks to an MX with
BINARYMIME, and converted to base64 for an MX without it (RFC 3030 §3)."""
from email import message_from_bytes

from simulator.mail.binary import attachments_to_binary, binary_to_7bit
from simulator.network import simulate
from simulator.scenarios import builtin_names, load

PHOTO = (bytes(range(256)) * 79)[:20000]        # the MUA's stand-in photo (20000 octets)


def _photo(data: bytes) -> tuple[str, bytes]:
    part = message_from_bytes(data).get_payload()[1]
    return part["Content-Transfer-Encoding"], part.get_payload(decode=True)


def test_the_photo_reaches_both_readers_intact_one_binary_one_base64():
    result = simulate(load("binarymime"))
    assert "binarymime" in builtin_names() and result.bounces == []
    bob = result.store.account("bob@b.test").inbox.messages[0].data
    carol = result.store.account("carol@c.test").inbox.messages[0].data
    assert PHOTO in bob                              # raw octets, CR, LF and NUL included
    assert _photo(carol) == ("base64", PHOTO)
    assert carol.isascii()


def test_the_trace_shows_chunks_binarymime_and_the_conversion():
    trace = simulate(load("binarymime")).trace
    mail = [s.line for s in trace if s.explain == "smtp.cmd.MAIL"]
    assert [m.endswith("BODY=BINARYMIME") for m in mail] == [True, True, False]
    bdat = [s.line for s in trace if s.explain == "smtp.cmd.BDAT"]
    size = int(mail[0].split("SIZE=")[1].split()[0])
    assert bdat[:2] == ["BDAT 16384", f"BDAT {size - 16384} LAST"]
    note = next(s for s in trace if s.explain == "smtp.client.binary_encoded")
    assert note.dst == "mx.c.test" and note.params["parts"] == "image/jpeg → base64"
    assert not any(s.explain == "smtp.cmd.DATA" for s in trace)


def test_binary_parts_round_trip_octet_for_octet():
    text = (b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            b"preamble\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n"
            b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
            b"\r\nAA0KDQoK/w==\r\n--b--\r\nepilogue\r\n")
    binary = attachments_to_binary(text)
    assert b"Content-Transfer-Encoding: binary\r\n\r\n\x00\r\n\r\n\n\xff\r\n--b--" in binary
    back = binary_to_7bit(binary)
    assert back.parts == [("application/octet-stream", "base64")]
    assert back.content.startswith(text.split(b"AA0K")[0])        # all before: untouched
    assert back.content.endswith(b"\r\n--b--\r\nepilogue\r\n")
    assert message_from_bytes(back.content).get_payload()[1].get_payload(decode=True) == \
        b"\x00\r\n\r\n\n\xff"
    assert binary_to_7bit(text) is None             # nothing binary: nothing to convert
