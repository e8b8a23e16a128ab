"""--bind-sender: on submission a logged-in user sends only as their own address (RFC 6409 §6.1)."""
import smtplib
import subprocess
import sys

import pytest

from .conftest import serving, unverified

MESSAGE = b"Subject: hi\r\n\r\nhello\r\n"


def test_submission_refuses_a_sender_that_is_not_the_users_own():
    with serving(bind_sender=True) as live:
        with smtplib.SMTP("127.0.0.1", live.settings["submission"], timeout=30) as client:
            client.starttls(context=unverified())
            client.login("student", "student")
            with pytest.raises(smtplib.SMTPSenderRefused) as refused:
                client.sendmail("teacher@example.test", ["friend@other.test"], MESSAGE)
            assert refused.value.smtp_code == 550
            assert refused.value.smtp_error.startswith(b"5.7.1 <teacher@example.test>")
            assert b"student@example.test" in refused.value.smtp_error   # what to use instead
            assert client.sendmail("Student@Example.test", ["teacher@example.test"],
                                   MESSAGE) == {}
        with smtplib.SMTP("127.0.0.1", live.settings["smtp"], timeout=30) as mx:
            # Port 25 is not submission: mail from other domains arrives as before.
            assert mx.sendmail("someone@other.test", ["teacher@example.test"], MESSAGE) == {}
        refusals = [s for s in live.trace if s.explain == "serve.reply.sender_not_owned"]
        assert len(refusals) == 1


def test_without_the_option_any_sender_is_accepted():
    with (serving() as live,
          smtplib.SMTP_SSL("127.0.0.1", live.settings["smtps"], context=unverified()) as c):
        c.login("student", "student")
        assert c.sendmail("teacher@example.test", ["friend@other.test"], MESSAGE) == {}


@pytest.mark.parametrize("lang,words", [("en", "refuse MAIL FROM"), ("ru", "отказывать в MAIL FROM")])
def test_the_option_is_explained_in_both_languages(lang, words):
    out = subprocess.run([sys.executable, "-m", "simulator", "serve", "--help", "--lang", lang],
                         capture_output=True, text=True, check=True).stdout
    assert "--bind-sender" in out and "--login-delay" in out and words in out
