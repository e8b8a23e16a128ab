"""AUTH PLAIN with an authorization identity (RFC 4616 §2, RFC 4954 §6)."""
from __future__ import annotations

import base64

import pytest
from smtp_kit import Users, ask, make_server

from simulator.protocols.smtp import AuthFailed, State


def plain(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


def auth_server(handler=None):
    server = make_server(handler or Users(password="secret"), offer_auth=True)
    ask(server, "EHLO client.test")
    return server


def test_acting_as_another_user_is_535_5_7_8_and_the_session_goes_on():
    server = auth_server()
    line = "AUTH PLAIN " + plain("alice\0student\0secret") + "\r\n"
    events = server.receive_data(line.encode())
    assert server.data_to_send() == (
        b"535 5.7.8 Not authorized to act as the requested identity\r\n")
    assert any(isinstance(e, AuthFailed) and e.user == "student" for e in events)
    assert server.auth_user is None and server.state is State.READY
    step = [s for s in server.take_transcript() if s.direction == "s2c"][-1]
    assert step.explain == "smtp.reply.auth_not_authorized"
    assert ask(server, "AUTH PLAIN " + plain("\0student\0secret"))[0].code == 235


def test_after_the_334_challenge_too():
    server = auth_server()
    ask(server, "AUTH PLAIN")
    (answer,) = ask(server, plain("alice\0student\0secret"))
    assert (answer.code, answer.enhanced) == (535, "5.7.8") and server.auth_user is None


def test_the_handler_decides_other_identities():
    class Proxy(Users):
        def authorize(self, session, username, authzid):
            return (username, authzid) == ("admin", "student")

    server = auth_server(Proxy(password="secret"))
    assert ask(server, "AUTH PLAIN " + plain("student\0admin\0secret"))[0].code == 235
    assert server.auth_user == "admin"


def test_a_handler_that_raises_in_authorize_is_a_failed_login():
    class Broken(Users):
        def authorize(self, session, username, authzid):
            raise RuntimeError("bug")

    server = auth_server(Broken(password="secret"))
    assert ask(server, "AUTH PLAIN " + plain("alice\0student\0secret"))[0].code == 535
    assert server.auth_user is None


@pytest.mark.parametrize("authzid", ["", "student"])
def test_acting_as_oneself_is_235(authzid):
    server = auth_server()
    assert ask(server, "AUTH PLAIN " + plain(f"{authzid}\0student\0secret"))[0].code == 235


@pytest.mark.parametrize("response", ["=", plain("studentsecret"), plain("\0student\0"),
                                      "%%%", plain("x\0student\0secret\0more")])
def test_malformed_plain_is_501_5_5_2(response):
    server = auth_server()
    (answer,) = ask(server, "AUTH PLAIN " + response)
    assert (answer.code, answer.enhanced) == (501, "5.5.2") and server.state is State.READY
