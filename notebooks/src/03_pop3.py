"""03 POP3 and POP2: states, DELE at QUIT, RSET, the lock, APOP by hand, LAST, POP2,
leave-a-copy, the RFC timeline (Q2, Q3; E1–E6, E19)."""
from _nb import SETUP, check, code, md, names, quiz

FILES, TITLE = names(3)

CELLS = [
    md("""
# POP3 и POP2: забрать почту

POP3 (RFC 1939) — протокол, которым почтовая программа забирает письма из ящика на сервере:
войти, узнать, что лежит, скачать, удалить. Здесь вы проследите три состояния сеанса, увидите,
когда письмо удаляется на самом деле, вычислите APOP вручную и сравните POP3 с его
предшественником POP2. Отвечает на контрольные вопросы 2 (POP2 и POP3) и 3 (что такое APOP).
""", """
# POP3 and POP2: fetching mail

POP3 (RFC 1939) is how a mail program takes messages from a mailbox on a server: log in, see
what is there, download, delete. Here you follow the three states of a session, see when a
message is really deleted, compute APOP by hand and compare POP3 with its predecessor POP2. It
answers control questions 2 (POP2 vs POP3) and 3 (what APOP is).
"""),
    SETUP,
    md("""
## 1. Три состояния: AUTHORIZATION, TRANSACTION, UPDATE

Сеанс начинается в AUTHORIZATION (вход по `USER`/`PASS` или `APOP`), после входа — TRANSACTION
(`STAT`, `LIST`, `RETR`, `DELE`, `RSET`, `NOOP`, `UIDL`, `TOP`), а `QUIT` переводит сервер в
UPDATE, где и удаляются помеченные письма. Диаграмма нарисована из таблицы переходов сервера;
проигрыватель ниже показывает сеанс из RFC 1939 §10 с текущим состоянием на диаграмме.
""", """
## 1. Three states: AUTHORIZATION, TRANSACTION, UPDATE

A session starts in AUTHORIZATION (login by `USER`/`PASS` or `APOP`), moves to TRANSACTION after
the login (`STAT`, `LIST`, `RETR`, `DELE`, `RSET`, `NOOP`, `UIDL`, `TOP`), and `QUIT` takes the
server to UPDATE, where the marked messages are removed. The diagram is drawn from the server's
transition table; the player below shows the session of RFC 1939 §10 with the current state on
the diagram.
"""),
    code('''
basic = TracePlayer(simulate(load_builtin("pop3-basic")).trace, lang=LANG, picture="state")
basic.filters["protocol"].value = "POP3"
basic
'''),
    md("""
Что значит каждое состояние (у клиента есть ещё GREETING — ожидание приветствия):
""", """
What each state means (the client also has GREETING, waiting for the greeting):
"""),
    code('''
from simulator.protocols import pop3 as pop3_engine

states_table([str(state) for state in pop3_engine.State], "pop3.state")
'''),
    md("""
## 2. `DELE` только помечает, `QUIT` удаляет

Частое заблуждение: «`QUIT` закрывает соединение». В состоянии TRANSACTION `QUIT` сначала
переводит сервер в UPDATE, и только там помеченные письма удаляются (RFC 1939 §6). Если
соединение оборвалось без `QUIT`, ничего не удаляется. Проверим на самом сервере POP3
симулятора: два сеанса помечают письмо 1, первый завершается `QUIT`, второй обрывается.
""", """
## 2. `DELE` only marks, `QUIT` deletes

A common misconception: “`QUIT` closes the connection”. In TRANSACTION, `QUIT` first takes the
server to UPDATE, and only there are the marked messages removed (RFC 1939 §6). If the
connection breaks without `QUIT`, nothing is deleted. Let us check on the simulator's own POP3
server: two sessions mark message 1; the first ends with `QUIT`, the second breaks off.
"""),
    code('''
import dataclasses

from simulator.locale import explain
from simulator.mail.maildrop import StoreMaildrop
from simulator.protocols.pop3 import POP3Config, POP3Server


def mailbox():
    """Bob's mailbox of pop3-basic with both messages delivered and nobody reading it."""
    scenario = load_builtin("pop3-basic")
    return simulate(dataclasses.replace(scenario, sessions=())).store


def pop3(store, lines, end=b"", **config):
    """Run a POP3 server engine on ``store``: the lines in, then ``end``; the dialogue out.
    ``config``: POP3Config options, e.g. historical=True (RFC 1225) or stls=True."""
    server = POP3Server(POP3Config("mail.b.test", **config), StoreMaildrop(store),
                        session_id="notebook")
    server.initiate()
    for line in lines:
        server.receive_data(line.encode() + b"\\r\\n")
    if end == b"":
        server.receive_data(b"")               # the connection breaks
    return server.take_transcript()


def show(dialogue):
    return table(("", tr("строка", "line"), tr("пояснение", "explanation")),
                 [("C:" if u.direction == "c2s" else "S:", (u.line.splitlines() or [""])[0],
                   explain(u.explain, u.params, LANG)) for u in dialogue], mono=(1,))


login = ["USER bob@b.test", "PASS bob-pw"]
quits, breaks = mailbox(), mailbox()
display(show(pop3(quits, login + ["DELE 1", "QUIT"], end=None)))
display(show(pop3(breaks, login + ["DELE 1"])))
table((tr("сеанс", "session"), tr("осталось писем", "messages left")),
      [("DELE 1, QUIT", len(quits.account("bob@b.test").inbox.messages)),
       (tr("DELE 1, обрыв связи", "DELE 1, connection lost"),
        len(breaks.account("bob@b.test").inbox.messages))])
'''),
    md("""
`RSET` снимает все пометки, а повторный `DELE` того же письма получает `-ERR`. Сценарий
`pop3-dele-rset` — справа видно, какие письма помечены на каждом шаге.
""", """
`RSET` clears every mark, and a second `DELE` of the same message gets `-ERR`. The
`pop3-dele-rset` scenario; the right-hand side shows which messages are marked at each step.
"""),
    code('''
rset = TracePlayer(simulate(load_builtin("pop3-dele-rset")).trace, lang=LANG)
rset.filters["protocol"].value = "POP3"
rset
'''),
    md("""
## 3. Блокировка ящика

Пока один клиент в состоянии TRANSACTION, ящик заперт: второй клиент получает `-ERR [IN-USE]`
(RFC 2449 §8.1.2). Так POP3 не даёт двум программам одновременно удалять письма.
""", """
## 3. The maildrop lock

While one client is in TRANSACTION, the maildrop is locked: a second client gets
`-ERR [IN-USE]` (RFC 2449 §8.1.2). That is how POP3 keeps two programs from deleting at once.
"""),
    code('''
lock = simulate(load_builtin("pop3-lock")).trace
steps_table(lock.filter(code="-ERR") + [s for s in lock if "messages left" in s.line], LANG)
'''),
    md("""
## 4. APOP вручную

APOP (RFC 1939 §7) — не шифрование. Сервер в приветствии присылает уникальную метку вида
`<pid.время@узел>`, клиент отправляет MD5 от «метка + общий секрет», сервер считает то же самое
и сравнивает. Пароль по сети не идёт, но всё остальное — письма, адреса — идёт открытым
текстом. Посчитаем хэш сами, по байтам из трассы `pop3-apop`:
""", """
## 4. APOP by hand

APOP (RFC 1939 §7) is not encryption. The server's greeting carries a unique timestamp
`<pid.clock@host>`, the client sends the MD5 of “timestamp + shared secret”, the server computes
the same and compares. The password never crosses the network, but everything else — the
messages, the addresses — travels in clear text. Let us compute the digest ourselves from the
bytes of the `pop3-apop` trace:
"""),
    code('''
import hashlib
import re

apop = simulate(load_builtin("pop3-apop")).trace
greeting = next(s.line for s in apop if s.explain == "pop3.reply.greeting_apop")
command = next(s.line for s in apop if s.line.startswith("APOP"))
timestamp = re.search(r"<[^>]+>", greeting).group(0)
digest = hashlib.md5((timestamp + "bob-pw").encode()).hexdigest()
print(greeting, command, f"md5({timestamp}bob-pw) = {digest}", sep="\\n")
print(tr("пароль в сети:", "the password on the wire:"),
      any(b"bob-pw" in s.raw for s in apop if s.protocol == "POP3"))
assert command.endswith(digest)
'''),
    md("""
MD5 давно считается слабым (RFC 6151): тот, кто записал приветствие и ответ, может перебирать
пароли у себя, не обращаясь к серверу. Словарь из пяти слов находит пароль Боба сразу:
""", """
MD5 is long considered weak (RFC 6151): whoever recorded the greeting and the reply can try
passwords offline, without asking the server. A dictionary of five words finds Bob's password
at once:
"""),
    code('''
for guess in ("123456", "password", "qwerty", "bob", "bob-pw"):
    if hashlib.md5((timestamp + guess).encode()).hexdigest() == command.split()[-1]:
        print(tr("найден:", "found:"), guess)
'''),
    md("""
## 5. Команды, которых больше нет: `LAST`

`LAST` была в RFC 1225, но RFC 1725 (1994) её убрал и добавил `UIDL`; в RFC 1939 её тоже нет.
Один и тот же сервер симулятора в двух режимах: по RFC 1939 и в историческом режиме RFC 1225.
""", """
## 5. Commands that are gone: `LAST`

`LAST` was in RFC 1225, but RFC 1725 (1994) removed it and added `UIDL`; RFC 1939 does not have
it either. The same simulator server in two modes: RFC 1939 and the historical RFC 1225 mode.
"""),
    code('''
lines = login + ["RETR 1", "LAST", "UIDL", "TOP 1 0", "NOOP", "CAPA", "QUIT"]
display(show(pop3(mailbox(), lines, end=None)[7:9]))
show(pop3(mailbox(), lines, historical=True, end=None)[7:])
'''),
    md("""
## 6. POP2 рядом с POP3

POP2 (RFC 937, порт 109) отличается не только портом. Вход — одной командой `HELO` с паролем;
ответы — `+`, `-`, `#` (число писем) и `=` (размер письма) вместо `+OK`/`-ERR`; текст письма
идёт ровно столько байт, сколько объявлено в `=`, без точки в конце; после каждого письма
клиент говорит `ACKS` (оставить), `ACKD` (удалить) или `NACK` (не получено). Таблица — один и
тот же ящик в сценарии `pop2-vs-pop3`:
""", """
## 6. POP2 beside POP3

POP2 (RFC 937, port 109) differs in more than the port. The login is one `HELO` command with the
password; the replies are `+`, `-`, `#` (the number of messages) and `=` (a message's size)
instead of `+OK`/`-ERR`; the message text is exactly as many bytes as `=` announced, with no
final dot; after each message the client says `ACKS` (keep), `ACKD` (delete) or `NACK` (not
received). The table is one mailbox in the `pop2-vs-pop3` scenario:
"""),
    code('''
both = simulate(load_builtin("pop2-vs-pop3")).trace
rows = {p: [s for s in both if s.protocol == p and s.direction != "internal"]
        for p in ("POP2", "POP3")}
table(("POP2", "POP3"),
      [(a.line.splitlines()[0] if a else "", b.line.splitlines()[0] if b else "")
       for a, b in zip(rows["POP2"] + [None] * 20, rows["POP3"] + [None] * 20)
       if a or b], mono=(0, 1))
'''),
    code('''
from simulator.protocols import pop2 as pop2_engine

display(plots.state_diagram("POP2", current="ITEM", lang=LANG))
display(states_table(plots.state_table("POP2").states, "pop2.state"))
states_table(pop2_engine.CLIENT_STATES, "pop2.state")
'''),
    md("""
## 7. «Оставлять копии на сервере» и UIDL

Телефон оставляет письма на сервере и запоминает их UIDL — уникальные номера, не меняющиеся
между сеансами, — поэтому ничего не скачивает дважды; ноутбук скачивает и удаляет. Обратите
внимание: отправленные письма POP3 не видит вовсе — копию отправленного хранит сама почтовая
программа (или кладёт её по IMAP в папку «Отправленные», тетрадь 4).
""", """
## 7. “Leave a copy on the server” and UIDL

The phone leaves messages on the server and remembers their UIDLs — unique ids that stay the
same between sessions — so it downloads nothing twice; the laptop downloads and deletes. Note
that POP3 never sees sent mail at all: the mail program keeps its own copy of what it sent (or
stores it over IMAP in Sent, notebook 4).
"""),
    code('''
copies = TracePlayer(simulate(load_builtin("pop3-leave-copy")).trace, lang=LANG)
copies.filters["protocol"].value = "POP3"
copies
'''),
    md("""
## 8. Хронология: кто старше, POP или IMAP?

POP3 сегодня — RFC 1939 (STD 53), а не RFC 1225: между ними RFC 1460 и RFC 1725 (в 1725 исчез
и раздел о «split UA»). IMAP не моложе POP3: IMAP2 (RFC 1064) и POP3 (RFC 1081) вышли в одном
1988 году, а действующая версия IMAP — IMAP4rev2, RFC 9051 (2021).
""", """
## 8. A timeline: which is older, POP or IMAP?

POP3 today is RFC 1939 (STD 53), not RFC 1225: RFC 1460 and RFC 1725 came in between (1725 also
dropped the text on “split UA”). IMAP is no younger than POP3: IMAP2 (RFC 1064) and POP3
(RFC 1081) both came out in 1988, and the current IMAP is IMAP4rev2, RFC 9051 (2021).
"""),
    code('''
from matplotlib.figure import Figure

history = {"POP": [(918, 1984, "POP1"), (937, 1985, "POP2"), (1081, 1988, "POP3"),
                   (1225, 1991, ""), (1460, 1993, ""), (1725, 1994, "−LAST +UIDL"),
                   (1939, 1996, "STD 53")],
           "IMAP": [(1064, 1988, "IMAP2"), (1176, 1990, ""), (1730, 1994, "IMAP4"),
                    (2060, 1996, "rev1"), (3501, 2003, ""), (9051, 2021, "IMAP4rev2")]}
figure = Figure(figsize=(9, 2.4))
axes = figure.subplots()
for row, (family, documents) in enumerate(history.items()):
    years = [year for _, year, _ in documents]
    axes.plot(years, [row] * len(years), "o-", color=("#0072b2", "#d55e00")[row])
    for number, year, note in documents:
        axes.annotate(f"RFC {number}\\n{year} {note}".strip(), (year, row), fontsize=7,
                      xytext=(0, 8 if number % 2 else -22), textcoords="offset points",
                      ha="center")
axes.set_yticks([0, 1], list(history))
axes.set_ylim(-0.8, 1.8)
axes.spines[["top", "right"]].set_visible(False)
figure
'''),
    md("""
## 9. Как сервер отказывает

Сервер POP3 отвечает `-ERR` с объяснением, сервер POP2 — строкой с `-`. Каждая строка ниже
отправлена серверу; обратите внимание, после скольких неверных паролей сервер POP3 прекращает
разговор, и что он отвечает на `APOP`, если в приветствии не было метки, и на `STLS`, если TLS
не предлагается.
""", """
## 9. How a server says no

A POP3 server answers `-ERR` with an explanation, a POP2 server a line starting with `-`. Each
line below was sent to a server; note after how many wrong passwords the POP3 server ends the
conversation, and what it says to `APOP` when its greeting had no timestamp, and to `STLS` when
it offers no TLS.
"""),
    code('''
wrong = ["STAT", "STLS", "USER bob@b.test", "PASS wrong", "USER bob@b.test", "PASS wrong",
         "USER bob@b.test", "PASS wrong"]
display(show(pop3(mailbox(), wrong, end=None)))
session = login + ["LIST 1", "UIDL 1", "RETR 99", "RETR x", "TOP 1 x", "LIST 1 2", "",
                   "FOO", "NO\\x07OP", "NOOP " + "x" * 300, "STLS", "QUIT"]
display(show(pop3(mailbox(), session, end=None)))
display(show(pop3(mailbox(), ["APOP bob@b.test 0123", "STLS", "STLS", "QUIT"], end=None,
                  stls=True)))
show(pop3(mailbox(), ["USER bob@b.test", "QUIT"], end=None, stls=True, plaintext_login=False))
'''),
    code('''
steps_table(attempts("pop2-vs-pop3", "POP2",
                     ["READ", "HELO bob@b.test", "FOO", "HE\\x07LO x y", "HELO " + "x" * 600,
                      "HELO bob@b.test bob-pw", "FOLD INBOX", "READ x", "READ 9", "RETR",
                      "READ 1", "RETR", "NACK", "ACKS", "FOLD", "QUIT"],
                     ["HELO bob@b.test wrong"]), LANG)
'''),
    md("""
Второй `STLS` в уже защищённом сеансе (сервер `mx.b.test` сценария `ports-tls` предлагает TLS):
TLS уже включён, сервер отвечает `-ERR`.
""", """
A second `STLS` in a session that is already protected (the server `mx.b.test` of `ports-tls`
offers TLS): TLS is on already, and the server answers `-ERR`.
"""),
    code('''
steps_table(attempts("ports-tls", "POP3", ["STLS", "STLS", "QUIT"]), LANG)
'''),
    md("""
## 10. Что понимает клиент

До сих пор пояснения давал сервер. Клиентский движок POP3 объясняет те же строки со своей
стороны: ниже он подключён к серверу `pop3-basic` и выполняет `STAT`, `RETR 7` (такого письма
нет) и `NOOP`; затем клиент POP2 входит с неверным паролем. Третья таблица — клиент POP3 и
сервер другой программы, который знает команду `UTF8` (RFC 6856): её `+OK` клиенту не знаком, и
он понимает его просто как «да». Последняя строка — вместо приветствия POP3 пришёл ответ
веб-сервера: клиент не может продолжать, и в трассе сети это выглядит как ошибка протокола.
""", """
## 10. What the client understands

So far the explanations came from the server. The POP3 client engine explains the same lines
from its side: below it is connected to the server of `pop3-basic` and runs `STAT`, `RETR 7`
(there is no such message) and `NOOP`; then a POP2 client logs in with a wrong password. The
third table: the POP3 client and a server of another make that knows the `UTF8` command
(RFC 6856): the client has no special reading of its `+OK`, so it takes it as a plain “yes”. The
last row: instead of a POP3 greeting a web server's answer arrived; the client cannot go on, and
the network's trace calls that a protocol error.
"""),
    code('''
from simulator.protocols import RemoteProtocolError
from simulator.protocols.pop2 import POP2Client
from simulator.protocols.pop3 import POP3Client


def drive(session, client, limit=20):
    """The client engine talks to a server of the scenario: the client's own transcript."""
    for step in session.open():
        client.receive_data(step.raw)
    for _ in range(limit):
        out = client.data_to_send()
        if not out:
            break
        for line in out.split(b"\\r\\n")[:-1]:
            for step in session.send(line):
                if step.direction == "s2c":
                    client.receive_data(step.raw)
    return client.take_transcript()


def understood(transcript):
    return table(("", tr("строка", "line"), tr("как понял клиент", "what the client understood")),
                 [("C:" if u.direction == "c2s" else "S:", (u.line.splitlines() or [""])[0],
                   t(u.explain, LANG, **u.params)) for u in transcript], mono=(1,))


display(understood(drive(SimulatedSession("pop3-basic", "POP3"),
                         POP3Client("bob", "bob-pw", script=["STAT", "RETR 7", "NOOP"]))))
display(understood(drive(SimulatedSession("pop2-vs-pop3", "POP2"), POP2Client("bob", "bob-wp"))))
other = POP3Client("bob", "bob-pw", script=["UTF8"])   # the server's lines are typed in here
for line in (b"+OK Dovecot ready.", b"+OK", b"+OK Logged in.", b"+OK UTF8 enabled"):
    other.receive_data(line + b"\\r\\n")
    other.data_to_send()
display(understood(other.take_transcript()))
try:
    POP3Client("bob", "bob-pw").receive_data(b"HTTP/1.1 400 Bad Request\\r\\n")
except RemoteProtocolError as err:
    print(t("event.net.protocol_error", LANG, error=err), "—",
          t("net.protocol_error", LANG, error=err))
'''),
    *quiz('pop', 'pop-dele-rset', 'pop-last', 'pop-current-rfc', 'pop-task-delete'),
    check(
        ("Что такое APOP? Шифрует ли он пароль или письма?",
         "What is APOP? Does it encrypt the password or the messages?",
         "Вход в POP3 «запрос — ответ»: клиент шлёт MD5(метка из приветствия + секрет). Пароль "
         "по сети не идёт, но ничего не шифруется, а MD5 можно перебрать по словарю; "
         "защищает канал только TLS (STLS или порт 995).",
         "A challenge-response POP3 login: the client sends MD5(greeting timestamp + secret). "
         "The password never crosses the wire, but nothing is encrypted and MD5 can be "
         "brute-forced from a dictionary; only TLS (STLS or port 995) protects the channel."),
        ("Чем POP2 отличается от POP3, кроме порта?",
         "How does POP2 differ from POP3 besides the port?",
         "Команды (`HELO`, `FOLD`, `READ`, `RETR`, `ACKS`/`ACKD`/`NACK`), ответы (`+ - # =`), "
         "разметка письма (длина заранее вместо точки в конце), подтверждение после каждого "
         "письма.",
         "The commands (`HELO`, `FOLD`, `READ`, `RETR`, `ACKS`/`ACKD`/`NACK`), the replies "
         "(`+ - # =`), the framing (a byte count instead of a final dot), an acknowledgement "
         "after each message."),
        ("Клиент отправил `DELE 1`, и связь оборвалась. Осталось ли письмо на сервере?",
         "A client sent `DELE 1` and the connection broke. Is the message still there?",
         "Да: удаление происходит только в состоянии UPDATE после `QUIT` (RFC 1939 §6).",
         "Yes: deletion happens only in UPDATE, after `QUIT` (RFC 1939 §6)."),
        ("Можно ли сегодня ждать от сервера POP3 ответа на `LAST`?",
         "Can you expect a POP3 server to answer `LAST` today?",
         "Нет: команду убрал RFC 1725, вместо неё `UIDL`. Современный сервер ответит `-ERR`.",
         "No: RFC 1725 removed it in favour of `UIDL`. A current server answers `-ERR`."),
        ("Покажет ли POP3 с включённым «оставлять копии» письма, которые вы отправили?",
         "Does POP3 with “leave a copy” show the messages you sent?",
         "Нет: POP3 видит только входящий ящик; копия отправленного — забота почтовой "
         "программы (IMAP `APPEND` в «Отправленные»).",
         "No: POP3 sees only the incoming maildrop; the copy of sent mail is the mail "
         "program's business (IMAP `APPEND` to Sent)."),
    ),
]
