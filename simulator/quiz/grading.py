"""Comparing a student's response with the key, one small rule per kind of answer.

These functions know nothing of banks: they take plain values and return a
score from 0 to 1, so each rule of ``docs/quizzes.md`` ("Types") is one
function that a test can call directly.
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

#: How close two floats must be to count as equal when the tolerance is 0.
EPSILON = 1e-9


def number(value: Any) -> float | None:
    """A response as a number: ``42``, ``"42"``, ``" 3,5 "`` (a decimal comma); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            parsed = float(value.strip().replace(",", "."))
        except ValueError:
            return None
        return parsed if math.isfinite(parsed) else None
    return None


def numeric_score(response: Any, key: float, tolerance: float = 0.0) -> float:
    """1 if the number is within ``tolerance`` of the key, else 0."""
    value = number(response)
    return float(value is not None and abs(value - key) <= tolerance + EPSILON)


def normal_text(value: Any, case: str = "insensitive") -> str:
    """A text as compared: NFC, surrounding and repeated spaces dropped, case folded
    unless ``case`` is ``sensitive``."""
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    return text if case == "sensitive" else text.casefold()


def text_score(response: Any, answers: Iterable[Any], case: str = "insensitive") -> float:
    """1 if the response is one of ``answers`` under the case rule; a blank is always 0."""
    if response is None or isinstance(response, bool | list | dict):
        return 0.0
    given = normal_text(response, case)
    return float(bool(given) and any(given == normal_text(a, case) for a in answers))


#: Cyrillic letters drawn like Latin ones, and the Latin letter each passes for.  A
#: student switching keyboard layouts types «САРА» for CAPA or «Х.Y.Z» and cannot see
#: the difference; the comparison maps both sides to one script so the knowledge counts.
LOOKALIKES = {"А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
              "Р": "P", "С": "C", "Т": "T", "Х": "X", "У": "Y", "а": "a", "е": "e",
              "к": "k", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
              "ј": "j", "ѕ": "s"}
_TO_LATIN = str.maketrans(LOOKALIKES)


def lookalikes_in(response: Any, answers: Iterable[Any], case: str = "insensitive") -> str:
    """The look-alike letters that alone keep ``response`` from matching one of
    ``answers`` (Cyrillic typed for Latin or the reverse), e.g. ``"С, А"``; "" if the
    response matches as typed, or differs by more than look-alikes."""
    if response is None or isinstance(response, bool | list | dict):
        return ""
    answers = list(answers)
    if text_score(response, answers, case):
        return ""
    given = normal_text(str(response).translate(_TO_LATIN), case)
    matched = [str(a) for a in answers
               if given == normal_text(str(a).translate(_TO_LATIN), case)]
    if not matched:
        return ""
    # The letters of the script the answer is not written in: Cyrillic typed into a Latin
    # answer, or Latin typed into a Cyrillic one.
    cyrillic = any("CYRILLIC" in unicodedata.name(c, "") for c in matched[0])
    strays = LOOKALIKES.values() if cyrillic else LOOKALIKES.keys()
    return ", ".join(c for c in dict.fromkeys(str(response)) if c in strays)


def same_value(a: Any, b: Any, tolerance: float = 0.0, case: str = "insensitive") -> bool:
    """Whether two computed values are the same answer: numbers within the tolerance,
    anything else as text."""
    x, y = number(a), number(b)
    if x is not None and y is not None:
        return abs(x - y) <= tolerance + EPSILON
    return normal_text(a, case) == normal_text(b, case)


def index(value: Any, size: int) -> int | None:
    """A response that names an option by its 0-based place; None if it does not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 0 <= value < size else None


def indices(value: Any, size: int) -> list[int] | None:
    """A list of option places (each valid); None for anything else."""
    if not isinstance(value, list | tuple | set | frozenset):
        return None
    found = [index(v, size) for v in value]
    return None if any(i is None for i in found) else found


def multiple_score(chosen: set[int], right: set[int]) -> float:
    """(right choices − wrong choices) / the number of right options, floored at 0."""
    good, bad = len(chosen & right), len(chosen - right)
    return max(0.0, (good - bad) / len(right))


def positions_score(given: Sequence[int] | None, key: Sequence[int]) -> float:
    """The share of places where the response has the key's value (matching, ordering)."""
    if given is None or len(given) != len(key):
        return 0.0
    return sum(1 for g, k in zip(given, key, strict=True) if g == k) / len(key)


def truth(value: Any) -> bool | None:
    """A true/false response: a bool, or a word such as ``true``, ``верно``, ``нет``."""
    if isinstance(value, bool):
        return value
    words = {"true": True, "false": False, "t": True, "f": False, "yes": True, "no": False,
             "верно": True, "неверно": False, "да": True, "нет": False,
             "правда": True, "ложь": False}
    return words.get(normal_text(value)) if isinstance(value, str) else None
