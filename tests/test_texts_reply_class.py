"""An explanation never contradicts the reply it stands beside (issue 19, build 4).

For every built-in scenario, every server reply with an explanation is
classified by its code — SMTP 2xx/3xx/4xx/5xx, POP3 +OK/-ERR, POP2 +/-, IMAP
tagged OK/NO/BAD — and its ru and en texts (with their notes) must not say the
opposite: no "accepted" beside a 5xx, no "permanent" beside a 4xx, no
"temporary" beside a 5xx, no "refused" beside a success.
"""
import re

import pytest

from simulator.locale import explain
from simulator.network import simulate
from simulator.scenarios import builtin_names, load

PERMANENT_FAILURE = {"en": r"permanent (?:failure|error)|refused permanently|permanently refused",
                     "ru": r"постоянная ошибка|отказ навсегда"}
SUCCESS = {"en": r"\brefus|\breject|\bfailed\b|\bdenied|" + PERMANENT_FAILURE["en"],
           "ru": r"отказ|отверг|не удалось|" + PERMANENT_FAILURE["ru"]}
REFUSAL = {"en": r"\bsucceed|\bsuccess|(?:server|it) (?:has )?accepted|\blogged in\b",
           "ru": r"успешн|выполнен\b|(?:сервер|он) принял"}
FORBIDDEN = {
    "success": SUCCESS,
    "more": {"en": r"\brefus|\breject|" + PERMANENT_FAILURE["en"],
             "ru": r"отказ|отверг|" + PERMANENT_FAILURE["ru"]},
    "transient": {"en": PERMANENT_FAILURE["en"] + r"|pointless to retry",
                  "ru": PERMANENT_FAILURE["ru"] + r"|повторять бессмысленно"},
    "permanent": {"en": REFUSAL["en"] + r"|\btransient|\btemporar|try again later",
                  "ru": REFUSAL["ru"] + r"|временн|повторит попытку позже"},
    "refusal": REFUSAL,
}


def reply_class(step) -> str | None:
    """The class of a server reply, or None for data lines and client lines."""
    line, protocol = step.line, step.protocol
    if step.direction != "s2c":
        return None
    if protocol == "SMTP" and re.match(r"\d{3}[ -]", line):
        return {"2": "success", "3": "more", "4": "transient", "5": "permanent"}[line[0]]
    if protocol in ("POP3", "POP2") and line[:1] in "+-":
        return "success" if line.startswith("+") else "refusal"
    if protocol == "IMAP" and not line.startswith(("*", "+")):
        word = (line.split() + ["", ""])[1]
        return {"OK": "success", "NO": "refusal", "BAD": "refusal"}.get(word)
    return None


def shown_replies():
    for name in builtin_names():
        for step in simulate(load(name)).trace.steps:
            kind = reply_class(step)
            if kind and step.explain:
                yield name, step, kind


REPLIES = list(shown_replies())


def test_every_class_of_reply_is_covered():
    assert {kind for _, _, kind in REPLIES} >= {"success", "more", "transient", "permanent",
                                                "refusal"}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_no_explanation_contradicts_its_reply_class(lang):
    wrong = []
    for name, step, kind in REPLIES:
        text = explain(step.explain, step.params, lang)
        found = re.search(FORBIDDEN[kind][lang], text, re.IGNORECASE)
        if found:
            wrong.append((name, step.line, step.explain, found.group(0)))
    assert wrong == []


@pytest.mark.parametrize("kind, lang, text", [
    ("permanent", "en", "The server accepted the message."),
    ("permanent", "ru", "Ошибка временная — клиент повторит попытку позже."),
    ("transient", "en", "The address is refused permanently."),
    ("success", "ru", "Сервер отверг адрес."),
])
def test_the_check_catches_a_contradiction(kind, lang, text):
    assert re.search(FORBIDDEN[kind][lang], text, re.IGNORECASE)
