"""``mailsim serve --loop``: uvloop where installed, Python's own loop always available."""
import asyncio
import smtplib
import sys

import pytest

from simulator.cli import main
from simulator.server.loops import LOOPS, loop_factory, uvloop_installed

from .conftest import serving, unverified


def test_a_message_goes_through_starttls_and_auth_on_each_loop(each_loop):
    with serving(loop=each_loop) as live:
        with smtplib.SMTP("127.0.0.1", live.settings["submission"], timeout=30) as client:
            client.starttls(context=unverified())
            client.login("student", "student")
            client.sendmail("student@example.test", ["teacher@example.test"],
                            b"Subject: loop\r\n\r\nover " + each_loop.encode() + b"\r\n")
        inbox = live.world.net.store.account("teacher@example.test").inbox.messages
        assert len(inbox) == 1
        runs_on = live.call(lambda: type(asyncio.get_running_loop()).__module__)
    assert runs_on.startswith("uvloop" if each_loop == "uvloop" else "asyncio")


def test_auto_takes_uvloop_only_where_it_is_installed(monkeypatch):
    expected = "uvloop" if uvloop_installed() else "asyncio"
    assert loop_factory("auto")().__class__.__module__.startswith(expected)
    monkeypatch.setitem(sys.modules, "uvloop", None)             # as on Windows
    assert loop_factory("auto") is asyncio.new_event_loop


@pytest.mark.parametrize("lang,words", [("en", "uvloop is not installed"),
                                        ("ru", "uvloop не установлен")])
def test_asking_for_uvloop_without_it_is_one_clear_line(monkeypatch, capsys, lang, words):
    monkeypatch.setitem(sys.modules, "uvloop", None)
    assert main(["serve", "--loop", "uvloop", "--lang", lang]) == 2
    err = capsys.readouterr().err
    assert words in err and "--loop asyncio" in err and "Traceback" not in err


def test_the_command_line_offers_every_loop(capsys):
    assert main(["serve", "--help", "--lang", "en"]) == 0
    assert "{" + ",".join(LOOPS) + "}" in capsys.readouterr().out
