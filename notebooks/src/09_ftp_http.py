"""09 FTP and HTTP: the course's other two protocols (issue 15).  FTP's control and data
connections, passive and active mode behind a NAT (E22), ASCII and binary types; then the
HTTP and webmail sections (``_http_cells.py``, E21)."""
from _http_cells import HTTP_CELLS, HTTP_QUESTIONS
from _nb import SETUP, check, code, md, names, quiz

FILES, TITLE = names(9)

FTP = [
    md("""
# FTP и HTTP: файлы и веб

Кроме почты, курс описывает ещё два протокола прикладного уровня: FTP (RFC 959) — передачу
файлов — и HTTP — веб. Здесь они работают в том же симуляторе, что и почта: настоящие байты,
пояснение к каждой строке, диаграммы и консоль. Для FTP вы увидите две его особенности:
отдельное соединение для данных и два способа его открыть — активный и пассивный; и проверите
поправку E22: раздел курса об FTP не знает пассивного режима, без которого FTP за NAT не
работает. Для HTTP вы проверите поправку E21: HTTP/1.1 не открывает соединение на каждый
запрос, а запрос без `Host` сервер отвергает; и увидите веб-почту — почтовый клиент, который
работает на сервере.
""", """
# FTP and HTTP: files and the web

Besides mail, the course describes two more application protocols: FTP (RFC 959), for files,
and HTTP, for the web. Here they run in the same simulator as mail: real bytes, an explanation
for every line, diagrams and a console. For FTP you will see its two peculiarities — a
separate connection for the data, and two ways to open it, active and passive — and check
correction E22: the course's FTP section does not know passive mode, without which FTP does
not work behind a NAT. For HTTP you will check correction E21: HTTP/1.1 does not open a
connection per request, and a server refuses a request without `Host`; and you will see
webmail — a mail client that runs on the server.
"""),
    SETUP,
    md("""
## 1. FTP: два соединения

Клиент подключается к порту 21: это *управляющее соединение*, по нему идут команды и ответы с
трёхзначными кодами, как в SMTP. Но список файлов и сами файлы по нему не идут: для каждой
передачи открывается новое *соединение данных*, которое несёт один список или один файл и
закрывается. На диаграмме последовательности это отдельные соединения `FTP-DATA`. Сценарий
`ftp-passive`: вход, `PWD`, `LIST`, `RETR`, `STOR`.
""", """
## 1. FTP: two connections

The client connects to port 21: this is the *control connection*; commands and replies with
three-digit codes cross it, as in SMTP. But the listing and the files do not: each transfer
opens a new *data connection* that carries one listing or one file and closes. In the
sequence diagram they are separate `FTP-DATA` connections. The `ftp-passive` scenario: login,
`PWD`, `LIST`, `RETR`, `STOR`.
"""),
    code('''
passive = simulate(load_builtin("ftp-passive")).trace
TracePlayer(passive, lang=LANG, picture="sequence")
'''),
    md("""
Сколько соединений открыл один сеанс и что шло по каждому:
""", """
How many connections one session opened, and what each carried:
"""),
    code('''
connections = {}
for step in passive:
    if step.conn:
        connections.setdefault(step.conn, []).append(step)
table((tr("соединение", "connection"), tr("протокол", "protocol"), tr("порт", "port"),
       tr("шагов", "steps"), tr("байтов данных", "data octets")),
      [(conn, next(s.protocol for s in steps if s.protocol != "TCP"),
        steps[0].meta.get("port", ""), len(steps),
        sum(len(s.raw) for s in steps if s.protocol == "FTP-DATA"))
       for conn, steps in connections.items()])
'''),
    md("""
## 2. Состояния сеанса

Таблица состояний сервера — та же, по которой он работает: до входа — NOT_LOGGED_IN и
NEED_PASSWORD; после входа команда передачи без `PORT` или `PASV` получает 425, потому что
неизвестно, кто откроет соединение данных; после `PASV` сеанс в DATA_READY, команда передачи
ведёт в CONNECTING, ответ 150 — в TRANSFER, 226 — обратно в LOGGED_IN.
""", """
## 2. The session's states

The server's state table is the one it runs on: before the login, NOT_LOGGED_IN and
NEED_PASSWORD; after it, a transfer command without `PORT` or `PASV` gets 425, because nobody
said who opens the data connection; after `PASV` the session is in DATA_READY, a transfer
command leads to CONNECTING, the 150 reply to TRANSFER, 226 back to LOGGED_IN.
"""),
    code('''
from simulator.protocols import ftp as ftp_engine

display(plots.state_diagram("FTP", lang=LANG))
states_table([str(state) for state in ftp_engine.State], "ftp.state")
'''),
    md("""
## 3. Активный и пассивный режим, NAT (поправка E22)

В активном режиме (`PORT`) клиент называет свой адрес и порт, и соединение данных открывает
*сервер* — со своего порта 20 к клиенту. Так FTP описан в RFC 959 и в тексте курса. Но
почти каждый домашний компьютер стоит за NAT: маршрутизатор пропускает соединения, которые
открыл компьютер, и отбрасывает открытые к нему снаружи — он не знает, какой машине они
предназначены. В пассивном режиме (`PASV`, `EPSV` из RFC 2428) сервер открывает порт и
называет его, а оба соединения открывает клиент, поэтому NAT не мешает. Сценарий
`ftp-active-nat`: клиент начинает с `PORT`, сервер 30 секунд ждёт ответа от NAT и отвечает
425; клиент переходит на `PASV` — и список, и файл приходят.
""", """
## 3. Active and passive mode, NAT (correction E22)

In active mode (`PORT`) the client names its address and port, and the *server* opens the
data connection, from its port 20 to the client. That is how RFC 959 and the course text
describe FTP. But nearly every home computer sits behind a NAT: the router lets through the
connections the computer opened and drops those opened to it from outside, since it does not
know which machine they are for. In passive mode (`PASV`, or `EPSV` from RFC 2428) the server
opens a port and names it, and the client opens both connections, so the NAT is no obstacle.
The `ftp-active-nat` scenario: the client starts with `PORT`, the server waits 30 seconds for
an answer that the NAT never lets through and replies 425; the client switches to `PASV`, and
the listing and the file arrive.
"""),
    code('''
nat = simulate(load_builtin("ftp-active-nat")).trace
TracePlayer(nat, lang=LANG, picture="sequence")
'''),
    code('''
steps_table([s for s in nat if s.protocol == "FTP-DATA" and s.direction == "internal"
             or s.line.startswith(("PORT", "PASV", "425", "227"))], LANG)
'''),
    md("""
## 4. ASCII и двоичный тип

`TYPE A` (ASCII, тип по умолчанию) передаёт текст: каждый конец строки в пути становится CRLF.
Файл на сервере с Unix хранит концы строк LF, поэтому в `TYPE A` он вырастает на один байт на
строку — это видно по `SIZE` до и после `TYPE I`. Двоичный файл в `TYPE A` испортился бы: в
нём каждый байт 0x0A получил бы перед собой 0x0D.
""", """
## 4. ASCII and binary types

`TYPE A` (ASCII, the default) carries text: every line end becomes CRLF on the way. A file on
a Unix server keeps LF line ends, so in `TYPE A` it grows by one octet per line: compare `SIZE`
before and after `TYPE I`. A binary file would be damaged in `TYPE A`: every 0x0A octet in it
would get a 0x0D before it.
"""),
    code('''
from simulator.protocols.ftp import to_ascii

sizes = [s for s in passive if s.explain == "ftp.reply.size"]
table((tr("ответ", "reply"), tr("тип", "type"), tr("хранится", "stored"),
       tr("в передаче", "on the wire")),
      [(s.line, s.params["type"], s.params["stored"], s.params["size"]) for s in sizes])
'''),
    code('''
picture = bytes(range(256))
table((tr("файл", "file"), "TYPE I", "TYPE A", tr("цел ли после TYPE A", "intact after TYPE A")),
      [("lab16.pdf", len(picture), len(to_ascii(picture)), yes(to_ascii(picture) == picture))])
'''),
    md("""
## 5. Неверные команды и чужие пути

Что отвечает сервер на ошибки: команда до входа, неверный пароль, передача без `PORT`/`PASV`,
путь выше корня через `..`, NUL в имени, `PORT` на чужой адрес (атака «bounce», RFC 2577),
неизвестные команды. Каждая строка — настоящий ответ сервера симулятора.
""", """
## 5. Wrong commands and foreign paths

What the server answers to mistakes: a command before the login, a wrong password, a transfer
without `PORT`/`PASV`, a path above the root with `..`, a NUL in a name, `PORT` to someone
else's address (the "bounce attack", RFC 2577), unknown commands. Each row is a real reply of
the simulator's server.
"""),
    code('''
steps_table(attempts("ftp-passive", "FTP",
                     ["PWD", "PASS x", "USER carol", "PASS wrong", "USER carol", "PASS carol-pw",
                      "PASS again", "NOOP", "LIST", "CWD ../..", "CWD nowhere", "CWD pub", "CDUP",
                      "SIZE /etc/passwd", "SIZE pub", b"SIZE pub/readme.txt\\x00.jpg", "TYPE E",
                      "TYPE", "PASV", "MLSD pub/readme.txt", "PASV", "STOR pub", "PORT 1,2,3",
                      "EPRT |2|::1|5000|", "EPSV 2", "EPRT |1|203.0.113.50|40000|",
                      "DELE pub/readme.txt", "FOO", "", "X" * 600, "QUIT"],
                     ["USER carol", "PASS a", "PASS b", "USER carol", "PASS c", "USER carol",
                      "PASS d"]), LANG)
'''),
    md("""
Сервер проверяет, что `PORT` указывает на адрес самого клиента: иначе его можно было бы
заставить подключаться к чужим машинам. Сеанс с ноутбука, адрес которого 203.0.113.50:
""", """
The server checks that `PORT` names the client's own address: otherwise it could be made to
connect to other machines. A session from the laptop, whose address is 203.0.113.50:
"""),
    code('''
from simulator.protocols.ftp import FTPConfig, FTPServer, MemoryFiles


class OneUser:
    """An FTP backend: one account and an empty tree; passive ports run out at once."""

    def login(self, user, password):
        return MemoryFiles() if (user, password) == ("carol", "carol-pw") else None

    def passive_port(self):
        return None


server = FTPServer(FTPConfig("ftp.uni.test", address="203.0.113.21",
                             peer_address="203.0.113.50"), OneUser())
server.initiate()
for line in ["USER carol", "PASS carol-pw", "PORT 198,51,100,7,0,25",
             "PORT 203,0,113,50,156,64", "PASV", "QUIT"]:
    server.receive_data(line.encode() + b"\\r\\n")
table(("", tr("строка", "line"), tr("пояснение", "explanation")),
      [("C:" if u.direction == "c2s" else "S:", u.line.splitlines()[0],
        t(u.explain, LANG, **u.params)) for u in server.take_transcript()], mono=(1,))
'''),
    md("""
Если соединение данных оборвалось посреди передачи, сервер отвечает 426; если клиент закрыл
управляющее соединение без `QUIT`, сервер просто завершает сеанс:
""", """
If the data connection breaks in the middle of a transfer, the server answers 426; if the
client closes the control connection without `QUIT`, the server just ends the session:
"""),
    code('''
class Files:
    def login(self, user, password):
        return MemoryFiles({"/big.iso": b"x" * 5000})

    def passive_port(self):
        return 50000


server = FTPServer(FTPConfig("ftp.uni.test"), Files())
server.initiate()
for line in ["USER carol", "PASS any", "TYPE I", "PASV", "RETR big.iso"]:
    server.receive_data(line.encode() + b"\\r\\n")
server.transfer_opened()
server.transfer_failed()              # the data connection broke
server.receive_data(b"")              # and the client vanished
table(("", tr("строка", "line"), tr("пояснение", "explanation")),
      [("C:" if u.direction == "c2s" else "S:", u.line or "(EOF)",
        t(u.explain, LANG, **u.params)) for u in server.take_transcript()[-4:]], mono=(1,))
'''),
    md("""
Если до клиента вообще нет пути (линия оборвана), активный режим тоже кончается ответом 425:
""", """
If there is no path to the client at all (a cut link), active mode also ends in 425:
"""),
    code('''
import dataclasses

from simulator.scenarios.model import Fault

cut = load_builtin("ftp-active-nat")
# The NAT is gone at t = 1.1 s, but the home computer's link is cut at t = 1.2 s.
cut = dataclasses.replace(cut, faults=(Fault(kind="nat", node="home.uni.test", end=1.1),
                                       Fault(kind="link_down", node="home.uni.test",
                                             peer="internet", start=1.2)))
cut_trace = simulate(cut).trace
steps_table([s for s in cut_trace if s.protocol in ("FAULT", "FTP-DATA")
             or s.explain == "ftp.reply.cannot_open"], LANG)
'''),
    md("""
## 6. FTP своими руками

Консоль подключена к FTP-серверу сценария `ftp-passive`. Войдите (`USER carol`,
`PASS carol-pw`), попросите `PASV`, затем `LIST` или `RETR pub/readme.txt`: соединение данных
появится в журнале отдельной строкой. Попробуйте `LIST` без `PASV`.
""", """
## 6. FTP by hand

The console is connected to the FTP server of the `ftp-passive` scenario. Log in (`USER carol`,
`PASS carol-pw`), ask for `PASV`, then `LIST` or `RETR pub/readme.txt`: the data connection
appears in the log on its own line. Try `LIST` without `PASV`.
"""),
    code('''
ProtocolConsole.simulated("ftp-passive", "FTP", lang=LANG)
'''),
]

