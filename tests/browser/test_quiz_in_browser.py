"""The practice quiz in a real browser at 1366×768: JupyterLab, headless Chromium.

A notebook made for the test shows two Lab 16 items.  The test waits until the kernel
is connected and idle and every cell has run, ticks the right option of the first item
and clicks Check, then types the simulator's answer to the second (a ``sim`` item) —
each time waiting for the verdict the page shows, never for a fixed time — checks that
the question, the Check button and the feedback fit the screen together, and switches
the quiz to Russian.  The keys come from the same practice variants the kernel makes.
Screenshots go to ``test-artifacts/``.
"""
from __future__ import annotations

import pytest
from browser_kit import (
    ARTIFACTS,
    ROOT,
    SCROLL_TO_FIRST_WIDGET,
    TOKEN,
    VIEWPORT,
    chromium_page,
    jupyter_server,
    needs_chromium,
    one_cell_notebook,
    open_and_run_all,
)

from simulator.quiz import load_bank

needs_chromium()
pytest.importorskip("nbformat")

BANK = ROOT / "exercises" / "lab16" / "lab16.yaml"
ITEMS = ["lab16-q3-apop", "lab16-q6-backup-mx"]


@pytest.fixture
def jupyter(tmp_path):
    code = (f"from simulator.widgets import Quiz\n"
            f"Quiz({str(BANK)!r}, items={ITEMS!r}, lang='en')")
    root = one_cell_notebook(tmp_path, "quiz.ipynb", code)
    with jupyter_server(root, tmp_path) as base:
        yield base


def the_quiz(page):
    """The quiz of the open notebook, scrolled into view."""
    index = page.evaluate(SCROLL_TO_FIRST_WIDGET)
    assert index >= 0, "no cell shows a widget"
    quiz = page.locator(f".jp-Cell[data-windowed-list-index='{index}'] .mailsim-quiz").first
    quiz.wait_for()
    return quiz


def check_and_wait(quiz) -> str:
    """Click Check and wait for the verdict the kernel draws; its data-correct."""
    quiz.locator(".mailsim-quiz-check").click()
    verdict = quiz.locator(".mailsim-quiz-verdict")
    verdict.wait_for()
    return verdict.get_attribute("data-correct")


def assert_fits(quiz, name: str) -> None:
    """The question, the Check button and the feedback are on the 1366×768 screen."""
    quiz.evaluate("el => el.scrollIntoView({block: 'start'})")
    parts = {key: quiz.locator(selector).first for key, selector in
             {"question": ".mailsim-quiz-question", "check": ".mailsim-quiz-check",
              "feedback": ".mailsim-quiz-verdict"}.items()}
    try:
        for part in parts.values():
            part.wait_for(state="visible")
    finally:
        quiz.page.screenshot(path=str(ARTIFACTS / f"quiz-1366x768-{name}.png"))
    for key, part in parts.items():
        box = part.bounding_box()
        assert box is not None and box["width"] > 0, key
        assert 0 <= box["x"] and box["x"] + box["width"] <= VIEWPORT["width"], (key, box)
        assert 0 <= box["y"] and box["y"] + box["height"] <= VIEWPORT["height"], (key, box)


def test_the_quiz_is_answered_checked_and_translated_in_jupyterlab(jupyter):
    bank = load_bank(BANK)
    single, sim = (bank[i].variant() for i in ITEMS)      # the kernel's practice variants
    with chromium_page() as page:
        open_and_run_all(page, f"{jupyter}/lab/tree/quiz.ipynb?token={TOKEN}")
        quiz = the_quiz(page)
        assert "What is APOP?" in quiz.locator(".mailsim-quiz-question").inner_text()
        quiz.locator(".mailsim-quiz-option input[type='checkbox']").nth(single.key()).check()
        assert check_and_wait(quiz) == "true"
        assert_fits(quiz, "option")

        quiz.locator(".mailsim-quiz-next").click()
        quiz.locator(".mailsim-quiz-position", has_text="Question 2 of 2").wait_for()
        quiz.locator(".mailsim-quiz-text input").fill(str(sim.key()))
        assert check_and_wait(quiz) == "true"
        assert "RFC 5321 §5.1" in quiz.locator(".mailsim-quiz-feedback").inner_text()
        assert_fits(quiz, "sim")

        quiz.get_by_role("button", name="RU", exact=True).click()
        quiz.locator(".mailsim-quiz-check", has_text="Проверить").wait_for()
        assert "Верно: 2 из 2 вопросов" in quiz.locator(".mailsim-quiz-score").inner_text()
        page.screenshot(path=str(ARTIFACTS / "quiz-1366x768-ru.png"))
