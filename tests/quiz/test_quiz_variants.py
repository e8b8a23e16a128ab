"""Variants and checking: the same student always gets the same variant, students get
different ones, every key passes its own check and blank or wrong answers fail."""
from __future__ import annotations

from pathlib import Path

import pytest

from simulator.quiz import VariantError, load_bank, load_bank_text, seed_of
from simulator.quiz.validate import check_variant, validate, wrong_response

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "quiz" / "mini.yaml"
SECRET = b"course secret"


@pytest.fixture(scope="module")
def bank():
    return load_bank(FIXTURE, "en")


def test_the_same_student_always_gets_the_same_variant(bank):
    item = bank["rcpt-unknown"]
    first, again = item.variant("s01", SECRET), item.variant("s01", SECRET)
    assert first.params == again.params and first.seed == again.seed
    assert first.text("en") == again.text("en")
    assert first.result.trace.to_json() == again.result.trace.to_json()


def test_students_get_different_names_numbers_orders_and_transcripts(bank):
    sims = {s: bank["rcpt-unknown"].variant(s, SECRET) for s in ("s01", "s02", "s03", "s04")}
    assert len({v.params["user"] for v in sims.values()}) > 1
    assert len({v.text("en") for v in sims.values()}) > 1
    # the run is seeded by the variant: queue ids differ even for the same user
    runs = [bank["pop3-count"].variant(s, SECRET).result for s in ("s01", "s02")]
    assert [d.queue_id for d in runs[0].deliveries] != [d.queue_id for d in runs[1].deliveries]
    sums = {bank["size-sum"].variant(f"s{n}", SECRET).params["a"] for n in range(10)}
    assert len(sums) > 1
    orders = {tuple(bank["smtp-order"].variant(f"s{n}", SECRET).choices("en"))
              for n in range(5)}
    assert len(orders) > 1


def test_the_secret_changes_the_variant_and_the_hmac_is_the_documented_one(bank):
    digest = seed_of(SECRET, "s01", "mini", "rcpt-unknown")
    import hashlib
    import hmac
    assert digest == hmac.new(SECRET, b"s01\0mini\0rcpt-unknown", hashlib.sha256).digest()
    params = {bank["size-sum"].variant("s01", secret).params["a"] * 100
              + bank["size-sum"].variant("s01", secret).params["b"]
              for secret in (b"a", b"b", b"c", b"d", b"e", b"f")}
    assert len(params) > 1


def test_placeholders_are_filled_in_every_language(bank):
    variant = bank["rcpt-unknown"].variant("s01", SECRET)
    user = variant.params["user"]
    assert f"<{user}@b.test>" in variant.text("en") and f"<{user}@b.test>" in variant.text("ru")
    assert "${" not in variant.text("ru")


@pytest.mark.parametrize("student", ["s01", "s02", "s03"])
def test_every_key_passes_and_blank_and_wrong_answers_fail(bank, student):
    for item in bank:
        variant = item.variant(student, SECRET)
        assert list(check_variant(variant)) == [], item.id
        key = variant.key()
        assert variant.check(key).correct and variant.check(key).score == 1.0
        assert variant.check(None).score == 0.0
        assert not variant.check(wrong_response(variant, key)).correct


def test_the_sim_key_is_what_the_server_really_said(bank):
    variant = bank["rcpt-unknown"].variant("s01", SECRET)
    rcpt = variant.result.trace.find(command="RCPT", code="5xx")
    assert variant.params["user"] in rcpt.command.line
    assert variant.key() == 550
    assert variant.check("550").correct and not variant.check(250).correct
    assert "RFC 5321 §4.2.2" in variant.check(250).feedback("en")


def test_option_feedback_and_partial_credit(bank):
    single = bank["smtp-port"].variant("s01", SECRET)
    pop3 = single.choices("en").index("110")
    check = single.check(pop3)
    assert not check.correct and "RFC 1939 §3" in check.feedback("en")
    assert "RFC 1939 §3" in check.feedback("ru") and "POP3" in check.feedback("ru")
    assert single.check("25").correct        # an option may be named by its text
    multiple = bank["pop3-commands"].variant("s01", SECRET)
    choices = multiple.choices("en")
    retr, dele, select = (choices.index(c) for c in ("RETR", "DELE", "SELECT"))
    assert multiple.check([retr]).score == 0.5
    assert multiple.check([retr, dele, select]).score == 0.5
    assert multiple.check([select]).score == 0.0


