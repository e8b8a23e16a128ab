"""The MIME built-ins (issue 13): mime-attachment (a PDF and a PNG through the network, base64's
growth in the trace) and mime-cyrillic (one letter in three charsets, the octets in SIZE=)."""
from __future__ import annotations

import re
from importlib import resources

import pytest

from simulator.cli import main
from simulator.locale import has
from simulator.mail import mime, samples
from simulator.network import simulate
from simulator.scenarios import ScenarioError, builtin_names, load, load_text

NEW = ["mime-attachment", "mime-cyrillic"]


def sizes_declared(result) -> list[int]:
    """SIZE= of every MAIL FROM the client (pc.a.test) sent to its submission server."""
    return [int(re.search(r"SIZE=(\d+)", s.line).group(1)) for s in result.trace
            if s.direction == "c2s" and s.src == "pc.a.test" and s.line.startswith("MAIL FROM")]


def test_listed_in_both_languages(capsys):
    assert set(NEW) <= set(builtin_names())
    for lang in ("en", "ru"):
        assert main(["scenarios", "--lang", lang]) == 0
        out = capsys.readouterr().out
        for name in NEW:
            line = next(line for line in out.splitlines() if line.startswith(name + " "))
            assert load(name).description[lang][:30] in line


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("name", NEW)
def test_each_replays_with_every_text_found(capsys, name, lang):
    assert main(["replay", name, "--all", "--lang", lang]) == 0
    out = capsys.readouterr().out
    steps = simulate(load(name)).trace.steps
    assert [k for s in steps for k in [s.explain, *s.params.get("notes", ())]
            if k and not has(k, lang)] == []
    assert not re.search(r"\{(?:parts|octets|summary|chars|text_octets|charset)\b", out)
    assert ("SIZE=" in out) and ("RFC 1870" in out)


def test_the_attachments_arrive_as_the_files_that_were_sent():
    result = simulate(load("mime-attachment"))
    stored = result.store.account("bob@b.test").inbox.messages[0].data
    files = {p.get_filename(): (p.get_content_type(), p.get_payload(decode=True))
             for p in mime.parse(stored).iter_attachments()}
    assert files == {"отчёт.pdf": ("application/pdf", samples.tiny_pdf("mailsim")),
                     "sea.png": ("image/png", samples.tiny_png())}
    assert b"filename*=utf-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf" in stored   # RFC 2231


def test_the_trace_explains_base64_growth_and_the_size_declared():
    result = simulate(load("mime-attachment"))
    step = next(s for s in result.trace if s.explain == "mua.mime")
    assert sizes_declared(result) == [step.params["octets"]]
    assert "mua.mime_base64" in step.params["notes"]
    pdf = len(samples.tiny_pdf("mailsim"))
    encoded = 4 * -(-pdf // 3)
    assert f"application/pdf «отчёт.pdf» base64 {pdf} → {encoded + 2 * -(-encoded // 76)}" \
        in step.params["summary"]
    assert "37 %" in step.explanation("en") and "37 %" in step.explanation("ru")


def test_one_letter_in_three_charsets_differs_by_the_octets_of_its_letters():
    result = simulate(load("mime-cyrillic"))
    parts = [s for s in result.trace if s.explain == "mua.mime"]
    assert [s.params["charset"] for s in parts] == ["utf-8", "koi8-r", "windows-1251"]
    utf8, koi8, cp1251 = (s.params["text_octets"] for s in parts)
    body = load("mime-cyrillic").messages[0].body
    cyrillic = sum("а" <= ch.lower() <= "я" or ch in "ёЁ" for ch in body)
    assert utf8 - koi8 == cyrillic and koi8 == cp1251      # 2 octets a letter vs 1
    # SIZE= is the whole message: the text, and the charset's name in three places.
    utf8_size, koi8_size, cp1251_size = sizes_declared(result)
    assert [utf8_size, koi8_size, cp1251_size] == [s.params["octets"] for s in parts]
    assert cp1251_size - koi8_size == 3 * (len("windows-1251") - len("koi8-r"))
    assert utf8_size > koi8_size
    # Bob's mailbox holds each letter in the charset it was written in: nothing transcoded.
    inbox = result.store.account("bob@b.test").inbox.messages
    assert [mime.parse(m.data).get_content_charset() for m in inbox] == [
        "utf-8", "koi8-r", "windows-1251"]
    assert {mime.body_text(m.data) for m in inbox} == {body}


@pytest.mark.parametrize("name", ["отчёт.docx", "../etc/passwd.pdf"])
def test_an_attachment_the_simulator_cannot_make_is_refused_in_both_languages(name):
    source = resources.files("simulator.scenarios").joinpath("mime-attachment.yaml").read_text()
    bad = source.replace("attachments: [отчёт.pdf, sea.png]", f"attachments: [{name}]")
    assert bad != source
    for lang, words in (("en", "not a file the simulator can attach: give a file name"),
                        ("ru", "такой файл симулятор приложить не может")):
        with pytest.raises(ScenarioError) as error:
            load_text(bad, lang=lang)
        assert words in str(error.value) and name in str(error.value)


def test_imap_bodystructure_counts_the_octets_on_the_wire_of_each_part():
    # RFC 3501 §7.4.2: body-fld-octets is the size "in its transfer encoding", so the
    # server's figure for each part is the tree's wire_size, not the file's size.
    result = simulate(load("mime-attachment"))
    stored = result.store.account("bob@b.test").inbox.messages[0].data
    parts = {p.number: p for p in mime.mime_tree(stored)}
    reply = next(s for s in result.trace if "BODYSTRUCTURE (" in s.line).raw.decode()
    assert f'("application" "pdf" NIL NIL NIL "base64" {parts["2"].wire_size} ' in reply
    assert f'("image" "png" NIL NIL NIL "base64" {parts["3"].wire_size} ' in reply
    assert parts["2"].wire_size > parts["2"].size
    assert f"RFC822.SIZE {len(stored)} " in reply
    headers = next(s for s in result.trace if s.line.startswith("* 1 FETCH (BODY[2.MIME]"))
    assert b"filename*=utf-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf" in headers.raw
