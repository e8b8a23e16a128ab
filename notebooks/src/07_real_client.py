"""07 Lab 16 made real: a real mail client against mailsim serve (Q1, Q6).
Thin for now: the classroom issue grows it."""
from _nb import SETUP, check, code, md, names, quiz

FILES, TITLE = names(7)

CELLS = [
    md("""
# Настоящий почтовый клиент

Задание лабораторной — создать и настроить учётную запись в почтовой программе. `mailsim serve`
запускает настоящие серверы SMTP, POP3, POP2 и IMAP на этом компьютере; к ним подключаются
Thunderbird, Outlook или почта телефона, а каждая команда попадает в трассу. Ячейка ниже
запускает серверы прямо из тетради и показывает, что ввести в настройках учётной записи.
""", """
# A real mail client

The lab task is to create and set up an account in a mail program. `mailsim serve` runs real
SMTP, POP3, POP2 and IMAP servers on this computer; Thunderbird, Outlook or a phone's mail app
connect to them, and every command becomes a step of the trace. The cell below starts the
servers from the notebook and shows what to enter in the account settings.
"""),
    SETUP,
    code('''
from simulator.server.app import ServeOptions
from simulator.server.background import LiveServer

for offset in range(20000, 40000, 1000):    # a port taken by another program: the next range
    try:
        live = LiveServer(ServeOptions(scenario="classroom", port_offset=offset)).start()
        break
    except OSError:
        continue
table((tr("служба", "service"), tr("порт на 127.0.0.1", "127.0.0.1 port")), live.settings.items())
'''),
    md("""
Пока клиента нет, поговорим с сервером так же, как он: консоль подключена к настоящему
IMAP-порту (стандартный порт + 20000 или больше) по сети компьютера.
""", """
Until a client comes, let us talk to the server the way it will: the console is connected to
the real IMAP port (the standard port + 20000 or more) over the computer's network.
"""),
    code('''
console = ProtocolConsole.live(live.settings["imap"], "IMAP", lang=LANG, threaded=False)
for line in ("a LOGIN student student", "b SELECT INBOX", "c LOGOUT"):
    console.submit(line)
console
'''),
    md("""
Всё, что сказали клиенты, — в живой трассе; проигрыватель показывает её снимок на момент
запуска: консоль выше уже в нём.
""", """
Everything the clients said is in the live trace; the player shows a snapshot of it as it was
when the player started: the console above is already in it.
"""),
    code('''
# Снимок трассы сейчас; выполните ячейку снова после почтовой программы.
# A snapshot of the trace now; run the cell again after the mail program has been.
TracePlayer(live.trace.snapshot(), lang=LANG)
'''),
    *quiz('lab16/lab16', 'lab16-q4-pop-imap', 'lab16-q5-no-download', 'lab16-q5-two-devices'),
    check(
        ("Какие порты и защиту указать для входящей почты по IMAP и для исходящей?",
         "Which ports and security do you enter for incoming IMAP and outgoing mail?",
         "IMAP: 993 с SSL/TLS или 143 со STARTTLS; SMTP: 465 с SSL/TLS или 587 со STARTTLS "
         "(у mailsim serve — плюс 10000 или 20000).",
         "IMAP: 993 with SSL/TLS or 143 with STARTTLS; SMTP: 465 with SSL/TLS or 587 with "
         "STARTTLS (mailsim serve adds 10000 or 20000)."),
    ),
]
