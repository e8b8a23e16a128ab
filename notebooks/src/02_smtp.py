"""02 SMTP: the dialogue, reply classes, MX and the A fallback, source routes, bounces,
retries, 7 and 8 bits (Q1, Q6; E13, E14, E15, E17)."""
from _nb import SETUP, check, code, md, names, quiz

FILES, TITLE = names(2)

CELLS = [
    md("""
# SMTP: как письмо отправляется

SMTP (RFC 5321) — протокол, которым почтовая программа отдаёт письмо серверу и которым серверы
передают его друг другу. В этой тетради вы сами проведёте диалог SMTP, разберёте коды ответов,
посмотрите, как DNS выбирает сервер получателя, и проверите, что SMTP делает с 8-битным текстом.
""", """
# SMTP: how a message is sent

SMTP (RFC 5321) is the protocol a mail program uses to hand a message to a server, and servers
use to pass it on to each other. In this notebook you hold an SMTP dialogue yourself, sort the
reply codes, see how DNS picks the recipient's server and check what SMTP does with 8-bit text.
"""),
    SETUP,
    md("""
## 1. Диалог: EHLO, MAIL, RCPT, DATA

Консоль подключена к порту 25 сервера `mx.b.test` из сценария `basic`. Ниже в неё уже отправлен
полный диалог: приветствие, конверт (`MAIL FROM` — обратный путь, `RCPT TO` — получатели), текст
письма после `DATA` и точка в отдельной строке. Один из получателей не существует: ответ на
него — 550, а письмо остальным всё равно уходит. Продолжите диалог сами: `RSET`, `NOOP`,
`VRFY bob`, `HELP`, `QUIT`.
""", """
## 1. The dialogue: EHLO, MAIL, RCPT, DATA

The console is connected to port 25 of `mx.b.test` in the `basic` scenario. A whole dialogue
has already been sent below: the greeting, the envelope (`MAIL FROM` is the reverse path,
`RCPT TO` the recipients), the message text after `DATA` and a dot on a line of its own. One of
the recipients does not exist: its reply is 550, and the message still goes to the others. Go
on yourself: `RSET`, `NOOP`, `VRFY bob`, `HELP`, `QUIT`.
"""),
    code('''
smtp = ProtocolConsole.simulated("basic", "SMTP", lang=LANG, host="mx.b.test", port=25)
for line in ("EHLO pc.a.test", "MAIL FROM:<alice@a.test>", "RCPT TO:<bob@b.test>",
             "RCPT TO:<nobody@b.test>", "DATA", "Subject: SMTP by hand", "",
             "Hello, Bob!", "."):
    smtp.submit(line)
smtp
'''),
    md("""
## 2. Коды ответов: первая цифра решает, что делать клиенту

Код ответа SMTP — три цифры. Первая цифра — класс: 2 — успех, 3 — «продолжайте» (например, 354
после `DATA`), 4 — временная ошибка (клиент повторит позже), 5 — постоянная (повторять
бессмысленно, отправитель получит уведомление). Вторая цифра — тема: 0 — синтаксис, 1 —
справка, 2 — соединение, 5 — почтовая система. Поэтому коды бывают только от 200 до 559, а не
«от 100 до 999» (RFC 5321 §4.2). Таблица ниже собрана из всех ответов всех встроенных
сценариев и консоли выше.
""", """
## 2. Reply codes: the first digit tells the client what to do

An SMTP reply code is three digits. The first is the class: 2 success, 3 “go on” (354 after
`DATA`), 4 a transient error (the client tries again later), 5 a permanent one (retrying is
pointless, the sender gets a notification). The second digit is the subject: 0 syntax, 1
information, 2 the connection, 5 the mail system. So the codes run from 200 to 559 only, not
“from 100 to 999” (RFC 5321 §4.2). The table below is gathered from every reply of every
built-in scenario and of the console above.
"""),
    code('''
from simulator.locale import t
from simulator.scenarios import builtin_names

codes = {s.code for name in builtin_names() for s in simulate(load_builtin(name)).trace
         if s.protocol == "SMTP" and isinstance(s.code, int)}
codes |= {s.code for s in smtp.steps if isinstance(s.code, int)}
meaning = {2: t("smtp.reply_class.x2", LANG), 3: t("smtp.reply_class.x3", LANG),
           4: t("smtp.reply_class.x4", LANG), 5: t("smtp.reply_class.x5", LANG)}
print(sorted(codes))
table((tr("код", "code"), tr("класс", "class")),
      [(code, meaning[code // 100]) for code in sorted(codes)])
'''),
    code('''
assert all(200 <= code <= 559 and code // 10 % 10 <= 5 for code in codes)
'''),
    md("""
Что отправитель делает с каждым классом, видно на опыте: сервер Боба отвечает на `RCPT TO`
разными кодами (один раз), а сервер Алисы решает — повторить позже или вернуть письмо.
""", """
What the sender does with each class shows in an experiment: Bob's server answers `RCPT TO`
with different codes (once), and Alice's server decides whether to try again later or to
return the message.
"""),
    code('''
import yaml
from importlib import resources

from simulator.scenarios import load_text

BASIC = yaml.safe_load(resources.files("simulator.scenarios").joinpath("basic.yaml")
                       .read_text("utf-8"))


def with_fault(reply, **fault):
    fault = {"kind": "reply", "node": "mx.b.test", "command": "RCPT", "reply": reply,
             "times": 1, **fault}
    text = yaml.safe_dump(dict(BASIC, name="reply", faults=[fault],
                               options={"retry_schedule": [60]}), allow_unicode=True)
    return simulate(load_text(text, source="reply.yaml"))


rows = []
for reply in ("250 2.1.5 OK", "421 4.3.0 Try again later", "451 4.7.1 Greylisted",
              "452 4.2.2 Mailbox full", "550 5.7.1 Rejected by policy",
              "552 5.3.4 Message too big", "554 5.0.0 Transaction failed"):
    result = with_fault(reply)
    fault = next(s for s in result.trace if s.explain.startswith("fault.reply"))
    delivered = [d.time for d in result.deliveries if d.address == "bob@b.test"]
    rows.append((reply, tr("доставлено через ", "delivered after ") + f"{delivered[0]:.0f} "
                 + tr("с", "s") if delivered else tr("возврат ", "bounced ") +
                 result.bounces[0].status, fault.explanation(LANG)))
table((tr("ответ на RCPT", "reply to RCPT"), tr("итог", "outcome"),
       tr("пояснение", "explanation")), rows, mono=(0,))
'''),
    md("""
## 3. Куда отправлять: MX, а если его нет — A

Сервер отправителя спрашивает у DNS запись MX домена получателя и пробует серверы по
возрастанию предпочтения. Если MX нет, сам домен считается единственным сервером с
предпочтением 0 и берётся его адрес A (RFC 5321 §5.1). «Нулевой MX» `0 .` (RFC 7505) значит
«почту не принимаю»: письмо возвращается сразу, без повторов. SRV-записи MTA для этого не
нужны: по SRV почтовая программа находит *свой* сервер при настройке (RFC 6186) — первый шаг
сценария `dns-fallback`. Все запросы к DNS этого сценария с пояснениями:
""", """
## 3. Where to send: MX, and without one, A

The sending server asks DNS for the MX records of the recipient's domain and tries the servers
in order of preference. With no MX, the domain itself is the only server, with preference 0,
and its A record gives the address (RFC 5321 §5.1). A “null MX” `0 .` (RFC 7505) means “I take
no mail”: the message bounces at once, with no retries. An MTA needs no SRV records for this:
SRV is how a mail *program* finds its own server at set-up time (RFC 6186), the first step of
the `dns-fallback` scenario. All DNS steps of that scenario with their explanations:
"""),
    code('''
fallback = simulate(load_builtin("dns-fallback"))
steps_table([s for s in fallback.trace if s.protocol == "DNS"], LANG)
'''),
    md("""
Что стало с тремя письмами: Кэрол получила своё через A-запись `c.test`, письма в `d.test` и
`e.test` вернулись к Алисе. Код 5.1.10 — «нулевой MX», 5.1.2 — у домена нет адреса.
""", """
What became of the three messages: Carol got hers through `c.test`'s A record; the messages to
`d.test` and `e.test` came back to Alice. Status 5.1.10 is the null MX, 5.1.2 a domain with no
address.
"""),
    code('''
display(table((tr("получатель", "recipient"), tr("доставлено на", "delivered to")),
              [(d.address, d.host) for d in fallback.deliveries]))
table((tr("получатель", "recipient"), tr("код", "status"), tr("время, с", "time, s")),
      [(b.recipient, b.status, b.time) for b in fallback.bounces])
'''),
    md("""
Другие типы записей DNS и ответы сервера имён — спросим у DNS того же сценария сами:
""", """
Other DNS record types and name server answers: let us ask the DNS of the same scenario
ourselves:
"""),
    code('''
from simulator.network.simulation import Network

dns = Network(load_builtin("dns-fallback"), 1).dns
questions = [("a.test", "SOA"), ("a.test", "NS"), ("a.test", "MX"), ("mail.a.test", "A"),
             ("mail.a.test", "AAAA"), ("www.a.test", "CNAME"), ("10.2.0.192.in-addr.arpa", "PTR"),
             ("_submission._tcp.a.test", "SRV"), ("c.test", "MX"), ("nowhere.a.test", "A")]
table((tr("вопрос", "question"), tr("ответ", "answer"), tr("пояснение", "explanation")),
      [(lookup.question(), lookup.summary(), t(lookup.key, LANG))
       for lookup in (dns.query(name, qtype) for name, qtype in questions)], mono=(0, 1))
'''),
    md("""
А если SRV-записей нет и сервер не настроен вручную, почтовой программе некуда отправлять:
""", """
And with no SRV records and no server set by hand, the mail program has nowhere to send:
"""),
    code('''
FALLBACK = yaml.safe_load(resources.files("simulator.scenarios").joinpath("dns-fallback.yaml")
                          .read_text("utf-8"))
no_srv = dict(FALLBACK["zones"], **{"a.test": FALLBACK["zones"]["a.test"].replace("_sub", "_x")})
text = yaml.safe_dump(dict(FALLBACK, name="no-srv", zones=no_srv), allow_unicode=True)
steps_table(simulate(load_text(text, source="no-srv.yaml")).trace[:3], LANG)
'''),
    md("""
Сервер имён может и не ответить (SERVFAIL). Это временная ошибка: письмо ждёт в очереди, пока
DNS не заработает (RFC 5321 §4.5.4.1). Сбой DNS домена `b.test` в первые 50 секунд:
""", """
A name server may fail to answer (SERVFAIL). That is a transient error: the message waits in
the queue until DNS works again (RFC 5321 §4.5.4.1). A DNS failure of `b.test` for the first 50
seconds:
"""),
    code('''
text = yaml.safe_dump(dict(BASIC, name="dns-down", faults=[
    {"kind": "dns", "name": "b.test", "rcode": "SERVFAIL", "end": 50}],
    options={"retry_schedule": [60]}), allow_unicode=True)
dns_down = simulate(load_text(text, source="dns-down.yaml"))
steps_table([s for s in dns_down.trace if s.protocol in ("DNS", "FAULT", "MTA")], LANG)
'''),
    md("""
Запасной MX: в сценарии `backup-mx` первый сервер выключен, и письмо берёт сервер со следующим
предпочтением. На рисунке — предпочтения на рёбрах.
""", """
A backup MX: in `backup-mx` the first server is down and the one with the next preference takes
the message. The preferences are on the edges of the picture.
"""),
    code('''
backup = simulate(load_builtin("backup-mx"))
plots.topology(backup, lang=LANG)
'''),
    md("""
Временная ошибка одного сервера — повод попробовать следующий MX; постоянная (5xx) — ответ за
весь домен: другие MX не спрашивают. Тот же `backup-mx`, но основной сервер включён и отвечает
на `RCPT TO` кодом 550:
""", """
A transient failure of one server is a reason to try the next MX; a permanent one (5xx) is the
answer for the whole domain: the other MX are not asked. The same `backup-mx`, but the primary
is up and answers `RCPT TO` with 550:
"""),
    code('''
BACKUP = yaml.safe_load(resources.files("simulator.scenarios").joinpath("backup-mx.yaml")
                        .read_text("utf-8"))
text = yaml.safe_dump(dict(BACKUP, name="backup-refuses", faults=[
    {"kind": "reply", "node": "mx1.b.test", "command": "RCPT",
     "reply": "550 5.1.1 No such user here"}]), allow_unicode=True)
refused = simulate(load_text(text, source="backup-refuses.yaml"))
steps_table([s for s in refused.trace if s.protocol == "MTA"], LANG)
'''),
    md("""
## 4. Маршрут отправителя и обратный путь

По RFC 821 маршрут через промежуточные узлы пишется в **`RCPT TO`** (прямой путь), а `MAIL FROM`
несёт **обратный путь** — куда возвращать сообщение об ошибке; на каждом переходе прямой путь
укорачивается, а обратный растёт. RFC 5321 (приложение C) объявил маршруты устаревшими: сервер
вправе их игнорировать и отправлять письмо прямо по MX. Таблица — из `source-route`, где маршрут
соблюдается, а ниже то же письмо на сервере, который маршруты игнорирует (как все современные).
""", """
## 4. The source route and the reverse path

In RFC 821 the route through intermediate hosts is written in **`RCPT TO`** (the forward path),
while `MAIL FROM` carries the **reverse path**, where error reports go back; at every hop the
forward path shrinks and the reverse one grows. RFC 5321 (appendix C) deprecates source routes:
a server may ignore them and send the message straight by MX. The table comes from
`source-route`, where the route is honoured; below it the same message on servers that ignore
routes, as all current ones do.
"""),
    code('''
def envelope(result):
    trace = result.trace
    return [(conn, trace.find(command="MAIL", conn=conn).command.line,
             trace.find(command="RCPT", conn=conn).command.line)
            for conn in trace.connections() if trace.find(command="MAIL", conn=conn)]

routed = simulate(load_builtin("source-route"))
table((tr("соединение", "conn"), "MAIL FROM", "RCPT TO"), envelope(routed), mono=(1, 2))
'''),
    code('''
import dataclasses

scenario = load_builtin("source-route")
ignoring = simulate(dataclasses.replace(
    scenario, options=dataclasses.replace(scenario.options, source_routes="ignore")))
display(table((tr("соединение", "conn"), "MAIL FROM", "RCPT TO"), envelope(ignoring),
              mono=(1, 2)))
steps_table([s for s in ignoring.trace if s.line.startswith("RCPT")][:1], LANG)
'''),
    md("""
## 5. Возвраты и повторы

Постоянная ошибка (5xx) — и письмо возвращается отправителю уведомлением о недоставке (DSN);
временная (4xx) — и письмо ждёт в очереди следующей попытки. Проигрыватель показывает `retry`
только с событиями MTA: когда была неудача и когда следующая попытка.
""", """
## 5. Bounces and retries

A permanent error (5xx) returns the message to the sender as a delivery status notification
(DSN); a transient one (4xx) leaves it in the queue for the next attempt. The player shows
`retry` with the MTA's events only: when an attempt failed and when the next one comes.
"""),
    code('''
retry = TracePlayer(simulate(load_builtin("retry")).trace, lang=LANG)
retry.filters["protocol"].value = "MTA"
retry
'''),
    md("""
Состояния сервера SMTP и клиента SMTP — по таблицам переходов движков:
""", """
The states of the SMTP server and of the SMTP client, from the engines' transition tables:
"""),
    code('''
display(states_table(plots.state_table("SMTP").states, "smtp.state"))
display(plots.state_diagram("SMTP client", lang=LANG))
states_table(plots.state_table("SMTP client").states, "smtp.client_state")
'''),
    md("""
## 6. 7 бит, 8 бит и длина строки

Классический SMTP передаёт 7-битный текст ASCII (как NVT в Telnet). Русский текст в UTF-8 — это
байты больше 127; сервер, объявивший в ответе на EHLO расширение `8BITMIME` (RFC 6152), их
принимает, и клиент помечает письмо `BODY=8BITMIME`. «Двоичные» файлы по SMTP не идут как есть:
их кодирует MIME (base64), а строка письма не длиннее 1000 октетов вместе с CRLF
(RFC 5321 §4.5.3.1.6). Проверим на письме из `basic` и попробуем отправить в консоль строку из
1200 символов:
""", """
## 6. 7 bits, 8 bits and the line length

Classic SMTP carries 7-bit ASCII text (like Telnet's NVT). Russian text in UTF-8 is bytes above
127; a server that lists `8BITMIME` in its EHLO reply (RFC 6152) accepts them, and the client
marks the message `BODY=8BITMIME`. “Binary” files do not travel over SMTP as they are: MIME
encodes them (base64), and a line of the message is at most 1000 octets with its CRLF
(RFC 5321 §4.5.3.1.6). Let us check the message of `basic` and send a 1200-character line into
the console:
"""),
    code('''
basic = simulate(load_builtin("basic")).trace
content = basic.find(command="DATA", conn="c2").steps
body = b"".join(s.raw for s in content if s.direction == "c2s")
print(basic.find(command="MAIL", conn="c2").command.line)
print(tr("октетов больше 127:", "octets above 127:"), sum(b > 127 for b in body),
      tr("| самая длинная строка:", "| the longest line:"),
      max(len(line) for line in body.split(b"\\r\\n")))
'''),
    code('''
for line in ("RSET", "MAIL FROM:<alice@a.test>", "RCPT TO:<bob@b.test>", "DATA",
             "x" * 1200, "."):
    smtp.submit(line)
steps_table(smtp.steps[-2:], LANG)
'''),
    md("""
## 7. Как сервер отказывает

Неправильные команды — тоже опыт: каждая строка ниже отправлена серверу, и у каждого отказа свой
код и своё объяснение. Сначала порт 25 (`mx.b.test`), затем порт отправки 587 (`mail.a.test`):
вход до TLS, неизвестный механизм, неверный пароль, повторный STARTTLS.
""", """
## 7. How a server says no

Wrong commands are an experiment too: each line below was sent to a server, and each refusal
has its own code and its own explanation. First port 25 (`mx.b.test`), then the submission port
587 (`mail.a.test`): a login before TLS, an unknown mechanism, a wrong password, STARTTLS twice.
"""),
    code('''
import base64


def plain(*parts):
    return "AUTH PLAIN " + base64.b64encode("\\0".join(parts).encode()).decode()


relay = attempts("basic", "SMTP", [
    "MAIL FROM:<alice@a.test>", "HELO pc.a.test", "EHLO pc.a.test", "AUTH PLAIN",
    "RCPT TO:<bob@b.test>",
    "DATA", "MAIL FROM:<not an address>", "MAIL FROM:<alice@a.test> FOO=BAR",
    "MAIL FROM:<alice@a.test> SIZE=abc", "MAIL FROM:<alice@a.test> SIZE=99999999999",
    "MAIL FROM:<алиса@a.test>", "MAIL FROM:<alice@a.test>", "MAIL FROM:<alice@a.test>",
    "RCPT TO:<bad address>", "RCPT TO:<боб@b.test>", "RCPT TO:<carol@elsewhere.test>",
    "RSET", "VRFY bob", "HELP", "HELP FOO", "NOOP", "EXPN staff", "HELO",
    b"NOOP\\nNOOP", "NO\\x07OP", b"NOOP \\xff\\xfe", "NOOP " + "x" * 600, "RSET",
    "MAIL FROM:<alice@a.test>", "RCPT TO:<bob@b.test>", "DATA", b"bare\\nLF", ".", "QUIT"],
    host="mx.b.test", port=25)
steps_table(relay, LANG)
'''),
    code('''
submission = attempts("basic", "SMTP", [
    "EHLO pc.a.test", "MAIL FROM:<alice@a.test>", "STARTTLS", "EHLO pc.a.test", "STARTTLS",
    "AUTH FOO", "AUTH PLAIN !!!", plain("", "alice@a.test", "wrong"), "AUTH PLAIN", "*",
    plain("bob@b.test", "alice@a.test", "alice-pw"), plain("", "alice@a.test", "alice-pw"),
    plain("", "alice@a.test", "alice-pw"), "QUIT"], host="mail.a.test", port=587)
steps_table(submission, LANG)
'''),
    md("""
Ещё несколько ошибок клиента. На порту 25: нулевой байт в команде, обратный путь с маршрутом
(RFC 5321 его игнорирует), 101 получатель в одном письме (сервер обязан принять не меньше 100,
RFC 5321 §4.5.3.1.8, и отвечает на лишних `452 4.5.3`), а затем клиент просто обрывает
соединение, не сказав QUIT. На порту 587: AUTH после HELO (расширения есть только после EHLO)
и команда, отправленная в одной посылке со STARTTLS: сервер её отбрасывает, потому что до TLS
кто-то посторонний мог её подставить (уязвимость CVE-2011-0411). Наконец, узел маршрута RFC 821 отказывает
маршруту, который начинается не с него.
""", """
A few more client mistakes. On port 25: a NUL byte in a command, a reverse path carrying a route
(RFC 5321 ignores it), 101 recipients in one message (a server must take at least 100, RFC 5321
§4.5.3.1.8, and answers the extra ones `452 4.5.3`), and then the client simply drops the
connection without QUIT. On port 587: AUTH after HELO (extensions exist only after EHLO) and a
command sent in the same packet as STARTTLS: the server discards it, because before TLS a third
party could have slipped it in (the flaw CVE-2011-0411). Last, a hop of an RFC 821 source route refuses a
route that does not start with itself.
"""),
    code('''
late = SimulatedSession("basic", "SMTP", host="mx.b.test", port=25)
steps = late.open()
for line in [b"NOOP\\0", "EHLO pc.a.test", "MAIL FROM:<@mail.a.test:alice@a.test>",
             *["RCPT TO:<bob@b.test>"] * 101]:
    steps += late.send(line)
steps += late.close()                   # the client hangs up without QUIT
glued = attempts("basic", "SMTP", ["HELO pc.a.test", "AUTH PLAIN AGFsaWNl", "EHLO pc.a.test",
                                   b"STARTTLS\\r\\nMAIL FROM:<alice@a.test>", "QUIT"],
                 host="mail.a.test", port=587)
route = attempts("source-route", "SMTP", ["EHLO pc.a.test", "MAIL FROM:<alice@a.test>",
                                          "RCPT TO:<@host2.relay.test:bob@b.test>", "QUIT"],
                 host="host1.relay.test", port=25)
steps_table(steps[:9] + steps[-4:] + glued + route, LANG)
'''),
    md("""
## 8. Движки SMTP сами по себе

Сервер и клиент SMTP в mailsim — «движки»: они получают байты и возвращают байты, а сеть, часы и
сокеты им не нужны (так устроены h11 и другие библиотеки sans-IO). Поэтому их можно соединить
напрямую и проверить случаи, которых в нормальной сети не бывает: сервер без почтовой службы
(`554` вместо приветствия, RFC 5321 §3.1; на всё, кроме QUIT, он затем отвечает `503`), перегруженный сервер (`421`), сервер с ошибкой в
программе (`451 4.3.0`), сервер, который предлагает только `AUTH LOGIN`, и сервер без
SMTPUTF8 или 8BITMIME, которому клиент не может отдать письмо как есть. Первая таблица — что
видел и ответил сервер, вторая — что понял клиент.
""", """
## 8. The SMTP engines on their own

mailsim's SMTP server and client are “engines”: they take bytes and return bytes and need no
network, clock or socket (the sans-IO style of h11 and similar libraries). So they can be wired
together directly to try cases a normal network never shows: a server with no mail service
(`554` instead of a greeting, RFC 5321 §3.1; it then answers `503` to anything but QUIT), an overloaded server (`421`), a server with a bug
in its code (`451 4.3.0`), a server that offers only `AUTH LOGIN`, and servers without SMTPUTF8
or 8BITMIME, to which the client cannot hand the message as it is. The first table is what the
server saw and said, the second what the client understood.
"""),
    code('''
from simulator.protocols.smtp import (Envelope, Handler, Reply, SMTPClient, SMTPServer,
                                      ServerConfig, parse_path, reply)


def talk(client, server, limit=50):
    """Carry bytes between the two engines until both fall silent: (side, utterance) pairs."""
    server.initiate()
    said = []
    for _ in range(limit):
        down, up = server.data_to_send(), client.data_to_send()
        if down:
            client.receive_data(down)
        if up:
            server.receive_data(up)
        said += [("server", u) for u in server.take_transcript()]
        said += [("client", u) for u in client.take_transcript()]
        if not down and not up:
            return said
    return said


def letter(to="<bob@b.test>", text="Hello."):
    return Envelope(mail_from=parse_path("<alice@a.test>"), rcpt_to=[parse_path(to, smtputf8=True)],
                    content=f"Subject: test\\r\\n\\r\\n{text}\\r\\n".encode())


class Greeting(Handler):             # a server that opens with its own reply
    def __init__(self, name):
        self.name = name

    def handle_connect(self, session):
        return reply(self.name, host="mx.b.test")


class Buggy(Handler):                # a server whose code fails at MAIL
    def handle_MAIL(self, session, envelope, path):
        raise OSError("disk full")


class Alice(Handler):                # a submission server that knows one password
    def authenticate(self, session, mechanism, username, password):
        return (username, password) == ("alice@a.test", "alice-pw")


class Careless(Handler):             # an old server: 354 even though it refused every RCPT
    def handle_RCPT(self, session, envelope, path):
        return Reply(550, "5.1.1", ("No such user",))

    def handle_command(self, session, verb, argument):
        return Reply(354, "", ("Go ahead",)) if verb == "DATA" else None


mx = ServerConfig("mx.b.test")
runs = {
    tr("обычный сервер", "a plain server"): (SMTPClient("pc.a.test", letter()), SMTPServer(mx)),
    "554": (SMTPClient("pc.a.test", letter()), SMTPServer(mx, Greeting("refused"))),
    "421": (SMTPClient("pc.a.test", letter()), SMTPServer(mx, Greeting("not_available"))),
    tr("ошибка в сервере", "a server bug"): (SMTPClient("pc.a.test", letter()),
                                            SMTPServer(mx, Buggy())),
    "AUTH LOGIN": (SMTPClient("pc.a.test", letter(), credentials=("alice@a.test", "alice-pw")),
                   SMTPServer(ServerConfig("mail.a.test", offer_auth=True,
                                           auth_mechanisms=("LOGIN",)), Alice())),
    "354": (SMTPClient("pc.a.test", letter()), SMTPServer(mx, Careless())),
    tr("без SMTPUTF8", "no SMTPUTF8"): (SMTPClient("pc.a.test", letter("<мария@пример.рф>")),
                                        SMTPServer(ServerConfig("mx.b.test", smtputf8=False))),
    tr("без 8BITMIME", "no 8BITMIME"): (
        SMTPClient("pc.a.test", letter(text="Привет.")),
        SMTPServer(ServerConfig("mx.b.test", extensions_off=frozenset({"8BITMIME"})))),
}
talks = {name: talk(client, server) for name, (client, server) in runs.items()}
header = (tr("опыт", "case"), tr("строка", "line"), tr("пояснение", "explanation"))
servers = list(runs)[:4]                # what these servers answered
rows = [(name, u.line[:60], t(u.explain, LANG, **u.params))
        for name in servers for side, u in talks[name]
        if side == "server" and u.direction == "s2c"]
stubborn = SMTPServer(mx, Greeting("refused"))    # a client that ignores the 554 and goes on
stubborn.initiate()
stubborn.receive_data(b"EHLO pc.a.test\\r\\n")
rows += [("554 + EHLO", u.line, t(u.explain, LANG, **u.params))
         for u in stubborn.take_transcript()[1:]]
table(header, rows, mono=(1,))
'''),
    md("""
Теперь сторона клиента. С `AUTH LOGIN` клиент отвечает на два вопроса сервера (`334`) именем и
паролем в base64 — это не шифрование. Старому серверу, который ответил `354`, хотя отказал всем
получателям, клиент посылает одну точку (RFC 2920 §3.1). Серверу без SMTPUTF8 клиент не
отправляет адрес не латиницей, а серверу без 8BITMIME — 8-битный текст: он сам отказывается от
отправки (`553 5.6.7`, `554 5.6.3`), и письмо возвращается. Последняя строка — клиент получил
вместо ответа SMTP что-то совсем другое (ответ веб-сервера) и закрывает соединение.
""", """
Now the client's side. With `AUTH LOGIN` the client answers the server's two questions (`334`)
with the user name and the password in base64 — which is not encryption. To an old server that
said `354` although it refused every recipient the client sends a lone dot (RFC 2920 §3.1). To a
server without SMTPUTF8 the client does not send a non-ASCII address, to one without 8BITMIME no
8-bit text: it gives up by itself (`553 5.6.7`, `554 5.6.3`) and the message comes back. The last
row: instead of an SMTP reply the client got something else entirely (a web server's answer) and
closes the connection.
"""),
    code('''
mine = ("smtp.auth.client_response", "smtp.data.empty")
rows = [(name, u.line, t(u.explain, LANG, **u.params))
        for name in ("AUTH LOGIN", "354") for side, u in talks[name]
        if side == "client" and u.explain in mine]
for name in (tr("без SMTPUTF8", "no SMTPUTF8"), tr("без 8BITMIME", "no 8BITMIME")):
    failure = runs[name][0].result.failure
    rows.append((name, f"{failure.code} {failure.enhanced}", t(failure.key, LANG)))
confused = SMTPClient("pc.a.test", letter())
confused.receive_data(b"HTTP/1.1 400 Bad Request\\r\\n")
rows += [("HTTP", u.line, t(u.explain, LANG)) for u in confused.take_transcript()]
table(header, rows, mono=(1,))
'''),
    *quiz('smtp', 'smtp-rcpt-code', 'smtp-reply-classes', 'smtp-no-mx', 'smtp-cloze-data'),
    check(
        ("Клиент получил на `RCPT TO` ответ `452 4.2.2`. Что он сделает с письмом? А если "
         "`552 5.2.2`?",
         "A client got `452 4.2.2` to `RCPT TO`. What does it do with the message? And with "
         "`552 5.2.2`?",
         "4xx — временная ошибка: письмо остаётся в очереди, будет новая попытка. 5xx — "
         "постоянная: отправитель получит уведомление о недоставке.",
         "4xx is transient: the message stays queued and is tried again. 5xx is permanent: the "
         "sender gets a non-delivery notification."),
        ("Может ли сервер ответить кодом 172 или 620? Почему?",
         "Can a server answer with 172 or 620? Why?",
         "Нет: первая цифра бывает только 2–5, вторая 0–5 (RFC 5321 §4.2).",
         "No: the first digit is 2–5 only, the second 0–5 (RFC 5321 §4.2)."),
        ("У домена нет MX-записи, но есть A. Дойдёт ли письмо? А при записи `MX 0 .`?",
         "A domain has no MX record but has an A record. Does mail get there? And with "
         "`MX 0 .`?",
         "Дойдёт: домен сам считается сервером с предпочтением 0 (RFC 5321 §5.1). При «нулевом "
         "MX» письмо сразу возвращается с кодом 5.1.10 (RFC 7505).",
         "Yes: the domain itself is the server, with preference 0 (RFC 5321 §5.1). With a null "
         "MX the message bounces at once with 5.1.10 (RFC 7505)."),
        ("Для чего нужны записи SRV `_submission._tcp`? Ищет ли по ним сервер получателя MTA?",
         "What are the `_submission._tcp` SRV records for? Does an MTA find the recipient's "
         "server with them?",
         "Почтовая программа находит по ним свой сервер отправки (RFC 6186). MTA ищет MX, "
         "а без него — A/AAAA.",
         "A mail program finds its submission server with them (RFC 6186). An MTA looks up MX, "
         "and without one A/AAAA."),
        ("В какой команде пишется маршрут отправителя по RFC 821, а в какой — обратный путь?",
         "Which command carries the RFC 821 source route, and which the reverse path?",
         "Маршрут — в `RCPT TO`, обратный путь — в `MAIL FROM`. RFC 5321 считает маршруты "
         "устаревшими.",
         "The route is in `RCPT TO`, the reverse path in `MAIL FROM`. RFC 5321 deprecates "
         "source routes."),
        ("Можно ли передать по SMTP файл как есть, байт в байт?",
         "Can SMTP carry a file as it is, byte for byte?",
         "Нет: двоичные данные кодируются MIME (base64), 8-битный текст — только с 8BITMIME, "
         "строки не длиннее 1000 октетов.",
         "No: binary data is MIME-encoded (base64), 8-bit text needs 8BITMIME, lines are at "
         "most 1000 octets."),
    ),
]
