"""AUTHENTICATE PLAIN with an authorization identity (RFC 4616 §2, RFC 5530 §3)."""
from __future__ import annotations

import base64

import pytest
from imap_kit import World, lines, say

from simulator.protocols.imap import states as S


def plain(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


def test_acting_as_another_user_fails_even_with_the_right_password():
    server = World().session()
    out = lines(say(server, "A1 AUTHENTICATE PLAIN " + plain("carol@example.org\0bob\0secret")))
    assert out == ["A1 NO [AUTHORIZATIONFAILED] Not authorized to act as that identity"]
    assert server.state == S.NOT_AUTHENTICATED and server.user is None
    step = next(s for s in server.take_transcript() if s.explain == "imap.reply.authz_failed")
    assert step.params["authzid"] == "carol@example.org"


def test_after_the_continuation_too():
    server = World().session()
    say(server, "A1 AUTHENTICATE PLAIN")
    out = lines(say(server, plain("carol\0bob\0secret")))
    assert out[0].startswith("A1 NO [AUTHORIZATIONFAILED]")
    assert server.state == S.NOT_AUTHENTICATED


def test_a_wrong_password_is_still_authenticationfailed_whatever_the_authzid():
    server = World().session()
    out = lines(say(server, "A1 AUTHENTICATE PLAIN " + plain("carol\0bob\0wrong")))
    assert out == ["A1 NO [AUTHENTICATIONFAILED] Invalid credentials"]


@pytest.mark.parametrize("authzid", ["", "bob", "bob@example.org", "bob@EXAMPLE.ORG"])
def test_acting_as_oneself_logs_in(authzid):
    server = World().session()
    out = lines(say(server, "A1 AUTHENTICATE PLAIN " + plain(f"{authzid}\0bob\0secret")))
    assert out[0].startswith("A1 OK [CAPABILITY") and server.state == S.AUTHENTICATED


@pytest.mark.parametrize("response", ["=", plain("bobsecret"), plain("\0bob\0"), "%%%",
                                      plain("x\0bob\0secret\0more")])
def test_malformed_plain_is_bad_and_the_session_goes_on(response):
    server = World().session()
    assert lines(say(server, "A1 AUTHENTICATE PLAIN " + response)) == [
        "A1 BAD Invalid SASL response"]
    assert server.state == S.NOT_AUTHENTICATED
    assert lines(say(server, "A2 LOGIN bob secret"))[0].startswith("A2 OK")
