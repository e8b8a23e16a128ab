"""Quiz driven from Python: tick, type, pick, click Check, read the feedback and the score."""
import re
from pathlib import Path

import pytest

from simulator.quiz import load_bank
from simulator.widgets import ProtocolConsole, Quiz, TracePlayer
from simulator.widgets.quiz_inputs import Cloze, Commands, OptionList, Pick, TrueFalse, Typed

EXERCISES = Path(__file__).resolve().parents[2] / "exercises"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", html)).strip()


@pytest.fixture(scope="module")
def lab16():
    return load_bank(EXERCISES / "lab16" / "lab16.yaml")


@pytest.fixture(scope="module")
def smtp():
    return load_bank(EXERCISES / "smtp.yaml")


def test_one_item_at_a_time_with_its_position_and_the_bank_title(lab16):
    quiz = Quiz(lab16, items=["lab16-q3-apop", "lab16-q3-apop-timestamp"], lang="en")
    assert text(quiz.position.value) == "Question 1 of 2"
    assert "Lab 16" in quiz.title.value and "What is APOP?" in text(quiz.question.value)
    assert quiz.previous.disabled and not quiz.next.disabled
    quiz.next.click()
    assert text(quiz.position.value) == "Question 2 of 2" and quiz.next.disabled
    assert "timestamp" in text(quiz.question.value)


def test_a_right_option_scores_and_a_wrong_one_teaches(lab16):
    quiz = Quiz(lab16, items=["lab16-q3-apop"], lang="en")
    variant = quiz.variant
    wrong = next(p for p, label in enumerate(variant.choices("en")) if "Encryption of the pass"
                 in label)
    quiz.answer.choose(wrong)
    quiz.check.click()
    shown = text(quiz.feedback.value)
    assert shown.startswith("✘ Not right yet.") and "not encryption" in shown
    assert 'href="https://www.rfc-editor.org/rfc/rfc1939#section-7"' in quiz.feedback.value
    assert text(quiz.score.value).startswith("Right: 0 of 1 question ")
    quiz.answer.choose(variant.key())
    quiz.check.click()
    assert text(quiz.feedback.value) == "✔ Right." and "data-correct='true'" in quiz.feedback.value
    assert text(quiz.score.value) == "Right: 1 of 1 question · points: 1 of 1"


def test_single_choice_keeps_one_option_ticked(lab16):
    quiz = Quiz(lab16, items=["lab16-q5-no-download"], lang="en")
    quiz.answer.boxes[0].value = True
    quiz.answer.boxes[1].value = True
    assert [box.value for box in quiz.answer.boxes][:2] == [False, True]
    assert quiz.answer.response() == 1


def test_multiple_choice_gives_partial_credit(lab16):
    quiz = Quiz(lab16, items=["lab16-q7-mime"], lang="en")
    right = quiz.variant.key()
    quiz.answer.choose(right[0])
    result = quiz.grade()
    assert 0 < result.score < 1
    assert text(quiz.feedback.value).startswith("✘ Partly right: 33%")


def test_checking_nothing_asks_for_an_answer_and_scores_nothing(lab16):
    quiz = Quiz(lab16, items=["lab16-q1-connections", "lab16-q3-apop"], lang="ru")
    assert quiz.grade() is None
    assert "Сначала ответьте" in text(quiz.feedback.value)
    assert text(quiz.score.value) == "Верно: 0 из 2 вопросов · баллы: 0 из 2"


def test_a_sim_item_takes_the_number_the_scenario_gives(lab16):
    quiz = Quiz(lab16, items=["lab16-q8-quota"], lang="en")
    assert isinstance(quiz.answer, Typed) and quiz.answer.numeric
    quiz.answer.text.value = "many"
    assert quiz.grade() is None and "Enter a number" in text(quiz.feedback.value)
    quiz.answer.text.value = str(int(quiz.variant.key()))
    assert quiz.grade().correct
    quiz.answer.text.value = str(int(quiz.variant.key()) + 1)
    assert not quiz.grade().correct
    assert "RFC 5321 §4.2.1" in text(quiz.feedback.value)
    assert text(quiz.score.value).startswith("Right: 0 of 1")      # the last check counts


def test_run_the_scenario_shows_its_trace_in_a_player(lab16):
    quiz = Quiz(lab16, items=["lab16-q6-backup-mx"], lang="en")
    assert quiz.run.layout.display == "" and quiz.run_view.children == ()
    quiz.run.value = True
    [player] = quiz.run_view.children
    assert isinstance(player, TracePlayer)
    assert player.trace.find(command="RCPT") is not None
    assert quiz.run.description == "Hide the scenario"
    quiz.run.value = False
    assert quiz.run_view.children == ()


