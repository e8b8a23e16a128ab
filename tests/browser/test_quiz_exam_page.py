"""The exam page of ``mailsim quiz render --mode exam -o FILE.html`` in Chromium: a student
answers every question, presses the save button, and the downloaded file — signed in the
page with WebCrypto — is accepted and graded by ``simulator.quiz`` like the notebook's."""
from __future__ import annotations

import json
from pathlib import Path

from browser_kit import chromium_page, needs_chromium

from simulator.quiz import load_bank, verify
from simulator.quiz.grade import grade_one
from simulator.quiz.render import exam_html

needs_chromium()

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "quiz" / "mini.yaml"
SECRET = b"course secret"
STUDENT = "s05"


def _answer(page, variant) -> None:
    """Give the key of ``variant`` through the page's own controls."""
    section = page.locator(f"section.q[data-item='{variant.item.id}']")
    kind, key = variant.item.ask, variant.key()
    if kind == "single":
        section.locator(f"input[value='{key}']").check()
    elif kind == "multiple":
        for place in key:
            section.locator(f"input[value='{place}']").check()
    elif kind == "truefalse":
        section.locator(f"input[value='{str(key).lower()}']").check()
    elif kind == "matching":
        for left, place in enumerate(key):
            section.locator(f"select[data-left='{left}']").select_option(str(place))
    elif kind == "ordering":
        section.locator("input[type=text]").fill(" ".join(map(str, key)))
    elif kind == "cloze":
        for number, text in key.items():
            section.locator(f"input[data-blank='{number}']").fill(text)
    elif kind == "task":
        section.locator("textarea").fill("\n".join(key))
    else:
        section.locator("input[type=text]").fill(str(key))


def test_a_student_answers_saves_and_the_signed_file_grades(tmp_path):
    bank = load_bank(FIXTURE, "en")
    page_file = tmp_path / "exam.html"
    page_file.write_text(exam_html(bank, STUDENT, SECRET, "en"), "utf-8")
    with chromium_page() as page:
        page.goto(page_file.as_uri())
        for item in bank:
            _answer(page, item.variant(STUDENT, SECRET))
        with page.expect_download() as download:
            page.click("#save")
        saved = tmp_path / "responses.json"
        download.value.save_as(saved)
        assert download.value.suggested_filename == f"responses-{STUDENT}.json"
    document = verify(json.loads(saved.read_text("utf-8")), SECRET)
    graded = grade_one(bank, document, SECRET, str(saved))
    assert graded.correct == {item.id: True for item in bank}
    assert graded.total == sum(item.points for item in bank)
