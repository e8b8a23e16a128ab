"""A loaded bank: its items as checked data, each able to make a student's variant.

The loader (:mod:`simulator.quiz.loader`) builds these from YAML; nothing here
reads files.  An item keeps its fields as the plain, schema-checked data of
the file (``Item.data``), because every type reads different fields and the
variant fills their placeholders as a whole.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import Node

#: The item types of docs/quizzes.md, "Types".
TYPES = ("single", "multiple", "truefalse", "numeric", "short", "matching", "ordering",
         "cloze", "sim", "task")
#: The fields every item may have, and those each type adds.
COMMON_FIELDS = ("id", "topic", "type", "points", "text", "params", "feedback")
TYPE_FIELDS = {
    "single": ("options", "shuffle"),
    "multiple": ("options", "shuffle"),
    "truefalse": ("correct",),
    "numeric": ("answer", "tolerance", "scenario"),
    "short": ("answers", "answer", "case", "scenario"),
    "matching": ("pairs",),
    "ordering": ("sequence",),
    "cloze": ("transcript", "blanks", "scenario", "blank", "case"),
    "sim": ("scenario", "answer", "ask", "options", "shuffle", "tolerance", "case"),
    "task": ("scenario", "protocol", "host", "checks", "solution", "live"),
}
#: The student's response to each type (and to ``sim`` by its ``ask``), for docs and errors.
RESPONSES = {
    "single": "int", "multiple": "list[int]", "truefalse": "bool", "numeric": "float",
    "short": "str", "matching": "list[int]", "ordering": "list[int]",
    "cloze": "dict[str, str]", "task": "list[str]",
}


@dataclass(frozen=True)
class Item:
    """One question of a bank, as the teacher wrote it (placeholders not yet filled).

    ``data`` holds the item's fields as the schema checked them; ``scenario``
    is a built-in name, the path of a scenario file, or the composed YAML node
    of an inline scenario (kept as a node so its errors name the bank's lines).
    """

    bank: str
    id: str
    type: str
    topic: str
    points: float
    data: Mapping[str, Any]
    source: str = "<bank>"
    line: int | None = None
    scenario: str | Node | None = None

    @property
    def params(self) -> Mapping[str, Mapping[str, Any]]:
        return self.data.get("params", {})

    @property
    def ask(self) -> str:
        """How the student answers: the type itself, or a ``sim`` item's ``ask``."""
        return self.data["ask"] if self.type == "sim" else self.type

    def variant(self, student: str = "practice", secret: bytes | str = b""):
        """The student's variant (``docs/quizzes.md``, "Variants"): the same for the same
        student and secret, seeded by HMAC-SHA256 over (student, bank, item)."""
        from .variant import Variant
        return Variant(self, student, secret)


@dataclass(frozen=True)
class Bank:
    """A bank: its id, title and items in file order; ``bank[item_id]`` finds one."""

    id: str
    title: Mapping[str, str]
    items: tuple[Item, ...]
    source: str = "<bank>"
    description: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def ids(self) -> list[str]:
        return [item.id for item in self.items]
