"""A student's variant of an item: the values, the order, the scenario run, the key, the check.

``HMAC-SHA256(secret, student "\\0" bank "\\0" item)`` seeds everything a
variant decides (``docs/quizzes.md``, "Variants"): each parameter's value
(one stream per parameter), the order of options, and the seed of the
scenario's run (queue ids, message ids).  The same student and secret always
give the same variant; the teacher regenerates any student's from the secret.
"""
from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from simulator.locale import LANGUAGES, default_lang, t
from simulator.scenarios import Scenario, ScenarioError
from simulator.scenarios.loader_nodes import Checker

from . import grading, runs
from .cloze import ClozeError, blanks_in, cut_blanks
from .expr import ExpressionError, evaluate
from .params import draw_all
from .placeholders import fill_all, shown

if TYPE_CHECKING:   # pragma: no cover
    from simulator.network import SimulationResult
    from simulator.network.interactive import SimulatedSession

    from .model import Item

#: At most this many commands of a task response are sent (a response is data from outside).
MAX_COMMANDS = 200
#: Reshuffles tried so that an ordering item is not shown already in order.
_SHUFFLES = 20


class VariantError(ValueError):
    """A variant whose key cannot be made (an expression failed, no option matches).

    ``code`` and ``params`` name a ``quiz.variant.*`` text; :meth:`message` says it
    in a language.  ``validate`` reports these for the teacher.
    """

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(self.message("en"))

    def message(self, lang: str | None = None) -> str:
        """The text in ``lang``; a parameter that is a function of the language (a
        scenario's own error) is said in that language too."""
        lang = lang or default_lang()
        params = {k: v(lang) if callable(v) else v for k, v in self.params.items()}
        return t(f"quiz.variant.{self.code}", lang, **params)


def seed_of(secret: bytes | str, student: str, bank: str, item: str) -> bytes:
    """The 32-byte HMAC-SHA256 digest that seeds one student's variant of one item."""
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    message = f"{student}\x00{bank}\x00{item}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def text_in(text: Any, lang: str) -> str:
    """A bank text in ``lang``: a ``{ru, en}`` mapping, or one text for both."""
    return text[lang] if isinstance(text, Mapping) else shown(text)


class Check:
    """The outcome of checking one response: a score and what to tell the student."""

    def __init__(self, score: float, notes: Sequence[Mapping[str, str]] = ()) -> None:
        self.score = max(0.0, min(1.0, float(score)))
        self.notes = list(notes)

    @property
    def correct(self) -> bool:
        return self.score >= 1.0 - grading.EPSILON

    def feedback(self, lang: str | None = None) -> str:
        """Every note in ``lang``, one per line (option feedback, then the item's)."""
        lang = lang or default_lang()
        return "\n".join(text_in(note, lang) for note in self.notes)

    def __repr__(self) -> str:
        return f"<Check score={self.score:.2f}>"


def _said(key: str, **params: Any) -> dict[str, str]:
    """A ``quiz.check.*`` text in both languages, as a note."""
    return {lang: t(f"quiz.check.{key}", lang, **params) for lang in LANGUAGES}


