"""04 IMAP: folders, flags, server-side search, what a client fetches, tags and untagged
data, two clients, shared folders, IDLE, pipelining; POP3 and IMAP on one mailbox
(Q4, Q5; E6, E7, E8, E20)."""
from _nb import SETUP, check, code, md, names, quiz

FILES, TITLE = names(4)

CELLS = [
    md("""
# IMAP: почта остаётся на сервере

IMAP (сегодня IMAP4rev2, RFC 9051) не «забирает» письма, а работает с ящиком на сервере: папки,
флаги («прочитано», «отвечено», «важное»), поиск, несколько клиентов одновременно. В этой
тетради вы сами поговорите с сервером IMAP, посмотрите, что клиент на самом деле скачивает,
и сравните IMAP с POP3 на одном и том же ящике. Отвечает на контрольные вопросы 4 (POP и IMAP)
и 5 (какой протокол позволяет читать почту без загрузки и какой удобнее).
""", """
# IMAP: mail stays on the server

IMAP (today IMAP4rev2, RFC 9051) does not “take” messages away; it works on the mailbox on the
server: folders, flags (“seen”, “answered”, “flagged”), search, several clients at once. In this
notebook you talk to an IMAP server yourself, see what a client really downloads and compare
IMAP with POP3 on one and the same mailbox. It answers control questions 4 (POP vs IMAP) and 5
(which protocol reads mail without downloading it first, and which is more convenient).
"""),
    SETUP,
    md("""
## 1. Консоль IMAP: метки и непомеченные ответы

Каждая команда IMAP начинается с метки (`a`, `b`, `A1` …), которую выбирает клиент. Сервер
присылает данные строками, начинающимися со `*` (**непомеченные**), и только последней строкой
— завершение с меткой команды: `OK`, `NO` или `BAD` (RFC 9051 §2.2.2). Непомеченные строки
сервер может прислать и сам, без запроса — например, `* 4 EXISTS` о новом письме. Команды ниже
уже отправлены; продолжите сами: `m SELECT INBOX`, `n SEARCH UNSEEN`, `o FETCH 2 (FLAGS)`.
""", """
## 1. An IMAP console: tags and untagged responses

Every IMAP command starts with a tag (`a`, `b`, `A1` …) the client chooses. The server sends
its data in lines starting with `*` (**untagged**), and only the last line — the completion —
carries the command's tag: `OK`, `NO` or `BAD` (RFC 9051 §2.2.2). The server may also send
untagged lines on its own, without being asked, e.g. `* 4 EXISTS` for a new message. The
commands below have been sent already; go on yourself: `m SELECT INBOX`, `n SEARCH UNSEEN`,
`o FETCH 2 (FLAGS)`.
"""),
    code('''
imap = ProtocolConsole.simulated("imap-basic", "IMAP", lang=LANG)
for line in ("a LOGIN bob@b.test bob-pw", "b CAPABILITY", "c NAMESPACE", "d SELECT INBOX",
             "e FETCH 1:* (FLAGS RFC822.SIZE)", "f FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]",
             "g FETCH 1 (FLAGS)", "h FETCH 1 BODY[TEXT]", "i FETCH 1 (FLAGS)",
             "j STORE 1 +FLAGS (\\\\Answered \\\\Flagged)", "k SEARCH UNANSWERED",
             "l EXAMINE INBOX"):
    imap.submit(line)
imap
'''),
    md("""
Состояния сеанса IMAP: диаграмма из таблицы переходов сервера и смысл каждого состояния.
""", """
The states of an IMAP session: the diagram from the server's transition table and what each
state means.
"""),
    code('''
display(plots.state_diagram("IMAP", current="SELECTED", lang=LANG))
states_table(plots.state_table("IMAP").states, "imap.state")
'''),
    md("""
Пять понятий IMAP, на которых держится всё остальное:
""", """
Five IMAP ideas everything else rests on:
"""),
    code('''
table((tr("понятие", "idea"), ""),
      [(name, t(key, LANG)) for name, key in (
          (tr("метка", "tag"), "imap.concept.tag"),
          (tr("ответ без метки", "untagged response"), "imap.concept.untagged"),
          ("UIDVALIDITY", "imap.concept.uidvalidity"),
          ("BODY.PEEK", "imap.concept.peek"),
          ("IMAP / POP3", "imap.concept.vs_pop3"))])
'''),
    md("""
Посчитаем строки ответа по командам: сколько было непомеченных (`*`) и какая одна строка
завершила команду. «Ответ всегда несёт метку» — неверно: данные почти всегда приходят без неё.
""", """
Let us count the reply lines per command: how many were untagged (`*`) and which single line
completed the command. “A reply always carries the tag” is wrong: the data nearly always comes
without one.
"""),
    code('''
rows = []
for exchange in imap.session.trace.exchanges(protocol="IMAP"):
    if exchange.command is not None:
        untagged = [r for r in exchange.replies if r.line.startswith("*")]
        rows.append((exchange.command.line, len(untagged), exchange.reply.line[:60]))
table((tr("команда", "command"), tr("строк *", "untagged *"),
       tr("завершение с меткой", "tagged completion")), rows, mono=(0, 2))
'''),
    md("""
## 2. Что клиент скачивает: заголовки, тело — что попросит

«IMAP загружает только заголовки» — неверно: клиент получает ровно то, что запросил в `FETCH`
(RFC 9051 §6.4.5). Список писем обычно строится по заголовкам и размерам (`BODY.PEEK[HEADER…]`,
`RFC822.SIZE`), а текст скачивается, когда письмо открывают. Обратите внимание на флаги в
консоли выше: после `BODY.PEEK` письмо осталось непрочитанным, а после `BODY[TEXT]` получило
`\\Seen`. Таблица — сколько байт скачал список писем в `imap-basic` и сколько весят письма
целиком (третье — с фотографией):
""", """
## 2. What a client downloads: headers, the body — whatever it asks for

“IMAP downloads only the headers” is wrong: the client gets exactly what it asks for in `FETCH`
(RFC 9051 §6.4.5). A message list is usually built from headers and sizes
(`BODY.PEEK[HEADER…]`, `RFC822.SIZE`), and the text is downloaded when the message is opened.
Note the flags in the console above: after `BODY.PEEK` the message stayed unread, after
`BODY[TEXT]` it got `\\Seen`. The table: how many bytes the message list of `imap-basic`
downloaded, and how big the messages are in full (the third carries a photo):
"""),
    code('''
listing = simulate(load_builtin("imap-basic"))
fetched = sum(len(s.raw) for s in listing.trace.filter(command="FETCH")
              if s.direction == "s2c")
sizes = [len(m.data) for m in listing.store.account("bob@b.test").inbox.messages]
table(("", tr("октетов", "octets")),
      [(tr("FETCH (заголовки, размеры)", "FETCH (headers, sizes)"), fetched)]
      + [(tr(f"письмо {n}", f"message {n}"), size) for n, size in enumerate(sizes, 1)])
'''),
    md("""
## 3. Папки и флаги

У каждого пользователя есть папка INBOX, а остальные (Sent, Archive, Trash …) создаёт клиент:
`CREATE`, `RENAME`, `DELETE`, письма переносит `MOVE` или `COPY`. Флаги хранятся на сервере:
`\\Seen`, `\\Answered`, `\\Flagged`, `\\Deleted`, `\\Draft` и слова вроде `$Work`. Сценарий
`imap-folders` и ящик Боба после него:
""", """
## 3. Folders and flags

Every user has an INBOX; the client creates the rest (Sent, Archive, Trash …) with `CREATE`,
`RENAME`, `DELETE`, and moves messages with `MOVE` or `COPY`. Flags live on the server:
`\\Seen`, `\\Answered`, `\\Flagged`, `\\Deleted`, `\\Draft` and keywords such as `$Work`. The
`imap-folders` scenario and Bob's mailbox after it:
"""),
    code('''
folders = simulate(load_builtin("imap-folders"))
folders_player = TracePlayer(folders.trace, lang=LANG)
folders_player.filters["protocol"].value = "IMAP"
display(folders_player)
MailboxInspector(folders.store, lang=LANG, account="bob@b.test")
'''),
    md("""
Отправленное письмо SMTP никуда не сохраняет: копию в «Отправленные» кладёт сама почтовая
программа командой `APPEND` (сценарий `imap-append`). Так одна и та же папка Sent видна с
любого устройства.
""", """
SMTP keeps no copy of a sent message: the mail program itself stores one in Sent with `APPEND`
(the `imap-append` scenario). That is how one Sent folder is seen from every device.
"""),
    code('''
steps_table(simulate(load_builtin("imap-append")).trace.filter(command="APPEND"), LANG)
'''),
    md("""
## 4. Поиск на сервере

`SEARCH` выполняет сервер: клиенту не нужно скачивать письма, чтобы найти нужные. Ответ —
номера подходящих писем в строке `* SEARCH`.
""", """
## 4. Server-side search

The server runs `SEARCH`: the client need not download the messages to find the ones it wants.
The answer is the numbers of the matching messages in a `* SEARCH` line.
"""),
    code('''
search = simulate(load_builtin("imap-search")).trace
table(("SEARCH", "* SEARCH"),
      [(x.command.line.split(" ", 2)[2], x.replies[0].line)
       for x in search.exchanges(command="SEARCH")], mono=(0, 1))
'''),
    md("""
## 5. Два клиента на одном ящике

Телефон и ноутбук открыли один ящик. Телефон помечает письмо прочитанным и удаляет другое;
ноутбук узнаёт о флагах при следующем `FETCH`, а об удалении — только при `NOOP`: во время
`FETCH`, `STORE` и `SEARCH` сервер не имеет права сдвигать номера писем (RFC 3501 §7.4.1).
""", """
## 5. Two clients on one mailbox

A phone and a laptop have opened the same mailbox. The phone marks one message seen and deletes
another; the laptop learns of the flags at its next `FETCH`, but of the removal only at `NOOP`:
during `FETCH`, `STORE` and `SEARCH` the server may not renumber the messages (RFC 3501 §7.4.1).
"""),
    code('''
two = TracePlayer(simulate(load_builtin("imap-two-clients")).trace, lang=LANG,
                  picture="sequence")
two.filters["protocol"].value = "IMAP"
two
'''),
    md("""
## 6. Общие папки

Сервер может показывать папки одного аккаунта всем как `Shared/…` (пространство имён, RFC 2342).
В `imap-shared` Боб кладёт письмо клиента в `Shared/Support`, Кэрол отвечает и ставит
`\\Answered`, а Боб видит этот флаг: одна папка, одни UID и флаги на двоих.
""", """
## 6. Shared folders

A server can show one account's folders to everybody as `Shared/…` (a namespace, RFC 2342). In
`imap-shared` Bob files a customer's message into `Shared/Support`, Carol answers and sets
`\\Answered`, and Bob sees that flag: one folder, the same UIDs and flags for both.
"""),
    code('''
shared = simulate(load_builtin("imap-shared"))
shared_player = TracePlayer(shared.trace, lang=LANG, picture="sequence")
shared_player.filters["protocol"].value = "IMAP"
display(shared_player)
answered = [s for s in shared.trace if s.line.startswith("* 1 FETCH") and "Answered" in s.line]
steps_table(shared.trace.filter(command="NAMESPACE") + answered, LANG)
'''),
    md("""
## 7. IDLE: сервер сообщает о новом письме сам

Клиент отправляет `IDLE` и ждёт; письмо приходит на сервер в момент 30 с — и клиент сразу
получает `* 2 EXISTS`, без опроса (RFC 2177). Так работает «push» на телефоне.
""", """
## 7. IDLE: the server announces new mail itself

The client sends `IDLE` and waits; a message reaches the server at t = 30 s and the client gets
`* 2 EXISTS` at once, without polling (RFC 2177). That is “push” on a phone.
"""),
    code('''
idle = simulate(load_builtin("imap-idle")).trace
steps_table(idle.filter(command="IDLE"), LANG)
'''),
    md("""
## 8. Несколько команд сразу и правило неоднозначности

Клиент может послать несколько команд, не дожидаясь ответов; сервер выполняет независимые
команды в любом порядке, но не меняет порядок тех, чей результат зависит от другой (RFC 9051
§5.5). Пояснения шагов `imap-ambiguity` говорят, почему порядок сохранён:
""", """
## 8. Several commands at once and the ambiguity rule

A client may send several commands without waiting for the replies; the server may run
independent commands in any order, but never reorders those whose result depends on another
(RFC 9051 §5.5). The explanations of the `imap-ambiguity` steps say why the order is kept:
"""),
    code('''
ambiguity = simulate(load_builtin("imap-ambiguity")).trace
steps_table([s for s in ambiguity if s.params.get("notes")], LANG)
'''),
    md("""
## 9. POP3 и IMAP на одном ящике

Сценарий `pop3-vs-imap`: у Боба три письма. Телефон (IMAP) читает одно, помечает другое и
переносит третье в папку Work. Ноутбук (POP3) видит только два письма во «Входящих», без флагов,
скачивает их и удаляет. Когда телефон снова открывает ящик, «Входящие» пусты. Таблица собрана из
трассы: что каждый протокол знает о ящике.
""", """
## 9. POP3 and IMAP on one mailbox

The `pop3-vs-imap` scenario: Bob has three messages. The phone (IMAP) reads one, flags another
and moves the third into the folder Work. The laptop (POP3) sees only the two messages in INBOX,
without flags, downloads and deletes them. When the phone opens the mailbox again, INBOX is
empty. The table is gathered from the trace: what each protocol knows about the mailbox.
"""),
    code('''
import re

mixed = simulate(load_builtin("pop3-vs-imap"))
trace = mixed.trace
exists = [s.line.split()[1] for s in trace if s.protocol == "IMAP" and s.line.endswith(" EXISTS")]
stat = trace.find(command="STAT", protocol="POP3").reply.line
flags = sorted({flag for s in trace if s.protocol == "IMAP" and " FETCH " in s.line
                for flag in re.findall(r"\\\\[A-Za-z]+", s.line)})
created = [x.command.line.split()[2] for x in trace.exchanges(command="CREATE")]
facts = [(tr("писем в INBOX в начале", "INBOX at the start"), exists[0], stat.split()[1]),
         (tr("флаги", "flags"), ", ".join(flags), "—"),
         (tr("папки", "folders"), ", ".join(["INBOX", *created]), "INBOX"),
         (tr("писем в INBOX в конце", "INBOX at the end"), exists[-1], "")]
display(table(("", "IMAP", "POP3"), facts))
MailboxInspector(mixed.store, lang=LANG, account="bob@b.test")
'''),
    code('''
mixed_player = TracePlayer(trace, lang=LANG, picture="sequence")
mixed_player.filters["protocol"].value = "POP3"
mixed_player
'''),
    md("""
Какой протокол «самый современный» и «удобный»? Оба появились в 1988 году, оба живы. IMAP
позволяет смотреть почту без предварительной загрузки и держит одно состояние (папки, флаги,
отправленные) для телефона, ноутбука и веб-почты; POP3 проще и подходит, когда почту читают на
одном компьютере и хотят хранить её у себя.
""", """
Which protocol is “the most modern” and “the most convenient”? Both appeared in 1988 and both are
alive. IMAP lets you look at mail without downloading it first and keeps one state (folders,
flags, sent mail) for a phone, a laptop and webmail; POP3 is simpler and suits one computer that
keeps its mail to itself.
"""),
    md("""
## 10. Как сервер отказывает: NO и BAD

`NO` — команда понятна, но выполнить её нельзя (нет такой папки, неверный пароль, папка только
для чтения); `BAD` — команда неправильная (ошибка синтаксиса, команда не в том состоянии).
Каждая строка ниже отправлена серверу; после многих ошибок подряд сервер прощается `* BYE`,
поэтому опыт идёт в нескольких соединениях.
""", """
## 10. How a server says no: NO and BAD

`NO`: the command is understood but cannot be done (no such mailbox, a wrong password, a
read-only mailbox); `BAD`: the command is wrong (a syntax error, a command in the wrong state).
Each line below was sent to the server; after many errors in a row the server says `* BYE`, so
the experiment uses several connections.
"""),
    code('''
import base64

login = "a LOGIN bob@b.test bob-pw"
other = "AUTHENTICATE PLAIN " + base64.b64encode(b"carol@b.test\\0bob@b.test\\0bob-pw").decode()
refusals = attempts(
    "imap-basic", "IMAP",
    ["a SELECT INBOX", "s1 AUTHENTICATE FOO", "s2 AUTHENTICATE PLAIN", "*",
     "s3 AUTHENTICATE PLAIN", "!!!", "s4 " + other, "s5 LOGIN (a) b", 's6 LOGIN "a\\\\q" b',
     "b LOGIN bob@b.test wrong", login, "d LOGIN bob@b.test bob-pw", "e ENABLE IMAP4rev2"],
    [login, "f SELECT Nowhere", "g EXAMINE INBOX", "h STORE 1 +FLAGS (\\\\Seen)",
     "i SELECT INBOX", "j ENABLE CONDSTORE", "k ID NIL", 'l ID ("name")', "m CREATE INBOX",
     "n CREATE Work", "o CREATE Work", "p DELETE INBOX", "q CREATE A/B", "r DELETE A"],
    [login, "s CREATE a//b", "t CREATE ä", "u CREATE " + "/".join(["x"] * 40),
     "v CREATE " + "y" * 300, "w CREATE a%b", "x RENAME Nowhere Other", "y FOO",
     "i SELECT INBOX", "z COPY 1 Nowhere", "A0 COPY 99 Work", "A1 FETCH x FLAGS"],
    [login, "i SELECT INBOX", "A2 FETCH 1 (FLAGS", 'A3 FETCH 1 "open', "A4 SEARCH",
     "A5 SEARCH FROM", "A6 SEARCH CHARSET KOI8-U FROM x", "A7 SEARCH FOO",
     "A8 SEARCH " + " ".join(["ALL"] * 300), "A9 SEARCH RETURN (FOO) ALL",
     "B0 SEARCH RETURN FOO ALL", "B1 STORE 1 FOO (\\\\Seen)", "B2 STORE 1 +FLAGS (\\\\Bogus)"],
    [login, "i SELECT INBOX", "B3 SEARCH SINCE 32-Foo-2026", "B4 LIST",
     'B5 LIST (FOO) "" *', 'B6 LIST "" * RETURN FOO', 'B7 LIST (RECURSIVEMATCH) "" *',
     'B8 LIST "" ()', "B9 STATUS INBOX ()", "C0 FETCH 1 ()", "C1 FETCH 1 (FOO)",
     "C2 FETCH {x}", "C3 NOOP  "],
    [login, "i SELECT INBOX", "C4 STATUS INBOX (BAR)", "C5 NOOP extra", "C6 UNSELECT",
     "C7 CLOSE", "C8 STARTTLS", "C9", "D0 NOOP\\\\", "*bad NOOP", "D1 CREATE Work",
     "D2 SUBSCRIBE Work", 'D3 LSUB "" *', "D4 UNSUBSCRIBE Work", "D5 SELECT INBOX",
     "D6 UID FETCH 1 FLAGS", "D7 UID SEARCH ALL", "D8 UID STORE 1 +FLAGS (\\\\Flagged)",
     "D9 UID COPY 1 Work", "E0 UID MOVE 1 Work", "E1 UID EXPUNGE 1", "E2 LOGOUT"])
steps_table(refusals, LANG)
'''),
    md("""
Ошибки, которые не выразить строкой сценария. Тут клиент отправляет байты сам: текст сразу
после имени команды, мусор вместо `DONE` во время IDLE, литерал `~{n}` (для двоичных данных,
RFC 3516) не в APPEND, литерал с нулевым байтом, литерал в миллиард октетов (синхронизирующий
`{n}` сервер отклоняет `NO`, а на несинхронизирующий `{n+}`, который уже летит, отвечает `BYE`,
RFC 7888 §4), строку длиннее 64 КиБ, двадцать неизвестных команд подряд, письмо с
неизвестной серверу кодировкой `x-uuencode` (запрос `BINARY[1]` получает `NO [UNKNOWN-CTE]`,
RFC 3516 §4.3), и, наконец, клиент просто обрывает соединение.
""", """
Mistakes a scenario line cannot express. Here the client sends the bytes itself: text right
after the command name, garbage instead of `DONE` during IDLE, a `~{n}` literal (for binary
data, RFC 3516) outside APPEND, a literal holding a NUL byte, a literal of a billion octets (a
synchronising `{n}` is refused with `NO`, a non-synchronising `{n+}`, already on its way, gets
`BYE`, RFC 7888 §4), a line over 64 KiB, twenty unknown commands in a row, a message in an
encoding the server does not know, `x-uuencode` (asking for `BINARY[1]` gets `NO [UNKNOWN-CTE]`,
RFC 3516 §4.3), and last the client simply drops the connection.
"""),
    code('''
uuencoded = ("From: alice@b.test\\r\\nSubject: old attachment\\r\\n"
             "Content-Transfer-Encoding: x-uuencode\\r\\n\\r\\nbegin 644 notes.txt\\r\\n")
raw = SimulatedSession("imap-basic", "IMAP")
odd = raw.open()
for line in [login, "a NOOP(", "b IDLE", "hello", "c SELECT ~{5}", "INBOX",
             "d APPEND INBOX {6}", b"ab\\0c", b"",            # 4 octets and CRLF: a NUL inside
             "e APPEND INBOX {999999999}",
             f"f APPEND INBOX {{{len(uuencoded)}}}", uuencoded, "g SELECT INBOX",
             "h FETCH 4 BINARY[1]"]:
    odd += raw.send(line)
odd += raw.close()                          # no LOGOUT: the connection just ends
cut = []
for lines, shown in ((["h APPEND INBOX {999999999+}"], 2), (["i NOOP " + "x" * 70000], 2),
                     (["j FOO"] * 20, 3)):
    session = SimulatedSession("imap-basic", "IMAP")
    session.open()
    session.send(login)
    sent = [step for line in lines for step in session.send(line)]
    cut += sent[-shown:]
table((tr("№", "#"), tr("строка", "line"), tr("пояснение", "explanation")),
      [(f"#{s.number}", s.line if len(s.line) < 80 else s.line[:60] + " …", s.explanation(LANG))
       for s in odd + cut if not s.line.startswith("* ") or s in cut], mono=(1,))
'''),
    md("""
Почтовый ящик можно менять и из Python, минуя IMAP: хранилище отказывает теми же причинами,
которые сервер IMAP переводит в `NO [ALREADYEXISTS]` и «INBOX удалить нельзя».
""", """
The mailbox can be changed from Python too, bypassing IMAP: the store refuses for the same
reasons the IMAP server turns into `NO [ALREADYEXISTS]` and “INBOX cannot be deleted”.
"""),
    code('''
from simulator.mail import StoreError

bob = folders.store.account("bob@b.test")
refusals = []
for attempt in (lambda: bob.create_folder("Archive"), lambda: bob.delete_folder("INBOX")):
    try:
        attempt()
    except StoreError as err:
        refusals.append((type(err).__name__, err.message(LANG)))
table((tr("ошибка", "error"), tr("что сказало хранилище", "what the store said")), refusals)
'''),
    md("""
А если ошибка в самом сервере? Ниже движок сервера IMAP работает с хранилищем, в котором запись
учётной записи Кэрол испорчена: код хранилища падает на ней. Сервер не обрывается: на команду
с меткой он отвечает `NO [SERVERBUG]` (RFC 5530 §3 — ошибка сервера, а не клиента) и продолжает
сеанс, так что Боб входит как обычно. Посреди `AUTHENTICATE` продолжить обмен нельзя, и
сервер прощается `* BYE [SERVERBUG]`. Подробности ошибки уходят в журнал сервера, а не клиенту.
""", """
And if the bug is in the server itself? Below the IMAP server engine works on a store in which
Carol's account record is corrupt: the store's code fails on it. The server does not crash: a
tagged command is answered `NO [SERVERBUG]` (RFC 5530 §3: the server's fault, not the client's)
and the session goes on, so Bob logs in as usual. In the middle of `AUTHENTICATE` the exchange
cannot go on, and the server says goodbye with `* BYE [SERVERBUG]`. The details of the failure
go to the server's log, not to the client.
"""),
    code('''
import logging

from simulator.mail.imap_backend import StoreBackend
from simulator.protocols.imap import IMAPConfig, IMAPServer


class Corrupt(StoreBackend):
    """A store whose code fails on one account's record: a server bug, on purpose."""

    def authenticate(self, user, password):
        if user.startswith("carol"):
            raise ValueError("the account record of carol@b.test is corrupt")
        return super().authenticate(user, password)


carol = base64.b64encode(b"\\0carol@b.test\\0carol-pw").decode()
server_log = logging.getLogger("mailsim.imap")
server_log.disabled = True                  # the traceback is for the administrator
buggy = []
for lines in (["a LOGIN carol@b.test carol-pw", login, "c LOGOUT"],
              ["d AUTHENTICATE PLAIN", carol]):
    engine = IMAPServer(IMAPConfig("mail.b.test"), Corrupt(folders.store), session_id="bug")
    engine.initiate()
    for line in lines:
        engine.receive_data(line.encode() + b"\\r\\n")
    buggy += engine.take_transcript()
server_log.disabled = False
table(("", tr("строка", "line"), tr("пояснение", "explanation")),
      [("C:" if u.direction == "c2s" else "S:", u.line[:70], t(u.explain, LANG, **u.params))
       for u in buggy if not u.line.startswith("* OK")], mono=(1,))
'''),
    *quiz('imap', 'imap-peek', 'imap-untagged', 'imap-expunge-news', 'imap-task-copy'),
    check(
        ("Назовите три отличия IMAP от POP3, которые видны в `pop3-vs-imap`.",
         "Name three differences between IMAP and POP3 visible in `pop3-vs-imap`.",
         "IMAP видит папки (Work), флаги (`\\\\Seen`, `\\\\Flagged`) и оставляет письма на "
         "сервере; POP3 видит только «Входящие» без флагов и обычно скачивает и удаляет.",
         "IMAP sees folders (Work) and flags (`\\\\Seen`, `\\\\Flagged`) and leaves mail on the "
         "server; POP3 sees only INBOX without flags and usually downloads and deletes."),
        ("Правда ли, что IMAP скачивает только заголовки?",
         "Is it true that IMAP downloads only headers?",
         "Нет: клиент получает то, что запросил в `FETCH` — заголовки, текст, отдельные части.",
         "No: the client gets what it asks for in `FETCH` — headers, the text, single parts."),
        ("В каких строках ответа IMAP стоит метка команды?",
         "Which lines of an IMAP reply carry the command's tag?",
         "Только в последней, завершающей (`OK`/`NO`/`BAD`); данные идут строками `*`.",
         "Only the final completion (`OK`/`NO`/`BAD`); the data comes in `*` lines."),
        ("Почему ноутбук в `imap-two-clients` узнал об удалении письма только после `NOOP`?",
         "Why did the laptop in `imap-two-clients` learn of the removal only at `NOOP`?",
         "Во время `FETCH`, `STORE` и `SEARCH` сервер не может присылать `EXPUNGE`: номера "
         "писем сдвинулись бы посреди команды (RFC 3501 §7.4.1).",
         "During `FETCH`, `STORE` and `SEARCH` the server may not send `EXPUNGE`: the message "
         "numbers would shift in the middle of a command (RFC 3501 §7.4.1)."),
        ("Кто кладёт копию отправленного письма в папку «Отправленные»?",
         "Who puts the copy of a sent message into Sent?",
         "Почтовая программа, командой IMAP `APPEND`; SMTP копий не сохраняет.",
         "The mail program, with IMAP `APPEND`; SMTP keeps no copy."),
    ),
]
