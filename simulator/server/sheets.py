"""``mailsim serve --sheets DIR``: a printable setup sheet per student, in Russian and English.

Each page holds what Lab 16 asks a student to type into a mail client, taken
from the running server (the listeners' ports and security, the name students
reach it by, the domain, the student's login and password, the certificate's
fingerprint), never from a table of defaults: a sheet printed for
``--port-offset 0 --tls-name lab.local`` says 993 and lab.local.

Which port is shown first follows RFC 8314 §3.3 for incoming mail (implicit
TLS: 993, 995) and the banner's choice for outgoing mail (submission on 587
with STARTTLS, RFC 6409 §3; 465 is the alternative).
"""
from __future__ import annotations

import hashlib
import html
import re
import ssl
from datetime import date
from pathlib import Path

from ..locale import LANGUAGES, t
from .app import Listening, MailServer

#: Service names by preference, per part of a client's account settings.
PREFERENCE = {"imap": ("imaps", "imap"), "pop3": ("pop3s", "pop3"),
              "smtp": ("submission", "smtps"), "ftp": ("ftp",)}

STYLE = """
@page { size: A4; margin: 14mm; }
body { font: 11pt/1.35 system-ui, "Segoe UI", Arial, sans-serif; color: #000; max-width: 48em; }
h1 { font-size: 16pt; margin: 0 0 .3em; } h2 { font-size: 12pt; margin: 1em 0 .3em; }
h3 { font-size: 11pt; margin: .8em 0 .2em; } p { margin: .2em 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #888; padding: 2px 6px; text-align: left; vertical-align: top; }
th { width: 38%; font-weight: normal; background: #eee; }
td.value, .value { font-family: Consolas, "DejaVu Sans Mono", monospace; font-weight: bold; }
footer { margin-top: 1em; font-size: 9pt; color: #444; }
@media print { a { color: #000; text-decoration: none; } }
"""


def settings(server: MailServer) -> dict[str, list[Listening]]:
    """For "imap", "pop3" and "smtp": the listening services, the preferred one first."""
    by_name = {item.name: item for item in server.listening}
    return {part: [by_name[n] for n in names if n in by_name]
            for part, names in PREFERENCE.items()}


def fingerprint(certificate: Path | None) -> str:
    """The SHA-256 fingerprint of a PEM certificate, as clients show it (AB:CD:…)."""
    if certificate is None or not Path(certificate).is_file():
        return "—"
    der = ssl.PEM_cert_to_DER_cert(Path(certificate).read_text(encoding="ascii"))
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def accounts(server: MailServer) -> list[tuple[str, str, str]]:
    """(login, name, password) of everyone a sheet is printed for: the class, else the
    served domain's users."""
    if server.students is not None:
        return [(s.login, s.name, s.password) for s in server.students]
    domain = "@" + server.world.domain
    return [(u.address.rpartition("@")[0], u.name, u.password)
            for u in server.world.scenario.users if u.address.lower().endswith(domain)]


