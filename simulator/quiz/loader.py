"""Load a bank file (``docs/quizzes.md``): YAML with lines, the JSON Schema, then the rest.

A teacher writes banks by hand, so every mistake comes back as one sentence
naming the file, the line, the field and what was expected, in ru or en —
never a traceback.  The YAML is composed with the scenario loader's
:class:`~simulator.scenarios.loader_nodes.Checker` (duplicate keys, merge
keys, scalars built the YAML way, "did you mean"), turned into plain data
with the line of every value remembered, validated by the JSON Schema shipped
in the package (``bank_schema.json``, with the ``jsonschema`` library), and
then checked for what a schema cannot say: one correct option, known
placeholders, expressions that parse, fields that belong to the item's type,
inline scenarios that load.
"""
from __future__ import annotations

import json
import os
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import jsonschema
import yaml
from jsonschema.exceptions import ValidationError, best_match
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from simulator.locale import default_lang, t
from simulator.scenarios import ScenarioError, builtin_names
from simulator.scenarios.loader_nodes import Checker, line_of

from .checks import check_item
from .model import COMMON_FIELDS, TYPE_FIELDS, Bank, Item

__all__ = ["BankError", "load_bank", "load_bank_text", "schema"]

Path_ = tuple[str | int, ...]
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class BankError(ScenarioError):
    """A bank that cannot be used: ``"<file>, line N: <what>; expected <what>"``.

    ``file``, ``line`` (1-based or None), ``field`` (the path of the field at
    fault, such as ``smtp-rcpt.options[1].correct``) and ``message`` (in the
    user's language) let an editor or the CLI point at the place.
    """

    @property
    def file(self) -> str:
        return self.source

    @property
    def field(self) -> str | None:
        return self.key


class BankChecker(Checker):
    """The scenario loader's Checker, speaking ``quiz.error.*`` and raising BankError.

    A code the quiz does not define (``type``, ``missing``, ``duplicate`` …)
    is the scenario loader's own sentence, so both loaders say the same thing
    about the same YAML mistake.
    """

    def error(self, line: int | None, code: str, key: str | None = None,
              **params: Any) -> BankError:
        """``params["shown"]``, if given, is what the message calls the key (the field
        path stays in ``BankError.field``)."""
        area = "quiz" if f"quiz.error.{code}" in _quiz_keys(self.lang) else "scenario"
        shown = params.pop("shown", key)
        message = t(f"{area}.error.{code}", self.lang, key=shown, **params)
        return BankError(message, source=self.source, line=line, key=key, lang=self.lang)

    def quiz_text(self, key: str, **params: Any) -> str:
        return t(f"quiz.{key}", self.lang, **params)


@cache
def _quiz_keys(lang: str) -> frozenset[str]:
    from simulator.locale import texts
    return frozenset(k for k in texts(lang) if k.startswith("quiz.error."))


@cache
def schema() -> dict:
    """The bank JSON Schema (``simulator/quiz/bank_schema.json``)."""
    return json.loads(resources.files(__package__).joinpath("bank_schema.json").read_text("utf-8"))