def test_matching_and_ordering_are_answered_with_dropdowns(smtp):
    quiz = Quiz(smtp, items=["smtp-reply-classes", "smtp-order"], lang="en")
    assert isinstance(quiz.answer, Pick) and quiz.answer.response() == []
    for menu, place in zip(quiz.answer.menus, quiz.variant.key(), strict=True):
        menu.value = place
    assert quiz.grade().correct
    quiz.next.click()
    assert [menu.value for menu in quiz.answer.menus] == list(range(6))   # the order shown
    assert not quiz.grade().correct
    for menu, place in zip(quiz.answer.menus, quiz.variant.key(), strict=True):
        menu.value = place
    assert quiz.grade().correct
    assert text(quiz.score.value) == "Right: 2 of 2 questions · points: 2 of 2"


def test_a_cloze_has_a_box_in_each_blank_of_the_transcript(smtp):
    quiz = Quiz(smtp, items=["smtp-cloze-data"], lang="en")
    assert isinstance(quiz.answer, Cloze) and list(quiz.answer.blanks) == ["1", "2", "3"]
    assert "MAIL FROM:&lt;alice@a.test&gt;" in str([w.value for w in
                                                     quiz.answer.widget.children[0].children])
    for number, code in {"1": "250", "2": "550", "3": "354"}.items():
        quiz.answer.blanks[number].value = code
    result = quiz.grade()
    assert result.score == pytest.approx(2 / 3)
    quiz.answer.blanks["3"].value = "503"
    assert quiz.grade().correct


def test_true_false(lab16):
    bank = load_bank(EXERCISES / "pop.yaml")
    quiz = Quiz(bank, items=["pop-quit"], lang="ru")
    assert [text(label.value) for label in quiz.answer.labels] == ["Верно", "Неверно"]
    quiz.answer.choose(0)
    assert not quiz.grade().correct
    assert "RFC 1939 §6" in text(quiz.feedback.value)
    quiz.answer.choose(1)
    assert quiz.grade().correct


def test_a_task_is_done_in_a_console_and_graded_on_the_server_state():
    bank = load_bank(EXERCISES / "pop.yaml")
    quiz = Quiz(bank, items=["pop-task-delete"], lang="en")
    assert isinstance(quiz.answer, Commands) and isinstance(quiz.answer.widget, ProtocolConsole)
    assert quiz.run.layout.display == "none"
    console = quiz.answer.console
    k = quiz.variant.params["k"]
    for line in ("USER bob@b.test", "PASS bob-pw", f"DELE {k}"):
        console.submit(line)
    result = quiz.grade()                      # no QUIT: nothing is deleted yet (RFC 1939 §6)
    assert not result.correct and "QUIT removes it" in text(quiz.feedback.value)
    console.submit("QUIT")
    assert quiz.grade().correct
    assert text(quiz.feedback.value).startswith("✔ Right: without QUIT nothing would be deleted")


def test_the_language_switch_relabels_everything_and_keeps_the_answers(lab16):
    quiz = Quiz(lab16, items=["lab16-q3-apop", "lab16-q8-quota"], lang="en")
    quiz.answer.choose(quiz.variant.key())
    quiz.check.click()
    quiz.language.value = "ru"
    assert quiz.lang == "ru" and "Что такое APOP?" in text(quiz.question.value)
    assert quiz.check.description == "Проверить" and quiz.next.description == "Дальше"
    assert text(quiz.feedback.value) == "✔ Верно."
    assert quiz.answer.response() == quiz.variant.key()
    assert "MD5" in text(quiz.answer.labels[quiz.variant.key()].value)
    quiz.next.click()
    assert quiz.run.description == "Запустить сценарий"
    assert quiz.answer.text.placeholder == "число"
    quiz.set_lang("en")
    assert quiz.answer.text.placeholder == "a number"


def test_items_chooses_and_orders_the_questions_and_a_wrong_id_is_named(lab16):
    quiz = Quiz(str(EXERCISES / "lab16" / "lab16.yaml"), items=["lab16-q8-quota",
                                                               "lab16-q1-protocols"])
    assert [item.id for item in quiz.items] == ["lab16-q8-quota", "lab16-q1-protocols"]
    assert len(Quiz(lab16).items) == len(lab16)
    with pytest.raises(ValueError, match="lab16-q9"):
        Quiz(lab16, items=["lab16-q9-nothing"], lang="en")


def test_every_shipped_item_gets_its_controls_and_accepts_its_key():
    """The widget can show every item of every bank the course ships, and its key passes."""
    kinds = set()
    for path in sorted(EXERCISES.rglob("*.yaml")):
        quiz = Quiz(path, lang="en")
        for index, variant in enumerate(quiz.variants):
            quiz.show(index)
            kinds.add(type(quiz.answer))
            if variant.item.type != "task":
                assert variant.check(variant.key()).correct, variant.item.id
    assert kinds == {OptionList, TrueFalse, Typed, Pick, Cloze, Commands}
