"""Notebook 09, the HTTP and webmail sections (issue 15): kept in a file of their own so
that the FTP sections and these merge without touching each other's lines."""
from _nb import code, md

HTTP_CELLS = [
    md("""
## 7. HTTP: запрос и ответ

HTTP/1.1 (RFC 9110 — смысл, RFC 9112 — синтаксис) — такой же текстовый протокол, как SMTP:
клиент пишет строку запроса (метод, путь, версия), поля заголовка и пустую строку; сервер
отвечает строкой статуса (код и фраза), полями и телом. Тип тела называет `Content-Type` —
тип MIME, тот же, что в почте. Наберите в консоли сами: `GET /news HTTP/1.1`, затем
`Host: www.b.test`, затем пустую строку (просто Enter). Запрос из некоторых учебников —
`GET / HTTP/1.1` без `Host` — сервер отвергнет с кодом 400: в HTTP/1.1 поле `Host`
обязательно (RFC 9112 §3.2).
""", """
## 7. HTTP: a request and a response

HTTP/1.1 (RFC 9110 the meaning, RFC 9112 the syntax) is a text protocol like SMTP: the client
writes a request line (method, path, version), header fields and an empty line; the server
answers with a status line (code and phrase), fields and a body. `Content-Type` names the
body's type — a MIME type, the same as in mail. Type in the console yourself: `GET /news
HTTP/1.1`, then `Host: www.b.test`, then an empty line (just Enter). The request some
textbooks show — `GET / HTTP/1.1` without `Host` — the server refuses with 400: in HTTP/1.1
the `Host` field is mandatory (RFC 9112 §3.2).
"""),
    code('''
web = ProtocolConsole.simulated("http-basic", "HTTP", lang=LANG)
for line in ("GET /logo.svg HTTP/1.1", "Host: www.b.test", ""):
    web.submit(line)
web
'''),
    md("""
Весь сценарий `http-basic`: 200 с типом MIME, 404, 301 и переход браузера по `Location`,
HEAD, условный GET (браузер присылает `If-None-Match` с меткой своей копии — ответ 304 без
тела), DELETE (405), несуществующий метод LIST (501) и запрос без `Host` (400).
""", """
The whole `http-basic` scenario: 200 with a MIME type, 404, 301 and the browser following
`Location`, HEAD, a conditional GET (the browser sends `If-None-Match` with its copy's tag —
304 without a body), DELETE (405), the non-existent method LIST (501) and the request
without `Host` (400).
"""),
    code('''
basic = simulate(load_builtin("http-basic")).trace
table((tr("строка запроса", "request line"), tr("ответ", "response"), tr("класс", "class")),
      [(basic.command_of(s).line.splitlines()[0], f"{s.params['status']} {s.params['reason']}",
        t(f"http.class.{s.params['status'] // 100}xx", LANG))
       for s in basic if s.direction == "s2c"], mono=(0,))
'''),
    code('''
TracePlayer(basic, lang=LANG, picture="state")
'''),
    md("""
## 8. Одно соединение на запрос? Нет (поправка E21)

В некоторых учебниках сказано, что HTTP/1.1 открывает TCP-соединение на каждый запрос. Так
работал HTTP/1.0; в HTTP/1.1 соединение по умолчанию **постоянное** (RFC 9112 §9.3): оно
остаётся открытым после ответа, пока одна из сторон не скажет `Connection: close`. Сценарий
`http-keepalive` просит страницу и три картинки трижды: с `Connection: close`, по одному
постоянному соединению и конвейером (все запросы сразу, RFC 9112 §9.3.2).
""", """
## 8. One connection per request? No (correction E21)

Some textbooks say HTTP/1.1 opens a TCP connection for each request. That was HTTP/1.0; in
HTTP/1.1 a connection is **persistent** by default (RFC 9112 §9.3): it stays open after the
response until one side says `Connection: close`. The `http-keepalive` scenario asks for a
page and three pictures three times: with `Connection: close`, over one persistent connection,
and pipelined (all requests at once, RFC 9112 §9.3.2).
"""),
    code('''
keep = simulate(load_builtin("http-keepalive")).trace
starts = [s for s in keep if s.explain.startswith("http.browser.start")]
ends = [s for s in keep if s.explain == "http.browser.done"]
table((tr("как", "how"), tr("ответов", "responses"), tr("TCP-соединений", "TCP connections"),
       tr("заняло, с", "took, s")),
      [(t(f"event.{a.explain}", LANG, **a.params), b.params["requests"],
        b.params["connections"], f"{b.time - a.time:.2f}") for a, b in zip(starts, ends)])
'''),
    code('''
display(plots.sequence_diagram(keep, lang=LANG))
'''),
    md("""
## 9. Форма: тело запроса

Форма HTML отправляется методом POST: поля идут в теле как
`application/x-www-form-urlencoded`, кириллица — %-кодами UTF-8. Длину тела говорит
`Content-Length`, а если её нельзя знать заранее — тело идёт кусками (`Transfer-Encoding:
chunked`). Слишком большое тело сервер отвергает (413) по одному заголовку.
""", """
## 9. A form: the request's body

An HTML form is sent with POST: the fields go in the body as
`application/x-www-form-urlencoded`, Cyrillic as UTF-8 percent codes. `Content-Length` gives
the body's length, and when it cannot be known in advance the body comes in chunks
(`Transfer-Encoding: chunked`). A body that is too large the server refuses (413) from the
head alone.
"""),
    code('''
form = simulate(load_builtin("http-post-form")).trace
steps_table([s for s in form if s.protocol == "HTTP" and s.direction != "internal"], LANG)
'''),
    md("""
## 10. Веб-почта: почтовый клиент, который работает на сервере

Браузер Боба знает только HTTP. Веб-почта — программа на сервере — на каждый его запрос сама
становится почтовым клиентом: вход — это `LOGIN` по IMAP, список писем — `FETCH` полей
заголовка (`BODY.PEEK`, письма остаются непрочитанными), письмо — `FETCH BODY[]` (теперь
`\\Seen`), отправка — SMTP на порт 587 со STARTTLS и AUTH. Браузер хранит только cookie сеанса;
пароль остаётся на сервере. На диаграмме — все три протокола.
""", """
## 10. Webmail: a mail client that runs on the server

Bob's browser knows only HTTP. The webmail — a program on the server — becomes a mail client
itself for each of its requests: the login is an IMAP `LOGIN`, the inbox a `FETCH` of header
fields (`BODY.PEEK`, the messages stay unread), a message a `FETCH BODY[]` (now `\\Seen`), and
sending is SMTP on port 587 with STARTTLS and AUTH. The browser holds only a session cookie;
the password stays on the server. The diagram shows all three protocols.
"""),
    code('''
webmail = simulate(load_builtin("webmail"))
table((tr("от", "from"), tr("к", "to"), tr("протокол", "protocol"), tr("строк", "lines")),
      sorted({(s.src, s.dst, s.protocol, sum(1 for x in webmail.trace if x.direction == "c2s"
                                             and (x.src, x.protocol) == (s.src, s.protocol)))
              for s in webmail.trace if s.direction == "c2s"}))
'''),
    code('''
TracePlayer(webmail.trace, lang=LANG, picture="sequence")
'''),
    code('''
MailboxInspector(webmail.store, lang=LANG)
'''),
]