def write_sheets(server: MailServer, folder: str | Path) -> list[Path]:
    """One page per account and language, and an index for the teacher; the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    found = settings(server)
    common = {"server": server.public_host, "domain": server.world.domain,
              "fingerprint": fingerprint(server.certificate), "date": date.today().isoformat()}
    written, links = [], []
    for login, name, password in accounts(server):
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", login)
        pages = []
        for lang in LANGUAGES:
            path = folder / f"{stem}.{lang}.html"
            path.write_text(sheet(found, common, login, name, password, lang), encoding="utf-8")
            written.append(path)
            pages.append((lang, path.name))
        links.append((login, name, pages))
    index = folder / "index.html"
    index.write_text(_index(links), encoding="utf-8")
    return [*written, index]


def sheet(found: dict[str, list[Listening]], common: dict, login: str, name: str,
          password: str, lang: str) -> str:
    """One student's page in ``lang``."""
    def tr(key: str, **params) -> str:
        return html.escape(t(f"sheet.{key}", lang, **common, **params))

    address = f"{login}@{common['domain']}"
    incoming = (found["imap"] or found["pop3"])[:1]
    outgoing = found["smtp"][:1]
    values = {"login": login, "address": address, "password": password,
              **_client_values("in", incoming, common["server"], lang),
              **_client_values("out", outgoing, common["server"], lang)}
    parts = [f"<h1>{tr('title')}</h1>", f"<p>{tr('intro')}</p>",
             f"<h2>{tr('account')}</h2>",
             _table([(tr("name"), html.escape(name or login)), (tr("address"), address),
                     (tr("login"), tr("login_note", login=login, address=address)),
                     (tr("password"), html.escape(password))])]
    for part, title in (("imap", "incoming_imap"), ("pop3", "incoming_pop3")):
        if found[part]:
            parts += [f"<h2>{tr(title)}</h2>",
                      _server_table(found[part], common["server"], login, lang, tr)]
    if found["smtp"]:
        parts += [f"<h2>{tr('outgoing')}</h2>",
                  _server_table(found["smtp"], common["server"], login, lang, tr, smtp=True)]
    for client in ("outlook", "thunderbird", "phone"):
        parts += [f"<h3>{tr(client + '.title')}</h3>", f"<p>{tr(client + '.steps', **values)}</p>"]
    for topic in ("certificate", "leave_copy", "new_outlook"):
        if topic == "leave_copy" and not found["pop3"]:
            continue
        parts += [f"<h3>{tr(topic + '.title')}</h3>", f"<p>{tr(topic + '.text')}</p>"]
    if found["ftp"]:
        parts += _files_part(found["ftp"][0], common["server"], login, tr)
    parts.append(f"<footer>{tr('printed')}</footer>")
    return _page(lang, f"{t('sheet.title', lang)} — {login}", parts)


def _files_part(item: Listening, host: str, login: str, tr) -> list[str]:
    """The account's files over FTP (RFC 959): the values, then FileZilla, Explorer, curl."""
    values = {"ftp_host": host, "ftp_port": item.port, "login": login}
    parts = [f"<h2>{tr('files')}</h2>",
             _table([(tr("server"), html.escape(host)), (tr("port"), str(item.port)),
                     (tr("security"), tr("files_security")), (tr("login"), html.escape(login)),
                     (tr("files_mode"), tr("files_mode_value"))])]
    for client in ("filezilla", "explorer", "curl"):
        parts += [f"<h3>{tr(client + '.title')}</h3>", f"<p>{tr(client + '.steps', **values)}</p>"]
    return parts


def _client_values(prefix: str, items: list[Listening], host: str, lang: str) -> dict:
    if not items:
        return {f"{prefix}_host": "—", f"{prefix}_port": "—", f"{prefix}_security": "—"}
    item = items[0]
    return {f"{prefix}_host": host, f"{prefix}_port": item.port,
            f"{prefix}_security": t(f"sheet.security_value.{item.security}", lang)}


def _server_table(items: list[Listening], host: str, login: str, lang: str, tr,
                  smtp: bool = False) -> str:
    first, others = items[0], items[1:]
    port = str(first.port) + "".join(
        " " + tr("alternative", port=o.port,
                 security=t(f"sheet.security_value.{o.security}", lang)) for o in others)
    rows = [(tr("server"), html.escape(host)), (tr("port"), port),
            (tr("security"), tr(f"security_value.{first.security}"))]
    if smtp:
        rows += [(tr("smtp_auth"), tr("smtp_auth_value"))]
    rows += [(tr("auth"), tr("auth_value")), (tr("login"), html.escape(login))]
    return _table(rows)


def _table(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{label}</th><td class=\"value\">{value}</td></tr>"
                   for label, value in rows)
    return f"<table>{body}</table>"


def _page(lang: str, title: str, parts: list[str]) -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(parts) + "\n</body></html>\n")


def _index(links: list[tuple[str, str, list[tuple[str, str]]]]) -> str:
    rows = "".join(
        "<tr><th>" + html.escape(f"{login} — {name}" if name else login) + "</th><td>"
        + " · ".join(f"<a href=\"{html.escape(href)}\">{lang}</a>" for lang, href in pages)
        + "</td></tr>" for login, name, pages in links)
    parts = [f"<h1>{html.escape(t('sheet.index_title', lang))}</h1>"
             f"<p>{html.escape(t('sheet.index_intro', lang))}</p>" for lang in LANGUAGES]
    return _page("ru", t("sheet.index_title", "ru"), [*parts, f"<table>{rows}</table>"])
