"""``mailsim lab`` / ``make lab``: notebooks/ is the root, the index of the language opens first."""
from __future__ import annotations

from pathlib import Path

import pytest

from simulator import lab
from simulator.cli import main

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_jupyterlab_serves_the_whole_folder_and_opens_the_russian_index():
    args = lab.command(NOTEBOOKS, "ru", browser=False, port=8899)
    assert f"--ServerApp.root_dir={NOTEBOOKS}" in args      # ru/ and en/ both reachable
    assert "--LabApp.default_url=/lab/tree/ru/00_оглавление.ipynb" in args
    assert "--no-browser" in args and "--port=8899" in args
    assert (NOTEBOOKS / "ru" / "00_оглавление.ipynb").is_file()


def test_voila_serves_the_folder_as_a_tree():
    args = lab.command(NOTEBOOKS, "en", voila=True)
    assert args[1:4] == ["-m", "voila", str(NOTEBOOKS)]


def test_the_notebooks_are_found_from_the_repository_and_from_an_option(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                           # not in ./notebooks: beside the package
    assert lab.find_notebooks() == NOTEBOOKS
    assert lab.find_notebooks(str(NOTEBOOKS)) == NOTEBOOKS


def test_a_folder_without_the_course_is_a_one_line_error(tmp_path, capsys):
    assert main(["lab", "--notebooks", str(tmp_path), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mailsim: error: no course notebooks in") and "Traceback" not in err
    assert main(["lab", "--notebooks", str(tmp_path), "--lang", "ru"]) == 2
    assert "нет тетрадей курса" in capsys.readouterr().err


def test_help_of_lab_in_both_languages(capsys):
    assert main(["lab", "--help", "--lang", "ru"]) == 0
    assert "оглавлении" in capsys.readouterr().out
    assert main(["lab", "--help", "--lang", "en"]) == 0
    assert "Voilà site" in capsys.readouterr().out


def test_the_course_is_copied_to_the_working_folder_once_and_edits_stay(tmp_path):
    workdir = tmp_path / "course"
    copied = lab.prepare_workdir(workdir)
    assert Path("ru/00_оглавление.ipynb") in copied and Path("en/01_tour.ipynb") in copied
    assert Path("exercises/README.md") in copied
    assert not list(workdir.rglob("*.py"))              # the generator scripts stay behind
    edited = workdir / "en" / "01_tour.ipynb"
    edited.write_text("my edits", encoding="utf-8")
    (workdir / "ru" / "00_оглавление.ipynb").unlink()   # deleted by mistake: copied again
    assert lab.prepare_workdir(workdir) == [Path("ru/00_оглавление.ipynb")]
    assert edited.read_text(encoding="utf-8") == "my edits"


def test_mailsim_lab_serves_the_working_copy_and_says_where_it_is(tmp_path, monkeypatch,
                                                                   capsys):
    started = {}
    monkeypatch.setattr(lab, "run", lambda root, lang, **kw: started.setdefault("root", root)
                        and 0)
    assert main(["lab", "--dir", str(tmp_path / "w"), "--lang", "en", "--no-browser"]) == 0
    assert started["root"] == tmp_path / "w"
    assert f"copied to {tmp_path / 'w'}" in capsys.readouterr().out
    assert main(["lab", "--dir", str(tmp_path / "w"), "--lang", "ru", "--no-browser"]) == 0
    assert "ваши тетради в" in capsys.readouterr().out


def test_an_unwritable_working_folder_is_a_one_line_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["lab", "--dir", str(blocker / "sub"), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mailsim: error: cannot write") and "Traceback" not in err


def test_a_notebook_finds_its_question_banks_in_the_repository_and_in_a_working_copy(
        tmp_path, monkeypatch):
    from simulator.lab import course_bank, prepare_workdir
    repo = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(repo / "notebooks" / "ru")
    assert course_bank("smtp").resolve() == repo / "exercises" / "smtp.yaml"
    prepare_workdir(tmp_path)
    monkeypatch.chdir(tmp_path / "en")
    assert course_bank("lab16/lab16").resolve() == \
        (tmp_path / "exercises" / "lab16" / "lab16.yaml").resolve()
    with pytest.raises(FileNotFoundError, match="no-such-bank"):
        course_bank("no-such-bank")
