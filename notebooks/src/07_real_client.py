"""07 Lab 16 made real: a real mail client against mailsim serve (Q1, Q4, Q6; E12, E19, E20).

The servers run in the notebook's kernel on a free port range (no fixed ports), every wait
is bounded (socket timeouts), and the last cell stops them and removes the working folder,
so the notebook runs headless in the test suite and in Voilà."""
from _nb import SETUP, check, code, md, names, quiz

FILES, TITLE = names(7)

CELLS = [
    md("""
# Настоящий почтовый клиент

Задание лабораторной — создать и настроить учётную запись в почтовой программе. `mailsim serve`
запускает настоящие серверы SMTP, POP3, POP2 и IMAP на этом компьютере; к ним подключаются
Thunderbird, Outlook или почта телефона, а каждая команда попадает в трассу. В этой тетради
серверы запускаются прямо здесь; роль почтовой программы играют модули Python `smtplib`,
`imaplib` и `poplib` — они говорят с сервером теми же байтами, что и Thunderbird. Вы увидите
лист настройки, отправку и чтение почты, «оставлять копии на сервере», ошибки настройки глазами
сервера и перезапуск сервера с почтой на диске. Отвечает на контрольные вопросы 1 (какие
протоколы использует почта), 4 (чем POP отличается от IMAP) и 6 (путь письма от отправки до
получения) — на настоящем сервере.
""", """
# A real mail client

The lab task is to create and set up an account in a mail program. `mailsim serve` runs real
SMTP, POP3, POP2 and IMAP servers on this computer; Thunderbird, Outlook or a phone's mail app
connect to them, and every command becomes a step of the trace. In this notebook the servers
start right here, and Python's `smtplib`, `imaplib` and `poplib` play the mail program: they
speak to the server with the same bytes Thunderbird does. You will see the setup sheet, sending
and reading mail, “leave a copy on the server”, configuration mistakes as the server sees them,
and a restart of a server that keeps its mail on disk. It answers control questions 1 (which
protocols mail uses), 4 (POP vs IMAP) and 6 (the path of a message, sent and received) on a
real server.
"""),
    SETUP,
    md("""
## 1. Сервер и лист настройки

Серверы слушают адрес 127.0.0.1; номер порта — стандартный плюс 20000 (или больше, если эти
порты заняты другой программой). Почта хранится в папке Maildir, как у Dovecot, и переживает
перезапуск. Сервер второго домена, other.test, в этой тетради выключен: письмо туда будет ждать
в очереди (это понадобится в разделе 6). Таблица — порты, ниже — лист настройки студента,
который `mailsim serve --sheets` печатает для каждого: его значения взяты у запущенного сервера.
""", """
## 1. The server and the setup sheet

The servers listen on 127.0.0.1; each port is the standard one plus 20000 (or more, if another
program holds those ports). Mail is kept in Maildir folders, as Dovecot keeps it, and survives
a restart. The server of the second domain, other.test, is switched off in this notebook: mail
for it waits in the queue (section 6 needs that). The table gives the ports; below it is the
student's setup sheet that `mailsim serve --sheets` prints for everyone, its values taken from
the running server.
"""),
    code('''
import imaplib
import poplib
import shutil
import smtplib
import ssl
import tempfile
import time
from datetime import date
from email.message import EmailMessage
from importlib import resources
from pathlib import Path

from IPython.display import HTML

from simulator.server.app import ServeOptions
from simulator.server.background import LiveServer
from simulator.server.sheets import fingerprint, settings, sheet

HOST, WAIT = "127.0.0.1", 30                # every socket and wait gives up after 30 seconds


def start(**options):
    """mailsim serve in this kernel, on the first free port range from +20000."""
    for offset in range(20000, 40000, 1000):
        try:
            return LiveServer(ServeOptions(port_offset=offset, **options)).start()
        except OSError:                     # a port of this range is taken: the next range
            continue
    raise RuntimeError("no free port range between 20000 and 40000")


def wait_for(server, test, count=1):
    """The live trace's steps that pass ``test``, once there are ``count`` of them (or WAIT
    seconds have passed): the server records in its own thread, at its own pace."""
    deadline = time.monotonic() + WAIT
    while True:
        found = [step for step in server.trace.snapshot() if test(step)]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


work = Path(tempfile.mkdtemp(prefix="mailsim-lab-"))
classroom = resources.files("simulator.scenarios").joinpath("classroom.yaml").read_text("utf-8")
lab = work / "lab.yaml"                     # the classroom, with other.test's server down
lab.write_text(classroom + "\\nfaults:\\n  - {kind: node_down, node: mx.other.test}\\n",
               encoding="utf-8")
live = start(scenario=str(lab), maildir=str(work / "mail"))
ports = live.settings
display(table((tr("служба", "service"), tr("порт на 127.0.0.1", "127.0.0.1 port")),
              ports.items()))
common = {"server": live.server.public_host, "domain": live.world.domain,
          "fingerprint": fingerprint(live.server.certificate), "date": date.today().isoformat()}
HTML(sheet(settings(live.server), common, "student", "Student", "student", LANG))
'''),
    md("""
Пока почтовой программы нет, поговорим с сервером так же, как она: консоль подключена к
настоящему порту IMAP по сети компьютера.
""", """
Until a mail program comes, let us talk to the server the way it will: the console is connected
to the real IMAP port over the computer's network.
"""),
    code('''
console = ProtocolConsole.live(ports["imap"], "IMAP", lang=LANG, threaded=False)
for line in ("a LOGIN student student", "b SELECT INBOX", "c LOGOUT"):
    console.submit(line)
console
'''),
    md("""
## 2. Письмо отправляет «настоящий клиент»

Так отправляет письмо любая почтовая программа: соединение с портом отправки (587), `EHLO`,
`STARTTLS` и рукопожатие TLS, вход (`AUTH PLAIN`, уже под защитой TLS), затем `MAIL`, `RCPT`,
`DATA`. Сертификат сервера самоподписанный: программа спросит, доверять ли ему; здесь доверие
дано заранее — файлом этого сертификата. Письмо идёт самому себе и другу в other.test, второе — только себе.
""", """
## 2. A “real client” sends a message

Every mail program sends like this: a connection to the submission port (587), `EHLO`,
`STARTTLS` and the TLS handshake, the login (`AUTH PLAIN`, protected by TLS by now), then
`MAIL`, `RCPT`, `DATA`. The server's certificate is self-signed: a mail program asks whether to
trust it; here the trust is given in advance, with that certificate's file. The message goes to
oneself and to a friend at other.test, a second one to oneself only.
"""),
    code('''
trust = ssl.create_default_context(cafile=str(live.server.certificate))
letter = EmailMessage()
letter["From"], letter["To"] = "Student <student@example.test>", \\
    "student@example.test, friend@other.test"
letter["Subject"] = tr("Лабораторная 16", "Lab 16")
letter.set_content(tr("Письмо от smtplib.", "A message from smtplib."))
note = EmailMessage()
note["From"] = note["To"] = "student@example.test"
note["Subject"] = tr("Напоминание", "Reminder")
note.set_content(tr("Сдать отчёт в пятницу.", "Hand in the report on Friday."))
with smtplib.SMTP(HOST, ports["submission"], timeout=WAIT) as smtp:
    smtp.starttls(context=trust)
    smtp.login("student", "student")
    refused = smtp.send_message(letter)
    smtp.send_message(note)
print(tr("отказано получателям:", "recipients refused:"), refused or tr("никому", "none"))
'''),
    md("""
## 3. Чтение по IMAP

Клиент IMAP тоже начинает со `STARTTLS` (порт 143) и входит; список писем строится по
заголовкам (`BODY.PEEK`), письмо остаётся непрочитанным. Вторая строка — ошибка в программе:
второй `STARTTLS` в уже защищённом соединении получает `BAD`.
""", """
## 3. Reading over IMAP

An IMAP client starts with `STARTTLS` as well (port 143) and logs in; the message list is built
from headers (`BODY.PEEK`), and the message stays unread. The second row is a bug in a program:
a second `STARTTLS` on a connection that is protected already gets `BAD`.
"""),
    code('''
imap = imaplib.IMAP4(HOST, ports["imap"], timeout=WAIT)
answers = [("STARTTLS", imap.starttls(ssl_context=trust)[0])]
try:
    imap._simple_command("STARTTLS")        # a client bug: TLS is on already
except imaplib.IMAP4.error as err:
    answers.append(("STARTTLS", str(err)))
answers.append(("LOGIN", imap.login("student", "student")[0]))
answers.append(("SELECT INBOX", imap.select("INBOX")))
validity = imap.response("UIDVALIDITY")[1][0].decode()
answers.append(("FETCH", imap.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")[1][0][1]))
table((tr("команда", "command"), tr("ответ imaplib", "imaplib's answer")), answers, mono=(1,))
'''),
    md("""
## 4. POP3 и «оставлять копии на сервере»

Телефон и ноутбук забирают почту по POP3. Галочка «оставлять копии на сервере» значит: клиент
скачивает письмо, но не говорит `DELE`; чтобы не скачать его дважды, он запоминает его
идентификатор из `UIDL` (RFC 1939 §7). Второй сеанс видит то же письмо с тем же UIDL. Клиент без
этой галочки говорит `DELE` и `QUIT` — и письмо удаляется с сервера (только при `QUIT`, в
состоянии UPDATE).
""", """
## 4. POP3 and “leave a copy on the server”

A phone and a laptop fetch mail over POP3. The box “leave a copy on the server” means: the
client downloads the message but never says `DELE`; so as not to download it twice it remembers
its id from `UIDL` (RFC 1939 §7). The second session sees the same message with the same UIDL.
A client without that box says `DELE` and `QUIT`, and the message is removed from the server
(only at `QUIT`, in the UPDATE state).
"""),
    code('''
def pop_session(delete):
    """One POP3 session over STLS: (messages, UIDL ids) seen, and DELE 1 if ``delete``."""
    pop = poplib.POP3(HOST, ports["pop3"], timeout=WAIT)
    pop.stls(context=trust)
    pop.user("student")
    pop.pass_("student")
    count, _ = pop.stat()
    ids = [line.split()[1].decode() for line in pop.uidl()[1]]
    if delete and count:
        pop.retr(1)
        pop.dele(1)
    pop.quit()
    return count, ", ".join(ids) or "—"


pop_rows = [(tr("телефон, копии остаются", "phone, leaves copies"), *pop_session(False)),
            (tr("телефон, ещё раз", "phone, again"), *pop_session(False)),
            (tr("ноутбук, удаляет", "laptop, deletes"), *pop_session(True)),
            (tr("телефон, после ноутбука", "phone, after the laptop"), *pop_session(False))]
table(("", tr("писем", "messages"), "UIDL"), pop_rows, mono=(2,))
'''),
    md("""
## 5. Живая трасса и ошибки настройки

Всё, что сказали клиенты, — в живой трассе: проигрыватель показывает её снимок. Теперь две
типичные ошибки настройки: в программе выбран SSL/TLS для порта 143, где нужен STARTTLS
(программа сообщает о непонятной ошибке SSL), и опечатка в пароле. Сервер видит причину и
записывает в трассу «диагноз» с советом, что исправить в программе.
""", """
## 5. The live trace and configuration mistakes

Everything the clients said is in the live trace: the player shows a snapshot of it. Now two
typical configuration mistakes: SSL/TLS chosen for port 143, which needs STARTTLS (the program
reports an obscure SSL error), and a wrong password. The server sees the cause and writes a
“diagnosis” into the trace, with advice on what to change in the program.
"""),
    code('''
mistakes = []
try:
    imaplib.IMAP4_SSL(HOST, ports["imap"], ssl_context=trust, timeout=WAIT)
except (ssl.SSLError, OSError) as err:
    mistakes.append(("IMAP, SSL/TLS → 143", type(err).__name__))
try:
    with smtplib.SMTP(HOST, ports["submission"], timeout=WAIT) as smtp:
        smtp.starttls(context=trust)
        smtp.login("student", "studnet")
except smtplib.SMTPAuthenticationError as err:
    mistakes.append(("SMTP, " + tr("пароль", "password"), f"{err.smtp_code} {err.smtp_error.decode()}"))
display(table((tr("ошибка", "mistake"), tr("что увидела программа", "what the program saw")),
              mistakes))
diagnoses = wait_for(live, lambda step: step.explain.startswith("serve.diagnosis"), count=2)
steps_table(diagnoses, LANG)
'''),
    code('''
# Снимок трассы сейчас; выполните ячейку снова после своей почтовой программы.
# A snapshot of the trace now; run the cell again after your own mail program has been.
snapshot = live.trace.snapshot()
TracePlayer(snapshot, lang=LANG)
'''),
    md("""
## 6. Когда отказывает диск

Почта лежит в каталогах Maildir: папка `Work` пользователя — это каталог `.Work`. Если на его
месте оказался обычный файл (скажем, его положил туда кто-то другой), сервер не может создать
папку и честно отвечает `NO [UNAVAILABLE]` с причиной, а не падает.
""", """
## 6. When the disk says no

Mail lives in Maildir directories: a user's folder `Work` is the directory `.Work`. If an
ordinary file stands in its place (put there by someone else, say), the server cannot create the
folder and says so, `NO [UNAVAILABLE]` with the reason, instead of failing.
"""),
    code('''
(work / "mail" / "student@example.test" / ".Work").write_text("not a folder\\n")
created = imap.create("Work")
imap.logout()
print(created)
steps_table([s for s in live.trace.snapshot() if " CREATE " in s.line or "UNAVAILABLE" in s.line],
            LANG)
'''),
    md("""
## 7. Перезапуск: почта и очередь на диске, вход только после TLS

Сервер останавливается и запускается снова с той же папкой Maildir и с настройкой
`--require-tls`: вход без шифрования запрещён. Письмо другу всё ещё в очереди (сервер other.test
выключен) — при запуске сервер восстанавливает его из каталога очереди и пробует снова. Письмо во
«Входящих», которое ноутбук не удалил, на месте, с тем же UIDVALIDITY. А программа, которая пытается войти до `STARTTLS`,
получает `NO [PRIVACYREQUIRED]`, и сервер ставит диагноз.
""", """
## 7. A restart: mail and queue on disk, login only after TLS

The server stops and starts again with the same Maildir folder and with `--require-tls`: no
login without encryption. The message to the friend is still queued (other.test's server is
down): at the start the server restores it from the queue directory and tries again. The
message the laptop did not delete is still in INBOX, with the same UIDVALIDITY. A program that tries to log in
before `STARTTLS` gets `NO [PRIVACYREQUIRED]`, and the server makes a diagnosis.
"""),
    code('''
live.stop()
live = start(scenario=str(lab), maildir=str(work / "mail"), require_tls=True)
ports = live.settings
early = imaplib.IMAP4(HOST, ports["imap"], timeout=WAIT)
try:
    early.login("student", "student")
except imaplib.IMAP4.error as err:
    refusal = str(err)
early.starttls(ssl_context=trust)
early.login("student", "student")
inbox = early.select("INBOX")[1][0].decode()
print(tr("вход до STARTTLS:", "login before STARTTLS:"), refusal)
print(tr("писем во «Входящих» после перезапуска:", "messages in INBOX after the restart:"), inbox,
      "| UIDVALIDITY", validity, "→", early.response("UIDVALIDITY")[1][0].decode())
early.logout()
restart = live.trace.snapshot()
steps_table([s for s in restart if s.explain == "mta.restored"
             or s.explain.startswith("serve.diagnosis") or "PRIVACYREQUIRED" in s.line], LANG)
'''),
    code('''
live.stop()                                 # the servers end here; the folder goes too
shutil.rmtree(work, ignore_errors=True)
'''),
    *quiz('lab16/lab16', 'lab16-q4-pop-imap', 'lab16-q5-no-download', 'lab16-q5-two-devices'),
    check(
        ("Какие порты и защиту указать для входящей почты по IMAP и для исходящей?",
         "Which ports and security do you enter for incoming IMAP and outgoing mail?",
         "IMAP: 993 с SSL/TLS или 143 со STARTTLS; SMTP: 465 с SSL/TLS или 587 со STARTTLS "
         "(у mailsim serve — плюс 10000 или 20000).",
         "IMAP: 993 with SSL/TLS or 143 with STARTTLS; SMTP: 465 with SSL/TLS or 587 with "
         "STARTTLS (mailsim serve adds 10000 or 20000)."),
        ("Что делает галочка «оставлять копии на сервере» в POP3 и как клиент не скачивает "
         "письмо дважды?",
         "What does “leave a copy on the server” do in POP3, and how does the client avoid "
         "downloading a message twice?",
         "Клиент не посылает `DELE`, а запоминает идентификаторы `UIDL`; письмо удаляется, только "
         "если какой-то клиент скажет `DELE` и затем `QUIT`.",
         "The client never sends `DELE` and remembers the `UIDL` ids; a message is removed only "
         "when some client says `DELE` and then `QUIT`."),
        ("Программа пишет «ошибка SSL» при подключении к порту 143. Что исправить?",
         "A program reports an “SSL error” connecting to port 143. What should be changed?",
         "На порту 143 защита включается командой STARTTLS: выбрать STARTTLS (или порт 993 с "
         "SSL/TLS).",
         "Port 143 turns protection on with the STARTTLS command: choose STARTTLS (or port 993 "
         "with SSL/TLS)."),
    ),
]