class Variant:
    """One student's version of an item (``item.variant(student, secret)``)."""

    def __init__(self, item: Item, student: str = "practice",
                 secret: bytes | str = b"") -> None:
        self.item, self.student = item, student
        self.digest = seed_of(secret, student, item.bank, item.id)
        #: the parameter values, e.g. ``{"user": "nemo"}``
        self.params: dict[str, Any] = draw_all(item.params, self.digest)
        self.data: dict[str, Any] = fill_all(
            {k: v for k, v in item.data.items() if k not in ("params", "scenario")},
            self.params)
        #: the seed of the variant's scenario run
        self.seed = int.from_bytes(self.digest[:4], "big")
        self.order = self._order()

    def __repr__(self) -> str:
        return f"<Variant {self.item.bank}/{self.item.id} of {self.student} {self.params}>"

    # -- what the student sees -----------------------------------------------------------
    def _order(self) -> list[int]:
        """The places of options / rights / sequence items as the student sees them."""
        rng = random.Random(self.digest + b"order")
        kind, data = self.item.type, self.data
        if kind in ("single", "multiple", "sim") and "options" in data:
            order = list(range(len(data["options"])))
            if data.get("shuffle", True):
                rng.shuffle(order)
            return order
        if kind == "matching":
            order = list(range(len(data["pairs"])))
            rng.shuffle(order)
            return order
        if kind == "ordering":
            order = list(range(len(data["sequence"])))
            for _ in range(_SHUFFLES):
                rng.shuffle(order)
                if order != sorted(order):
                    break
            else:
                order = order[1:] + order[:1]
            return order
        return []

    def text(self, lang: str | None = None) -> str:
        """The question in ``lang``, placeholders filled."""
        return text_in(self.data["text"], lang or default_lang())

    def choices(self, lang: str | None = None) -> list[str] | None:
        """Options (single, multiple, sim/single), rights (matching) or the sequence
        (ordering) in the student's order; None for the other types."""
        lang = lang or default_lang()
        kind, data = self.item.type, self.data
        if kind in ("single", "multiple"):
            return [text_in(data["options"][i]["text"], lang) for i in self.order]
        if kind == "sim" and "options" in data:
            return [shown(self._option_value(i)) for i in self.order]
        if kind == "matching":
            return [text_in(data["pairs"][i]["right"], lang) for i in self.order]
        if kind == "ordering":
            return [text_in(data["sequence"][i], lang) for i in self.order]
        return None

    def lefts(self, lang: str | None = None) -> list[str] | None:
        """A matching item's left column, in the bank's order; None for other types."""
        if self.item.type != "matching":
            return None
        return [text_in(p["left"], lang or default_lang()) for p in self.data["pairs"]]

    @cached_property
    def _cloze(self) -> tuple[str, dict[str, list[str]]]:
        if "transcript" in self.data:
            return self.data["transcript"], {n: [shown(a) for a in b["answers"]]
                                             for n, b in self.data["blanks"].items()}
        blanks = self.data["blank"]
        try:
            return cut_blanks(self.result.trace, blanks if isinstance(blanks, list) else [blanks])
        except ClozeError as exc:
            raise VariantError("cloze", item=self.item.id, student=self.student,
                               reason=str(exc)) from None

    def transcript(self) -> str | None:
        """A cloze item's transcript with its blanks written ``{1:___}``; None otherwise."""
        return self._cloze[0] if self.item.type == "cloze" else None

    def blank_answers(self) -> dict[str, list[str]]:
        """A cloze item's accepted answers per blank (teacher side); empty for other types."""
        return dict(self._cloze[1]) if self.item.type == "cloze" else {}

    def blanks(self) -> list[str]:
        """A cloze item's blank numbers in order (``["1", "2"]``); empty for other types."""
        return blanks_in(self._cloze[0]) if self.item.type == "cloze" else []

    def public(self) -> dict[str, Any]:
        """What a student's exam bundle may hold: texts, choices and parameters, no key."""
        return {"id": self.item.id, "type": self.item.type, "ask": self.item.ask,
                "points": self.item.points, "params": self.params,
                "text": {lang: self.text(lang) for lang in LANGUAGES},
                "choices": {lang: self.choices(lang) for lang in LANGUAGES},
                "lefts": {lang: self.lefts(lang) for lang in LANGUAGES},
                "transcript": self.transcript(), "blanks": self.blanks(),
                "protocol": self.data.get("protocol")}

    # -- the run ---------------------------------------------------------------------------
    @cached_property
    def scenario(self) -> Scenario | None:
        """The variant's scenario (placeholders filled, the variant's seed), if any."""
        if self.item.scenario is None:
            return None
        try:
            return self._scenario_in(default_lang())
        except ScenarioError:               # an inline scenario these values break
            raise VariantError("scenario", item=self.item.id, student=self.student,
                               reason=self._scenario_error) from None

    def _scenario_in(self, lang: str) -> Scenario:
        return runs.scenario_of(self.item.scenario, self.params, self.seed,
                                Checker(self.item.source, lang))

    def _scenario_error(self, lang: str) -> str:
        """The scenario loader's complaint about this variant's scenario, in ``lang``."""
        try:
            self._scenario_in(lang)
        except ScenarioError as exc:
            return str(exc)
        return ""

    @cached_property
    def result(self) -> SimulationResult:
        """The scenario run to the end (only for items that have a scenario)."""
        if self.scenario is None:
            raise VariantError("no_scenario", item=self.item.id)
        try:
            return runs.run(self.scenario)
        except runs.RUN_ERRORS as exc:      # a zone that does not parse, a mail loop
            raise VariantError("scenario", item=self.item.id, student=self.student,
                               reason=runs.said(exc)) from None

    def names(self) -> dict[str, Any]:
        """What the item's expressions see (``docs/quizzes.md``, "Expressions")."""
        if self.item.scenario is None:
            return {"params": self.params}
        result = self.result
        return {"trace": result.trace, "result": result, "state": result.to_dict(),
                "params": self.params}

    def evaluate(self, expression: str, names: Mapping[str, Any] | None = None) -> Any:
        try:
            return evaluate(expression, self.names() if names is None else names)
        except ExpressionError as exc:
            raise VariantError("expression", item=self.item.id, student=self.student,
                               expression=exc.expression, reason=exc.reason) from None

    def _option_value(self, i: int) -> Any:
        text = self.data["options"][i]["text"]
        if isinstance(text, str) and text.startswith("="):
            return self.evaluate(text[1:])
        return text

    @cached_property
    def _answer(self) -> Any:
        answer = self.data.get("answer")
        if isinstance(answer, str) and self.item.type in ("numeric", "short", "sim"):
            return self.evaluate(answer)
        return answer

    def _number_answer(self) -> float:
        value = grading.number(self._answer)
        if value is None:
            raise VariantError("not_number", item=self.item.id, student=self.student,
                               value=shown(self._answer))
        return value

    def _sim_option(self) -> int:
        """The place (in the bank) of the one option whose value is the answer."""
        tolerance, case = self.data.get("tolerance", 0), self.data.get("case", "insensitive")
        hits = [i for i in range(len(self.data["options"]))
                if grading.same_value(self._option_value(i), self._answer, tolerance, case)]
        if len(hits) != 1:
            raise VariantError("sim_options", item=self.item.id, student=self.student,
                               value=shown(self._answer), count=len(hits))
        return hits[0]

    # -- the key -------------------------------------------------------------------------
    def key(self) -> Any:
        """The expected response, in the form :meth:`check` takes (teacher side only)."""
        kind, data, ask = self.item.type, self.data, self.item.ask
        if kind == "single":
            return next(p for p, i in enumerate(self.order) if data["options"][i].get("correct"))
        if kind == "multiple":
            return sorted(p for p, i in enumerate(self.order)
                          if data["options"][i].get("correct"))
        if kind == "truefalse":
            return data["correct"]
        if kind == "matching":
            return [self.order.index(i) for i in range(len(data["pairs"]))]
        if kind == "ordering":
            return [self.order.index(i) for i in range(len(data["sequence"]))]
        if kind == "cloze":
            return {n: answers[0] for n, answers in self._cloze[1].items()}
        if kind == "task":
            return list(data["solution"])
        if ask == "numeric":
            return self._number_answer()
        if ask == "short":
            return shown(data["answers"][0]) if "answers" in data else shown(self._answer)
        return self.order.index(self._sim_option())          # sim, ask: single

    # -- checking --------------------------------------------------------------------------
    def check(self, response: Any) -> Check:
        """Score ``response`` (int/float/str/list/dict/bool by type, ``docs/quizzes.md``)."""
        kind, ask = self.item.type, self.item.ask
        if kind == "task":
            return self.check_commands(response)
        if kind in ("single", "multiple") or (kind == "sim" and ask == "single"):
            return self._check_options(response)
        if kind == "truefalse":
            given = grading.truth(response)
            return self._verdict(float(given is not None and given == self.data["correct"]))
        if kind in ("matching", "ordering"):
            given = grading.indices(response, len(self.order))
            return self._verdict(grading.positions_score(given, self.key()))
        if kind == "cloze":
            return self._check_cloze(response)
        if ask == "numeric":
            return self._verdict(grading.numeric_score(response, self._number_answer(),
                                                       self.data.get("tolerance", 0)))
        answers = self.data.get("answers", [self._answer])
        return self._check_text({"1": response}, {"1": answers})

    def _check_text(self, given: Mapping[str, Any], accepted: Mapping[str, list]) -> Check:
        """Text answers (a short answer, or a cloze's blanks): each right as typed, or
        right but for look-alike letters of the other script, which counts with a note."""
        case = self.data.get("case", "insensitive")
        scores, letters = [], []
        for name, answers in accepted.items():
            found = grading.lookalikes_in(given.get(name), answers, case)
            letters += [found] if found else []
            scores.append(1.0 if found else grading.text_score(given.get(name), answers, case))
        notes = [_said("lookalikes", letters=", ".join(letters))] if letters else []
        return self._verdict(sum(scores) / len(scores), notes)

    def _verdict(self, score: float, notes: Sequence[Mapping[str, str]] = ()) -> Check:
        """A Check with the item's correct/wrong feedback after ``notes``."""
        notes = list(notes)
        feedback = self.data.get("feedback", {})
        if score >= 1.0 - grading.EPSILON:
            notes.append(feedback.get("correct") or _said("correct"))
        else:
            notes.append(feedback.get("wrong") or _said("wrong"))
        return Check(score, notes)

    def _check_options(self, response: Any) -> Check:
        options, size = self.data["options"], len(self.order)
        if self.item.type == "multiple":
            places = grading.indices(response, size)
            if places is None:
                return self._verdict(0.0, [_said("no_answer")])
            chosen = {self.order[p] for p in places}
            right = {i for i, o in enumerate(options) if o.get("correct")}
            notes = [options[i]["feedback"] for i in sorted(chosen) if "feedback" in options[i]]
            return self._verdict(grading.multiple_score(chosen, right), notes)
        place = grading.index(response, size)
        if place is None and isinstance(response, str):
            place = self._place_of_text(response)
        if place is None:
            return self._verdict(0.0, [_said("no_answer")])
        chosen = self.order[place]
        notes = [options[chosen]["feedback"]] if "feedback" in options[chosen] else []
        right = self._sim_option() if self.item.type == "sim" else \
            next(i for i, o in enumerate(options) if o.get("correct"))
        return self._verdict(float(chosen == right), notes)

    def _place_of_text(self, response: str) -> int | None:
        """An option named by its text (in either language) instead of its place."""
        for lang in LANGUAGES:
            texts = [grading.normal_text(c) for c in self.choices(lang) or []]
            if grading.normal_text(response) in texts:
                return texts.index(grading.normal_text(response))
        return None

    def _check_cloze(self, response: Any) -> Check:
        answers = self._cloze[1]
        if isinstance(response, list | tuple):
            response = {n: v for n, v in zip(answers, response, strict=False)}
        if not isinstance(response, Mapping):
            return self._verdict(0.0, [_said("no_answer")])
        return self._check_text({str(k): v for k, v in response.items()}, answers)

    # -- tasks ---------------------------------------------------------------------------------
    def session(self) -> SimulatedSession:
        """A fresh session on the variant's scenario for the student's commands (the
        notebook wraps it in ``ProtocolConsole(variant.session(), lang)``)."""
        self._require_task()
        try:
            return runs.student_session(self.scenario, self.data["protocol"],
                                        self.data.get("host"))
        except (*runs.RUN_ERRORS, LookupError) as exc:   # LookupError: nobody on the port
            raise VariantError("scenario", item=self.item.id, student=self.student,
                               reason=runs.said(exc)) from None

    def _require_task(self) -> None:
        if self.item.type != "task":
            raise VariantError("not_task", item=self.item.id)

    @cached_property
    def before(self) -> dict:
        """The state before the student's commands (a fresh session's network)."""
        return runs.state_of(self.session())

    def check_commands(self, commands: Any) -> Check:
        """Send ``commands`` (a list of lines) in a fresh session, then grade the state."""
        self._require_task()
        if not isinstance(commands, list | tuple) or \
                not all(isinstance(c, str) for c in commands):
            return self._verdict(0.0, [_said("no_answer")])
        session = self.session()
        session.open()
        for line in list(commands)[:MAX_COMMANDS]:
            if session.closed:
                break
            session.send(line.rstrip("\r\n"))
        session.close()
        return self.check_session(session)

    def check_session(self, session: SimulatedSession) -> Check:
        """Grade what a session (a console the student typed into) left behind.

        ``student`` is the address of the account the session logged in as; a live
        task's ``trace`` holds the session's own connections only.
        """
        self._require_task()
        trace = session.trace
        if self.data.get("live"):       # the student's own connections, as in a live trace
            trace = trace.of_connections(session.conns)
        names = {"trace": trace, "result": session.net.result(),
                 "state": runs.state_of(session), "before": self.before,
                 "params": self.params, "student": session.user or ""}
        return self.check_names(names)

    def check_names(self, names: Mapping[str, Any]) -> Check:
        """Score the task's checks with ``names`` in scope (``docs/quizzes.md``, "Expressions"):
        the share that pass, with the feedback of each one that does not.  A console session
        and a student's part of a live trace (:mod:`simulator.quiz.live`) are both graded here.
        """
        self._require_task()
        checks = self.data["checks"]
        failed = []
        for check in checks:
            try:
                passed = bool(evaluate(check["expr"], names))
            except ExpressionError:
                passed = False          # "state[...]" of a folder the student never made
            if not passed:
                failed.append(check.get("feedback") or _said("check_failed",
                                                             expr=check["expr"]))
        return self._verdict((len(checks) - len(failed)) / len(checks), failed)
