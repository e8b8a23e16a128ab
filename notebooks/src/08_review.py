"""08 Lab 16 review: each control question with the experiment that answers it, Q8 as a
discussion backed by quotas and an unreachable server, and the course text's myths tested."""
from _nb import SETUP, check, code, md, names, quiz

FILES, TITLE = names(8)

CELLS = [
    md("""
# Лабораторная работа №16: итоги

Восемь контрольных вопросов лабораторной — и на каждый опыт, который на него отвечает. Ответ
здесь не пересказ, а то, что выдаёт симулятор: таблица, рисунок или проигрыватель. В конце —
утверждения, которые часто встречаются в учебных текстах о почте, и проверка каждого опытом.
""", """
# Lab 16: review

The lab's eight control questions, each with the experiment that answers it. An answer here is
not a retelling but what the simulator produces: a table, a picture or a player. At the end:
statements often met in course texts about mail, each tested by an experiment.
"""),
    SETUP,
    code('''
import hashlib
import re

from simulator.scenarios import builtin_names

runs = {name: simulate(load_builtin(name)) for name in builtin_names()}
'''),
    md("""
## Вопрос 1. Основные протоколы электронной почты

Какие протоколы и порты встречаются во всех встроенных сценариях симулятора — таблица собрана
по шагам трасс: SMTP отправляет и пересылает, POP3 и POP2 забирают, IMAP работает с ящиком на
сервере, DNS находит серверы, TLS шифрует.
""", """
## Question 1. The main e-mail protocols

Which protocols and ports occur in all the simulator's built-in scenarios, gathered from the
steps of their traces: SMTP sends and relays, POP3 and POP2 fetch, IMAP works on the mailbox on
the server, DNS finds the servers, TLS encrypts.
"""),
    code('''
seen = {}
for name, result in runs.items():
    for conn in result.trace.connections():
        steps = result.trace.filter(conn=conn)
        protocol = next((s.protocol for s in steps if s.protocol not in ("TCP", "TLS")), None)
        if protocol:
            seen.setdefault(protocol, {"ports": set(), "steps": 0})
            seen[protocol]["ports"].add(steps[0].meta["port"])
    for step in result.trace:
        seen.setdefault(step.protocol, {"ports": set(), "steps": 0})["steps"] += 1
table((tr("протокол", "protocol"), tr("порты", "ports"), tr("шагов", "steps")),
      [(p, ", ".join(map(str, sorted(v["ports"]))), v["steps"]) for p, v in sorted(seen.items())
       if p in ("SMTP", "POP3", "POP2", "IMAP", "DNS", "TLS")])
'''),
    md("""
## Вопрос 2. Чем POP2 отличается от POP3

Команды клиента в одном и том же ящике (`pop2-vs-pop3`): в POP2 вход одной строкой `HELO`,
подтверждение `ACKS`/`ACKD` после каждого письма и длина письма заранее (`=580`) вместо точки в
конце; ответы `+ - # =` вместо `+OK`/`-ERR`. Подробно — тетрадь 3, раздел 6.
""", """
## Question 2. How POP2 differs from POP3

The client's commands on one and the same mailbox (`pop2-vs-pop3`): POP2 logs in with one `HELO`
line, acknowledges each message with `ACKS`/`ACKD` and announces its length (`=580`) instead of
ending it with a dot; its replies are `+ - # =` instead of `+OK`/`-ERR`. In detail: notebook 3,
section 6.
"""),
    code('''
both = runs["pop2-vs-pop3"].trace
commands = {p: [s.line for s in both if s.protocol == p and s.direction == "c2s"]
            for p in ("POP2", "POP3")}
marks = {"POP2": sorted({s.line[0] for s in both if s.protocol == "POP2"
                         and s.direction == "s2c" and s.explain != "pop2.reply.text"}),
         "POP3": sorted({s.line.split()[0] for s in both if s.protocol == "POP3"
                         and s.direction == "s2c" and s.line[:1] in "+-"})}
sizes = [s.line.split()[0] for s in both if s.explain == "pop2.reply.size"]
dots = [s.line.splitlines()[-1] for s in both if s.explain == "pop3.reply.retr"]
table(("", "POP2 (RFC 937, 109)", "POP3 (RFC 1939, 110)"),
      [(tr("команды", "commands"), " ".join(commands["POP2"]), " ".join(commands["POP3"])),
       (tr("метки ответов", "reply marks"), " ".join(marks["POP2"]), " ".join(marks["POP3"])),
       (tr("конец письма", "end of a message"),
        tr("сначала длина: ", "length first: ") + " ".join(sizes),
        tr("последняя строка: ", "last line: ") + " ".join(dots))],
      mono=(1, 2))
'''),
    md("""
## Вопрос 3. Что такое APOP

Вход в POP3 «запрос — ответ» (RFC 1939 §7): сервер присылает метку, клиент — MD5 от метки и
общего секрета. Пароль по сети не передаётся, но письма не шифруются, а MD5 перебирается по
словарю. Хэш, вычисленный здесь, совпадает с тем, что в трассе:
""", """
## Question 3. What APOP is

A challenge-response POP3 login (RFC 1939 §7): the server sends a timestamp, the client the MD5
of the timestamp and a shared secret. The password never crosses the network, but the messages
are not encrypted, and MD5 falls to a dictionary. The digest computed here matches the one in
the trace:
"""),
    code('''
apop = runs["pop3-apop"].trace
stamp = re.search(r"<[^>]+>", next(s.line for s in apop if "POP3 server ready" in s.line))[0]
sent = next(s.line for s in apop if s.line.startswith("APOP")).split()[-1]
print(stamp, sent, tr("совпадает:", "matches:"),
      yes(hashlib.md5((stamp + "bob-pw").encode()).hexdigest() == sent))
'''),
    md("""
## Вопрос 4. Отличия POP и IMAP

Один ящик по обоим протоколам (`pop3-vs-imap`): IMAP видит папки и флаги и оставляет письма на
сервере; POP3 видит только «Входящие» без флагов, скачивает и удаляет, после чего IMAP находит
«Входящие» пустыми. Подробно — тетрадь 4, раздел 9.
""", """
## Question 4. POP vs IMAP

One mailbox over both protocols (`pop3-vs-imap`): IMAP sees folders and flags and leaves mail
on the server; POP3 sees only INBOX without flags, downloads and deletes, after which IMAP finds
INBOX empty. In detail: notebook 4, section 9.
"""),
    code('''
mixed = TracePlayer(runs["pop3-vs-imap"].trace, lang=LANG, picture="sequence")
mixed.filters["protocol"].value = "IMAP"
mixed
'''),
    md("""
## Вопрос 5. Самый современный, без предварительной загрузки, самый удобный

Без предварительной загрузки почту позволяет смотреть IMAP: список писем строится из заголовков
и размеров, а текст и вложения скачиваются, только когда их открывают. «Самый современный» —
спорно: POP3 и IMAP появились в 1988 году, и оба обновлялись (RFC 1939 в 1996-м, RFC 9051 в
2021-м). «Самый удобный» решите сами по опытам: сколько устройств, нужны ли папки, флаги,
поиск на сервере, «push» (тетрадь 4).
""", """
## Question 5. The most modern, without downloading first, the most convenient

IMAP lets you look at mail without downloading it first: the message list comes from headers
and sizes, the text and attachments are downloaded only when opened. “The most modern” is
debatable: POP3 and IMAP both appeared in 1988 and both were revised (RFC 1939 in 1996,
RFC 9051 in 2021). Decide “the most convenient” from the experiments: how many devices, whether
you need folders, flags, server-side search, “push” (notebook 4).
"""),
    code('''
listing = runs["imap-basic"]
fetched = sum(len(s.raw) for s in listing.trace.filter(command="FETCH") if s.direction == "s2c")
whole = sum(len(m.data) for m in listing.store.account("bob@b.test").inbox.messages)
table(("", tr("октетов", "octets")),
      [(tr("список писем IMAP (FETCH)", "IMAP message list (FETCH)"), fetched),
       (tr("письма целиком", "the messages in full"), whole)])
'''),
    md("""
## Вопрос 6. Схема отправки и получения письма

Алиса → (SMTP, 587, вход и TLS) → свой сервер `mail.a.test` → (DNS: MX и A) → (SMTP, 25) →
сервер получателя `mx.b.test` → MDA кладёт письмо в ящик → Боб забирает его по POP3 или
читает по IMAP. Диаграмма последовательности всего сценария `basic` и путь письма:
""", """
## Question 6. How a message is sent and received

Alice → (SMTP, 587, login and TLS) → her server `mail.a.test` → (DNS: MX and A) → (SMTP, 25) →
the recipient's server `mx.b.test` → the MDA puts it into the mailbox → Bob fetches it over
POP3 or reads it over IMAP. The sequence diagram of the whole `basic` scenario and the path:
"""),
    code('''
basic = runs["basic"]
display(table((tr("переход", "hop"), tr("клиент", "client"), tr("сервер", "server")),
              [(n, a, b) for n, (a, b) in enumerate(basic.smtp_hops(), 1)]))
plots.sequence_diagram(basic.trace, lang=LANG)
'''),
    md("""
## Вопрос 7. Что такое MIME

MIME описывает, как в текстовом письме передать не-ASCII текст, вложения и несколько частей.
Уведомление о недоставке из `bounce` — составное письмо `multipart/report` из трёх частей, а
русская тема в заголовке записана encoded-word (RFC 2047):
""", """
## Question 7. What MIME is

MIME says how a text message carries non-ASCII text, attachments and several parts. The
delivery status notification of `bounce` is a `multipart/report` of three parts, and a Russian
subject in a header is written as an encoded-word (RFC 2047):
"""),
    code('''
from email.header import decode_header, make_header

dsn = runs["bounce"].store.account("alice@a.test").inbox.messages[0].data
display(plots.mime_tree(dsn, lang=LANG))
from email import message_from_bytes

subject = message_from_bytes(basic.store.account("bob@b.test").inbox.messages[0].data)["Subject"]
print(subject, "→", make_header(decode_header(subject)))
'''),
    md("""
## Вопрос 8. Бесплатные и платные почтовые серверы

У протоколов нет ответа на этот вопрос: бесплатные и платные службы говорят на тех же SMTP,
POP3 и IMAP. Различаются условия: объём ящика, гарантии доступности (SLA), свой домен, реклама
и кто читает вашу почту, поддержка. Симулятор показывает, чем эти условия оборачиваются в
протоколе: переполненный ящик — ответ 552 (постоянно) или 452 (временно), недоступный сервер —
повторы по расписанию и возврат письма, когда попытки кончились.
""", """
## Question 8. Free vs paid mail services

The protocols have no answer to this: free and paid services speak the same SMTP, POP3 and IMAP.
What differs are the terms: mailbox size, availability guarantees (SLA), your own domain,
advertising and who reads your mail, support. The simulator shows what those terms turn into in
the protocol: a full mailbox answers 552 (permanent) or 452 (transient), an unavailable server
means retries on a schedule and a bounce when they run out.
"""),
    code('''
import yaml
from importlib import resources

from simulator.scenarios import load_text

base = yaml.safe_load(resources.files("simulator.scenarios").joinpath("basic.yaml")
                      .read_text("utf-8"))


def variant(name, **changes):
    text = yaml.safe_dump(dict(base, name=name, **changes), allow_unicode=True)
    return simulate(load_text(text, source=f"{name}.yaml"))


full = variant("quota-full", faults=[{"kind": "reply", "node": "mx.b.test", "after": "DATA",
                                      "reply": "552 5.2.2 Mailbox full"}])
busy = variant("quota-busy", faults=[{"kind": "reply", "node": "mx.b.test", "command": "RCPT",
                                      "reply": "452 4.2.2 Mailbox full, try later",
                                      "times": 1}], options={"retry_schedule": [60]})
down = variant("server-down", faults=[{"kind": "node_down", "node": "mx.b.test"}],
               options={"retry_schedule": [60, 300, 900]})
restarted = variant("server-restarted", options={"retry_schedule": [60, 300, 900]},
                    faults=[{"kind": "node_down", "node": "mx.b.test", "end": 200}])
cut = variant("link-down", options={"retry_schedule": [60, 300, 900]},
              faults=[{"kind": "link_down", "node": "mx.b.test", "peer": "internet",
                       "end": 200}])
rows = []
for label, result in (("552", full), ("452", busy), (tr("сервер выключен", "server down"), down),
                      (tr("сервер выключен на 200 с", "server down for 200 s"), restarted),
                      (tr("нет связи 200 с", "link down for 200 s"), cut)):
    replies = [s.line for s in result.trace if s.dst == "mail.a.test" and s.protocol == "SMTP"
               and str(s.code)[:1] in "45"]
    rows.append((label, "; ".join(replies) or "—",
                 yes(any(d.address == "bob@b.test" for d in result.deliveries)),
                 ", ".join(f"{b.status}, {b.time} " + tr("с", "s") for b in result.bounces) or "—"))
table((tr("случай", "case"), tr("ответы серверу mail.a.test", "replies to mail.a.test"),
       tr("доставлено", "delivered"), tr("возврат", "bounced")), rows, mono=(1,))
'''),
    code('''
display(steps_table([s for s in restarted.trace if s.protocol == "FAULT"] +
                    [s for s in cut.trace if s.protocol == "FAULT"], LANG))
retries = TracePlayer(down.trace, lang=LANG)
retries.filters["protocol"].value = "MTA"
retries
'''),
    md("""
## Мифы: проверка опытом

Каждая строка — утверждение, которое встречается в учебных текстах о почте, и опыт, который его
проверяет. Столбец «верно?» вычислен кодом по трассам и ящикам симулятора.
""", """
## Myths: tested by experiment

Each row is a statement met in course texts about mail, and the experiment that tests it. The
column “true?” is computed by code from the simulator's traces and mailboxes.
"""),
    code('''
def lines(name, protocol=None):
    return [s.line for s in runs[name].trace if protocol in (None, s.protocol)]


smtp_codes = {s.code for r in runs.values() for s in r.trace
              if s.protocol == "SMTP" and isinstance(s.code, int)}
untagged = [x for x in lines("imap-basic", "IMAP") if x.startswith("*")]
agents = {s.protocol for s in runs["basic"].trace if s.line.startswith("deliver")}
qtypes = {s.params["qtype"] for s in runs["basic"].trace if s.protocol == "DNS"}
rcpts = [x for x in lines("source-route", "SMTP") if x.startswith("RCPT") and "@host" in x]
mails = [x for x in lines("source-route", "SMTP") if x.startswith("MAIL") and "@host1" in x]
apop_wire = any(b"bob-pw" in s.raw for s in runs["pop3-apop"].trace if s.protocol == "POP3")
stls = any(x == "STLS" for x in lines("ports-tls", "POP3"))
fetch_text = any(x.startswith("* 1 FETCH (BODY[TEXT]") for x in lines("pop3-vs-imap", "IMAP"))
myths = [
    ("E1", tr("APOP шифрует пароль", "APOP encrypts the password"), apop_wire,
     tr("ничего не шифруется; пароль не передаётся, только хэш MD5",
        "nothing is encrypted; the password is not sent, only an MD5 digest")),
    ("E8", tr("каждая строка ответа IMAP несёт метку", "every IMAP reply line carries the tag"),
     not untagged, tr(f"{len(untagged)} строк без метки в imap-basic",
                      f"{len(untagged)} untagged lines in imap-basic")),
    ("E7", tr("IMAP скачивает только заголовки", "IMAP downloads headers only"), not fetch_text,
     tr("FETCH BODY[TEXT] возвращает текст", "FETCH BODY[TEXT] returns the text")),
    ("E9", tr("UTF-8 тратит 2 байта на символ", "UTF-8 takes 2 bytes per character"),
     len("😀".encode()) == 2, ", ".join(f"{c}={len(c.encode())}" for c in "AЖ😀")),
    ("E12", tr("порт 110 всегда без шифрования", "port 110 is always unencrypted"), not stls,
     tr("STLS в ports-tls", "STLS in ports-tls")),
    ("E13", tr("коды ответа — от 100 до 999", "reply codes run from 100 to 999"),
     min(smtp_codes) < 200 or max(smtp_codes) > 559,
     tr(f"встреченные коды: {min(smtp_codes)}…{max(smtp_codes)}",
        f"codes seen: {min(smtp_codes)}…{max(smtp_codes)}")),
    ("E15", tr("маршрут пишется в MAIL FROM", "the source route is in MAIL FROM"),
     bool(mails) and not rcpts, tr(f"маршрут несут строки RCPT TO: {len(rcpts)}",
                                   f"{len(rcpts)} RCPT TO lines carry the route")),
    ("E16", tr("в ящик доставляет MTA", "the MTA delivers into the mailbox"), agents == {"MTA"},
     tr(f"доставляет {', '.join(agents)}", f"delivered by {', '.join(agents)}")),
    ("E17", tr("MTA находит почтовый сервер по SRV", "an MTA finds the mail server by SRV"),
     "SRV" in qtypes, tr(f"basic спрашивает у DNS {', '.join(sorted(qtypes))}",
                         f"basic asks DNS for {', '.join(sorted(qtypes))}")),
]
table(("", tr("утверждение", "statement"), tr("верно?", "true?"), tr("проверка", "evidence")),
      [(number, text, yes(verdict), evidence) for number, text, verdict, evidence in myths])
'''),
    md("""
Остальные утверждения проверены в тетрадях 2–6: `LAST` (E3) и `QUIT` (E19) — тетрадь 3,
хронология RFC (E2, E6) — тетрадь 3, раздел 8, 8BITMIME и длина строки (E14) — тетрадь 2,
перекодирование (E10) и encoded-words (E11) — тетрадь 5, «оставлять копии» и отправленные (E20)
— тетради 3 и 4, SPF/DKIM/DMARC (E18) — тетрадь 6.
""", """
The other statements are tested in notebooks 2–6: `LAST` (E3) and `QUIT` (E19) in notebook 3,
the RFC timeline (E2, E6) in notebook 3, section 8, 8BITMIME and the line length (E14) in
notebook 2, transcoding (E10) and encoded-words (E11) in notebook 5, “leave a copy” and sent
mail (E20) in notebooks 3 and 4, SPF/DKIM/DMARC (E18) in notebook 6.
"""),
    *quiz('lab16/lab16', 'lab16-q2-pop2-pop3', 'lab16-q3-apop', 'lab16-q4-imap-move', 'lab16-q7-mime', 'lab16-q8-free-paid', 'lab16-q8-quota'),
    check(
        ("Перечислите протоколы, без которых письмо из `basic` не дошло бы до Боба, и роль "
         "каждого.",
         "List the protocols without which the message of `basic` would not reach Bob, and the "
         "role of each.",
         "SMTP (отправка и пересылка), DNS (MX и A — куда пересылать), TLS (защита отправки с "
         "паролем); чтобы прочитать — POP3 или IMAP.",
         "SMTP (submission and relay), DNS (MX and A: where to relay), TLS (protects the "
         "submission with its password); to read it, POP3 or IMAP."),
        ("Почтовый ящик получателя переполнен. Что увидит отправитель и когда?",
         "The recipient's mailbox is full. What does the sender see, and when?",
         "При 552 — уведомление о недоставке сразу; при 452 — письмо ждёт в очереди и "
         "доставляется при следующей попытке (или возвращается, когда попытки кончатся).",
         "With 552, a non-delivery notification at once; with 452, the message waits in the "
         "queue and is delivered at a later attempt (or bounces when the attempts run out)."),
        ("Какое утверждение верно: «ответ IMAP всегда несёт метку» или «данные IMAP идут "
         "строками без метки»?",
         "Which is true: “an IMAP reply always carries the tag” or “IMAP data comes in "
         "untagged lines”?",
         "Второе: метку несёт только строка завершения.",
         "The second: only the completion line carries the tag."),
    ),
]
