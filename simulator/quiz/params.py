"""Parameters of a generated item (``docs/quizzes.md``, "Parameters and placeholders").

Each variant draws its values from ``random.Random`` streams seeded by the
HMAC of the student and the item, so the draw is the same every time.
"""
from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any


def _number(spec: Mapping[str, Any], index: int) -> Any:
    low, step = spec["range"][0], spec.get("step", 1)
    value = low + index * step
    return value if isinstance(value, int) else round(value, 10)


def _count(spec: Mapping[str, Any]) -> int:
    """How many numbers a range holds, both ends included."""
    low, high = spec["range"]
    return round((high - low) / spec.get("step", 1)) + 1


def first(spec: Mapping[str, Any]) -> Any:
    """The parameter's first value (the low end, the first choice, the first k of a sample)."""
    if "sample" in spec:
        return list(spec["sample"][:spec.get("k", 1)])
    if "choice" in spec:
        return spec["choice"][0]
    return _number(spec, 0)


def draw(spec: Mapping[str, Any], rng: random.Random) -> Any:
    """One value of the parameter ``spec``: a choice, a number of the range, or a sample."""
    if "sample" in spec:
        return rng.sample(list(spec["sample"]), spec.get("k", 1))
    if "choice" in spec:
        return rng.choice(list(spec["choice"]))
    return _number(spec, rng.randrange(_count(spec)))


def draw_all(specs: Mapping[str, Mapping[str, Any]], seed: bytes) -> dict[str, Any]:
    """Every parameter, each from its own stream (``seed`` + its name), so adding or
    removing a parameter leaves the others' values of every student's variant as they were."""
    return {name: draw(spec, random.Random(seed + b"param:" + name.encode()))
            for name, spec in specs.items()}