#: The self-check questions of the HTTP and webmail sections (the notebook's last cell).
HTTP_QUESTIONS = (
    ("Сколько TCP-соединений нужно HTTP/1.1, чтобы получить страницу и три картинки?",
     "How many TCP connections does HTTP/1.1 need for a page and three pictures?",
     "Одно: соединение постоянное по умолчанию (RFC 9112 §9.3). Четыре — только если "
     "каждый запрос говорит `Connection: close`, как в HTTP/1.0 (`http-keepalive`).",
     "One: the connection is persistent by default (RFC 9112 §9.3). Four only if every "
     "request says `Connection: close`, as in HTTP/1.0 (`http-keepalive`)."),
    ("Что ответит сервер на `GET / HTTP/1.1` без `Host`, и почему?",
     "What does a server answer to `GET / HTTP/1.1` without `Host`, and why?",
     "400 Bad Request: в HTTP/1.1 `Host` обязателен — один сервер держит много сайтов "
     "(RFC 9112 §3.2).",
     "400 Bad Request: in HTTP/1.1 `Host` is mandatory — one server holds many sites "
     "(RFC 9112 §3.2)."),
    ("Почему на второй GET той же страницы пришло 304 и без тела?",
     "Why did the second GET of the same page get 304 and no body?",
     "Браузер прислал `If-None-Match` с ETag своей копии; страница не менялась, и сервер "
     "сказал «бери свою» (RFC 9110 §13.1.2, RFC 9110 §15.4.5).",
     "The browser sent `If-None-Match` with its copy's ETag; the page had not changed, "
     "so the server said “use yours” (RFC 9110 §13.1.2, RFC 9110 §15.4.5)."),
    ("По каким протоколам работает веб-почта, и кто из участников говорит по IMAP?",
     "Which protocols does webmail use, and who speaks IMAP?",
     "Браузер — только HTTP; по IMAP и SMTP говорит сама веб-почта на сервере.",
     "The browser speaks only HTTP; the webmail on the server speaks IMAP and SMTP."),
)