def test_numeric_short_and_truefalse_forms(bank):
    numeric = bank["size-sum"].variant("s01", SECRET)
    total = numeric.params["a"] + numeric.params["b"]
    assert numeric.check(str(total)).correct and numeric.check(f" {total},0 ").correct
    assert not numeric.check(total + 1).correct and not numeric.check("many").correct
    short = bank["dsn-status"].variant("s01", SECRET)
    assert short.check("  Administrator ").correct and short.check("ADMIN").correct
    assert not short.check("").correct
    truefalse = bank["imap-keeps"].variant("s01", SECRET)
    assert truefalse.check(True).correct and truefalse.check("верно").correct
    assert not truefalse.check("false").correct


def test_matching_ordering_and_cloze_partial_scores(bank):
    ordering = bank["smtp-order"].variant("s01", SECRET)
    shown = ordering.choices("en")
    right = ["EHLO", "MAIL FROM", "RCPT TO", "DATA", "QUIT"]
    assert ordering.check([shown.index(c) for c in right]).correct
    swapped = right[:3] + ["QUIT", "DATA"]
    assert ordering.check([shown.index(c) for c in swapped]).score == pytest.approx(0.6)
    cloze = bank["pop3-cloze"].variant("s01", SECRET)
    assert cloze.blanks() == ["1", "2"]
    assert cloze.check({"1": "user", "2": "+OK"}).correct
    assert cloze.check({"1": "USER", "2": "-ERR"}).score == 0.5
    assert cloze.check(["USER", "+OK"]).correct


def test_look_alike_letters_of_the_other_alphabet_count_with_a_note(bank):
    """A student on a Russian layout types Cyrillic С, А, Е, О for Latin letters and cannot
    see it: the answer counts, and the note names the letters (a server would refuse them)."""
    short = bank["dsn-status"].variant("s01", SECRET)
    typed = "АDMINISTRАTОR"                                   # Cyrillic А, А, О
    check = short.check(typed)
    assert check.correct
    assert "А, О" in check.feedback("en") and "other alphabet" in check.feedback("en")
    assert "другого алфавита" in check.feedback("ru")
    assert "alphabet" not in short.check("administrator").feedback("en")
    assert not short.check("АДМИН").correct                  # Cyrillic that looks like nothing
    cloze = bank["pop3-cloze"].variant("s01", SECRET)
    check = cloze.check({"1": "USЕR", "2": "+ОK"})            # Cyrillic Е and О
    assert check.correct and "Е, О" in check.feedback("en")
    assert cloze.check({"1": "USЕR", "2": "-ERR"}).score == 0.5


def test_a_cloze_cut_from_the_trace_hides_the_real_code(bank):
    variant = bank["rcpt-cloze"].variant("s01", SECRET)
    transcript = variant.transcript()
    assert "S: {1:___} 5.1.1 <nobody@b.test>" in transcript
    assert "C: RCPT TO:<nobody@b.test>" in transcript
    assert variant.key() == {"1": "550"} and variant.check({"1": "550"}).correct


def test_a_task_is_graded_on_the_state_after_the_students_commands(bank):
    variant = bank["pop3-delete"].variant("s01", SECRET)
    login = ["USER bob@b.test", "PASS bob-pw"]
    done = variant.check(login + ["DELE 1", "QUIT"])
    assert done.correct
    no_quit = variant.check(login + ["DELE 1"])      # RFC 1939 §6: deletion only at QUIT
    assert not no_quit.correct and "RFC 1939 §6" in no_quit.feedback("en")
    wrong_one = variant.check(login + ["DELE 2", "QUIT"])
    assert wrong_one.score == 0.5
    assert variant.check([]).score == 0.0
    assert variant.check("DELE 1").score == 0.0        # not a list of commands


def test_a_task_session_is_what_the_console_types_into(bank):
    variant = bank["pop3-delete"].variant("s01", SECRET)
    session = variant.session()
    session.open()
    for line in ("USER bob@b.test", "PASS bob-pw", "DELE 1", "QUIT"):
        session.send(line)
    assert variant.check_session(session).correct
    assert variant.before["mailboxes"]["bob@b.test"]["INBOX"]


