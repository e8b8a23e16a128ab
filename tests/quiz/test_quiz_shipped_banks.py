"""Every bank shipped under exercises/ loads and validates: each key passes its own check,
and a blank and a wrong answer fail, for two students' variants (issue 12)."""
from __future__ import annotations

from pathlib import Path

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
