"""The restricted expressions of a bank: ``answer``, ``checks[].expr`` and ``=expr`` options.

A teacher writes ``trace.find(command="RCPT").code`` and the quiz evaluates it
on the variant's run.  The evaluator is simpleeval's ``EvalWithCompoundTypes``
(a well-kept library that walks the AST and refuses dunder attributes, modules
and dangerous builtins), configured here so that an expression

* is one Python *expression* (``ast.parse(mode="eval")``): no statements, so no
  import and no assignment; the walrus ``:=`` is not a node simpleeval knows;
* names only :data:`NAMES` and the functions of :data:`FUNCTIONS`, plus the
  variables of its own comprehensions;
* touches no name or attribute that starts with ``_``.

:func:`check_syntax` applies the static rules when the bank loads, so a
mistake is reported with its line before any student sees the item.
"""
from __future__ import annotations

import ast
import warnings
from collections.abc import Mapping
from typing import Any

from simpleeval import EvalWithCompoundTypes, InvalidExpression

#: What an expression may read (``docs/quizzes.md``, "Expressions").
NAMES = ("trace", "result", "state", "params", "before", "student")
#: What the checks of a live task may read: they are also checked over the trace of a
#: running class, where there is no simulation result (``simulator.quiz.live``).
LIVE_NAMES = ("trace", "student", "params")
#: The functions an expression may call by name.
FUNCTIONS = {f.__name__: f for f in (len, min, max, sum, sorted, set, any, all, abs, round,
                                     int, str, list)}


class ExpressionError(ValueError):
    """An expression that cannot be used; ``reason`` says why in English (a teacher's tool)."""

    def __init__(self, expression: str, reason: str) -> None:
        super().__init__(f"{expression!r}: {reason}")
        self.expression, self.reason = expression, reason


def _bound_names(tree: ast.AST) -> set[str]:
    """The variables the expression's comprehensions bind (``x`` in ``[x for x in …]``)."""
    return {n.id for node in ast.walk(tree) if isinstance(node, ast.comprehension)
            for n in ast.walk(node.target) if isinstance(n, ast.Name)}


def _parse(expression: str) -> ast.Expression:
    """The expression's AST; ExpressionError for a syntax error and for what the parser
    only warns about.

    Python accepts ``1if x else 2`` (a SyntaxWarning) and ``"5\\.1"`` (an invalid
    escape: a DeprecationWarning, a SyntaxWarning from 3.12) and says they will become
    errors.  A warning would only be noise on the teacher's terminal, without the file
    and line that a bank error has, so they are refused like any other syntax error."""
    with warnings.catch_warnings():
        # As errors, the parser raises them as a SyntaxError with the warning's message.
        warnings.simplefilter("error", SyntaxWarning)
        warnings.simplefilter("error", DeprecationWarning)
        try:
            return ast.parse(expression.strip(), mode="eval")
        except SyntaxError as exc:
            raise ExpressionError(expression, f"not a Python expression ({exc.msg})") from None


def check_syntax(expression: str) -> ast.Expression:
    """Parse ``expression`` and apply the static rules; raise ExpressionError otherwise."""
    tree = _parse(expression)
    known = set(NAMES) | set(FUNCTIONS) | _bound_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise ExpressionError(expression, f"the name {node.id} starts with '_'")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise ExpressionError(expression, f"the attribute .{node.attr} starts with '_'")
        if isinstance(node, ast.Name) and node.id not in known:
            raise ExpressionError(expression, f"unknown name {node.id}; an expression may use "
                                  f"{', '.join(NAMES)} and {', '.join(FUNCTIONS)}")
        if isinstance(node, ast.Lambda | ast.NamedExpr | ast.Await | ast.Yield | ast.YieldFrom):
            raise ExpressionError(expression, f"{type(node).__name__} is not allowed")
    return tree


def names_read(expression: str) -> set[str]:
    """The names of :data:`NAMES` that ``expression`` reads (it must pass :func:`check_syntax`)."""
    tree = check_syntax(expression)
    bound = _bound_names(tree)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
            and n.id in NAMES and n.id not in bound}


def evaluate(expression: str, names: Mapping[str, Any]) -> Any:
    """The value of ``expression`` with ``names`` (a subset of NAMES) in scope.

    Every failure, from a syntax slip to ``None.code`` when ``find`` found
    nothing, is an ExpressionError naming the expression.
    """
    tree = check_syntax(expression)
    evaluator = EvalWithCompoundTypes(functions=dict(FUNCTIONS), names=dict(names))
    try:
        return evaluator.eval(expression, previously_parsed=tree.body)
    except InvalidExpression as exc:
        raise ExpressionError(expression, str(exc)) from None
    except (ArithmeticError, AttributeError, KeyError, IndexError, LookupError, TypeError,
            ValueError) as exc:
        raise ExpressionError(expression, f"{type(exc).__name__}: {exc}") from None
