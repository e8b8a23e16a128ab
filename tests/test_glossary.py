"""The Russian texts use the terms of docs/glossary.md and avoid the words it rules out."""
import re
from pathlib import Path

import pytest

from simulator import locale

GLOSSARY = Path(__file__).resolve().parents[1] / "docs" / "glossary.md"


def rows():
    """(english, [russian terms], [avoided words]) from the marked table of the glossary."""
    text = GLOSSARY.read_text("utf-8")
    table = text.split("<!-- glossary:start -->")[1].split("<!-- glossary:end -->")[0]
    out = []
    for line in table.strip().splitlines()[2:]:          # after the header and the --- row
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        english, russian, avoid = cells[0], cells[1], cells[2]
        split = [w.strip() for w in russian.split(" / ") if w.strip()]
        out.append((english, split, [w.strip() for w in avoid.split(" / ") if w.strip()]))
    return out


ROWS = rows()
RU = locale.texts("ru")
ALL_RU = "\n".join(RU.values()).lower()


def test_the_glossary_has_the_terms_issue_19_names():
    russian = {term for _, terms, _ in ROWS for term in terms}
    assert {"метка", "раскодировать", "почтовый ящик", "конверт", "обратный путь"} <= russian


@pytest.mark.parametrize("english, terms, avoid", ROWS, ids=[r[0] for r in ROWS])
def test_russian_texts_use_the_term(english, terms, avoid):
    for term in terms:
        stem = term.lower()[:-2] if len(term) > 6 else term.lower()   # метка → метк…, any case
        assert stem in ALL_RU, f"{english}: «{term}» is not used in any Russian text"


@pytest.mark.parametrize("english, terms, avoid", ROWS, ids=[r[0] for r in ROWS])
def test_russian_texts_avoid_the_wrong_words(english, terms, avoid):
    wrong = [(key, word) for word in avoid for key, text in RU.items()
             if re.search(r"(?<!\w)" + re.escape(word.lower()), text.lower())]
    assert wrong == []


def test_decrypt_is_said_only_of_encryption():
    """«расшифровать» may only stand beside TLS or encryption, never beside an encoding."""
    for key, text in RU.items():
        if "расшифр" in text.lower():
            assert re.search(r"TLS|шифр", text.replace("расшифр", "")), key
            assert not re.search(r"base64|quoted-printable", text), key
