"""Grading exam response files: each student's variant checked, a CSV and a summary.

A file is graded only if its signature is the student's (``responses.verify``)
and it answers this bank; any other file is set aside with the reason, so one
edited file never changes another student's grade.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .model import Bank
from .responses import ResponseError, verify


@dataclass
class Graded:
    """One student's grade: points per item (``item.points`` × score) and the total."""

    student: str
    source: str
    points: dict[str, float] = field(default_factory=dict)
    correct: dict[str, bool] = field(default_factory=dict)
    answered: dict[str, bool] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.points.values())


@dataclass(frozen=True)
class Rejected:
    """A response file that was not graded; ``error`` says why (``quiz.responses.*``)."""

    source: str
    error: ResponseError


@dataclass(frozen=True)
class ItemSummary:
    """How one question went: answered, fully correct, and the mean share of its points."""

    item: str
    answered: int
    correct: int
    mean: float                     # 0 … 1


@dataclass
class Report:
    graded: list[Graded]
    rejected: list[Rejected]
    summary: list[ItemSummary]

    def csv(self, bank: Bank) -> str:
        """``student, <item ids…>, total``: one row per graded file, points rounded to 0.01."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["student", *bank.ids, "total"])
        for row in sorted(self.graded, key=lambda g: g.student):
            writer.writerow([row.student, *(_round(row.points.get(i, 0.0)) for i in bank.ids),
                             _round(row.total)])
        return out.getvalue()


def _round(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))


def read(path: str | Path) -> object:
    """A response file's JSON; ResponseError if it cannot be read or is not JSON."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResponseError("missing_file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResponseError("unreadable", reason=str(exc)) from None
    except json.JSONDecodeError as exc:
        raise ResponseError("not_json", line=exc.lineno, reason=exc.msg) from None


def grade_one(bank: Bank, document: dict, secret: bytes | str, source: str) -> Graded:
    """Check every item of the bank against the student's variant (a missing answer is 0)."""
    student = document["student"]
    row = Graded(student, source)
    for item in bank:
        response = document["responses"].get(item.id)
        check = item.variant(student, secret).check(response)
        row.points[item.id] = item.points * check.score
        row.correct[item.id] = check.correct
        row.answered[item.id] = response not in (None, "", [], {})
    return row


def grade(bank: Bank, files: Iterable[str | Path], secret: bytes | str,
          progress: Callable[[str], None] | None = None) -> Report:
    """Grade every file; a bad, tampered or foreign file is rejected, the rest graded."""
    graded, rejected, seen = [], [], {}
    for path in files:
        source = str(path)
        try:
            document = verify(read(path), secret)
            if document["bank"] != bank.id:
                raise ResponseError("other_bank", bank=document["bank"], expected=bank.id)
            if document["student"] in seen:
                raise ResponseError("twice", student=document["student"],
                                    first=seen[document["student"]])
            seen[document["student"]] = source
            graded.append(grade_one(bank, document, secret, source))
        except ResponseError as exc:
            rejected.append(Rejected(source, exc))
        if progress is not None:
            progress(source)
    return Report(graded, rejected, summarize(bank, graded))


def summarize(bank: Bank, graded: list[Graded]) -> list[ItemSummary]:
    summary = []
    for item in bank:
        scores = [row.points[item.id] / item.points for row in graded]
        summary.append(ItemSummary(item.id, sum(1 for row in graded if row.answered[item.id]),
                                   sum(1 for row in graded if row.correct[item.id]),
                                   sum(scores) / len(scores) if scores else 0.0))
    return summary
