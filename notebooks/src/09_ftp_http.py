"""09 FTP and HTTP: the course's other two protocols (issue 15).  The HTTP sections
(notebooks/src/_http_cells.py): requests and responses, Host, persistent connections (E21),
a form, webmail; the FTP sections go in FTP."""
from _http_cells import HTTP_CELLS
from _nb import SETUP, md, names

FILES, TITLE = names(9)

HEAD = [
    md("""
# FTP и HTTP: файлы и веб

Кроме почты, курс описывает ещё два протокола прикладного уровня: FTP (RFC 959) — передачу
файлов — и HTTP — веб. Здесь они работают в том же симуляторе, что и почта: настоящие байты,
пояснение к каждой строке, диаграммы и консоль. Для HTTP вы проверите поправку E21: HTTP/1.1
не открывает соединение на каждый запрос, а запрос без `Host` сервер отвергает; и увидите
веб-почту — почтовый клиент, который работает на сервере.
""", """
# FTP and HTTP: files and the web

Besides mail, the course describes two more application protocols: FTP (RFC 959), for files,
and HTTP, for the web. Here they run in the same simulator as mail: real bytes, an explanation
for every line, diagrams and a console. For HTTP you will check correction E21: HTTP/1.1 does
not open a connection per request, and a server refuses a request without `Host`; and you will
see webmail — a mail client that runs on the server.
"""),
    SETUP,
]

FTP: list = [
    # The FTP sections (the ftp helper's part of issue 15) go here.
]

HTTP = HTTP_CELLS

CELLS = [*HEAD, *FTP, *HTTP]
