"""A bank edited badly in any way is a BankError (file, line) or a bank — never a traceback,
and never a Python warning on the teacher's terminal."""
from __future__ import annotations

import warnings
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.quiz import BankError, load_bank_text

FIXTURE = (Path(__file__).resolve().parents[1] / "fixtures" / "quiz" / "mini.yaml").read_text(
    "utf-8")
LINES = FIXTURE.splitlines()
#: Replacements a hand-editing teacher produces: a lost colon, a wrong type, a stray quote…
#: "1if" and "\\d" are what Python parses with a warning (an invalid literal, an escape).
NOISE = ["", ":", " ", "-", "'", '"', "{", "}", "[", "]", "${", "${x}", "${user:", "${x:a|b}",
         "0", "-1", "true",
         "null", "~", "&a", "*a", "\t", "é", "type: sim", "items:", "text: 5", "1if", "\\d"]


@st.composite
def edits(draw):
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["drop", "repeat", "insert", "replace"]))
        if kind == "drop":
            del lines[i]
        elif kind == "repeat":
            lines.insert(i, lines[i])
        else:
            line = lines[i]
            at = draw(st.integers(0, len(line)))
            cut = draw(st.integers(0, 6)) if kind == "replace" else 0
            lines[i] = line[:at] + draw(st.sampled_from(NOISE)) + line[at + cut:]
    return "\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits())
def test_a_broken_bank_is_a_bank_error_with_a_place(text):
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        try:
            load_bank_text(text, "edited.yaml", "en")
        except BankError as error:
            assert error.file == "edited.yaml"
            assert str(error).startswith("edited.yaml")
    assert [w for w in shown if issubclass(w.category, SyntaxWarning)] == []