WRONG_KEYS = """\
bank: broken
title: {ru: Сломанный, en: Broken}
items:
  - id: stat-count
    topic: pop
    type: sim
    text: {ru: "Сколько писем?", en: "How many messages?"}
    scenario: pop3-basic
    answer: len(state["mailboxes"]["bob@b.test"]["INBOX"])
    ask: single
    options:
      - {text: "=len(state['mailboxes']['bob@b.test']['INBOX']) + 1"}
      - {text: "=len(state['mailboxes']['bob@b.test']['INBOX']) + 2"}
  - id: wrong-solution
    topic: pop
    type: task
    text: {ru: Удалите письмо, en: Delete a message}
    scenario: pop3-basic
    protocol: POP3
    solution: [USER bob@b.test, PASS bob-pw, DELE 1]
    checks:
      - expr: len(state["mailboxes"]["bob@b.test"]["INBOX"]) == 1
  - id: bad-value
    topic: smtp
    type: sim
    params:
      user: {choice: [nobody, "no body", "no one", "nobody at all"]}
    text: {ru: "Код?", en: "The code?"}
    scenario:
      name: one-value-breaks-it
      hosts:
        - {name: mx.b.test, roles: [mta, mda], domains: [b.test]}
        - {name: pc.b.test, roles: [mua], user: a@b.test, smtp_server: mx.b.test}
      users:
        - {address: a@b.test}
      messages:
        - {at: 0, client: pc.b.test, from: a@b.test, to: ["${user}@b.test"]}
    answer: trace.find(command="RCPT").code
    ask: numeric
  - id: lenient
    topic: mime
    type: numeric
    text: {ru: "2 + 2", en: "2 + 2"}
    answer: 4
    tolerance: 1000
"""


def test_validate_finds_a_wrong_key_a_failing_solution_and_a_lenient_check():
    bank = load_bank_text(WRONG_KEYS, "broken.yaml", "en")
    problems = validate(bank, variants=6)
    found = {(p.item, p.code) for p in problems}
    assert found == {("stat-count", "variant_error"), ("wrong-solution", "key_fails"),
                     ("lenient", "wrong_passes"), ("bad-value", "variant_error")}
    broken = next(p for p in problems if p.item == "bad-value")
    assert "is not an e-mail address" in broken.message("en")
    message = next(p for p in problems if p.item == "stat-count").message("en")
    assert "0" in message and "options are equal" in message
    assert "ключ" in next(p for p in problems if p.code == "key_fails").message("ru")
    with pytest.raises(VariantError):
        bank["stat-count"].variant("s01").key()


PLURALS = """
bank: plurals
title: {ru: Формы, en: Forms}
items:
  - id: files
    topic: ftp-http
    type: numeric
    text:
      ru: "Клиент скачал ${n:файл|файла|файлов} по ${k:соединению|соединениям|соединениям}. Сколько это?"
      en: "The client downloaded ${n:file|files} over ${k:connection|connections}. How many?"
    params:
      n: {range: [1, 25]}
      k: {choice: [1, 2]}
    answer: params["n"]
"""


def test_a_count_in_a_question_takes_the_word_form_of_its_language():
    """``${n:файл|файла|файлов}``: 1 файл, 3 файла, 5 файлов, 21 файл — 1 file, 5 files."""
    item = load_bank_text(PLURALS, "plurals.yaml", "en")["files"]
    seen = {}
    for number in range(60):
        variant = item.variant(f"s{number}", SECRET)
        seen[variant.params["n"]] = (variant.text("ru"), variant.text("en"))
    expected = {1: ("1 файл", "1 file "), 3: ("3 файла", "3 files"), 5: ("5 файлов", "5 files"),
                11: ("11 файлов", "11 files"), 21: ("21 файл ", "21 files")}
    for n, (ru, en) in expected.items():
        if n in seen:
            assert ru in seen[n][0] and en in seen[n][1], seen[n]
    assert len(set(seen) & set(expected)) >= 3
    assert all("${" not in ru + en and "|" not in ru + en for ru, en in seen.values())
    one = next(v for v in seen.values() if "по 1 соединению" in v[0])
    assert "over 1 connection." in one[1]


ONE_TEXT = """
bank: plurals
title: {ru: Формы, en: Forms}
items:
  - id: files
    topic: ftp-http
    type: single
    text: {ru: "Сколько?", en: "How many?"}
    params:
      n: {range: [1, 25]}
    options:
      - {text: "${n:file|files}", correct: true}
      - {text: "none", correct: false}
"""


@pytest.mark.parametrize("bank, error", [
    (ONE_TEXT, "forms belong to one language"),      # a text for both: no language to pick by
    (PLURALS.replace("${n:файл|файла|файлов}", "${n:файл}"), "malformed placeholder"),
    (PLURALS.replace("${n:file|files}", "${m:file|files}"), "no such parameter"),
])
def test_word_forms_need_a_language_a_choice_and_a_parameter(bank, error):
    with pytest.raises(Exception, match=error):
        load_bank_text(bank, "plurals.yaml", "en")
