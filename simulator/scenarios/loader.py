"""Load scenario files (``docs/scenarios.md``) into the frozen model, checking every field.

A teacher or a student writes these files by hand, so a mistake must come back
as one sentence that names the file, the line and what was expected — never a
traceback.  That is why the YAML is *composed* (``yaml.compose``) rather than
loaded: composed nodes keep their ``start_mark`` and every error can point at
the line of the offending key or value.  Scalars are then built with PyYAML's
own SafeLoader constructor, so ``42``, ``true`` and timestamps mean exactly what
YAML says they mean.
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import yaml

from simulator.locale import default_lang, t
from simulator.scenarios.loader_nodes import Checker, ScenarioError
from simulator.scenarios.loader_sections import build_scenario
from simulator.scenarios.model import Scenario

__all__ = ["ScenarioError", "builtin_names", "load", "load_builtin", "load_file", "load_text"]


def load_text(text: str, source: str = "<scenario>", lang: str | None = None) -> Scenario:
    """Parse and check scenario YAML ``text``; ``source`` names it in error messages."""
    checker = Checker(source, lang or default_lang())
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is None:
            checker.fail(None, "empty")
        return build_scenario(checker, root)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, checker) from None
    except yaml.YAMLError as exc:      # unmarked: rare, but still no traceback
        raise checker.error(None, "syntax", problem=str(exc)) from None


def _syntax_error(exc: yaml.MarkedYAMLError, checker: Checker) -> ScenarioError:
    """A YAML syntax error at the problem's line, naming where the construct began.

    PyYAML often notices an unclosed ``[`` or quote lines later, so the line
    where the broken construct started (the context mark) is worth showing.
    """
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    problem = exc.problem or exc.context or "?"
    context = exc.context_mark
    if exc.problem and context is not None and context.line + 1 != line:
        problem += t("scenario.error.syntax_context", checker.lang, line=context.line + 1)
    return checker.error(line, "syntax", problem=problem)


def load_file(path: str | os.PathLike, lang: str | None = None) -> Scenario:
    """Read a scenario file; a missing, unreadable or non-UTF-8 file is a ScenarioError."""
    lang = lang or default_lang()
    source = os.fspath(path)
    checker = Checker(source, lang)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        checker.fail(None, "not_found")
    except IsADirectoryError:
        checker.fail(None, "is_directory")
    except OSError as exc:
        checker.fail(None, "unreadable", reason=exc.strerror or exc)
    return load_text(_decode(data, checker), source, lang)


def _decode(data: bytes, checker: Checker) -> str:
    """UTF-8 (a BOM is tolerated); otherwise an error on the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise checker.error(line, "not_utf8", byte=data[exc.start]) from None


def _builtin_root():
    """The folder of the built-in scenarios (package data of ``simulator.scenarios``)."""
    return resources.files("simulator.scenarios")


def builtin_names() -> list[str]:
    """Names of the built-in scenarios (``simulator/scenarios/*.yaml``), sorted."""
    root = _builtin_root()
    return sorted(e.name[:-5] for e in root.iterdir() if e.name.endswith(".yaml"))


def load_builtin(name: str, lang: str | None = None) -> Scenario:
    """Load the built-in scenario ``name`` (see :func:`builtin_names`)."""
    if name not in builtin_names():
        raise _unknown(name, lang or default_lang())
    entry = _builtin_root().joinpath(f"{name}.yaml")
    return load_text(entry.read_text("utf-8"), f"scenarios/{name}.yaml", lang)


def load(name_or_path: str, lang: str | None = None) -> Scenario:
    """An existing file path, else a built-in name; anything else is a ScenarioError.

    A name that looks like a path (it has a folder or ends in .yaml/.yml) but
    does not exist is reported as a missing file, because that is what the
    user most likely meant.
    """
    lang = lang or default_lang()
    if os.path.exists(name_or_path):
        return load_file(name_or_path, lang)
    if name_or_path in builtin_names():
        return load_builtin(name_or_path, lang)
    if _looks_like_path(name_or_path):
        return load_file(name_or_path, lang)
    raise _unknown(name_or_path, lang)


def _looks_like_path(text: str) -> bool:
    return os.sep in text or "/" in text or text.endswith((".yaml", ".yml"))


def _unknown(name: str, lang: str) -> ScenarioError:
    names = builtin_names()
    if not names:
        return ScenarioError(t("scenario.error.no_builtins", lang, name=name),
                             source="", lang=lang)
    return ScenarioError(t("scenario.error.unknown_scenario", lang, name=name,
                           allowed=", ".join(names)), source="", lang=lang)
