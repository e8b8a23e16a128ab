"""Every bank shipped under exercises/ loads and validates: each key passes its own check,
and a blank and a wrong answer fail, for two students' variants (issue 12)."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from simulator.cli import main

EXERCISES = Path(__file__).resolve().parents[2] / "exercises"
BANKS = sorted(EXERCISES.rglob("*.yaml"))


def test_the_banks_are_there():
    assert len(BANKS) >= 6


@pytest.mark.parametrize("bank", BANKS, ids=lambda p: str(p.relative_to(EXERCISES)))
def test_mailsim_quiz_validate_passes_on_a_shipped_bank(bank, capsys):
    assert main(["quiz", "validate", str(bank), "--variants", "2", "--lang", "en"]) == 0, \
        capsys.readouterr().out
    assert "every key passes its own check" in capsys.readouterr().out


# Items whose question names the candidates on purpose: which of them is right is the
# point of the question, so the key appears in the text beside the wrong ones.
NAMES_THE_CANDIDATES = {
    "lab16-q6-backup-mx": "names both MX hosts; the student finds which one takes the mail",
}
SECRET = "course secret"


def _forms(variant) -> list[str]:
    """The written forms of a text or number key a student could copy from the bundle."""
    if variant.item.ask not in ("short", "numeric"):
        return []
    key = variant.key()
    forms = {str(key)} | ({str(int(key))} if isinstance(key, float) and key.is_integer() else set())
    return [f for f in forms if len(f) >= 3]        # "2" or "A2" are in many a text by chance


def _secrets(item, lang: str) -> list[str]:
    """What only the teacher may read: feedback texts, solutions, checks, the answer."""
    data = item.data
    notes = [data.get("feedback", {}).get(k, {}).get(lang) for k in ("correct", "wrong")]
    notes += [o["feedback"][lang] for o in data.get("options", ()) if "feedback" in o]
    notes += [c.get("expr") for c in data.get("checks", ())]
    notes += [data.get("answer")] + [" ".join(map(str, data["solution"]))
                                     if "solution" in data else None]
    return [n for n in notes if isinstance(n, str) and len(n) >= 3]


@pytest.mark.parametrize("bank", BANKS, ids=lambda p: str(p.relative_to(EXERCISES)))
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_shipped_banks_exam_bundle_holds_no_answer(bank, lang, tmp_path, monkeypatch):
    """Issue 12: an exam bundle holds texts and parameters only. Every item of every shipped
    bank, for three students: no feedback, solution, check or answer expression anywhere in
    the bundle, and no text or number key written in its own question."""
    monkeypatch.setenv("MAILSIM_QUIZ_SECRET", SECRET)
    from simulator.quiz import load_bank
    items = list(load_bank(bank, lang))
    for student in ("s01", "s02", "s03"):
        out = tmp_path / f"{student}.ipynb"
        assert main(["quiz", "render", str(bank), "--student", student, "--mode", "exam",
                     "-o", str(out), "--lang", lang]) == 0
        notebook = nbformat.reads(out.read_text("utf-8"), as_version=4)
        bundle = "\n".join(cell.source for cell in notebook.cells)
        for item in items:
            variant = item.variant(student, SECRET)
            question = variant.text(lang)
            assert question in bundle, item.id
            for secret in _secrets(item, lang):
                assert secret not in bundle, (item.id, secret)
            if item.id in NAMES_THE_CANDIDATES:
                continue
            for form in _forms(variant):
                assert not re.search(rf"(?<![\w.]){re.escape(form)}(?![\w.])", question), \
                    (item.id, student, form, question)
