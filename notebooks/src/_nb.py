"""The three kinds of cell a notebook source is made of (see ../make_notebooks.py).

``md(ru, en)``: a markdown cell in each language.  ``code(source)``: one code
cell, the same text in both languages (the kernel learns its language from the
notebook's folder: ``simulator.lab.notebook_lang``).  ``check(items)``: the
self-check questions, each ``(question_ru, question_en, answer_ru, answer_en)``,
with every answer folded under its question until the student opens it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Markdown:
    ru: str
    en: str


@dataclass(frozen=True)
class Code:
    source: str


def md(ru: str, en: str) -> Markdown:
    return Markdown(ru.strip("\n"), en.strip("\n"))


def code(source: str) -> Code:
    return Code(source.strip("\n"))


HEADING = {"ru": "## Проверьте себя", "en": "## Check yourself"}


def quiz(bank: str, *items: str) -> list:
    """Questions the simulator checks at once (the practice mode of docs/quizzes.md): a
    heading and a Quiz widget over ``items`` of the course's bank ``bank``."""
    return [md("## Проверьте себя в симуляторе\n\nОтветьте и нажмите «Проверить»: ответ "
               "проверяет симулятор, у вопросов с прогоном сценария — по его трассе.",
               "## Check yourself in the simulator\n\nAnswer and press “Check”: the simulator "
               "checks the answer, for questions with a run — against its trace."),
            code(f"from simulator.lab import course_bank\nfrom simulator.widgets import Quiz\n\n"
                 f"Quiz(course_bank({bank!r}), items={list(items)!r}, lang=LANG)")]
ANSWER = {"ru": "Ответ", "en": "Answer"}


def check(*items: tuple[str, str, str, str]) -> Markdown:
    """Self-check questions, each answer hidden in a <details> block under it."""
    texts = {}
    for lang, q, a in (("ru", 0, 2), ("en", 1, 3)):
        parts = [HEADING[lang]]
        for number, item in enumerate(items, 1):
            parts.append(f"{number}. {item[q].strip()}\n\n"
                         f"   <details><summary>{ANSWER[lang]}</summary>\n\n"
                         f"   {item[a].strip()}\n\n   </details>")
        texts[lang] = "\n\n".join(parts)
    return Markdown(texts["ru"], texts["en"])


#: The first code cell of every notebook: imports, pictures as SVG, the language.
SETUP = code('''
# Выполните ячейки по порядку: Shift+Enter. / Run the cells in order: Shift+Enter.
%matplotlib inline
%config InlineBackend.figure_formats = ["svg"]
from IPython.display import display

from simulator import plots
from simulator.lab import notebook_lang
from simulator.locale import t
from simulator.network import simulate
from simulator.scenarios import load_builtin
from simulator.widgets import (MailboxInspector, ProtocolConsole, TracePlayer, steps_table,
                               table)
from simulator.widgets.console_session import SimulatedSession

LANG = notebook_lang()


def tr(ru, en):
    """The text in this notebook's language."""
    return ru if LANG == "ru" else en


def yes(value):
    return tr("да", "yes") if value else tr("нет", "no")


def states_table(states, prefix):
    """Each state and what it means (the texts the player and the console use)."""
    return table((tr("состояние", "state"), tr("что это значит", "what it means")),
                 [(state, t(f"{prefix}.{state}", LANG)) for state in states])


def attempts(scenario, protocol, *groups, **where):
    """Each group of lines sent on a fresh connection to the scenario's server: the steps."""
    steps = []
    for lines in groups:
        session = SimulatedSession(scenario, protocol, **where)
        steps += session.open()
        for line in lines:
            steps += session.send(line)
    return steps
''')


#: The course in order: number → (file name ru, file name en, title ru, title en,
#: what it answers ru, en).  The index and every notebook take their names from here.
COURSE = {
    0: ("00_оглавление", "00_contents", "Почтовые протоколы: оглавление",
        "E-mail protocols: contents", "", ""),
    1: ("01_экскурсия", "01_tour", "Экскурсия: как ходит почта", "A tour: how mail travels",
        "агенты MUA, MTA и MDA, порты, путь одного письма, возврат и повторные попытки",
        "the MUA, MTA and MDA agents, the ports, one message's path, bounces and retries"),
    2: ("02_smtp_отправка", "02_smtp_sending", "SMTP: как письмо отправляется",
        "SMTP: how a message is sent",
        "диалог SMTP, классы кодов ответа, MX и запасной путь через A, маршруты "
        "отправителя, 7 и 8 бит",
        "the SMTP dialogue, reply classes, MX and the A-record fallback, source routes, "
        "7 and 8 bits"),
    3: ("03_pop3_и_pop2", "03_pop3_and_pop2", "POP3 и POP2: забрать почту",
        "POP3 and POP2: fetching mail",
        "три состояния POP3, DELE и QUIT, блокировка, APOP вручную, POP2 рядом с POP3, "
        "история RFC",
        "the three POP3 states, DELE and QUIT, the lock, APOP by hand, POP2 beside POP3, "
        "the RFC history"),
    4: ("04_imap", "04_imap_mailbox", "IMAP: почта остаётся на сервере",
        "IMAP: mail stays on the server",
        "папки и флаги, поиск на сервере, метки и непомеченные ответы, два клиента, "
        "общие папки, IDLE, POP3 и IMAP на одном ящике",
        "folders and flags, server-side search, tags and untagged data, two clients, "
        "shared folders, IDLE, POP3 and IMAP on one mailbox"),
    5: ("05_mime_и_кириллица", "05_mime_and_cyrillic", "MIME и кириллица",
        "MIME and Cyrillic",
        "что такое MIME, кодировки текста и заголовков, вложения",
        "what MIME is, the encodings of text and headers, attachments"),
    6: ("06_безопасность", "06_security", "Безопасность: порты, TLS и пароли",
        "Security: ports, TLS and passwords",
        "STARTTLS и неявный TLS, что видно в сети, SPF, DKIM и DMARC",
        "STARTTLS and implicit TLS, what the wire shows, SPF, DKIM and DMARC"),
    7: ("07_настоящий_клиент", "07_real_client", "Настоящий почтовый клиент",
        "A real mail client",
        "настройка Thunderbird или Outlook на сервер mailsim serve",
        "setting up Thunderbird or Outlook against mailsim serve"),
    8: ("08_итоги_лабораторной", "08_lab_review", "Лабораторная работа №16: итоги",
        "Lab 16: review",
        "каждый контрольный вопрос с опытом, который на него отвечает, и проверка мифов",
        "each control question with the experiment that answers it, and myths tested"),
    9: ("09_ftp_и_http", "09_ftp_and_http", "FTP и HTTP: файлы и веб",
        "FTP and HTTP: files and the web",
        "два соединения FTP, активный и пассивный режим за NAT, ASCII и двоичный тип; HTTP",
        "FTP's two connections, active and passive mode behind a NAT, ASCII and binary; HTTP"),
}


def names(number: int) -> tuple[dict[str, str], dict[str, str]]:
    """``FILES`` and ``TITLE`` of notebook ``number``."""
    ru_file, en_file, ru_title, en_title, _, _ = COURSE[number]
    return {"ru": ru_file, "en": en_file}, {"ru": ru_title, "en": en_title}
