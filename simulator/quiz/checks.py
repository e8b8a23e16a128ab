"""What the bank schema cannot say, checked when a bank loads.

Each rule raises the loader's BankError at the line of the field at fault:
fields that do not belong to the item's type, the number of correct options,
parameter specs, ``${name}`` placeholders without a parameter, expressions
that do not parse or use unknown names, cloze blanks that do not match, and
inline scenarios that do not load with a sample variant's values.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from simulator.scenarios import ScenarioError, load

from . import expr, params
from .model import COMMON_FIELDS, TYPE_FIELDS, Item
from .placeholders import fill, has_plural, names_in
from .runs import scenario_of

if TYPE_CHECKING:   # pragma: no cover
    from .loader import Located

Path_ = tuple[str | int, ...]
#: A cloze blank in a transcript: ``{1:___}``.
BLANK = re.compile(r"\{([1-9][0-9]*):_+\}")


def check_item(item: Item, path: Path_, at: Located) -> None:
    """Every load-time rule for one item (the schema has passed)."""
    data = item.data
    allowed = COMMON_FIELDS + TYPE_FIELDS[item.type]
    for name in data:
        if name not in allowed:
            at.fail(path + (name,), "not_for_type", at_key=True, type=item.type,
                    allowed=", ".join(allowed))
    _params(data.get("params", {}), path + ("params",), at)
    _placeholders(data, path, at, set(data.get("params", {})))
    _options(item, path, at)
    _answers(item, path, at)
    _expressions(item, path, at)
    if item.type == "cloze":
        _cloze(item, path, at)
    if item.data.get("live"):
        _live(item, path, at)
    if item.scenario is not None:
        _scenario_loads(item, path, at)


def _params(specs: dict, path: Path_, at: Located) -> None:
    for name, spec in specs.items():
        kinds = [k for k in ("choice", "range", "sample") if k in spec]
        if len(kinds) != 1:
            at.fail(path + (name,), "param_kind")
        if "step" in spec and "range" not in spec:
            at.fail(path + (name, "step"), "param_extra", at_key=True, kind=kinds[0])
        if "k" in spec and "sample" not in spec:
            at.fail(path + (name, "k"), "param_extra", at_key=True, kind=kinds[0])
        if "range" in spec and spec["range"][0] > spec["range"][1]:
            at.fail(path + (name, "range"), "param_range", got=at.show(path + (name, "range")))
        if "sample" in spec and spec.get("k", 1) > len(spec["sample"]):
            at.fail(path + (name, "k"), "param_k", count=len(spec["sample"]), k=spec["k"])


def _placeholders(data: Any, path: Path_, at: Located, known: set[str]) -> None:
    """Every ``${name}`` in every string — mapping keys too, which a scenario's run fills
    as well — names a parameter (``params`` itself excepted)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if path[-1:] != ("params",) and not (len(path) == 2 and key == "params"):
                if isinstance(key, str):
                    _placeholders_in(key, path + (key,), at, known, at_key=True)
                _placeholders(value, path + (key,), at, known)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            _placeholders(value, path + (i,), at, known)
    elif isinstance(data, str):
        _placeholders_in(data, path, at, known)


def _placeholders_in(text: str, path: Path_, at: Located, known: set[str], *,
                     at_key: bool = False) -> None:
    """One string's placeholders: well formed, plural forms only in a ru/en text, known."""
    where = {"at_key": True} if at_key else {}
    try:
        names = names_in(text)
    except ValueError:
        at.fail(path, "placeholder_syntax", got=text if at_key else at.show(path), **where)
    if has_plural(text) and path[-1:] not in (("ru",), ("en",)):
        at.fail(path, "placeholder_plural", got=text if at_key else at.show(path), **where)
    for name in names:
        if name not in known:
            at.fail(path, "placeholder_unknown", name=name,
                    allowed=", ".join(sorted(known)) or "—",
                    hint=at.c.hint(name, sorted(known)), **where)


