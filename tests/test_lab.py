"""``mailsim lab`` / ``make lab``: notebooks/ is the root, the index of the language opens first."""
from __future__ import annotations

from pathlib import Path

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
