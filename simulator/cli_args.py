"""The ``mailsim`` argument parser, in Russian or English.

argparse writes its own words ("usage:", "options", "the following arguments
are required") in English.  Students read them too, so the section titles,
the usage prefix and the help of ``-h`` are ours, and :func:`translate_error`
turns argparse's few error sentences into the chosen language.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from simulator import __version__
from simulator.cli_quiz import add_quiz_arguments
from simulator.locale import LANGUAGES, default_lang, t

COMMANDS = ("scenarios", "run", "replay", "serve", "lab", "quiz")


def pick_lang(argv: Sequence[str]) -> str:
    """``--lang`` from argv if it is there and valid, else the default language.

    The help texts depend on the language, so it must be known before the
    parser that would read ``--lang`` is even built.
    """
    for i, arg in enumerate(argv):
        value = None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value in LANGUAGES:
            return value
    return default_lang()


#: argparse's English error sentences (Python 3.10–3.12) -> our key and the groups it needs.
_ARGPARSE_ERRORS = [
    (re.compile(r"the following arguments are required: (?P<names>.*)"), "required"),
    (re.compile(r"unrecognized arguments: (?P<args>.*)"), "unrecognized"),
    (re.compile(r"argument (?P<arg>\S+): invalid choice: (?P<value>.*?) "
                r"\(choose from (?P<choices>.*)\)"), "invalid_choice"),
    (re.compile(r"argument (?P<arg>\S+): invalid int value: (?P<value>.*)"), "invalid_int"),
    (re.compile(r"argument (?P<arg>\S+): expected one argument"), "expected_one"),
    (re.compile(r"one of the arguments (?P<names>.*) is required"), "one_required"),
    (re.compile(r"argument (?P<arg>\S+): not allowed with argument (?P<other>\S+)"),
     "not_together"),
]


def translate_error(message: str, lang: str) -> str:
    """argparse's error ``message`` in ``lang`` (unchanged if it is not one we know)."""
    for pattern, key in _ARGPARSE_ERRORS:
        match = pattern.fullmatch(message)
        if match:
            return t(f"cli.argparse.{key}", lang, **match.groupdict())
    return message