def _options(item: Item, path: Path_, at: Located) -> None:
    options = item.data.get("options")
    if options is None:
        if item.type == "sim" and item.data["ask"] == "single":
            at.fail(path, "missing_for_type", name="options", type="sim (ask: single)",
                    where=at.where(path))
        return
    if item.type == "sim":
        if item.data["ask"] != "single":
            at.fail(path + ("options",), "not_for_type", at_key=True,
                    type=f"sim (ask: {item.data['ask']})", allowed="ask: single")
        for i, option in enumerate(options):
            if "correct" in option:
                at.fail(path + ("options", i, "correct"), "sim_correct", at_key=True)
        return
    right = sum(1 for o in options if o.get("correct"))
    if item.type == "single" and right != 1:
        at.fail(path + ("options",), "single_correct", count=right)
    if item.type == "multiple" and right < 1:
        at.fail(path + ("options",), "multiple_correct")


def _answers(item: Item, path: Path_, at: Located) -> None:
    data = item.data
    if item.type == "short" and ("answers" in data) == ("answer" in data):
        at.fail(path, "short_answers", where=at.where(path))
    if item.type == "numeric" and isinstance(data["answer"], bool):
        at.fail(path + ("answer",), "type", expected=at.c.quiz_text("expect.number"),
                got=at.show(path + ("answer",)))
    if item.type == "task" and not data["solution"]:
        at.fail(path + ("solution",), "minitems", count=1, got=at.show(path + ("solution",)))


def expressions_of(item: Item) -> list[tuple[Path_, str]]:
    """(relative path, expression) of every expression the item holds."""
    data, found = item.data, []
    if isinstance(data.get("answer"), str) and item.type in ("numeric", "short", "sim"):
        found.append((("answer",), data["answer"]))
    for i, check in enumerate(data.get("checks", ())):
        found.append((("checks", i, "expr"), check["expr"]))
    if item.type == "sim":
        for i, option in enumerate(data.get("options", ())):
            text = option["text"]
            if isinstance(text, str) and text.startswith("="):
                found.append((("options", i, "text"), text[1:]))
    return found


def _expressions(item: Item, path: Path_, at: Located) -> None:
    for rel, source in expressions_of(item):
        try:
            expr.check_syntax(fill(source, sample_params(item)))
        except expr.ExpressionError as exc:
            at.fail(path + rel, "expression", reason=exc.reason)


def _live(item: Item, path: Path_, at: Located) -> None:
    """A live task's checks also run over a class's live trace: ``trace``, ``student`` and
    ``params`` are all there is (no simulation result, no state)."""
    for i, check in enumerate(item.data["checks"]):
        source = fill(check["expr"], sample_params(item))
        extra = sorted(expr.names_read(source) - set(expr.LIVE_NAMES))
        if extra:
            at.fail(path + ("checks", i, "expr"), "live_names", names=", ".join(extra),
                    allowed=", ".join(expr.LIVE_NAMES))


def sample_params(item: Item) -> dict[str, Any]:
    """Each parameter's first value: what load-time checks fill placeholders with."""
    return {name: params.first(spec) for name, spec in item.params.items()}


def _cloze(item: Item, path: Path_, at: Located) -> None:
    data = item.data
    if "transcript" in data:
        if "scenario" in data or "blank" in data or "blanks" not in data:
            at.fail(path, "cloze_fields", where=at.where(path))
        numbers = sorted({int(n) for n in BLANK.findall(data["transcript"])})
        declared = sorted(int(n) for n in data["blanks"])
        if not numbers:
            at.fail(path + ("transcript",), "cloze_no_blank")
        if numbers != declared:
            at.fail(path + ("blanks",), "cloze_numbers", written=", ".join(map(str, numbers)),
                    declared=", ".join(map(str, declared)))
    elif "scenario" not in data or "blank" not in data or "blanks" in data:
        at.fail(path, "cloze_fields", where=at.where(path))


def _scenario_loads(item: Item, path: Path_, at: Located) -> None:
    """A scenario file must load, an inline one with a sample of the parameters."""
    spec = item.scenario
    if isinstance(spec, str):
        if spec.endswith((".yaml", ".yml")):
            try:
                load(spec, at.c.lang)
            except ScenarioError as exc:
                at.fail(path + ("scenario",), "scenario_broken", reason=str(exc))
        return
    scenario_of(spec, sample_params(item), 0, at.c)
