"""``mailsim quiz …``: validate, render, grade, export and import question banks.

The work is done by :mod:`simulator.quiz`; this module reads the arguments,
shows a progress bar (rich) on long work, and says what happened in ru or en.
A problem the user can fix raises :class:`QuizUsageError` (a one-line message,
exit status 2, as everywhere in ``mailsim``); a bank that validates with
problems and response files that are rejected give exit status 1.
"""
from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from simulator.locale import LANGUAGES, t

if TYPE_CHECKING:   # pragma: no cover
    from simulator.quiz import Bank
    from simulator.quiz.grade import Report

SUBCOMMANDS = ("validate", "render", "grade", "export", "import-gift")
TOPICS = ("smtp", "pop", "imap", "mime", "dns", "security", "path", "services", "ftp-http")
SECRET_VARIABLE = "MAILSIM_QUIZ_SECRET"
MODES = ("practice", "exam")


class QuizUsageError(Exception):
    """Something the user can fix, already in their language."""


def add_quiz_arguments(quiz, lang: str) -> None:
    """``mailsim quiz``'s sub-commands (texts in locale/*/quiz.yaml, ``quiz.cli.help.*``)."""
    def h(key: str) -> str:
        return t(f"quiz.cli.help.{key}", lang)

    quiz.add_argument("--lang", choices=LANGUAGES, default=lang, help=t("cli.help.lang", lang))
    commands = quiz.add_subparsers(dest="quiz_command", metavar="{" + ",".join(SUBCOMMANDS) + "}",
                                   title=t("cli.commands", lang), parser_class=type(quiz))
    commands.required = True

    def command(name: str):
        key = name.replace("-", "_")
        sub = commands.add_parser(name, help=h(key), description=h(key), lang=lang)
        sub.add_argument("--lang", choices=LANGUAGES, default=lang, help=t("cli.help.lang", lang))
        return sub

    def secret(sub) -> None:
        sub.add_argument("--secret-file", metavar="FILE", help=h("secret_file"))

    validate_ = command("validate")
    validate_.add_argument("banks", nargs="+", metavar="BANK", help=h("banks"))
    validate_.add_argument("--variants", type=int, default=5, metavar="N", help=h("variants"))
    secret(validate_)
    render_ = command("render")
    render_.add_argument("bank", metavar="BANK", help=h("bank"))
    who = render_.add_mutually_exclusive_group(required=True)
    who.add_argument("--student", metavar="ID", help=h("student"))
    who.add_argument("--class", dest="roster", metavar="ROSTER.csv", help=h("roster"))
    who.add_argument("--students", type=int, metavar="N", help=h("students"))
    render_.add_argument("--mode", choices=MODES, default="practice", help=h("mode"))
    render_.add_argument("-o", "--output", metavar="FILE", help=h("output"))
    render_.add_argument("--format", choices=("ipynb", "html"), default="ipynb",
                         help=h("format"))
    secret(render_)
    grade_ = command("grade")
    grade_.add_argument("bank", metavar="BANK", help=h("bank"))
    grade_.add_argument("responses", nargs="*", metavar="RESPONSES", help=h("responses"))
    grade_.add_argument("--trace", metavar="FILE.jsonl", help=h("trace"))
    grade_class = grade_.add_mutually_exclusive_group()
    grade_class.add_argument("--class", dest="roster", metavar="ROSTER.csv",
                             help=h("grade_roster"))
    grade_class.add_argument("--students", type=int, metavar="N", help=h("students"))
    grade_.add_argument("--domain", default="example.test", help=h("domain"))
    grade_.add_argument("--csv", metavar="FILE", help=h("csv"))
    secret(grade_)
    export = command("export")
    export.add_argument("bank", metavar="BANK", help=h("bank"))
    export.add_argument("--moodle-xml", metavar="FILE", help=h("moodle_xml"))
    export.add_argument("--gift", metavar="FILE", help=h("gift"))
    export.add_argument("--variants", type=int, default=5, metavar="N", help=h("variants"))
    secret(export)
    importer = command("import-gift")
    importer.add_argument("file", metavar="FILE", help=h("gift_file"))
    importer.add_argument("-o", "--output", required=True, metavar="BANK", help=h("bank_out"))
    importer.add_argument("--bank-id", metavar="ID", help=h("bank_id"))
    importer.add_argument("--topic", choices=TOPICS, default="services", help=h("topic"))


def run_quiz(args) -> int:
    """Run one ``mailsim quiz`` sub-command; returns the exit status.

    The quiz package (and the network it runs) is imported here, not when the
    parser is built, so the rest of ``mailsim`` starts as fast as before.
    """
    return {"validate": _validate, "render": _render, "grade": _grade, "export": _export,
            "import-gift": _import_gift}[args.quiz_command](args)


# -- helpers --------------------------------------------------------------------------------