class Located:
    """Plain data built from composed YAML, remembering the node of every value and key."""

    def __init__(self, checker: BankChecker) -> None:
        self.c = checker
        self.nodes: dict[Path_, Node] = {}
        self.keys: dict[Path_, Node] = {}

    def build(self, node: Node, path: Path_ = ()) -> Any:
        self.nodes[path] = node
        if isinstance(node, MappingNode):
            if path[-1:] == ("blanks",):
                node = _numbers_as_keys(node)
            out = {}
            for name, (key_node, value_node) in self.c.mapping(node, self.field(path),
                                                               self.where(path), None).items():
                self.keys[path + (name,)] = key_node
                out[name] = self.build(value_node, path + (name,))
            return out
        if isinstance(node, SequenceNode):
            return [self.build(v, path + (i,)) for i, v in enumerate(node.value)]
        return self.c.scalar(node)

    def line(self, path: Path_) -> int | None:
        while path not in self.nodes and path:
            path = path[:-1]
        return line_of(self.nodes.get(path))

    def key_line(self, path: Path_) -> int | None:
        return line_of(self.keys[path]) if path in self.keys else self.line(path)

    def field(self, path: Path_) -> str:
        """``smtp-rcpt.options[1].correct``: an item by its id, lists by index."""
        text = ""
        for i, part in enumerate(path):
            if i == 1 and path[0] == "items" and isinstance(part, int):
                text = self._item_name(part)
            elif isinstance(part, int):
                text += f"[{part}]"
            else:
                text += f".{part}" if text else str(part)
        return text

    def _item_name(self, index: int) -> str:
        """An item's id if it is a proper one and no earlier item has it, else ``items[i]``."""
        def id_of(i: int) -> Any:
            node = self.nodes.get(("items", i, "id"))
            return self.c.scalar(node) if isinstance(node, ScalarNode) else None
        name = id_of(index)
        if isinstance(name, str) and ID.match(name) \
                and all(id_of(i) != name for i in range(index)):
            return name
        return f"items[{index}]"

    def where(self, path: Path_) -> str:
        return self.field(path) or self.c.quiz_text("where.bank")

    def fail(self, path: Path_, code: str, *, at_key: bool = False, **params: Any) -> NoReturn:
        line = self.key_line(path) if at_key else self.line(path)
        raise self.c.error(line, code, key=self.field(path), **params)

    def show(self, path: Path_) -> str:
        return self.c.show(self.nodes.get(path))


def _numbers_as_keys(node: MappingNode) -> MappingNode:
    """Cloze blanks are numbered ``1:``, ``2:`` — integer keys, read as the texts "1", "2"."""
    pairs = [(ScalarNode("tag:yaml.org,2002:str", k.value, k.start_mark, k.end_mark)
              if isinstance(k, ScalarNode) and k.tag.endswith(":int") else k, v)
             for k, v in node.value]
    return MappingNode(node.tag, pairs, node.start_mark, node.end_mark, node.flow_style)


# -- loading ------------------------------------------------------------------------------

def load_bank(path: str | os.PathLike, lang: str | None = None) -> Bank:
    """Read and check the bank file at ``path``; every problem is a BankError."""
    lang = lang or default_lang()
    source = os.fspath(path)
    checker = BankChecker(source, lang)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        checker.fail(None, "bank_not_found")
    except IsADirectoryError:
        checker.fail(None, "is_directory")
    except OSError as exc:
        checker.fail(None, "unreadable", reason=exc.strerror or exc)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise checker.error(line, "not_utf8", byte=data[exc.start]) from None
    return load_bank_text(text, source, lang, folder=Path(path).parent)