#: The self-check questions of the FTP sections (the notebook's last cell).
FTP_QUESTIONS = (
    ("Сколько TCP-соединений открывает сеанс FTP, в котором клиент получил список каталога "
     "и скачал два файла?",
     "How many TCP connections does an FTP session open in which the client lists a "
     "directory and downloads two files?",
     "Четыре: одно управляющее (порт 21) и по одному соединению данных на каждую передачу — "
     "`LIST` и два `RETR` (RFC 959 §3.2).",
     "Four: one control connection (port 21) and one data connection per transfer — `LIST` "
     "and two `RETR` (RFC 959 §3.2)."),
    ("Почему активный FTP не работает у клиента за NAT, а пассивный работает?",
     "Why does active FTP fail for a client behind a NAT while passive FTP works?",
     "В активном режиме соединение данных открывает сервер — снаружи к клиенту, и NAT его "
     "отбрасывает (425). В пассивном оба соединения открывает клиент (`PASV`/`EPSV`).",
     "In active mode the server opens the data connection, from outside to the client, and "
     "the NAT drops it (425). In passive mode the client opens both (`PASV`/`EPSV`)."),
    ("Текстовый файл из 10 строк с концами LF занимает на сервере 300 байт. Сколько байт "
     "пройдёт в `TYPE A` и в `TYPE I`?",
     "A 10-line text file with LF ends takes 300 octets on the server. How many octets "
     "cross the wire in `TYPE A` and in `TYPE I`?",
     "310 и 300: в `TYPE A` каждый LF становится CRLF.",
     "310 and 300: in `TYPE A` every LF becomes CRLF."),
)

CELLS = [
    *FTP,
    *HTTP_CELLS,
    *quiz('ftp_http', 'ftp-active-behind-nat', 'ftp-binary-in-type-a',
          'http-connections-per-page', 'http-mandatory-field', 'webmail-who-speaks'),
    check(*FTP_QUESTIONS, *HTTP_QUESTIONS),
]
