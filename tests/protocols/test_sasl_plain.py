"""The SASL PLAIN message (RFC 4616 §2) that IMAP and SMTP share."""
import base64

import pytest

from simulator.protocols.sasl_plain import MalformedPlain, PlainMessage, decode_plain, may_act_as


def b64(raw: bytes) -> bytes:
    return base64.b64encode(raw)


def test_three_fields_decode_in_order():
    assert decode_plain(b64(b"alice\0student\0pw")) == PlainMessage("alice", "student", "pw")
    assert decode_plain(b64("\0студент\0пароль".encode()).decode()) == PlainMessage(
        "", "студент", "пароль")


@pytest.mark.parametrize("response", [
    b"", b"=",                                  # the empty response
    b64(b"studentpw"),                          # no NUL at all
    b64(b"student\0pw"),                        # one NUL
    b64(b"a\0student\0pw\0x"),                  # a NUL inside the password
    b64(b"\0\0pw"), b64(b"\0student\0"),        # empty authcid, empty password
    b"%%%not base64", b"AGJvYgBzZWNyZXQ",       # bad alphabet, bad padding
    b64(b"\0stud\xffent\0pw"),                  # not UTF-8
])
def test_malformed_messages_are_refused_with_a_reason(response):
    with pytest.raises(MalformedPlain) as caught:
        decode_plain(response)
    assert caught.value.reason


@pytest.mark.parametrize(("authzid", "allowed"), [
    ("", True), ("student", True), ("student@example.test", True),
    ("student@EXAMPLE.test", True),             # the domain is case-insensitive (RFC 5321 §2.4)
    ("Student@example.test", False),            # the local part is not
    ("alice", False), ("teacher@example.test", False), ("student@other.test", False),
])
def test_a_user_may_act_only_as_themselves(authzid, allowed):
    assert may_act_as(authzid, "student", "student@example.test") is allowed


def test_without_a_known_address_only_the_authcid_itself_is_allowed():
    assert may_act_as("student", "student") and not may_act_as("student@example.test", "student")
