"""Live tasks (docs/quizzes.md, "Live tasks"): what their checks may read, and what they see
in a console session — the session's own connections and the account it logged in as."""
from __future__ import annotations

import pytest

from simulator.quiz import BankError, load_bank_text

TASK = """
bank: live-test
title: {{ru: Живое, en: Live}}
items:
  - id: sent
    topic: smtp
    type: task
    live: true
    text: {{ru: Отправьте письмо, en: Send a message}}
    scenario: basic
    protocol: SUBMISSION
    checks:
      - expr: >-
          {expr}
    solution:
      - EHLO pc
      - AUTH PLAIN AGFsaWNlAGFsaWNlLXB3
      - MAIL FROM:<alice@a.test>
      - RCPT TO:<alice@a.test>
      - DATA
      - "Subject: hi"
      - ""
      - hi
      - "."
      - QUIT
"""


def bank(expr: str):
    return load_bank_text(TASK.format(expr=expr), "live.yaml", "en")


def test_a_live_check_may_not_read_the_simulation_state():
    with pytest.raises(BankError) as error:
        bank("'x' in state['mailboxes']")
    assert error.value.line == 13 and "only trace, student, params" in str(error.value)


def test_in_a_console_a_live_task_sees_only_the_students_own_connection():
    # The basic scenario's own client already submitted a message with AUTH on 587:
    # that is not the student's doing.
    task = bank('trace.find(command="DATA", code=250) is not None and '
                'student == "alice@a.test"')["sent"].variant("s01")
    assert task.check(["EHLO pc", "QUIT"]).score == 0
    assert task.check(task.key()).correct
