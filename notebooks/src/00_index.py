"""The course index: the first page in JupyterLab and the students' entry page in Voilà."""
from _nb import COURSE, md, names

FILES, TITLE = names(0)

_ru = ["# Почтовые протоколы", "",
       "Интерактивный курс к лабораторной работе №16: SMTP, POP3, POP2, IMAP и DNS на "
       "настоящих байтах протоколов, с пояснением каждого шага. Каждая тетрадь занимает "
       "20–40 минут и кончается вопросами для самопроверки.", ""]
_en = ["# E-mail protocols", "",
       "An interactive course for Lab 16: SMTP, POP3, POP2, IMAP and DNS on real protocol "
       "bytes, with every step explained. Each notebook takes 20–40 minutes and ends with "
       "self-check questions.", ""]
for number, (ru_file, en_file, ru_title, en_title, ru_what, en_what) in COURSE.items():
    if number:
        _ru.append(f"{number}. [{ru_title}]({ru_file}.ipynb) — {ru_what}.")
        _en.append(f"{number}. [{en_title}]({en_file}.ipynb) — {en_what}.")
_ru += ["", "Какая тетрадь отвечает на какой контрольный вопрос — в файле `README.md` "
        "папки `notebooks`.", "",
        f"*English version:* [{COURSE[0][3]}](../en/{COURSE[0][1]}.ipynb)"]
_en += ["", "Which notebook answers which control question: `README.md` in the "
        "`notebooks` folder.", "",
        f"*Русская версия:* [{COURSE[0][2]}](../ru/{COURSE[0][0]}.ipynb)"]

CELLS = [md("\n".join(_ru), "\n".join(_en))]
