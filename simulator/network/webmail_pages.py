"""The webmail's HTML: plain server-rendered pages, every user-supplied text escaped.

A webmail is "a mail client that runs on the server": these pages are its
whole user interface.  Everything that comes from a message or a form (a
subject, an address, a body) goes through :func:`html.escape`, so a message
whose subject is ``<script>`` shows those characters instead of running them.
"""
from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from html import escape

from ..mail import mime
from ..protocols.http import Response
from ..protocols.http.responses import HTML, page

STYLE = ("<style>body{font-family:sans-serif;max-width:46em;margin:1em auto}"
         "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;"
         "padding:.3em;text-align:left}.unseen{font-weight:bold}pre{white-space:pre-wrap}"
         "label{display:block;margin:.4em 0}input,textarea{width:100%}</style>")


@dataclass(frozen=True)
class Row:
    """One message of the inbox list, from its header fields only (BODY.PEEK)."""

    uid: int
    sender: str
    subject: str
    date: str
    size: int
    seen: bool


def html(status: int, title: str, body: str, *fields: tuple[str, str]) -> Response:
    """A page: ``body`` is HTML built here from escaped parts."""
    return Response(status, (("Content-Type", HTML), ("Cache-Control", "no-store"), *fields),
                    page(title, STYLE + body))


def redirect(target: str, *fields: tuple[str, str]) -> Response:
    """303 See Other: after a form, the browser GETs ``target`` (RFC 9110 §15.4.4)."""
    return Response(303, (("Location", target), ("Content-Type", HTML), *fields),
                    page("303 See Other", f'<p><a href="{escape(target)}">{escape(target)}</a></p>'),
                    params={"location": target})


def login_page(host: str, problem: str = "") -> Response:
    warning = f'<p class="error" role="alert">{escape(problem)}</p>' if problem else ""
    return html(200, f"Webmail {host}", f"""<h1>Webmail {escape(host)}</h1>{warning}
<form method="post" action="/login">
<label>E-mail <input name="user" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Log in</button></form>""")


def _nav(user: str) -> str:
    return (f'<p>{escape(user)} · <a href="/inbox">Inbox</a> · <a href="/compose">Write</a> · '
            '<form method="post" action="/logout" style="display:inline">'
            '<button type="submit">Log out</button></form></p>')


def inbox_page(user: str, rows: list[Row], notice: str = "") -> Response:
    lines = "\n".join(
        f'<tr class="{"seen" if r.seen else "unseen"}"><td>{escape(r.sender)}</td>'
        f'<td><a href="/message/{r.uid}">{escape(r.subject or "(no subject)")}</a></td>'
        f"<td>{escape(r.date)}</td><td>{r.size}</td></tr>" for r in rows)
    note = f'<p class="notice" role="status">{escape(notice)}</p>' if notice else ""
    return html(200, "Inbox", f"""{_nav(user)}{note}<h1>Inbox</h1>
<table><tr><th>From</th><th>Subject</th><th>Date</th><th>Octets</th></tr>
{lines}
</table>""")


def message_page(user: str, uid: int, data: bytes) -> Response:
    msg = mime.parse(data)
    fields = "".join(f"<tr><th>{name}</th><td>{escape(mime.decoded_header(msg, name))}</td></tr>"
                     for name in ("From", "To", "Subject", "Date"))
    return html(200, mime.decoded_header(msg, "Subject") or "Message", f"""{_nav(user)}
<table>{fields}</table>
<pre>{escape(text_of(msg))}</pre>""")


def text_of(msg: EmailMessage) -> str:
    """The plain-text body a reader shows (the first text/plain part), decoded."""
    part = msg.get_body(preferencelist=("plain",))
    if part is None:
        return "(no text part)"
    try:
        return part.get_content()
    except (LookupError, ValueError):
        return part.get_payload(decode=True).decode("utf-8", "replace")


def compose_page(user: str, problem: str = "") -> Response:
    warning = f'<p class="error" role="alert">{escape(problem)}</p>' if problem else ""
    return html(200, "Write", f"""{_nav(user)}<h1>Write</h1>{warning}
<form method="post" action="/send">
<label>To <input name="to"></label>
<label>Subject <input name="subject"></label>
<label>Text <textarea name="body" rows="8"></textarea></label>
<button type="submit">Send</button></form>""")


def not_found(user: str, what: str) -> Response:
    return html(404, "404 Not Found", f"{_nav(user)}<h1>404 Not Found</h1><p>{escape(what)}</p>")


def header_row(uid: int, header: bytes, size: int, flags: frozenset[str]) -> Row:
    """A list row from the fetched header fields, with RFC 2047 words decoded."""
    msg = mime.parse(header)
    return Row(uid, mime.decoded_header(msg, "From"), mime.decoded_header(msg, "Subject"),
               mime.decoded_header(msg, "Date"), size, "\\Seen" in flags)