def course_secret(args, required: bool) -> bytes:
    """The course secret: ``--secret-file``, else ``MAILSIM_QUIZ_SECRET``, else empty."""
    if args.secret_file:
        try:
            return Path(args.secret_file).read_bytes().strip()
        except OSError as exc:
            raise QuizUsageError(t("quiz.cli.secret_unreadable", args.lang,
                                   path=args.secret_file, reason=exc.strerror or exc)) from None
    value = os.environ.get(SECRET_VARIABLE, "")
    if not value and required:
        raise QuizUsageError(t("quiz.cli.no_secret", args.lang))
    return value.encode("utf-8")


def _write(path: str, text: str, lang: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise QuizUsageError(t("quiz.cli.write", lang, path=path,
                               reason=exc.strerror or exc)) from None


@contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[object], None]]:
    """A progress bar on stderr while the block runs (silent when stderr is not a terminal)."""
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True,
                  disable=not console.is_terminal) as progress:
        task = progress.add_task(label, total=total)
        yield lambda _done: progress.advance(task)


# -- the sub-commands --------------------------------------------------------------------------

def _validate(args) -> int:
    from simulator.quiz import load_bank
    from simulator.quiz.validate import validate
    secret, status = course_secret(args, required=False), 0
    for path in args.banks:
        bank = load_bank(path, args.lang)
        with _progress(t("quiz.cli.progress_validate", args.lang), len(bank)) as step:
            problems = validate(bank, max(1, args.variants), secret, progress=step)
        if problems:
            status = 1
            for problem in problems:
                print(problem.message(args.lang))
            print(t("quiz.cli.problems", args.lang, path=path, count=len(problems)))
        else:
            print(t("quiz.cli.valid", args.lang, path=path, items=len(bank),
                    variants=max(1, args.variants)))
    return status


def _render(args) -> int:
    from simulator.quiz import load_bank
    bank = load_bank(args.bank, args.lang)
    secret = course_secret(args, required=args.mode == "exam")
    if args.student is not None:
        output = args.output or f"{bank.id}-{args.student}-{args.mode}.{args.format}"
        _render_one(bank, args, args.student, output, secret)
        print(t("quiz.cli.rendered", args.lang, path=output, student=args.student,
                count=len(bank), mode=t(f"quiz.cli.mode_{args.mode}", args.lang)))
        return 0
    logins = _class_logins(args)
    folder = Path(args.output or f"{bank.id}-{args.mode}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise QuizUsageError(t("quiz.cli.write", args.lang, path=str(folder),
                               reason=exc.strerror or exc)) from None
    with _progress(t("quiz.cli.progress_render", args.lang), len(logins)) as step:
        for login in logins:
            _render_one(bank, args, login, str(folder / f"{login}.{args.format}"), secret)
            step(login)
    print(t("quiz.cli.rendered_class", args.lang, path=str(folder), students=len(logins),
            count=len(bank), mode=t(f"quiz.cli.mode_{args.mode}", args.lang)))
    return 0


def _class_logins(args) -> list[str]:
    """The students of ``--class ROSTER.csv`` or ``--students N``: the same logins
    ``mailsim serve`` gives them, so a student's exam and mailbox carry one name."""
    from simulator.server.roster import RosterError, numbered, read_roster
    try:
        students = read_roster(args.roster) if args.roster else numbered(args.students)
    except RosterError as exc:
        raise QuizUsageError(t(exc.key, args.lang, **exc.params)) from None
    return [student.login for student in students]


def _render_one(bank: Bank, args, student: str, output: str, secret: bytes) -> None:
    """One student's notebook or page, written to ``output`` (.ipynb or .html)."""
    from simulator.quiz import render
    exam = args.mode == "exam"
    suffix = Path(output).suffix.lower()
    if suffix not in (".ipynb", ".html"):
        raise QuizUsageError(t("quiz.cli.format", args.lang, path=output))
    if suffix == ".html":
        text = render.exam_html(bank, student, secret, args.lang) if exam \
            else render.practice_html(bank, args.lang)
    else:
        notebook = render.exam_notebook(bank, student, secret, args.lang) if exam \
            else render.practice_notebook(bank, os.path.abspath(args.bank), args.lang)
        text = render.notebook_text(notebook)
    _write(output, text, args.lang)


def _grade(args) -> int:
    from simulator.quiz import grade as grading
    from simulator.quiz import load_bank
    if bool(args.trace) == bool(args.responses):
        raise QuizUsageError(t("quiz.cli.grade_what", args.lang))
    bank = load_bank(args.bank, args.lang)
    if args.trace:
        return _grade_trace(bank, args)
    secret = course_secret(args, required=True)
    with _progress(t("quiz.cli.progress_grade", args.lang), len(args.responses)) as step:
        report = grading.grade(bank, args.responses, secret, progress=step)
    table = report.csv(bank)
    if args.csv:
        _write(args.csv, table, args.lang)
    else:
        sys.stdout.write(table)
    stream = sys.stdout if args.csv else sys.stderr     # a CSV on stdout stays clean
    for rejected in report.rejected:
        reason = t(f"quiz.responses.{rejected.error.code}", args.lang, **rejected.error.params)
        print(t("quiz.cli.rejected", args.lang, path=rejected.source, reason=reason),
              file=stream)
    print(t("quiz.cli.graded", args.lang, count=len(report.graded),
            total=len(args.responses)), file=stream)
    Console(highlight=False, file=stream).print(_summary(report, args.lang))
    return 1 if report.rejected else 0


