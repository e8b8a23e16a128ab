"""05 MIME and Cyrillic: what MIME is, charsets, transfer encodings, encoded-words,
UTF-8 lengths, composing and inspecting a letter with attachments (the MIME tree with sizes),
SIZE= in three charsets, the encoding lab, the 8BITMIME downgrade (Q7; E9, E10, E11, E14)."""
from _nb import SETUP, check, code, md, names, quiz

FILES, TITLE = names(5)

CELLS = [
    md("""
# MIME и кириллица

SMTP умеет передавать только строки текста. MIME (RFC 2045–2049) описывает, как в эти строки
уложить всё остальное: русский текст, вложения, несколько частей в одном письме. Письмо само
говорит, что в нём: `Content-Type` (тип и кодировка символов), `Content-Transfer-Encoding`
(как байты превращены в строки). Отвечает на контрольный вопрос 7 (что такое MIME).
""", """
# MIME and Cyrillic

SMTP can carry lines of text only. MIME (RFC 2045–2049) says how to put everything else into
those lines: Russian text, attachments, several parts in one message. The message itself says
what it holds: `Content-Type` (the type and the character set), `Content-Transfer-Encoding`
(how the bytes became lines). It answers control question 7 (what MIME is).
"""),
    SETUP,
    md("""
## 1. Одно письмо в трёх кодировках

Составим одно и то же письмо в UTF-8, KOI8-R и Windows-1251 тем же кодом, которым его составляет
почтовая программа симулятора. Сравните заголовок `Subject` (encoded-word, RFC 2047) и байты
текста.
""", """
## 1. One message in three charsets

Let us compose one message in UTF-8, KOI8-R and Windows-1251 with the same code the simulator's
mail program uses. Compare the `Subject` header (an encoded-word, RFC 2047) and the bytes of the
text.
"""),
    code('''
from datetime import UTC, datetime
from email import message_from_bytes

from simulator.locale import t
from simulator.mail.mime import compose

rows = []
for charset, encoding in (("utf-8", "base64"), ("koi8-r", "quoted-printable"),
                          ("windows-1251", "8bit")):
    data = compose("alice@a.test", ["bob@b.test"], "Привет", "Съешь ещё этих булок.\\n",
                   date=datetime(2026, 9, 1, tzinfo=UTC), message_id=f"m.{charset}@a.test",
                   charset=charset, transfer_encoding=encoding)
    message = message_from_bytes(data)
    body = data.split(b"\\r\\n\\r\\n", 1)[1].strip()
    rows.append((charset, message["Subject"], encoding, body[:40],
                 t(f"mail.mime.charset.{charset}", LANG)))
table(("charset", "Subject", "Content-Transfer-Encoding", tr("октеты текста", "body octets"), ""),
      rows,
      mono=(1, 3))
'''),
    code('''
table(("", ""), [(name, t(key, LANG)) for name, key in (
    ("7bit", "mail.mime.cte.7bit"), ("8bit", "mail.mime.cte.8bit"),
    ("base64", "mail.mime.cte.base64"), ("quoted-printable", "mail.mime.cte.quoted-printable"),
    ("=?…?=", "mail.mime.encoded_word"), ("multipart", "mail.mime.multipart"))])
'''),
    md("""
## 2. Кто выбирает кодировку

Кодировку выбирает и указывает отправитель (`charset=` в `Content-Type`); серверы по дороге
ничего не перекодируют и не угадывают (RFC 2045 §5.1, RFC 2046 §4.1.2). Проверим: байты текста,
которые почтовая программа Алисы отдала в `basic`, и байты письма в ящике Боба — одни и те же.
А если получатель прочтёт байты KOI8-R как Windows-1251, выйдут «кракозябры»: всё решает метка.
""", """
## 2. Who chooses the charset

The sender chooses and labels the charset (`charset=` in `Content-Type`); the servers on the way
neither transcode nor guess (RFC 2045 §5.1, RFC 2046 §4.1.2). Let us check: the text bytes
Alice's mail program sent in `basic` and the bytes of the message in Bob's mailbox are the same.
And if the recipient reads KOI8-R bytes as Windows-1251, the result is gibberish: the label
decides.
"""),
    code('''
basic = simulate(load_builtin("basic"))
sent = b"".join(s.raw for s in basic.trace.find(command="DATA", conn="c1").steps
                if s.direction == "c2s" and not s.line.startswith("DATA"))
stored = basic.store.account("bob@b.test").inbox.messages[0].data
body = sent.split(b"\\r\\n\\r\\n", 1)[1].removesuffix(b".\\r\\n")
print(tr("в ящике те же байты текста:", "the same body bytes in the mailbox:"), yes(body in stored))
koi8 = "Привет".encode("koi8-r")
print(koi8, tr("→ прочитано как windows-1251:", "→ read as windows-1251:"),
      koi8.decode("windows-1251"))
'''),
    md("""
## 3. Сколько байт занимает буква

UTF-8 — не «2 байта на символ» и не «65 536 символов»: символ занимает от 1 до 4 октетов,
а кодовых точек Unicode 1 114 112 (RFC 3629). «2 байта» — это UCS-2, старая кодировка Windows.
""", """
## 3. How many bytes a letter takes

UTF-8 is neither “2 bytes per character” nor “65,536 characters”: a character takes 1 to 4
octets, and Unicode has 1,114,112 code points (RFC 3629). “2 bytes” is UCS-2, an old Windows
encoding.
"""),
    code('''
table((tr("символ", "character"), "U+", tr("октетов UTF-8", "UTF-8 octets"),
       tr("байты", "bytes")),
      [(c, f"{ord(c):04X}", len(c.encode()), c.encode().hex(" ")) for c in "AЖ€😀"])
'''),
    code('''
print(tr("кодовых точек Unicode:", "Unicode code points:"), 0x10FFFF + 1)
'''),
    md("""
## 4. Соберём письмо с вложениями и разберём его по частям

`compose` из `simulator.mail.mime` — тот же код, которым пишет почтовая программа симулятора.
Соберём письмо со всем, что бывает в настоящей почте: текст и тот же текст в HTML
(`multipart/alternative`, RFC 2046 §5.1.4), картинка внутри HTML (`multipart/related` и
`Content-ID`, RFC 2387), PDF-документ и фотография во вложении (`Content-Disposition`,
RFC 2183) и пересланное письмо (`message/rfc822`). Файлы настоящие: крошечный PDF и
картинка PNG, сделанные `simulator.mail.samples`. На рисунке — дерево частей с номерами,
по которым IMAP отдаёт часть (`BODY[2]`), и размеры каждой части до и после кодирования.
""", """
## 4. Compose a letter with attachments and take it apart

`compose` from `simulator.mail.mime` is the same code the simulator's mail program writes
with. Let us build a letter with everything real mail has: a text and the same text in HTML
(`multipart/alternative`, RFC 2046 §5.1.4), a picture inside the HTML (`multipart/related` and
`Content-ID`, RFC 2387), a PDF document and a photo as attachments (`Content-Disposition`,
RFC 2183) and a forwarded letter (`message/rfc822`). The files are real: a tiny PDF and a PNG
picture made by `simulator.mail.samples`. The picture shows the tree of parts with the
numbers IMAP fetches a part by (`BODY[2]`), and each part's size before and after encoding.
"""),
    code('''
from simulator.mail import mime, samples

day = datetime(2026, 9, 1, tzinfo=UTC)
forwarded = compose("carol@c.test", ["alice@a.test"], "Расписание", "Занятия в среду.\\n",
                    date=day, message_id="orig@c.test", charset="koi8-r")
letter = compose(
    "alice@a.test", ["bob@b.test"], "Отчёт и фото", "Привет, Боб! Отчёт во вложении.\\n",
    date=day, message_id="letter@a.test", sender_name="Алиса", charset="windows-1251",
    html='<p>Привет, Боб!</p><img src="cid:logo@a.test">',
    inline=[("logo@a.test", "image/png", samples.tiny_png(32, 32))],
    attachments=[("Отчёт за сентябрь 2026 года.pdf", "application/pdf", samples.tiny_pdf("Report")),
                 ("море.png", "image/png", samples.tiny_png())],
    forward=[forwarded])
plots.mime_tree(letter, lang=LANG)
'''),
    md("""
Те же части таблицей. base64 записывает 3 октета четырьмя символами и после каждых 76
символов ставит CR LF, поэтому файл в сети на 37 % больше (57 октетов → 78), а не на «33 %».
quoted-printable почти не меняет латиницу, а каждую русскую букву превращает в `=XX`.
""", """
The same parts as a table. base64 writes 3 octets as 4 characters and puts CR LF after every
76, so a file is 37 % larger on the wire (57 octets → 78), not “33 %”. quoted-printable
leaves Latin letters almost as they are and turns each Russian letter into `=XX`.
"""),
    code('''
parts = mime.mime_tree(letter)
table((tr("часть", "part"), tr("тип", "type"), tr("кодирование", "encoding"),
       tr("файл или Content-ID", "file or Content-ID"), tr("октетов до", "octets before"),
       tr("октетов после", "octets after"), tr("рост", "growth")),
      [(p.number or "—", p.content_type, p.transfer_encoding, p.filename or p.content_id or "",
        p.size, p.wire_size, f"{p.growth:+.0%}" if p.growth is not None else "")
       for p in parts], mono=(0, 1))
'''),
    md("""
Заголовки части с PDF: как они идут по сети и как их показывает почтовая программа. Русское
имя файла записано параметром RFC 2231 (`filename*=utf-8''%D0%9E…`), а длинное ещё и разбито
на куски `filename*0*`, `filename*1*`.
""", """
The header of the PDF part: as it travels and as a mail program shows it. The Russian file
name is an RFC 2231 parameter (`filename*=utf-8''%D0%9E…`); a long one is also split into
`filename*0*`, `filename*1*`.
"""),
    code('''
pdf = next(p for p in parts if p.content_type == "application/pdf")
table((tr("поле", "field"), tr("в сети", "on the wire"), tr("расшифровано", "decoded")),
      [(f.name, f.raw, f.decoded) for f in pdf.fields], mono=(1,))
'''),
    md("""
## 5. Вложения и кодировки в сети: `SIZE=` считает октеты

Во встроенном сценарии `mime-attachment` Алиса отправляет PDF и картинку. Перед отправкой её
программа перечисляет части письма с размерами, а в `MAIL FROM … SIZE=` (RFC 1870) объявляет
число октетов уже после кодирования. В `mime-cyrillic` одно и то же письмо уходит в UTF-8,
KOI8-R и Windows-1251: в UTF-8 русская буква занимает два октета, и письмо больше.
""", """
## 5. Attachments and charsets on the wire: `SIZE=` counts octets

In the built-in `mime-attachment` Alice sends a PDF and a picture. Before sending, her program
lists the message's parts with their sizes, and `MAIL FROM … SIZE=` (RFC 1870) declares the
octets after the encoding. In `mime-cyrillic` one letter goes out in UTF-8, KOI8-R and
Windows-1251: in UTF-8 a Russian letter takes two octets, and the letter is larger.
"""),
    code('''
sent = simulate(load_builtin("mime-attachment"))
print(next(s for s in sent.trace if s.explain == "mua.mime").explanation(LANG))
'''),
    code('''
three = simulate(load_builtin("mime-cyrillic"))
built = [s for s in three.trace if s.explain == "mua.mime"]
declared = [s.line.split("SIZE=")[1].split()[0] for s in three.trace
            if s.src == "pc.a.test" and s.line.startswith("MAIL FROM")]
table(("charset", tr("октетов текста", "text octets"), "SIZE="),
      [(s.params["charset"], s.params["text_octets"], size) for s, size in zip(built, declared)])
'''),
    md("""
## 6. Лаборатория кодировок: откуда берутся «кракозябры»

Наберите свой текст, выберите кодировку, в которой он записан, кодирование для передачи и
кодировку, в которой его прочтёт (по ошибке) программа получателя. Виджет показывает каждый
октет, MIME-часть в том виде, в каком она идёт по сети, и то, что увидит читатель. Внизу —
догадка статистического определителя кодировки без метки `charset=`: на коротком тексте он
часто ошибается, поэтому MIME и указывает кодировку явно.
""", """
## 6. The encoding lab: where mojibake comes from

Type your own text, choose the charset it is written in, the transfer encoding, and the charset
the recipient's program (wrongly) reads it in. The widget shows every octet, the MIME part as it
travels, and what the reader sees. At the bottom, a statistical charset detector guesses without
the `charset=` label: on a short text it is often wrong, which is why MIME names the charset.
"""),
    code('''
from simulator.widgets import EncodingLab

EncodingLab(lang=LANG)
'''),
    md("""
Все путаницы сразу: «Привет», записанное в одной кодировке и прочитанное в другой. Где
«вернуть можно», ни один октет не потерян — достаточно выбрать в программе правильную
кодировку; где нельзя, часть октетов превратилась в � навсегда.
""", """
Every confusion at once: «Привет» written in one charset and read in another. Where it “can be
repaired”, no octet is lost — choosing the right charset in the program brings the text back;
where it cannot, some octets became � for good.
"""),
    code('''
from simulator.mail import charsets

table((tr("кодировка", "charset"), tr("где встречалась", "where it was used")),
      [(c.name, t(c.note, LANG)) for c in charsets.CYRILLIC])
table((tr("записано в", "written in"), tr("прочитано как", "read as"),
       tr("что видно", "what shows"), tr("вернуть можно", "can be repaired")),
      [(m.written_in.name, m.read_as.name, charsets.visible(m.garbled), yes(m.repairable))
       for m in charsets.confusion_table("Привет")], mono=(2,))
'''),
    md("""
## 7. Сервер без 8BITMIME: письмо перекодируется, а не возвращается

Старый сервер не объявляет 8BITMIME, а письмо Алисы написано кириллицей в `8bit`. По RFC 6152 §3
сервер Алисы не имеет права слать ему 8-битные октеты: он перекодирует часть в base64 и только
потом отправляет. Боб читает то же самое письмо.
""", """
## 7. A server without 8BITMIME: the message is converted, not returned

An old server does not announce 8BITMIME, and Alice's message is Cyrillic in `8bit`. RFC 6152 §3
forbids Alice's server to send it 8-bit octets: it converts the part to base64 first. Bob reads
the same letter.
"""),
    code('''
old = simulate(load_builtin("mime-8bit-downgrade"))
note = next(s for s in old.trace if s.explain == "smtp.client.downgraded")
print(note.explanation(LANG))
stored = old.store.account("bob@b.test").inbox.messages[0].data
print(message_from_bytes(stored)["Content-Transfer-Encoding"], "→",
      message_from_bytes(stored).get_payload(decode=True).decode())
'''),
    # --- mime-transport (issue 13, Build 3 "Transport"): BDAT, BINARYMIME ---------------
    md("""
## 7. BDAT и BINARYMIME: письмо частями и без base64

С расширением CHUNKING (RFC 3030 §2) письмо идёт не после DATA, а частями: `BDAT <октетов>`,
за строкой — ровно столько октетов, последняя часть помечена `LAST`. Искать строку из одной
точки не нужно, поэтому с BINARYMIME (RFC 3030 §3) октеты могут быть любыми: фото идёт без
base64, на треть короче. Сервер без BINARYMIME двоичных октетов не получит: сервер Алисы
перекодирует фото в base64 (RFC 3030 §3 разрешает это или возврат письма).
""", """
## 7. BDAT and BINARYMIME: a message in chunks, without base64

With CHUNKING (RFC 3030 §2) the message goes not after DATA but in chunks: `BDAT <octets>`,
then exactly that many octets after the line, the last chunk marked `LAST`. There is no line
with a single dot to look for, so with BINARYMIME (RFC 3030 §3) the octets may be anything: the
photo travels without base64, a third shorter. A server without BINARYMIME never gets binary
octets: Alice's server converts the photo to base64 (RFC 3030 §3 allows that, or a bounce).
"""),
    code('''
chunked = simulate(load_builtin("binarymime"))
steps_table([s for s in chunked.trace if s.explain.startswith(("smtp.cmd.BDAT", "smtp.bdat",
                                                             "smtp.reply.ok_chunk",
                                                             "smtp.client.binary"))], LANG)
'''),
    md("""
Правила очерёдности BDAT на сервере с CHUNKING и BINARYMIME: октеты отвергнутой команды BDAT
сервер читает и выбрасывает; DATA после BODY=BINARYMIME или после первой части BDAT — 503.
Клиент без перекодировщика вернул бы двоичное письмо отправителю (последняя строка).
""", """
The order of BDAT on a server with CHUNKING and BINARYMIME: the octets of a refused BDAT are
read and thrown away; DATA after BODY=BINARYMIME or after a first BDAT chunk gets 503. A client
without a converter would return a binary message to its sender (the last line).
"""),
    code('''
steps_table(attempts("binarymime", "SMTP", [
    "EHLO pc.test", "BDAT 4", "ab", "MAIL FROM:<alice@a.test> BODY=BINARYMIME",
    "RCPT TO:<bob@b.test>", "DATA", "BDAT 4", "ab", "DATA", "RSET", "QUIT"],
    host="mx.b.test", port=25), LANG)
'''),
    code('''
print(t("smtp.client.needs_binarymime", LANG))
'''),
    # --- mime-transport (issue 13, Build 3 "Transport"): SMTPUTF8 and IDN --------------
    md("""
## 8. Адрес кириллицей: SMTPUTF8 и пример.рф

В `eai-rf` Иван пишет с адреса `ivan@пример.рф`. Для DNS домен — `xn--e1afmkfd.xn--p1ai`
(A-метка IDNA, RFC 5890); в команде `MAIL FROM` и в заголовках — кириллица как есть (UTF-8,
RFC 6532), с параметром `SMTPUTF8` (RFC 6531). Сервер без SMTPUTF8 такого письма не получит:
по RFC 6531 §3.2 оно возвращается отправителю с уведомлением о недоставке в формате RFC 6533.
""", """
## 8. A Cyrillic address: SMTPUTF8 and пример.рф

In `eai-rf` Ivan writes from `ivan@пример.рф`. For the DNS the domain is
`xn--e1afmkfd.xn--p1ai` (an IDNA A-label, RFC 5890); in `MAIL FROM` and in the header fields the
Cyrillic letters stay as they are (UTF-8, RFC 6532), with the `SMTPUTF8` parameter (RFC 6531). A
server without SMTPUTF8 never gets such a message: by RFC 6531 §3.2 it goes back to the sender
with a delivery status notification in the RFC 6533 format.
"""),
    code('''
eai = simulate(load_builtin("eai-rf"))
steps_table([s for s in eai.trace if s.explain in (
    "dns.idna", "smtp.client.needs_smtputf8", "mta.bounce")
    or s.line.startswith("MAIL FROM")], LANG)
'''),
    code('''
dsn = message_from_bytes(eai.store.account("ivan@пример.рф").inbox.messages[0].data)
print([part.get_content_type() for part in dsn.get_payload()])
print(dsn.get_payload()[1].as_bytes().decode())
'''),
    md("""
Адреса могут быть и в ASCII, а заголовки — в UTF-8: такое письмо тоже нельзя отдать серверу без
SMTPUTF8 (RFC 6531 §3.2), только код другой — 5.6.9.
""", """
The addresses may be ASCII and the header fields UTF-8: such a message may not go to a server
without SMTPUTF8 either (RFC 6531 §3.2), only the code differs: 5.6.9.
"""),
    code('''
from simulator.protocols.smtp import Envelope, ServerConfig, SMTPClient, SMTPServer, parse_path

client = SMTPClient("pc.a.test", Envelope(
    mail_from=parse_path("<alice@a.test>"), rcpt_to=[parse_path("<bob@b.test>")],
    content="Subject: Привет\\r\\n\\r\\nТекст\\r\\n".encode()))
server = SMTPServer(ServerConfig("old.b.test", smtputf8=False))
server.initiate()
for _ in range(10):                      # carry the bytes both ways until both are quiet
    down, up = server.data_to_send(), client.data_to_send()
    if down:
        client.receive_data(down)
    if up:
        server.receive_data(up)
note = next(u for u in client.take_transcript() if u.direction == "internal")
print(client.result.failure.code, client.result.failure.enhanced, "—", t(note.explain, LANG))
'''),
    # --- mime-transport (issue 13, Build 3 "Transport"): line length limits -------------
    md("""
## 9. Длинная строка

SMTP передаёт строки не длиннее 1000 октетов вместе с CRLF (RFC 5321 §4.5.3.1.6), а
RFC 5322 §2.1.1 советует не больше 78 символов. Абзац, записанный одной строкой, почтовая
программа в `long-line` перекодирует в quoted-printable: строки по 76 символов с «мягкими»
переносами `=`. Ниже — что будет, если послать такую строку серверу как есть: он дочитает
письмо до точки и отвергнет его целиком (500 5.5.2); слишком длинную команду (больше
512 октетов, RFC 5321 §4.5.3.1.4) он отвергает сразу.
""", """
## 9. A long line

SMTP carries lines of at most 1000 octets with their CRLF (RFC 5321 §4.5.3.1.6), and
RFC 5322 §2.1.1 recommends at most 78 characters. In `long-line` the mail program re-encodes a
paragraph written on one line as quoted-printable: lines of 76 characters with soft line
breaks `=`. Below: what happens when such a line goes to the server as it is. The server reads
the message to its dot and refuses all of it (500 5.5.2); a command that is too long (over
512 octets, RFC 5321 §4.5.3.1.4) it refuses at once.
"""),
    code('''
long_line = simulate(load_builtin("long-line"))
steps_table([s for s in long_line.trace if s.explain == "smtp.client.lines_encoded"], LANG)
'''),
    code('''
steps_table(attempts("long-line", "SMTP", [
    "EHLO pc.test", "NOOP " + "x" * 600, "MAIL FROM:<alice@a.test>", "RCPT TO:<bob@b.test>",
    "DATA", "Subject: one long line", "", "word " * 300, ".", "QUIT"],
    host="mx.b.test", port=25), LANG)
'''),
    *quiz('mime', 'mime-utf8-octets', 'mime-transcode', 'mime-encoded-word', 'mime-koi8r'),
    check(
        ("Что такое MIME?",
         "What is MIME?",
         "Стандарт (RFC 2045–2049), который описывает, как в текстовом письме передать не-ASCII "
         "текст, вложения и несколько частей: заголовки `Content-Type`, "
         "`Content-Transfer-Encoding`, составные тела `multipart`, encoded-words в заголовках.",
         "The standard (RFC 2045–2049) for carrying non-ASCII text, attachments and several "
         "parts in a text message: the `Content-Type` and `Content-Transfer-Encoding` headers, "
         "`multipart` bodies, encoded-words in headers."),
        ("Сколько байт в UTF-8 занимают буквы «A», «Ж» и смайлик?",
         "How many bytes do “A”, “Ж” and an emoji take in UTF-8?",
         "1, 2 и 4.", "1, 2 and 4."),
        ("Текст в UTF-8 прочитан как Windows-1251. Как выглядит «Привет» и можно ли это исправить?",
         "A UTF-8 text is read as Windows-1251. What does «Привет» look like, and can it be fixed?",
         "«РџСЂРёРІРµС‚»; да: все октеты целы, достаточно выбрать в программе UTF-8 "
         "(раздел 6).",
         "«РџСЂРёРІРµС‚»; yes: every octet survived, choosing UTF-8 in the program brings the "
         "text back (section 6)."),
        ("Перекодирует ли сервер письмо из KOI8-R в UTF-8 по дороге?",
         "Does a server transcode a message from KOI8-R to UTF-8 on the way?",
         "Нет: кодировку указывает отправитель, серверы передают байты как есть.",
         "No: the sender labels the charset, servers pass the bytes on as they are."),
    ),
]
