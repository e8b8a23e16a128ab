"""The restricted expressions of a bank: what a teacher may write, and what is refused."""
from __future__ import annotations

import pytest

from simulator.network import simulate
from simulator.quiz.expr import ExpressionError, check_syntax, evaluate
from simulator.scenarios import load_builtin


@pytest.fixture(scope="module")
def names():
    result = simulate(load_builtin("bounce"))
    return {"trace": result.trace, "result": result, "state": result.to_dict(),
            "params": {"user": "nobody"}}


@pytest.mark.parametrize("expression, value", [
    ('trace.find(command="RCPT", code="5xx").code', 550),
    ('[x.code for x in trace.exchanges(command="RCPT")]', [250, 550]),
    ('len(state["mailboxes"]["alice@a.test"]["INBOX"])', 1),
    ('result.bounces[0].recipient == params["user"] + "@b.test"', True),
    ('sorted(set([x.protocol for x in trace.exchanges()]))', ["SMTP"]),
    ('max(len(s.line) for s in trace.filter(protocol="SMTP")) > 10', True),
])
def test_a_teacher_reads_the_trace_and_the_state(names, expression, value):
    assert evaluate(expression, names) == value


@pytest.mark.parametrize("expression, reason", [
    ("__import__('os').system('true')", "starts with '_'"),
    ("trace.__class__", "starts with '_'"),
    ("trace._steps", "starts with '_'"),
    ("open('/etc/passwd').read()", "unknown name open"),
    ("x = 1", "not a Python expression"),
    ("import os", "not a Python expression"),
    ("(y := 2)", "NamedExpr is not allowed"),
    ("(lambda: 1)()", "Lambda is not allowed"),
    ("eval('1')", "unknown name eval"),
    ("trace.find(", "not a Python expression"),
])
def test_anything_beyond_an_expression_is_refused(expression, reason):
    with pytest.raises(ExpressionError) as info:
        check_syntax(expression)
    assert reason in info.value.reason


def test_a_failure_while_evaluating_is_an_expression_error_not_a_traceback(names):
    with pytest.raises(ExpressionError, match="'code' does not exist"):
        evaluate('trace.find(command="VRFY").code', names)     # find gave None
    with pytest.raises(ExpressionError, match="KeyError"):
        evaluate('state["mailboxes"]["nobody@b.test"]', names)
    with pytest.raises(ExpressionError):
        evaluate('"x" * 10 ** 9', names)                        # simpleeval's size limit
