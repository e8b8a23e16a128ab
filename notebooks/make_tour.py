"""Writes the course index and the tour in ru and en from the texts below.

Run: ``python notebooks/make_tour.py``.  The file names are
``simulator.lab.INDEX`` and ``simulator.lab.TOUR`` (they differ by language,
so two open tabs are told apart).  The .ipynb files are committed; this
script only keeps the two languages' notebooks in step (the same cells, the
same order).  Outputs are left empty: the test suite executes every notebook
(tests/test_notebooks.py).

Voilà shows the markdown and the outputs but not the code, so every
instruction about code (Shift+Enter, ``player.show(14)``) lives in a code
comment, never in the markdown.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from simulator.lab import INDEX, TOUR

HERE = Path(__file__).parent
TITLES = {"ru": {"index": "Почтовые протоколы: оглавление", "tour": "Экскурсия: как ходит почта"},
          "en": {"index": "E-mail protocols: contents", "tour": "A tour: how mail travels"}}

SETUP = """# {run_hint}
%matplotlib inline
%config InlineBackend.figure_formats = ["svg"]
from IPython.display import display

from simulator import plots
from simulator.network import simulate
from simulator.scenarios import load_builtin
from simulator.widgets import MailboxInspector, ProtocolConsole, TracePlayer

LANG = {lang!r}
runs = {{name: simulate(load_builtin(name)) for name in
        ("basic", "source-route", "bounce", "retry", "pop3-dele-rset", "imap-pipelining")}}"""

# (markdown in ru, markdown in en, code) — code None means a markdown-only cell.
CELLS = [
    (("# Экскурсия: как ходит почта\n\nВ этой тетради маленький Интернет в памяти компьютера: "
     "почтовая программа Алисы (MUA), серверы пересылки (MTA), DNS с MX-записями и ящик Боба. "
     "Каждый шаг — настоящие байты протоколов SMTP, POP3 и IMAP с пояснением."),
     ("# A tour: how mail travels\n\nThis notebook holds a small Internet in the computer's "
     "memory: Alice's mail client (MUA), transfer agents (MTA), DNS with MX records and Bob's "
     "mailbox. Every step is real SMTP, POP3 and IMAP bytes with an explanation."), SETUP),
    (("## 1. Письмо от Алисы к Бобу (`basic`)\n\nПроигрыватель показывает шаги по одному. "
     "Кнопки ◀ ▶ (или стрелки ← → на клавиатуре, когда проигрыватель в фокусе) — шаг назад "
     "и вперёд, ▶ слева — автоматический показ, ползунок — переход к любому шагу, последняя "
     "кнопка верхней строки — во весь экран. Строки клиента начинаются с `C:` (синие), "
     "ответы сервера — с `S:` (оранжевые), события внутри узла — с `··`. Многострочный ответ "
     "свёрнут в одну строку: щёлкните по ней, чтобы развернуть. Под строками — пояснение "
     "шага, состояние сервера до и после и то, что лежит в очередях и ящиках в этот момент; "
     "справа — диаграмма состояний сервера, текущее состояние выделено."),
     ("## 1. Alice writes to Bob (`basic`)\n\nThe player shows the steps one at a time. "
     "◀ ▶ (or the ← → keys while the player has the focus) step back and forward, the ▶ on "
     "the left plays them, the slider jumps to any step, the last button of the top row goes "
     "full screen. Client lines start with `C:` (blue), server replies with `S:` (orange), "
     "events inside a node with `··`. A reply of several lines is folded into one row: click "
     "it to unfold. Under the rows: the step's explanation, the server state before and "
     "after, and what the queues and mailboxes hold at that moment; on the right, the "
     "server's state diagram with the current state highlighted."),
     'player = TracePlayer(runs["basic"].trace, lang=LANG, picture="state")\nplayer'),
    (("Шаг 14 — команда `MAIL FROM`: с неё начинается передача письма. Переключите рисунок "
     "проигрывателя на «последовательность»: стрелки между узлами, текущий шаг выделен."),
     ("Step 14 is the `MAIL FROM` command: the transfer of the message starts there. Switch "
     "the player's picture to “sequence”: the arrows between the nodes, the current step "
     "highlighted."),
     (("# Проигрыватель можно вести из кода: show(N) — перейти к шагу N.\n"
       "player.show(14)\nplayer.step.line"),
      ("# The player can be driven from code: show(N) goes to step N.\n"
       "player.show(14)\nplayer.step.line"))),
    (("Сеть этого сценария. Числа на рёбрах — предпочтения MX из ответов DNS: чем меньше "
     "число, тем раньше отправитель пробует этот сервер (RFC 5321 §5.1)."),
     ("The network of this scenario. The numbers on the edges are MX preferences from the DNS "
     "answers: the lower the number, the earlier a sender tries that server (RFC 5321 §5.1)."),
     'plots.topology(runs["basic"], highlight_hop=("mail.a.test", "mx.b.test"), lang=LANG)'),
    (("Диаграмма состояний SMTP-сервера нарисована прямо из таблицы переходов движка: "
     "если таблица изменится, изменится и рисунок."),
     ("The SMTP server's state diagram is drawn straight from the engine's transition table: "
     "change the table and the picture changes too."),
     'plots.state_diagram("SMTP", current="RCPT", previous="MAIL", lang=LANG)'),
    (("## 2. Маршрут отправителя (`source-route`)\n\nПо RFC 821 отправитель может указать "
     "путь: `<@host1,@host2,@host3:bob@b.test>`. Оставим в проигрывателе только SMTP: "
     "видно, как маршрут в `RCPT TO` укорачивается на каждом переходе."),
     ("## 2. A source route (`source-route`)\n\nRFC 821 lets the sender name the path: "
     "`<@host1,@host2,@host3:bob@b.test>`. Let the player show SMTP only: the route in "
     "`RCPT TO` gets shorter at every hop."),
     ('route = TracePlayer(runs["source-route"].trace, lang=LANG, picture="topology")\n'
     'route.filters["protocol"].value = "SMTP"\nroute')),
    ("Заголовки `Received:` в письме Боба — след всех переходов, сверху самый последний.",
     "The `Received:` headers in Bob's message are the trace of every hop, the latest on top.",
     'MailboxInspector(runs["source-route"].store, lang=LANG, account="bob@b.test")'),
    (("## 3. Возврат письма (`bounce`)\n\nАдреса `nobody@b.test` нет: сервер отвечает 550 на "
     "`RCPT TO`, и Алиса получает уведомление о недоставке (DSN, RFC 3464). Вот его "
     "MIME-структура:"),
     ("## 3. A bounce (`bounce`)\n\nThere is no `nobody@b.test`: the server answers 550 to "
     "`RCPT TO`, and Alice gets a delivery status notification (DSN, RFC 3464). Here is its "
     "MIME structure:"),
     ('dsn = runs["bounce"].store.account("alice@a.test").inbox.messages[0].data\n'
     "plots.mime_tree(dsn, lang=LANG)")),
    (("## 4. Повторные попытки (`retry`)\n\nСервер получателя дважды отвечает 451 "
     "(«попробуйте позже»). Письмо остаётся в очереди; проигрыватель открыт на шаге 42 — "
     "пройдите назад и вперёд: очередь сервера меняется вместе с шагом."),
     ("## 4. Retries (`retry`)\n\nThe recipient's server answers 451 (“try again later”) twice. "
     "The message stays in the queue; the player opens at step 42 — step back and forth: the "
     "server's queue changes with the step."),
     'retry = TracePlayer(runs["retry"].trace, lang=LANG)\nretry.show(42)\nretry'),
    (("## 5. POP3: DELE только помечает (`pop3-dele-rset`)\n\nБоб забирает почту по POP3. "
     "`DELE` помечает письмо, `RSET` снимает пометки, а удаление происходит только в "
     "состоянии UPDATE после `QUIT` (RFC 1939 §6). Справа видны пометки сеанса."),
     ("## 5. POP3: DELE only marks (`pop3-dele-rset`)\n\nBob fetches his mail over POP3. "
     "`DELE` marks a message, `RSET` clears the marks, and deletion happens only in the "
     "UPDATE state after `QUIT` (RFC 1939 §6). The marks of the session are shown on the right."),
     ('pop3 = TracePlayer(runs["pop3-dele-rset"].trace, lang=LANG, picture="state")\n'
     'pop3.filters["protocol"].value = "POP3"\npop3')),
    (("Диаграммы состояний POP3 и POP2 — из тех же таблиц, что исполняет сервер. Пунктир — "
     "переходы, которые сервер делает сам."),
     ("The POP3 and POP2 state diagrams come from the same tables the server runs. Dashed "
     "arrows are moves the server makes on its own."),
     ('display(plots.state_diagram("POP3", current="TRANSACTION", lang=LANG))\n'
     'plots.state_diagram("POP2", lang=LANG)')),
    (("## 6. Поговорите с сервером сами: консоль POP3 (`pop3-basic`)\n\nКонсоль — это "
     "telnet в тетради. Она подключается к POP3-серверу сценария `pop3-basic`, когда письма "
     "Бобу уже доставлены. Наберите команду и нажмите «Отправить» (или Enter): `USER bob@b.test`, "
     "`PASS bob-pw`, `STAT`, `LIST`, `RETR 1`, `DELE 1`, `QUIT`. Под каждой строкой — "
     "пояснение, справа — состояние сервера и команды, которые в нём разрешены, внизу — "
     "диаграмма состояний."),
     ("## 6. Talk to the server yourself: a POP3 console (`pop3-basic`)\n\nThe console is a "
     "telnet inside the notebook. It connects to the POP3 server of the `pop3-basic` scenario "
     "once Bob's mail has been delivered. Type a command and press Send (or Enter): "
     "`USER bob@b.test`, `PASS bob-pw`, `STAT`, `LIST`, `RETR 1`, `DELE 1`, `QUIT`. Each line "
     "has its explanation under it; on the right are the server's state and the commands it "
     "allows there, and the state diagram is below."),
     'console = ProtocolConsole.simulated("pop3-basic", "POP3", lang=LANG)\nconsole'),
    (("Консоль выше уже получила три команды: `USER`, `PASS` и `STAT`. После `PASS` сервер "
     "переходит в состояние TRANSACTION."),
     ("The console above has already been sent three commands: `USER`, `PASS` and `STAT`. "
     "After `PASS` the server moves to the TRANSACTION state."),
     (("# Команды можно отправлять и из кода: консоль покажет их так же, как набранные.\n"
       'for command in ("USER bob@b.test", "PASS bob-pw", "STAT"):\n'
       '    console.submit(command)\nconsole.session.state'),
      ("# Commands can be sent from code too: the console shows them as if typed.\n"
       'for command in ("USER bob@b.test", "PASS bob-pw", "STAT"):\n'
       '    console.submit(command)\nconsole.session.state'))),
    (("## 7. IMAP: ответы не по порядку (`imap-pipelining`)\n\nКлиент отправляет три команды "
     "одной пачкой: `A1 FETCH` большого письма (200 КБ), `A2 NOOP` и `A3 STATUS`. Каждая "
     "команда IMAP начинается с метки, и ответ с той же меткой её завершает, поэтому сервер "
     "может закончить `A2` и `A3` раньше `A1` (RFC 9051 §5.5). На диаграмме у команды и её "
     "завершения одна и та же цветная метка, строки без метки (`*`) отмечены фиолетовым, а "
     "рядом с обогнавшими ответами написано, кого они обогнали. Справа видно, что знает "
     "этот сеанс: выбранный ящик, EXISTS и флаги писем."),
     ("## 7. IMAP: replies out of order (`imap-pipelining`)\n\nThe client sends three commands "
     "in one go: `A1 FETCH` of a big (200 kB) message, `A2 NOOP` and `A3 STATUS`. Every IMAP "
     "command starts with a tag and the reply with the same tag completes it, so the server may "
     "finish `A2` and `A3` before `A1` (RFC 9051 §5.5). In the diagram a command and its "
     "completion carry the same coloured tag, untagged lines (`*`) are marked in purple, and "
     "the replies that overtook others say which. On the right you see what this session "
     "knows: the selected mailbox, EXISTS and the messages' flags."),
     ('imap = TracePlayer(runs["imap-pipelining"].trace, lang=LANG, picture="sequence")\n'
     'imap.filters["protocol"].value = "IMAP"\n'
     'imap.show(next(s.number for s in imap.trace if s.line.startswith("A2 OK")))\nimap')),
    (("## Вопросы\n\n1. На каком шаге сценария `basic` сервер `mail.a.test` берёт на себя "
     "ответственность за письмо? Что об этом говорит ответ сервера?\n2. Почему в `retry` "
     "отправитель не возвращает письмо Алисе после ответа 451?\n3. Чем `DELE` в POP3 "
     "отличается от удаления письма сразу?\n4. Почему в `imap-pipelining` ответ `A2 OK` "
     "пришёл раньше `A1 OK`, и как клиент понимает, к какой команде он относится?"),
     ("## Questions\n\n1. At which step of `basic` does `mail.a.test` take responsibility for "
     "the message? What in the server's reply says so?\n2. Why does the sender in `retry` not "
     "return the message to Alice after the 451 reply?\n3. How is POP3's `DELE` different "
     "from deleting the message at once?\n4. Why does `A2 OK` arrive before `A1 OK` in "
     "`imap-pipelining`, and how does the client know which command it belongs to?"), None),
]


RUN_HINT = {"ru": "Выполните ячейки по порядку: Shift+Enter или меню Run → Run All Cells.",
            "en": "Run the cells in order: Shift+Enter, or the menu Run → Run All Cells."}

# The index: the first page in JupyterLab and the students' entry page in Voilà.
INDEX_TEXT = {
    "ru": ("# Почтовые протоколы\n\nИнтерактивный курс: SMTP, POP3, POP2, IMAP и DNS на настоящих "
           "байтах протоколов, с пояснением каждого шага.\n\n"
           "1. [{tour}]({tour_file}) — письмо от Алисы к Бобу, маршрут отправителя, возврат "
           "письма, повторные попытки, POP3 и IMAP; консоль, в которой можно поговорить с "
           "сервером самому.\n\n"
           "*English version:* [{other}](../{other_file})"),
    "en": ("# E-mail protocols\n\nAn interactive course: SMTP, POP3, POP2, IMAP and DNS on real "
           "protocol bytes, with every step explained.\n\n"
           "1. [{tour}]({tour_file}) — Alice writes to Bob, a source route, a bounce, retries, "
           "POP3 and IMAP; a console where you talk to a server yourself.\n\n"
           "*Русская версия:* [{other}](../{other_file})"),
}


def _notebook(cells: list, prefix: str, title: str) -> nbformat.NotebookNode:
    for number, cell in enumerate(cells):
        cell.id = f"{prefix}-{number:02d}"   # stable ids: regenerating gives no spurious diff
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.metadata["title"] = title      # the page title in Voilà and nbconvert
    return notebook


def build(lang: str) -> nbformat.NotebookNode:
    """The tour notebook in ``lang``: markdown in that language, the same code cells."""
    cells = []
    for ru, en, code in CELLS:
        cells.append(new_markdown_cell(ru if lang == "ru" else en))
        if isinstance(code, tuple):
            code = code[0] if lang == "ru" else code[1]
        if code is not None:
            cells.append(new_code_cell(code.format(lang=lang, run_hint=RUN_HINT[lang])
                                       if "{lang" in code else code))
    return _notebook(cells, "tour", TITLES[lang]["tour"])


def build_index(lang: str) -> nbformat.NotebookNode:
    """The course index in ``lang``: markdown only, links relative (JupyterLab and Voilà)."""
    other = "en" if lang == "ru" else "ru"
    text = INDEX_TEXT[lang].format(tour=TITLES[lang]["tour"], tour_file=Path(TOUR[lang]).name,
                                   other=TITLES[other]["index"], other_file=INDEX[other])
    return _notebook([new_markdown_cell(text)], "index", TITLES[lang]["index"])


def main() -> None:
    for lang in ("ru", "en"):
        (HERE / lang).mkdir(exist_ok=True)
        nbformat.write(build(lang), HERE / TOUR[lang])
        nbformat.write(build_index(lang), HERE / INDEX[lang])


if __name__ == "__main__":
    main()
