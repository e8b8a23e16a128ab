"""The teacher's live view of a class doing Lab 16 (issue 17): not a lesson of the course,
so the index does not list it; ``mailsim serve --dashboard`` opens it in Voilà."""
from _nb import code, md

FILES = {"ru": "teacher_dashboard", "en": "teacher_dashboard"}
TITLE = {"ru": "Панель преподавателя: лабораторная №16 в классе",
         "en": "The teacher's dashboard: Lab 16 in the classroom"}

CELLS = [
    md("""
# Панель преподавателя

По строке на студента: шаги лабораторной №16 (✓ — сделан, проценты — отчасти, · — ещё
нет) и последняя ошибка настройки клиента с объяснением. Панель обновляется сама.

""", """
# The teacher's dashboard

A row per student: the steps of Lab 16 (✓ done, a percentage for partly done, · not
yet) and the last mistake in the client's settings, with what it means. It refreshes itself.

"""),
    code('''
# mailsim serve --dashboard passes the trace file, the class and the bank in the
# environment (MAILSIM_DASHBOARD_TRACE, _CLASS or _STUDENTS, _DOMAIN, _BANK).
# Opened by hand: TeacherDashboard("path/to/live.jsonl", lang=LANG).start()
# mailsim serve --dashboard передаёт файл трассы, класс и банк через окружение.
from simulator.lab import notebook_lang
from simulator.widgets import TeacherDashboard

LANG = notebook_lang()
dashboard = TeacherDashboard.from_environment(lang=LANG).start()
dashboard
'''),
    md("""
## Как это устроено

Панель следит за живой трассой `mailsim serve`. Клиент, с адреса которого ещё никто не
вошёл, получает строку своего адреса.

Запуск для класса: `mailsim serve --students 30 --host 0.0.0.0 --dashboard` — сервер
пишет трассу в файл и открывает эту страницу. Шаги — задания банка
`exercises/lab16/classroom.yaml`; их проверки можно править (формат — `docs/quizzes.md`,
раздел «Живые задания»). Кнопка под таблицей сохраняет оценки в CSV — тот же файл, что даёт
`mailsim quiz grade exercises/lab16/classroom.yaml --trace ФАЙЛ`.

## Что означают ошибки

Сервер узнаёт типичные ошибки настройки по первым байтам и ответам: SSL/TLS выбран для
порта STARTTLS (TLS ClientHello на 587, 143, 110), STARTTLS или «нет» для порта SSL/TLS
(465, 993, 995), пароль до STARTTLS там, где нужен TLS, имя пользователя с чужим доменом
или несуществующее, неверный пароль, ящик POP3 занят другим клиентом (`[IN-USE]`), порт
MX 25 вместо порта отправки, не отмечено «сервер требует проверки подлинности». Текст в
строке студента называет исправление.
""", """
## How it works

The dashboard follows the live trace of `mailsim serve`. A client from an address
nobody has logged in from yet gets a row of its address.

For a class: `mailsim serve --students 30 --host 0.0.0.0 --dashboard` — the server writes
its trace to a file and opens this page. The steps are the tasks of the bank
`exercises/lab16/classroom.yaml`; their checks can be edited (the format is
`docs/quizzes.md`, "Live tasks"). The button under the table saves the grades as CSV — the
same file `mailsim quiz grade exercises/lab16/classroom.yaml --trace FILE` gives.

## What the errors mean

The server recognises the usual setting mistakes by the first bytes and the replies:
SSL/TLS chosen for a STARTTLS port (a TLS ClientHello on 587, 143, 110), STARTTLS or "none"
for an SSL/TLS port (465, 993, 995), a password before STARTTLS where TLS is required, a
user name with another domain or no such account, a wrong password, a POP3 mailbox
locked by another client (`[IN-USE]`), the MX port 25 instead of the submission port,
"my server requires authentication" not ticked. The text in the student's row names the fix.
"""),
]
