"""``mailsim quiz validate``'s check of a bank, variant by variant.

For each of N students' variants of each item the key must pass the item's
own check, and a blank and a wrong response must fail it.  A key that fails
means the bank is wrong (an ``answer`` that disagrees with the options, a task
``solution`` that does not do the task); a blank or wrong response that passes
means the check is too lenient (a tolerance as wide as the answer).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from simulator.locale import default_lang, t

from .model import Bank, Item
from .placeholders import shown
from .variant import Variant, VariantError


@dataclass(frozen=True)
class Problem:
    """One thing ``validate`` found wrong with one student's variant of one item."""

    item: str
    student: str
    code: str                       # key_fails, blank_passes, wrong_passes, variant_error
    detail: str = ""
    error: VariantError | None = None

    def message(self, lang: str | None = None) -> str:
        if self.error is not None:
            return self.error.message(lang)
        return t(f"quiz.validate.{self.code}", lang or default_lang(), item=self.item,
                 student=self.student, detail=self.detail)


def students(count: int) -> list[str]:
    """The made-up students whose variants ``validate`` tries: ``v01``, ``v02`` …"""
    width = max(2, len(str(count)))
    return [f"v{n:0{width}d}" for n in range(1, count + 1)]


def wrong_response(variant: Variant, key: Any) -> Any:
    """A response that must not pass: another option, a shifted number, a rotated order."""
    kind, ask = variant.item.type, variant.item.ask
    if kind == "task":
        return ["QUIT"]
    if ask == "single":
        return (key + 1) % len(variant.order)
    if kind == "multiple":
        return [p for p in range(len(variant.order)) if p not in key]
    if kind == "truefalse":
        return not key
    if kind in ("matching", "ordering"):
        return key[1:] + key[:1]
    if kind == "cloze":
        return {n: f"{answer}-x" for n, answer in key.items()}
    if ask == "numeric":
        return 2 * key + 1 if key >= 0 else 2 * key - 1   # a tolerance that takes it is too wide
    return f"{shown(key)}-x"


def check_variant(variant: Variant) -> Iterator[Problem]:
    """The problems of one variant (none when the bank is right)."""
    item, student = variant.item.id, variant.student
    try:
        key = variant.key()
        if not variant.check(key).correct:
            yield Problem(item, student, "key_fails", shown(key))
        if variant.check(None).score > 0:
            yield Problem(item, student, "blank_passes")
        wrong = wrong_response(variant, key)
        if variant.check(wrong).correct:
            yield Problem(item, student, "wrong_passes", shown(wrong))
    except VariantError as exc:
        yield Problem(item, student, "variant_error", error=exc)


def validate(bank: Bank, variants: int = 5, secret: bytes | str = b"",
             progress: Callable[[Item], None] | None = None) -> list[Problem]:
    """Every problem of every item for ``variants`` students; ``progress`` is called
    after each item (the CLI's progress bar)."""
    problems = []
    for item in bank:
        for student in students(variants):
            problems += check_variant(item.variant(student, secret))
        if progress is not None:
            progress(item)
    return problems
