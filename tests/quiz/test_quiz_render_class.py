"""``mailsim quiz render --class ROSTER.csv`` / ``--students N``: one bundle per student of
the class, under the same logins ``mailsim serve`` gives them (issue 12)."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from simulator.cli import main
from simulator.quiz import load_bank

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "quiz" / "mini.yaml"
SECRET = "course secret"


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv("MAILSIM_QUIZ_SECRET", SECRET)


def test_a_roster_gets_one_exam_each_and_each_is_that_students_variant(tmp_path, capsys):
    roster = tmp_path / "group.csv"
    roster.write_text("логин;имя\nivanov;Иван Иванов\npetrova;Анна Петрова\n", "utf-8")
    out = tmp_path / "exams"
    assert main(["quiz", "render", str(FIXTURE), "--class", str(roster), "--mode", "exam",
                 "-o", str(out), "--lang", "ru"]) == 0
    assert "Папка" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["ivanov.ipynb", "petrova.ipynb"]
    bank = load_bank(FIXTURE, "ru")
    for login in ("ivanov", "petrova"):
        text = "\n".join(c.source for c in nbformat.read(out / f"{login}.ipynb", 4).cells)
        assert login in text
        for item in bank:                   # each file holds its own student's variant
            assert item.variant(login, SECRET).text("ru") in text


def test_students_n_renders_html_pages_named_like_the_servers_accounts(tmp_path, capsys):
    out = tmp_path / "pages"
    assert main(["quiz", "render", str(FIXTURE), "--students", "3", "--mode", "exam",
                 "--format", "html", "-o", str(out), "--lang", "en"]) == 0
    assert "3 files, one per student (an exam bundle)" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == \
        ["student01.html", "student02.html", "student03.html"]


def test_a_bad_roster_is_one_clear_line(tmp_path, capsys):
    roster = tmp_path / "bad.csv"
    roster.write_text("login,name\nivan ivanov,Ivan\n", "utf-8")
    assert main(["quiz", "render", str(FIXTURE), "--class", str(roster), "--mode", "exam",
                 "--lang", "en"]) == 2
    err = capsys.readouterr().err.strip()
    assert "bad.csv, row 1" in err and "Traceback" not in err and "\n" not in err


@pytest.mark.parametrize("argv, words", [
    (["--student", "s1", "--students", "3"], "нельзя указывать вместе с --student"),
    ([], "нужен один из аргументов: --student --class --students"),
])
def test_one_student_or_a_class_and_the_mistake_said_in_russian(argv, words, capsys):
    assert main(["quiz", "--lang", "ru", "render", str(FIXTURE), *argv]) == 2
    assert words in capsys.readouterr().err
