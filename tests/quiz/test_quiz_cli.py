"""``mailsim quiz`` as a teacher meets it: validate, render, grade, export, import-gift."""
from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import nbformat
import pytest

from simulator.cli import main
from simulator.quiz import load_bank, sign

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "quiz" / "mini.yaml"
SECRET = "course secret"


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv("MAILSIM_QUIZ_SECRET", SECRET)


@pytest.fixture(scope="module")
def bank():
    return load_bank(FIXTURE, "en")


def test_validate_passes_on_a_good_bank(capsys):
    assert main(["quiz", "validate", str(FIXTURE), "--variants", "2", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "12 items × 2 variants: every key passes its own check" in out


def test_validate_fails_on_a_bank_with_a_wrong_key(tmp_path, capsys):
    text = FIXTURE.read_text("utf-8").replace("solution: [USER bob@b.test, PASS bob-pw, DELE 1, QUIT]",
                                              "solution: [USER bob@b.test, PASS bob-pw, DELE 1]")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, "utf-8")
    assert main(["quiz", "validate", str(broken), "--variants", "2", "--lang", "ru"]) == 1
    out = capsys.readouterr().out
    assert "pop3-delete (студент v01): ключ USER bob@b.test, PASS bob-pw, DELE 1 не проходит" in out
    assert "2 проблемы" in out


def test_a_malformed_bank_is_one_line_with_file_line_and_field(tmp_path, capsys):
    broken = tmp_path / "typo.yaml"
    broken.write_text(FIXTURE.read_text("utf-8").replace("type: truefalse", "type: yesno"),
                      "utf-8")
    assert main(["quiz", "validate", str(broken), "--lang", "en"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert re.search(r"typo\.yaml, line 25: 'imap-keeps\.type' must be one of single, ", err)


def _keys(variant) -> list[str]:
    """Every form of the answer that must not be in a student's exam bundle."""
    key, kind = variant.key(), variant.item.type
    if kind == "task":
        return [" ".join(key)] + [c["expr"] for c in variant.data["checks"]]
    if kind == "cloze":
        return [f"{{1:{a}}}" for a in key.values()] + [json.dumps(key)]
    if kind in ("numeric", "short", "sim") and variant.item.ask != "single":
        return [str(key), str(int(key)) if isinstance(key, float) else str(key)]
    feedback = [o["feedback"][lang] for o in variant.data.get("options", ())
                if "feedback" in o for lang in ("ru", "en")]
    return feedback + ["correct: true", '"correct": true', '"solution"']


@pytest.mark.parametrize("suffix", [".ipynb", ".html"])
def test_an_exam_bundle_holds_no_answer(tmp_path, bank, suffix, capsys):
    out = tmp_path / f"s07{suffix}"
    assert main(["quiz", "render", str(FIXTURE), "--student", "s07", "--mode", "exam",
                 "-o", str(out), "--lang", "en"]) == 0
    text = out.read_text("utf-8")
    if suffix == ".ipynb":
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
        text = "\n".join(cell.source for cell in notebook.cells)
    else:
        text = html.unescape(text)
    for item in bank:
        variant = item.variant("s07", SECRET.encode())
        assert variant.text("en") in text
        for key in _keys(variant):
            assert not re.search(rf"(?<![\w.]){re.escape(key)}(?![\w.])", text), \
                (item.id, key)
        assert "RFC 5321 §4.2.2" not in text            # no wrong-answer feedback either


def test_an_exam_needs_the_course_secret(monkeypatch, capsys):
    monkeypatch.delenv("MAILSIM_QUIZ_SECRET")
    assert main(["quiz", "render", str(FIXTURE), "--student", "s1", "--mode", "exam",
                 "--lang", "en"]) == 2
    assert "--secret-file" in capsys.readouterr().err


def test_the_exam_notebooks_last_cell_writes_a_file_that_grades(tmp_path, bank, monkeypatch):
    out = tmp_path / "s02.ipynb"
    assert main(["quiz", "render", str(FIXTURE), "--student", "s02", "--mode", "exam",
                 "-o", str(out), "--lang", "ru"]) == 0
    notebook = nbformat.read(out, as_version=4)
    variant = bank["size-sum"].variant("s02", SECRET.encode())
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            source = cell.source
            if "'size-sum'" in source:
                source = source.replace("= None", f"= {variant.key()}")
            exec(source, scope)  # noqa: S102 -- the cells, as the student's kernel runs them
    saved = tmp_path / "responses-s02.json"
    assert json.loads(saved.read_text("utf-8"))["student"] == "s02"
    assert main(["quiz", "grade", str(FIXTURE), str(saved), "--lang", "en"]) == 0


def _responses(tmp_path: Path, bank, students: list[str]) -> list[str]:
    """Signed response files: even students answer every key, odd ones get every item wrong
    after the third."""
    from simulator.quiz.validate import wrong_response
    files = []
    for n, student in enumerate(students):
        answers = {}
        for i, item in enumerate(bank):
            variant = item.variant(student, SECRET.encode())
            key = variant.key()
            answers[item.id] = key if n % 2 == 0 or i < 3 else wrong_response(variant, key)
        path = tmp_path / f"responses-{student}.json"
        path.write_text(json.dumps(sign(bank.id, student, answers, SECRET)), "utf-8")
        files.append(str(path))
    return files


def test_grading_30_response_files_prints_a_csv_and_a_summary(tmp_path, bank, capsys):
    students = [f"s{n:02d}" for n in range(1, 31)]
    files = _responses(tmp_path, bank, students)
    assert main(["quiz", "grade", str(FIXTURE), *files, "--lang", "en"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.reader(io.StringIO(captured.out)))
    assert rows[0] == ["student", *bank.ids, "total"]
    assert [r[0] for r in rows[1:]] == students
    totals = {r[0]: float(r[-1]) for r in rows[1:]}
    assert totals["s01"] == 12 and totals["s02"] == 3      # every key; three keys then wrong
    assert "Graded 30 response files of 30" in captured.err
    summary = captured.err
    assert re.search(r"smtp-port\s+│\s+30\s+│\s+30\s+│\s+100%", summary)
    assert re.search(r"pop3-delete\s+│\s+30\s+│\s+15\s+│\s+5\d%", summary)


def test_a_tampered_response_file_is_rejected_with_a_clear_message(tmp_path, bank, capsys):
    good, tampered, foreign = _responses(tmp_path, bank, ["s01", "s02", "s03"])
    data = json.loads(Path(tampered).read_text("utf-8"))
    data["responses"]["size-sum"] = 12345                   # a changed answer
    Path(tampered).write_text(json.dumps(data), "utf-8")
    data = json.loads(Path(foreign).read_text("utf-8"))
    data["student"] = "s04"                                 # someone else's answers
    Path(foreign).write_text(json.dumps(data), "utf-8")
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json", "utf-8")
    csv_file = tmp_path / "grades.csv"
    status = main(["quiz", "grade", str(FIXTURE), good, tampered, foreign, str(garbage),
                   "--csv", str(csv_file), "--lang", "en"])
    assert status == 1
    out = capsys.readouterr().out
    assert f"{tampered}: the signature does not match: the file was changed after it was " \
           "signed, or these are not the answers of s02; it is not graded" in out
    assert f"{foreign}: the signature does not match" in out and "s04" in out
    assert f"{garbage}: line 1: not JSON" in out
    assert "Graded 1 response file of 4" in out
    assert [r[0] for r in csv.reader(io.StringIO(csv_file.read_text("utf-8")))] == \
        ["student", "s01"]


def test_practice_renders_a_widget_notebook_and_a_page_with_folded_answers(tmp_path, bank):
    notebook_file, page_file = tmp_path / "p.ipynb", tmp_path / "p.html"
    for out in (notebook_file, page_file):
        assert main(["quiz", "render", str(FIXTURE), "--student", "s01", "-o", str(out),
                     "--lang", "ru"]) == 0
    notebook = nbformat.read(notebook_file, as_version=4)
    nbformat.validate(notebook)
    code = notebook.cells[-1].source
    assert "from simulator.widgets import Quiz" in code and str(FIXTURE) in code
    assert "lang='ru'" in code
    page = html.unescape(page_file.read_text("utf-8"))
    assert page.count("<details>") == len(bank)
    total = bank["size-sum"].variant()
    assert f"<p>{total.params['a'] + total.params['b']}\n" in page
    assert "5.1.1 <nobody@b.test>" in page and "Верно." in page


def test_a_render_to_an_unknown_format_says_so(tmp_path, capsys):
    assert main(["quiz", "render", str(FIXTURE), "--student", "s01", "-o",
                 str(tmp_path / "x.pdf"), "--lang", "en"]) == 2
    assert "must end in .ipynb or .html" in capsys.readouterr().err