def load_bank_text(text: str, source: str = "<bank>", lang: str | None = None, *,
                   folder: str | os.PathLike | None = None) -> Bank:
    """Parse and check bank YAML ``text``; ``source`` names it in errors and ``folder``
    is where scenario files named by the bank are looked up."""
    checker = BankChecker(source, lang or default_lang())
    located = Located(checker)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is None:
            checker.fail(None, "bank_empty")
        data = located.build(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise checker.error(mark.line + 1 if mark else None, "syntax",
                            problem=exc.problem or exc.context or "?") from None
    except yaml.YAMLError as exc:
        raise checker.error(None, "syntax", problem=str(exc)) from None
    if not isinstance(data, dict):
        checker.fail(root, "bank_top_level", got=checker.show(root))
    _validate(data, located)
    return _build(data, located, Path(folder) if folder is not None else None)


def _validate(data: dict, located: Located) -> None:
    """The JSON Schema; the first error by line, said in the user's language."""
    validator = jsonschema.Draft202012Validator(schema())
    errors = [_deepest(e) for e in validator.iter_errors(data)]
    if errors:
        first = min(errors, key=lambda e: (located.line(tuple(e.absolute_path)) or 0,
                                           -len(e.absolute_path)))
        _explain(first, located)


def _deepest(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf/if-then, the sub-error that says what is actually wrong."""
    while error.context:
        error = best_match(error.context)
    return error


def _explain(e: ValidationError, at: Located) -> NoReturn:
    path = tuple(e.absolute_path)
    kind, value, instance = e.validator, e.validator_value, e.instance
    if kind == "required":
        missing = next(name for name in value if name not in instance)
        item_type = instance.get("type") if isinstance(instance, dict) else None
        if item_type and missing not in ("id", "topic", "type", "text"):
            at.fail(path + (missing,), "missing_for_type", name=missing, type=item_type,
                    where=at.where(path))
        at.fail(path + (missing,), "missing", shown=missing, where=at.where(path))
    if kind == "additionalProperties":
        known = list(e.schema.get("properties", {}))
        extra = next(k for k in instance if k not in known)
        allowed = known
        if instance.get("type") in TYPE_FIELDS and "topic" in known:    # an item
            allowed = list(COMMON_FIELDS + TYPE_FIELDS[instance["type"]])
        at.fail(path + (extra,), "unknown_key", at_key=True, shown=extra,
                where=at.where(path), allowed=", ".join(allowed),
                hint=at.c.hint(extra, known))
    if kind == "type":
        kinds = value if isinstance(value, list) else [value]
        expected = at.c.quiz_text("or").join(at.c.quiz_text(f"expect.{k}") for k in kinds)
        at.fail(path, "type", expected=expected, got=at.show(path))
    if kind == "enum":
        at.fail(path, "choice", allowed=", ".join(map(str, value)), got=at.show(path))
    if kind == "pattern":
        shape = "id" if "a-z0-9-" in value else ("param" if "_" in value else "blank")
        if isinstance(instance, str) and path + (instance,) in at.keys:  # propertyNames
            at.fail(path + (instance,), f"pattern_{shape}", at_key=True, got=f"'{instance}'")
        at.fail(path, f"pattern_{shape}", got=at.show(path))
    if kind in ("minItems", "maxItems", "minProperties", "minLength"):
        at.fail(path, kind.lower(), count=value, got=at.show(path))
    if kind in ("minimum", "exclusiveMinimum"):
        at.fail(path, kind.lower(), limit=value, got=at.show(path))
    at.fail(path, "schema", detail=e.message)


def _build(data: dict, at: Located, folder: Path | None) -> Bank:
    bank_id = data["bank"]
    items, seen = [], {}
    for i, raw in enumerate(data["items"]):
        path: Path_ = ("items", i)
        if raw["id"] in seen:
            at.fail(path + ("id",), "duplicate_id", got=f"'{raw['id']}'", first=seen[raw["id"]])
        seen[raw["id"]] = at.line(path + ("id",))
        scenario = _scenario(raw, path, at, folder)
        item = Item(bank=bank_id, id=raw["id"], type=raw["type"], topic=raw["topic"],
                    points=float(raw.get("points", 1)), data=raw, source=at.c.source,
                    line=at.line(path), scenario=scenario)
        check_item(item, path, at)
        items.append(item)
    return Bank(id=bank_id, title=data["title"], items=tuple(items), source=at.c.source,
                description=data.get("description", {}))


def _scenario(raw: dict, path: Path_, at: Located, folder: Path | None) -> str | Node | None:
    """A built-in name, a scenario file next to the bank, or an inline scenario's node."""
    if "scenario" not in raw:
        return None
    value = raw["scenario"]
    if isinstance(value, dict):
        return at.nodes[path + ("scenario",)]
    if value in builtin_names():
        return value
    if value.endswith((".yaml", ".yml")):
        file = (folder or Path(".")) / value
        if not file.is_file():
            at.fail(path + ("scenario",), "scenario_file", got=f"'{value}'")
        return str(file)
    names = builtin_names()
    at.fail(path + ("scenario",), "unknown_scenario_name", got=f"'{value}'",
            hint=at.c.hint(value, names), allowed=", ".join(names))
