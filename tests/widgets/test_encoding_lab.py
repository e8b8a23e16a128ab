"""The encoding lab widget, headless: what a student sees for each choice (issue 13)."""
import base64
import re

from simulator.widgets import EncodingLab


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html).replace("&quot;", '"')


def test_it_opens_on_the_commonest_garbage_and_says_it_can_be_repaired():
    lab = EncodingLab()
    assert "РџСЂРёРІРµС‚, РјРёСЂ!" in lab.misread.value
    assert "если выбрать в меню кодировки программы UTF-8" in lab.misread.value
    octets = _text(lab.octets.value)
    assert "21 октет в кодировке UTF-8" in octets
    assert "D0 9F" in octets                        # П
    assert "2 — на 9 символов" in octets             # E9: Cyrillic takes two octets, ASCII one


def test_the_wire_shows_the_label_and_the_transfer_encoding():
    lab = EncodingLab("Привет", lang="en", written_in="KOI8-R", transfer="base64")
    wire = _text(lab.wire.value)
    assert 'charset="KOI8-R"' in wire and "Content-Transfer-Encoding: base64" in wire
    body = wire.split("base64", 1)[1].split()[0]
    assert base64.b64decode(body) == "Привет\r\n".encode("koi8_r")
    lab.transfer.value = "quoted-printable"
    assert "=F0=D2=C9=D7=C5=D4" in lab.wire.value


def test_reading_8bit_cyrillic_as_utf8_loses_characters():
    lab = EncodingLab("Привет", lang="en", written_in="KOI8-R", read_as="UTF-8")
    assert "\ufffd" * 6 in lab.misread.value
    assert "6 characters are shown as �" in lab.misread.value


def test_the_right_charset_shows_the_text_intact():
    lab = EncodingLab("Привет", lang="en")
    lab.read_as.value = "UTF-8"
    assert "Привет" in lab.misread.value and "intact" in lab.misread.value


def test_characters_a_charset_cannot_hold_are_counted():
    lab = EncodingLab("Цена 5 €", lang="en", written_in="KOI8-R")
    assert "1 character of the text cannot be written in KOI8-R" in lab.octets.value


def test_language_switch_relabels_everything():
    lab = EncodingLab(lang="ru")
    lab.language.value = "en"
    assert lab.written_in.description == "Written in"
    assert "The octets" not in lab.octets.value and "octets in UTF-8" in lab.octets.value
    assert "A guess without the label" in lab.detected.value
    lab.set_lang("ru")
    assert lab.read_as.description == "Прочитан как"