class _Formatter(argparse.RawDescriptionHelpFormatter):
    lang = "ru"

    def add_usage(self, usage, actions, groups, prefix=None):
        # argparse passes prefix="" when it builds a sub-command's prog: keep that.
        if prefix is None:
            prefix = t("cli.usage", self.lang)
        return super().add_usage(usage, actions, groups, prefix)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that speaks ``lang`` and reports errors on one line with exit 2."""

    def __init__(self, *args, lang: str, **kwargs) -> None:
        formatter = type("Formatter", (_Formatter,), {"lang": lang})
        super().__init__(*args, formatter_class=formatter, add_help=False, **kwargs)
        self.lang = lang
        self._positionals.title = t("cli.positionals", lang)
        self._optionals.title = t("cli.options", lang)
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help=t("cli.help.help", lang))

    def error(self, message: str) -> NoReturn:
        text = translate_error(message, self.lang)
        self.exit(2, f"{self.prog}: {t('cli.error_prefix', self.lang)}: {text}\n")


def build_parser(lang: str) -> Parser:
    """The whole ``mailsim`` parser with every help text in ``lang``."""
    def h(key: str) -> str:
        return t(f"cli.help.{key}", lang)

    def mv(key: str) -> str:
        return t(f"cli.metavar.{key}", lang)

    parser = Parser(prog="mailsim", description=t("cli.description", lang),
                    epilog=t("cli.epilog", lang), lang=lang)
    parser.add_argument("--version", action="version", version=f"mailsim {__version__}",
                        help=h("version"))
    commands = parser.add_subparsers(dest="command", title=t("cli.commands", lang),
                                     metavar="{" + ",".join(COMMANDS) + "}",
                                     parser_class=Parser)

    def command(name: str) -> Parser:
        sub = commands.add_parser(name, help=h(name), description=h(name), lang=lang)
        sub.add_argument("--lang", choices=LANGUAGES, default=lang, help=h("lang"))
        return sub

    command("scenarios")
    run = command("run")
    run.add_argument("scenario", metavar=mv("scenario"), help=h("scenario"))
    run.add_argument("--seed", type=int, metavar=mv("seed"), help=h("seed"))
    run.add_argument("--trace", metavar=mv("file"), help=h("trace"))
    run.add_argument("--pcap", metavar=mv("file"), help=t("cli.pcap.help", lang))
    replay = command("replay")
    replay.add_argument("source", metavar=mv("source"), help=h("source"))
    replay.add_argument("--all", action="store_true", help=h("all"))
    replay.add_argument("--seed", type=int, metavar=mv("seed"), help=h("seed"))
    replay.add_argument("--protocol", metavar=mv("protocol"), help=h("protocol"))
    replay.add_argument("--conn", metavar=mv("conn"), help=h("conn"))
    add_serve_arguments(command("serve"), lang)
    lab = command("lab")
    lab.add_argument("--voila", action="store_true", help=h("voila"))
    lab.add_argument("--no-browser", action="store_true", help=h("no_browser"))
    lab.add_argument("--port", type=int, metavar="N", help=h("port"))
    lab.add_argument("--dir", metavar=mv("dir"), help=h("lab_dir"))
    lab.add_argument("--notebooks", metavar=mv("dir"), help=h("notebooks"))
    add_quiz_arguments(commands.add_parser("quiz", help=t("quiz.cli.help.quiz", lang),
                                           description=t("quiz.cli.help.quiz", lang),
                                           lang=lang), lang)
    # --lang is also accepted before the command: ``mailsim --lang en scenarios``.
    parser.add_argument("--lang", choices=LANGUAGES, default=lang, help=h("lang"))
    return parser


def add_serve_arguments(serve: Parser, lang: str) -> None:
    """``mailsim serve``'s options (texts in locale/*/serve.yaml, ``serve.help.*``)."""
    def h(key: str) -> str:
        return t(f"serve.help.{key}", lang)

    serve.add_argument("scenario", nargs="?", default="classroom", metavar="SCENARIO",
                       help=h("scenario"))
    serve.add_argument("--host", default="127.0.0.1", help=h("host"))
    serve.add_argument("--port-offset", type=int, default=10000, metavar="N", help=h("offset"))
    serve.add_argument("--domain", help=h("domain"))
    serve.add_argument("--user", action="append", default=[], metavar="NAME:PASSWORD",
                       help=h("user"))
    serve.add_argument("--maildir", metavar="DIR", help=h("maildir"))
    serve.add_argument("--trace", metavar="FILE.jsonl", help=h("trace"))
    serve.add_argument("--trace-max-mb", type=float, default=64, metavar="MB",
                       help=h("trace_max_mb"))
    serve.add_argument("--require-tls", action="store_true", help=h("require_tls"))
    serve.add_argument("--tls-cert", metavar="FILE", help=h("tls_cert"))
    serve.add_argument("--tls-key", metavar="FILE", help=h("tls_key"))
    serve.add_argument("--bind-sender", action="store_true", help=h("bind_sender"))
    serve.add_argument("--login-delay", type=float, default=1.0, metavar="SECONDS",
                       help=h("login_delay"))
    serve.add_argument("--tls-name", action="append", default=[], metavar="NAME",
                       help=h("tls_name"))
    serve.add_argument("--ftp-passive-ports", metavar="LOW-HIGH", help=h("ftp_passive_ports"))
    # The choices of simulator.server.loops.LOOPS (not imported: the CLI starts light).
    serve.add_argument("--loop", choices=("auto", "uvloop", "asyncio"), default="auto",
                       help=h("loop"))
    group = serve.add_mutually_exclusive_group()
    group.add_argument("--class", dest="roster", metavar="ROSTER.csv", help=h("roster"))
    group.add_argument("--students", type=int, default=0, metavar="N", help=h("students"))
    serve.add_argument("--passwords", metavar="FILE.csv", help=h("passwords"))
    serve.add_argument("--sheets", metavar="DIR", help=h("sheets"))
    serve.add_argument("--dashboard", action="store_true", help=h("dashboard"))
    serve.add_argument("--no-browser", action="store_true", help=h("no_browser"))


def parse(argv: Sequence[str]) -> tuple[argparse.Namespace | None, int]:
    """(arguments, 0) or (None, exit status) after --help, --version or a usage error."""
    lang = pick_lang(argv)
    parser = build_parser(lang)
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:      # argparse exits for -h, --version and errors
        return None, exc.code if isinstance(exc.code, int) else 2
    if args.command is None:
        parser.print_usage(sys.stderr)
        message = t("cli.argparse.no_command", lang, choices=", ".join(COMMANDS))
        print(f"mailsim: {t('cli.error_prefix', lang)}: {message}", file=sys.stderr)
        return None, 2
    return args, 0
