"""The examples in docs/python-api.md run, and print what the page says they print."""
import doctest
import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"^```pycon\n(.*?)^```", re.DOTALL | re.MULTILINE)


def run_examples(path: Path) -> tuple[int, str]:
    """Run every ```pycon block of ``path`` in order, in one namespace, as doctests."""
    text = path.read_text("utf-8")
    parser, out = doctest.DocTestParser(), []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs: dict = {}
    count = 0
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start(1))
        test = parser.get_doctest(match.group(1), globs, path.name, str(path), line)
        count += len(test.examples)
        runner.run(test, out=out.append, clear_globs=False)
        globs = test.globs                      # DocTest copies them: carry them over
    return count, "".join(out)


def test_python_api_examples_run_as_written():
    count, failures = run_examples(DOCS / "python-api.md")
    assert count > 30
    assert failures == ""


def test_writing_a_lab_runs_as_written_and_shows_the_real_files(monkeypatch, capsys,
                                                                tmp_path):
    """docs/writing-a-lab.md: its Python examples run, its YAML blocks are the files in
    docs/labs/, and the outputs it prints are what mailsim prints."""
    from simulator.cli import main
    monkeypatch.chdir(DOCS.parent)
    guide = (DOCS / "writing-a-lab.md").read_text("utf-8")
    count, failures = run_examples(DOCS / "writing-a-lab.md")
    assert count >= 6 and failures == ""
    lab, bank = re.findall(r"^```yaml\n(.*?)^```", guide, re.DOTALL | re.MULTILINE)
    assert lab == (DOCS / "labs" / "greylist-one-sender.yaml").read_text("utf-8")
    assert bank == (DOCS / "labs" / "greylist-one-sender.bank.yaml").read_text("utf-8")
    shown = re.findall(r"^```text\n(.*?)^```", guide, re.DOTALL | re.MULTILINE)
    assert main(["run", "docs/labs/greylist-one-sender.yaml", "--lang", "en"]) == 0
    assert capsys.readouterr().out == shown[0]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my-lab.yaml").write_text(lab.replace("command: RCPT", "command: RCTP"))
    assert main(["run", "my-lab.yaml", "--lang", "en"]) == 2
    assert capsys.readouterr().err == shown[1]


def test_the_guides_bank_passes_its_own_keys():
    """The bank of docs/writing-a-lab.md: each variant's key is right, a wrong one is not
    (runs once simulator.quiz, issue 12, is installed)."""
    import pytest
    quiz = pytest.importorskip("simulator.quiz")
    bank = quiz.load_bank(str(DOCS / "labs" / "greylist-one-sender.bank.yaml"))
    waits = set()
    for student in ("s01", "s02", "s03", "s04", "s05"):
        variant = bank["greylist-delay"].variant(student=student, secret=b"guide")
        key = variant.key()
        assert key == variant.params["wait"] + 1         # the retry, plus the hops
        assert variant.check(key).correct and not variant.check(key + 30).correct
        waits.add(variant.params["wait"])
    assert len(waits) > 1
