"""01 How mail travels: the agents, the ports, one letter end to end (Q1, Q6; E12, E16)."""
from _nb import SETUP, check, code, md, names, quiz

FILES, TITLE = names(1)

CELLS = [
    md("""
# Экскурсия: как ходит почта

В этой тетради маленький Интернет в памяти компьютера: почтовая программа Алисы (MUA), серверы
пересылки (MTA), агенты доставки (MDA), DNS с MX-записями и ящик Боба. Каждый шаг — настоящие
байты протоколов SMTP, POP3 и IMAP с пояснением. Отвечает на контрольные вопросы 1 (какие
протоколы использует почта) и 6 (схема отправки и получения письма).
""", """
# A tour: how mail travels

This notebook holds a small Internet in the computer's memory: Alice's mail client (MUA),
transfer agents (MTA), delivery agents (MDA), DNS with MX records and Bob's mailbox. Every step
is real SMTP, POP3 and IMAP bytes with an explanation. It answers control questions 1 (which
protocols mail uses) and 6 (the path of a message, sending and receiving).
"""),
    SETUP,
    code('''
runs = {name: simulate(load_builtin(name)) for name in
        ("basic", "source-route", "bounce", "retry", "pop3-dele-rset", "imap-pipelining",
         "ports-tls")}
'''),
    md("""
## 1. Письмо от Алисы к Бобу (`basic`)

Проигрыватель показывает шаги по одному. Кнопки ◀ ▶ (или стрелки ← → на клавиатуре, когда
проигрыватель в фокусе) — шаг назад и вперёд, ▶ слева — автоматический показ, ползунок — переход
к любому шагу, последняя кнопка верхней строки — во весь экран. Строки клиента начинаются с `C:`
(синие), ответы сервера — с `S:` (оранжевые), события внутри узла — с `··`. Многострочный ответ
свёрнут в одну строку: щёлкните по ней, чтобы развернуть. Под строками — пояснение шага,
состояние сервера до и после и то, что лежит в очередях и ящиках в этот момент; справа —
диаграмма состояний сервера, текущее состояние выделено.
""", """
## 1. Alice writes to Bob (`basic`)

The player shows the steps one at a time. ◀ ▶ (or the ← → keys while the player has the focus)
step back and forward, the ▶ on the left plays them, the slider jumps to any step, the last
button of the top row goes full screen. Client lines start with `C:` (blue), server replies
with `S:` (orange), events inside a node with `··`. A reply of several lines is folded into one
row: click it to unfold. Under the rows: the step's explanation, the server state before and
after, and what the queues and mailboxes hold at that moment; on the right, the server's state
diagram with the current state highlighted.
"""),
    code('''
player = TracePlayer(runs["basic"].trace, lang=LANG, picture="state")
player
'''),
    md("""
Шаг 14 — команда `MAIL FROM`: с неё начинается передача письма. Переключите рисунок
проигрывателя на «последовательность»: стрелки между узлами, текущий шаг выделен.
""", """
Step 14 is the `MAIL FROM` command: the transfer of the message starts there. Switch the
player's picture to “sequence”: the arrows between the nodes, the current step highlighted.
"""),
    code('''
# show(N) — перейти к шагу N / show(N) goes to step N
player.show(14)
player.step.line
'''),
    md("""
## 2. Кто что делает: MUA, MTA, MDA

Три роли из RFC 5598. **MUA** (почтовая программа) составляет письмо и отдаёт его серверу;
**MTA** (агент пересылки) ставит письмо в очередь, ищет в DNS следующий сервер и передаёт письмо
дальше; **MDA** (агент доставки) кладёт письмо в ящик получателя. Частая ошибка — называть
агентом доставки MTA: в таблице ниже видно, что доставку в ящик делает MDA, а MTA только
принимает и пересылает. Таблица собрана из событий трассы `basic`.
""", """
## 2. Who does what: MUA, MTA, MDA

Three roles from RFC 5598. The **MUA** (the mail program) composes the message and hands it to
a server; the **MTA** (transfer agent) queues it, asks DNS for the next server and passes the
message on; the **MDA** (delivery agent) puts it into the recipient's mailbox. Calling the MTA
the delivery agent is a common mistake: the table below shows that the MDA delivers into the
mailbox, while the MTA only accepts and relays. The table is built from the events of the
`basic` trace.
"""),
    code('''
agents = [s for s in runs["basic"].trace if s.protocol in ("MUA", "MTA", "MDA")]
table(("#", tr("агент", "agent"), tr("узел", "node"), tr("событие", "event")),
      [(f"#{s.number}", s.protocol, s.src, s.line) for s in agents], mono=(3,))
'''),
    md("""
## 3. Порты: кто на каком слушает

Таблица ниже — не выписка из учебника, а список служб, которые запускает сам `mailsim serve`
(к нему подключаются настоящие почтовые программы, тетрадь 7). Порт 25 — пересылка между
серверами (шифрование командой STARTTLS там тоже возможно), 587 — отправка писем от
пользователей с входом по паролю (RFC 6409), 465 — та же отправка, но TLS начинается сразу
(«неявный TLS», RFC 8314). На 110 и 143 шифрование включают командами STLS и STARTTLS
(RFC 2595), на 995 и 993 — неявный TLS. 109 — старый POP2 без шифрования.
""", """
## 3. Ports: who listens where

The table below is not copied from a textbook: it is the list of services that `mailsim
serve` itself starts (real mail programs connect to it, notebook 7). Port 25 is relay between
servers (STARTTLS can encrypt it too), 587 is submission from users with a login (RFC 6409),
465 the same submission with TLS from the first byte (“implicit TLS”, RFC 8314). On 110 and
143 encryption is switched on by STLS and STARTTLS (RFC 2595), 995 and 993 are implicit TLS.
109 is the old POP2, without encryption.
"""),
    code('''
from simulator.server.services import SERVICE_TABLE

security = {"starttls": "STARTTLS/STLS", "tls": tr("неявный TLS", "implicit TLS"),
            "none": tr("нет", "none")}
table((tr("служба", "service"), tr("протокол", "protocol"), tr("порт", "port"), "TLS"),
      [(name, protocol, port, security[tls]) for name, protocol, port, tls, _ in SERVICE_TABLE])
'''),
    md("""
Те же порты в сети симулятора: сценарий `ports-tls` отправляет одно письмо через 465, другое
через 587, пересылает оба через 25 и трижды забирает почту по POP3 на порт 110. Каждое
соединение начинается шагом TCP с номером порта.
""", """
The same ports in the simulated network: the `ports-tls` scenario sends one message through
465, another through 587, relays both through 25 and fetches mail over POP3 on port 110 three
times. Every connection starts with a TCP step naming the port.
"""),
    code('''
trace = runs["ports-tls"].trace
rows = []
for conn in trace.connections():
    steps = trace.filter(conn=conn)
    protocol = next(s.protocol for s in steps if s.protocol not in ("TCP", "TLS"))
    rows.append((conn, f"{steps[0].src} → {steps[0].dst}", steps[0].meta["port"], protocol))
table((tr("соединение", "conn"), tr("откуда → куда", "from → to"), tr("порт", "port"),
       tr("протокол", "protocol")), rows)
'''),
    md("""
## 4. Сеть и MX

Сеть сценария `basic`. Числа на рёбрах — предпочтения MX из ответов DNS: чем меньше число, тем
раньше отправитель пробует этот сервер (RFC 5321 §5.1).
""", """
## 4. The network and MX

The network of `basic`. The numbers on the edges are MX preferences from the DNS answers: the
lower the number, the earlier a sender tries that server (RFC 5321 §5.1).
"""),
    code('''
plots.topology(runs["basic"], highlight_hop=("mail.a.test", "mx.b.test"), lang=LANG)
'''),
    md("""
Диаграмма состояний SMTP-сервера нарисована прямо из таблицы переходов движка: если таблица
изменится, изменится и рисунок.
""", """
The SMTP server's state diagram is drawn straight from the engine's transition table: change
the table and the picture changes too.
"""),
    code('''
plots.state_diagram("SMTP", current="RCPT", previous="MAIL", lang=LANG)
'''),
    md("""
## 5. Маршрут отправителя (`source-route`)

По RFC 821 отправитель может указать путь: `<@host1,@host2,@host3:bob@b.test>`. Оставим в
проигрывателе только SMTP: видно, как маршрут в `RCPT TO` укорачивается на каждом переходе.
""", """
## 5. A source route (`source-route`)

RFC 821 lets the sender name the path: `<@host1,@host2,@host3:bob@b.test>`. Let the player show
SMTP only: the route in `RCPT TO` gets shorter at every hop.
"""),
    code('''
route = TracePlayer(runs["source-route"].trace, lang=LANG, picture="topology")
route.filters["protocol"].value = "SMTP"
route
'''),
    md("""
Заголовки `Received:` в письме Боба — след всех переходов, сверху самый последний.
""", """
The `Received:` headers in Bob's message are the trace of every hop, the latest on top.
"""),
    code('''
MailboxInspector(runs["source-route"].store, lang=LANG, account="bob@b.test")
'''),
    md("""
Три заголовка, которые письмо получает в дороге, а не от Алисы:
""", """
Three header fields the message gets on the way, not from Alice:
"""),
    code('''
from email import message_from_bytes

routed = message_from_bytes(runs["source-route"].store.account("bob@b.test").inbox.messages[0].data)
table((tr("заголовок", "header"), tr("в письме Боба", "in Bob's message"), ""),
      [(name, routed[name], t(f"mail.header.{name}", LANG))
       for name in ("Received", "Return-Path", "Delivered-To")], mono=(1,))
'''),
    md("""
## 6. Возврат письма (`bounce`)

Адреса `nobody@b.test` нет: сервер отвечает 550 на `RCPT TO`, и Алиса получает уведомление о
недоставке (DSN, RFC 3464). Вот его MIME-структура:
""", """
## 6. A bounce (`bounce`)

There is no `nobody@b.test`: the server answers 550 to `RCPT TO`, and Alice gets a delivery
status notification (DSN, RFC 3464). Here is its MIME structure:
"""),
    code('''
dsn = runs["bounce"].store.account("alice@a.test").inbox.messages[0].data
plots.mime_tree(dsn, lang=LANG)
'''),
    md("""
Уведомление о недоставке — лишь одно из пяти действий, о которых сообщает DSN (поле `Action`,
RFC 3464 §2.3.3). Тема и первый абзац каждого уведомления, как их пишет сервер симулятора:
""", """
A non-delivery notice is only one of the five actions a DSN reports (the `Action` field,
RFC 3464 §2.3.3). The subject and first paragraph of each notice as the simulator's server
writes them:
"""),
    code('''
display(table(("Action", "Subject", ""),
              [(action, t(f"mail.dsn.subject.{action}", "en"),
                t(f"mail.dsn.body.{action}", LANG, mta="mail.a.test"))
               for action in ("failed", "delayed", "delivered", "relayed", "expanded")]))
print(t("mail.dsn.explain", LANG))
'''),
    md("""
## 7. Повторные попытки (`retry`)

Сервер получателя дважды отвечает 451 («попробуйте позже»). Письмо остаётся в очереди;
проигрыватель открыт на шаге 42 — пройдите назад и вперёд: очередь сервера меняется вместе с
шагом.
""", """
## 7. Retries (`retry`)

The recipient's server answers 451 (“try again later”) twice. The message stays in the queue;
the player opens at step 42 — step back and forth: the server's queue changes with the step.
"""),
    code('''
retry = TracePlayer(runs["retry"].trace, lang=LANG)
retry.show(42)
retry
'''),
    md("""
## 8. Получение: POP3, DELE только помечает (`pop3-dele-rset`)

Боб забирает почту по POP3. `DELE` помечает письмо, `RSET` снимает пометки, а удаление
происходит только в состоянии UPDATE после `QUIT` (RFC 1939 §6). Справа видны пометки сеанса.
""", """
## 8. Receiving: POP3, DELE only marks (`pop3-dele-rset`)

Bob fetches his mail over POP3. `DELE` marks a message, `RSET` clears the marks, and deletion
happens only in the UPDATE state after `QUIT` (RFC 1939 §6). The marks of the session are shown
on the right.
"""),
    code('''
pop3 = TracePlayer(runs["pop3-dele-rset"].trace, lang=LANG, picture="state")
pop3.filters["protocol"].value = "POP3"
pop3
'''),
    md("""
Диаграммы состояний POP3 и POP2 — из тех же таблиц, что исполняет сервер. Пунктир — переходы,
которые сервер делает сам.
""", """
The POP3 and POP2 state diagrams come from the same tables the server runs. Dashed arrows are
moves the server makes on its own.
"""),
    code('''
display(plots.state_diagram("POP3", current="TRANSACTION", lang=LANG))
plots.state_diagram("POP2", lang=LANG)
'''),
    md("""
## 9. Поговорите с сервером сами: консоль POP3 (`pop3-basic`)

Консоль — это telnet в тетради. Она подключается к POP3-серверу сценария `pop3-basic`, когда
письма Бобу уже доставлены. Наберите команду и нажмите «Отправить» (или Enter):
`USER bob@b.test`, `PASS bob-pw`, `STAT`, `LIST`, `RETR 1`, `DELE 1`, `QUIT`. Под каждой
строкой — пояснение, справа — состояние сервера и команды, которые в нём разрешены, внизу —
диаграмма состояний.
""", """
## 9. Talk to the server yourself: a POP3 console (`pop3-basic`)

The console is a telnet inside the notebook. It connects to the POP3 server of the
`pop3-basic` scenario once Bob's mail has been delivered. Type a command and press Send (or
Enter): `USER bob@b.test`, `PASS bob-pw`, `STAT`, `LIST`, `RETR 1`, `DELE 1`, `QUIT`. Each line
has its explanation under it; on the right are the server's state and the commands it allows
there, and the state diagram is below.
"""),
    code('''
console = ProtocolConsole.simulated("pop3-basic", "POP3", lang=LANG)
console
'''),
    md("""
Консоль выше уже получила три команды: `USER`, `PASS` и `STAT`. После `PASS` сервер переходит в
состояние TRANSACTION.
""", """
The console above has already been sent three commands: `USER`, `PASS` and `STAT`. After
`PASS` the server moves to the TRANSACTION state.
"""),
    code('''
# Команды можно отправить и так / Commands can be sent like this too
for command in ("USER bob@b.test", "PASS bob-pw", "STAT"):
    console.submit(command)
console.session.state
'''),
    md("""
## 10. IMAP: ответы не по порядку (`imap-pipelining`)

Клиент отправляет три команды одной пачкой: `A1 FETCH` большого письма (200 КБ), `A2 NOOP` и
`A3 STATUS`. Каждая команда IMAP начинается с метки, и ответ с той же меткой её завершает,
поэтому сервер может закончить `A2` и `A3` раньше `A1` (RFC 9051 §5.5). На диаграмме у команды и
её завершения одна и та же цветная метка, строки без метки (`*`) отмечены фиолетовым, а рядом с
обогнавшими ответами написано, кого они обогнали. Справа видно, что знает этот сеанс: выбранный
ящик, EXISTS и флаги писем.
""", """
## 10. IMAP: replies out of order (`imap-pipelining`)

The client sends three commands in one go: `A1 FETCH` of a big (200 kB) message, `A2 NOOP` and
`A3 STATUS`. Every IMAP command starts with a tag and the reply with the same tag completes it,
so the server may finish `A2` and `A3` before `A1` (RFC 9051 §5.5). In the diagram a command and
its completion carry the same coloured tag, untagged lines (`*`) are marked in purple, and the
replies that overtook others say which. On the right you see what this session knows: the
selected mailbox, EXISTS and the messages' flags.
"""),
    code('''
imap = TracePlayer(runs["imap-pipelining"].trace, lang=LANG, picture="sequence")
imap.filters["protocol"].value = "IMAP"
imap.show(next(s.number for s in imap.trace if s.line.startswith("A2 OK")))
imap
'''),
    *quiz('lab16/lab16', 'lab16-q1-protocols', 'lab16-q1-connections', 'lab16-q6-path', 'lab16-q6-backup-mx'),
    check(
        ("На каком шаге сценария `basic` сервер `mail.a.test` берёт на себя ответственность за "
         "письмо? Что об этом говорит ответ сервера?",
         "At which step of `basic` does `mail.a.test` take responsibility for the message? What "
         "in the server's reply says so?",
         "На ответе `250 … queued as …` после точки, завершающей текст письма (шаг 22): с этого "
         "момента сервер обязан доставить письмо или вернуть уведомление (RFC 5321 §6.1).",
         "At the `250 … queued as …` reply after the final dot (step 22): from then on the "
         "server must deliver the message or return a notification (RFC 5321 §6.1)."),
        ("Какие протоколы понадобились, чтобы письмо дошло от Алисы до Боба и было прочитано?",
         "Which protocols did it take for the message to get from Alice to Bob and be read?",
         "SMTP (отправка на 587 и пересылка на 25), DNS (MX и A), затем POP3 или IMAP для "
         "чтения; TLS шифрует соединение.",
         "SMTP (submission on 587 and relay on 25), DNS (MX and A), then POP3 or IMAP to read; "
         "TLS encrypts the connection."),
        ("Кто кладёт письмо в ящик Боба — MTA или MDA?",
         "Who puts the message into Bob's mailbox, the MTA or the MDA?",
         "MDA: в таблице агентов событие `deliver` принадлежит MDA на `mx.b.test`.",
         "The MDA: in the agents table the `deliver` event belongs to the MDA on `mx.b.test`."),
        ("Почему в `retry` отправитель не возвращает письмо Алисе после ответа 451?",
         "Why does the sender in `retry` not return the message to Alice after the 451 reply?",
         "4xx — временная ошибка: письмо остаётся в очереди и отправляется позже.",
         "A 4xx is a transient error: the message stays queued and is tried again later."),
        ("Почему в `imap-pipelining` ответ `A2 OK` пришёл раньше `A1 OK`, и как клиент "
         "понимает, к какой команде он относится?",
         "Why does `A2 OK` arrive before `A1 OK` in `imap-pipelining`, and how does the client "
         "know which command it belongs to?",
         "Короткие команды закончились раньше долгой выборки; ответ несёт метку своей команды.",
         "The short commands finished before the long fetch; the reply carries its command's "
         "tag."),
    ),
]
