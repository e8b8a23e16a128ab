"""The mojibake lab: Cyrillic text written in one charset and read in another (issue 13)."""
import email
import email.policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.mail import charsets as cs

SENTENCE = ("Привет! Как дела? Это письмо проверяет, как читаются русские буквы "
            "в разных кодировках.")
NAMES = [c.name for c in cs.CYRILLIC]


@pytest.mark.parametrize(("written", "read", "garbage"), [
    ("UTF-8", "windows-1251", "РџСЂРёРІРµС‚"),      # the most common today
    ("UTF-8", "KOI8-R", "п÷я─п╦п╡п╣я┌"),
    ("KOI8-R", "windows-1251", "рТЙЧЕФ"),           # case swapped: the KOI8-R tell
    ("windows-1251", "KOI8-R", "оПХБЕР"),
    ("UTF-8", "IBM866", "╨Я╤А╨╕╨▓╨╡╤В"),           # box drawing: a DOS console
])
def test_the_classic_garbage_a_student_will_meet(written, read, garbage):
    cell = cs.misread("Привет", written, read)
    assert cell.garbled == garbage
    assert cell.repairable and cell.lost == 0


def test_some_confusions_lose_octets_for_good():
    # "И" is D0 98 in UTF-8; 0x98 is no character in windows-1251.
    cell = cs.misread("Иван", "UTF-8", "windows-1251")
    assert cell.garbled == "Р\ufffdРІР°РЅ"
    assert not cell.repairable and cell.lost == 1
    # 8-bit Cyrillic read as UTF-8: nothing survives.
    koi = cs.misread("Привет", "KOI8-R", "UTF-8")
    assert koi.garbled == "\ufffd" * 6 and not koi.repairable


def test_the_table_has_every_ordered_pair_once():
    table = cs.confusion_table("Привет")
    pairs = [(m.written_in.name, m.read_as.name) for m in table]
    assert len(pairs) == len(set(pairs)) == len(NAMES) * (len(NAMES) - 1)


def test_every_repairable_confusion_of_a_sentence_is_repaired_first():
    for cell in cs.confusion_table(SENTENCE):
        if cell.repairable and cell.garbled != SENTENCE:
            best = cs.repairs(cell.garbled)[0]
            assert best.text == SENTENCE, (cell.written_in.name, cell.read_as.name, best)


def test_a_single_word_swapped_between_koi8_and_cp1251_is_honestly_ambiguous():
    tops = [r for r in cs.repairs("оПХБЕР") if r.score == 1.0]
    assert "Привет" in {r.text for r in tops} and len(tops) > 1


@pytest.mark.parametrize(("text", "octets"), [("A", 1), ("Ж", 2), ("ё", 2), ("€", 3),
                                                ("—", 3), ("😀", 4)])
def test_utf8_is_not_two_bytes_per_character(text, octets):
    assert cs.utf8_octets(text) == [(text, octets)]


def test_utf8_summary_counts_characters_by_their_length():
    assert cs.utf8_summary("Привет, world! € 😀") == {1: 10, 2: 6, 3: 1, 4: 1}
    assert len("Привет".encode()) == 12 and len("Привет".encode("koi8_r")) == 6


@pytest.mark.parametrize("spelling", ["koi8-r", "KOI8_R", "cp1251", "Windows-1251", "ibm866",
                                      "cp866", "x-mac-cyrillic", "MacCyrillic", "utf8"])
def test_charset_names_in_any_spelling(spelling):
    assert cs.charset(spelling).name in NAMES


def test_an_unknown_charset_names_the_lab_charsets():
    with pytest.raises(LookupError, match="KOI8-R"):
        cs.charset("cp1252")
    with pytest.raises(LookupError, match="windows-1251"):
        cs.charset("no-such-charset")


def test_detection_guesses_and_can_be_wrong_on_short_text():
    long_koi = (SENTENCE * 3).encode("koi8_r")
    assert cs.detect(long_koi, among=cs.CYRILLIC).charset == "KOI8-R"
    assert cs.detect(SENTENCE.encode("utf-8")).charset == "UTF-8"
    # Restricted to the lab's charsets, every guess is one of them.
    for c in cs.CYRILLIC:
        guess = cs.detect(SENTENCE.encode(c.codec), among=cs.CYRILLIC)
        assert guess is not None and guess.charset in NAMES


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("cte", cs.TRANSFER_ENCODINGS)
def test_every_charset_and_transfer_encoding_round_trips_byte_exact(name, cte):
    text = "Привет,\nмир! Ёжик в тумане.\n"
    part = cs.text_part(text, name, cte)
    parsed = email.message_from_bytes(part, policy=email.policy.SMTP)
    assert parsed.get_content_charset() == name.lower()
    assert parsed["Content-Transfer-Encoding"] == cte
    codec = cs.charset(name).codec
    assert parsed.get_payload(decode=True) == text.replace("\n", "\r\n").encode(codec)
    assert cs.read_part(part) == text
    if cte != "8bit":
        assert max(part) < 128                       # safe for a 7-bit channel


def test_reading_a_part_with_the_wrong_charset_shows_the_garbage():
    part = cs.text_part("Привет\n", "UTF-8", "base64")
    assert cs.read_part(part, as_charset="windows-1251") == "РџСЂРёРІРµС‚\n"


_CYRILLIC_TEXT = st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЕЁЖЯ ,.!?-\n",
                         min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(text=_CYRILLIC_TEXT, name=st.sampled_from(NAMES),
       cte=st.sampled_from(cs.TRANSFER_ENCODINGS))
def test_round_trip_property(text, name, cte):
    if not text.endswith("\n"):
        text += "\n"
    try:
        text.encode(cs.charset(name).codec)
    except UnicodeEncodeError:
        return                                       # ё is not in every charset
    assert cs.read_part(cs.text_part(text, name, cte)) == text