def _grade_trace(bank: Bank, args) -> int:
    """``grade BANK --trace FILE``: the live tasks checked per student over a class's trace."""
    from simulator.quiz.live import NoLiveItems, class_roster, grade_trace
    from simulator.server.roster import RosterError, numbered, read_roster
    if not Path(args.trace).is_file():
        raise QuizUsageError(f"{args.trace}: {t('quiz.responses.missing_file', args.lang)}")
    try:
        students = read_roster(args.roster) if args.roster else \
            numbered(args.students) if args.students else []
        roster = class_roster(students, args.domain)
        progress = grade_trace(bank, args.trace, roster)
    except NoLiveItems:
        raise QuizUsageError(t("quiz.cli.no_live_items", args.lang, path=args.bank)) from None
    except RosterError as exc:
        raise QuizUsageError(t(exc.key, args.lang, **exc.params)) from None
    except OSError as exc:
        raise QuizUsageError(t("quiz.cli.write", args.lang, path=exc.filename or args.roster,
                               reason=exc.strerror or exc)) from None
    report = progress.report()
    table = report.csv(progress.bank)
    if args.csv:
        _write(args.csv, table, args.lang)
    else:
        sys.stdout.write(table)
    stream = sys.stdout if args.csv else sys.stderr
    print(t("quiz.cli.graded_trace", args.lang, count=len(report.graded),
            steps=progress.steps_read), file=stream)
    Console(highlight=False, file=stream).print(_summary(report, args.lang))
    return 0


def _summary(report: Report, lang: str) -> Table:
    table = Table(title=t("quiz.cli.summary_title", lang))
    for key in ("item", "answered", "correct", "mean"):
        table.add_column(t(f"quiz.cli.summary_{key}", lang),
                         justify="left" if key == "item" else "right")
    for row in report.summary:
        table.add_row(row.item, str(row.answered), str(row.correct), f"{row.mean:.0%}")
    return table


def _export(args) -> int:
    from simulator.quiz import load_bank, moodle
    if not args.moodle_xml and not args.gift:
        raise QuizUsageError(t("quiz.cli.export_target", args.lang))
    bank = load_bank(args.bank, args.lang)
    if args.moodle_xml:
        secret, count = course_secret(args, required=False), max(1, args.variants)
        with _progress(t("quiz.cli.progress_export", args.lang), len(bank)) as step:
            tree = moodle.export(bank, count, secret, args.lang, progress=step)
        try:
            moodle.write(tree, args.moodle_xml)
        except OSError as exc:
            raise QuizUsageError(t("quiz.cli.write", args.lang, path=args.moodle_xml,
                                   reason=exc.strerror or exc)) from None
        print(t("quiz.cli.moodle_written", args.lang, path=args.moodle_xml,
                categories=len(bank), questions=len(bank) * count))
    if args.gift:
        _export_gift(bank, args)
    return 0


def _export_gift(bank: Bank, args) -> None:
    from simulator.quiz import gift as gift_format
    text, skipped = gift_format.export(bank, args.lang)
    _write(args.gift, text, args.lang)
    print(t("quiz.cli.gift_written", args.lang, path=args.gift,
            count=len(bank) - len(skipped)))
    if skipped:
        print(t("quiz.cli.gift_skipped", args.lang, count=len(skipped),
                items=", ".join(item.id for item in skipped)))


def _import_gift(args) -> int:
    from simulator.quiz import gift as gift_format
    from simulator.quiz import load_bank
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise QuizUsageError(f"{args.file}: {t('quiz.responses.missing_file', args.lang)}") \
            from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QuizUsageError(f"{args.file}: " + t("quiz.responses.unreadable", args.lang,
                                                  reason=exc)) from None
    bank_id = args.bank_id or _bank_id(args.output)
    try:
        yaml_text = gift_format.import_gift(text, args.file, args.lang, bank_id=bank_id,
                                            topic=args.topic)
    except gift_format.GiftError as exc:
        raise QuizUsageError(str(exc)) from None
    _write(args.output, yaml_text, args.lang)
    bank = load_bank(args.output, args.lang)          # what was written is a valid bank
    print(t("quiz.cli.imported", args.lang, path=args.output, count=len(bank)))
    return 0


def _bank_id(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", Path(path).stem.lower()).strip("-") or "imported"
