"""05 MIME and Cyrillic: what MIME is, charsets, transfer encodings, encoded-words,
UTF-8 lengths (Q7; E9, E10, E11).  Thin for now: the MIME issue grows it."""
from _nb import SETUP, check, code, md, names

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
## 4. Дерево MIME письма с вложением

Третье письмо в `imap-basic` несёт фотографию: `multipart/mixed` из текста и `image/jpeg` в
base64.
""", """
## 4. The MIME tree of a message with an attachment

The third message of `imap-basic` carries a photo: `multipart/mixed` made of the text and an
`image/jpeg` in base64.
"""),
    code('''
photo = simulate(load_builtin("imap-basic")).store.account("bob@b.test").inbox.messages[2].data
plots.mime_tree(photo, lang=LANG)
'''),
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
        ("Перекодирует ли сервер письмо из KOI8-R в UTF-8 по дороге?",
         "Does a server transcode a message from KOI8-R to UTF-8 on the way?",
         "Нет: кодировку указывает отправитель, серверы передают байты как есть.",
         "No: the sender labels the charset, servers pass the bytes on as they are."),
    ),
]
