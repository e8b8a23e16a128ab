"""Transcripts (the raw material of traces), their explanation keys, and import hygiene."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from smtp_kit import Users, converse, make_server, new_server, script
from test_smtp_client import envelope
from test_smtp_rfc_examples import D1

from simulator.locale import has, t
from simulator.protocols.smtp import CATALOGUE, COMMANDS, ClientState, SMTPClient, State


def d1_transcript():
    server = make_server(Users(unknown=("Green",)))
    server.take_transcript()
    server.receive_data(D1)
    return server.take_transcript()


def test_server_transcript_holds_every_byte_in_order():
    server = new_server(Users(unknown=("Green",)))
    server.receive_data(D1)
    sent = server.data_to_send()
    transcript = server.take_transcript()
    assert b"".join(u.raw for u in transcript if u.direction == "c2s") == D1
    assert b"".join(u.raw for u in transcript if u.direction == "s2c") == sent


def test_client_transcript_holds_every_byte_in_order():
    server = new_server(Users())
    client = SMTPClient("bar.test", envelope("<bob@foo.com>"))
    wire = {"c2s": b"", "s2c": b""}
    for _ in range(20):
        down = server.data_to_send()
        client.receive_data(down) if down else None
        up = client.data_to_send()
        server.receive_data(up) if up else None
        wire["s2c"] += down
        wire["c2s"] += up
        if not up and not down:
            break
    transcript = client.take_transcript()
    for direction in ("c2s", "s2c"):
        assert b"".join(u.raw for u in transcript if u.direction == direction) == wire[direction]


def test_message_content_is_one_utterance_with_counts():
    (content,) = [u for u in d1_transcript() if u.explain == "smtp.data.content"]
    assert content.direction == "c2s" and content.raw.endswith(b"\r\n.\r\n")
    assert content.params["lines"] == 2
    assert (content.state_before, content.state_after) == ("DATA", "READY")


def test_multiline_ehlo_reply_is_one_utterance():
    ehlo = [u for u in d1_transcript() if u.explain == "smtp.reply.ehlo"]
    assert len(ehlo) == 1 and ehlo[0].raw.count(b"\r\n") > 3


def test_utterances_carry_state_before_and_after():
    transcript = d1_transcript()
    mail = next(u for u in transcript if u.explain == "smtp.cmd.MAIL")
    assert (mail.state_before, mail.state_after) == ("READY", "MAIL")
    assert mail.params["mailbox"] == "Smith@bar.com"
    rejected = next(u for u in transcript if u.line.startswith("550"))
    assert rejected.explain == "smtp.reply_class.x5"
    assert (rejected.state_before, rejected.state_after) == ("RCPT", "RCPT")


def test_every_key_in_real_transcripts_has_ru_and_en_text():
    server = make_server(Users(password="pw"), starttls=True, offer_auth=True)
    server.receive_data(D1.replace(b"QUIT\r\n", b""))
    server.receive_data(script("XYZZY", "AUTH LOGIN", "YWxpY2U=", "cHc=") + b"bare\n"
                        + b"x" * 600 + b"\r\n" + script("STARTTLS"))
    server.tls_started()
    server.receive_data(b"")
    client = SMTPClient("bar.test", envelope("<bob@foo.com>"), credentials=("u", "secret"),
                        starttls=True)
    other = new_server(Users(), starttls=True, offer_auth=True)
    converse(client, other)
    keys = {u.explain for u in server.take_transcript() + client.take_transcript()
            + other.take_transcript()}
    assert len(keys) > 20
    for key in keys:
        assert has(key, "ru") and has(key, "en"), key


def test_catalogue_states_and_commands_all_have_texts():
    keys = [f"smtp.reply.{name}" for name in CATALOGUE]
    keys += [f"smtp.state.{s.value}" for s in State]
    keys += [f"smtp.client_state.{s.value}" for s in ClientState]
    keys += [f"smtp.cmd.{verb}" for verb in COMMANDS]
    keys += [f"smtp.reply_class.x{d}" for d in "2345"] + ["smtp.route.ignore", "smtp.route.honour"]
    missing = [k for k in keys if not (has(k, "ru") and has(k, "en"))]
    assert missing == []


def test_explanations_fill_their_parameters():
    mail = next(u for u in d1_transcript() if u.explain == "smtp.cmd.MAIL")
    for lang in ("ru", "en"):
        text = t(mail.explain, lang, **mail.params)
        assert "<Smith@bar.com>" in text and "{" not in text


def test_importing_smtp_loads_no_io_or_ui_modules():
    code = ("import sys, simulator.protocols.smtp; "
            "print([m for m in ('asyncio', 'socket', 'ipywidgets', 'matplotlib') "
            "if m in sys.modules])")
    repo = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=repo)
    assert out.stdout.strip() == "[]"
